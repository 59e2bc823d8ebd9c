use super::*;
use crate::{build_context, EntryKind, Reason};

fn at(rfc3339: &str) -> Time {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

fn min(m: u64) -> Duration {
    Duration::from_secs(60 * m)
}

fn facts(id: &str, since: &str, state: EntryState, reply: Option<&str>) -> EntryFacts {
    EntryFacts {
        conversation_id: id.to_owned(),
        waiting_since: at(since),
        kind: EntryKind::Queued,
        state,
        first_agent_reply: reply.map(at),
    }
}

fn claimed(when: &str) -> EntryState {
    EntryState::Claimed {
        agent_id: "wang".to_owned(),
        at: at(when),
    }
}

/// What, the entry, now, and the breaches expected: (kind, due, overdue by).
type Case = (
    &'static str,
    EntryFacts,
    &'static str,
    Vec<(BreachKind, &'static str, Duration)>,
);

#[test]
fn breaches_at_a_pinned_clock() {
    let hours = BusinessHours::default();
    let policy = SlaPolicy::default();
    let w = || EntryState::Waiting;
    let ticket = |since, reply| EntryFacts {
        kind: EntryKind::Ticket,
        ..facts("c", since, EntryState::Waiting, reply)
    };
    use BreachKind::{FirstResponse as First, Resolution as Done};
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("within target",
         facts("c", "2026-11-20T10:00:00+08:00", w(), None), "2026-11-20T10:01:00+08:00", vec![]),
        ("exactly due is not late",
         facts("c", "2026-11-20T10:00:00+08:00", w(), None), "2026-11-20T10:02:00+08:00", vec![]),
        ("nobody wrote",
         facts("c", "2026-11-20T10:00:00+08:00", w(), None), "2026-11-20T10:03:00+08:00",
         vec![(First, "2026-11-20T10:02:00+08:00", min(1))]),
        ("answered, not resolved",
         facts("c", "2026-11-20T10:00:00+08:00", claimed("2026-11-20T10:01:00+08:00"), Some("2026-11-20T10:01:30+08:00")),
         "2026-11-20T10:40:00+08:00",
         vec![(Done, "2026-11-20T10:30:00+08:00", min(10))]),
        ("claimed but silent",
         facts("c", "2026-11-20T10:00:00+08:00", claimed("2026-11-20T10:01:00+08:00"), None),
         "2026-11-20T10:40:00+08:00",
         vec![(First, "2026-11-20T10:02:00+08:00", min(38)), (Done, "2026-11-20T10:30:00+08:00", min(10))]),
        ("resolved",
         facts("c", "2026-11-20T10:00:00+08:00", EntryState::Resolved { at: at("2026-11-20T10:50:00+08:00"), agent_id: None, claimed_at: None }, None),
         "2026-11-20T11:00:00+08:00", vec![]),
        // A ticket filed at night: due in open time, not overnight.
        ("night ticket before opening",
         ticket("2026-11-20T23:00:00+08:00", None), "2026-11-21T08:59:00+08:00", vec![]),
        ("night ticket within its hour",
         ticket("2026-11-20T23:00:00+08:00", None), "2026-11-21T09:30:00+08:00", vec![]),
        ("night ticket unanswered",
         ticket("2026-11-20T23:00:00+08:00", None), "2026-11-21T10:05:00+08:00",
         vec![(First, "2026-11-21T10:00:00+08:00", min(5))]),
        ("night ticket answered, not resolved",
         ticket("2026-11-20T23:00:00+08:00", Some("2026-11-21T09:10:00+08:00")), "2026-11-21T17:30:00+08:00",
         vec![(Done, "2026-11-21T17:00:00+08:00", min(30))]),
        ("a live chat filed at night (nobody routed it) is due at 09:02",
         facts("c", "2026-11-20T23:00:00+08:00", w(), None), "2026-11-21T09:05:00+08:00",
         vec![(First, "2026-11-21T09:02:00+08:00", min(3))]),
        ("closing splits the resolution target",
         facts("c", "2026-11-20T21:50:00+08:00", w(), Some("2026-11-20T21:51:00+08:00")),
         "2026-11-21T09:21:00+08:00",
         vec![(Done, "2026-11-21T09:20:00+08:00", min(1))]),
    ];
    for (what, entry, now, want) in cases {
        let got = policy.breaches(&hours, std::slice::from_ref(&entry), at(now));
        let got: Vec<_> = got.iter().map(|b| (b.kind, b.due, b.overdue_by)).collect();
        let want: Vec<_> = want
            .into_iter()
            .map(|(k, due, by)| (k, at(due), by))
            .collect();
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn breaches_come_earliest_due_first() {
    let entries = [
        facts(
            "late",
            "2026-11-20T10:05:00+08:00",
            EntryState::Waiting,
            None,
        ),
        facts(
            "early",
            "2026-11-20T10:00:00+08:00",
            EntryState::Waiting,
            None,
        ),
    ];
    let got = SlaPolicy::default().breaches(
        &BusinessHours::default(),
        &entries,
        at("2026-11-20T10:10:00+08:00"),
    );
    let ids: Vec<_> = got.iter().map(|b| b.conversation_id.as_str()).collect();
    assert_eq!(ids, ["early", "late"]);
    let event = serde_json::to_value(&got[0]).unwrap();
    assert_eq!(event["kind"], "first_response");
    assert_eq!(event["overdue_by"], "8m");
    assert_eq!(event["due"], "2026-11-20T10:02:00+08:00");
}

#[test]
fn facts_come_from_the_entry_and_its_transcript() {
    let since = at("2026-11-20T10:00:00+08:00");
    let entry = QueueEntry {
        conversation_id: "c1".to_owned(),
        customer_id: "C1001".to_owned(),
        reasons: vec![Reason::AskedForHuman],
        priority: 10,
        waiting_since: since,
        arrival: 0,
        kind: EntryKind::Queued,
        state: claimed("2026-11-20T10:01:00+08:00"),
        context: build_context(None, &[], Vec::new(), Vec::new(), "c1"),
    };
    let message = |seq, when: &str, author| Message {
        seq,
        at: at(when),
        author,
        text: String::new(),
        buttons: Vec::new(),
        turn: None,
    };
    let agent = || Author::Agent {
        agent_id: "wang".to_owned(),
    };
    let transcript = [
        // An agent's message from an earlier handoff does not count.
        message(1, "2026-11-20T09:00:00+08:00", agent()),
        message(2, "2026-11-20T10:00:30+08:00", Author::System),
        message(3, "2026-11-20T10:01:10+08:00", agent()),
        message(4, "2026-11-20T10:02:00+08:00", agent()),
    ];
    let facts = EntryFacts::new(&entry, &transcript);
    assert_eq!(
        facts.first_agent_reply,
        Some(at("2026-11-20T10:01:10+08:00"))
    );
    assert_eq!(
        (&facts.state, facts.kind),
        (&entry.state, EntryKind::Queued)
    );
    assert_eq!(
        EntryFacts::new(&entry, &transcript[..2]).first_agent_reply,
        None
    );
}

#[test]
fn policy_reads_durations_in_words() {
    let policy: SlaPolicy = toml::from_str("first_response = \"90s\"").unwrap();
    assert_eq!(policy.first_response, Duration::from_secs(90));
    assert_eq!(policy.resolution, min(30), "default kept");
    let err = toml::from_str::<SlaPolicy>("resolution = 1800")
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid type"), "{err}");
    let err = toml::from_str::<SlaPolicy>("resolution = \"30 minutes\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("duration `30 minutes`"), "{err}");
    let written = toml::to_string(&SlaPolicy::default()).unwrap();
    assert_eq!(
        written,
        "first_response = \"2m\"\nresolution = \"30m\"\n\
         ticket_first_response = \"1h\"\nticket_resolution = \"8h\"\n"
    );
}
