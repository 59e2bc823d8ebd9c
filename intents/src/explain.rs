//! Why the matcher said what it said: the terms behind each candidate.

use serde::{Deserialize, Serialize};

use crate::matcher::Analysis;
use crate::{Matcher, Understanding};

/// The understanding of a message and, per candidate, what added up to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Explanation {
    /// What [`Matcher::classify`] returns for the message.
    pub understanding: Understanding,
    /// Per candidate, in rank order: the candidate's score before the
    /// softmax and the terms that make it up, largest first.
    pub candidates: Vec<CandidateTerms>,
    /// The terms of the anger score.
    pub anger: Vec<Term>,
}

/// The terms of one candidate's score.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CandidateTerms {
    /// Intent id.
    pub intent: String,
    /// The sum of the terms (raw hand score, or the learned logit).
    pub total: f32,
    /// The terms, largest absolute value first.
    pub terms: Vec<Term>,
}

/// One addend of a score.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Term {
    /// What fired: a keyword or feature pattern, a slot kind, `bias`…
    pub feature: String,
    /// Where the weight comes from.
    pub kind: TermKind,
    /// What it adds to the score.
    pub weight: f32,
}

/// Where a term's weight comes from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// A hand keyword of the lexicon.
    Keyword,
    /// A slot found in the message (`[scoring.slots]`).
    Slot,
    /// The out-of-scope floor (`[scoring] out_of_scope`).
    Threshold,
    /// A learned feature, already scaled by `1/sqrt(features found)`.
    Learned,
    /// A learned weight on a hand score (an intent's keyword sum, or hand anger).
    Hand,
    /// A learned class bias.
    Bias,
    /// A hand anger cue or writing intensity.
    Anger,
}

const SLOT_KINDS: [&str; 4] = ["order_id", "tracking_number", "amount", "phone"];

impl Matcher {
    /// Classifies `text` and lists, per candidate, the keywords and learned
    /// features that fired with the weight each added.
    pub fn explain(&self, text: &str) -> Explanation {
        let understanding = self.classify(text);
        let a = self.analyse(text);
        let candidates = understanding
            .candidates
            .iter()
            .map(|c| {
                let index = self.intents.iter().position(|i| *i == c.intent);
                let terms = match (index, &self.intent_head) {
                    (Some(i), Some((head, classes))) => {
                        match classes.iter().position(|&x| x == i) {
                            Some(class) => self.learned_terms(head, class, &a.raw, &a, |input| {
                                self.intents[input].clone()
                            }),
                            // out_of_scope by threshold: no class of the head.
                            None => Vec::new(),
                        }
                    }
                    (Some(i), None) => self.hand_terms(i, &a),
                    (None, _) => Vec::new(),
                };
                finish(c.intent.clone(), terms)
            })
            .collect();
        let anger = match &self.anger_head {
            Some(head) => {
                let hand = [a.lexical_anger, a.writing_anger];
                self.learned_terms(head, 0, &hand, &a, |input| {
                    crate::model::ANGER_INPUTS[input].to_string()
                })
            }
            None => self.hand_anger_terms(&a),
        };
        let anger = finish(String::new(), anger).terms;
        Explanation {
            understanding,
            candidates,
            anger,
        }
    }

    fn hand_terms(&self, intent: usize, a: &Analysis) -> Vec<Term> {
        let mut terms: Vec<Term> = a
            .counted
            .iter()
            .filter(|(_, anger)| !anger)
            .flat_map(|&(k, _)| {
                self.keywords[k]
                    .intents
                    .iter()
                    .filter(move |(i, _)| *i == intent)
                    .map(move |&(_, weight)| Term {
                        feature: self.names[k].clone(),
                        kind: TermKind::Keyword,
                        weight,
                    })
            })
            .collect();
        let found = [
            !a.slots.order_ids.is_empty(),
            !a.slots.tracking_numbers.is_empty(),
            !a.slots.amounts.is_empty(),
            !a.slots.phones.is_empty(),
        ];
        for ((weights, kind), found) in self.slot_weights.iter().zip(SLOT_KINDS).zip(found) {
            for &(_, weight) in weights.iter().filter(|(i, _)| found && *i == intent) {
                terms.push(Term {
                    feature: kind.to_string(),
                    kind: TermKind::Slot,
                    weight,
                });
            }
        }
        if intent == self.out_of_scope && self.scoring.out_of_scope > 0.0 {
            terms.push(Term {
                feature: "out_of_scope".to_string(),
                kind: TermKind::Threshold,
                weight: self.scoring.out_of_scope,
            });
        }
        terms
    }

    fn learned_terms(
        &self,
        head: &crate::model::Head,
        class: usize,
        hand: &[f32],
        a: &Analysis,
        hand_name: impl Fn(usize) -> String,
    ) -> Vec<Term> {
        let mut terms = vec![Term {
            feature: "bias".to_string(),
            kind: TermKind::Bias,
            weight: head.bias[class],
        }];
        for &(input, c, w) in &head.hand {
            if c as usize == class && hand[input] != 0.0 {
                terms.push(Term {
                    feature: hand_name(input),
                    kind: TermKind::Hand,
                    weight: w * hand[input],
                });
            }
        }
        let scale = head.scale_of(a);
        for &f in &a.learned {
            for &(c, w) in head.weights_of(f as usize) {
                if c as usize == class {
                    terms.push(Term {
                        feature: self.learned_name(f as usize),
                        kind: TermKind::Learned,
                        weight: scale * w,
                    });
                }
            }
        }
        terms
    }

    fn hand_anger_terms(&self, a: &Analysis) -> Vec<Term> {
        let mut terms: Vec<Term> = a
            .counted
            .iter()
            .filter(|(_, anger)| *anger)
            .map(|&(k, _)| Term {
                feature: self.names[k].clone(),
                kind: TermKind::Anger,
                weight: self.keywords[k].anger,
            })
            .collect();
        if a.writing_anger > 0.0 {
            terms.push(Term {
                feature: "writing".to_string(),
                kind: TermKind::Anger,
                weight: a.writing_anger,
            });
        }
        terms
    }
}

fn finish(intent: String, mut terms: Vec<Term>) -> CandidateTerms {
    terms.sort_by(|x, y| y.weight.abs().total_cmp(&x.weight.abs()));
    CandidateTerms {
        intent,
        total: terms.iter().map(|t| t.weight).sum(),
        terms,
    }
}
