//! Calibration of a trained model on scores of messages it did not learn
//! from (a validation split, or cross-fitted folds): the softmax
//! temperature by likelihood, the out-of-scope threshold, the anger
//! threshold by F1.

use crate::eval::Example;
use crate::model::{sigmoid, ModelSpec};
use crate::prob::softmax;
use crate::{Error, LexiconSpec, Matcher, OUT_OF_SCOPE};

use super::{TrainOptions, TrainReport};

/// Fits temperatures and thresholds on `val` with the model compiled as it
/// will be used.
pub(super) fn calibrate(
    base: &LexiconSpec,
    model: &mut ModelSpec,
    val: &[Example],
    options: &TrainOptions,
    report: &mut TrainReport,
) -> Result<(), Error> {
    let mut held = Held::default();
    held.score(base, model, val)?;
    held.fit(model, options, report);
    Ok(())
}

/// One message's intent scores by a model that did not learn it.
struct HeldIntent {
    logits: Vec<f32>,
    /// The true class among the logits.
    class: Option<usize>,
    /// Whether the label is `out_of_scope`.
    out_of_scope: bool,
    /// Which class is `out_of_scope` in the model that scored it.
    out_of_scope_class: Option<usize>,
}

/// Scores of messages a model did not learn from, to calibrate on.
#[derive(Default)]
pub(super) struct Held {
    intents: Vec<HeldIntent>,
    /// Anger logit and label.
    anger: Vec<(f32, bool)>,
}

impl Held {
    /// Adds the scores of `model` on `examples`.
    pub(super) fn score(
        &mut self,
        base: &LexiconSpec,
        model: &ModelSpec,
        examples: &[Example],
    ) -> Result<(), Error> {
        let spec = LexiconSpec {
            model: Some(model.clone()),
            ..base.clone()
        };
        let matcher = Matcher::new(&spec)?;
        if let Some((compiled, class_intents)) = &matcher.intent_head {
            let oos = class_intents
                .iter()
                .position(|&i| i == matcher.out_of_scope);
            for e in examples {
                let Some(label) = &e.intent else { continue };
                let a = matcher.analyse(&e.text);
                let mut z = Vec::new();
                compiled.logits(&a.raw[..matcher.hand_intents], &a, &mut z);
                let class = class_intents
                    .iter()
                    .position(|&i| matcher.intents[i] == *label);
                self.intents.push(HeldIntent {
                    logits: z,
                    class,
                    out_of_scope: label == OUT_OF_SCOPE,
                    out_of_scope_class: oos,
                });
            }
        }
        if let Some(compiled) = &matcher.anger_head {
            for e in examples {
                let Some(angry) = e.angry else { continue };
                let z = matcher.anger_logit(compiled, &matcher.analyse(&e.text));
                self.anger.push((z, angry));
            }
        }
        Ok(())
    }

    /// Sets the heads' temperatures and thresholds from the scores.
    pub(super) fn fit(
        &self,
        model: &mut ModelSpec,
        options: &TrainOptions,
        report: &mut TrainReport,
    ) {
        if let Some(head) = &mut model.intents {
            report.val_intent = self.intents.len();
            if !self.intents.is_empty() {
                let t = fit_temperature(|t| {
                    self.intents
                        .iter()
                        .filter_map(|h| {
                            let mut p = h.logits.clone();
                            softmax(&mut p, t);
                            h.class.map(|c| -f64::from(p[c].max(1e-12)).ln())
                        })
                        .sum()
                });
                head.temperature = t;
                head.out_of_scope_below =
                    fit_out_of_scope(&self.intents, t, options.out_of_scope_budget);
            }
            report.intent_temperature = head.temperature;
            report.out_of_scope_below = head.out_of_scope_below;
        }
        if let Some(head) = &mut model.anger {
            report.val_anger = self.anger.len();
            if !self.anger.is_empty() {
                let t = fit_temperature(|t| {
                    self.anger
                        .iter()
                        .map(|&(z, y)| {
                            let p = sigmoid(z, t).clamp(1e-12, 1.0 - 1e-7);
                            -f64::from(if y { p } else { 1.0 - p }).ln()
                        })
                        .sum()
                });
                head.temperature = t;
                head.threshold = best_f1_threshold(&self.anger, t);
            }
            report.anger_temperature = head.temperature;
            report.anger_threshold = head.threshold;
        }
    }
}

/// The temperature (on a log grid from 0.01 to 100) with the least loss.
fn fit_temperature(loss: impl Fn(f32) -> f64) -> f32 {
    (0..=80)
        .map(|i| 10f32.powf(-2.0 + i as f32 * 0.05))
        .map(|t| (t, loss(t)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(1.0, |(t, _)| t)
}

/// The out-of-scope threshold on the top probability: the one with the
/// best accuracy on the held-out scores when out-of-scope counts as one more
/// class (an in-scope message right only if its probability reaches the
/// threshold, an out-of-scope one right if caught), among those that keep
/// in-scope accuracy within `budget` of what it is with no threshold; the
/// lowest of equals. 0 when there are no out-of-scope examples to catch.
fn fit_out_of_scope(held: &[HeldIntent], t: f32, budget: f32) -> f32 {
    let top: Vec<(usize, f32)> = held
        .iter()
        .map(|h| {
            let mut p = h.logits.clone();
            softmax(&mut p, t);
            p.iter()
                .copied()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0))
        })
        .collect();
    let n_oos = held.iter().filter(|h| h.out_of_scope).count();
    let n_in = held.len() - n_oos;
    if n_oos == 0 || n_in == 0 {
        return 0.0;
    }
    // (in-scope right, out-of-scope caught) at a threshold.
    let counts = |threshold: f32| {
        top.iter()
            .zip(held)
            .fold((0usize, 0usize), |(right, caught), (&(c, p), h)| {
                let top_is_oos = Some(c) == h.out_of_scope_class;
                if h.out_of_scope {
                    (right, caught + usize::from(top_is_oos || p < threshold))
                } else {
                    let ok = !top_is_oos && p >= threshold && Some(c) == h.class;
                    (right + usize::from(ok), caught)
                }
            })
    };
    let floor = counts(0.0).0 as f64 / n_in as f64 - f64::from(budget);
    let mut best = (0.0, 0usize);
    for threshold in (0..100).map(|i| i as f32 / 100.0) {
        let (right, caught) = counts(threshold);
        if (right as f64 / n_in as f64) < floor {
            break;
        }
        if right + caught > best.1 {
            best = (threshold, right + caught);
        }
    }
    best.0
}

/// The probability threshold with the best F1 of `angry` on `scored`.
fn best_f1_threshold(scored: &[(f32, bool)], t: f32) -> f32 {
    (1..100)
        .map(|i| i as f32 / 100.0)
        .map(|threshold| {
            let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
            for &(z, y) in scored {
                match (sigmoid(z, t) >= threshold, y) {
                    (true, true) => tp += 1.0,
                    (true, false) => fp += 1.0,
                    (false, true) => fn_ += 1.0,
                    _ => {}
                }
            }
            (
                threshold,
                2.0 * tp / (2.0 * tp + fp + fn_ + f64::MIN_POSITIVE),
            )
        })
        .fold(
            (0.5, f64::MIN),
            |best, x| if x.1 > best.1 { x } else { best },
        )
        .0
}
