//! How a compiled model finds and scores its features: word pairs found
//! as two adjacent word hits, dense and sparse weights adding up alike, the
//! top classes.

use std::collections::BTreeMap;

use super::top_classes;
use crate::{HeadSpec, LexiconSpec, Matcher, ModelSpec, TermKind};

fn lexicon() -> LexiconSpec {
    toml::from_str(
        r#"
        [intents.refund_status]
        en = { "refund*" = 1.5 }
        [intents.change_order]
        en = { "my order" = 1.0, "change the address" = 3.0 }
        "#,
    )
    .unwrap()
}

fn weights(pairs: &[(&str, f32)]) -> BTreeMap<String, f32> {
    pairs.iter().map(|&(c, w)| (c.to_string(), w)).collect()
}

/// A model whose every feature weighs 1 on class `a` (class `b` has none).
fn probe(vocab: &[&str]) -> Matcher {
    let mut head = HeadSpec {
        bias: weights(&[("a", 0.0), ("b", 0.0)]),
        ..HeadSpec::default()
    };
    for f in vocab {
        head.features.insert(f.to_string(), weights(&[("a", 1.0)]));
    }
    Matcher::from_spec(LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(head),
            anger: None,
        }),
        ..lexicon()
    })
    .unwrap()
}

/// The learned features `explain` shows for class `a`, sorted.
fn found(m: &Matcher, text: &str) -> Vec<String> {
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

/// Word features (whole words, beginnings, pairs of words one space apart)
/// are looked up word by word, not in the automaton: found exactly where
/// their patterns would match, whether a pair's words are features or not,
/// and also when a hand keyword is the same text.
#[test]
fn word_features_are_found_where_their_patterns_match() {
    let m = probe(&[
        "my refund",
        "the address",
        "cancel it",
        "my order",
        "refund",
    ]);
    let none: Vec<String> = Vec::new();
    assert_eq!(found(&m, "where is My  Refund?"), ["my refund", "refund"]);
    assert_eq!(found(&m, "my refunds"), none);
    assert_eq!(found(&m, "my, refund"), ["refund"]);
    assert_eq!(found(&m, "amy refund"), ["refund"]);
    assert_eq!(found(&m, "my refund2"), none);
    assert_eq!(found(&m, "change the address"), ["the address"]);
    assert_eq!(found(&m, "cancel it, cancel it now"), ["cancel it"]);
    assert_eq!(found(&m, "cancel it退款"), ["cancel it"]);
    assert_eq!(found(&m, "where is my order"), ["my order"]);
    // Words and beginnings of any length (8 bytes and more are looked up
    // apart), with digits, next to Chinese or punctuation.
    let m2 = probe(&[
        "cancellation",
        "cancellati*",
        "canc*",
        "cancel*",
        "iphone15",
        "iph*",
        "cancellation fee",
        "12315",
    ]);
    assert_eq!(
        found(&m2, "Cancellation fee?"),
        [
            "canc*",
            "cancel*",
            "cancellati*",
            "cancellation",
            "cancellation fee"
        ]
    );
    assert_eq!(
        found(&m2, "cancel退款iphone15"),
        ["canc*", "cancel*", "iph*", "iphone15"]
    );
    assert_eq!(
        found(&m2, "cancellations 12315x"),
        ["canc*", "cancel*", "cancellati*"]
    );
    assert_eq!(found(&m2, "can iphone 12315"), ["12315", "iph*"]);
    // "my order" is a hand keyword as well: it still scores its intent.
    let a = m.analyse("where is my order");
    let change_order = m.intents.iter().position(|i| i == "change_order").unwrap();
    assert_eq!(a.raw[change_order], 1.0);
}

/// Scores add up the same whichever way a head keeps a feature's weights
/// (one per class for a feature weighing on many classes, a list of class
/// weights for the others): what `explain` adds up is what `classify` ranks.
#[test]
fn many_class_features_score_as_their_terms_add_up() {
    let class = |i: usize| format!("c{i:02}");
    let spread = |n: usize, step: f32| -> BTreeMap<String, f32> {
        (0..n)
            .map(|i| (class(i), step * (i as f32 - 7.5)))
            .collect()
    };
    let mut head = HeadSpec {
        bias: (0..20).map(|i| (class(i), 0.01 * i as f32)).collect(),
        ..HeadSpec::default()
    };
    head.features.insert("refund".into(), spread(20, 0.1));
    head.features.insert("ref*".into(), spread(12, 0.05));
    head.features.insert("my".into(), spread(2, -0.2));
    let m = Matcher::from_spec(LexiconSpec {
        model: Some(ModelSpec {
            intents: Some(head),
            anger: None,
        }),
        ..lexicon()
    })
    .unwrap();
    let (compiled, _) = m.intent_head.as_ref().unwrap();
    assert_eq!(
        compiled.dense_rows(),
        2,
        "refund and ref* are dense, my is not"
    );
    for text in ["my refund", "refund", "my", "hello", "my refunds please"] {
        let e = m.explain(text);
        let (p, terms) = (&e.understanding.candidates, &e.candidates);
        assert_eq!(p.len(), 5);
        for k in 1..5 {
            let ratio = (p[0].score / p[k].score).ln();
            let expected = terms[0].total - terms[k].total;
            assert!(
                (ratio - expected).abs() < 1e-4,
                "{text}: {ratio} vs {expected}"
            );
        }
    }
    assert_eq!(m.classify("refund").intent, "c19");
    assert_eq!(m.classify("my").intent, "c00");
}

#[test]
fn top_classes_best_first_lower_class_first_among_equals() {
    let p = [0.1, 0.3, 0.0, 0.3, 0.2, 0.0, 0.1];
    let classes = |p: &[f32], limit| -> Vec<usize> {
        let (top, kept) = top_classes(p, limit);
        top[..kept].iter().map(|t| t.0).collect()
    };
    assert_eq!(classes(&p, 5), [1, 3, 4, 0, 6]);
    assert_eq!(classes(&p, 1), [1]);
    assert_eq!(classes(&p, 3), [1, 3, 4]);
    assert_eq!(
        classes(&[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], 5),
        [1, 0, 2, 3, 4]
    );
    let (top, kept) = top_classes(&[0.7], 5);
    assert_eq!(&top[..kept], [(0, 0.7)]);
}

/// An anger head without a weight for the writing cues does not need them:
/// `classify` skips computing them, and answers as if it had (the anger
/// score from the full analysis); with a weight it reads them.
#[test]
fn anger_head_without_writing_weight_answers_alike() {
    let head = |hand: &[(&str, f32)]| HeadSpec {
        bias: weights(&[("angry", -1.0)]),
        hand: hand
            .iter()
            .map(|&(input, w)| (input.to_string(), weights(&[("angry", w)])))
            .collect(),
        features: [("refund".to_string(), weights(&[("angry", 0.5)]))].into(),
        ..HeadSpec::default()
    };
    for (hand, reads) in [
        (vec![("lexical", 2.0)], false),
        (vec![("lexical", 2.0), ("writing", 1.5)], true),
        (vec![], false),
    ] {
        let mut spec = lexicon();
        spec.anger.words.insert("scam".to_string(), 1.0);
        spec.model = Some(ModelSpec {
            intents: None,
            anger: Some(head(&hand)),
        });
        let m = Matcher::from_spec(spec).unwrap();
        assert_eq!(m.reads_writing, reads, "{hand:?}");
        let anger_head = m.anger_head.as_ref().unwrap();
        for text in ["WHERE IS MY REFUND!!! scam scam scam", "refund please", ""] {
            let full = m.analyse(text);
            let expected = super::sigmoid(m.anger_logit(anger_head, &full), anger_head.temperature);
            assert_eq!(
                m.classify(text).anger.to_bits(),
                expected.to_bits(),
                "{text}"
            );
            if reads {
                assert!(text.is_empty() || text == "refund please" || full.writing_anger > 0.0);
            }
        }
    }
}
