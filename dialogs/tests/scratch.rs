use crate::support::*;

#[test]
fn scratch_print() {
    let shop = shop();
    use dialogs::Commerce;
    for o in shop.orders_of("C1005").unwrap() {
        println!("{} {:?}", o.order_id, o.status);
    }
    let cases = [
        ("C1001", "Why is my refund only 89 for E20261111000987"),
        ("C1001", "refund amount is wrong E20261111000987"),
        ("C1001", "why only 89 refunded"),
        ("C1001", "you refunded less than I paid"),
        ("C1002", "E20261111000456"),
        ("C1002", "那它什么时候到?"),
        ("C1002", "确认取消"),
        ("C1002", "不取消了"),
        ("C1002", "Yes, cancel it"),
        ("C1002", "我的订单怎么样了"),
    ];
    for (c, t) in cases {
        let chat = &mut Chat::new(c);
        let u = chat.pack.matcher().classify(t);
        let r = chat.say(t);
        println!(
            "== {c} {t} [{} {:.2}]\n{}\n  buttons={:?} handoff={:?} orders={:?} understood={}\n",
            u.intent,
            u.confidence,
            r.text,
            r.buttons
                .iter()
                .map(|b| (&b.label, &b.payload))
                .collect::<Vec<_>>(),
            r.handoff,
            r.orders,
            r.understood
        );
    }
}
