//! Several turns: the remembered order, choosing among orders, confirming.

use dialogs::{respond, Commerce, CommerceError, DialogState, OrderStatus, TurnInput};

use crate::support::{now, Chat};

#[test]
fn the_conversation_remembers_the_order_it_talked_about() {
    // C1002 has three orders; the follow-up names none of them.
    let mut chat = Chat::new("C1002");
    let first = chat.say("我想退货 E20261112000789");
    assert_eq!(first.orders, ["E20261112000789"]);
    assert_eq!(chat.state.current_order.as_deref(), Some("E20261112000789"));
    let next = chat.say("那快递到哪了");
    assert!(next.text.contains("E20261112000789"), "{}", next.text);
    assert!(next.text.contains("11月14日 15:32"), "{}", next.text);
    assert_eq!(next.orders, ["E20261112000789"]);
    assert_eq!(next.handoff, None);
}

#[test]
fn a_named_order_replaces_the_remembered_one() {
    let mut chat = Chat::new("C1002");
    chat.say("我想退货 E20261112000789");
    let reply = chat.say("快递到哪了 E20261111001555");
    assert_eq!(reply.orders, ["E20261111001555"]);
    assert_eq!(chat.state.current_order.as_deref(), Some("E20261111001555"));
}

#[test]
fn several_candidate_orders_are_offered_as_buttons_and_the_choice_continues() {
    let mut chat = Chat::new("C1002");
    let reply = chat.say("我的订单怎么样了");
    let payloads = crate::support::payloads(&reply);
    assert_eq!(
        payloads,
        ["E20261112000789", "E20261111001555", "E20261111000456"],
        "newest first"
    );
    assert!(
        reply.buttons[2].label.contains("空气炸锅"),
        "{:?}",
        reply.buttons
    );
    assert!(chat.state.pending.is_some());
    // Pressing a button sends its payload as the shopper's text.
    let chosen = chat.say("E20261111000456");
    assert!(chosen.text.contains("11月22日"), "{}", chosen.text);
    assert!(chosen.text.contains("预售"), "{}", chosen.text);
    assert_eq!(chat.state.current_order.as_deref(), Some("E20261111000456"));
    assert!(chat.state.pending.is_none());
}

#[test]
fn a_button_pressed_keeps_the_shoppers_language() {
    let mut chat = Chat::new("C1002");
    let reply = chat.say("What is the status of my order?");
    assert_eq!(reply.buttons.len(), 3, "{}", reply.text);
    let chosen = chat.say(&reply.buttons[0].payload);
    assert!(
        chosen.text.starts_with("Order E20261112000789"),
        "{}",
        chosen.text
    );
}

#[test]
fn a_first_message_without_words_is_answered_in_the_profiles_language() {
    // A pasted order or tracking number says nothing about the language:
    // the answer is in the conversation's (C1001's profile: Chinese).
    for pasted in ["E20261111000123", "SF1402839475820"] {
        let reply = Chat::new("C1001").say(pasted);
        assert!(
            reply.text.starts_with("订单 E20261111000123"),
            "{pasted}: {}",
            reply.text
        );
    }
    // C1003's profile is zh-Hant: digits alone are answered in traditional.
    let reply = Chat::new("C1003").say("12345");
    assert!(reply.text.starts_with("抱歉"), "{}", reply.text);
    assert!(
        reply.buttons.iter().any(|b| b.label == "轉人工"),
        "{:?}",
        reply.buttons
    );
}

#[test]
fn chinese_without_a_script_of_its_own_keeps_the_conversations_script() {
    // "我想改地址" is written the same in both scripts.
    let mut chat = Chat::new("C1003");
    let reply = chat.say("我想改地址");
    assert_eq!(
        reply.text,
        "您目前沒有可以修改的訂單(只有還未發貨的訂單可以修改)。"
    );
    // A message in simplified characters switches to simplified...
    let simplified = chat.say("我的快递到哪了").text;
    assert!(
        simplified.starts_with("您目前没有运输中的包裹。\n请问您想咨询哪个订单"),
        "{simplified}"
    );
    // ...and the next one without a script of its own stays there.
    assert_eq!(
        chat.say("我想改地址").text,
        "您目前没有可以修改的订单(只有还未发货的订单可以修改)。"
    );
}

#[test]
fn a_bare_order_id_gets_the_orders_status() {
    let reply = Chat::new("C1006").say("E20261120000333");
    assert!(reply.text.contains("2299.00"), "{}", reply.text);
    assert!(reply.understood);
}

#[test]
fn a_single_candidate_is_used_without_asking_but_offered_before_a_cancellation() {
    // C1004 has one refund: answered at once.
    let reply = Chat::new("C1004").say("退款什么时候到账");
    assert_eq!(reply.orders, ["E20261111000654"]);
    assert!(reply.text.contains("199.00"), "{}", reply.text);
    // C1002 has one order that has not shipped: a cancellation cannot be
    // undone, so the order the message did not name is offered first.
    let mut chat = Chat::new("C1002");
    let reply = chat.say("我要取消订单");
    let payloads = crate::support::payloads(&reply);
    assert_eq!(payloads, ["E20261111000456"], "{}", reply.text);
    assert!(!reply.text.contains("确定要取消吗"), "{}", reply.text);
    let ask = chat.say("E20261111000456");
    assert!(
        ask.text.contains("299.00") && ask.text.contains("确定要取消吗"),
        "{}",
        ask.text
    );
    // Named, it is asked about at once.
    let ask = Chat::new("C1002").say("我要取消空气炸锅");
    assert!(ask.text.contains("确定要取消吗"), "{}", ask.text);
}

#[test]
fn saying_yes_cancels_the_order_in_the_shop_with_its_refund() {
    let mut chat = Chat::new("C1002");
    let ask = chat.say("我要取消订单 E20261111000456");
    assert_eq!(
        chat.status("E20261111000456"),
        OrderStatus::Paid,
        "asking changes nothing"
    );
    let yes = ask.buttons[0].payload.clone();
    let done = chat.say(&yes);
    let order = chat.shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.cancelled_at, Some(now()));
    let refund = order.refund.expect("a refund is recorded");
    assert_eq!(
        (refund.kind.as_str(), refund.status.as_str(), refund.amount),
        ("cancel", "processing", 299.0)
    );
    assert_eq!(refund.method, "wechat_pay");
    assert_eq!(refund.requested_at, now());
    assert_eq!(refund.approved_at, Some(now()));
    // Friday 20 November + 1-3 business days for WeChat Pay: Wednesday 25th.
    for fact in [
        "订单 E20261111000456 已取消",
        "299.00 元",
        "微信支付",
        "11月25日",
        "R20261120000456",
    ] {
        assert!(done.text.contains(fact), "{fact}: {}", done.text);
    }
    assert_eq!(done.orders, ["E20261111000456"]);
    assert!(chat.state.pending.is_none());
    // In English, the same facts.
    let mut chat_en = Chat::new("C1002");
    chat_en.say("I want to cancel order E20261111000456");
    let done_en = chat_en.say("Yes, cancel it");
    assert_eq!(
        done_en.text,
        "Done: order E20261111000456 is cancelled. 299.00 CNY goes back to your WeChat Pay by Nov 25 (refund R20261120000456)."
    );
    // Asking again tells it is done.
    let again = chat.say("我要取消订单");
    assert!(
        again.text.contains("已于 11月20日 12:00 取消"),
        "{}",
        again.text
    );
}

#[test]
fn an_unpaid_order_is_cancelled_without_a_refund() {
    let mut chat = Chat::new("C1006");
    let ask = chat.say("I want to cancel order E20261120000333");
    assert!(ask.text.contains("not paid yet"), "{}", ask.text);
    let done = chat.say("yes");
    assert_eq!(
        done.text,
        "Done: order E20261120000333 is cancelled; nothing is due."
    );
    let order = chat.shop.order("E20261120000333").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.refund, None);
}

#[test]
fn saying_no_keeps_the_order() {
    let mut chat = Chat::new("C1002");
    let before = chat.shop.order("E20261111000456").unwrap();
    let ask = chat.say("I want to cancel order E20261111000456");
    let no = ask.buttons[1].payload.clone();
    assert_eq!(no, "No, keep it");
    let kept = chat.say(&no);
    assert!(kept.text.contains("stays as it is"), "{}", kept.text);
    assert_eq!(chat.shop.order("E20261111000456").unwrap(), before);
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    assert!(chat.say("算了,不取消了").text.contains("为您保留"));
    assert_eq!(chat.shop.order("E20261111000456").unwrap(), before);
}

/// What an answer to "确定要取消吗?" does to C1002's paid pre-sale order.
#[derive(Debug, PartialEq)]
enum Outcome {
    Cancelled,
    Kept,
    AskedAgain,
}

fn answer_to_cancellation(ask: &str, answer: &str) -> (Outcome, String) {
    let mut chat = Chat::new("C1002");
    let question = chat.say(ask);
    assert_eq!(
        chat.state.pending.as_ref().map(|p| p.node.as_str()),
        Some("confirm_paid"),
        "{}",
        question.text
    );
    let reply = chat.say(answer);
    let status = chat.status("E20261111000456");
    let outcome = if status == OrderStatus::Cancelled {
        Outcome::Cancelled
    } else if ["确定要取消吗", "確定要取消嗎", "Cancel it?"]
        .iter()
        .any(|q| reply.text.contains(q))
    {
        Outcome::AskedAgain
    } else {
        Outcome::Kept
    };
    (outcome, reply.text)
}

#[test]
fn only_a_clear_yes_cancels_hesitation_keeps_the_order() {
    use Outcome::*;
    let zh = "我要取消订单 E20261111000456";
    let en = "I want to cancel order E20261111000456";
    let cases = [
        // Hesitating is not a yes, though 要/可以/嗯/ok are yes words.
        (zh, "我要想想", Kept),
        (zh, "我想要考虑一下", Kept),
        (zh, "可以等我问问我老婆吗", Kept),
        (zh, "嗯…让我想一下", Kept),
        (en, "ok let me think about it", Kept),
        (zh, "算了,不取消了", Kept),
        (zh, "不", Kept),
        (en, "no", Kept),
        // A yes that holds a negation is a yes.
        (zh, "不想要了,取消", Cancelled),
        (zh, "对,不要了", Cancelled),
        (zh, "不要了", Cancelled),
        (en, "yes I don't want it anymore", Cancelled),
        (en, "no problem, go ahead", Cancelled),
        (en, "sure, not needed anymore", Cancelled),
        // Plain yeses, with particles and a pasted id.
        (zh, "好的", Cancelled),
        (zh, "嗯嗯,好的谢谢", Cancelled),
        (zh, "是的 E20261111000456", Cancelled),
        (zh, "算了,取消吧", Cancelled),
        (en, "yes please", Cancelled),
        (en, "ok", Cancelled),
        // A yes word inside a message that says something else is no answer.
        (zh, "好慢啊", AskedAgain),
        // Asking back is no answer: the question again, the order kept.
        (zh, "确定吗", AskedAgain),
        (zh, "确定?", AskedAgain),
        (zh, "可以吗?", AskedAgain),
        (zh, "是吗", AskedAgain),
        (zh, "確定嗎", AskedAgain),
        (zh, "是喔", AskedAgain),
        (en, "ok?", AskedAgain),
        (en, "sure?", AskedAgain),
        // Common spellings of a yes.
        (zh, "恩恩", Cancelled),
        (zh, "好滴", Cancelled),
        (en, "yes pls", Cancelled),
        (en, "yea", Cancelled),
        (zh, "行不行啊", Kept),
        // ...and a question of its own is that question, the order kept.
        (zh, "要多久能退回来", Kept),
    ];
    for (ask, answer, expected) in cases {
        let (outcome, text) = answer_to_cancellation(ask, answer);
        assert_eq!(outcome, expected, "{answer:?} → {text}");
    }
    // A message about another topic keeps the order and answers that topic.
    let (outcome, text) = answer_to_cancellation(zh, "我要查物流 E20261111001555");
    assert_eq!(outcome, Kept, "{text}");
    assert!(text.contains("E20261111001555"), "{text}");
}

#[test]
fn an_answer_to_a_question_a_reloaded_pack_no_longer_has_asks_it_again() {
    let mut chat = Chat::new("C1002");
    let ask = chat.say("我要取消订单 E20261111000456");
    assert!(ask.text.contains("确定要取消吗"), "{}", ask.text);
    assert_eq!(chat.state.pending.as_ref().unwrap().node, "confirm_paid");
    // The merchant renames the question's node and reloads the pack.
    let dir = crate::support::pack_copy();
    let flow = dir.path().join("flows/cancel_order.toml");
    let text = std::fs::read_to_string(&flow)
        .unwrap()
        .replace("[nodes.confirm_paid]", "[nodes.confirm_paid_order]")
        .replace("goto = \"confirm_paid\"", "goto = \"confirm_paid_order\"");
    std::fs::write(&flow, text).unwrap();
    let reloaded = Box::leak(Box::new(dialogs::Pack::load_dir(dir.path()).unwrap()));
    chat.pack = reloaded;
    // The yes to the old question starts the cancellation again: asked
    // anew, nothing cancelled, no "cannot answer".
    let again = chat.say("是的");
    assert!(again.text.contains("确定要取消吗"), "{}", again.text);
    assert_eq!(
        chat.state.pending.as_ref().unwrap().node,
        "confirm_paid_order"
    );
    let order = chat.shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    // A message with its own topic is that topic.
    let dir2 = crate::support::pack_copy();
    chat.say("我要取消订单 E20261111000456");
    chat.pack = Box::leak(Box::new(dialogs::Pack::load_dir(dir2.path()).unwrap()));
    let other = chat.say("我的快递到哪了");
    assert!(!other.text.contains("确定要取消吗"), "{}", other.text);
}

#[test]
fn the_reply_names_the_flow_that_answered() {
    let mut chat = Chat::new("C1002");
    let ask = chat.say("我要取消订单 E20261111000456");
    assert_eq!(ask.flow.as_deref(), Some("cancel_order"));
    // 是的 alone is out of scope; here it answers the cancellation's question.
    let yes = chat.say("是的");
    assert_eq!(yes.flow.as_deref(), Some("cancel_order"), "{}", yes.text);
    let bare = chat.say("E20261112000789");
    assert_eq!(bare.flow.as_deref(), Some("order_status"), "{}", bare.text);
}

#[test]
fn an_order_cancelled_meanwhile_is_not_cancelled_twice() {
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    // Cancelled elsewhere (the order page, another chat) before the yes.
    let earlier = now() - chrono::Duration::minutes(5);
    let first = chat.shop.cancel_order("E20261111000456", earlier).unwrap();
    let reply = chat.say("确认取消");
    assert!(
        reply.text.contains("已于 11月20日 11:55 取消"),
        "{}",
        reply.text
    );
    assert_eq!(chat.shop.order("E20261111000456").unwrap(), Some(first));
}

/// The demo shop, except that it refuses every cancellation (a 409 of a
/// merchant's order system: a warehouse lock, a fraud hold) while the order
/// still reads cancellable.
struct RefusingShop(dialogs::MemoryShop);

impl Commerce for RefusingShop {
    fn customer(&self, id: &str) -> Result<Option<dialogs::Customer>, CommerceError> {
        self.0.customer(id)
    }
    fn orders_of(&self, id: &str) -> Result<Vec<dialogs::Order>, CommerceError> {
        self.0.orders_of(id)
    }
    fn order(&self, id: &str) -> Result<Option<dialogs::Order>, CommerceError> {
        self.0.order(id)
    }
    fn cancel_order(&self, id: &str, _at: dialogs::Time) -> Result<dialogs::Order, CommerceError> {
        Err(CommerceError::Refused(format!(
            "order {id}: held by the warehouse"
        )))
    }
}

/// Two turns of C1002 about E20261111000456 (paid, cancellable) with `pack`,
/// the second the yes: what `respond` made of the yes.
fn yes_to_a_refused_cancellation(
    pack: &dialogs::Pack,
    shop: &dyn Commerce,
) -> Result<dialogs::Reply, dialogs::DialogError> {
    let mut state = DialogState::default();
    let mut turn = |text: &str| {
        let understanding = pack.matcher().classify(text);
        let input = TurnInput {
            customer_id: "C1002",
            understanding: &understanding,
            now: now(),
        };
        respond(pack, shop, &mut state, &input)
    };
    let ask = turn("I want to cancel order E20261111000456").unwrap();
    assert!(ask.text.contains("Cancel it?"), "{}", ask.text);
    turn("Yes, cancel it")
}

#[test]
fn a_cancellation_the_shop_refuses_goes_to_a_person_with_the_shops_words() {
    let shop = RefusingShop(crate::support::shop());
    let reply = yes_to_a_refused_cancellation(crate::support::pack(), &shop).unwrap();
    assert!(
        reply.text.contains("can't be cancelled online"),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("is cancelled"), "{}", reply.text);
    let handoff = reply.handoff.expect("a person checks");
    assert_eq!(handoff.reason, "cancel_refused");
    let note = handoff.note.unwrap_or_default();
    assert!(note.contains("the order system refused"), "{note}");
    assert!(note.contains("held by the warehouse"), "{note}");
    assert_eq!(reply.orders, ["E20261111000456"]);
    let order = shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
}

/// The demo shop, except that it answers every cancellation "OK" with the
/// order unchanged (an order system that cancels later, or not at all).
struct AnswersButKeepsShop(dialogs::MemoryShop);

impl Commerce for AnswersButKeepsShop {
    fn customer(&self, id: &str) -> Result<Option<dialogs::Customer>, CommerceError> {
        self.0.customer(id)
    }
    fn orders_of(&self, id: &str) -> Result<Vec<dialogs::Order>, CommerceError> {
        self.0.orders_of(id)
    }
    fn order(&self, id: &str) -> Result<Option<dialogs::Order>, CommerceError> {
        self.0.order(id)
    }
    fn cancel_order(&self, id: &str, _at: dialogs::Time) -> Result<dialogs::Order, CommerceError> {
        Ok(self.0.order(id)?.expect("the demo order"))
    }
}

/// The demo shop, except that a cancellation gets no answer (a timeout).
struct SilentShop(dialogs::MemoryShop);

impl Commerce for SilentShop {
    fn customer(&self, id: &str) -> Result<Option<dialogs::Customer>, CommerceError> {
        self.0.customer(id)
    }
    fn orders_of(&self, id: &str) -> Result<Vec<dialogs::Order>, CommerceError> {
        self.0.orders_of(id)
    }
    fn order(&self, id: &str) -> Result<Option<dialogs::Order>, CommerceError> {
        self.0.order(id)
    }
    fn cancel_order(&self, _id: &str, _at: dialogs::Time) -> Result<dialogs::Order, CommerceError> {
        Err(CommerceError::Failed(
            "no answer within the timeout".to_string(),
        ))
    }
}

#[test]
fn a_cancellation_without_an_answer_tells_the_agent_to_check_the_order() {
    let shop = SilentShop(crate::support::shop());
    let err = yes_to_a_refused_cancellation(crate::support::pack(), &shop).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("cancelling order E20261111000456"),
        "{message}"
    );
    assert!(
        message.contains("may have been cancelled all the same"),
        "{message}"
    );
    assert!(
        message.contains("no answer within the timeout"),
        "{message}"
    );
    assert!(
        matches!(&err, dialogs::DialogError::Commerce(e) if !e.is_refusal()),
        "{err}"
    );
}

#[test]
fn an_ok_whose_order_is_not_cancelled_is_never_told_as_done() {
    let shop = AnswersButKeepsShop(crate::support::shop());
    let reply = yes_to_a_refused_cancellation(crate::support::pack(), &shop).unwrap();
    assert!(!reply.text.contains("is cancelled"), "{}", reply.text);
    assert!(!reply.text.contains("nothing is due"), "{}", reply.text);
    let handoff = reply.handoff.expect("a person checks");
    assert_eq!(handoff.reason, "cancel_refused");
    let note = handoff.note.unwrap_or_default();
    assert!(note.contains("still reads paid"), "{note}");
}

#[test]
fn without_declined_a_refusal_of_a_cancellable_order_is_the_shop_failing() {
    let dir = crate::support::pack_copy();
    let flow = dir.path().join("flows/cancel_order.toml");
    let text = std::fs::read_to_string(&flow).unwrap();
    // The target and its node both go (the check refuses a node nothing reaches).
    let node = "\n[nodes.declined]\nkind = \"handoff\"\nreason = \"cancel_refused\"\nsay = \"cancel.declined\"\nnote = \"cancel.declined_note\"\n";
    let target = "declined = \"declined\"\n";
    let without = text.replace(target, "").replace(node, "");
    assert_eq!(without.len(), text.len() - target.len() - node.len());
    std::fs::write(&flow, without).unwrap();
    let pack = dialogs::Pack::load_dir(dir.path()).unwrap();
    let shop = RefusingShop(crate::support::shop());
    let err = yes_to_a_refused_cancellation(&pack, &shop).unwrap_err();
    assert!(
        matches!(&err, dialogs::DialogError::Commerce(e) if e.is_refusal()),
        "{err}"
    );
}

#[test]
fn a_yes_never_cancels_someone_elses_order() {
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    // A tampered state pointing at C1001's order.
    chat.state.current_order = Some("E20261111000123".into());
    let before = chat.shop.order("E20261111000123").unwrap();
    let reply = chat.say("确认取消");
    assert!(!reply.text.contains("E20261111000123"), "{}", reply.text);
    assert_eq!(chat.shop.order("E20261111000123").unwrap(), before);
}

#[test]
fn another_topic_drops_the_pending_question() {
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    let reply = chat.say("开发票");
    assert!(reply.text.contains("电子发票"), "{}", reply.text);
    assert!(chat.state.pending.is_none());
    // and a yes afterwards no longer cancels anything
    assert!(!chat.say("确认取消").text.contains("已取消"));
    assert_eq!(chat.status("E20261111000456"), OrderStatus::Paid);
}

#[test]
fn a_shipped_order_cannot_be_cancelled_but_alternatives_are_offered() {
    let mut chat = Chat::new("C1001");
    let before = chat.shop.orders();
    let reply = chat.say("我要取消订单 E20261111000123");
    assert!(reply.buttons.iter().all(|b| b.payload != "确认取消"));
    assert_eq!(chat.shop.orders(), before, "nothing changed");
    assert!(reply.text.contains("拒收"), "{}", reply.text);
    assert!(
        reply.text.contains("7 天内申请无理由退货"),
        "{}",
        reply.text
    );
    assert!(reply.buttons.iter().any(|b| b.payload == "转人工"));
}

#[test]
fn state_survives_json_between_turns() {
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    let json = serde_json::to_string(&chat.state).unwrap();
    chat.state = serde_json::from_str(&json).unwrap();
    assert!(chat.say("确认取消").text.contains("已取消"));
    let empty: dialogs::DialogState = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, dialogs::DialogState::default());
}

#[test]
fn a_why_right_after_an_answer_is_explained_for_the_same_order() {
    // An excluded return, then 凭什么不能退: why fresh food is excluded.
    let mut chat = Chat::new("C1005");
    let first = chat.say("螃蟹不想要了 七天无理由退货");
    assert!(first.text.contains("不支持"), "{}", first.text);
    let why = chat.say("凭什么不能退?");
    assert!(why.understood, "{}", why.text);
    assert_eq!(why.flow.as_deref(), Some("return_request"));
    assert!(why.text.contains("影响二次销售"), "{}", why.text);
    assert!(why.text.contains("阳澄湖大闸蟹"), "{}", why.text);
    // A refund in progress, then "why so slow?": the channel's days and the date.
    let mut chat = Chat::new("C1004");
    chat.say("hi, where is my refund for the scarf?");
    let why = chat.say("why so slow? it has been 5 days");
    assert!(why.text.contains("5-7 business days"), "{}", why.text);
    assert!(why.text.contains("Nov 26"), "{}", why.text);
    // After a cancellation: how long the refund takes.
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单 E20261111000456");
    chat.say("确认取消");
    let why = chat.say("为什么要3天这么慢");
    assert!(why.text.contains("1-3 个工作日"), "{}", why.text);
    assert!(why.text.contains("11月25日"), "{}", why.text);
    // After a fallback there is nothing to explain: still not understood.
    let mut chat = Chat::new("C1002");
    chat.say("今天天气怎么样");
    assert!(!chat.say("为什么").understood);
    // A why with a topic of its own is that topic.
    let mut chat = Chat::new("C1005");
    chat.say("螃蟹不想要了 七天无理由退货");
    let other = chat.say("为什么我的快递还没到");
    assert_ne!(
        other.flow.as_deref(),
        Some("return_request"),
        "{}",
        other.text
    );
}

#[test]
fn a_second_order_named_in_the_message_is_offered_not_dropped() {
    let mut chat = Chat::new("C1001");
    let reply = chat.say("你好，我想问下E20261111000987的退款，还有E20261111000123啥时候到");
    assert!(reply.text.contains("89.00 元"), "{}", reply.text);
    assert!(reply.text.contains("您还提到了"), "{}", reply.text);
    let payloads = crate::support::payloads(&reply);
    assert_eq!(payloads, ["E20261111000123"], "{:?}", reply.buttons);
    // Pressed, it is answered.
    let next = chat.say("E20261111000123");
    assert!(next.text.contains("晚了 2 天"), "{}", next.text);
    // Another customer's order is never offered; nor beside a question.
    let mut chat = Chat::new("C1002");
    let reply = chat.say("E20261111000456 E20261111000123 什么状态");
    assert!(!reply.text.contains("您还提到了"), "{}", reply.text);
    let mut chat = Chat::new("C1002");
    let ask = chat.say("我要取消订单 E20261111000456 E20261112000789");
    assert!(!ask.text.contains("您还提到了"), "{}", ask.text);
    assert_eq!(ask.buttons.len(), 2, "only yes and no: {:?}", ask.buttons);
}

#[test]
fn nothing_on_its_way_still_answers_for_the_shoppers_orders() {
    // C1005's crabs were signed for, the toothbrush order cancelled.
    let mut chat = Chat::new("C1005");
    let reply = chat.say("我的快递到哪了");
    assert!(
        reply.text.starts_with("您目前没有运输中的包裹。"),
        "{}",
        reply.text
    );
    let payloads = crate::support::payloads(&reply);
    assert_eq!(
        payloads,
        ["E20261111001111", "E20261109000444"],
        "{}",
        reply.text
    );
    let crabs = chat.say("第一个");
    assert!(crabs.text.contains("11月13日 09:30"), "{}", crabs.text);
    assert!(crabs.text.contains("签收"), "{}", crabs.text);
}

#[test]
fn why_a_refund_is_short_and_why_a_parcel_is_late() {
    // 89.00 of 99.00 back: the breakdown and the shipping fee kept.
    let mut chat = Chat::new("C1001");
    chat.say("E20261111000987退款到了吗");
    let why = chat.say("为什么?");
    assert!(why.text.contains("10.00"), "{}", why.text);
    assert!(why.text.contains("运费"), "{}", why.text);
    // A late parcel, then 为什么: the delay again, for the same order.
    let mut chat = Chat::new("C1001");
    chat.say("我的快递到哪了");
    let why = chat.say("为什么");
    assert!(why.understood, "{}", why.text);
    assert!(why.text.contains("晚了 2 天"), "{}", why.text);
}

#[test]
fn traditional_chinese_replies_use_the_regions_words() {
    // C1003 writes traditional: 保固 and 品質, not the mainland 保修 and 質量.
    let reply = Chat::new("C1003").say("我想退貨 E20261101000321");
    assert!(reply.text.contains("保固期內"), "{}", reply.text);
    assert!(reply.text.contains("品質問題"), "{}", reply.text);
    assert!(
        !reply.text.contains("保修") && !reply.text.contains("質量"),
        "{}",
        reply.text
    );
    // Simplified replies keep the mainland words.
    let reply = Chat::new("C1002").say("我想退货 E20261112000789");
    assert!(!reply.text.contains("保固"), "{}", reply.text);
}

#[test]
fn moving_on_from_the_cancellation_question_says_the_order_is_unchanged() {
    let mut chat = Chat::new("C1002");
    chat.say("取消空气炸锅");
    let reply = chat.say("确定,另外鞋子能退吗");
    assert!(reply.text.contains("E20261112000789"), "{}", reply.text);
    assert!(
        reply.text.contains("订单 E20261111000456 还没有取消"),
        "{}",
        reply.text
    );
    let order = chat.shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    // A plain yes says nothing of the kind.
    let mut chat = Chat::new("C1002");
    chat.say("取消空气炸锅");
    assert!(!chat.say("好的").text.contains("还没有取消"));
}

#[test]
fn the_one_order_offered_before_a_cancellation_takes_a_yes_or_a_no() {
    // Offered, then yes: the cancellation question for it.
    let mut chat = Chat::new("C1002");
    chat.say("我要取消订单");
    let ask = chat.say("好的");
    assert!(ask.text.contains("确定要取消吗"), "{}", ask.text);
    // Offered, then never mind: closed, nothing cancelled, no question left.
    for no in ["算了", "不用了", "never mind"] {
        let mut chat = Chat::new("C1002");
        chat.say("我要取消订单");
        let reply = chat.say(no);
        assert!(!reply.text.contains("哪个订单"), "{no}: {}", reply.text);
        assert!(chat.state.pending.is_none(), "{no}");
        let order = chat.shop.order("E20261111000456").unwrap().unwrap();
        assert_eq!(order.status, OrderStatus::Paid);
    }
}

#[test]
fn asking_back_again_and_again_keeps_the_question_open() {
    let mut chat = Chat::new("C1002");
    chat.say("取消空气炸锅");
    for back in ["确定吗", "ok?", "可以吗?"] {
        let again = chat.say(back);
        assert!(
            again.text.contains("确定要取消吗") || again.text.contains("Cancel it?"),
            "{back}: {}",
            again.text
        );
    }
    chat.say("好的");
    let order = chat.shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
}
