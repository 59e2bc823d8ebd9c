//! What the bot says back: the output of one turn, serialisable as JSON.

use serde::{Deserialize, Serialize};

/// The bot's answer to one shopper message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reply {
    /// The text to show, already in the shopper's language and script.
    pub text: String,
    /// Quick replies; pressing one sends its payload as the shopper's text.
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// The pack asks for a human (a handoff node), with a reason code such as
    /// `lost_parcel`, `damaged_parcel`, `human_agent`, `complaint`.
    #[serde(default)]
    pub handoff: Option<HandoffRequest>,
    /// Order ids this turn talked about (for the agent's context).
    #[serde(default)]
    pub orders: Vec<String>,
    /// `false` when the bot did not understand (fallback answer): feeds the
    /// "not understood N turns" trigger.
    pub understood: bool,
    /// The content pack's flow that answered, e.g. `cancel_order`: what the
    /// message meant in the conversation when the message alone does not
    /// say (是的 to the bot's question, a bare order id). `None` when no
    /// flow ran (a clarifying question, a failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// The bot asked which of two intents the shopper meant (the message
    /// was too close to call): the message's intent is a guess, so the
    /// triggers read from it (asked for a person, a complaint) wait for the
    /// shopper's choice; one of the buttons may be "talk to a person".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clarifying: bool,
}

/// A quick-reply button.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Button {
    /// What the button shows.
    pub label: String,
    /// What is sent back as the shopper's text when pressed.
    pub payload: String,
}

/// The pack's request to hand the conversation to a human.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HandoffRequest {
    /// Reason code, e.g. `lost_parcel`, `damaged_parcel`, `human_agent`.
    pub reason: String,
    /// A line for the agent, e.g. which order and what was seen.
    pub note: Option<String>,
}
