//! The shopper names an order by its item, mistypes its id, or picks one of
//! the offered orders by typing (review findings H2 and M6): the lines of the
//! review, through the HTTP API and through `xiaoer chat --json`.

use serde_json::Value;

use crate::cli::run;
use crate::support::{texts, Server, REFERENCE_NOW};

/// One conversation of `customer`: each line's reply text.
fn conversation(server: &Server, customer: &str, lines: &[&str]) -> Vec<String> {
    let c = server.start_conversation(customer);
    lines
        .iter()
        .map(|line| texts(&server.say(&c, line)["replies"]))
        .collect()
}

#[test]
fn the_item_a_shopper_names_is_the_order_answered() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // (customer, line, the order it is about, an order it must not be about)
    let cases = [
        (
            "C1002",
            "我的运动鞋到哪了",
            "E20261112000789",
            "E20261111001555",
        ),
        ("C1002", "绘本想退货", "E20261111001555", "E20261112000789"),
        (
            "C1001",
            "加湿器到哪了",
            "E20261111000987",
            "E20261111000123",
        ),
        (
            "C1001",
            "羽绒服能换个L码吗",
            "E20261111000123",
            "E20261111000987",
        ),
        (
            "C1004",
            "i want to return the gloves",
            "E20261111001333",
            "E20261111000654",
        ),
    ];
    for (customer, line, about, not_about) in cases {
        let reply = &conversation(&server, customer, &[line])[0];
        assert!(reply.contains(about), "{customer} {line}: {reply}");
        assert!(!reply.contains(not_about), "{customer} {line}: {reply}");
    }
    // The shoes were delivered: no lost-parcel hand-over for the books.
    let c = server.start_conversation("C1002");
    let body = server.say(&c, "我的运动鞋到哪了");
    assert!(body["handoff"].is_null(), "{body}");
}

#[test]
fn cancelling_the_books_by_name_never_cancels_the_air_fryer() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let replies = conversation(&server, "C1002", &["绘本那单取消吧，不要了", "好的"]);
    assert!(replies[0].contains("E20261111001555"), "{}", replies[0]);
    assert!(!replies[0].contains("空气炸锅"), "{}", replies[0]);
    for reply in &replies {
        assert!(!reply.contains("已取消"), "{reply}");
    }
    // The air fryer is still there to cancel, by its own name.
    let replies = conversation(&server, "C1002", &["空气炸锅那单取消吧", "好的"]);
    assert!(replies[0].contains("E20261111000456"), "{}", replies[0]);
    assert!(replies[1].contains("已取消"), "{}", replies[1]);
}

#[test]
fn a_mistyped_order_id_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for typo in ["E2026111100155", "20261111001555"] {
        let replies = conversation(&server, "C1002", &[&format!("取消订单{typo}"), "好的"]);
        assert!(replies[0].contains("对应的订单"), "{typo}: {}", replies[0]);
        assert!(replies[0].contains(typo), "{typo}: {}", replies[0]);
        assert!(!replies[0].contains("空气炸锅"), "{typo}: {}", replies[0]);
        assert!(!replies[1].contains("已取消"), "{typo}: {}", replies[1]);
    }
}

#[test]
fn a_traditional_shopper_picks_an_offered_order_by_typing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for answer in ["第二個", "第一個", "保溫杯那個"] {
        let c = server.start_conversation("C1003");
        let asked = server.say(&c, "想退貨");
        let buttons: Vec<String> = asked["replies"][0]["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["payload"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(buttons.len(), 2, "{asked}");
        let want = match answer {
            "第一個" => &buttons[0],
            "第二個" => &buttons[1],
            _ => "E20261111001222",
        };
        let reply = texts(&server.say(&c, answer)["replies"]);
        assert!(reply.contains(want), "{answer}: {reply}");
        assert!(!reply.contains("哪個訂單"), "{answer}: {reply}");
    }
}

#[test]
fn chat_json_answers_the_review_lines_about_the_named_order() {
    let (code, out, err) = run(
        &[
            "chat",
            "--customer",
            "C1002",
            "--now",
            REFERENCE_NOW,
            "--json",
        ],
        "绘本那单取消吧，不要了\n好的\n",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    let first = lines[0]["reply"].as_str().unwrap();
    assert!(first.contains("E20261111001555"), "{first}");
    assert!(!first.contains("E20261111000456"), "{first}");
    let second = lines[1]["reply"].as_str().unwrap();
    assert!(!second.contains("已取消"), "{second}");
}
