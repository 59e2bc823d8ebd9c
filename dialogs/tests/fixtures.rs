//! Each fixture order in its situation at the reference clock: the facts the
//! reply must state, in Chinese and English. Adding a case is adding a row.

use crate::support::Chat;

struct Case {
    customer: &'static str,
    says: &'static str,
    /// Substrings the reply must contain.
    facts: &'static [&'static str],
    /// The handoff reason the reply must request, if any.
    handoff: Option<&'static str>,
    /// Button labels the reply must offer.
    buttons: &'static [&'static str],
    /// Substrings the reply must not contain.
    absent: &'static [&'static str],
}

const fn case(customer: &'static str, says: &'static str, facts: &'static [&'static str]) -> Case {
    Case {
        customer,
        says,
        facts,
        handoff: None,
        buttons: &[],
        absent: &[],
    }
}

const CASES: &[Case] = &[
    // in transit, 2 days late, stuck at the Shanghai hub
    case(
        "C1001",
        "我的快递到哪了 E20261111000123",
        &[
            "E20261111000123",
            "顺丰速运",
            "SF1402839475820",
            "上海转运中心",
            "11月16日 09:45",
            "11月18日",
            "晚了 2 天",
        ],
    ),
    case(
        "C1001",
        "说好三天到现在还没到 E20261111000123",
        &["晚了 2 天", "上海转运中心", "10.00 元", "补偿券"],
    ),
    case(
        "C1001",
        "Where is my package E20261111000123",
        &["SF1402839475820", "上海转运中心", "Nov 18", "2 days later"],
    ),
    // pre-sale, not shipped: cancellable with a confirm step
    Case {
        buttons: &["确认取消", "不取消了"],
        ..case(
            "C1002",
            "我要取消订单 E20261111000456",
            &["299.00 元", "微信支付", "1-3 个工作日", "确定要取消吗"],
        )
    },
    Case {
        buttons: &["Yes, cancel it", "No, keep it"],
        ..case(
            "C1002",
            "I want to cancel order E20261111000456",
            &["299.00 CNY", "WeChat Pay", "Cancel it?"],
        )
    },
    case(
        "C1002",
        "怎么还不发货 E20261111000456",
        &["预售", "11月22日"],
    ),
    // delivered 11-14: inside the 7-day window until 11-21
    case(
        "C1002",
        "我想退货 E20261112000789",
        &["11月14日", "7 天无理由退货", "11月21日 15:32", "还剩 1 天"],
    ),
    case(
        "C1002",
        "I want to return E20261112000789",
        &["Nov 14", "Nov 21 15:32", "days left: 1"],
    ),
    // delivered 11-03: outside return and exchange, inside warranty
    case(
        "C1003",
        "我想退货 E20261101000321",
        &[
            "11月10日 14:00 截止",
            "15 天换货期",
            "11月18日 14:00 截止",
            "2027年11月3日",
        ],
    ),
    case(
        "C1003",
        "I want to return E20261101000321",
        &["ended on Nov 10", "Nov 18", "Nov 3, 2027"],
    ),
    // excluded from the no-reason return
    case(
        "C1005",
        "我想退货 E20261111001111",
        &["阳澄湖大闸蟹", "生鲜食品", "不支持 7 天无理由退货"],
    ),
    case(
        "C1003",
        "我想退货 E20261111001222",
        &["定製刻字保溫杯", "定制商品", "不支持 7 天无理由退货"],
    ),
    case(
        "C1005",
        "I want to return E20261111001111",
        &["fresh food", "can't be returned"],
    ),
    // refund processing to credit card, expected 11-26
    case(
        "C1004",
        "退款什么时候到账 E20261111000654",
        &["199.00 元", "信用卡", "11月26日"],
    ),
    case(
        "C1004",
        "When will I get my refund?",
        &["199.00 CNY", "processing", "credit card", "Nov 26"],
    ),
    // refund completed: 89.00 of 99.00, the shipping fee is not refunded
    case(
        "C1001",
        "为什么只退了89 E20261111000987",
        &[
            "实付 99.00 元",
            "退款 89.00 元",
            "差额 10.00 元",
            "运费 10.00 元不予退还",
        ],
    ),
    case(
        "C1001",
        "refund amount is wrong E20261111000987",
        &["99.00", "89.00", "10.00", "shipping fee is not refunded"],
    ),
    // pending payment until 21:00 today
    case(
        "C1006",
        "我的订单 E20261120000333 怎么样了",
        &["还未付款", "2299.00 元", "11月20日 21:00"],
    ),
    // out for delivery today
    case(
        "C1004",
        "Where is my package E20261111001333",
        &["out for delivery", "深圳南山站", "JDV009988776655"],
    ),
    case(
        "C1004",
        "我的快递到哪了 E20261111001333",
        &["正在派送中", "深圳南山站"],
    ),
    // cancelled, refund completed to WeChat Pay
    case(
        "C1005",
        "我的订单 E20261109000444 怎么样了",
        &["已于 11月10日 08:00 取消", "199.00 元", "微信支付"],
    ),
    // no scan for 8 days: lost, a human takes over
    Case {
        handoff: Some("lost_parcel"),
        ..case(
            "C1002",
            "快递怎么还没到 E20261111001555",
            &["8 天没有物流更新", "石家庄转运中心", "ST7700665544332"],
        )
    },
    Case {
        handoff: Some("lost_parcel"),
        ..case(
            "C1002",
            "My package E20261111001555 is late",
            &["no scan for 8 days", "石家庄转运中心"],
        )
    },
    // exception scan: damaged, a human takes over (the scan says 异常 itself)
    Case {
        handoff: Some("damaged_parcel"),
        absent: &["异常:异常"],
        ..case(
            "C1006",
            "快递怎么还没到 E20261111001444",
            &["外包装破损", "杭州转运中心"],
        )
    },
    Case {
        handoff: Some("damaged_parcel"),
        ..case(
            "C1006",
            "Where is my package E20261111001444",
            &["外包装破损", "putting you through"],
        )
    },
    // Shopper review (rev6). Two days late (VIP): the coupon is stated on
    // the tracking path too, and no chase is claimed that nobody made.
    Case {
        absent: &["已催促"],
        ..case(
            "C1001",
            "我的快递到哪了?订单E20261111000123",
            &["晚了 2 天", "10.00 元", "补偿券"],
        )
    },
    Case {
        absent: &["have asked"],
        ..case(
            "C1001",
            "Where is my package E20261111000123",
            &["2 days later", "10.00 CNY", "coupon"],
        )
    },
    case(
        "C1001",
        "物流晚了能补偿吗",
        &["晚了 2 天", "10.00 元", "补偿券"],
    ),
    // Charged but shown unpaid: no invitation to pay a second time.
    Case {
        handoff: Some("payment_mismatch"),
        absent: &["完成支付"],
        ..case(
            "C1006",
            "我已经付款了,为什么还显示待付款?钱都扣了",
            &["不要再次支付", "11月20日 21:00", "人工客服"],
        )
    },
    Case {
        handoff: Some("payment_mismatch"),
        ..case(
            "C1006",
            "I was charged but the order still says unpaid",
            &["don't pay again", "Nov 20"],
        )
    },
    // A payment that failed is still answered with the deadline.
    case("C1006", "付款失败了", &["请在 11月20日 21:00 前完成支付"]),
    // Paying now: the deadline, and when it would ship and arrive.
    case(
        "C1006",
        "扫地机器人如果现在付款什么时候能到杭州",
        &["21:00 前完成支付", "48 小时内发货", "2-4 天送达"],
    ),
    // Who pays a return's shipping is not the shipping-fee table.
    case(
        "C1002",
        "为什么运费不退",
        &["寄回的运费也由您承担", "往返运费都由我们承担"],
    ),
    case(
        "C1002",
        "退货运费谁出?鞋子尺码不合适",
        &["寄回的运费由您承担"],
    ),
    case("C1002", "运费多少", &["包邮"]),
    // "签收了吗" about a late parcel: the delay and the coupon, as tracking says.
    case(
        "C1001",
        "羽绒服签收了吗",
        &["晚了 2 天", "10.00 元无门槛补偿券"],
    ),
    // Signed for by someone else is not received.
    Case {
        handoff: Some("delivered_not_received"),
        ..case("C1002", "鞋子不是我签收的", &["如果您没有收到"])
    },
    // Asking whether it was signed for is not reporting it missing.
    case(
        "C1002",
        "运动鞋签收了吗",
        &["11月14日 15:32 签收", "如果您没有收到"],
    ),
    Case {
        handoff: Some("delivered_not_received"),
        ..case("C1002", "运动鞋显示签收了但我没收到", &["如果您没有收到"])
    },
    // "charged" about something else is no charged-but-unpaid report.
    case(
        "C1006",
        "is my phone charged for SMS updates?",
        &["due by Nov 20 21:00"],
    ),
    // A VAT special invoice needs a person; an ordinary one is self-service.
    case(
        "C1005",
        "我要开专票,公司报销用",
        &["增值税专用发票", "转人工"],
    ),
    case("C1005", "怎么开发票", &["电子发票", "申请开票"]),
    // "Did the money come back?" about a cancelled order: where the money went.
    case(
        "C1005",
        "E20261109000444 钱退了吗？没收到啊",
        &[
            "已于 11月10日 08:00 取消",
            "已退款",
            "199.00 元",
            "微信支付",
        ],
    ),
    // A defect inside a return request: the quality flow, not "not returnable".
    Case {
        handoff: Some("quality_issue"),
        absent: &["无理由退货"],
        ..case("C1005", "大闸蟹收到好几只死的,要退货退款", &["质量问题"])
    },
    Case {
        handoff: Some("quality_issue"),
        absent: &["不支持"],
        ..case(
            "C1003",
            "E20261111001222 保溫杯刻錯字了,要退貨",
            &["E20261111001222"],
        )
    },
    Case {
        handoff: Some("quality_issue"),
        ..case("C1002", "收到的鞋子跟图片不一样", &["质量问题"])
    },
    // Refund status, not a choice between refund and tracking.
    Case {
        absent: &["不太确定"],
        ..case("C1002", "退款什么时候到", &["退款"])
    },
    // The damaged parcel's scan already says 异常.
    Case {
        handoff: Some("damaged_parcel"),
        absent: &["异常:异常", "不太确定"],
        ..case(
            "C1006",
            "订单E20261111001444物流显示异常是怎么回事",
            &["外包装破损"],
        )
    },
    // Threats and asks for a person.
    Case {
        handoff: Some("complaint"),
        ..case("C1001", "我要给你们打一星", &["客服主管"])
    },
    Case {
        handoff: Some("complaint"),
        ..case("C1003", "你們等著被爆料吧", &[])
    },
    Case {
        handoff: Some("complaint"),
        ..case(
            "C1004",
            "I will dispute the charge with my bank",
            &["supervisor"],
        )
    },
    Case {
        handoff: Some("human_agent"),
        ..case("C1001", "叫你们老板出来", &["人工客服"])
    },
    // Asking for the phone number: the official channel and a fraud warning,
    // with a button to a person (review 7 N19).
    case(
        "C1001",
        "客服电话多少",
        &["不会打电话要求您转账", "人工客服"],
    ),
    Case {
        handoff: Some("human_agent"),
        ..case("C1001", "怎么联系商家", &["人工客服"])
    },
    // A tracking number is not an order number.
    Case {
        absent: &["没有找到订单 ZT"],
        ..case(
            "C1001",
            "ZT75310246891 到哪了",
            &["ZT75310246891", "运单号"],
        )
    },
    // handoff intents
    Case {
        handoff: Some("human_agent"),
        ..case("C1001", "转人工", &["人工客服"])
    },
    Case {
        handoff: Some("complaint"),
        ..case("C1001", "我要投诉你们", &["客服主管"])
    },
    Case {
        handoff: Some("human_agent"),
        ..case("C1004", "real person please", &["person"])
    },
];

#[test]
fn replies_state_the_facts_of_each_fixture_order() {
    let mut failures = Vec::new();
    for c in CASES {
        let reply = Chat::new(c.customer).say(c.says);
        let missing: Vec<_> = c
            .facts
            .iter()
            .filter(|f| !reply.text.contains(*f))
            .chain(c.absent.iter().filter(|a| reply.text.contains(*a)))
            .collect();
        let reason = reply.handoff.as_ref().map(|h| h.reason.as_str());
        let labels: Vec<&str> = reply.buttons.iter().map(|b| b.label.as_str()).collect();
        let buttons_ok = c.buttons.iter().all(|b| labels.contains(b));
        if !missing.is_empty() || reason != c.handoff || !buttons_ok {
            failures.push(format!(
                "{} {:?}: missing {missing:?}, handoff {reason:?} (want {:?}), buttons {labels:?}\n  reply: {}",
                c.customer, c.says, c.handoff, reply.text
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn traditional_chinese_shoppers_get_traditional_replies() {
    let reply = Chat::new("C1003").say("我想退貨 E20261101000321");
    assert!(
        reply.text.contains("訂單 E20261101000321"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("已超過"), "{}", reply.text);
    assert!(!reply.text.contains("订单"), "{}", reply.text);
    // characters the converter gets wrong are corrected by the pack
    for text in [
        "我想退貨 E20261101000321",
        "耳機保修怎麼弄",
        "怎麼退貨",
        "付款失敗",
        "開發票",
    ] {
        let reply = Chat::new("C1003").say(text);
        let wrong: Vec<char> = reply
            .text
            .chars()
            .filter(|c| "幇咊㕥旹頟朞俻后".contains(*c))
            .collect();
        assert!(wrong.is_empty(), "{text}: {wrong:?} in {}", reply.text);
    }
}

#[test]
fn english_shoppers_get_english_replies() {
    for text in [
        "Where is my package?",
        "When will I get my refund?",
        "hello",
    ] {
        let reply = Chat::new("C1004").say(text);
        assert!(
            !reply
                .text
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                || reply.text.contains("深圳"),
            "{text}: {}",
            reply.text
        );
    }
}

#[test]
fn the_fallback_is_not_understood_and_offers_the_main_topics() {
    let reply = Chat::new("C1001").say("今天天气怎么样");
    assert!(!reply.understood);
    let payloads = crate::support::payloads(&reply);
    assert!(payloads.contains(&"转人工"), "{payloads:?}");
    assert!(payloads.len() >= 4, "{payloads:?}");
    assert!(Chat::new("C1001").say("我的快递到哪了").understood);
}

#[test]
fn a_longer_return_window_is_said_everywhere_the_window_is_named() {
    let dir = crate::support::pack_copy();
    let path = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("window_days = 7", "window_days = 15", 1),
    )
    .unwrap();
    let pack: &'static dialogs::Pack =
        Box::leak(Box::new(dialogs::Pack::load_dir(dir.path()).unwrap()));
    // C1005's hairy crabs are fresh food: excluded whatever the window.
    let mut chat = crate::support::Chat::new("C1005");
    chat.pack = pack;
    let reply = chat.say("我要退货 E20261111001111");
    assert!(
        reply.text.contains("不支持 15 天无理由退货"),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("七天"), "{}", reply.text);
}
