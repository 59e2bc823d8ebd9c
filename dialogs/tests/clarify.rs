//! Asking instead of guessing between two close intents.

use dialogs::{respond, DialogState, Lang, Script, TurnInput};
use intents::Candidate;

use crate::support::{now, pack, shop, Chat};

/// Every labelled intent's button payload is understood as that intent,
/// surely enough not to be asked about again.
#[test]
fn every_clarify_button_is_understood_as_its_intent() {
    let pack = pack();
    let mut labelled = 0;
    for intent in pack.matcher().intent_ids() {
        for (lang, script) in [(Lang::Zh, Script::Simplified), (Lang::En, Script::Latin)] {
            let payload = pack.say(&format!("intent.{intent}.payload"), lang, script, &[]);
            if payload.starts_with("intent.") {
                continue; // no button for this intent
            }
            labelled += 1;
            let u = pack.matcher().classify(&payload);
            assert_eq!(u.intent, intent, "{lang:?} payload {payload:?}");
            assert!(
                u.confidence >= 0.55,
                "{payload:?} is understood too weakly: {}",
                u.confidence
            );
        }
    }
    assert!(labelled >= 40, "only {labelled} labelled intents");
}

#[test]
fn two_close_intents_are_offered_as_buttons() {
    let pack = pack();
    let mut u = pack.matcher().classify("不是要退款,是想换货");
    // Pin the ambiguity: whatever the matcher says today, this turn is a toss-up.
    u.intent = "exchange_request".into();
    u.confidence = 0.45;
    u.candidates = vec![
        Candidate {
            intent: "exchange_request".into(),
            score: 0.45,
        },
        Candidate {
            intent: "refund_status".into(),
            score: 0.40,
        },
    ];
    let mut state = DialogState::default();
    let shop = shop();
    let input = TurnInput {
        customer_id: "C1002",
        understanding: &u,
        now: now(),
    };
    let reply = respond(pack, &shop, &mut state, &input).unwrap();
    assert!(reply.text.contains("请选择"), "{}", reply.text);
    let labels: Vec<&str> = reply.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["换货", "退款进度"]);
    assert!(reply.understood);

    // Pressing a button answers that intent's question.
    let mut chat = Chat {
        state,
        ..Chat::new("C1002")
    };
    let next = chat.say(&reply.buttons[0].payload);
    assert!(
        next.buttons.iter().all(|b| b.label != "换货"),
        "asked again: {next:?}"
    );
}

#[test]
fn a_clear_message_is_answered_without_asking() {
    let mut chat = Chat::new("C1001");
    let reply = chat.say("我的快递到哪了?订单E20261111000123");
    assert!(!reply.text.contains("请选择"), "{}", reply.text);
    assert!(reply.text.contains("上海转运中心"), "{}", reply.text);
}

#[test]
fn a_place_typed_after_the_question_picks_that_button() {
    let mut chat = Chat::new("C1006");
    let asked = chat.say("找客服问下付款");
    assert_eq!(asked.buttons.len(), 2, "{}", asked.text);
    let second = asked.buttons[1].label.clone();
    let reply = chat.say("第二个");
    assert!(reply.understood, "{}", reply.text);
    assert!(
        reply.flow.is_some(),
        "{second} was chosen: {} {:?}",
        reply.text,
        reply.flow
    );
    // Only right after the question.
    let mut chat = Chat::new("C1006");
    chat.say("找客服问下付款");
    chat.say("在吗");
    assert!(!chat.say("第二个").understood);
}
