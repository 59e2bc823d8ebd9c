//! The desk's live state: routing, offers, the roster, alerts and its events.

use super::*;

fn at(s: &str) -> Time {
    Time::parse_from_rfc3339(s).unwrap()
}

fn online(desk: &Desk, id: &str, skills: Vec<Skill>, now: Time) {
    let update = AgentUpdate {
        presence: Presence::Online,
        name: None,
        skills: Some(skills),
        languages: Some(vec![Lang::Zh]),
        max_chats: Some(1),
    };
    desk.update_agent(id, update, now).unwrap();
}

/// An update that changes the presence only.
fn only(presence: Presence) -> AgentUpdate {
    AgentUpdate {
        presence,
        name: None,
        skills: None,
        languages: None,
        max_chats: None,
    }
}

#[test]
fn nobody_online_means_a_ticket_and_an_online_agent_means_the_live_queue() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    assert!(matches!(
        desk.route(noon, "complaint", Lang::Zh, Tier::Normal, 0.9, 1),
        Route::Ticket { .. }
    ));
    online(&desk, "a1", vec![Skill::Complaints], noon);
    assert!(matches!(
        desk.route(noon, "complaint", Lang::Zh, Tier::Normal, 0.9, 1),
        Route::LiveQueue { .. }
    ));
    let night = at("2026-11-20T23:00:00+08:00");
    match desk.route(night, "complaint", Lang::Zh, Tier::Normal, 0.9, 1) {
        Route::Ticket { opens_at, .. } => {
            assert_eq!(opens_at, Some(at("2026-11-21T09:00:00+08:00")))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn waiting_conversations_are_offered_as_agents_come_and_never_past_their_room() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    let waiting = |ids: &[&str]| -> Vec<(String, String, Lang)> {
        ids.iter()
            .map(|id| (id.to_string(), "track_package".to_string(), Lang::Zh))
            .collect()
    };
    let queue = waiting(&["c1", "c2", "c3"]);
    // Nobody online: nothing to offer (tickets wait).
    assert!(desk.offer_waiting(&queue).is_empty());
    // One agent with room for one comes online: the first in line only.
    online(&desk, "a1", vec![Skill::Logistics], noon);
    assert_eq!(
        desk.offer_waiting(&queue),
        [("c1".to_string(), "a1".to_string())]
    );
    // Nothing changed: no new offer, and the standing one stays.
    assert!(desk.offer_waiting(&queue).is_empty());
    assert_eq!(desk.offered_to("c1").as_deref(), Some("a1"));
    // A second agent (another skill: any skill when none fits) takes the next.
    online(&desk, "a2", vec![Skill::Refunds], noon);
    assert_eq!(
        desk.offer_waiting(&queue),
        [("c2".to_string(), "a2".to_string())]
    );
    // a1 goes off: their offer is withdrawn; nobody has room for it now.
    desk.update_agent("a1", only(Presence::Offline), noon)
        .unwrap();
    assert!(desk.offer_waiting(&queue).is_empty());
    assert_eq!(desk.offered_to("c1"), None);
    // a2 takes c2: still full (max 1). Once c2 is done, c1 is next for a2.
    desk.claimed("a2", "c2").unwrap();
    assert!(desk.offer_waiting(&waiting(&["c1", "c3"])).is_empty());
    desk.released("c2", noon, None);
    assert_eq!(
        desk.offer_waiting(&waiting(&["c1", "c3"])),
        [("c1".to_string(), "a2".to_string())]
    );
}

#[test]
fn offers_go_to_an_eligible_agent_with_room() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    online(&desk, "refunds", vec![Skill::Refunds], noon);
    online(&desk, "logistics", vec![Skill::Logistics], noon);
    assert_eq!(
        desk.offer("refund_status", Lang::Zh).as_deref(),
        Some("refunds")
    );
    assert_eq!(
        desk.offer("track_package", Lang::Zh).as_deref(),
        Some("logistics")
    );
    desk.claimed("logistics", "c1").unwrap();
    // The logistics agent is full (max 1): the other agent takes it rather than nobody.
    assert_eq!(
        desk.offer("track_package", Lang::Zh).as_deref(),
        Some("refunds")
    );
    desk.released("c1", noon, Some(Duration::from_secs(240)));
    assert_eq!(
        desk.offer("track_package", Lang::Zh).as_deref(),
        Some("logistics")
    );
}

#[test]
fn only_an_agent_on_the_roster_can_claim() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    // A mistyped id is refused and does not become an agent.
    assert!(matches!(
        desk.claimed("a9", "c1"),
        Err(RosterError::UnknownAgent { .. })
    ));
    assert!(desk.agents().is_empty());
    online(&desk, "a1", vec![Skill::Orders], noon);
    desk.claimed("a1", "c1").unwrap();
    assert!(desk.agents()[0].active.contains("c1"));
}

#[test]
fn offers_not_taken_yet_count_as_seats_taken() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    online(&desk, "a1", vec![Skill::Orders], noon); // room for one
    assert_eq!(desk.offer("order_status", Lang::Zh).as_deref(), Some("a1"));
    desk.offered("c1", "a1");
    // A second and third hand-over find nobody with room.
    assert_eq!(desk.offer("order_status", Lang::Zh), None);
    assert_eq!(desk.offer_for("order_status", None, Lang::Zh, "a2"), None);
    online(&desk, "a2", vec![Skill::Orders], noon);
    assert_eq!(desk.offer("order_status", Lang::Zh).as_deref(), Some("a2"));
    // The offer taken, a1's seat is still taken (now by the claim).
    desk.claimed("a1", "c1").unwrap();
    desk.offered("c2", "a2");
    assert_eq!(desk.offer("order_status", Lang::Zh), None);
}

#[test]
fn a_colleague_who_does_not_chat_in_the_language_cannot_take_it_over() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    online(&desk, "a1", vec![Skill::Orders], noon);
    let english = AgentUpdate {
        presence: Presence::Online,
        name: None,
        skills: Some(vec![Skill::Orders]),
        languages: Some(vec![Lang::En]),
        max_chats: Some(3),
    };
    desk.update_agent("a2", english, noon).unwrap();
    desk.claimed("a1", "c1").unwrap();
    assert!(matches!(
        desk.reassign("c1", "a1", "a2", Lang::Zh, noon),
        Err(RosterError::Language { lang: Lang::Zh, .. })
    ));
    assert!(matches!(
        desk.reassign("c1", "a1", "nobody", Lang::Zh, noon),
        Err(RosterError::UnknownAgent { .. })
    ));
    // a1 still holds it; an English conversation can go to a2.
    assert!(desk.agents()[0].active.contains("c1"));
    desk.claimed("a1", "c1").unwrap();
    desk.released("c1", noon, None);
    desk.claimed("a1", "c2").unwrap();
    desk.reassign("c2", "a1", "a2", Lang::En, noon).unwrap();
    assert!(desk.agents()[1].active.contains("c2"));
}

#[test]
fn held_conversations_wait_for_their_agent_after_a_restart_then_go_back() {
    let config = DeskConfig {
        return_after: Duration::from_secs(300),
        ..DeskConfig::default()
    };
    let desk = Desk::new(config);
    let noon = at("2026-11-20T12:00:00+08:00");
    for id in ["a1", "a2"] {
        online(&desk, id, vec![Skill::Orders], noon);
        desk.update_agent(id, only(Presence::Offline), noon)
            .unwrap();
    }
    // As the store says after a restart: a1 held two (more than max 1:
    // restored whatever the seats), a2 one, and a gone agent one.
    let holds = vec![
        ("a1".to_string(), "c1".to_string()),
        ("a1".to_string(), "c2".to_string()),
        ("a2".to_string(), "c3".to_string()),
        ("gone".to_string(), "c4".to_string()),
    ];
    desk.restore(holds, noon);
    let a1 = &desk.agents()[0];
    assert_eq!(a1.active.len(), 2);
    // The agent the roster did not know is back on it, offline, holding theirs.
    let gone = desk.agents().into_iter().find(|a| a.id == "gone").unwrap();
    assert_eq!(gone.presence, Presence::Offline);
    assert!(gone.active.contains("c4"));
    // Their seats are taken: a1 is offered nothing when they sign in.
    online(&desk, "a1", vec![Skill::Orders], noon);
    assert_eq!(desk.offer("order_status", Lang::Zh), None);
    // Before `return_after` nothing goes back; after it, a2's (who never
    // came back) does, once; a1 signed in and keeps theirs.
    let later = |secs| noon + chrono::TimeDelta::seconds(secs);
    assert!(desk.overdue_holds(later(299)).is_empty());
    assert_eq!(
        desk.overdue_holds(later(300)),
        [
            ("a2".to_string(), "c3".to_string()),
            ("gone".to_string(), "c4".to_string())
        ]
    );
    assert!(desk.overdue_holds(later(900)).is_empty());
}

#[test]
fn each_breach_is_reported_once_while_it_lasts() {
    let desk = Desk::new(DeskConfig::default());
    let breach = |id: &str| Breach {
        kind: BreachKind::FirstResponse,
        conversation_id: id.to_string(),
        due: at("2026-11-20T12:02:00+08:00"),
        overdue_by: Duration::from_secs(60),
    };
    assert_eq!(desk.report_breaches(vec![breach("c1")]).len(), 1);
    assert!(
        desk.report_breaches(vec![breach("c1")]).is_empty(),
        "reported twice"
    );
    assert_eq!(
        desk.report_breaches(vec![breach("c1"), breach("c2")]).len(),
        1
    );
    // c1 was answered (gone from the list), then breached again later.
    desk.report_breaches(vec![breach("c2")]);
    assert_eq!(
        desk.report_breaches(vec![breach("c1"), breach("c2")]).len(),
        1
    );
    assert_eq!(desk.alerts().len(), 3);
}

#[test]
fn a_burst_of_complaints_raises_one_alert() {
    let desk = Desk::new(DeskConfig::default());
    let start = at("2026-11-20T12:00:00+08:00");
    let mut raised = 0;
    for i in 0..20 {
        raised += desk
            .signal(start + chrono::Duration::seconds(i * 10), "SKU-90001")
            .len();
    }
    assert_eq!(raised, 1, "one alert per spike, not one per event");
    assert!(matches!(&desk.alerts()[..], [Alert::Spike(s)] if s.key == "SKU-90001"));
}

#[test]
fn offers_are_announced_once_and_queue_changes_when_what_waits_changes() {
    let desk = Desk::new(DeskConfig::default());
    let mut events = desk.subscribe();
    let noon = at("2026-11-20T12:00:00+08:00");
    let entry = |id: &str| handoff::QueueEntry {
        conversation_id: id.to_string(),
        customer_id: "C1002".to_string(),
        reasons: vec![handoff::Reason::AskedForHuman],
        priority: 10,
        waiting_since: noon,
        arrival: 0,
        kind: handoff::EntryKind::Queued,
        state: handoff::EntryState::Waiting,
        context: handoff::build_context(None, &[], Vec::new(), Vec::new(), id),
    };
    desk.offered("c1", "a1");
    desk.announce_queue(&[entry("c1")]);
    desk.announce_queue(&[entry("c1")]);
    let kinds: Vec<String> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| match e {
            DeskEvent::Offer {
                conversation_id,
                agent_id,
                ..
            } => {
                format!("offer {conversation_id} to {agent_id}")
            }
            DeskEvent::Queue { waiting } => format!("queue {waiting}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["offer c1 to a1", "queue 1"], "each once");
    // Offered again (back in the queue after a transfer): announced again.
    desk.offered("c1", "a2");
    desk.announce_queue(&[entry("c1"), entry("c2")]);
    assert_eq!(
        std::iter::from_fn(|| events.try_recv().ok()).count(),
        2,
        "the new offer, and c2 joined"
    );
}

#[test]
fn a_desk_on_a_team_starts_from_the_saved_profiles_and_handling_times() {
    let dir = tempfile::tempdir().unwrap();
    let noon = at("2026-11-20T12:00:00+08:00");
    {
        let db = sled::open(dir.path()).unwrap();
        let desk = Desk::new(DeskConfig::default())
            .with_team(Team::open(&db).unwrap())
            .unwrap();
        online(&desk, "a1", vec![Skill::Refunds], noon);
        desk.claimed("a1", "c1").unwrap();
        desk.released("c1", noon, Some(Duration::from_secs(90)));
        db.flush().unwrap();
    }
    let db = handoff::open_db(dir.path()).unwrap();
    let desk = Desk::new(DeskConfig::default())
        .with_team(Team::open(&db).unwrap())
        .unwrap();
    let agents = desk.agents();
    assert_eq!(agents.len(), 1);
    assert_eq!(
        (
            agents[0].presence,
            agents[0].max_chats,
            agents[0].skills.len()
        ),
        (Presence::Offline, 1, 1),
        "profile kept, presence not"
    );
    online(&desk, "a1", vec![Skill::Refunds], noon);
    // Second in line, one seat, busy: one measured handling time of 90 s.
    desk.claimed("a1", "c2").unwrap();
    assert_eq!(
        desk.estimate("refund_status", Lang::Zh, 1),
        Some(Duration::from_secs(90))
    );
}

#[test]
fn signing_in_keeps_no_profile_so_the_configuration_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let noon = at("2026-11-20T12:00:00+08:00");
    let configured = |max_chats| DeskConfig {
        agents: vec![Agent {
            max_chats,
            ..new_agent("a1")
        }],
        ..DeskConfig::default()
    };
    let presence = |presence| AgentUpdate {
        presence,
        name: None,
        skills: None,
        languages: None,
        max_chats: None,
    };
    let desk = Desk::new(configured(2))
        .with_team(Team::open(&db).unwrap())
        .unwrap();
    desk.update_agent("a1", presence(Presence::Online), noon)
        .unwrap();
    // The merchant raises a1's limit in the configuration and restarts.
    let desk = Desk::new(configured(4))
        .with_team(Team::open(&db).unwrap())
        .unwrap();
    assert_eq!(desk.agents()[0].max_chats, 4, "a sign-in set nothing");
    // What a console does set is kept, and wins over the configuration.
    let mut update = presence(Presence::Online);
    update.max_chats = Some(3);
    desk.update_agent("a1", update, noon).unwrap();
    let desk = Desk::new(configured(4))
        .with_team(Team::open(&db).unwrap())
        .unwrap();
    assert_eq!(desk.agents()[0].max_chats, 3);
}

/// A bot on a fresh store with the demo shop, at the reference noon.
pub(crate) fn bot_at(dir: &std::path::Path) -> (crate::turn::Bot, sled::Db) {
    let db = crate::cmd::open_db(dir).unwrap();
    let bot = crate::cmd::build_bot(
        &db,
        crate::cmd::load_pack(None).unwrap(),
        handoff::Policy::default(),
        crate::clock::Clock::Pinned(at("2026-11-20T12:00:00+08:00")),
        2000,
        DeskConfig::default(),
    )
    .unwrap();
    (bot, db)
}

#[test]
fn a_hand_over_whose_write_fails_leaves_no_offer_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, db) = bot_at(dir.path());
    let noon = at("2026-11-20T12:00:00+08:00");
    online(bot.desk(), "a1", vec![Skill::Orders], noon);
    let (c, _) = bot.start("C1002", None).unwrap();
    // An unreadable queue entry makes the hand-over's transaction fail.
    let queue = db.open_tree("handoff/queue").unwrap();
    queue.insert(c.id.as_bytes(), &b"not json"[..]).unwrap();
    assert!(bot.handle(&c.id, "转人工").is_err());
    assert_eq!(bot.desk().offered_to(&c.id), None, "nothing was queued");

    // Later the same conversation becomes a ticket (a1 went away): nobody
    // must be offered it, least of all from the failed turn.
    queue.remove(c.id.as_bytes()).unwrap();
    bot.desk()
        .update_agent("a1", only(Presence::Away), noon)
        .unwrap();
    let turn = bot.handle(&c.id, "转人工").unwrap();
    assert!(matches!(
        turn.handoff.and_then(|h| h.route),
        Some(Route::Ticket { .. })
    ));
    assert_eq!(bot.desk().offered_to(&c.id), None);
    // With a1 back, a hand-over that is written is offered.
    online(bot.desk(), "a1", vec![Skill::Orders], noon);
    let (other, _) = bot.start("C1003", None).unwrap();
    bot.handle(&other.id, "转人工").unwrap();
    assert_eq!(bot.desk().offered_to(&other.id).as_deref(), Some("a1"));
}

/// Holds sled's process-wide transaction lock (sled 0.34 takes it for
/// every transaction; a flush can hold it too) from another thread, so that
/// every sled read or write elsewhere waits, as it would behind a slow
/// flush. It is let go when the returned sender is used (or dropped), or
/// after ten seconds so a failing test cannot wedge the others;
/// the thread's result says whether it was let go in time (`true`).
pub(crate) fn hold_sled(
    db: &sled::Db,
) -> (std::sync::mpsc::Sender<()>, std::thread::JoinHandle<bool>) {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held_tx, held) = std::sync::mpsc::channel::<()>();
    let tree = db.open_tree("test/hold").unwrap();
    let holder = std::thread::spawn(move || {
        tree.transaction(|_| {
            let _ = held_tx.send(());
            let waited = released.recv_timeout(Duration::from_secs(10));
            let in_time = !matches!(waited, Err(std::sync::mpsc::RecvTimeoutError::Timeout));
            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(in_time)
        })
        .unwrap()
    });
    held.recv().unwrap();
    (release, holder)
}

#[test]
fn a_profile_change_flushes_without_holding_the_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let desk = std::sync::Arc::new(
        Desk::new(DeskConfig::default())
            .with_team(Team::open(&db).unwrap())
            .unwrap(),
    );
    let noon = at("2026-11-20T12:00:00+08:00");
    let (release, holder) = hold_sled(&db);
    // A console changes a1's profile; its save waits for the disk.
    let changing = {
        let desk = desk.clone();
        std::thread::spawn(move || {
            let update = AgentUpdate {
                presence: Presence::Online,
                name: None,
                skills: Some(vec![Skill::Orders]),
                languages: Some(vec![Lang::Zh]),
                max_chats: Some(3),
            };
            desk.update_agent("a1", update, noon).unwrap()
        })
    };
    // Meanwhile hand-overs ask the desk, and are answered while the
    // profile is still on its way to the disk.
    while desk.agents().first().map(|a| a.max_chats) != Some(3) {
        std::thread::yield_now();
    }
    assert_eq!(desk.offer("order_status", Lang::Zh).as_deref(), Some("a1"));
    assert!(matches!(
        desk.route(noon, "order_status", Lang::Zh, Tier::Normal, 0.0, 1),
        Route::LiveQueue { .. }
    ));
    assert!(!changing.is_finished(), "the save is still waiting");
    let _ = release.send(());
    assert!(
        holder.join().unwrap(),
        "the desk waited for the profile's flush"
    );
    assert_eq!(changing.join().unwrap().max_chats, 3);
    // And it is on disk.
    let saved = Team::open(&db).unwrap().agents().unwrap();
    assert_eq!(saved[0].max_chats, 3);
}

#[test]
fn profile_changes_reach_the_disk_in_the_order_the_roster_took_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let desk = std::sync::Arc::new(
        Desk::new(DeskConfig::default())
            .with_team(Team::open(&db).unwrap())
            .unwrap(),
    );
    let noon = at("2026-11-20T12:00:00+08:00");
    let threads: Vec<_> = (1..=8)
        .map(|max| {
            let desk = desk.clone();
            std::thread::spawn(move || {
                let update = AgentUpdate {
                    presence: Presence::Online,
                    name: None,
                    skills: None,
                    languages: None,
                    max_chats: Some(max),
                };
                desk.update_agent("a1", update, noon).unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let in_memory = desk.agents()[0].max_chats;
    let on_disk = Team::open(&db).unwrap().agents().unwrap()[0].max_chats;
    assert_eq!(on_disk, in_memory);
}

#[test]
fn a_measured_handling_time_is_saved_without_holding_the_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let desk = std::sync::Arc::new(
        Desk::new(DeskConfig::default())
            .with_team(Team::open(&db).unwrap())
            .unwrap(),
    );
    let noon = at("2026-11-20T12:00:00+08:00");
    online(&desk, "a1", vec![Skill::Orders], noon);
    desk.claimed("a1", "c1").unwrap();
    let (release, holder) = hold_sled(&db);
    // A resolve: the seat frees at once, the measure waits for the store.
    let resolving = {
        let desk = desk.clone();
        std::thread::spawn(move || desk.released("c1", noon, Some(Duration::from_secs(90))))
    };
    while !desk.agents()[0].active.is_empty() {
        std::thread::yield_now();
    }
    assert_eq!(desk.offer("order_status", Lang::Zh).as_deref(), Some("a1"));
    assert_eq!(
        desk.estimate("order_status", Lang::Zh, 2),
        Some(Duration::from_secs(90)),
        "the new measure counts already"
    );
    assert!(!resolving.is_finished(), "the save is still waiting");
    let _ = release.send(());
    assert!(holder.join().unwrap(), "the desk waited for the store");
    resolving.join().unwrap();
    let saved = Team::open(&db).unwrap().handling().unwrap().unwrap();
    assert_eq!(saved.mean(), Duration::from_secs(90));
}

#[test]
fn pulling_reads_the_languages_before_taking_the_desk() {
    let desk = Desk::new(DeskConfig::default());
    let noon = at("2026-11-20T12:00:00+08:00");
    online(&desk, "a1", vec![Skill::Orders], noon);
    let entry = |id: &str| handoff::QueueEntry {
        conversation_id: id.to_string(),
        customer_id: "C1004".to_string(),
        reasons: vec![handoff::Reason::AskedForHuman],
        priority: 10,
        waiting_since: noon,
        arrival: 0,
        kind: handoff::EntryKind::Queued,
        state: handoff::EntryState::Waiting,
        context: handoff::build_context(None, &[], Vec::new(), Vec::new(), id),
    };
    let waiting = [
        entry("english"),
        entry("chinese refund"),
        entry("chinese order"),
    ];
    // The intent and language come from the store: no desk lock may be
    // held meanwhile.
    let about = |id: &str| {
        assert!(desk.state.try_lock().is_ok(), "read under the desk lock");
        let lang = if id == "english" { Lang::En } else { Lang::Zh };
        let intent = if id.ends_with("refund") {
            "refund_status"
        } else {
            "order_status"
        };
        Some((intent.to_string(), lang))
    };
    assert_eq!(
        desk.pick("a1", &waiting, about).as_deref(),
        Some("chinese order"),
        "a1 speaks Chinese only and has the orders skill"
    );
    // Without a conversation needing their skill, one in their language.
    assert_eq!(
        desk.pick("a1", &waiting[..2], about).as_deref(),
        Some("chinese refund")
    );
    // Never one in a language they do not chat in.
    assert_eq!(desk.pick("a1", &waiting[..1], about), None);
    // What was offered to them comes first.
    desk.offered("english", "a1");
    assert_eq!(desk.pick("a1", &waiting, about).as_deref(), Some("english"));
}

#[test]
fn a_turn_whose_caller_goes_away_is_still_published_and_offered() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, _db) = bot_at(dir.path());
    let bot = std::sync::Arc::new(bot);
    online(
        bot.desk(),
        "a1",
        vec![Skill::Orders],
        at("2026-11-20T12:00:00+08:00"),
    );
    let (c, _) = bot.start("C1002", None).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut listener = bot.hub().subscribe(&c.id);
        // The caller gives up at once (a client that disconnects, the
        // request timeout): its future is dropped while the turn waits for
        // the flush of what it wrote.
        let _ = tokio::time::timeout(std::time::Duration::ZERO, bot.handle_async(&c.id, "转人工"))
            .await;
        // The turn still finishes: the hand-over's notice is published and
        // the conversation is offered to the agent online.
        let notice = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                match listener.recv().await {
                    Ok(crate::hub::Live::Message(m)) if m.author == handoff::Author::System => {
                        return m
                    }
                    Ok(_) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        })
        .await
        .expect("the abandoned turn was never published");
        assert!(!notice.text.is_empty());
        assert_eq!(bot.desk().offered_to(&c.id).as_deref(), Some("a1"));
    });
}

#[test]
fn a_saved_profile_that_differs_from_the_configured_one_is_named_field_by_field() {
    let configured = new_agent("bo");
    let mut saved = configured.clone();
    assert!(profile_differences(&configured, &saved).is_empty());
    saved.max_chats = 2;
    saved.name = "Bo".to_string();
    assert_eq!(
        profile_differences(&configured, &saved),
        ["name \"bo\" -> \"Bo\"", "max_chats 5 -> 2"]
    );
}
