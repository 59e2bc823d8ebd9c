//! Checking the reply texts: every language has every text, the formats
//! parse, and every `{placeholder}` is a fact where the text is said.

use std::collections::BTreeSet;

use intents::Lang;

use super::flows::{Usage, Use};
use super::{has_fact, templates_file, Checker};
use crate::engine::facts::{ORDER_FACTS, TURN_FACTS};
use crate::pack::templates::{placeholders, Templates};

/// How a text the engine or the bot says itself is rendered.
#[derive(Clone, Copy)]
enum Said {
    /// With the policy and the values listed (`Pack::say`, the greeting).
    Plain(&'static [&'static str]),
    /// In a turn, with the turn's facts and the values listed.
    InTurn(&'static [&'static str]),
    /// With one order's facts only (order buttons).
    OfOrder,
}

/// The texts the engine or the bot says themselves (documented in
/// `pack/README.md`); every pack must have them but the `apology.*` texts,
/// put before replies to angry shoppers when the pack has them.
const SYSTEM: &[(&str, Said)] = &[
    ("greeting", Said::Plain(&[])),
    ("fallback", Said::Plain(&[])),
    ("handoff.queued", Said::Plain(&["position", "minutes"])),
    ("handoff.waiting", Said::Plain(&["position"])),
    ("handoff.agent_joined", Said::Plain(&["agent"])),
    ("handoff.resolved", Said::Plain(&[])),
    ("handoff.ticket", Said::Plain(&["answer_by"])),
    (
        "handoff.ticket_after_hours",
        Said::Plain(&["opens_at", "answer_by"]),
    ),
    ("handoff.callback", Said::Plain(&["minutes", "answer_by"])),
    ("handoff.ticket_noted", Said::Plain(&["answer_by"])),
    ("handoff.not_understood", Said::Plain(&[])),
    ("followup.why_words", Said::Plain(&[])),
    ("order.also", Said::InTurn(&[])),
    ("error.unavailable", Said::Plain(&[])),
    ("order.not_found", Said::InTurn(&["order_id"])),
    ("order.choose", Said::InTurn(&[])),
    ("order.none", Said::InTurn(&[])),
    ("order.button", Said::OfOrder),
    ("apology.prefix", Said::InTurn(&[])),
    ("apology.words", Said::Plain(&[])),
    ("confirm.yes_words", Said::Plain(&[])),
    ("confirm.no_words", Said::Plain(&[])),
    ("confirm.keep_words", Said::Plain(&[])),
    ("confirm.unsure_words", Said::Plain(&[])),
    ("confirm.yes_phrases", Said::Plain(&[])),
    ("confirm.filler_words", Said::Plain(&[])),
    ("confirm.question_marks", Said::Plain(&[])),
    ("confirm.dropped", Said::Plain(&["order_id"])),
    ("order.none_chosen", Said::InTurn(&[])),
];

/// System texts a pack may leave out: the apology, and the finer readings
/// of a confirm answer (without them only `yes_words` / `no_words` count).
const OPTIONAL: &[&str] = &[
    "handoff.ticket_noted",
    "handoff.not_understood",
    "followup.why_words",
    "order.also",
    "apology.prefix",
    "apology.words",
    "confirm.keep_words",
    "confirm.unsure_words",
    "confirm.yes_phrases",
    "confirm.filler_words",
    "confirm.question_marks",
    "confirm.dropped",
    "order.none_chosen",
];

/// Texts only one language needs: the corrections of the traditional
/// Chinese converter.
const ONE_LANGUAGE: &[(&str, Lang)] = &[("traditional.", Lang::Zh)];

const FORMATS: &[&str] = &["format.date", "format.datetime", "format.long_date"];

/// Every language has every text (and the system texts); formats parse.
pub(super) fn check_languages(c: &mut Checker, templates: &[(Lang, Templates)]) {
    let mut keys: BTreeSet<&str> = SYSTEM
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !OPTIONAL.contains(k))
        .collect();
    for (_, t) in templates {
        keys.extend(t.iter().map(|(k, _)| k));
    }
    for key in keys {
        let has: Vec<Lang> = templates
            .iter()
            .filter(|(_, t)| t.get(key).is_some())
            .map(|(l, _)| *l)
            .collect();
        let only = ONE_LANGUAGE
            .iter()
            .find(|(prefix, _)| key.starts_with(prefix))
            .map(|(_, lang)| *lang);
        for (lang, t) in templates {
            if t.get(key).is_some() || only.is_some_and(|only| only != *lang) {
                continue;
            }
            let file = templates_file(*lang);
            let message = match has.first() {
                Some(other) => {
                    let other_file = templates_file(*other);
                    let line = c.line(&other_file, key);
                    let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
                    format!("template `{key}` is missing ({other_file}{at} has it)")
                }
                None => format!("template `{key}` is missing (the bot says it itself)"),
            };
            // The line of the section it belongs in, if the file has one.
            let section = key.rsplit_once('.').map_or("", |(s, _)| s);
            let line = if section.is_empty() {
                None
            } else {
                c.line(&file, section)
            };
            c.problem(&file, line, message);
        }
    }
    for (lang, t) in templates {
        for key in FORMATS {
            let bad = t.get(key).is_some_and(|f| {
                chrono::format::StrftimeItems::new(f)
                    .any(|item| matches!(item, chrono::format::Item::Error))
            });
            if bad {
                c.problem_at(
                    &templates_file(*lang),
                    key,
                    format!("`{key}` is not a valid strftime format"),
                );
            }
        }
    }
}

/// The ordinals that pick an offered order are `order.pick.<n>` (from 1)
/// or `order.pick.last`; any other name would never be read.
pub(super) fn check_picks(c: &mut Checker, templates: &[(Lang, Templates)]) {
    for (lang, t) in templates {
        for (key, _) in t.iter() {
            let Some(which) = key.strip_prefix(crate::pack::ORDER_PICK) else {
                continue;
            };
            if crate::pack::pick_position(which).is_none() {
                c.problem_at(
                    &templates_file(*lang),
                    key,
                    format!(
                        "`{key}`: an ordinal is `order.pick.<n>` (1, 2, …) or `order.pick.last`"
                    ),
                );
            }
        }
    }
}

/// `Some(message)` when no language has `key`.
pub(super) fn missing_everywhere(templates: &[(Lang, Templates)], key: &str) -> Option<String> {
    if templates.is_empty() || templates.iter().any(|(_, t)| t.get(key).is_some()) {
        return None;
    }
    let files: Vec<String> = templates.iter().map(|(l, _)| templates_file(*l)).collect();
    Some(format!(
        "template `{key}` is missing from {}",
        files.join(" and ")
    ))
}

/// `Some(message)` when a menu topic has no label or payload text.
pub(super) fn missing_topic(templates: &[(Lang, Templates)], topic: &str) -> Option<String> {
    ["label", "payload"]
        .iter()
        .find_map(|part| missing_everywhere(templates, &format!("menu.{topic}.{part}")))
        .map(|message| format!("topic `{topic}`: {message}"))
}

/// Every `{placeholder}` of a text is a fact wherever the text is said; a
/// text nobody says may only use names that exist somewhere.
pub(super) fn check_placeholders(
    c: &mut Checker,
    templates: &[(Lang, Templates)],
    usage: &Usage,
    policy_facts: &BTreeSet<String>,
) {
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|s| s.to_string()).collect() };
    let mut users: Usage = Usage::new();
    for (key, said) in SYSTEM {
        let mut facts = match said {
            Said::Plain(extra) => set(extra),
            Said::InTurn(extra) => set(extra).into_iter().chain(set(TURN_FACTS)).collect(),
            Said::OfOrder => set(ORDER_FACTS),
        };
        if !matches!(said, Said::OfOrder) {
            facts.extend(policy_facts.iter().cloned());
        }
        users.entry(key.to_string()).or_default().push(Use {
            by: "the engine".to_string(),
            facts,
            has_order: matches!(said, Said::OfOrder),
        });
    }
    for (key, uses) in usage {
        for u in uses {
            users.entry(key.clone()).or_default().push(Use {
                by: u.by.clone(),
                facts: u.facts.clone(),
                has_order: u.has_order,
            });
        }
    }
    // Names that exist somewhere, for texts nobody says (display names…).
    let mut anywhere: BTreeSet<String> = set(TURN_FACTS);
    anywhere.extend(set(ORDER_FACTS));
    anywhere.extend(policy_facts.iter().cloned());
    // The bot's own: queue notices (`position`, `agent`), the agents' summary (`turns`).
    anywhere.extend(set(&["position", "agent", "turns"]));
    for slot in ["order_id", "tracking_number", "phone", "amount"] {
        anywhere.insert(format!("slot.{slot}"));
    }
    for (lang, t) in templates {
        let file = templates_file(*lang);
        for (key, text) in t.iter() {
            let mut reported = BTreeSet::new();
            for name in placeholders(text) {
                if !reported.insert(name) {
                    continue;
                }
                let message = match users.get(key) {
                    Some(uses) => uses.iter().find(|u| !has_fact(&u.facts, name)).map(|u| {
                        let hint = if ORDER_FACTS.contains(&name) && !u.has_order {
                            ": it looks no order up"
                        } else {
                            ""
                        };
                        format!("`{{{name}}}` in `{key}` is not a fact in {}{hint}", u.by)
                    }),
                    None => (!has_fact(&anywhere, name))
                        .then(|| format!("`{{{name}}}` in `{key}` is not a fact anywhere")),
                };
                if let Some(message) = message {
                    c.problem_at(&file, key, message);
                }
            }
        }
    }
}
