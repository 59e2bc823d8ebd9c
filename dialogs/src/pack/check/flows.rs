//! Checking the dialog trees: names, reachability, conditions, templates,
//! intents, and which facts each flow has for its templates.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use intents::Lang;

use super::templates::{missing_everywhere, missing_topic};
use super::{has_fact, Checker};
use crate::condition::Condition;
use crate::engine::facts::{ORDER_FACTS, TURN_FACTS};
use crate::pack::templates::Templates;
use crate::pack::{Flow, Node};

/// What the flow checks need from the rest of the pack.
pub(super) struct Context<'a> {
    pub(super) templates: &'a [(Lang, Templates)],
    pub(super) known_intents: &'a BTreeSet<String>,
    pub(super) policy_facts: &'a BTreeSet<String>,
}

/// Who says a template, and which facts they have when they do.
pub(super) struct Use {
    /// e.g. ``flows/cancel_order.toml (node `done`)``.
    pub(super) by: String,
    pub(super) facts: BTreeSet<String>,
    /// Whether the user looks an order up (to explain a missing order fact).
    pub(super) has_order: bool,
}

/// Template key -> its uses.
pub(super) type Usage = BTreeMap<String, Vec<Use>>;

type Checked = (
    BTreeMap<String, Flow>,
    BTreeMap<String, String>,
    BTreeMap<String, Condition>,
    Usage,
);

/// Parses and checks every `flows/*.toml`: the flows by name, the flow of
/// each intent, the compiled conditions, and who uses which template.
pub(super) fn check(c: &mut Checker, ctx: &Context) -> Checked {
    let mut flows = BTreeMap::new();
    let mut flow_of_intent: BTreeMap<String, String> = BTreeMap::new();
    let mut conditions = BTreeMap::new();
    let mut usage = Usage::new();
    let files = c.files;
    for (file, text) in files.range("flows/".to_string()..) {
        let Some(name) = file
            .strip_prefix("flows/")
            .and_then(|f| f.strip_suffix(".toml"))
        else {
            break;
        };
        let flow = match Flow::parse(file, text) {
            Ok(flow) => flow,
            Err(problem) => {
                c.problems.push(problem);
                continue;
            }
        };
        if flow.intents.is_empty() {
            c.problem_at(file, "intents", "`intents` is empty");
        }
        for (i, intent) in flow.intents.iter().enumerate() {
            let at = format!("intents.{i}");
            if !ctx.known_intents.contains(intent) {
                c.problem_at(
                    file,
                    &at,
                    format!("unknown intent `{intent}` (not a standard intent id, and lexicon.toml gives it no keywords)"),
                );
            }
            if let Some(other) = flow_of_intent.insert(intent.clone(), name.to_string()) {
                c.problem_at(
                    file,
                    &at,
                    format!("intent `{intent}` is already handled by flows/{other}.toml"),
                );
            }
        }
        check_names(c, file, &flow);
        let facts = provided(&flow, ctx.policy_facts);
        let has_order = flow.nodes.values().any(Node::finds_order);
        for (id, node) in &flow.nodes {
            check_conditions(c, file, id, node, &facts, &mut conditions);
            for (field, key) in templates_of(node) {
                if let Some(message) = missing_everywhere(ctx.templates, key) {
                    c.problem_at(
                        file,
                        &format!("nodes.{id}.{field}"),
                        format!("node `{id}`: {message}"),
                    );
                }
                usage.entry(key.to_string()).or_default().push(Use {
                    by: format!("{file} (node `{id}`)"),
                    facts: facts.clone(),
                    has_order,
                });
            }
            for (i, topic) in node.buttons().iter().enumerate() {
                if let Some(message) = missing_topic(ctx.templates, topic) {
                    c.problem_at(
                        file,
                        &format!("nodes.{id}.buttons.{i}"),
                        format!("node `{id}`: button {message}"),
                    );
                }
            }
        }
        flows.insert(name.to_string(), flow);
    }
    (flows, flow_of_intent, conditions, usage)
}

/// Every node named exists; every node can be reached from `start`.
fn check_names(c: &mut Checker, file: &str, flow: &Flow) {
    if !flow.nodes.contains_key(&flow.start) {
        c.problem_at(
            file,
            "start",
            format!("node `{}` is not defined (named by `start`)", flow.start),
        );
    }
    if let Some(why) = &flow.why {
        if !flow.nodes.contains_key(why) {
            c.problem_at(
                file,
                "why",
                format!("node `{why}` is not defined (named by `why`)"),
            );
        }
    }
    for (id, node) in &flow.nodes {
        for (field, target) in targets_of(node) {
            if !flow.nodes.contains_key(target) {
                c.problem_at(
                    file,
                    &format!("nodes.{id}.{field}"),
                    format!("node `{target}` is not defined (named by `{id}`)"),
                );
            }
        }
    }
    let mut reached = BTreeSet::new();
    let mut queue = VecDeque::from([flow.start.as_str()]);
    queue.extend(flow.why.as_deref());
    while let Some(id) = queue.pop_front() {
        let Some(node) = flow.nodes.get(id) else {
            continue;
        };
        if reached.insert(id) {
            queue.extend(node.targets());
        }
    }
    for id in flow.nodes.keys() {
        if !reached.contains(id.as_str()) {
            c.problem_at(
                file,
                &format!("nodes.{id}"),
                format!(
                    "node `{id}` is unreachable: no path leads to it from `{}`{}",
                    flow.start,
                    if flow.why.is_some() { " or `why`" } else { "" }
                ),
            );
        }
    }
}

/// Conditions parse and read only facts the flow has.
fn check_conditions(
    c: &mut Checker,
    file: &str,
    id: &str,
    node: &Node,
    facts: &BTreeSet<String>,
    conditions: &mut BTreeMap<String, Condition>,
) {
    let written: Vec<(String, &str)> = match node {
        Node::Branch { cases, .. } => cases
            .iter()
            .enumerate()
            .map(|(i, case)| (format!("cases.{i}.when"), case.when.as_str()))
            .collect(),
        Node::Lookup {
            filter: Some(f), ..
        } => vec![("filter".to_string(), f.as_str())],
        _ => Vec::new(),
    };
    // A lookup's filter is tested against each candidate order's facts alone.
    let order_only: BTreeSet<String> = ORDER_FACTS.iter().map(|s| s.to_string()).collect();
    let allowed = if matches!(node, Node::Lookup { .. }) {
        &order_only
    } else {
        facts
    };
    for (field, text) in written {
        let at = format!("nodes.{id}.{field}");
        match Condition::parse(text) {
            Ok(condition) => {
                for fact in condition.facts() {
                    if !has_fact(allowed, fact) {
                        c.problem_at(
                            file,
                            &at,
                            format!("node `{id}`: condition `{text}` reads `{fact}`, which is not a fact here"),
                        );
                    }
                }
                conditions.insert(text.to_string(), condition);
            }
            Err(message) => c.problem_at(file, &at, message),
        }
    }
}

/// The facts a flow's templates and conditions may use: the turn's, the
/// policy's, an order's when the flow looks one up, and its slots.
fn provided(flow: &Flow, policy_facts: &BTreeSet<String>) -> BTreeSet<String> {
    let mut facts: BTreeSet<String> = TURN_FACTS.iter().map(|s| s.to_string()).collect();
    facts.extend(policy_facts.iter().cloned());
    if flow.nodes.values().any(Node::finds_order) {
        facts.extend(ORDER_FACTS.iter().map(|s| s.to_string()));
    }
    for node in flow.nodes.values() {
        if let Node::Ask { slot, .. } = node {
            facts.insert(format!("slot.{}", slot.name()));
        }
    }
    facts
}

/// The nodes a node names, with the field that names each.
fn targets_of(node: &Node) -> Vec<(String, &str)> {
    fn one<'n>(field: &str, target: &'n str) -> (String, &'n str) {
        (field.to_string(), target)
    }
    match node {
        Node::Answer { next, .. } => next.iter().map(|n| one("next", n)).collect(),
        Node::Ask { next, give_up, .. } => std::iter::once(one("next", next))
            .chain(give_up.iter().map(|g| one("give_up", g)))
            .collect(),
        Node::Lookup { found, none, .. } => std::iter::once(one("found", found))
            .chain(none.iter().map(|n| one("none", n)))
            .collect(),
        Node::Branch { cases, otherwise } => cases
            .iter()
            .enumerate()
            .map(|(i, case)| one(&format!("cases.{i}.goto"), &case.goto))
            .chain([one("else", otherwise)])
            .collect(),
        Node::Confirm { yes, no, .. } => vec![one("yes", yes), one("no", no)],
        Node::Cancel {
            done,
            refused,
            declined,
        } => [one("done", done), one("refused", refused)]
            .into_iter()
            .chain(declined.iter().map(|d| one("declined", d)))
            .collect(),
        Node::Handoff { .. } | Node::End { .. } => Vec::new(),
    }
}

/// The templates a node says, with the field that names each.
fn templates_of(node: &Node) -> Vec<(&'static str, &str)> {
    match node {
        Node::Answer { say, .. } => vec![("say", say.as_str())],
        Node::Ask { say, retry, .. } => std::iter::once(("say", say.as_str()))
            .chain(retry.as_deref().map(|r| ("retry", r)))
            .collect(),
        Node::Confirm {
            say,
            yes_label,
            no_label,
            ..
        } => vec![
            ("say", say.as_str()),
            ("yes_label", yes_label.as_str()),
            ("no_label", no_label.as_str()),
        ],
        Node::Handoff { say, note, .. } => std::iter::once(("say", say.as_str()))
            .chain(note.as_deref().map(|n| ("note", n)))
            .collect(),
        Node::End { say } => say.as_deref().map(|s| ("say", s)).into_iter().collect(),
        Node::Lookup { .. } | Node::Branch { .. } | Node::Cancel { .. } => Vec::new(),
    }
}
