//! What the matcher says about one message.

use serde::{Deserialize, Serialize};

/// The understanding of one shopper message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Understanding {
    /// The message as received.
    pub text: String,
    /// The message after [`crate::normalize`].
    pub normalized: String,
    /// Top intent id; `"out_of_scope"` when nothing passes the threshold.
    pub intent: String,
    /// Confidence in the top intent, in `[0, 1]`.
    pub confidence: f32,
    /// Ranked candidates, best first, at most 5, scores in `[0, 1]`.
    pub candidates: Vec<Candidate>,
    /// Anger score in `[0, 1]`.
    pub anger: f32,
    /// `anger >= ` the lexicon's anger threshold.
    pub angry: bool,
    /// Language of the message.
    pub lang: Lang,
    /// Script of the message as written.
    pub script: Script,
    /// Order ids, tracking numbers, amounts and phones found in the message.
    pub slots: Slots,
}

impl Understanding {
    /// Whether the message carries a language of its own: an ideograph or
    /// a Latin word. A pasted order id, a tracking number, digits, emoji or
    /// punctuation alone do not, and [`lang`](Understanding::lang) is then
    /// only the neutral default: a conversation answers such a message in
    /// the language it is held in.
    pub fn has_words(&self) -> bool {
        crate::lang::has_words(&self.normalized)
    }
}

/// One ranked intent candidate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Candidate {
    /// Intent id.
    pub intent: String,
    /// Score in `[0, 1]`.
    pub score: f32,
}

/// Language of a message.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Chinese (simplified or traditional, possibly mixed with Latin).
    Zh,
    /// English.
    En,
}

/// Script of a message as the shopper wrote it (replies mirror it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    /// Simplified Chinese.
    Simplified,
    /// Traditional Chinese.
    Traditional,
    /// Latin letters (English).
    Latin,
}

/// Structured values found in a message, canonical upper-case form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Slots {
    /// Order ids: `E` + 14 digits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_ids: Vec<String>,
    /// What looks like an order id but is not one (a digit missing or too
    /// many, no `E`): `E` or `e` with 8 to 20 digits, or 13 to 16 bare
    /// digits, upper-cased. Never counted as an order id; the dialogs say
    /// it was not found rather than guess another order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub malformed_order_ids: Vec<String>,
    /// Tracking numbers: `SF…`, `ZT…`, `YT…`, `YD…`, `ST…`, `JDV…`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracking_numbers: Vec<String>,
    /// Money amounts (`89元`, `¥89.5`, `$12.50`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amounts: Vec<f64>,
    /// Phone numbers (CN mobile, `+` international).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
}
