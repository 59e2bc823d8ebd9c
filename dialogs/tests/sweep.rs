//! Every flow against every fixture order: no reply may leave a placeholder
//! unfilled or fail, whatever the order's situation.

use crate::support::{Chat, ORDERS};
use dialogs::Order;

/// A clear phrase per intent, Chinese and English.
const PHRASES: &[(&str, &str, &str)] = &[
    ("greeting", "在吗", "hello"),
    ("thanks", "谢谢", "thanks"),
    ("goodbye", "拜拜", "bye"),
    ("human_agent", "转人工", "real person please"),
    ("complaint", "我要投诉", "I want to file a complaint"),
    (
        "order_status",
        "我的订单怎么样了",
        "what is the status of my order",
    ),
    (
        "urge_shipping",
        "怎么还不发货",
        "when will you ship my order",
    ),
    ("track_package", "我的快递到哪了", "where is my package"),
    (
        "delivery_delay",
        "说好三天到现在还没到",
        "my package is late",
    ),
    (
        "delivery_problem",
        "显示签收了但我没收到",
        "it says delivered but I didn't receive it",
    ),
    ("cancel_order", "我要取消订单", "I want to cancel my order"),
    (
        "change_order",
        "改一下收货地址",
        "I need to change the address",
    ),
    ("payment_issue", "付款失败", "payment failed"),
    ("return_request", "怎么退货", "how do I return this"),
    (
        "exchange_request",
        "换个大一码",
        "I want to exchange it for a bigger size",
    ),
    (
        "refund_status",
        "退款什么时候到账",
        "when will I get my refund",
    ),
    ("refund_amount", "为什么只退了89", "refund amount is wrong"),
    ("quality_issue", "收到的是坏的", "I received a broken item"),
    (
        "warranty_repair",
        "耳机保修怎么弄",
        "how do I get a warranty repair",
    ),
    ("invoice", "开发票", "I need an invoice"),
    (
        "price_promotion",
        "降价了能补差价吗",
        "the price dropped, can I get the difference",
    ),
    ("shipping_info", "包邮吗", "do you ship to HK"),
    ("product_info", "这个有货吗", "what size should I get"),
    ("account_issue", "登录不上", "I can't log in"),
    ("membership_points", "积分怎么用", "how do I use my points"),
    ("out_of_scope", "今天天气怎么样", "what's the weather today"),
];

fn orders() -> Vec<Order> {
    ORDERS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_flow_answers_every_order_of_its_owner() {
    for order in orders() {
        let owner = Box::leak(order.customer_id.clone().into_boxed_str());
        for (_, zh, en) in PHRASES {
            for text in [zh, en] {
                // Chat::say asserts that no placeholder is left unfilled.
                let reply = Chat::new(owner).say(&format!("{text} {}", order.order_id));
                assert!(!reply.text.is_empty(), "{text} {}", order.order_id);
            }
        }
    }
}

#[test]
fn every_flow_answers_every_customer_without_an_order_named() {
    for customer in [
        "C1001", "C1002", "C1003", "C1004", "C1005", "C1006", "C9999",
    ] {
        for (_, zh, en) in PHRASES {
            for text in [zh, en] {
                let reply = Chat::new(customer).say(text);
                assert!(!reply.text.is_empty(), "{customer} {text}");
            }
        }
    }
}

#[test]
fn the_clear_phrases_reach_their_flows() {
    // Guards the phrases above: if the matcher reads them otherwise, the
    // sweeps would not cover the flow they are meant for.
    let pack = crate::support::pack();
    let mut wrong = Vec::new();
    for (intent, zh, en) in PHRASES {
        for text in [zh, en] {
            let u = pack.matcher().classify(text);
            if u.intent != *intent {
                wrong.push(format!("{text:?}: {} (want {intent})", u.intent));
            }
        }
    }
    assert!(wrong.len() <= 4, "{}", wrong.join("\n"));
}
