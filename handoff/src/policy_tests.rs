use dialogs::{HandoffRequest, Reply, Tier};
use intents::{Lang, Script, Slots, Understanding};

use super::*;

fn understanding(intent: &str, anger: f32) -> Understanding {
    Understanding {
        text: "…".to_owned(),
        normalized: "…".to_owned(),
        intent: intent.to_owned(),
        confidence: 0.9,
        candidates: Vec::new(),
        anger,
        angry: anger >= 0.6,
        lang: Lang::Zh,
        script: Script::Simplified,
        slots: Slots::default(),
    }
}

fn reply(handoff: Option<&str>) -> Reply {
    Reply {
        text: "…".to_owned(),
        buttons: Vec::new(),
        handoff: handoff.map(|reason| HandoffRequest {
            reason: reason.to_owned(),
            note: None,
        }),
        orders: Vec::new(),
        understood: true,
        flow: None,
        clarifying: false,
    }
}

fn decide(intent: &str, anger: f32, handoff: Option<&str>, streak: u32, tier: Tier) -> Decision {
    let u = understanding(intent, anger);
    let r = reply(handoff);
    let signals = Signals {
        understanding: &u,
        reply: &r,
        not_understood_streak: streak,
        tier,
        recent: &[],
    };
    escalate(&signals, &Policy::default())
}

fn anger(score: f32, threshold: f32) -> Reason {
    Reason::Anger { score, threshold }
}

fn situation(code: &str) -> Reason {
    Reason::Situation {
        code: code.to_owned(),
    }
}

/// name, intent, anger, reply handoff code, fallback streak, tier, expected reasons
type Row = (
    &'static str,
    &'static str,
    f32,
    Option<&'static str>,
    u32,
    Tier,
    Vec<Reason>,
);

#[test]
fn a_guess_the_bot_asks_about_hands_nothing_over_but_anger_still_does() {
    fn reasons(intent: &str, anger: f32, clarifying: bool) -> Vec<Reason> {
        let u = understanding(intent, anger);
        let mut r = reply(None);
        r.clarifying = clarifying;
        let signals = Signals {
            understanding: &u,
            reply: &r,
            not_understood_streak: 0,
            tier: Tier::Normal,
            recent: &[],
        };
        escalate(&signals, &Policy::default()).reasons
    }
    assert_eq!(reasons("human_agent", 0.0, true), vec![]);
    assert_eq!(reasons("complaint", 0.0, true), vec![]);
    assert_eq!(reasons("human_agent", 0.9, true), vec![anger(0.9, 0.6)]);
    // The shopper's choice (the button's text) is read as the intent next turn.
    assert_eq!(
        reasons("human_agent", 0.0, false),
        vec![Reason::AskedForHuman]
    );
}

#[test]
fn each_trigger_fires_alone_and_records_its_values() {
    use Reason::*;
    use Tier::*;
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        ("calm question",           "track_package", 0.0,  None,                   0, Normal, vec![]),
        ("asks for a person",       "human_agent",   0.0,  None,                   0, Normal, vec![AskedForHuman]),
        ("pack hands to a person",  "order_status",  0.0,  Some("human_agent"),    0, Normal, vec![AskedForHuman]),
        ("both ask, recorded once", "human_agent",   0.0,  Some("human_agent"),    0, Normal, vec![AskedForHuman]),
        ("complaint intent",        "complaint",     0.0,  None,                   0, Normal, vec![Complaint]),
        ("pack complaint code",     "order_status",  0.0,  Some("complaint"),      0, Normal, vec![Complaint]),
        ("anger just below",        "track_package", 0.59, None,                   0, Normal, vec![]),
        ("anger at threshold",      "track_package", 0.6,  None,                   0, Normal, vec![anger(0.6, 0.6)]),
        ("anger above",             "track_package", 0.82, None,                   0, Normal, vec![anger(0.82, 0.6)]),
        ("anger NaN never fires",   "track_package", f32::NAN, None,               0, Normal, vec![]),
        ("two fallbacks",           "out_of_scope",  0.0,  None,                   2, Normal, vec![]),
        ("three fallbacks",         "out_of_scope",  0.0,  None,                   3, Normal, vec![NotUnderstood { turns: 3 }]),
        ("five fallbacks",          "out_of_scope",  0.0,  None,                   5, Normal, vec![NotUnderstood { turns: 5 }]),
        ("lost parcel",             "track_package", 0.0,  Some("lost_parcel"),    0, Normal, vec![situation("lost_parcel")]),
        ("damaged parcel",          "delivery_problem", 0.0, Some("damaged_parcel"), 0, Normal, vec![situation("damaged_parcel")]),
    ];
    for (name, intent, score, handoff, streak, tier, want) in table {
        let got = decide(intent, score, handoff, streak, tier);
        assert_eq!(got.reasons, want, "{name}");
        assert_eq!(got.escalate, !want.is_empty(), "{name}");
    }
}

#[test]
fn vip_and_svip_are_handed_over_at_a_lower_anger() {
    #[rustfmt::skip]
    let table: Vec<(Tier, f32, Option<f32>)> = vec![
        (Tier::Normal, 0.44, None),
        (Tier::Normal, 0.45, None),
        (Tier::Normal, 0.59, None),
        (Tier::Normal, 0.60, Some(0.6)),
        (Tier::Vip,    0.44, None),
        (Tier::Vip,    0.45, Some(0.45)),
        (Tier::Vip,    0.59, Some(0.45)),
        (Tier::Svip,   0.44, None),
        (Tier::Svip,   0.45, Some(0.45)),
        (Tier::Svip,   0.90, Some(0.45)),
    ];
    for (tier, score, threshold) in table {
        let got = decide("track_package", score, None, 0, tier);
        let want: Vec<Reason> = threshold.map(|t| anger(score, t)).into_iter().collect();
        assert_eq!(got.reasons, want, "{tier:?} at {score}");
    }
}

#[test]
fn every_trigger_that_fired_is_recorded_in_a_stable_order() {
    let got = decide("complaint", 0.9, Some("damaged_parcel"), 4, Tier::Vip);
    assert!(got.escalate);
    assert_eq!(
        got.reasons,
        vec![
            Reason::Complaint,
            anger(0.9, 0.45),
            Reason::NotUnderstood { turns: 4 },
            situation("damaged_parcel"),
        ]
    );
}

#[test]
fn a_zero_limit_turns_the_not_understood_trigger_off() {
    let policy = Policy {
        not_understood_limit: 0,
        ..Policy::default()
    };
    let u = understanding("out_of_scope", 0.0);
    let r = reply(None);
    let signals = Signals {
        understanding: &u,
        reply: &r,
        not_understood_streak: 0,
        tier: Tier::Normal,
        recent: &[],
    };
    assert!(!escalate(&signals, &policy).escalate);
}

#[test]
fn policy_reads_partial_config_and_rejects_typos() {
    let p: Policy = serde_json::from_str(r#"{"anger_threshold": 0.7}"#).unwrap();
    assert_eq!(p.anger_threshold, 0.7);
    assert_eq!(p.vip_anger_threshold, 0.45);
    assert_eq!(p.not_understood_limit, 3);
    assert!(serde_json::from_str::<Policy>(r#"{"anger_treshold": 0.7}"#).is_err());
}

#[test]
fn reasons_serialise_with_a_kind_tag() {
    let json = serde_json::to_value(vec![
        Reason::AskedForHuman,
        Reason::Anger {
            score: 0.5,
            threshold: 0.25,
        },
        Reason::NotUnderstood { turns: 3 },
        situation("lost_parcel"),
    ])
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"kind": "asked_for_human"},
            {"kind": "anger", "score": 0.5, "threshold": 0.25},
            {"kind": "not_understood", "turns": 3},
            {"kind": "situation", "code": "lost_parcel"},
        ])
    );
}

fn history(turns: &[(&str, f32)]) -> Vec<dialogs::RecentTurn> {
    turns
        .iter()
        .map(|(intent, anger)| dialogs::RecentTurn {
            intent: (*intent).to_owned(),
            anger: *anger,
        })
        .collect()
}

fn decide_with(recent: &[dialogs::RecentTurn]) -> Decision {
    let last = recent.last().unwrap();
    let u = understanding(&last.intent, last.anger);
    let r = reply(None);
    let signals = Signals {
        understanding: &u,
        reply: &r,
        not_understood_streak: 0,
        tier: Tier::Normal,
        recent,
    };
    escalate(&signals, &Policy::default())
}

#[test]
fn rising_anger_and_repeated_questions_hand_over() {
    // (history, expected reasons) — each score below the 0.6 threshold alone.
    type Case<'a> = (Vec<(&'a str, f32)>, Vec<Reason>);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("track_package", 0.1),
                ("delivery_delay", 0.3),
                ("delivery_delay", 0.5),
            ],
            vec![Reason::RisingAnger {
                scores: vec![0.1, 0.3, 0.5],
            }],
        ),
        // Rising, but still calm at the end: no.
        (
            vec![
                ("track_package", 0.0),
                ("order_status", 0.1),
                ("refund_status", 0.2),
            ],
            vec![],
        ),
        // Not strictly rising: no.
        (
            vec![
                ("track_package", 0.4),
                ("order_status", 0.4),
                ("refund_status", 0.5),
            ],
            vec![],
        ),
        (
            vec![
                ("refund_status", 0.0),
                ("refund_status", 0.0),
                ("refund_status", 0.0),
            ],
            vec![Reason::RepeatedIntent {
                intent: "refund_status".into(),
                turns: 3,
            }],
        ),
        // Twice is not yet "again and again"; greetings may repeat.
        (
            vec![
                ("order_status", 0.0),
                ("refund_status", 0.0),
                ("refund_status", 0.0),
            ],
            vec![],
        ),
        (
            vec![("greeting", 0.0), ("greeting", 0.0), ("greeting", 0.0)],
            vec![],
        ),
    ];
    for (turns, expected) in cases {
        let decision = decide_with(&history(&turns));
        assert_eq!(decision.reasons, expected, "{turns:?}");
        assert_eq!(decision.escalate, !expected.is_empty());
    }
}

#[test]
fn reasons_carry_their_scores_as_written_even_through_a_json_value() {
    let reasons = vec![
        Reason::Anger {
            score: 0.6,
            threshold: 0.45,
        },
        Reason::RisingAnger {
            scores: vec![0.1, 0.3, 0.45],
        },
    ];
    // The agent API builds `serde_json::Value`s, which hold f64s.
    let value = serde_json::to_value(&reasons).unwrap();
    assert_eq!(
        value.to_string(),
        r#"[{"kind":"anger","score":0.6,"threshold":0.45},{"kind":"rising_anger","scores":[0.1,0.3,0.45]}]"#
    );
    let back: Vec<Reason> = serde_json::from_value(value).unwrap();
    assert_eq!(back, reasons);
}
