//! How the matcher works, on small inline lexicons: boundaries, longest
//! match, negation, confidence, errors, thread safety.

use intents::{Error, LexiconSpec, Matcher, Script};

fn matcher(toml_text: &str) -> Matcher {
    let spec: LexiconSpec = toml::from_str(toml_text).expect("valid lexicon toml");
    Matcher::new(&spec).expect("lexicon compiles")
}

const SMALL: &str = r#"
[intents.greeting]
zh = { "在吗" = 2.0 }
en = { "hi" = 2.0 }
[intents.refund_status]
zh = { "退款" = 1.0, "退款什么时候到账" = 3.0 }
en = { "refund*" = 2.0 }
[intents.return_request]
zh = { "退款" = 1.2, "退货" = 3.0 }
[intents.human_agent]
zh = { "转人工" = 3.0 }
[scoring]
negations = ["不用"]
neutral = ["是不是"]
[anger]
threshold = 0.5
words = { "骗子" = 0.8, "生气" = 0.6, "angry" = 0.6 }
negations = ["不", "not", "不是"]
"#;

#[test]
fn matcher_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Matcher>();
    assert_send_sync::<intents::Understanding>();
    assert_send_sync::<LexiconSpec>();
}

#[test]
fn english_keywords_need_word_boundaries() {
    let m = matcher(SMALL);
    assert_eq!(m.classify("hi there").intent, "greeting");
    assert_eq!(
        m.classify("shipping this week").intent,
        "out_of_scope",
        "`hi` inside `shipping`"
    );
    assert_eq!(
        m.classify("hi客服").intent,
        "greeting",
        "CJK next to a Latin keyword is a boundary"
    );
    assert_eq!(
        m.classify("refunded yet?").intent,
        "refund_status",
        "`refund*` matches any ending"
    );
    assert_eq!(
        m.classify("prerefund").intent,
        "out_of_scope",
        "but still needs a left boundary"
    );
}

#[test]
fn longest_match_wins() {
    let m = matcher(SMALL);
    let u = m.classify("退款什么时候到账");
    assert_eq!(u.intent, "refund_status");
    // "退款" inside the long phrase is not counted, for either intent.
    assert!(
        u.candidates.iter().all(|c| c.intent != "return_request"),
        "{:?}",
        u.candidates
    );
}

#[test]
fn keywords_count_once() {
    let m = matcher(SMALL);
    let once = m.classify("退款");
    let thrice = m.classify("退款退款退款");
    assert_eq!(once.confidence, thrice.confidence);
}

#[test]
fn intent_negation_cancels_the_next_keyword() {
    let m = matcher(SMALL);
    assert_eq!(m.classify("转人工").intent, "human_agent");
    assert_eq!(m.classify("不用转人工了").intent, "out_of_scope");
    assert_eq!(
        m.classify("不用转人工吗").intent,
        "human_agent",
        "a rhetorical question is no negation"
    );
}

#[test]
fn confidence_and_candidates_are_probabilities() {
    let m = matcher(SMALL);
    for text in [
        "在吗",
        "退款",
        "退货退款",
        "今天天气",
        "",
        "hi, refund please",
    ] {
        let u = m.classify(text);
        assert!(
            (0.0..=1.0).contains(&u.confidence),
            "{text}: {}",
            u.confidence
        );
        assert!(!u.candidates.is_empty() && u.candidates.len() <= 5);
        assert_eq!(u.candidates[0].intent, u.intent);
        assert_eq!(u.candidates[0].score, u.confidence);
        assert!(u.candidates.windows(2).all(|w| w[0].score >= w[1].score));
        let sum: f32 = u.candidates.iter().map(|c| c.score).sum();
        assert!(sum <= 1.0 + 1e-5);
    }
    assert!(
        m.classify("退货").confidence > m.classify("退款").confidence,
        "strong beats weak"
    );
    let nothing = m.classify("今天天气");
    assert_eq!(nothing.intent, "out_of_scope");
    assert_eq!(nothing.confidence, 1.0);
}

#[test]
fn anger_words_negations_and_neutral_phrases() {
    let m = matcher(SMALL);
    assert!(m.classify("骗子").angry);
    assert!(!m.classify("我不生气").angry);
    assert!(!m.classify("im not angry").angry);
    assert!(
        m.classify("你们是不是骗子").angry,
        "是不是 is a question, not a negation"
    );
    assert!(!m.classify("不是骗子").angry);
    assert!(
        m.classify("不,我很生气").angry,
        "punctuation ends a negation"
    );
}

#[test]
fn anger_from_writing() {
    let m = matcher(SMALL);
    assert!(m.classify("在吗!!!").angry, "a run of !! alone");
    assert!(!m.classify("在吗?").angry);
    assert!(
        m.classify("WHERE IS MY REFUND NOW").angry,
        "three ALL-CAPS words"
    );
    assert!(m.classify("转人工转人工转人工").anger > 0.0);
    let u = m.classify("骗子!!! 😡🤬 WTF WTF WTF");
    assert!(u.anger <= 1.0 && u.angry);
}

#[test]
fn script_and_language() {
    let m = matcher(SMALL);
    assert_eq!(m.classify("退款什麼時候到賬").script, Script::Traditional);
    assert_eq!(m.classify("退款什么时候到账").script, Script::Simplified);
    assert_eq!(m.classify("refund please").script, Script::Latin);
}

#[test]
fn intent_ids_include_out_of_scope() {
    let m = matcher(SMALL);
    let ids: Vec<&str> = m.intent_ids().collect();
    assert_eq!(
        ids,
        [
            "greeting",
            "human_agent",
            "refund_status",
            "return_request",
            "out_of_scope"
        ]
    );
}

#[test]
fn bad_lexicons_are_errors() {
    let spec = |text: &str| -> LexiconSpec { toml::from_str(text).unwrap() };
    assert!(matches!(
        Matcher::new(&LexiconSpec::default()),
        Err(Error::EmptyLexicon)
    ));
    assert!(matches!(
        Matcher::new(&spec("[intents.a]\nzh = { \"退款\" = -1.0 }")),
        Err(Error::BadWeight { weight, .. }) if weight == -1.0
    ));
    assert!(matches!(
        Matcher::new(&spec("[intents.a]\nzh = { \"\u{200b} \" = 1.0 }")),
        Err(Error::EmptyKeyword { .. })
    ));
    assert!(matches!(
        Matcher::new(&spec(
            "[intents.a]\nzh = { \"x\" = 1.0 }\n[anger]\nthreshold = 2.0"
        )),
        Err(Error::BadParameter {
            field: "threshold",
            ..
        })
    ));
    let message = Matcher::new(&spec("[intents.refund]\nen = { \"refund\" = 0.0 }"))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("intents.refund.en") && message.contains("`refund`"),
        "{message}"
    );
}

#[test]
fn slots_add_their_weights() {
    let base = "[intents.track_package]\nzh = { \"快递\" = 0.6 }\n[intents.refund_amount]\nzh = { \"退款\" = 0.6 }\n";
    let m = matcher(&format!(
        "{base}[scoring.slots]\ntracking_number = {{ track_package = 0.5 }}\namount = {{ refund_amount = 0.5 }}\n"
    ));
    assert_eq!(
        m.classify("快递").intent,
        "out_of_scope",
        "0.6 alone is below the threshold"
    );
    assert_eq!(m.classify("快递 SF1402839475820").intent, "track_package");
    assert_eq!(m.classify("退款 89元").intent, "refund_amount");
    assert_eq!(
        m.classify("退款 E20261111000123").intent,
        "out_of_scope",
        "an order id has no weight here"
    );

    let spec: LexiconSpec = toml::from_str(&format!(
        "{base}[scoring.slots]\nphone = {{ nope = 1.0 }}\n"
    ))
    .unwrap();
    let err = Matcher::new(&spec).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownIntent { intent, .. } if intent == "nope"),
        "{err}"
    );
}

#[test]
fn misspelt_fields_are_rejected() {
    let err = toml::from_str::<LexiconSpec>(
        "[intents.a]\nzh = { \"x\" = 1.0 }\n[anger]\ntreshold = 0.4\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("treshold"), "{err}");
    assert!(toml::from_str::<LexiconSpec>("[intents.a]\nzn = { \"x\" = 1.0 }\n").is_err());
}

#[test]
fn sub_table_form_parses() {
    let m =
        matcher("[intents.invoice.zh]\n\"发票\" = 3.0\n[intents.invoice.en]\n\"invoice\" = 3.0\n");
    assert_eq!(m.classify("开發票").intent, "invoice");
    assert_eq!(m.classify("INVOICE pls").intent, "invoice");
}

/// `scoring.out_of_scope` is a score to reach: a keyword weighing exactly
/// the threshold decides alone (the tie goes to the intent), just below it
/// does not. Pack authors rely on this: a 1.0 keyword is a sufficient cue.
#[test]
fn a_score_equal_to_the_threshold_reaches_it() {
    let m = matcher("[intents.a]\nzh = { \"够\" = 1.0, \"差\" = 0.99 }\n");
    let u = m.classify("够");
    assert_eq!(u.intent, "a");
    assert_eq!(u.candidates[1].intent, "out_of_scope");
    assert_eq!(m.classify("差").intent, "out_of_scope");
}
