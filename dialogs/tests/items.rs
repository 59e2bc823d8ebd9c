//! Naming an order by its item, mistyped order ids, and choosing among
//! offered orders by typing (review findings H2 and M6).

use dialogs::OrderStatus;

use crate::support::Chat;

#[test]
fn an_item_named_in_a_cancellation_is_the_order_cancelled_or_explained() {
    // C1002's only cancellable order is the air fryer; the books have shipped.
    let mut chat = Chat::new("C1002");
    let reply = chat.say("绘本那单取消吧，不要了");
    assert_eq!(reply.orders, ["E20261111001555"], "{}", reply.text);
    assert!(!reply.text.contains("空气炸锅"), "{}", reply.text);
    assert!(!reply.text.contains("E20261111000456"), "{}", reply.text);
    assert_eq!(chat.state.current_order.as_deref(), Some("E20261111001555"));
    chat.say("好的");
    assert_eq!(chat.status("E20261111000456"), OrderStatus::Paid);
    assert_eq!(chat.status("E20261111001555"), OrderStatus::Shipped);
}

#[test]
fn an_item_named_answers_as_its_pasted_id_does() {
    let cases = [
        ("C1002", "绘本那单取消吧", "E20261111001555"),
        ("C1002", "我的运动鞋到哪了", "E20261112000789"),
        ("C1002", "鞋子到哪了", "E20261112000789"),
        ("C1002", "绘本想退货", "E20261111001555"),
        ("C1001", "加湿器到哪了", "E20261111000987"),
        ("C1001", "羽绒服能换个L码吗", "E20261111000123"),
        ("C1004", "i want to return the gloves", "E20261111001333"),
        (
            "C1004",
            "where is my package with the gloves",
            "E20261111001333",
        ),
        ("C1003", "保溫杯想退貨", "E20261111001222"),
        ("C1006", "where is my robot vacuum", "E20261120000333"),
    ];
    for (customer, named, id) in cases {
        let by_item = Chat::new(customer).say(named);
        assert_eq!(by_item.orders, [id], "{customer} {named}: {}", by_item.text);
        // The same message with the order's id pasted says the same.
        let by_id = Chat::new(customer).say(&format!("{named} {id}"));
        assert_eq!(by_item.text, by_id.text, "{customer} {named}");
        assert_eq!(by_item.handoff, by_id.handoff, "{customer} {named}");
    }
}

#[test]
fn a_message_naming_no_item_still_takes_the_flows_candidates() {
    let reply = Chat::new("C1002").say("我要取消订单");
    assert_eq!(reply.orders, ["E20261111000456"]);
    let reply = Chat::new("C1002").say("我的订单怎么样了");
    assert_eq!(reply.buttons.len(), 3, "{}", reply.text);
}

#[test]
fn a_waybill_with_a_digit_missing_is_not_found_never_another_parcel() {
    // The shoes' waybill is ZT75310246891; the books' parcel is lost.
    let reply = Chat::new("C1002").say("ZT7531024689到哪了");
    assert!(reply.text.contains("ZT7531024689"), "{}", reply.text);
    assert!(reply.text.contains("对应的订单"), "{}", reply.text);
    assert_eq!(reply.handoff, None, "{}", reply.text);
    assert!(reply.orders.is_empty(), "{:?}", reply.orders);
}

#[test]
fn a_mistyped_order_id_is_not_found_never_another_order() {
    for typo in [
        "取消订单E2026111100155",
        "取消订单20261111001555",
        "取消订单e202611110015555",
        "E2026111100155",
    ] {
        let mut chat = Chat::new("C1002");
        let reply = chat.say(typo);
        assert!(reply.text.contains("对应的订单"), "{typo}: {}", reply.text);
        assert!(reply.orders.is_empty(), "{typo}: {:?}", reply.orders);
        assert!(!reply.text.contains("空气炸锅"), "{typo}: {}", reply.text);
        assert!(chat.state.pending.is_none(), "{typo}");
        chat.say("好的");
        assert_eq!(chat.status("E20261111000456"), OrderStatus::Paid, "{typo}");
    }
    let reply = Chat::new("C1002").say("取消订单E2026111100155");
    assert!(reply.text.contains("E2026111100155"), "{}", reply.text);
}

#[test]
fn naming_another_order_when_asked_to_confirm_does_not_confirm() {
    let mut chat = Chat::new("C1002");
    let ask = chat.say("我要取消订单 E20261111000456");
    assert_eq!(ask.orders, ["E20261111000456"]);
    // "取消" is a yes word: without looking at the order named, this
    // would cancel the air fryer.
    let reply = chat.say("是绘本那单要取消");
    assert_eq!(reply.orders, ["E20261111001555"], "{}", reply.text);
    assert_eq!(chat.status("E20261111000456"), OrderStatus::Paid);
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    let reply = chat.say("取消 E20261111001555");
    assert_eq!(reply.orders, ["E20261111001555"], "{}", reply.text);
    assert_eq!(chat.status("E20261111000456"), OrderStatus::Paid);
    // The order asked about, named again, is still a yes.
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    chat.say("空气炸锅那单确认取消");
    assert_eq!(chat.status("E20261111000456"), OrderStatus::Cancelled);
}

fn offered(chat: &mut Chat, text: &str) -> Vec<String> {
    let ask = chat.say(text);
    assert!(chat.state.pending.is_some(), "{}", ask.text);
    ask.buttons.iter().map(|b| b.payload.clone()).collect()
}

#[test]
fn typing_the_place_of_an_offered_order_picks_it() {
    for (answer, place) in [
        ("第二個", 1),
        ("第一個", 0),
        ("2", 1),
        ("最後一個", 1),
        ("第二个吧", 1),
    ] {
        let mut chat = Chat::new("C1003");
        let shown = offered(&mut chat, "想退貨");
        assert_eq!(shown.len(), 2);
        let reply = chat.say(answer);
        assert_eq!(
            reply.orders,
            [shown[place].clone()],
            "{answer}: {}",
            reply.text
        );
        assert!(chat.state.pending.is_none(), "{answer}");
        assert!(!reply.text.contains("哪個訂單"), "{answer}: {}", reply.text);
    }
    let mut chat = Chat::new("C1002");
    let shown = offered(&mut chat, "What is the status of my order?");
    for (answer, place) in [
        ("the second one", 1),
        ("first", 0),
        ("the 3rd", 2),
        ("last", 2),
    ] {
        let mut again = Chat::new("C1002");
        offered(&mut again, "What is the status of my order?");
        let reply = again.say(answer);
        assert_eq!(
            reply.orders,
            [shown[place].clone()],
            "{answer}: {}",
            reply.text
        );
    }
}

#[test]
fn typing_the_item_of_an_offered_order_picks_it() {
    let mut chat = Chat::new("C1003");
    offered(&mut chat, "想退貨");
    let reply = chat.say("保溫杯那個");
    assert_eq!(reply.orders, ["E20261111001222"], "{}", reply.text);
    assert!(chat.state.pending.is_none());
}

#[test]
fn a_place_that_was_not_offered_asks_again() {
    let mut chat = Chat::new("C1003");
    offered(&mut chat, "想退貨");
    let reply = chat.say("第三個");
    assert!(reply.orders.len() != 1, "{}", reply.text);
    assert!(reply.text.contains("哪個訂單"), "{}", reply.text);
}

#[test]
fn several_orders_of_the_item_named_are_offered_and_only_those() {
    use crate::support::{CUSTOMERS, ORDERS};
    let books = ORDERS
        .lines()
        .find(|l| l.contains("E20261111001555"))
        .unwrap();
    let more = books
        .replace("E20261111001555", "E20261111001999")
        .replace("儿童绘本 10册套装", "恐龙绘本 5册");
    let orders = format!("{}\n{more}\n", ORDERS.trim_end());
    let mut chat = Chat::new("C1002");
    chat.shop = dialogs::MemoryShop::from_jsonl(CUSTOMERS, &orders).unwrap();
    let shown = offered(&mut chat, "绘本到哪了");
    assert_eq!(shown, ["E20261111001999", "E20261111001555"]);
    let reply = chat.say("第二个");
    assert_eq!(reply.orders, ["E20261111001555"], "{}", reply.text);
}

#[test]
fn an_item_named_without_a_topic_is_asked_about_as_its_order_id_would_be() {
    let reply = Chat::new("C1004").say("where are my gloves");
    assert!(reply.understood, "{}", reply.text);
    assert_eq!(reply.orders, ["E20261111001333"], "{}", reply.text);
    assert!(reply.text.contains("out for delivery"), "{}", reply.text);
    let reply = Chat::new("C1001").say("羽绒服呢");
    assert_eq!(reply.orders, ["E20261111000123"], "{}", reply.text);
    // Nothing named, nothing guessed.
    assert!(!Chat::new("C1002").say("今天天气怎么样").understood);
}

#[test]
fn two_items_with_two_questions_answer_the_one_the_question_fits_and_offer_the_other() {
    let mut chat = Chat::new("C1001");
    let reply = chat.say("羽绒服到哪了?另外加湿器的退款为什么少了10块");
    // The refund question is the humidifier's (the jacket has no refund).
    assert!(reply.text.contains("E20261111000987"), "{}", reply.text);
    assert!(reply.text.contains("差额是运费"), "{}", reply.text);
    let payloads = crate::support::payloads(&reply);
    assert_eq!(payloads, ["E20261111000123"], "{}", reply.text);
    let jacket = chat.say("E20261111000123");
    assert!(jacket.text.contains("晚了 2 天"), "{}", jacket.text);
}

#[test]
fn an_item_the_shopper_never_bought_does_not_take_their_only_parcel() {
    // C1006 bought no shoes; their only parcel on its way is the tableware.
    let mut chat = Chat::new("C1006");
    let reply = chat.say("我的运动鞋到哪了");
    assert_eq!(reply.handoff, None, "{}", reply.text);
    let payloads = crate::support::payloads(&reply);
    assert_eq!(payloads, ["E20261111001444"], "{}", reply.text);
    // Without an item named, the only parcel is the answer.
    let reply = Chat::new("C1006").say("我的快递到哪了");
    assert_eq!(reply.orders, ["E20261111001444"], "{}", reply.text);
}
