//! Dialog trees (`flows/<name>.toml`): nodes joined by name.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::{line_mentioning, parse_toml};
use super::PackError;
use crate::condition::Condition;

/// One flow file: which intents start it, where it starts, its nodes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Flow {
    /// Intent ids that start this flow.
    pub(crate) intents: Vec<String>,
    /// The first node.
    pub(crate) start: String,
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
            Node::Handoff { .. } | Node::End { .. } => {}
        }
        out
    }

    /// Template keys this node says.
    pub(crate) fn templates(&self) -> Vec<&str> {
        match self {
            Node::Answer { say, .. } => vec![say],
            Node::Ask { say, retry, .. } => [Some(say.as_str()), retry.as_deref()]
                .into_iter()
                .flatten()
                .collect(),
            Node::Confirm {
                say,
                yes_label,
                no_label,
                ..
            } => vec![say, yes_label, no_label],
            Node::Handoff { say, note, .. } => [Some(say.as_str()), note.as_deref()]
                .into_iter()
                .flatten()
                .collect(),
            Node::End { say } => say.as_deref().into_iter().collect(),
            Node::Lookup { .. } | Node::Branch { .. } => vec![],
        }
    }

    /// Conditions this node evaluates.
    pub(crate) fn conditions(&self) -> Vec<&str> {
        match self {
            Node::Branch { cases, .. } => cases.iter().map(|c| c.when.as_str()).collect(),
            Node::Lookup {
                filter: Some(f), ..
            } => vec![f],
            _ => vec![],
        }
    }
}

impl Flow {
    /// Parses and checks one flow file: every node named exists, every
    /// condition parses, every template exists (checked by `has_template`).
    pub(crate) fn parse(
        file: &str,
        text: &str,
        has_template: &dyn Fn(&str) -> Result<(), String>,
        conditions: &mut BTreeMap<String, Condition>,
    ) -> Result<Flow, PackError> {
        let mut flow: Flow = parse_toml(file, text)?;
        flow.file = file.to_string();
        let undefined = |name: &str, from: &str| {
            PackError::invalid(
                file,
                line_mentioning(text, name),
                format!("node `{name}` is not defined (named by `{from}`)"),
            )
        };
        if flow.intents.is_empty() {
            return Err(PackError::invalid(file, None, "`intents` is empty"));
        }
        if !flow.nodes.contains_key(&flow.start) {
            return Err(undefined(&flow.start, "start"));
        }
        for (id, node) in &flow.nodes {
            for target in node.targets() {
                if !flow.nodes.contains_key(target) {
                    return Err(undefined(target, id));
                }
            }
            for condition in node.conditions() {
                let compiled = Condition::parse(condition).map_err(|message| {
                    PackError::invalid(file, line_mentioning(text, condition), message)
                })?;
                conditions.insert(condition.to_string(), compiled);
            }
            for key in node.templates() {
                has_template(key).map_err(|message| {
                    PackError::invalid(
                        file,
                        line_mentioning(text, key),
                        format!("node `{id}`: {message}"),
                    )
                })?;
            }
        }
        Ok(flow)
    }
}
