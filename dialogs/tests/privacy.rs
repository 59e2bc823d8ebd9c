//! A shopper only ever sees their own orders.

use crate::support::{Chat, ORDERS};
use dialogs::Order;

/// An id named by a shopper who does not own it reads exactly like an id
/// that does not exist, and reveals nothing of the order.
#[test]
fn someone_elses_order_reads_like_no_order_at_all() {
    let orders: Vec<Order> = ORDERS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let texts = [
        "我的快递到哪了 {id}",
        "我要取消订单 {id}",
        "退款什么时候到账 {id}",
        "Where is my package {id}",
    ];
    for order in &orders {
        let stranger = if order.customer_id == "C1001" {
            "C1002"
        } else {
            "C1001"
        };
        for text in texts {
            let theirs = Chat::new(stranger).say(&text.replace("{id}", &order.order_id));
            let nobody = Chat::new(stranger).say(&text.replace("{id}", "E20990101000001"));
            assert_eq!(
                theirs.text.replace(&order.order_id, "E20990101000001"),
                nobody.text,
                "{text} {}",
                order.order_id
            );
            assert_eq!(theirs.buttons, nobody.buttons);
            assert!(theirs.orders.is_empty(), "{:?}", theirs.orders);
            assert_eq!(theirs.handoff, None);
            let shipment = order.shipment.as_ref();
            for secret in order
                .items
                .iter()
                .map(|i| i.name.as_str())
                .chain(shipment.map(|s| s.tracking_no.as_str()))
                .chain([order.address.city.as_str()])
            {
                assert!(
                    !theirs.text.contains(secret),
                    "{secret} leaked: {}",
                    theirs.text
                );
            }
        }
    }
}

#[test]
fn a_tracking_number_finds_only_the_shoppers_own_parcel() {
    let mine = Chat::new("C1001").say("SF1402839475820 到哪了");
    assert!(mine.text.contains("上海转运中心"), "{}", mine.text);
    assert_eq!(mine.orders, ["E20261111000123"]);
    let theirs = Chat::new("C1002").say("SF1402839475820 到哪了");
    let nobody = Chat::new("C1002").say("SF1000000000000 到哪了");
    assert_eq!(
        theirs.text.replace("SF1402839475820", "SF1000000000000"),
        nobody.text
    );
    assert!(theirs.orders.is_empty());
    assert!(!theirs.text.contains("上海"), "{}", theirs.text);
}

#[test]
fn a_foreign_order_is_never_remembered() {
    let mut chat = Chat::new("C1002");
    let reply = chat.say("我的快递到哪了 E20261111000123");
    assert!(
        reply.text.contains("没有找到 E20261111000123"),
        "{}",
        reply.text
    );
    assert_eq!(chat.state.current_order, None);
    // A forged state pointing at someone else's order is ignored too.
    chat.state.current_order = Some("E20261111000123".into());
    let reply = chat.say("那快递到哪了");
    assert!(!reply.text.contains("上海转运中心"), "{}", reply.text);
    assert!(!reply.orders.contains(&"E20261111000123".to_string()));
}

#[test]
fn order_buttons_list_only_the_shoppers_own_orders() {
    let reply = Chat::new("C1003").say("我想退货");
    let payloads = crate::support::payloads(&reply);
    assert_eq!(payloads, ["E20261111001222", "E20261101000321"]);
}
