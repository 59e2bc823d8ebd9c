use proptest::prelude::*;

use super::*;

fn at(rfc3339: &str) -> Time {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

fn agent(id: &str, skills: &[Skill], langs: &[Lang], max_chats: u32, active: &[&str]) -> Agent {
    Agent {
        id: id.to_owned(),
        name: id.to_uppercase(),
        presence: Presence::Online,
        skills: skills.iter().copied().collect(),
        languages: langs.to_vec(),
        max_chats,
        active: active.iter().map(|c| (*c).to_owned()).collect(),
        idle_since: None,
    }
}

use Lang::{En, Zh};
use Skill::{Complaints, Logistics, Orders, Refunds};

#[test]
fn offer_picks_the_least_loaded_eligible_agent() {
    let mut away = agent("a-away", &[Orders], &[Zh], 5, &[]);
    away.presence = Presence::Away;
    let roster = Roster::from(vec![
        away,
        agent("b-full", &[Orders, Refunds], &[Zh], 2, &["c1", "c2"]),
        agent("c-en", &[Orders, Refunds], &[En], 5, &[]),
        agent("d-half", &[Orders, Refunds], &[Zh, En], 4, &["c3", "c4"]),
        agent("e-third", &[Orders], &[Zh], 6, &["c5", "c6"]),
        agent("f-refunds", &[Refunds], &[Zh], 2, &["c7"]),
    ]);
    let excluding = |needs: Needs, who: &str| Needs {
        exclude: vec![who.to_owned()],
        ..needs
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, Needs, Option<&str>)> = vec![
        // 2/6 beats 2/4; away and full agents are never offered.
        ("orders zh",         Needs::new(Orders, Zh),    Some("e-third")),
        ("refunds zh",        Needs::new(Refunds, Zh),   Some("d-half")),
        ("refunds en",        Needs::new(Refunds, En),   Some("c-en")),
        ("complaints zh",     Needs::new(Complaints, Zh), None),
        ("logistics en",      Needs::new(Logistics, En), None),
        ("any skill zh",      Needs { skill: None, lang: Zh, exclude: vec![] }, Some("e-third")),
        ("refunds zh, not d", excluding(Needs::new(Refunds, Zh), "d-half"), Some("f-refunds")),
    ];
    for (what, needs, want) in cases {
        assert_eq!(roster.offer(&needs).as_deref(), want, "{what}");
    }
    assert_eq!(roster.online_count(), 5);
    assert_eq!(
        roster.seats(&Needs::new(Refunds, Zh)),
        Seats { total: 8, free: 3 }
    );
    assert_eq!(roster.seats(&Needs::new(Complaints, Zh)), Seats::default());
}

#[test]
fn ties_go_to_the_longest_idle_then_the_smallest_id() {
    let mut a = agent("a", &[Orders], &[Zh], 3, &[]);
    let mut b = agent("b", &[Orders], &[Zh], 3, &[]);
    let needs = Needs::new(Orders, Zh);
    let roster = |a: &Agent, b: &Agent| Roster::from(vec![a.clone(), b.clone()]);
    assert_eq!(roster(&a, &b).offer(&needs).as_deref(), Some("a"), "by id");
    a.idle_since = Some(at("2026-11-20T10:05:00+08:00"));
    b.idle_since = Some(at("2026-11-20T10:00:00+08:00"));
    assert_eq!(
        roster(&a, &b).offer(&needs).as_deref(),
        Some("b"),
        "b idle longer"
    );
    b.idle_since = None;
    assert_eq!(
        roster(&a, &b).offer(&needs).as_deref(),
        Some("b"),
        "never idle counts as longest"
    );
}

#[test]
fn assign_release_presence_and_transfer() {
    let now = at("2026-11-20T10:00:00+08:00");
    let mut roster = Roster::from(vec![
        agent("wang", &[Orders, Refunds], &[Zh], 1, &[]),
        agent("li", &[Refunds], &[Zh], 2, &[]),
    ]);
    assert_eq!(roster.assign("wang", "c1"), Ok(()));
    assert_eq!(roster.assign("wang", "c1"), Ok(()), "again: no change");
    let full = RosterError::AtCapacity {
        agent_id: "wang".into(),
        max_chats: 1,
    };
    assert_eq!(roster.assign("wang", "c2"), Err(full));
    let held = RosterError::HeldByOther {
        conversation_id: "c1".into(),
        agent_id: "wang".into(),
    };
    assert_eq!(roster.assign("li", "c1"), Err(held));
    let unknown = RosterError::UnknownAgent {
        agent_id: "zhao".into(),
    };
    assert_eq!(roster.assign("zhao", "c3"), Err(unknown.clone()));
    assert_eq!(
        roster.set_presence("zhao", Presence::Online, now),
        Err(unknown)
    );

    // Transfer to refunds: never back to the holder.
    assert_eq!(
        roster
            .transfer("c1", &Needs::new(Refunds, Zh), now)
            .as_deref(),
        Some("li")
    );
    assert_eq!(roster.holder("c1").map(|a| a.id.as_str()), Some("li"));
    assert_eq!(roster.agent("wang").unwrap().idle_since, Some(now));
    // Nobody else online does orders: the conversation stays with li.
    roster.set_presence("wang", Presence::Away, now).unwrap();
    assert_eq!(roster.transfer("c1", &Needs::new(Orders, Zh), now), None);
    assert_eq!(roster.holder("c1").map(|a| a.id.as_str()), Some("li"));
    roster.set_presence("wang", Presence::Online, now).unwrap();

    roster.set_presence("li", Presence::Offline, now).unwrap();
    assert_eq!(
        roster.holder("c1").map(|a| a.id.as_str()),
        Some("li"),
        "keeps it"
    );
    let offline = RosterError::Offline {
        agent_id: "li".into(),
    };
    assert_eq!(roster.assign("li", "c9"), Err(offline));
    assert_eq!(
        roster.offer(&Needs::new(Refunds, Zh)).as_deref(),
        Some("wang")
    );

    let later = at("2026-11-20T10:30:00+08:00");
    assert_eq!(roster.release("c1", later).as_deref(), Some("li"));
    assert_eq!(roster.release("c1", later), None);
    roster.set_presence("li", Presence::Online, later).unwrap();
    assert_eq!(roster.agent("li").unwrap().idle_since, Some(later));
    assert_eq!(roster.remove("li").map(|a| a.id), Some("li".to_owned()));
    assert_eq!(roster.online_count(), 1);
}

#[test]
fn a_roster_round_trips_as_a_list_of_agents() {
    let json = r#"[
        {"id": "wang", "name": "小王", "skills": ["orders", "refunds"], "languages": ["zh"], "max_chats": 3},
        {"id": "amy", "name": "Amy", "presence": "online", "skills": ["logistics"], "languages": ["en", "zh"],
         "max_chats": 2, "active": ["c1"], "idle_since": "2026-11-20T10:00:00+08:00"}
    ]"#;
    let roster: Roster = serde_json::from_str(json).unwrap();
    let ids: Vec<_> = roster.agents().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["amy", "wang"], "kept by id");
    assert_eq!(
        roster.agent("wang").unwrap().presence,
        Presence::Offline,
        "default"
    );
    let again: Roster = serde_json::from_value(serde_json::to_value(&roster).unwrap()).unwrap();
    assert_eq!(again, roster);
}

fn any_roster() -> impl Strategy<Value = Roster> {
    let presence = prop::sample::select(vec![Presence::Online, Presence::Away, Presence::Offline]);
    let skills = prop::collection::btree_set(
        prop::sample::select(vec![Orders, Logistics, Refunds, Complaints]),
        0..4,
    );
    let langs = prop::sample::subsequence(vec![Zh, En], 0..=2);
    let one = (
        0u8..8,
        presence,
        skills,
        langs,
        0u32..4,
        0usize..5,
        prop::option::of(0i64..100),
    );
    prop::collection::vec(one, 0..8).prop_map(|agents| {
        let base = at("2026-11-20T10:00:00+08:00");
        let agents = agents.into_iter().enumerate().map(
            |(n, (id, presence, skills, languages, max, load, idle))| Agent {
                id: format!("a{id}"),
                name: String::new(),
                presence,
                skills,
                languages,
                max_chats: max,
                active: (0..load).map(|k| format!("c{n}-{k}")).collect(),
                idle_since: idle.map(|m| base + chrono::TimeDelta::minutes(m)),
            },
        );
        Roster::from(agents.collect::<Vec<_>>())
    })
}

proptest! {
    #[test]
    fn offer_never_returns_an_agent_who_cannot_take_it(
        roster in any_roster(),
        skill in prop::option::of(prop::sample::select(vec![Orders, Logistics, Refunds, Complaints])),
        lang in prop::sample::select(vec![Zh, En]),
    ) {
        let needs = Needs { skill, lang, exclude: Vec::new() };
        let seats = roster.seats(&needs);
        match roster.offer(&needs) {
            Some(id) => {
                let a = roster.agent(&id).unwrap();
                prop_assert!(a.load() < a.max_chats, "{id} is full");
                prop_assert!(a.eligible(&needs));
                prop_assert!(seats.free > 0);
                let mut roster = roster.clone();
                prop_assert_eq!(roster.assign(&id, "new"), Ok(()));
            }
            None => prop_assert_eq!(seats.free, 0),
        }
    }
}
