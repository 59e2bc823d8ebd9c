//! The bot answers from the shop's data, and only about the shopper's own orders.

use crate::support::{texts, Server};

#[test]
fn tracking_an_in_transit_order_shows_its_last_scan() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1001");
    let body = server.say(&c, "我的快递到哪了?订单E20261111000123");
    assert_eq!(body["intent"], "track_package", "{body}");
    let reply = texts(&body["replies"]);
    assert!(
        reply.contains("上海转运中心"),
        "last scan place missing: {reply}"
    );
    assert!(
        reply.contains("SF1402839475820"),
        "tracking number missing: {reply}"
    );
    assert_eq!(body["slots"]["order_ids"][0], "E20261111000123");
}

#[test]
fn english_shopper_is_answered_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1004");
    let body = server.say(&c, "where is my package? order E20261111001333");
    let reply = texts(&body["replies"]);
    assert!(reply.contains("JDV009988776655"), "{reply}");
    assert!(
        !reply
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)
                && !"深圳南山站派送中快递员刘师傅京东物流".contains(ch)),
        "English reply has Chinese template text: {reply}"
    );
}

#[test]
fn a_shopper_cannot_read_another_customers_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // C1002 asks about C1001's order.
    let c = server.start_conversation("C1002");
    let body = server.say(&c, "我的快递到哪了?订单E20261111000123");
    let reply = texts(&body["replies"]);
    for secret in ["上海", "顺丰", "SF1402839475820", "羽绒服", "549", "李娜"] {
        assert!(
            !reply.contains(secret),
            "reply leaks `{secret}` of someone else's order: {reply}"
        );
    }
    assert!(!reply.is_empty());
    // And a made-up number gets the very same kind of answer: nothing tells
    // "exists but not yours" from "does not exist".
    let other = server.say(&c, "我的快递到哪了?订单E20990101000000");
    let made_up = texts(&other["replies"]);
    assert_eq!(
        reply.replace("E20261111000123", "#"),
        made_up.replace("E20990101000000", "#"),
        "answers differ between a foreign order and a non-existent one"
    );
}

#[test]
fn the_bot_remembers_the_order_under_discussion() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1001");
    server.say(&c, "订单E20261111000123怎么样了");
    let body = server.say(&c, "那它什么时候到?");
    let reply = texts(&body["replies"]);
    assert!(reply.contains("上海转运中心"), "{reply}");
}

/// What a message meant in the conversation is recorded when its intent
/// alone does not say: a yes to the bot's question, a bare order id. The
/// agent reads it in the transcript.
#[test]
fn an_answer_to_the_bots_question_is_recorded_with_the_flow_it_answered() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1002");
    let asked = server.say(&c, "我要取消订单 E20261111000456");
    assert_eq!(asked["intent"], "cancel_order", "{asked}");
    // The intent's own flow: nothing more to record.
    assert!(asked["message"]["turn"].get("flow").is_none(), "{asked}");
    let yes = server.say(&c, "是的");
    assert_eq!(yes["intent"], "out_of_scope", "{yes}");
    assert_eq!(yes["message"]["turn"]["flow"], "cancel_order", "{yes}");
    assert!(texts(&yes["replies"]).contains("已取消"), "{yes}");
    let bare = server.say(&c, "E20261112000789");
    assert_eq!(bare["message"]["turn"]["flow"], "order_status", "{bare}");
    let (_, history) = server.get(&format!("/api/conversations/{c}/messages"));
    let flows: Vec<&serde_json::Value> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["turn"].get("flow"))
        .collect();
    assert_eq!(flows, ["cancel_order", "order_status"], "{history}");
}
