//! Dialog trees (`flows/<name>.toml`): nodes joined by name.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::parse_toml;
use super::Problem;

/// One flow file: which intents start it, where it starts, its nodes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Flow {
    /// Intent ids that start this flow.
    pub(crate) intents: Vec<String>,
    /// The first node.
    pub(crate) start: String,
    /// Where a "why?" right after this flow's answer goes (为什么不能退,
    /// "why so slow?"): a node that explains, usually a lookup of the
    /// remembered order and a branch on its facts. Without it such a
    /// question is not understood.
    #[serde(default)]
    pub(crate) why: Option<String>,
    pub(crate) nodes: BTreeMap<String, Node>,
    /// Set after parsing: `flows/<name>.toml`.
    #[serde(skip)]
    pub(crate) file: String,
}

/// A step of a dialog. Each kind either moves on to another node in the same
/// turn (branch, lookup, answer with `next`) or ends the turn with a reply.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Node {
    /// Say a template, optionally with buttons, then stop or go on.
    Answer {
        say: String,
        /// Menu topics (`pack.toml` `menu`, texts `menu.<topic>.*`) offered as buttons.
        #[serde(default)]
        buttons: Vec<String>,
        /// Offer the whole main menu.
        #[serde(default)]
        menu: bool,
        #[serde(default)]
        next: Option<String>,
        /// `false` marks a fallback answer (the bot did not understand).
        #[serde(default = "yes")]
        understood: bool,
        /// The answer asks the shopper to choose with its buttons ("你是
        ///机器人吗" → "I'm the shop's assistant; tap for a person"): the
        /// triggers read from the message's intent wait for the choice
        /// (`Reply::clarifying`).
        #[serde(default)]
        asks: bool,
    },
    /// Ask for a slot; re-prompt with `retry` up to `attempts` times, then `give_up`.
    Ask {
        slot: Slot,
        say: String,
        #[serde(default)]
        retry: Option<String>,
        #[serde(default = "two")]
        attempts: u32,
        next: String,
        #[serde(default)]
        give_up: Option<String>,
    },
    /// Find the order the shopper means (named, remembered, or the only
    /// candidate), offer candidates as buttons when several, and go on.
    Lookup {
        /// Which of the shopper's orders are candidates when none is named.
        #[serde(default)]
        filter: Option<String>,
        found: String,
        /// Where to go when no order is a candidate (default: `order.none`).
        #[serde(default)]
        none: Option<String>,
        /// The only candidate is offered as a button rather than taken,
        /// when the message did not name it (by id, item, or an earlier
        /// turn): for a flow whose next step cannot be undone (cancelling).
        #[serde(default)]
        offer_single: bool,
    },
    /// Go to the first case whose condition holds, else to `else`.
    Branch {
        cases: Vec<Case>,
        #[serde(rename = "else")]
        otherwise: String,
    },
    /// Ask yes or no with two buttons.
    Confirm {
        say: String,
        yes: String,
        no: String,
        #[serde(default = "yes_label")]
        yes_label: String,
        #[serde(default = "no_label")]
        no_label: String,
    },
    /// Say a template and ask for a human with a reason code.
    Handoff {
        reason: String,
        say: String,
        /// Template of a line for the agent.
        #[serde(default)]
        note: Option<String>,
    },
    /// Cancel the order the flow is about in the shop (through
    /// [`Commerce::cancel_order`](crate::Commerce::cancel_order)), after
    /// checking again that it is the shopper's and has not shipped. The
    /// order's facts are those after the attempt either way.
    Cancel {
        /// Where to go once the shop has cancelled it.
        done: String,
        /// Where to go when it can no longer be cancelled (it shipped or was
        /// cancelled since the question was asked).
        refused: String,
        /// Where to go when the shop refuses although the order still reads
        /// cancellable (the merchant's system knows something its facts do
        /// not say: a warehouse lock, a fraud hold); usually a `handoff`,
        /// whose note for the agent gets the shop's words added. Without
        /// it, such a refusal is handled as the shop failing.
        #[serde(default)]
        declined: Option<String>,
    },
    /// End the flow, optionally saying something.
    End {
        #[serde(default)]
        say: Option<String>,
    },
}

fn yes() -> bool {
    true
}
fn two() -> u32 {
    2
}
fn yes_label() -> String {
    "confirm.yes".into()
}
fn no_label() -> String {
    "confirm.no".into()
}

/// One case of a branch.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    pub(crate) when: String,
    pub(crate) goto: String,
}

/// What an `ask` node collects from the shopper's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Slot {
    OrderId,
    TrackingNumber,
    Phone,
    Amount,
}

impl Slot {
    /// The slot's name: `{slot.<name>}` in templates, `DialogState::slots` key.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Slot::OrderId => "order_id",
            Slot::TrackingNumber => "tracking_number",
            Slot::Phone => "phone",
            Slot::Amount => "amount",
        }
    }
}

impl Node {
    /// Nodes this one may lead to.
    pub(crate) fn targets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            Node::Answer { next, .. } => out.extend(next.as_deref()),
            Node::Ask { next, give_up, .. } => {
                out.push(next);
                out.extend(give_up.as_deref());
            }
            Node::Lookup { found, none, .. } => {
                out.push(found);
                out.extend(none.as_deref());
            }
            Node::Branch { cases, otherwise } => {
                out.extend(cases.iter().map(|c| c.goto.as_str()));
                out.push(otherwise);
            }
            Node::Confirm { yes, no, .. } => out.extend([yes.as_str(), no.as_str()]),
            Node::Cancel {
                done,
                refused,
                declined,
            } => {
                out.extend([done.as_str(), refused.as_str()]);
                out.extend(declined.as_deref());
            }
            Node::Handoff { .. } | Node::End { .. } => {}
        }
        out
    }

    /// Menu topics this node offers as buttons.
    pub(crate) fn buttons(&self) -> &[String] {
        match self {
            Node::Answer { buttons, .. } => buttons,
            _ => &[],
        }
    }

    /// Whether this node settles the order the flow is about (its facts
    /// are known after it).
    pub(crate) fn finds_order(&self) -> bool {
        matches!(self, Node::Lookup { .. } | Node::Cancel { .. })
    }
}

impl Flow {
    /// Parses one flow file. Only the shape is checked here; whether its
    /// names, conditions and templates hold together is for `check`.
    pub(crate) fn parse(file: &str, text: &str) -> Result<Flow, Problem> {
        let mut flow: Flow = parse_toml(file, text)?;
        flow.file = file.to_string();
        Ok(flow)
    }
}
