//! The compiled matcher: the keyword automaton (and its ASCII part as a
//! DFA), slot patterns, scoring.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use crate::keywords::{check_parameters, check_weight, covers, Builder, Hit, Keyword};
use crate::model::{compile_model, sigmoid, Head, Learned, ANGER_INPUTS};
use crate::spec::{AngerSpec, LexiconSpec, ScoringSpec};
use crate::{anger, lang, normalize::normalize_detect, slots::SlotFinder, words::WordFeatures};
use crate::{Candidate, Error, Understanding};

/// The intent id used when no intent passes the threshold.
pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// A compiled lexicon: classifies shopper messages.
///
/// Immutable, `Send + Sync` and cheap to share in an `Arc`. Build once with
/// [`Matcher::new`], call [`Matcher::classify`] from any thread.
#[derive(Debug)]
pub struct Matcher {
    /// Every pattern, walked byte by byte by [`Matcher::hits`].
    automaton: NFA,
    /// The automaton's unanchored start state.
    start: StateID,
    /// The patterns of only ASCII bytes, the only ones ASCII text (most
    /// messages) can hold, as a DFA: a table lookup a byte, where the NFA
    /// searched a state's transitions and followed failure links (a DFA of
    /// every pattern cost three times the instructions to build, the Chinese
    /// keywords making most of it).
    ascii: AsciiAutomaton,
    pub(crate) keywords: Vec<Keyword>,
    /// Each keyword's normalised pattern with its `*`s.
    pub(crate) names: Vec<String>,
    /// Intent ids by index: the lexicon's, then the model's other classes;
    /// always includes `out_of_scope`.
    pub(crate) intents: Vec<String>,
    /// The lexicon's intents are `intents[..hand_intents]`.
    pub(crate) hand_intents: usize,
    pub(crate) out_of_scope: usize,
    slots: SlotFinder,
    /// (intent index, weight) per slot kind: order id, tracking number,
    /// amount, phone.
    pub(crate) slot_weights: [Vec<(usize, f32)>; 4],
    pub(crate) anger: AngerSpec,
    pub(crate) scoring: ScoringSpec,
    /// The learned intent head and, per class, its index in `intents`.
    pub(crate) intent_head: Option<(Head, Vec<usize>)>,
    pub(crate) anger_head: Option<Head>,
    /// Learned feature index -> where the automaton finds it.
    pub(crate) learned: Vec<Learned>,
    /// The learned features found word by word, not by the automaton.
    words: WordFeatures,
    /// Per keyword, what the hot loop needs (8 bytes instead of a `Keyword`:
    /// a trained lexicon has tens of thousands of patterns).
    compact: Vec<Compact>,
    /// Whether a head scales by the message's own feature count.
    counts_text: bool,
    /// Learned features a byte of text may yield, for the capacity of the
    /// list of those found: 4 when the automaton finds pieces inside words
    /// (`--features pieces`: 3 pieces may end at a letter, and a word's
    /// features besides), else 1; a list that had to grow cost a `realloc`
    /// per message.
    learned_per_byte: usize,
    /// Whether `classify` reads the writing cues' anger score: not when an
    /// anger head has no weight for it (the Bitext model's has none).
    pub(crate) reads_writing: bool,
    spec: LexiconSpec,
}

/// The DFA of the patterns of only ASCII bytes (see [`Matcher`]).
#[derive(Debug)]
struct AsciiAutomaton {
    dfa: DFA,
    start: StateID,
    /// Its pattern index -> the keyword (the full automaton's pattern).
    keywords: Vec<u32>,
}

impl AsciiAutomaton {
    fn new(patterns: &[String]) -> Result<AsciiAutomaton, Error> {
        // In the order of the full automaton: equal patterns, and those
        // ending at the same byte, are listed in the same order.
        let keywords: Vec<u32> = (0..patterns.len() as u32)
            .filter(|&k| patterns[k as usize].is_ascii())
            .collect();
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .build(keywords.iter().map(|&k| &patterns[k as usize]))?;
        let start = dfa
            .start_state(Anchored::No)
            .map_err(|e| Error::Pattern(format!("keyword automaton: {e}")))?;
        Ok(AsciiAutomaton {
            dfa,
            start,
            keywords,
        })
    }
}

/// A keyword's boundary flags, whether the hand rules use it, and its
/// learned feature index (`u32::MAX` for none). Kept at 8 bytes: carrying
/// the intent weights' range here (16 bytes) saved a lookup per feature but
/// made a CLINC150 classify about 10 % slower, the larger table missing the
/// cache more often.
#[derive(Debug, Clone, Copy)]
struct Compact {
    left_boundary: bool,
    right_boundary: bool,
    hand: bool,
    learned: u32,
}

impl Compact {
    fn of(k: &Keyword) -> Compact {
        Compact {
            left_boundary: k.left_boundary,
            right_boundary: k.right_boundary,
            hand: !k.intents.is_empty()
                || k.anger > 0.0
                || k.anger_negation
                || k.calm
                || k.intent_negation
                || k.neutral,
            learned: k.learned.unwrap_or(u32::MAX),
        }
    }
}

/// What the automaton and the hand rules make of a message, before ranking.
pub(crate) struct Analysis {
    pub(crate) normalized: String,
    pub(crate) traditional: bool,
    /// Hand raw score per intent (keywords, slots, the out-of-scope floor).
    pub(crate) raw: Vec<f32>,
    /// (keyword, counted for intents) pairs, in order of hits.
    pub(crate) counted: Vec<(usize, bool)>,
    pub(crate) lexical_anger: f32,
    pub(crate) writing_anger: f32,
    pub(crate) slots: crate::Slots,
    /// Distinct learned features found, ascending.
    pub(crate) learned: Vec<u32>,
    /// Features of the message whether a model knows them or not
    /// ([`crate::features::count`]).
    pub(crate) text_features: usize,
}

impl Matcher {
    /// Compiles a lexicon: normalises every keyword, builds the automaton
    /// and the slot patterns, checks weights and thresholds.
    pub fn new(spec: &LexiconSpec) -> Result<Matcher, Error> {
        Matcher::from_spec(spec.clone())
    }

    /// [`Matcher::new`], keeping the lexicon it is given rather than a copy
    /// (a trained model's weights are worth not copying when loading).
    pub fn from_spec(spec: LexiconSpec) -> Result<Matcher, Error> {
        let compiled = Matcher::compile(&spec)?;
        Ok(Matcher { spec, ..compiled })
    }

    fn compile(spec: &LexiconSpec) -> Result<Matcher, Error> {
        check_parameters(spec)?;
        let mut intents: Vec<String> = spec.intents.keys().cloned().collect();
        let out_of_scope = match intents.iter().position(|i| i == OUT_OF_SCOPE) {
            Some(i) => i,
            None => {
                intents.push(OUT_OF_SCOPE.to_string());
                intents.len() - 1
            }
        };
        let hand_intents = spec.intents.len();
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
        for word in &spec.anger.calm {
            builder.keyword("anger.calm", word)?.calm = true;
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
        let model = compile_model(spec, &mut builder, &mut intents)?;
        let (intent_head, anger_head) = (model.intent_head, model.anger_head);
        // A contiguous NFA is what `AhoCorasick` picks for this many
        // patterns, and the fastest here (a DFA was slower on short messages).
        let automaton = NFA::builder()
            .match_kind(MatchKind::Standard)
            .build(&builder.patterns)?;
        let start = automaton
            .start_state(Anchored::No)
            .map_err(|e| Error::Pattern(format!("keyword automaton: {e}")))?;
        Ok(Matcher {
            ascii: AsciiAutomaton::new(&builder.patterns)?,
            automaton,
            start,
            compact: builder.keywords.iter().map(Compact::of).collect(),
            learned_per_byte: if builder
                .keywords
                .iter()
                .zip(&builder.patterns)
                .any(|(k, p)| {
                    k.learned.is_some()
                        && !k.left_boundary
                        && p.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                }) {
                4
            } else {
                1
            },
            counts_text: intent_head
                .iter()
                .map(|(h, _)| h)
                .chain(anger_head.iter())
                .any(|h| h.scale == crate::model::Scale::Text),
            reads_writing: anger_head.as_ref().is_none_or(|head| {
                head.hand
                    .iter()
                    .any(|&(input, _, _)| ANGER_INPUTS[input] == "writing")
            }),
            keywords: builder.keywords,
            names: builder.names,
            intents,
            hand_intents,
            out_of_scope,
            slots: SlotFinder::new()?,
            slot_weights,
            anger: spec.anger.clone(),
            scoring: spec.scoring.clone(),
            intent_head,
            anger_head,
            learned: model.learned,
            words: model.words,
            spec: LexiconSpec::default(),
        })
    }

    /// A learned feature as written in the model (`"refu*"`, `"my order"`).
    pub(crate) fn learned_name(&self, f: usize) -> String {
        match &self.learned[f] {
            Learned::Keyword(k) => self.names[*k].clone(),
            Learned::Word(name) => name.to_string(),
        }
    }

    /// The lexicon this matcher was compiled from (its model included).
    pub fn spec(&self) -> &LexiconSpec {
        &self.spec
    }

    /// Whether the lexicon carries learned weights for intents or anger.
    pub fn is_trained(&self) -> bool {
        self.intent_head.is_some() || self.anger_head.is_some()
    }

    /// Every intent id this matcher can answer, `out_of_scope` included.
    pub fn intent_ids(&self) -> impl Iterator<Item = &str> {
        self.intents.iter().map(String::as_str)
    }

    /// Understands one shopper message: intent, confidence, anger, language,
    /// script and slots.
    pub fn classify(&self, text: &str) -> Understanding {
        let a = self.analyse_with(text, self.reads_writing);
        let (intent, confidence, candidates) = match &self.intent_head {
            Some((head, class_intents)) => self.rank_learned(head, class_intents, &a),
            None => self.rank(&a.raw),
        };
        let (anger, angry) = self.anger_of(&a);
        let lang = lang::detect(&a.normalized);
        Understanding {
            text: text.to_string(),
            intent,
            confidence,
            candidates,
            anger,
            angry,
            lang,
            script: lang::script(lang, a.traditional),
            slots: a.slots,
            normalized: a.normalized,
        }
    }

    /// Anger score and decision: the learned head when there is one, else
    /// the hand cues.
    pub(crate) fn anger_of(&self, a: &Analysis) -> (f32, bool) {
        match &self.anger_head {
            Some(head) => {
                let p = sigmoid(self.anger_logit(head, a), head.temperature);
                (p, p >= head.threshold)
            }
            None => {
                let anger = (a.lexical_anger + a.writing_anger).clamp(0.0, 1.0);
                (anger, anger >= self.anger.threshold)
            }
        }
    }

    pub(crate) fn anger_logit(&self, head: &Head, a: &Analysis) -> f32 {
        let hand = [a.lexical_anger, a.writing_anger];
        if let [bias] = head.bias[..] {
            // One class, as written by `xiaoer train`: on the stack.
            let mut z = [bias];
            head.logits_into(&hand, a, &mut z);
            return z[0];
        }
        let mut z = Vec::new();
        head.logits(&hand, a, &mut z);
        z[0]
    }

    /// Hand scores and learned features of one message.
    pub(crate) fn analyse(&self, text: &str) -> Analysis {
        self.analyse_with(text, true)
    }

    /// [`Matcher::analyse`], with the writing cues' anger score left at 0
    /// unless `writing` (no answer depends on it when an anger head does not
    /// weigh it: see `reads_writing`).
    fn analyse_with(&self, text: &str, writing: bool) -> Analysis {
        let (normalized, traditional) = normalize_detect(text);
        let mut learned = Vec::with_capacity(normalized.len() * self.learned_per_byte + 8);
        let hits = self.hits(&normalized, &mut learned);
        // The word lookups read the words `features::count` counts: they
        // count them on the way.
        let word_count =
            (!self.words.is_empty()).then(|| self.words.find(&normalized, &mut learned));

        let mut raw = vec![0.0f32; self.intents.len()];
        raw[self.out_of_scope] += self.scoring.out_of_scope;
        let mut lexical_anger = 0.0f32;
        // Where friendly words (`anger.calm`, not negated) end.
        let mut calm_ends: Vec<usize> = Vec::new();
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
            if keyword.calm
                && !self.negated(
                    &normalized,
                    &hits,
                    hit,
                    |k| k.anger_negation,
                    self.anger.negation_window,
                )
            {
                calm_ends.push(hit.end);
            }
        }
        sort_features(&mut learned, self.learned.len());

        // With no anger word, a "!!" right after a friendly word is
        // enthusiasm ("love it!!", "谢谢亲!!"); one further on is not
        // ("感谢你们让我等了三天!!!", "perfect, another delay!!!").
        let friendly = |run: usize| {
            lexical_anger == 0.0
                && calm_ends
                    .iter()
                    .any(|&end| end <= run && tokens(&normalized[end..run]) <= CALM_WINDOW)
        };
        let writing_anger = if writing {
            anger::intensity(text, &normalized, &self.anger, &friendly)
        } else {
            0.0
        };
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
        Analysis {
            traditional,
            raw,
            counted,
            lexical_anger,
            writing_anger,
            slots,
            learned,
            text_features: match (self.counts_text, word_count) {
                (false, _) => 0,
                (true, Some(words)) => crate::features::cjk_count(&normalized) + words,
                (true, None) => crate::features::count(&normalized),
            },
            normalized,
        }
    }

    /// Automaton hits that respect ASCII word boundaries, in order of end:
    /// the hits of hand patterns (keywords, cues, negations, neutral
    /// phrases), and the learned features found, pushed to `learned`.
    ///
    /// Learned features stay out of the hand hits so that they cannot change
    /// the hand rules: a learned "不是要" must not hide the negation "不是"
    /// inside it, or the hand scores would differ from those trained on.
    fn hits(&self, normalized: &str, learned: &mut Vec<u32>) -> Vec<Hit> {
        if normalized.is_ascii() {
            let ascii = &self.ascii;
            self.walk(
                &ascii.dfa,
                ascii.start,
                |p| ascii.keywords[p] as usize,
                normalized,
                learned,
            )
        } else {
            self.walk(&self.automaton, self.start, |p| p, normalized, learned)
        }
    }

    /// [`Matcher::hits`] by one automaton whose pattern `p` is keyword
    /// `keyword(p)`.
    fn walk(
        &self,
        automaton: &impl Automaton,
        start: StateID,
        keyword: impl Fn(usize) -> usize,
        normalized: &str,
        learned: &mut Vec<u32>,
    ) -> Vec<Hit> {
        let bytes = normalized.as_bytes();
        let word_byte = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
        let mut hits = Vec::with_capacity(8);
        // The automaton walked by hand rather than through
        // `find_overlapping_iter`: the same hits in the same order (by end,
        // then as the state lists them), without a call per hit.
        let mut sid = start;
        for (i, &byte) in bytes.iter().enumerate() {
            sid = automaton.next_state(Anchored::No, sid, byte);
            if !automaton.is_match(sid) {
                continue;
            }
            let end = i + 1;
            for k in 0..automaton.match_len(sid) {
                let pattern = automaton.match_pattern(sid, k);
                let start = end - automaton.pattern_len(pattern);
                let index = keyword(pattern.as_usize());
                let keyword = &self.compact[index];
                let left_ok = !keyword.left_boundary || start == 0 || !word_byte(start - 1);
                let right_ok = !keyword.right_boundary || !word_byte(end);
                if !(left_ok && right_ok) {
                    continue;
                }
                if keyword.learned != u32::MAX {
                    learned.push(keyword.learned);
                }
                if keyword.hand {
                    hits.push(Hit {
                        start,
                        end,
                        keyword: index,
                    });
                }
            }
        }
        hits
    }

    /// Whether a longer hit of the same kind (or a neutral phrase) covers
    /// `hit`: the longest match wins.
    pub(crate) fn hidden(
        &self,
        hits: &[Hit],
        hit: &Hit,
        same_kind: impl Fn(&Keyword) -> bool,
    ) -> bool {
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
            n.end <= hit.start
                && kind(&self.keywords[n.keyword])
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
    pub(crate) fn rank(&self, raw: &[f32]) -> (String, f32, Vec<Candidate>) {
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

/// Sorts learned feature ids (all below `bound`) and removes repeats.
///
/// A model of up to 4,096 features (Bitext's has 3,933) goes through a
/// bitmap on the stack: a bit set per id, then the ids read back in order
/// by the words in use, fewer instructions than `sort_unstable` and `dedup`
/// for the few dozen ids of a message. A larger bitmap (32,768 features,
/// for CLINC150's 28,725) cost more than the sort: zeroing it and reading
/// it back outweighed sorting a few dozen ids.
fn sort_features(ids: &mut Vec<u32>, bound: usize) {
    const WORDS: usize = 64;
    if ids.len() < 2 {
        return;
    }
    if bound > WORDS * 64 {
        ids.sort_unstable();
        ids.dedup();
        return;
    }
    let mut words = [0u64; WORDS];
    let mut used = 0u64;
    for &id in ids.iter() {
        let word = id as usize / 64;
        words[word] |= 1 << (id % 64);
        used |= 1 << word;
    }
    ids.clear();
    while used != 0 {
        let word = used.trailing_zeros() as usize;
        used &= used - 1;
        let mut bits = words[word];
        while bits != 0 {
            ids.push((word * 64) as u32 + bits.trailing_zeros());
            bits &= bits - 1;
        }
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
/// Tokens (see [`tokens`]) a friendly word may lie before the `!!` it
/// softens: "thank you so much!!!", "太喜欢了!!!", "amazing quality!!".
const CALM_WINDOW: usize = 3;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_ids_sort_and_lose_repeats_alike_at_every_size() {
        for bound in [1usize, 64, 4096, 4097, 32_768, 40_000] {
            let mut ids: Vec<u32> = (0..200u32)
                .map(|i| (i * 7919 + 13) % bound as u32)
                .chain([0, bound as u32 - 1, 0])
                .collect();
            let mut expected = ids.clone();
            expected.sort_unstable();
            expected.dedup();
            sort_features(&mut ids, bound);
            assert_eq!(ids, expected, "{bound}");
        }
        let mut none = Vec::new();
        sort_features(&mut none, 10);
        assert!(none.is_empty());
    }

    /// ASCII text is walked by the DFA of the ASCII patterns: the same hits
    /// in the same order as the full automaton's, and the same learned
    /// features.
    #[test]
    fn the_ascii_automaton_finds_what_the_full_one_does() {
        let text = include_str!("../../dialogs/pack/lexicon.toml");
        let spec: LexiconSpec = toml::from_str(text).unwrap();
        let m = Matcher::new(&spec).unwrap();
        let mut found = 0;
        for message in [
            "where is my order?? i want a refund not an exchange",
            "dont cancel it, not angry just asking. thanks!!",
            "hi hi hi can i talk to a human agent",
            "refund refunds refunded: order e20261111000123, sf1402839475820",
            "this is the worst service ever, scam!!! f***",
            "",
        ] {
            let normalized = crate::normalize(message);
            let (mut by_dfa, mut by_nfa) = (Vec::new(), Vec::new());
            let dfa = m.hits(&normalized, &mut by_dfa);
            let nfa = m.walk(&m.automaton, m.start, |p| p, &normalized, &mut by_nfa);
            let spans = |hits: &[Hit]| -> Vec<(usize, usize, usize)> {
                hits.iter().map(|h| (h.start, h.end, h.keyword)).collect()
            };
            assert_eq!(spans(&dfa), spans(&nfa), "{message}");
            assert_eq!(by_dfa, by_nfa, "{message}");
            found += dfa.len();
        }
        assert!(found > 10, "{found} hits");
    }
}
