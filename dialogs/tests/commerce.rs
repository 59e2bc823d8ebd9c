//! The model matches the fixture JSON exactly and the memory shop answers by owner.

use dialogs::{Commerce, MemoryShop, Order, OrderStatus, Tier};

const CUSTOMERS: &str = include_str!("../../demo/customers.jsonl");
const ORDERS: &str = include_str!("../../demo/orders.jsonl");

#[test]
fn every_fixture_order_survives_a_serde_round_trip() {
    for line in ORDERS.lines().filter(|l| !l.trim().is_empty()) {
        let original: serde_json::Value = serde_json::from_str(line).unwrap();
        let order: Order = serde_json::from_str(line).unwrap();
        let again = serde_json::to_value(&order).unwrap();
        assert_eq!(original, again, "order {}", order.order_id);
    }
}

#[test]
fn every_fixture_customer_survives_a_serde_round_trip() {
    for line in CUSTOMERS.lines().filter(|l| !l.trim().is_empty()) {
        let original: serde_json::Value = serde_json::from_str(line).unwrap();
        let customer: dialogs::Customer = serde_json::from_str(line).unwrap();
        assert_eq!(original, serde_json::to_value(&customer).unwrap());
    }
}

#[test]
fn memory_shop_loads_the_demo_shop() {
    let shop = MemoryShop::from_jsonl(CUSTOMERS, ORDERS).unwrap();
    assert_eq!(shop.customers().count(), 6);
    assert_eq!(shop.orders().len(), 13);
    assert_eq!(shop.customer("C1006").unwrap().unwrap().tier, Tier::Svip);
    let order = shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.paid_amount, 299.0);
    assert!(shop.order("E00000000000000").unwrap().is_none());
}

#[test]
fn orders_of_lists_only_the_customers_orders_newest_first() {
    let shop = MemoryShop::from_jsonl(CUSTOMERS, ORDERS).unwrap();
    let ids: Vec<String> = shop
        .orders_of("C1002")
        .unwrap()
        .into_iter()
        .map(|o| o.order_id)
        .collect();
    assert_eq!(
        ids,
        ["E20261112000789", "E20261111001555", "E20261111000456"]
    );
    assert!(shop.orders_of("C9999").unwrap().is_empty());
}

#[test]
fn a_broken_line_is_named_in_the_error() {
    let err = MemoryShop::from_jsonl(CUSTOMERS, "\n{\"order_id\": 1}\n").unwrap_err();
    assert!(err.to_string().contains("orders.jsonl line 2"), "{err}");
}
