//! The lexicon spec: plain data deserialised from a pack's `lexicon.toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Keywords, anger cues and scoring thresholds of a content pack.
///
/// This is plain data; [`crate::Matcher::new`] compiles it into automata.
///
/// # File format (`lexicon.toml`)
///
/// ```toml
/// # One table per intent id. Each language maps keyword -> weight.
/// # Keywords are normalised at build time (NFKC, lower case, traditional ->
/// # simplified), so write them in simplified Chinese / lower case.
/// # English keywords only match on word boundaries ("hi" does not fire inside
/// # "shipping"); Chinese keywords match anywhere. When keywords overlap, the
/// # longer one wins ("退款什么时候到账" suppresses "退款" inside it).
/// [intents.refund_status]
/// zh = { "退款" = 1.0, "到账" = 1.5 }
/// en = { "refund" = 1.0, "money back" = 1.5 }
///
/// # Sub-table form works too.
/// [intents.greeting.zh]
/// "在吗" = 2.0
///
/// [anger]
/// threshold = 0.5                       # `angry` when anger >= threshold
/// words = { "投诉" = 0.6, "scam" = 0.7 } # anger cue -> weight (both languages)
/// negations = ["不", "没有", "not"]      # a cue right after one of these is ignored
/// exclamation = 0.5                    # per run of "!!" (also question, caps_word, repetition)
///
/// [scoring]
/// out_of_scope = 1.0   # top raw score below this -> "out_of_scope"
/// temperature = 1.0    # softmax temperature for confidences
/// negations = ["不用", "不是", "no need to"]  # cancel an intent keyword right after
/// neutral = ["扫地机器人", "是不是"]           # hide what is inside them
/// ```
///
/// Weights are positive finite numbers. Every field of `[anger]` and
/// `[scoring]` has a default (see [`AngerSpec`], [`ScoringSpec`]).
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct LexiconSpec {
    /// Intent id -> its keywords. `BTreeMap` for deterministic order.
    pub intents: BTreeMap<String, IntentKeywords>,
    /// Anger cues and threshold.
    #[serde(default)]
    pub anger: AngerSpec,
    /// Thresholds for deciding the top intent.
    #[serde(default)]
    pub scoring: ScoringSpec,
}

/// The keywords of one intent, per language: keyword -> weight.
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct IntentKeywords {
    /// Chinese keywords (simplified; traditional is folded at build time).
    #[serde(default)]
    pub zh: BTreeMap<String, f32>,
    /// English keywords, matched on word boundaries.
    #[serde(default)]
    pub en: BTreeMap<String, f32>,
}

/// Anger cues: words, negations and intensity weights.
#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(default)]
pub struct AngerSpec {
    /// Anger cue -> weight (either language, emoji too; Latin cues match on
    /// word boundaries). The lexical score is the sum of the cues found.
    pub words: BTreeMap<String, f32>,
    /// Negation phrases: a cue right after one (see `negation_window`) does
    /// not count ("不生气", "not angry").
    pub negations: Vec<String>,
    /// Tokens (CJK characters or Latin words) allowed between a negation and
    /// the cue it negates; clause punctuation always ends a negation.
    pub negation_window: usize,
    /// `angry` is `anger >= threshold`.
    pub threshold: f32,
    /// Added per run of 2+ `!` (runs counted at most `max_punct_runs` times).
    pub exclamation: f32,
    /// Added per run of 2+ `?`.
    pub question: f32,
    /// Maximum number of punctuation runs that add to the score.
    pub max_punct_runs: usize,
    /// Added per ALL-CAPS English word of 3+ letters (at most 3 times).
    pub caps_word: f32,
    /// Added when a 2+ character phrase is repeated 3 times in a row (人工人工人工).
    pub repetition: f32,
}

impl Default for AngerSpec {
    fn default() -> Self {
        AngerSpec {
            words: BTreeMap::new(),
            negations: Vec::new(),
            negation_window: 1,
            threshold: 0.5,
            exclamation: 0.5,
            question: 0.3,
            max_punct_runs: 2,
            caps_word: 0.2,
            repetition: 0.3,
        }
    }
}

/// How raw keyword scores become an intent and a confidence.
#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(default)]
pub struct ScoringSpec {
    /// A top raw score (sum of matched weights) below this is `out_of_scope`.
    pub out_of_scope: f32,
    /// Softmax temperature over raw scores for the confidence; lower is sharper.
    pub temperature: f32,
    /// Maximum number of candidates reported.
    pub max_candidates: usize,
    /// Phrases that cancel an intent keyword right after them ("不用" in
    /// "不用转人工了", "不是" in "不是质量问题").
    pub negations: Vec<String>,
    /// Tokens allowed between an intent negation and its keyword.
    pub negation_window: usize,
    /// Phrases with no weight that hide the keywords, anger cues and
    /// negations inside them ("扫地机器人" hides "机器人", "是不是" hides "不是").
    pub neutral: Vec<String>,
}

impl Default for ScoringSpec {
    fn default() -> Self {
        ScoringSpec {
            out_of_scope: 1.0,
            temperature: 1.0,
            max_candidates: 5,
            negations: Vec::new(),
            negation_window: 1,
            neutral: Vec::new(),
        }
    }
}
