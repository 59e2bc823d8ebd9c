use crate::support::*;

#[test]
fn scratch_print() {
    let cases = [
        ("C1001", "我的快递到哪了 E20261111000123"),
        ("C1001", "快递到哪了"),
        ("C1002", "取消订单"),
        ("C1002", "我想退货 E20261112000789"),
        ("C1003", "我想退货 E20261101000321"),
        ("C1003", "我想退貨 E20261111001222"),
        ("C1005", "我想退货"),
        ("C1004", "When will I get my refund?"),
        ("C1001", "为什么只退了89"),
        ("C1002", "快递一直没到 E20261111001555"),
        ("C1006", "快递怎么还没到 E20261111001444"),
        ("C1004", "Where is my package E20261111001333"),
        ("C1001", "你好"),
        ("C1001", "今天天气怎么样"),
        ("C1006", "积分怎么用"),
        ("C1002", "E20261111000123 到哪了"),
        ("C1002", "包邮吗"),
        ("C1002", "开发票"),
        ("C1003", "耳機保修怎麼弄"),
    ];
    for (c, t) in cases {
        let chat = &mut Chat::new(c);
        let u = chat.pack.matcher().classify(t);
        let r = chat.say(t);
        println!("== {c} {t} [{} {:.2}]\n{}\n  buttons={:?} handoff={:?} orders={:?} understood={}\n", u.intent, u.confidence, r.text, r.buttons.iter().map(|b| (&b.label, &b.payload)).collect::<Vec<_>>(), r.handoff, r.orders, r.understood);
    }
}
