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
    /// The bot asked the shopper to choose with its buttons: which of two
    /// intents they meant (the message was too close to call), or an answer
    /// node with `asks = true` ("are you a robot?" → "tap for a person").
    /// The triggers read from the message's intent (asked for a person, a
    /// complaint) wait for the shopper's choice.
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
