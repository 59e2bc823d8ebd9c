//! The conversation's language and script: a message with none of its own
//! (a pasted order or tracking number, digits) or Chinese written the same
//! in both scripts keeps the one the conversation is held in, which starts
//! as the customer's profile's; the bot's own notices follow it.

use serde_json::json;

use crate::cli::run;
use crate::desk::claim;
use crate::support::{texts, Server, REFERENCE_NOW};

/// The `chat` command's output for `input`, as `customer` at `now`.
fn chat(customer: &str, now: &str, input: &str) -> String {
    let (code, out, err) = run(&["chat", "--customer", customer, "--now", now], input);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn a_pasted_order_or_tracking_number_is_answered_in_the_profiles_language() {
    for pasted in ["E20261111000123", "SF1402839475820"] {
        let out = chat("C1001", REFERENCE_NOW, &format!("{pasted}\n转人工\n"));
        assert!(
            out.contains("bot> 订单 E20261111000123"),
            "{pasted}:\n{out}"
        );
        assert!(out.contains("非常抱歉,包裹已经比承诺"), "{pasted}:\n{out}");
        assert!(!out.contains("Order E20261111000123"), "{pasted}:\n{out}");
        assert!(out.contains("已为您登记工单"), "{pasted}:\n{out}");
    }
}

#[test]
fn a_lost_parcels_apology_ticket_and_agent_notice_follow_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1002");
    // C1002's parcel ST7700665544332 has had no scan since Nov 12.
    let body = server.say(&c, "ST7700665544332");
    assert!(body["handoff"].is_object(), "{body}");
    let replies = texts(&body["replies"]);
    assert!(replies.contains("可能已经丢失"), "{replies}");
    assert!(replies.contains("已为您登记工单"), "{replies}");
    assert!(!replies.contains("ticket"), "{replies}");

    crate::desk::sign_in(&server, "a1", 3);
    claim(&server, &c, "a1");
    let joined = server.last_message(&c);
    assert!(joined.contains("将为您服务"), "{joined}");
}

#[test]
fn a_traditional_chinese_customer_is_answered_in_traditional_until_they_write_simplified() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, opened) = server.post("/api/conversations", json!({ "customer_id": "C1003" }));
    assert_eq!(status, 201, "{opened}");
    let greeting = texts(&opened["messages"]);
    assert!(greeting.contains("有什麼可以幫您"), "{greeting}");
    let c = opened["conversation_id"].as_str().unwrap();

    // Digits and script-less Chinese keep the profile's traditional script.
    let fallback = texts(&server.say(c, "12345")["replies"]);
    assert!(fallback.starts_with("抱歉,這個問題"), "{fallback}");
    let reply = texts(&server.say(c, "我想改地址")["replies"]);
    assert_eq!(
        reply,
        "您目前沒有可以修改的訂單(只有還未發貨的訂單可以修改)。"
    );
    // A turn in English, then script-less Chinese: traditional still.
    let english = texts(&server.say(c, "where is my parcel")["replies"]);
    assert!(english.is_ascii(), "{english}");
    let reply = texts(&server.say(c, "我想改地址")["replies"]);
    assert_eq!(
        reply,
        "您目前沒有可以修改的訂單(只有還未發貨的訂單可以修改)。"
    );
    // Simplified characters switch the conversation to simplified.
    let reply = texts(&server.say(c, "我的快递到哪了")["replies"]);
    assert!(
        reply.starts_with("您目前没有运输中的包裹。\n请问您想咨询哪个订单"),
        "{reply}"
    );

    // Asking for English explicitly still works for the same customer.
    let (_, english) = server.post(
        "/api/conversations",
        json!({ "customer_id": "C1003", "lang": "en" }),
    );
    assert!(texts(&english["messages"]).starts_with("Hi"), "{english}");
}

#[test]
fn a_traditional_ticket_notice_has_no_wrong_character_variant() {
    let out = chat("C1003", "2026-11-20T23:00:00+08:00", "我要轉人工\n");
    assert!(out.contains("最晚"), "{out}");
    assert!(!out.contains('㝡'), "{out}");
}
