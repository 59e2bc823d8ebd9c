//! Learned weights on small synthetic data: training is deterministic, a
//! model survives the trip through JSON and TOML, `explain` shows what
//! fired, the automaton finds exactly the features training saw (pieces
//! from inside words too), and
//! negation decides between neighbouring intents.

use intents::eval::{Example, Scorecard};
use intents::train::{train, train_cross_fitted, TrainOptions};
use intents::{features, normalize, LexiconSpec, Matcher, ModelSpec, TermKind};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const LEXICON: &str = r#"
[intents.refund_status]
zh = { "退款" = 1.0 }
en = { "refund*" = 1.5 }
[intents.exchange_request]
zh = { "换货" = 2.0 }
en = { "exchange" = 2.0 }
[intents.cancel_order]
en = { "cancel*" = 2.0 }
[intents.change_order]
en = { "change the address" = 3.0 }
[scoring]
negations = ["不是", "不要", "not", "dont"]
[anger]
words = { "气死" = 0.8 }
"#;

fn base() -> LexiconSpec {
    toml::from_str(LEXICON).unwrap()
}

fn ex(text: &str, intent: &str, angry: bool) -> Example {
    Example {
        text: text.into(),
        intent: Some(intent.into()),
        angry: Some(angry),
        lang: None,
    }
}

fn data() -> Vec<Example> {
    [
        ("退款什么时候到账", "refund_status", false),
        ("钱什么时候退回来", "refund_status", false),
        ("退款到哪了 气死了", "refund_status", true),
        ("when do i get my refund", "refund_status", false),
        ("where is my money back", "refund_status", false),
        ("我想换货", "exchange_request", false),
        ("换一个大一码的", "exchange_request", false),
        ("can i swap it for a bigger size", "exchange_request", false),
        (
            "exchange this for another colour",
            "exchange_request",
            false,
        ),
        ("cancel my order", "cancel_order", false),
        ("please cancel it now!!!", "cancel_order", true),
        ("取消订单", "cancel_order", false),
        ("不要了 帮我取消", "cancel_order", false),
        ("change the address please", "change_order", false),
        ("地址写错了 改一下", "change_order", false),
        ("wrong address on my order", "change_order", false),
        ("今天天气怎么样", "out_of_scope", false),
        ("tell me a joke", "out_of_scope", false),
        ("你们是骗子吗 气死我了", "out_of_scope", true),
    ]
    .into_iter()
    .map(|(t, i, a)| ex(t, i, a))
    .collect()
}

fn trained() -> (ModelSpec, Matcher) {
    let (model, _) = train(&base(), &data(), &data(), &TrainOptions::default()).unwrap();
    let spec = LexiconSpec {
        model: Some(model.clone()),
        ..base()
    };
    (model, Matcher::new(&spec).unwrap())
}

#[test]
fn training_is_deterministic_and_fits_its_data() {
    let (a, m) = trained();
    let (b, _) = train(&base(), &data(), &data(), &TrainOptions::default()).unwrap();
    assert_eq!(a, b);
    let card = Scorecard::score(&m, &data());
    assert!(card.accuracy > 0.9, "{card:?}");
    assert!(m.is_trained());
    assert_eq!(m.classify("我想换货").intent, "exchange_request");
    assert_eq!(
        m.classify("when is my refund coming").intent,
        "refund_status"
    );
}

#[test]
fn a_model_round_trips_through_json_and_toml() {
    let (model, m) = trained();
    #[derive(serde::Serialize, serde::Deserialize)]
    struct File {
        model: ModelSpec,
    }
    let json = serde_json::to_string(&File {
        model: model.clone(),
    })
    .unwrap();
    let toml_text = toml::to_string(&File {
        model: model.clone(),
    })
    .unwrap();
    let from_json: File = serde_json::from_str(&json).unwrap();
    let from_toml: File = toml::from_str(&toml_text).unwrap();
    for loaded in [from_json.model, from_toml.model] {
        let again = Matcher::new(&LexiconSpec {
            model: Some(loaded),
            ..base()
        })
        .unwrap();
        for e in data() {
            assert_eq!(m.classify(&e.text), again.classify(&e.text), "{}", e.text);
        }
    }
    // A model pasted into the lexicon is the lexicon's `[model]`.
    let lexicon = format!("{LEXICON}\n{toml_text}");
    let spec: LexiconSpec = toml::from_str(&lexicon).unwrap();
    assert_eq!(spec.model, Some(model));
}

/// Without a validation split: the model learns from every line (the same
/// weights as `train` with nothing held out) and its calibration comes from
/// the folds' scores; deterministic.
#[test]
fn cross_fitted_training_learns_every_line_and_calibrates() {
    let options = TrainOptions::default();
    let (a, report) = train_cross_fitted(&base(), &data(), &options).unwrap();
    let (b, _) = train_cross_fitted(&base(), &data(), &options).unwrap();
    assert_eq!(a, b);
    let (all, _) = train(&base(), &data(), &[], &options).unwrap();
    let (ia, iall) = (a.intents.as_ref().unwrap(), all.intents.as_ref().unwrap());
    assert_eq!(ia.features, iall.features);
    assert_eq!(ia.bias, iall.bias);
    assert_eq!(report.val_intent, data().len());
    assert_eq!(report.val_anger, data().len());
    assert!(report.intent_temperature > 0.0 && report.anger_threshold > 0.0);
    assert_eq!(ia.temperature, report.intent_temperature);
    assert_eq!(a.anger.as_ref().unwrap().threshold, report.anger_threshold);
}

/// `--features pieces`: the model learns pieces from inside words, they
/// survive the line format, and classifying finds them.
#[test]
fn a_model_with_pieces_learns_them_and_round_trips() {
    let options = TrainOptions {
        shapes: features::Shapes::PIECES,
        ..TrainOptions::default()
    };
    let (model, _) = train(&base(), &data(), &data(), &options).unwrap();
    let head = model.intents.as_ref().unwrap();
    assert!(head
        .features
        .iter()
        .any(|(f, w)| f.starts_with('*') && f.ends_with('*') && !w.is_empty()));
    let text = intents::model_text::write(&model).unwrap();
    let again = intents::model_text::parse(&text).unwrap();
    assert_eq!(again, model);
    let m = Matcher::new(&LexiconSpec {
        model: Some(model),
        ..base()
    })
    .unwrap();
    let pieces_found = data()
        .iter()
        .flat_map(|e| m.explain(&e.text).candidates)
        .flat_map(|c| c.terms)
        .filter(|t| t.kind == TermKind::Learned && t.feature.starts_with('*'))
        .count();
    assert!(pieces_found > 0);
}

#[test]
fn explain_lists_the_features_that_fired() {
    let (model, m) = trained();
    let e = m.explain("我想换货");
    assert_eq!(e.understanding, m.classify("我想换货"));
    let top = &e.candidates[0];
    assert_eq!(top.intent, "exchange_request");
    assert!(top.terms.iter().any(|t| t.kind == TermKind::Bias));
    // Which n-grams keep a weight is the learner's business; one of the
    // message's own must show.
    let own = features::extract("我想换货");
    assert!(
        top.terms
            .iter()
            .any(|t| t.kind == TermKind::Learned && own.contains(&t.feature)),
        "{top:?}"
    );
    let sum: f32 = top.terms.iter().map(|t| t.weight).sum();
    assert!((sum - top.total).abs() < 1e-4);
    // The scores `classify` ranks by and the terms `explain` adds up are
    // the same logits: the ratio of two candidates' probabilities is
    // exp(difference of totals / temperature).
    let t = model.intents.as_ref().unwrap().temperature;
    for example in data() {
        let e = m.explain(&example.text);
        let (a, b) = (&e.understanding.candidates, &e.candidates);
        if a[0].intent == "out_of_scope" || a[1].intent == "out_of_scope" || a[1].score < 1e-6 {
            continue;
        }
        let ratio = (a[0].score / a[1].score).ln();
        let expected = (b[0].total - b[1].total) / t;
        assert!(
            (ratio - expected).abs() < 1e-3,
            "{}: {ratio} vs {expected}",
            example.text
        );
    }

    // Without a model: the hand keywords and the out-of-scope floor.
    let hand = Matcher::new(&base()).unwrap().explain("我想换货");
    assert_eq!(hand.candidates[0].intent, "exchange_request");
    assert_eq!(hand.candidates[0].terms[0].feature, "换货");
    assert_eq!(hand.candidates[0].terms[0].kind, TermKind::Keyword);
    assert_eq!(hand.candidates[0].total, 2.0);
    let anger = Matcher::new(&base()).unwrap().explain("气死了!!");
    assert!(anger.anger.iter().any(|t| t.feature == "气死"));
}

#[test]
fn a_text_scaled_head_needs_no_weightless_feature() {
    let (model, m) = trained();
    let head = model.intents.clone().unwrap();
    assert_eq!(head.scale, intents::Scale::Text);
    assert!(head.features.values().all(|w| !w.is_empty()));
    // An unknown feature added with no weight changes nothing...
    let mut padded = head.clone();
    padded.features.insert("zzz".into(), Default::default());
    let again = Matcher::new(&LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(padded.clone()),
            ..model.clone()
        }),
        ..base()
    })
    .unwrap();
    for e in data() {
        assert_eq!(m.classify(&e.text), again.classify(&e.text), "{}", e.text);
    }
    // ...while a `found`-scaled head (the default of files without `scale`)
    // counts every feature of its own that the message has.
    padded.scale = intents::Scale::Found;
    let found = Matcher::new(&LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(padded),
            anger: None,
        }),
        ..base()
    })
    .unwrap();
    let (a, b) = (m.explain("我想换货"), found.explain("我想换货"));
    assert_ne!(a.candidates[0].total, b.candidates[0].total);
    let file: ModelSpec = toml::from_str("[intents]\nbias = { a = 0.0 }").unwrap();
    assert_eq!(file.intents.unwrap().scale, intents::Scale::Found);
}

#[test]
fn calibration_and_out_of_scope_figures_are_reported() {
    let (_, m) = trained();
    let card = Scorecard::score(&m, &data());
    assert_eq!(card.n_out_of_scope, 3);
    assert!((0.0..=1.0).contains(&card.ece));
    assert!((0.0..=1.0).contains(&card.out_of_scope_recall));
    for text in ["", "?", "退款", "cancel cancel cancel", "😡😡"] {
        let u = m.classify(text);
        assert!((0.0..=1.0).contains(&u.confidence), "{text}");
        assert!((0.0..=1.0).contains(&u.anger), "{text}");
        assert!(!u.candidates.is_empty() && u.candidates.len() <= 5);
        assert_eq!(u.candidates[0].intent, u.intent);
    }
}

/// Weights near `f32::MAX` are finite one by one but overflow when summed:
/// the probabilities must stay probabilities, not `NaN`.
#[test]
fn huge_weights_keep_probabilities_in_range() {
    let big = f32::MAX / 2.0;
    let mut intents_head = intents::HeadSpec {
        bias: [("a".to_string(), big), ("b".to_string(), -big)].into(),
        ..intents::HeadSpec::default()
    };
    let mut anger = intents::HeadSpec::default();
    anger.bias.insert("angry".into(), 0.0);
    for (f, w) in [
        ("refund", big),
        ("cancel", big),
        ("退款", -big),
        ("换货", -big),
    ] {
        intents_head.features.insert(
            f.into(),
            [("a".to_string(), w), ("b".to_string(), -w)].into(),
        );
        anger
            .features
            .insert(f.into(), [("angry".to_string(), w)].into());
    }
    let m = Matcher::new(&LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(intents_head),
            anger: Some(anger),
        }),
        ..base()
    })
    .unwrap();
    for text in ["refund cancel", "退款换货", "refund 退款", "nothing", ""] {
        let u = m.classify(text);
        assert!((0.0..=1.0).contains(&u.confidence), "{text}: {u:?}");
        assert!((0.0..=1.0).contains(&u.anger), "{text}: {u:?}");
        assert!(
            u.candidates.iter().all(|c| (0.0..=1.0).contains(&c.score)),
            "{text}: {u:?}"
        );
    }
}

#[test]
fn negation_and_contrast_decide_between_neighbours() {
    let m = Matcher::new(&base()).unwrap();
    assert_eq!(m.classify("退款").intent, "refund_status");
    assert_eq!(m.classify("不是要退款,是想换货").intent, "exchange_request");
    assert_eq!(m.classify("不要退款 换货").intent, "exchange_request");
    assert_eq!(m.classify("cancel my order").intent, "cancel_order");
    assert_eq!(
        m.classify("not cancel, just change the address").intent,
        "change_order"
    );
    assert_eq!(
        m.classify("dont cancel, exchange it").intent,
        "exchange_request"
    );
    // The negated keyword is gone from the candidates, not just outweighed.
    let u = m.classify("not cancel, just change the address");
    assert!(
        u.candidates.iter().all(|c| c.intent != "cancel_order"),
        "{u:?}"
    );
}

#[test]
fn learned_features_do_not_change_the_hand_rules() {
    // "不是要" is a learned feature covering the negation "不是": the hand
    // rule must still cancel "退款", as it did when the model was trained.
    let mut head = intents::HeadSpec::default();
    head.bias.insert("refund_status".into(), 0.0);
    head.bias.insert("exchange_request".into(), 0.0);
    head.hand.insert(
        "refund_status".into(),
        [("refund_status".to_string(), 1.0)].into_iter().collect(),
    );
    for f in ["不是要", "是不"] {
        head.features.insert(
            f.into(),
            [("exchange_request".to_string(), 0.5)]
                .into_iter()
                .collect(),
        );
    }
    let m = Matcher::new(&LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(head),
            anger: None,
        }),
        ..base()
    })
    .unwrap();
    let e = m.explain("不是要退款");
    let hand_terms: Vec<_> = e
        .candidates
        .iter()
        .flat_map(|c| &c.terms)
        .filter(|t| t.kind == TermKind::Hand)
        .collect();
    assert!(hand_terms.is_empty(), "退款 is negated: {hand_terms:?}");
    assert_eq!(e.understanding.intent, "exchange_request");
    let e = m.explain("要退款");
    assert!(e.candidates[0]
        .terms
        .iter()
        .any(|t| t.kind == TermKind::Hand && t.feature == "refund_status"));
}

/// A model whose every feature weighs on class `a`: `explain` then lists
/// exactly the learned features the automaton found.
fn probe_matcher(vocab: &[String]) -> Matcher {
    let mut head = intents::HeadSpec::default();
    head.bias.insert("a".into(), 0.0);
    head.bias.insert("b".into(), 0.0);
    for f in vocab {
        head.features
            .insert(f.clone(), [("a".to_string(), 1.0)].into_iter().collect());
    }
    Matcher::new(&LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(head),
            anger: None,
        }),
        ..base()
    })
    .unwrap()
}

/// The learned features `explain` lists for class `a` of a [`probe_matcher`],
/// sorted.
fn learned_found(m: &Matcher, text: &str) -> Vec<String> {
    let mut found: Vec<String> = m
        .explain(text)
        .candidates
        .iter()
        .filter(|c| c.intent == "a")
        .flat_map(|c| c.terms.iter())
        .filter(|t| t.kind == TermKind::Learned)
        .map(|t| t.feature.clone())
        .collect();
    found.sort();
    found
}

const SEED_TEXTS: [&str; 4] = [
    "退款什么时候到账 my refund please",
    "cancel the order, change address",
    "换货 exchange iphone15 sizes",
    "订单e20261111000123 12315 投诉",
];

proptest! {
    #![proptest_config(Config {
        cases: 64,
        rng_seed: RngSeed::Fixed(20261125),
        failure_persistence: None,
        ..Config::default()
    })]

    /// The automaton finds exactly the features `features::extract` lists
    /// (restricted to the model's), so training sees what classifying sees.
    #[test]
    fn automaton_finds_what_training_extracts(
        text in "[退款换货订单到账 a-z0-9,.!]{0,40}|(refund|cancel|order|my|the|change|iphone15|12315|退款|换货| |,){0,12}"
    ) {
        let mut vocab: Vec<String> = SEED_TEXTS
            .iter()
            .flat_map(|t| features::extract(&normalize(t)))
            .collect();
        vocab.sort();
        vocab.dedup();
        let m = probe_matcher(&vocab);
        let mut expected: Vec<String> = features::extract(&normalize(&text))
            .into_iter()
            .filter(|f| vocab.contains(f))
            .collect();
        expected.sort();
        prop_assert_eq!(learned_found(&m, &text), expected);
    }

    /// So it does with pieces from inside words and word endings (automaton
    /// patterns `"*efun*"`, `"*und"`), which `xiaoer train --features
    /// pieces` adds.
    #[test]
    fn automaton_finds_the_pieces_training_extracts(
        text in "[退款 a-z0-9,.!]{0,40}|(refund|cancel|order|my|the|change|iphone15|12315|退款|换货|funds|cell| |,){0,12}"
    ) {
        let shapes = features::Shapes { pieces: (3, 5), endings: (2, 4) };
        let mut vocab: Vec<String> = SEED_TEXTS
            .iter()
            .flat_map(|t| features::extract_with(&normalize(t), &shapes))
            .collect();
        vocab.sort();
        vocab.dedup();
        prop_assert!(vocab.contains(&"*efun*".to_string()) && vocab.contains(&"*und".to_string()));
        let m = probe_matcher(&vocab);
        let mut expected: Vec<String> = features::extract_with(&normalize(&text), &shapes)
            .into_iter()
            .filter(|f| vocab.contains(f))
            .collect();
        expected.sort();
        prop_assert_eq!(learned_found(&m, &text), expected);
    }

    /// Classifying never panics and keeps its contract on any text.
    #[test]
    fn classify_keeps_its_contract(text in "\\PC{0,60}") {
        let u = MATCHER.with(|m| m.classify(&text));
        prop_assert!((0.0..=1.0).contains(&u.confidence));
        prop_assert!(!u.candidates.is_empty() && u.candidates.len() <= 5);
        prop_assert_eq!(&u.candidates[0].intent, &u.intent);
    }
}

thread_local! {
    static MATCHER: Matcher = trained().1;
}
