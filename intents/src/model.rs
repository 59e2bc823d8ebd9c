//! Learned weights: the `[model]` of a lexicon, as data, as compiled, and how
//! a compiled head ranks intents.
//!
//! A model is a linear classifier whose features are patterns of the same
//! keyword automaton as the hand keywords (see [`crate::features`] for their
//! syntax), plus the hand keywords' own raw scores per intent. `xiaoer train`
//! writes it; [`crate::Matcher::new`] compiles it with the lexicon.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::keywords::{Builder, FastMap};
use crate::matcher::{Analysis, OUT_OF_SCOPE};
use crate::prob::softmax;
use crate::words::{Shape, WordFeatures};
use crate::{Candidate, Error, LexiconSpec, Matcher};

/// Learned weights of a pack: an intent head, an anger head, or both.
///
/// ```toml
/// [model.intents]
/// temperature = 1.4          # softmax temperature, fitted on a validation split
/// out_of_scope_below = 0.35  # top probability below this -> out_of_scope
/// bias = { refund_status = -0.12, greeting = 0.3 }
/// # hand keyword raw score of an intent -> weight per class
/// hand = { refund_status = { refund_status = 0.8 } }
/// # learned feature -> weight per class. Features are automaton patterns:
/// # "退款" (CJK n-gram, anywhere), "refund" / "my order" (whole words),
/// # "refu*" (word start), "*efun*" (anywhere inside a word), as in
/// # hand keywords, whose trailing `*` lifts the right word boundary and a
/// # leading `*` the left one.
/// features = { "退款" = { refund_status = 1.1, return_request = 0.4 } }
///
/// [model.anger]              # one class, "angry": a logistic score
/// temperature = 1.0
/// threshold = 0.45           # angry when the probability reaches this
/// bias = { angry = -1.2 }
/// hand = { lexical = { angry = 1.5 }, writing = { angry = 0.9 } }
/// features = { "气死" = { angry = 2.1 } }
/// ```
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSpec {
    /// Chooses the intent among its classes (replaces the hand ranking).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intents: Option<HeadSpec>,
    /// Scores anger (replaces the hand anger score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anger: Option<HeadSpec>,
}

/// One linear head: class biases, weights on hand scores and on features.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HeadSpec {
    /// Temperature applied to the scores before the softmax (sigmoid for anger).
    pub temperature: f32,
    /// Intents: below this top probability the answer is `out_of_scope`.
    pub out_of_scope_below: f32,
    /// Anger: `angry` when the probability reaches this.
    pub threshold: f32,
    /// Class -> bias. Its keys are the head's classes.
    pub bias: BTreeMap<String, f32>,
    /// Hand input -> class -> weight. Inputs are the lexicon's intent ids
    /// (their raw keyword scores) for the intent head, `lexical` and
    /// `writing` (the hand anger scores) for the anger head.
    pub hand: BTreeMap<String, BTreeMap<String, f32>>,
    /// Feature pattern -> class -> weight. A message's features count once
    /// each, scaled by `1/sqrt(n)` where `n` is set by `scale`.
    pub features: BTreeMap<String, BTreeMap<String, f32>>,
    /// What `n` counts: the head's features found in the message (`found`,
    /// the default), or every feature the message has, known to the model or
    /// not (`text`, see [`crate::features::count`]). With `text` a feature
    /// with no weight changes nothing and need not be written.
    #[serde(skip_serializing_if = "Scale::is_found")]
    pub scale: Scale,
}

/// What the `1/sqrt(n)` feature scale of a head counts (see [`HeadSpec`]).
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// The learned features found in the message.
    #[default]
    Found,
    /// Every feature of the message, as [`crate::features::count`] counts.
    Text,
}

impl Scale {
    fn is_found(&self) -> bool {
        *self == Scale::Found
    }
}

impl Default for HeadSpec {
    fn default() -> Self {
        HeadSpec {
            temperature: 1.0,
            out_of_scope_below: 0.0,
            threshold: 0.5,
            bias: BTreeMap::new(),
            hand: BTreeMap::new(),
            features: BTreeMap::new(),
            scale: Scale::Found,
        }
    }
}

/// The hand inputs of the anger head.
pub(crate) const ANGER_INPUTS: [&str; 2] = ["lexical", "writing"];
/// The one class of the anger head.
pub const ANGRY: &str = "angry";

/// A compiled head: dense biases, sparse weights per learned feature.
#[derive(Debug)]
pub(crate) struct Head {
    /// Class names, in score order.
    pub(crate) classes: Vec<String>,
    pub(crate) bias: Vec<f32>,
    /// (hand input index, class, weight).
    pub(crate) hand: Vec<(usize, u32, f32)>,
    /// Weights of learned feature `f` are `weights[offsets[f]..offsets[f + 1]]`.
    pub(crate) offsets: Vec<u32>,
    pub(crate) weights: Vec<(u32, f32)>,
    /// Per learned feature, its row in `dense` ([`NO_ROW`] for none): the
    /// features with weights for many classes ("what", "wha*" on CLINC150)
    /// have them again as one weight per class, added in one pass that the
    /// compiler vectorises, where a scattered add per class cost more.
    dense_row: Vec<u32>,
    /// Rows of `classes.len()` weights, 0 where the feature has none.
    dense: Vec<f32>,
    pub(crate) temperature: f32,
    pub(crate) out_of_scope_below: f32,
    pub(crate) threshold: f32,
    pub(crate) scale: Scale,
}

impl Head {
    /// Compiles a head. `feature_id` maps a pattern to its learned feature
    /// index (creating it); `hand_inputs` names the hand inputs.
    pub(crate) fn compile(
        section: &str,
        spec: &HeadSpec,
        hand_inputs: &[&str],
        feature_id: &mut impl FnMut(&str) -> Result<usize, Error>,
    ) -> Result<Head, Error> {
        let check = |field: &'static str, value: f32, ok: bool, expected: &'static str| {
            if ok && value.is_finite() {
                Ok(())
            } else {
                Err(Error::BadParameter {
                    section: "model",
                    field,
                    value,
                    expected,
                })
            }
        };
        check(
            "temperature",
            spec.temperature,
            spec.temperature > 0.0,
            "> 0",
        )?;
        let unit = |v: f32| (0.0..=1.0).contains(&v);
        check(
            "out_of_scope_below",
            spec.out_of_scope_below,
            unit(spec.out_of_scope_below),
            "0..=1",
        )?;
        check("threshold", spec.threshold, unit(spec.threshold), "0..=1")?;
        if spec.bias.is_empty() {
            return Err(Error::EmptyModel {
                section: section.to_string(),
            });
        }
        let classes: Vec<String> = spec.bias.keys().cloned().collect();
        let index: FastMap<&str, u32> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i as u32))
            .collect();
        let class = |what: &str, name: &str| -> Result<u32, Error> {
            index
                .get(name)
                .copied()
                .ok_or_else(|| Error::UnknownIntent {
                    section: format!("{section}.{what}"),
                    intent: name.to_string(),
                })
        };
        let finite = |what: &str, key: &str, w: f32| {
            if w.is_finite() {
                Ok(())
            } else {
                Err(Error::BadWeight {
                    section: format!("{section}.{what}"),
                    keyword: key.to_string(),
                    weight: w,
                })
            }
        };
        for (name, &b) in &spec.bias {
            finite("bias", name, b)?;
        }
        let mut hand = Vec::new();
        for (input, weights) in &spec.hand {
            // A hand input the lexicon no longer has is ignored: its score is 0.
            let Some(index) = hand_inputs.iter().position(|i| i == input) else {
                continue;
            };
            for (name, &w) in weights {
                finite("hand", input, w)?;
                hand.push((index, class("hand", name)?, w));
            }
        }
        // (feature, class, weight), then grouped by feature: one allocation
        // rather than one per feature.
        let mut triples: Vec<(u32, u32, f32)> =
            Vec::with_capacity(spec.features.values().map(BTreeMap::len).sum());
        let mut top = 0usize;
        for (pattern, weights) in &spec.features {
            let id = feature_id(pattern)?;
            top = top.max(id + 1);
            for (name, &w) in weights {
                finite("features", pattern, w)?;
                triples.push((id as u32, class("features", name)?, w));
            }
        }
        // Feature ids are handed out in order of first use, so this is
        // usually sorted already; stable, so a feature's classes keep their order.
        triples.sort_by_key(|t| t.0);
        let mut offsets = vec![0u32; top + 1];
        for &(f, _, _) in &triples {
            offsets[f as usize + 1] += 1;
        }
        for f in 0..top {
            offsets[f + 1] += offsets[f];
        }
        let flat: Vec<(u32, f32)> = triples.into_iter().map(|(_, c, w)| (c, w)).collect();
        let (dense_row, dense) = dense_rows(&offsets, &flat, classes.len());
        Ok(Head {
            dense_row,
            dense,
            bias: spec.bias.values().copied().collect(),
            classes,
            hand,
            offsets,
            weights: flat,
            temperature: spec.temperature,
            out_of_scope_below: spec.out_of_scope_below,
            threshold: spec.threshold,
            scale: spec.scale,
        })
    }

    /// How many features have a dense row.
    #[cfg(test)]
    pub(crate) fn dense_rows(&self) -> usize {
        self.dense_row.iter().filter(|&&r| r != NO_ROW).count()
    }

    /// The weights of learned feature `f` (none when the head does not use it).
    pub(crate) fn weights_of(&self, f: usize) -> &[(u32, f32)] {
        match (self.offsets.get(f), self.offsets.get(f + 1)) {
            (Some(&a), Some(&b)) => &self.weights[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The `1/sqrt(n)` scale of this head's features in a message.
    pub(crate) fn scale_of(&self, a: &Analysis) -> f32 {
        feature_scale(match self.scale {
            Scale::Found => a.learned.len(),
            Scale::Text => a.text_features,
        })
    }

    /// Scores before the temperature: bias + hand inputs + scaled features.
    pub(crate) fn logits(&self, hand: &[f32], a: &Analysis, out: &mut Vec<f32>) {
        out.clear();
        out.resize(self.bias.len(), 0.0);
        self.logits_into(hand, a, out);
    }

    /// [`Head::logits`] into `out`, one score per class (`out.len()` is the
    /// number of classes): a caller can keep them on the stack.
    pub(crate) fn logits_into(&self, hand: &[f32], a: &Analysis, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &(input, class, w) in &self.hand {
            out[class as usize] += w * hand[input];
        }
        let scale = self.scale_of(a);
        let n = out.len();
        if self.dense.is_empty() {
            // No dense row (the anger head, few classes): the sparse adds
            // alone, without asking each feature for its row.
            for &f in &a.learned {
                for &(class, w) in self.weights_of(f as usize) {
                    out[class as usize] += scale * w;
                }
            }
            return;
        }
        for &f in &a.learned {
            match self.dense_row.get(f as usize) {
                // The same sums in the same order as the sparse add: a class
                // without weight gains `scale * 0.0`, which changes nothing.
                Some(&row) if row != NO_ROW => {
                    let weights = &self.dense[row as usize * n..][..n];
                    for (z, &w) in out.iter_mut().zip(weights) {
                        *z += scale * w;
                    }
                }
                _ => {
                    for &(class, w) in self.weights_of(f as usize) {
                        out[class as usize] += scale * w;
                    }
                }
            }
        }
    }
}

/// No dense row (see [`Head`]).
const NO_ROW: u32 = u32::MAX;
/// A feature gets a dense row when it has a weight for at least one class
/// in this many (and the head has at least `DENSE_MIN_CLASSES` classes):
/// about where a vectorised pass over every class costs what a scattered
/// add per weight does.
const DENSE_SHARE: usize = 8;
const DENSE_MIN_CLASSES: usize = 16;

/// The dense rows of the features with many weights (see [`Head`]).
fn dense_rows(offsets: &[u32], weights: &[(u32, f32)], classes: usize) -> (Vec<u32>, Vec<f32>) {
    let features = offsets.len().saturating_sub(1);
    let mut rows = vec![NO_ROW; features];
    let mut dense = Vec::new();
    if classes < DENSE_MIN_CLASSES {
        return (rows, dense);
    }
    for (f, row) in rows.iter_mut().enumerate() {
        let sparse = &weights[offsets[f] as usize..offsets[f + 1] as usize];
        if sparse.len() * DENSE_SHARE < classes {
            continue;
        }
        *row = (dense.len() / classes) as u32;
        let start = dense.len();
        dense.resize(start + classes, 0.0);
        for &(class, w) in sparse {
            dense[start + class as usize] = w;
        }
    }
    (rows, dense)
}

/// Features are binary, and the vector is L2-normalised: each counts
/// `1/sqrt(n)`.
pub(crate) fn feature_scale(n: usize) -> f32 {
    if n == 0 {
        0.0
    } else {
        1.0 / (n as f32).sqrt()
    }
}

/// The logistic function of `z / temperature`; 0.5 for a `z` that is not
/// a number (an overflowed logit, `inf - inf`).
pub(crate) fn sigmoid(z: f32, temperature: f32) -> f32 {
    if z.is_nan() {
        return 0.5;
    }
    1.0 / (1.0 + (-z / temperature).exp())
}

impl Matcher {
    /// The learned head's probabilities for a message, per head class, in
    /// `p` (one per class).
    pub(crate) fn learned_probabilities(&self, head: &Head, a: &Analysis, p: &mut [f32]) {
        head.logits_into(&a.raw[..self.hand_intents], a, p);
        softmax(p, head.temperature);
    }

    /// Top intent by the learned head. Below `out_of_scope_below` the answer
    /// is `out_of_scope`, with the probability that the top class is wrong.
    pub(crate) fn rank_learned(
        &self,
        head: &Head,
        class_intents: &[usize],
        a: &Analysis,
    ) -> (String, f32, Vec<Candidate>) {
        // The probabilities on the stack when the head has few enough
        // classes (CLINC150 has 151): no allocation per message.
        let mut stack = [0.0f32; STACK_CLASSES];
        let mut heap = Vec::new();
        let classes = head.classes.len();
        let p = if classes <= STACK_CLASSES {
            &mut stack[..classes]
        } else {
            heap.resize(classes, 0.0);
            &mut heap[..]
        };
        self.learned_probabilities(head, a, p);
        let limit = self.scoring.max_candidates.clamp(1, 5);
        let (top, kept) = top_classes(p, limit);
        let ranked = &top[..kept];
        let mut candidates: Vec<Candidate> = ranked
            .iter()
            .map(|&(c, score)| Candidate {
                intent: self.intents[class_intents[c]].clone(),
                score,
            })
            .collect();
        let (top, p_top) = ranked[0];
        if p_top < head.out_of_scope_below && class_intents[top] != self.out_of_scope {
            candidates.retain(|c| c.intent != OUT_OF_SCOPE);
            candidates.insert(
                0,
                Candidate {
                    intent: OUT_OF_SCOPE.to_string(),
                    score: 1.0 - p_top,
                },
            );
            candidates.truncate(limit);
            return (OUT_OF_SCOPE.to_string(), 1.0 - p_top, candidates);
        }
        (self.intents[class_intents[top]].clone(), p_top, candidates)
    }
}

/// Heads with at most this many classes score a message on the stack.
const STACK_CLASSES: usize = 256;

/// The `limit` (at most 5) most probable classes, best first, the lower
/// class index first among equals: one pass with the few kept in an array
/// and the least of them in a local, no sort of every class. Returns the
/// array and how many of it are kept.
fn top_classes(p: &[f32], limit: usize) -> ([(usize, f32); 5], usize) {
    let limit = limit.clamp(1, 5).min(p.len());
    let mut kept = [(0usize, f32::NEG_INFINITY); 5];
    let top = &mut kept[..limit];
    // Keeps `top` sorted: after every kept class at least as probable, so
    // equals stay in class order; the last one falls off.
    let insert = |top: &mut [(usize, f32)], mut at: usize, c: usize, x: f32| {
        while at > 0 && top[at - 1].1 < x {
            top[at] = top[at - 1];
            at -= 1;
        }
        top[at] = (c, x);
    };
    for (c, &x) in p[..limit].iter().enumerate() {
        insert(top, c, c, x);
    }
    let mut least = top[limit - 1].1;
    for (c, &x) in p.iter().enumerate().skip(limit) {
        if x > least {
            insert(top, limit - 1, c, x);
            least = top[limit - 1].1;
        }
    }
    (kept, limit)
}

/// Where a learned feature is found: an automaton pattern (keyword index),
/// or a word feature (see [`crate::words`]), named as written.
#[derive(Debug, Clone)]
pub(crate) enum Learned {
    Keyword(usize),
    Word(Box<str>),
}

/// The compiled heads, each learned feature's place, and the word features.
pub(crate) struct CompiledModel {
    pub(crate) intent_head: Option<(Head, Vec<usize>)>,
    pub(crate) anger_head: Option<Head>,
    pub(crate) learned: Vec<Learned>,
    pub(crate) words: WordFeatures,
}

/// Compiles the `[model]` heads: learned features become word features or
/// automaton patterns (merged with hand keywords written alike), classes
/// the lexicon does not know become intents.
pub(crate) fn compile_model(
    spec: &LexiconSpec,
    builder: &mut Builder,
    intents: &mut Vec<String>,
) -> Result<CompiledModel, Error> {
    let mut compiled = CompiledModel {
        intent_head: None,
        anger_head: None,
        learned: Vec::new(),
        words: WordFeatures::default(),
    };
    let Some(model) = &spec.model else {
        return Ok(compiled);
    };
    let learned = &mut compiled.learned;
    let words = &mut compiled.words;
    let mut feature_id = |pattern: &str| -> Result<usize, Error> {
        if let Some(shape) = Shape::of(pattern) {
            let next = learned.len() as u32;
            let f = words.feature(&shape, next);
            if f == next {
                learned.push(Learned::Word(shape.name().into()));
            }
            return Ok(f as usize);
        }
        let id = builder.keyword_id("model.features", pattern)?;
        let keyword = &mut builder.keywords[id];
        Ok(match keyword.learned {
            Some(f) => f as usize,
            None => {
                keyword.learned = Some(learned.len() as u32);
                learned.push(Learned::Keyword(id));
                learned.len() - 1
            }
        })
    };
    let hand_inputs: Vec<&str> = spec.intents.keys().map(String::as_str).collect();
    let intent_head = match &model.intents {
        Some(head_spec) => {
            let head = Head::compile("model.intents", head_spec, &hand_inputs, &mut feature_id)?;
            let class_intents = head
                .classes
                .iter()
                .map(|class| match intents.iter().position(|i| i == class) {
                    Some(i) => i,
                    None => {
                        intents.push(class.clone());
                        intents.len() - 1
                    }
                })
                .collect();
            Some((head, class_intents))
        }
        None => None,
    };
    let anger_head = match &model.anger {
        Some(head_spec) => Some(Head::compile(
            "model.anger",
            head_spec,
            &ANGER_INPUTS,
            &mut feature_id,
        )?),
        None => None,
    };
    compiled.intent_head = intent_head;
    compiled.anger_head = anger_head;
    Ok(compiled)
}

#[cfg(test)]
mod tests;
