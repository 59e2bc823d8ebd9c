use intents::Lang;

use super::*;
use crate::{Agent, Presence, Skill};

fn at(rfc3339: &str) -> Time {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

fn min(m: u64) -> Duration {
    Duration::from_secs(60 * m)
}

fn agent(id: &str, skills: &[Skill], lang: Lang) -> Agent {
    Agent {
        id: id.to_owned(),
        name: id.to_owned(),
        presence: Presence::Online,
        skills: skills.iter().copied().collect(),
        languages: vec![lang],
        max_chats: 2,
        active: Default::default(),
        idle_since: None,
    }
}

fn ticket(opens_at: &str, answer_by: &str, why: TicketReason) -> Route {
    Route::Ticket {
        opens_at: Some(at(opens_at)),
        answer_by: Some(at(answer_by)),
        why,
    }
}

#[test]
fn routes_at_a_pinned_clock() {
    let hours = BusinessHours::default();
    let full = Roster::from(vec![
        agent("wang", &[Skill::Orders, Skill::Refunds], Lang::Zh),
        agent("amy", &[Skill::Logistics], Lang::En),
    ]);
    let english_only = Roster::from(vec![agent("amy", &[Skill::Logistics], Lang::En)]);
    let nobody = Roster::default();
    let mut stats = HandlingStats::default();
    stats.record(min(6));
    let (sla, overflow) = (SlaPolicy::default(), OverflowPolicy::default());
    let desk = |roster| Desk {
        hours: &hours,
        roster,
        stats: &stats,
        sla: &sla,
        overflow: &overflow,
    };
    let refunds = Needs::new(Skill::Refunds, Lang::Zh);
    let complaints = Needs::new(Skill::Complaints, Lang::Zh);
    let shopper = |needs, tier, anger, position| Shopper {
        needs,
        tier,
        anger,
        position,
    };
    let (n, v) = (Tier::Normal, Tier::Vip);
    use TicketReason::{AfterHours, Closing, NoAgentOnline};
    #[rustfmt::skip]
    let cases: Vec<(&str, &str, &Roster, Shopper, Route)> = vec![
        ("after hours: next opening 09:00, answered within the hour",
         "2026-11-20T23:00:00+08:00", &full, shopper(&refunds, n, 0.0, 1),
         ticket("2026-11-21T09:00:00+08:00", "2026-11-21T10:00:00+08:00", AfterHours)),
        ("a free seat", "2026-11-20T10:00:00+08:00", &full, shopper(&refunds, n, 0.0, 1),
         Route::LiveQueue { eta: Duration::ZERO }),
        ("one ahead of the free seats: 6 min / 2 seats", "2026-11-20T10:00:00+08:00", &full,
         shopper(&refunds, n, 0.0, 3), Route::LiveQueue { eta: min(3) }),
        ("two ahead: 6 min is over 5", "2026-11-20T10:00:00+08:00", &full,
         shopper(&refunds, n, 0.0, 4), Route::Callback { eta: min(6) }),
        ("a VIP still queues", "2026-11-20T10:00:00+08:00", &full,
         shopper(&refunds, v, 0.0, 4), Route::LiveQueue { eta: min(6) }),
        ("an angry shopper still queues", "2026-11-20T10:00:00+08:00", &full,
         shopper(&refunds, n, 0.8, 4), Route::LiveQueue { eta: min(6) }),
        ("no complaints team: any zh agent", "2026-11-20T10:00:00+08:00", &full,
         shopper(&complaints, n, 0.0, 1), Route::LiveQueue { eta: Duration::ZERO }),
        ("nobody speaks zh", "2026-11-20T10:00:00+08:00", &english_only,
         shopper(&refunds, n, 0.0, 1),
         ticket("2026-11-20T10:00:00+08:00", "2026-11-20T11:00:00+08:00", NoAgentOnline)),
        ("nobody at all", "2026-11-20T10:00:00+08:00", &nobody, shopper(&refunds, v, 0.9, 1),
         ticket("2026-11-20T10:00:00+08:00", "2026-11-20T11:00:00+08:00", NoAgentOnline)),
        ("the wait runs past closing: an hour of open time, 5 min of it tonight",
         "2026-11-20T21:55:00+08:00", &full, shopper(&refunds, v, 0.0, 4),
         ticket("2026-11-20T21:55:00+08:00", "2026-11-21T09:55:00+08:00", Closing)),
        ("a short wait before closing is fine", "2026-11-20T21:55:00+08:00", &full,
         shopper(&refunds, n, 0.0, 3), Route::LiveQueue { eta: min(3) }),
    ];
    for (what, now, roster, shopper, want) in cases {
        assert_eq!(route(at(now), &desk(roster), &shopper), want, "{what}");
    }
}

#[test]
fn a_route_is_an_event_the_bot_can_send() {
    let json = |r: &Route| serde_json::to_string(r).unwrap();
    assert_eq!(
        json(&Route::LiveQueue { eta: min(3) }),
        r#"{"kind":"live_queue","eta":"3m"}"#
    );
    let t = ticket(
        "2026-11-21T09:00:00+08:00",
        "2026-11-21T09:02:00+08:00",
        TicketReason::AfterHours,
    );
    assert_eq!(
        json(&t),
        r#"{"kind":"ticket","opens_at":"2026-11-21T09:00:00+08:00","answer_by":"2026-11-21T09:02:00+08:00","why":"after_hours"}"#
    );
    let back: Route = serde_json::from_str(&json(&t)).unwrap();
    assert_eq!(back, t);
}

#[test]
fn the_decision_types_are_send_and_sync() {
    fn shareable<T: Send + Sync + Clone + serde::Serialize>() {}
    shareable::<BusinessHours>();
    shareable::<Roster>();
    shareable::<HandlingStats>();
    shareable::<crate::SpikeDetector>();
    shareable::<crate::SkillRules>();
    shareable::<SlaPolicy>();
    shareable::<OverflowPolicy>();
    shareable::<Route>();
    shareable::<crate::Breach>();
    shareable::<crate::Spike>();
}

#[test]
fn a_ticket_waits_until_the_promised_answer_unless_someone_online_can_take_it() {
    let hours = BusinessHours::default();
    let zh = Roster::from(vec![agent(
        "wang",
        &[Skill::Orders, Skill::Refunds],
        Lang::Zh,
    )]);
    let nobody = Roster::default();
    let mut stats = HandlingStats::default();
    stats.record(min(6));
    let (sla, overflow) = (SlaPolicy::default(), OverflowPolicy::default());
    let desk = |roster| Desk {
        hours: &hours,
        roster,
        stats: &stats,
        sla: &sla,
        overflow: &overflow,
    };
    let refunds = Needs::new(Skill::Refunds, Lang::Zh);
    let night = "2026-11-20T23:00:00+08:00";
    let noon = "2026-11-20T12:00:00+08:00";
    // (what, filed, now, who is online, position, wait)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a Roster,
        usize,
        Option<Duration>,
    );
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("filed at night, seen at once: opening 09:00 plus the hour", night, night, &nobody, 1,
         Some(min(11 * 60))),
        ("agents signed in after hours change nothing: closed", night, night, &zh, 1,
         Some(min(11 * 60))),
        ("an hour later: ten hours left", night, "2026-11-21T00:00:00+08:00", &nobody, 1,
         Some(min(10 * 60))),
        ("open, nobody online: the hour of the promise runs down", noon,
         "2026-11-20T12:20:00+08:00", &nobody, 1, Some(min(40))),
        ("open, a free seat: next up", night, "2026-11-21T09:00:00+08:00", &zh, 1,
         Some(Duration::ZERO)),
        ("open, two ahead of the two free seats: as the live queue", noon, noon, &zh, 4,
         Some(min(6))),
        ("past the promise, open, nobody online: no honest figure", noon,
         "2026-11-20T13:30:00+08:00", &nobody, 1, None),
        ("past the promise and closed: the next opening", noon,
         "2026-11-20T23:00:00+08:00", &nobody, 1, Some(min(10 * 60))),
        ("a wait that runs past closing resumes at the next opening", noon,
         "2026-11-20T21:55:00+08:00", &zh, 4, Some(min(11 * 60 + 6))),
    ];
    for (what, filed, now, roster, position, want) in cases {
        // Told when filed: the next opening plus the hour, in open time.
        let promised = hours.answer_by(at(filed), sla.ticket_first_response);
        let got = ticket_wait(
            at(now),
            &desk(roster),
            &refunds,
            position,
            promised.unwrap(),
        );
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn a_plain_tickets_promise_is_its_first_response_due_time() {
    let hours = BusinessHours::default();
    let nobody = Roster::default();
    let stats = HandlingStats::default();
    let (sla, overflow) = (SlaPolicy::default(), OverflowPolicy::default());
    let desk = Desk {
        hours: &hours,
        roster: &nobody,
        stats: &stats,
        sla: &sla,
        overflow: &overflow,
    };
    let needs = Needs::new(Skill::Orders, Lang::Zh);
    for now in ["2026-11-20T23:00:00+08:00", "2026-11-20T12:00:00+08:00"] {
        let now = at(now);
        let shopper = Shopper {
            needs: &needs,
            tier: Tier::Normal,
            anger: 0.0,
            position: 1,
        };
        let Route::Ticket {
            answer_by: Some(answer_by),
            ..
        } = route(now, &desk, &shopper)
        else {
            panic!("nobody online: a ticket")
        };
        // What the SLA watch counts the first response against: the shopper
        // and the desk's alerts agree on when a person answers.
        let due = hours.answer_by(now, sla.first_response_for(crate::EntryKind::Ticket));
        assert_eq!(Some(answer_by), due);
        let wait = ticket_wait(now, &desk, &needs, 1, answer_by).unwrap();
        assert_eq!(now + chrono::Duration::from_std(wait).unwrap(), answer_by);
    }
}
