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
/// # One table per intent id; each language maps keyword -> weight.
/// # Keywords are normalised at build time like messages (NFKC, lower case,
/// # traditional -> simplified, apostrophes dropped), so "退貨" and "退货",
/// # "Don't" and "dont" are the same keyword.
/// # A keyword that starts or ends with an ASCII letter or digit matches
/// # only at an ASCII word boundary on that side ("hi" does not fire inside
/// # "shipping", "12315" not inside a longer number); CJK keywords match
/// # anywhere. A trailing `*` lifts the right boundary: "refund*" matches
/// # "refunds", "refunded".
/// # When keywords overlap, the longer one wins: "退款" inside
/// # "退款什么时候到账" is not counted. Each keyword counts once per message.
/// # An intent's raw score is the sum of the weights of its keywords found.
/// [intents.refund_status]
/// zh = { "退款" = 1.0, "什么时候到账" = 3.0 }
/// en = { "refund*" = 2.0, "money back" = 2.5 }
///
/// # Sub-table form works too.
/// [intents.greeting.zh]
/// "在吗" = 2.0
///
/// # Optional: off-topic cues raise out_of_scope above its threshold.
/// [intents.out_of_scope]
/// zh = { "天气" = 2.0 }
///
/// [anger]
/// threshold = 0.5                       # `angry` when anger >= threshold
/// words = { "骗子" = 0.8, "scam" = 0.8 } # anger cue -> weight (any language, emoji too)
/// negations = ["不", "没有", "not"]      # a cue right after one of these is ignored
/// negation_window = 1                   # tokens allowed between negation and cue
/// exclamation = 0.5                     # per run of "!!" ...
/// question = 0.3                        # ... per run of "??"
/// max_punct_runs = 2
/// caps_word = 0.2                       # per ALL-CAPS English word (at most 3)
/// repetition = 0.3                      # "人工人工人工"
/// masked = 0.6                          # per masked swear word "f***" (at most 2)
/// elongation = 0.1                      # a stretched word, "sooo"
/// calm = ["谢谢", "love"]                # friendly: "!!" alone is not anger then
///
/// [scoring]
/// out_of_scope = 1.0     # the best raw score must reach this, else "out_of_scope"
/// temperature = 1.0      # softmax temperature for confidences
/// max_candidates = 5     # at most 5 whatever is written
/// negations = ["不用", "不是", "no need to"]  # cancel an intent keyword right after
/// negation_window = 1
/// neutral = ["扫地机器人", "是不是"]           # no weight; hide what is inside them
///
/// # Slots found in the message add weight to intents, like keywords.
/// [scoring.slots]
/// tracking_number = { track_package = 1.0 }
/// amount = { refund_amount = 0.5 }
/// ```
///
/// A negation inside a longer match ("不" in "不要脸") or before a 吗/嘛
/// question in the same clause ("不是次日达吗") does not negate. Anger is
/// the sum of cue weights plus writing cues, capped at 1. Weights are
/// positive finite numbers. Every field of `[anger]` and `[scoring]` has a
/// default (see [`AngerSpec`], [`ScoringSpec`]).
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct LexiconSpec {
    /// Intent id -> its keywords. `BTreeMap` for deterministic order.
    pub intents: BTreeMap<String, IntentKeywords>,
    /// Anger cues and threshold.
    #[serde(default)]
    pub anger: AngerSpec,
    /// Thresholds for deciding the top intent.
    #[serde(default)]
    pub scoring: ScoringSpec,
    /// Learned weights (`xiaoer train`), when the pack has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<crate::model::ModelSpec>,
}

/// The keywords of one intent, per language: keyword -> weight.
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
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
#[serde(default, deny_unknown_fields)]
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
    /// Added per masked swear word ("f***", "sh*t"; at most 2).
    pub masked: f32,
    /// Added when a word is stretched ("sooo", "whyyy").
    pub elongation: f32,
    /// Words of a friendly message: thanks, praise, a polite greeting
    /// ("谢谢", "喜欢", "love", "thanks", "请问"). When one is present (not
    /// negated: "不喜欢" is no such word) and no anger cue is, runs of `!`
    /// are enthusiasm ("love it!!", "谢谢亲!!"), not anger.
    pub calm: Vec<String>,
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
            masked: 0.0,
            elongation: 0.0,
            calm: Vec::new(),
        }
    }
}

/// How raw keyword scores become an intent and a confidence.
#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(default, deny_unknown_fields)]
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
    /// Weights that found slots add to intents.
    pub slots: SlotWeights,
}

/// Per slot kind: intent id -> weight added when the message has such a slot
/// (once, however many). A pasted tracking number hints at tracking, an
/// amount at money questions.
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SlotWeights {
    /// When the message has an order id.
    pub order_id: BTreeMap<String, f32>,
    /// When the message has a tracking number.
    pub tracking_number: BTreeMap<String, f32>,
    /// When the message has a money amount.
    pub amount: BTreeMap<String, f32>,
    /// When the message has a phone number.
    pub phone: BTreeMap<String, f32>,
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
            slots: SlotWeights::default(),
        }
    }
}
