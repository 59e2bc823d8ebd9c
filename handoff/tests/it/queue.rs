//! The agents' queue: order, claim/resolve life cycle, merging, tickets,
//! context, races.

use dialogs::DialogState;
use handoff::{ConvStatus, EntryKind, EntryState, Error, HandoffOutcome, Reason};
use intents::Lang;

use crate::support::{at, bare_context, ids, open, said};

#[test]
fn queue_serves_highest_priority_then_longest_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let mut made = Vec::new();
    // (priority, enqueued at)
    for (priority, when) in [(10, 0), (50, 30), (10, -60), (80, 90), (50, 10), (-5, -100)] {
        let c = store
            .create_conversation("C1002", Lang::Zh, at(-200))
            .unwrap();
        store
            .enqueue(&c.id, vec![], priority, bare_context(&c.id), at(when))
            .unwrap();
        made.push((priority, when, c.id));
    }
    let mut want = made.clone();
    want.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    let want: Vec<String> = want.into_iter().map(|m| m.2).collect();
    assert_eq!(ids(&store), want);

    // Claimed entries leave the queue; the rest keep their order.
    store.claim(&want[0], "A1", at(100)).unwrap();
    assert_eq!(ids(&store), want[1..]);
}

#[test]
fn claim_and_resolve_follow_the_life_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let c = store.create_conversation("C1001", Lang::Zh, at(0)).unwrap();
    let id = c.id.as_str();
    store
        .save_dialog_state(id, &DialogState::default(), 3)
        .unwrap();

    let not_waiting = store.claim(id, "A1", at(1)).unwrap_err();
    assert!(
        matches!(not_waiting, Error::NotWaiting { .. }),
        "{not_waiting}"
    );
    assert!(matches!(
        store.resolve(id, "A1", at(1)),
        Err(Error::NotClaimed { .. })
    ));

    let reasons = vec![Reason::NotUnderstood { turns: 3 }];
    let entry = store
        .enqueue(id, reasons.clone(), 10, bare_context(id), at(2))
        .unwrap();
    assert_eq!(
        (entry.state, entry.kind),
        (EntryState::Waiting, EntryKind::Queued)
    );
    assert_eq!(entry.context.reasons, reasons);
    assert_eq!(
        store.conversation(id).unwrap().unwrap().status,
        ConvStatus::Queued
    );
    assert!(matches!(
        store.resolve(id, "A1", at(3)),
        Err(Error::NotClaimed { .. })
    ));

    let claimed = store.claim(id, "A1", at(4)).unwrap();
    let held = EntryState::Claimed {
        agent_id: "A1".to_owned(),
        at: at(4),
    };
    assert_eq!(claimed.state, held);
    let with_a1 = ConvStatus::WithAgent {
        agent_id: "A1".to_owned(),
    };
    assert_eq!(store.conversation(id).unwrap().unwrap().status, with_a1);
    assert!(store.queue().unwrap().is_empty());

    let raced = store.claim(id, "A2", at(5)).unwrap_err();
    assert!(
        raced.to_string().contains("claimed by agent `A1`"),
        "{raced}"
    );
    assert!(
        matches!(store.resolve(id, "A2", at(5)), Err(Error::ClaimedByOther { agent_id, .. }) if agent_id == "A1")
    );
    assert!(matches!(
        store.enqueue(id, vec![], 1, bare_context(id), at(5)),
        Err(Error::AlreadyWithAgent { .. })
    ));

    store.resolve(id, "A1", at(6)).unwrap();
    let back = store.conversation(id).unwrap().unwrap();
    assert_eq!(
        (back.status, back.not_understood_streak),
        (ConvStatus::Bot, 0)
    );
    assert_eq!(
        store.entry(id).unwrap().unwrap().state,
        EntryState::Resolved {
            at: at(6),
            agent_id: Some("A1".to_owned()),
            claimed_at: Some(at(4))
        }
    );
    assert!(matches!(
        store.resolve(id, "A1", at(7)),
        Err(Error::NotClaimed { .. })
    ));
    assert!(matches!(
        store.claim(id, "A1", at(7)),
        Err(Error::NotWaiting { .. })
    ));

    // A second handoff starts a new wait.
    let again = store
        .enqueue(id, vec![Reason::Complaint], 40, bare_context(id), at(8))
        .unwrap();
    assert_eq!(
        (again.waiting_since, again.reasons),
        (at(8), vec![Reason::Complaint])
    );
}

#[test]
fn enqueue_while_waiting_merges_and_keeps_the_place_in_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let id = store
        .create_conversation("C1001", Lang::Zh, at(0))
        .unwrap()
        .id;
    let angry = |score| Reason::Anger {
        score,
        threshold: 0.45,
    };
    store
        .enqueue(
            &id,
            vec![Reason::AskedForHuman, angry(0.5)],
            70,
            bare_context(&id),
            at(1),
        )
        .unwrap();
    let e = store
        .enqueue(
            &id,
            vec![angry(0.9), Reason::Complaint],
            30,
            bare_context(&id),
            at(9),
        )
        .unwrap();
    assert_eq!(
        e.reasons,
        vec![Reason::AskedForHuman, angry(0.9), Reason::Complaint]
    );
    assert_eq!((e.priority, e.waiting_since), (70, at(1)));
    assert_eq!(ids(&store), std::slice::from_ref(&id));
    let e = store
        .enqueue(&id, vec![], 95, bare_context(&id), at(10))
        .unwrap();
    assert_eq!(e.priority, 95);
    assert_eq!(store.queue().unwrap().len(), 1);
}

#[test]
fn a_merged_entry_keeps_its_notes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let id = store
        .create_conversation("C1002", Lang::Zh, at(0))
        .unwrap()
        .id;
    let lost = Reason::Situation {
        code: "lost_parcel".into(),
    };
    let noted = |reasons: &[Reason], notes: &[&str]| {
        let mut context = handoff::build_context(None, reasons, Vec::new(), Vec::new(), &id);
        context.notes = notes.iter().map(|n| n.to_string()).collect();
        context
    };
    let note = "订单 E20261111001555 8 天没有物流更新";
    store
        .enqueue(
            &id,
            vec![lost.clone()],
            50,
            noted(std::slice::from_ref(&lost), &[note]),
            at(1),
        )
        .unwrap();
    // The shopper, still waiting, complains: that turn's context knows
    // only the complaint and has no note of its own.
    let e = store
        .enqueue(
            &id,
            vec![Reason::Complaint],
            60,
            noted(&[Reason::Complaint], &[]),
            at(5),
        )
        .unwrap();
    assert_eq!(e.context.notes, [note]);
    assert_eq!(
        e.reasons,
        [lost.clone(), Reason::Complaint],
        "the reasons are merged"
    );
    // A note said again is not listed twice; a new one is added.
    let e = store
        .enqueue(&id, vec![], 60, noted(&[], &[note, "再次催促"]), at(6))
        .unwrap();
    assert_eq!(e.context.notes, [note, "再次催促"]);
    let read = store.context(&id).unwrap().unwrap();
    assert_eq!(read.notes, e.context.notes);
}

#[test]
fn tickets_wait_in_the_queue_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let id = store
        .create_conversation("C1004", Lang::En, at(0))
        .unwrap()
        .id;
    let e = store
        .file_ticket(
            &id,
            vec![Reason::AskedForHuman],
            10,
            bare_context(&id),
            at(1),
        )
        .unwrap();
    assert_eq!(e.kind, EntryKind::Ticket);
    assert_eq!(store.queue().unwrap()[0].kind, EntryKind::Ticket);
}

#[test]
fn context_carries_the_transcript_as_it_is_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let id = store
        .create_conversation("C1001", Lang::Zh, at(0))
        .unwrap()
        .id;
    store.append(&id, said(1, "我要投诉")).unwrap();
    let mut context = bare_context(&id);
    context.transcript = store.messages(&id, 0).unwrap();
    let entry = store
        .enqueue(&id, vec![Reason::Complaint], 40, context, at(2))
        .unwrap();
    assert!(entry.context.transcript.is_empty(), "not frozen at enqueue");
    store.append(&id, said(3, "人呢?")).unwrap();
    let context = store.context(&id).unwrap().unwrap();
    let texts: Vec<&str> = context.transcript.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["我要投诉", "人呢?"]);
    assert_eq!(context.reasons, vec![Reason::Complaint]);
}

#[test]
fn racing_agents_claim_a_conversation_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let id = store
        .create_conversation("C1006", Lang::Zh, at(0))
        .unwrap()
        .id;
    store
        .enqueue(
            &id,
            vec![Reason::AskedForHuman],
            90,
            bare_context(&id),
            at(1),
        )
        .unwrap();
    let outcomes: Vec<Result<String, Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|a| {
                let (store, id) = (&store, &id);
                s.spawn(move || {
                    store
                        .claim(id, &format!("A{a}"), at(2))
                        .map(|_| format!("A{a}"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    assert!(outcomes
        .iter()
        .filter_map(|o| o.as_ref().err())
        .all(|e| matches!(e, Error::NotWaiting { .. })));
    let holder = ConvStatus::WithAgent {
        agent_id: winners[0].clone(),
    };
    assert_eq!(store.conversation(&id).unwrap().unwrap().status, holder);
}

#[test]
fn a_conversation_handed_over_again_keeps_its_earlier_hand_overs() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let c = store.create_conversation("C1002", Lang::Zh, at(0)).unwrap();
    let mut context = bare_context(&c.id);
    context.summary = "王强 · 要求人工".to_owned();
    store
        .enqueue(&c.id, vec![Reason::AskedForHuman], 10, context, at(1))
        .unwrap();
    store.claim(&c.id, "A1", at(2)).unwrap();
    store.transfer(&c.id, "A1", Some("A2"), at(3)).unwrap();
    store.resolve(&c.id, "A2", at(9)).unwrap();

    let again = store
        .enqueue(
            &c.id,
            vec![Reason::Complaint],
            30,
            bare_context(&c.id),
            at(20),
        )
        .unwrap();
    assert_eq!((again.priority, again.waiting_since), (30, at(20)));
    assert_eq!(again.reasons, vec![Reason::Complaint], "a fresh entry");
    let past = &again.context.history;
    assert_eq!(past.len(), 1, "{past:?}");
    assert_eq!(past[0].reasons, vec![Reason::AskedForHuman]);
    assert_eq!(past[0].summary, "王强 · 要求人工");
    assert_eq!(
        (past[0].queued_at, past[0].claimed_at),
        (at(1), Some(at(3)))
    );
    assert_eq!(past[0].agent_id.as_deref(), Some("A2"));
    assert_eq!(past[0].outcome, HandoffOutcome::Resolved { at: at(9) });
    // The agent's context shows it; a third hand-over keeps both.
    assert_eq!(
        store.context(&c.id).unwrap().unwrap().history,
        again.context.history
    );
    store.claim(&c.id, "A1", at(21)).unwrap();
    store.resolve(&c.id, "A1", at(22)).unwrap();
    let third = store
        .enqueue(&c.id, vec![], 5, bare_context(&c.id), at(30))
        .unwrap();
    let reasons: Vec<_> = third
        .context
        .history
        .iter()
        .map(|h| h.reasons.clone())
        .collect();
    assert_eq!(
        reasons,
        vec![vec![Reason::AskedForHuman], vec![Reason::Complaint]]
    );
}

#[test]
fn a_conversation_keeps_its_newest_hand_overs_and_counts_the_dropped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let c = store.create_conversation("C1002", Lang::Zh, at(0)).unwrap();
    let rounds = handoff::KEPT_HANDOFFS as i64 + 3;
    for round in 0..rounds {
        let t = round * 10;
        store
            .enqueue(&c.id, vec![], round, bare_context(&c.id), at(t))
            .unwrap();
        store.claim(&c.id, "A1", at(t + 1)).unwrap();
        store.resolve(&c.id, "A1", at(t + 2)).unwrap();
    }
    let last = store
        .enqueue(&c.id, vec![], 99, bare_context(&c.id), at(rounds * 10))
        .unwrap();
    let history = &last.context.history;
    assert_eq!(history.len(), handoff::KEPT_HANDOFFS);
    assert_eq!(last.context.history_dropped, 3, "the three oldest");
    let priorities: Vec<i64> = history.iter().map(|h| h.priority).collect();
    assert_eq!(priorities, (3..rounds).collect::<Vec<_>>(), "oldest first");
    // The agent's context says so too.
    let context = store.context(&c.id).unwrap().unwrap();
    assert_eq!((context.history.len(), context.history_dropped), (10, 3));
}

#[test]
fn an_entry_carries_its_history_in_its_context_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let c = store.create_conversation("C1002", Lang::Zh, at(0)).unwrap();
    store
        .enqueue(&c.id, vec![], 1, bare_context(&c.id), at(1))
        .unwrap();
    store.claim(&c.id, "A1", at(2)).unwrap();
    store.resolve(&c.id, "A1", at(3)).unwrap();
    let entry = store
        .enqueue(&c.id, vec![], 2, bare_context(&c.id), at(4))
        .unwrap();
    let json = serde_json::to_value(&entry).unwrap();
    assert!(json.get("history").is_none(), "no second history: {json}");
    assert_eq!(json["context"]["history"].as_array().unwrap().len(), 1);
    assert_eq!(json["context"]["history_dropped"], 0);
    assert!(
        json["context"].get("transcript").is_none(),
        "the transcript is read with the context, not kept here: {json}"
    );

    // Queued again while it waits: a new context, the same history.
    let merged = store
        .enqueue(
            &c.id,
            vec![Reason::Complaint],
            3,
            bare_context(&c.id),
            at(5),
        )
        .unwrap();
    assert_eq!(merged.context.history, entry.context.history);

    // An entry stored before the history moved into the context reads the same.
    let mut old = json.clone();
    old["history"] = old["context"]["history"].take();
    old["context"]["history"] = serde_json::json!([]);
    let read: handoff::QueueEntry = serde_json::from_value(old).unwrap();
    assert_eq!(read.context.history, entry.context.history);
}

/// A new conversation of C1002 that asked for a person at `when`.
fn asking(store: &handoff::Store, priority: i64, when: i64) -> String {
    let c = store.create_conversation("C1002", Lang::Zh, at(0)).unwrap();
    let context = bare_context(&c.id);
    store
        .enqueue(
            &c.id,
            vec![Reason::AskedForHuman],
            priority,
            context,
            at(when),
        )
        .unwrap();
    c.id
}

#[test]
fn equal_priority_and_time_are_served_in_order_of_arrival() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    // A pinned clock: every hand-over at the same instant and priority.
    let mut made = Vec::new();
    for _ in 0..6 {
        made.push(asking(&store, 50, 5));
    }
    assert_eq!(ids(&store), made, "first come, first served");
    // Ranks agree, and a newcomer is last.
    for (i, id) in made.iter().enumerate() {
        let e = store.entry(id).unwrap().unwrap();
        assert_eq!(
            store
                .rank(e.priority, &e.waiting_since, Some(e.arrival), id)
                .unwrap(),
            i + 1
        );
    }
    let newcomer = "f".repeat(32);
    assert_eq!(store.rank(50, &at(5), None, &newcomer).unwrap(), 7);
    // The order survives a restart, and later arrivals stay behind.
    drop(store);
    let store = open(&dir);
    made.push(asking(&store, 50, 5));
    assert_eq!(ids(&store), made);
}

#[test]
fn a_waiting_index_from_before_the_order_of_arrival_is_rebuilt_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let mut made = Vec::new();
    for (priority, when) in [(10, 3), (50, 9), (10, 1)] {
        made.push(asking(&store, priority, when));
    }
    let served = ids(&store);
    drop(store);
    // Rewrite the index as the earlier layout kept it: priority, since, id.
    {
        let db = sled::open(dir.path()).unwrap();
        let waiting = db.open_tree("handoff/waiting").unwrap();
        let keys: Vec<_> = waiting.iter().keys().map(Result::unwrap).collect();
        for key in keys {
            let old = [&key[..16], &key[24..]].concat();
            let id = waiting.remove(&key).unwrap().unwrap();
            waiting.insert(old, id).unwrap();
        }
        assert!(waiting.iter().keys().all(|k| k.unwrap().len() == 48));
        db.flush().unwrap();
    }
    let store = open(&dir);
    assert_eq!(ids(&store), served, "same order, no entry lost or doubled");
    // The rebuilt keys are the ones a claim removes: nothing stale is left.
    store.claim(&made[1], "a1", at(20)).unwrap();
    assert_eq!(ids(&store), [made[2].clone(), made[0].clone()]);
    drop(store);
    let db = sled::open(dir.path()).unwrap();
    let waiting = db.open_tree("handoff/waiting").unwrap();
    assert_eq!(waiting.len(), 2);
    assert!(waiting.iter().keys().all(|k| k.unwrap().len() == 56));
}
