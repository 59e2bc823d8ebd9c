//! Scorecards: how well a [`Matcher`] does on labelled examples.
//!
//! Pure: the caller reads the files (`../shared/eval/*.jsonl`, one
//! [`Example`] per line) and prints the [`Scorecard`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Lang, Matcher};

/// One labelled message, the `../shared/eval` JSONL shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Example {
    /// The message.
    pub text: String,
    /// The expected intent id; absent on anger-only sets.
    #[serde(default)]
    pub intent: Option<String>,
    /// Whether the message is angry; absent on intent-only sets.
    #[serde(default)]
    pub angry: Option<bool>,
    /// Language label, when given.
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct ClassScore {
    /// Of the predictions of this class, the share that was right.
    pub precision: f64,
    /// Of the examples of this class, the share found.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of examples labelled with this class.
    pub support: usize,
}

/// `a / b`, 0 when there is nothing to divide.
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl ClassScore {
    fn from_counts(tp: usize, fp: usize, fn_: usize) -> ClassScore {
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        ClassScore {
            precision,
            recall,
            f1,
            support: tp + fn_,
        }
    }
}

/// A mistake on an intent label, for reading what went wrong.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Miss {
    /// The message.
    pub text: String,
    /// The label.
    pub expected: String,
    /// What the matcher said.
    pub got: String,
}

/// Scores of a matcher on a set of examples.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Scorecard {
    /// Examples scored (with an intent label, an anger label, or both).
    pub n: usize,
    /// Examples with an intent label.
    pub n_intent: usize,
    /// Share of intent-labelled examples classified right.
    pub accuracy: f64,
    /// Mean F1 over the intents that occur in labels or predictions.
    pub macro_f1: f64,
    /// Per intent id.
    pub per_intent: BTreeMap<String, ClassScore>,
    /// Examples with an anger label.
    pub n_anger: usize,
    /// Anger detection, `angry = true` as the positive class.
    pub anger: ClassScore,
    /// Examples with a language label.
    pub n_lang: usize,
    /// Share of language-labelled examples whose language was detected right.
    pub lang_accuracy: f64,
    /// The intent mistakes, in input order.
    pub misses: Vec<Miss>,
    /// Anger mistakes: (text, expected).
    pub anger_misses: Vec<(String, bool)>,
    /// Examples labelled `out_of_scope`.
    pub n_out_of_scope: usize,
    /// Of those, the share classified `out_of_scope`.
    pub out_of_scope_recall: f64,
    /// Accuracy on the intent-labelled examples that are not `out_of_scope`.
    pub in_scope_accuracy: f64,
    /// Expected calibration error of the confidence (15 equal-width bins):
    /// the mean gap between confidence and accuracy, weighted by bin size.
    pub ece: f64,
    /// (expected, got, count) of the intent mistakes, most frequent first.
    pub confusions: Vec<(String, String, usize)>,
}

/// Bins of the calibration error.
const ECE_BINS: usize = 15;

impl Scorecard {
    /// Classifies every example and scores intents and anger.
    pub fn score(matcher: &Matcher, examples: &[Example]) -> Scorecard {
        Scorecard::score_with_progress(matcher, examples, |_| {})
    }

    /// [`Scorecard::score`], calling `progress` with the number of examples
    /// done after each one (a progress bar's hook).
    pub fn score_with_progress(
        matcher: &Matcher,
        examples: &[Example],
        mut progress: impl FnMut(usize),
    ) -> Scorecard {
        // (tp, fp, fn) per intent id.
        let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        let (mut correct, mut n_intent, mut n_anger) = (0, 0, 0);
        let (mut atp, mut afp, mut afn) = (0, 0, 0);
        let (mut n_lang, mut lang_correct) = (0, 0);
        let mut card = Scorecard::default();
        // (sum of confidence, correct, count) per confidence bin.
        let mut bins = [(0.0f64, 0usize, 0usize); ECE_BINS];
        let (mut n_oos, mut oos_found, mut n_in, mut in_correct) = (0, 0, 0, 0);
        let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (done, example) in examples.iter().enumerate() {
            progress(done + 1);
            if example.intent.is_none() && example.angry.is_none() {
                continue;
            }
            card.n += 1;
            let u = matcher.classify(&example.text);
            if let Some(expected) = &example.intent {
                let right = *expected == u.intent;
                let bin = ((f64::from(u.confidence) * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
                bins[bin].0 += f64::from(u.confidence);
                bins[bin].1 += usize::from(right);
                bins[bin].2 += 1;
                if expected == crate::OUT_OF_SCOPE {
                    n_oos += 1;
                    oos_found += usize::from(right);
                } else {
                    n_in += 1;
                    in_correct += usize::from(right);
                }
                if !right {
                    *confusions
                        .entry((expected.clone(), u.intent.clone()))
                        .or_default() += 1;
                }
            }
            if let Some(lang) = example.lang {
                n_lang += 1;
                lang_correct += usize::from(lang == u.lang);
            }
            if let Some(expected) = &example.intent {
                n_intent += 1;
                if *expected == u.intent {
                    correct += 1;
                    counts.entry(u.intent).or_default().0 += 1;
                } else {
                    counts.entry(u.intent.clone()).or_default().1 += 1;
                    counts.entry(expected.clone()).or_default().2 += 1;
                    card.misses.push(Miss {
                        text: example.text.clone(),
                        expected: expected.clone(),
                        got: u.intent,
                    });
                }
            }
            if let Some(expected) = example.angry {
                n_anger += 1;
                match (expected, u.angry) {
                    (true, true) => atp += 1,
                    (false, true) => afp += 1,
                    (true, false) => afn += 1,
                    (false, false) => {}
                }
                if expected != u.angry {
                    card.anger_misses.push((example.text.clone(), expected));
                }
            }
        }
        card.n_intent = n_intent;
        card.accuracy = if n_intent == 0 {
            0.0
        } else {
            correct as f64 / n_intent as f64
        };
        card.per_intent = counts
            .into_iter()
            .map(|(id, (tp, fp, fn_))| (id, ClassScore::from_counts(tp, fp, fn_)))
            .collect();
        card.macro_f1 = if card.per_intent.is_empty() {
            0.0
        } else {
            card.per_intent.values().map(|s| s.f1).sum::<f64>() / card.per_intent.len() as f64
        };
        card.n_lang = n_lang;
        card.lang_accuracy = ratio(lang_correct, n_lang);
        card.n_anger = n_anger;
        card.anger = ClassScore::from_counts(atp, afp, afn);
        card.n_out_of_scope = n_oos;
        card.out_of_scope_recall = ratio(oos_found, n_oos);
        card.in_scope_accuracy = ratio(in_correct, n_in);
        card.ece = bins
            .iter()
            .filter(|b| b.2 > 0)
            .map(|&(conf, correct, _)| (conf - correct as f64).abs() / n_intent as f64)
            .sum();
        let mut confusions: Vec<(String, String, usize)> = confusions
            .into_iter()
            .map(|((e, g), n)| (e, g, n))
            .collect();
        confusions.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        card.confusions = confusions;
        card
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LexiconSpec;

    fn matcher() -> Matcher {
        let mut spec = LexiconSpec::default();
        let refund = spec.intents.entry("refund_status".into()).or_default();
        refund.zh.insert("退款".into(), 2.0);
        refund.en.insert("refund".into(), 2.0);
        spec.intents
            .entry("greeting".into())
            .or_default()
            .zh
            .insert("在吗".into(), 2.0);
        spec.anger.words.insert("骗子".into(), 0.8);
        Matcher::new(&spec).unwrap()
    }

    fn example(text: &str, intent: Option<&str>, angry: Option<bool>) -> Example {
        Example {
            text: text.into(),
            intent: intent.map(Into::into),
            angry,
            lang: None,
        }
    }

    #[test]
    fn scores_intents_and_anger_separately() {
        let examples = [
            example("退款", Some("refund_status"), Some(false)),
            example("refund", Some("refund_status"), None),
            example("在吗", Some("refund_status"), None), // wrong: greeting
            example("骗子", None, Some(true)),
            example("在吗 骗子", None, Some(false)), // anger false positive
            example("no labels", None, None),        // skipped
        ];
        let card = Scorecard::score(&matcher(), &examples);
        assert_eq!((card.n, card.n_intent, card.n_anger), (5, 3, 3));
        assert!((card.accuracy - 2.0 / 3.0).abs() < 1e-9);
        let refund = card.per_intent["refund_status"];
        assert_eq!(refund.support, 3);
        assert!((refund.precision - 1.0).abs() < 1e-9 && (refund.recall - 2.0 / 3.0).abs() < 1e-9);
        let greeting = card.per_intent["greeting"];
        assert_eq!((greeting.support, greeting.f1), (0, 0.0));
        // macro F1 over refund_status (0.8) and greeting (0).
        assert!((card.macro_f1 - 0.4).abs() < 1e-9, "{}", card.macro_f1);
        assert_eq!((card.anger.precision, card.anger.recall), (0.5, 1.0));
        assert_eq!(card.misses.len(), 1);
        assert_eq!(card.misses[0].got, "greeting");
    }

    #[test]
    fn examples_parse_from_eval_jsonl() {
        let line = r#"{"text": "在吗", "intent": "greeting", "angry": false, "lang": "zh"}"#;
        let e: Example = serde_json::from_str(line).unwrap();
        assert_eq!(
            e,
            Example {
                lang: Some(Lang::Zh),
                ..example("在吗", Some("greeting"), Some(false))
            }
        );
        let anger_only: Example =
            serde_json::from_str(r#"{"text": "x", "angry": true, "emotion": "angry"}"#).unwrap();
        assert_eq!(anger_only.intent, None);
        let empty = Scorecard::score(&matcher(), &[]);
        assert_eq!((empty.n, empty.accuracy, empty.macro_f1), (0, 0.0, 0.0));
    }
}
