//! How replies sound: an apology for angry shoppers, English names in English.

use crate::support::{pack, Chat};

#[test]
fn an_angry_shopper_hears_an_apology_first() {
    let angry = "气死了!!!怎么还不发货 E20261111000456";
    assert!(pack().matcher().classify(angry).angry);
    let reply = Chat::new("C1002").say(angry);
    assert!(
        reply
            .text
            .starts_with("非常抱歉给您添麻烦了。订单 E20261111000456"),
        "{}",
        reply.text
    );
    let calm = Chat::new("C1002").say("怎么还不发货 E20261111000456");
    assert!(
        calm.text.starts_with("订单 E20261111000456"),
        "{}",
        calm.text
    );

    let angry = "This is ridiculous!!! When will you ship E20261111000456";
    assert!(pack().matcher().classify(angry).angry);
    let reply = Chat::new("C1002").say(angry);
    assert!(
        reply
            .text
            .starts_with("I'm really sorry for the trouble. Order"),
        "{}",
        reply.text
    );
}

#[test]
fn a_reply_that_already_apologises_gets_no_second_apology() {
    // Two days late: the reply itself starts with an apology.
    let reply = Chat::new("C1001").say("气死了!!!说好三天到现在还没到 E20261111000123");
    assert_eq!(reply.text.matches("抱歉").count(), 1, "{}", reply.text);
}

#[test]
fn the_apology_is_a_sentence_of_its_own() {
    let reply = Chat::new("C1001").say("气死了!!!转人工");
    assert!(
        reply.text.starts_with("非常抱歉给您添麻烦了。"),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("了,好的"), "{}", reply.text);
}

#[test]
fn the_tier_reads_without_a_stray_space() {
    let reply = Chat::new("C1006").say("我是什么会员");
    assert!(reply.text.contains("您目前是SVIP会员"), "{}", reply.text);
}

#[test]
fn english_replies_name_the_carrier_in_english() {
    let en = Chat::new("C1001").say("Where is my package E20261111000123");
    assert!(en.text.contains("SF Express"), "{}", en.text);
    assert!(!en.text.contains("顺丰"), "{}", en.text);
    let zh = Chat::new("C1001").say("我的快递到哪了 E20261111000123");
    assert!(zh.text.contains("顺丰速运"), "{}", zh.text);
    let traditional = Chat::new("C1001").say("我的快遞到哪了 E20261111000123");
    assert!(
        traditional.text.contains("順豐速運"),
        "{}",
        traditional.text
    );
    // A carrier the table does not know keeps the order system's name.
    let en = Chat::new("C1005").say("Where is my package E20261111001111");
    assert!(en.text.contains("SF Cold Chain"), "{}", en.text);
}
