//! The compiled matcher: one keyword automaton, slot patterns, scoring.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::keywords::{check_parameters, check_weight, covers, Builder, Hit, Keyword};
use crate::spec::{AngerSpec, LexiconSpec, ScoringSpec};
use crate::{anger, lang, normalize::normalize_detect, slots::SlotFinder};
use crate::{Candidate, Error, Understanding};

/// The intent id used when no intent passes the threshold.
pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// A compiled lexicon: classifies shopper messages.
///
/// Immutable, `Send + Sync` and cheap to share in an `Arc`. Build once with
/// [`Matcher::new`], call [`Matcher::classify`] from any thread.
#[derive(Debug)]
pub struct Matcher {
    automaton: AhoCorasick,
    keywords: Vec<Keyword>,
    /// Intent ids by index; always includes `out_of_scope`.
    intents: Vec<String>,
    out_of_scope: usize,
    slots: SlotFinder,
    /// (intent index, weight) per slot kind: order id, tracking number,
    /// amount, phone.
    slot_weights: [Vec<(usize, f32)>; 4],
    anger: AngerSpec,
    scoring: ScoringSpec,
}

impl Matcher {
    /// Compiles a lexicon: normalises every keyword, builds the automaton
    /// and the slot patterns, checks weights and thresholds.
    pub fn new(spec: &LexiconSpec) -> Result<Matcher, Error> {
        check_parameters(spec)?;
        let mut intents: Vec<String> = spec.intents.keys().cloned().collect();
        let out_of_scope = match intents.iter().position(|i| i == OUT_OF_SCOPE) {
            Some(i) => i,
            None => {
                intents.push(OUT_OF_SCOPE.to_string());
                intents.len() - 1
            }
        };
        let mut builder = Builder::default();
        let mut any_intent_keyword = false;
        for (index, (id, keywords)) in spec.intents.iter().enumerate() {
            for (lang, words) in [("zh", &keywords.zh), ("en", &keywords.en)] {
                for (word, &weight) in words {
                    let section = format!("intents.{id}.{lang}");
                    check_weight(&section, word, weight)?;
                    let keyword = builder.keyword(&section, word)?;
                    keyword.intents.push((index, weight));
                    any_intent_keyword = true;
                }
            }
        }
        if !any_intent_keyword {
            return Err(Error::EmptyLexicon);
        }
        for (word, &weight) in &spec.anger.words {
            check_weight("anger.words", word, weight)?;
            builder.keyword("anger.words", word)?.anger += weight;
        }
        for word in &spec.anger.negations {
            builder.keyword("anger.negations", word)?.anger_negation = true;
        }
        for word in &spec.scoring.negations {
            builder.keyword("scoring.negations", word)?.intent_negation = true;
        }
        for word in &spec.scoring.neutral {
            builder.keyword("scoring.neutral", word)?.neutral = true;
        }
        let slot_weights = {
            let w = &spec.scoring.slots;
            let resolve = |name: &str, map: &std::collections::BTreeMap<String, f32>| {
                let section = format!("scoring.slots.{name}");
                map.iter()
                    .map(|(intent, &weight)| {
                        check_weight(&section, intent, weight)?;
                        let index = intents.iter().position(|i| i == intent).ok_or_else(|| {
                            Error::UnknownIntent {
                                section: section.clone(),
                                intent: intent.clone(),
                            }
                        })?;
                        Ok((index, weight))
                    })
                    .collect::<Result<Vec<_>, Error>>()
            };
            [
                resolve("order_id", &w.order_id)?,
                resolve("tracking_number", &w.tracking_number)?,
                resolve("amount", &w.amount)?,
                resolve("phone", &w.phone)?,
            ]
        };
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&builder.patterns)?;
        Ok(Matcher {
            automaton,
            keywords: builder.keywords,
            intents,
            out_of_scope,
            slots: SlotFinder::new()?,
            slot_weights,
            anger: spec.anger.clone(),
            scoring: spec.scoring.clone(),
        })
    }

    /// Every intent id this matcher can answer, `out_of_scope` included.
    pub fn intent_ids(&self) -> impl Iterator<Item = &str> {
        self.intents.iter().map(String::as_str)
    }

    /// Understands one shopper message: intent, confidence, anger, language,
    /// script and slots.
    pub fn classify(&self, text: &str) -> Understanding {
        let (normalized, traditional) = normalize_detect(text);
        let hits = self.hits(&normalized);

        let mut raw = vec![0.0f32; self.intents.len()];
        raw[self.out_of_scope] += self.scoring.out_of_scope;
        let mut lexical_anger = 0.0f32;
        // A keyword counts once per message, for intents and for anger.
        let mut counted: Vec<(usize, bool)> = Vec::with_capacity(hits.len());
        for hit in &hits {
            let keyword = &self.keywords[hit.keyword];
            if !keyword.intents.is_empty()
                && !counted.contains(&(hit.keyword, false))
                && !self.hidden(&hits, hit, |k| !k.intents.is_empty())
                && !self.negated(
                    &normalized,
                    &hits,
                    hit,
                    |k| k.intent_negation,
                    self.scoring.negation_window,
                )
            {
                counted.push((hit.keyword, false));
                for &(intent, weight) in &keyword.intents {
                    raw[intent] += weight;
                }
            }
            if keyword.anger > 0.0
                && !counted.contains(&(hit.keyword, true))
                && !self.hidden(&hits, hit, |k| k.anger > 0.0)
                && !self.negated(
                    &normalized,
                    &hits,
                    hit,
                    |k| k.anger_negation,
                    self.anger.negation_window,
                )
            {
                counted.push((hit.keyword, true));
                lexical_anger += keyword.anger;
            }
        }

        let anger =
            (lexical_anger + anger::intensity(text, &normalized, &self.anger)).clamp(0.0, 1.0);
        let slots = self.slots.find(&normalized);
        let found = [
            !slots.order_ids.is_empty(),
            !slots.tracking_numbers.is_empty(),
            !slots.amounts.is_empty(),
            !slots.phones.is_empty(),
        ];
        for (weights, _) in self.slot_weights.iter().zip(found).filter(|(_, f)| *f) {
            for &(intent, weight) in weights {
                raw[intent] += weight;
            }
        }
        let (intent, confidence, candidates) = self.rank(&raw);
        let lang = lang::detect(&normalized);
        Understanding {
            text: text.to_string(),
            intent,
            confidence,
            candidates,
            anger,
            angry: anger >= self.anger.threshold,
            lang,
            script: lang::script(lang, traditional),
            slots,
            normalized,
        }
    }

    /// Automaton hits that respect ASCII word boundaries, in order of end.
    fn hits(&self, normalized: &str) -> Vec<Hit> {
        let bytes = normalized.as_bytes();
        let word_byte = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
        self.automaton
            .find_overlapping_iter(normalized)
            .filter_map(|m| {
                let keyword = &self.keywords[m.pattern().as_usize()];
                let left_ok = !keyword.left_boundary || m.start() == 0 || !word_byte(m.start() - 1);
                let right_ok = !keyword.right_boundary || !word_byte(m.end());
                (left_ok && right_ok).then_some(Hit {
                    start: m.start(),
                    end: m.end(),
                    keyword: m.pattern().as_usize(),
                })
            })
            .collect()
    }

    /// Whether a longer hit of the same kind (or a neutral phrase) covers
    /// `hit`: the longest match wins.
    fn hidden(&self, hits: &[Hit], hit: &Hit, same_kind: impl Fn(&Keyword) -> bool) -> bool {
        hits.iter().any(|h| {
            covers(h, hit) && {
                let k = &self.keywords[h.keyword];
                k.neutral || same_kind(k)
            }
        })
    }

    /// Whether a negation of the given kind ends at most `window` tokens
    /// before `hit`. A negation inside a longer hit of any kind is no
    /// negation ("不" in "不要脸", "不是" in "是不是"), nor is one in a
    /// rhetorical question ("不是次日达吗" means it *is* promised).
    fn negated(
        &self,
        normalized: &str,
        hits: &[Hit],
        hit: &Hit,
        kind: impl Fn(&Keyword) -> bool,
        window: usize,
    ) -> bool {
        hits.iter().any(|n| {
            kind(&self.keywords[n.keyword])
                && n.end <= hit.start
                && tokens(&normalized[n.end..hit.start]) <= window
                && !hits.iter().any(|h| covers(h, n))
                && !rhetorical(&normalized[n.end..])
        })
    }

    /// Top intent, its confidence, and the ranked candidates.
    ///
    /// Scores are a softmax over the raw sums of the intents that matched
    /// and `out_of_scope`, whose raw score is the threshold (plus its own
    /// keywords): a lone weak hit stays near 0.5, a clear one nears 1.
    fn rank(&self, raw: &[f32]) -> (String, f32, Vec<Candidate>) {
        let temperature = self.scoring.temperature;
        let live = |i: &usize| raw[*i] > 0.0 || *i == self.out_of_scope;
        let max = raw.iter().copied().fold(0.0f32, f32::max);
        let total: f32 = (0..raw.len())
            .filter(live)
            .map(|i| ((raw[i] - max) / temperature).exp())
            .sum();
        let mut ranked: Vec<(usize, f32)> = (0..raw.len())
            .filter(live)
            .map(|i| (i, ((raw[i] - max) / temperature).exp() / total))
            .collect();
        // Best first; on a tie a real intent beats out_of_scope, then lexicon order.
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| (a.0 == self.out_of_scope).cmp(&(b.0 == self.out_of_scope)))
                .then_with(|| a.0.cmp(&b.0))
        });
        // The contract promises at most five candidates, whatever the pack says.
        ranked.truncate(self.scoring.max_candidates.clamp(1, 5));
        let (top, confidence) = ranked[0];
        let candidates = ranked
            .into_iter()
            .map(|(i, score)| Candidate {
                intent: self.intents[i].clone(),
                score,
            })
            .collect();
        (self.intents[top].clone(), confidence, candidates)
    }
}

/// Whether the clause starting at `rest` (up to punctuation or a space) is a
/// yes/no question with 吗/嘛, which turns a negation before it rhetorical.
fn rhetorical(rest: &str) -> bool {
    rest.chars()
        .take_while(|&c| !c.is_whitespace() && !is_clause_break(c))
        .any(|c| c == '吗' || c == '嘛')
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '!' | '?' | ';' | ':' | '。' | '、' | '~' | '…'
    )
}

/// Counts tokens: each CJK ideograph is one, each run of ASCII letters or
/// digits is one; clause punctuation counts as "too far" (`usize::MAX`).
fn tokens(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_clause_break(c) {
            return usize::MAX;
        }
        if c.is_ascii_alphanumeric() {
            if !in_word {
                count += 1;
            }
            in_word = true;
        } else {
            in_word = false;
            if lang::is_cjk(c) {
                count += 1;
            }
        }
    }
    count
}
