//! Content packs: everything the bot says and decides, as data.
//!
//! A pack is a directory of TOML files (the default one is compiled into the
//! binary, see [`Pack::embedded`]):
//!
//! ```text
//! pack.toml            name, version, languages, main menu, dialog limits
//! lexicon.toml         keywords per intent, anger words, scoring (intents::LexiconSpec)
//! policy.toml          return/exchange windows, refund timing, parcel rules, …
//! templates/zh.toml    reply texts by dotted key, with {placeholders}
//! templates/en.toml    the same keys in English
//! flows/*.toml         one dialog tree per topic: intents, start, [nodes.<id>]
//! ```
//!
//! `pack.toml`:
//! ```toml
//! name = "storefront"
//! version = "1.0.0"
//! languages = ["zh", "en"]        # the first is used for languages not listed
//! fallback = "out_of_scope"       # flow for intents that have no flow
//! bare_order = "order_status"     # intent of a message that is only an order id
//! menu = ["track", "refund", "human"]   # texts menu.<topic>.label / .payload
//! [dialog]
//! order_buttons = 3               # candidate orders offered as buttons
//! max_steps = 32                  # nodes visited in one turn before giving up
//! clarify_below = 0.55            # ask "which do you mean?" with both intents as buttons
//! clarify_margin = 0.15           # when the best is under this and the second this close
//! ```
//!
//! `model = "shop.model"` in `pack.toml` (top level) loads learned weights
//! written by `xiaoer train --out shop.model`, kept beside `pack.toml`, into
//! the pack's matcher; `xiaoer check` reports a missing or broken one with
//! its line.
//!
//! A flow (`flows/cancel_order.toml`):
//! ```toml
//! intents = ["cancel_order"]
//! start = "find"
//! [nodes.find]
//! kind = "lookup"                  # the named, remembered or only candidate order
//! filter = "status == paid|pending_payment"
//! found = "check"
//! [nodes.check]
//! kind = "branch"
//! cases = [{ when = "status == paid", goto = "confirm" }]
//! else = "too_late"
//! [nodes.confirm]
//! kind = "confirm"                 # yes/no buttons (confirm.yes / confirm.no)
//! say = "cancel.confirm"
//! yes = "done"
//! no = "kept"
//! ```
//! Node kinds: `answer` (say, buttons, menu, next, understood), `ask` (slot,
//! say, retry, attempts, next, give_up), `lookup` (filter, found, none),
//! `branch` (cases, else), `confirm` (say, yes, no, yes_label, no_label),
//! `cancel` (done, refused: cancels the order in the shop), `handoff`
//! (reason, say, note), `end` (say). Conditions are described in
//! the `condition` module; the facts they and the templates can use are
//! listed in `pack/README.md`.
//!
//! Loading checks the whole pack ([`check`]) and refuses it with every
//! problem found: bad TOML, unknown nodes or intents, unreachable nodes,
//! conditions that do not parse or read unknown facts, texts missing from a
//! language, placeholders no flow that says them can fill, keywords two
//! intents claim with the same weight.

mod check;
mod error;
mod flow;
mod policy;
mod problem;
mod source;
mod spans;
mod templates;

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};
use intents::{Lang, Matcher, Script};
use serde::Deserialize;

pub use check::{check, check_embedded, check_report};
pub use error::PackError;
pub(crate) use flow::{Flow, Node, Slot};
pub(crate) use policy::Policy;
pub use problem::Problem;
pub(crate) use templates::render;
use templates::{in_script, Templates};

use crate::condition::Condition;
use crate::items::{ItemWords, ItemsSpec};
use crate::{Button, Reply, Vars};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/pack");

/// `pack.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    version: String,
    languages: Vec<Lang>,
    fallback: String,
    /// The intent whose flow answers a message that is only an order id.
    bare_order: String,
    #[serde(default)]
    menu: Vec<String>,
    #[serde(default)]
    dialog: DialogLimits,
    /// A model file beside `pack.toml` (`xiaoer train --out shop.model`)
    /// whose learned weights the pack's matcher loads.
    #[serde(default)]
    model: Option<String>,
    /// Generic words and short forms for naming an order by its item.
    #[serde(default)]
    items: ItemsSpec,
}

/// `[dialog]` of `pack.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct DialogLimits {
    pub(crate) order_buttons: usize,
    pub(crate) max_steps: usize,
    /// Ask which of the two best intents is meant when the best one's
    /// confidence is below `clarify_below`...
    pub(crate) clarify_below: f32,
    /// ...and the second one is within `clarify_margin` of it.
    pub(crate) clarify_margin: f32,
    /// Intents never second-guessed: when one of the two is among them, the
    /// best intent is taken as it is ("客服电话多少,我要投诉" is a complaint).
    pub(crate) never_ask: Vec<String>,
}

impl Default for DialogLimits {
    fn default() -> Self {
        DialogLimits {
            order_buttons: 3,
            max_steps: 32,
            clarify_below: 0.55,
            clarify_margin: 0.15,
            never_ask: Vec::new(),
        }
    }
}

/// When the bot asks instead of guessing (see `DialogLimits`).
pub(crate) struct ClarifyLimits {
    pub(crate) below: f32,
    pub(crate) margin: f32,
}

/// A loaded, checked content pack: immutable, `Send + Sync`, cheap to share
/// in an `Arc`. Reloading builds a new one.
#[derive(Debug)]
pub struct Pack {
    manifest: Manifest,
    matcher: Matcher,
    policy: Policy,
    policy_vars: Vars,
    templates: Vec<(Lang, Templates)>,
    flows: BTreeMap<String, Flow>,
    flow_of_intent: BTreeMap<String, String>,
    /// Every condition of the flows, compiled once, by its text.
    conditions: BTreeMap<String, Condition>,
    /// Corrections applied after simplified -> traditional conversion.
    traditional_fixes: Vec<(String, String)>,
    /// `[items]` of `pack.toml`, normalised.
    item_words: ItemWords,
}

impl Pack {
    /// The default storefront pack, compiled into the binary.
    pub fn embedded() -> Result<Pack, PackError> {
        Pack::from_files(source::from_embedded(&EMBEDDED)?)
    }

    /// A pack directory with the same layout as the embedded one.
    pub fn load_dir(dir: &Path) -> Result<Pack, PackError> {
        Pack::from_files(source::from_dir(dir)?)
    }

    fn from_files(files: source::Files) -> Result<Pack, PackError> {
        check::compile(&files).map_err(PackError::Problems)
    }

    /// The pack's name and version, e.g. `storefront 1.0.0`.
    pub fn name(&self) -> String {
        format!("{} {}", self.manifest.name, self.manifest.version)
    }

    /// The intent matcher built from `lexicon.toml`.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Intent ids that have a flow of their own.
    pub fn intents_with_flows(&self) -> impl Iterator<Item = &str> {
        self.flow_of_intent.keys().map(String::as_str)
    }

    /// A text from the pack's templates (e.g. `handoff.queued`), rendered with
    /// `vars` (and the `policy.*` facts) and in the shopper's script. An unknown key renders as the key
    /// itself, so a missing text is visible rather than silent.
    pub fn say(&self, key: &str, lang: Lang, script: Script, vars: &[(&str, String)]) -> String {
        let mut all = self.policy_vars.clone();
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
        self.text(key, lang, script, &all)
    }

    /// Whether the pack has the text `key` in `lang` (for the optional system
    /// texts, e.g. `handoff.ticket_noted`).
    pub fn has_text(&self, key: &str, lang: Lang) -> bool {
        self.template(key, lang).is_some()
    }

    /// The words of the agents' one-line queue summary (the `summary.*`
    /// texts, keys without the prefix: `vip`, `situation.lost_parcel`, …),
    /// in the pack's Chinese texts, else its first language's: agents read
    /// them, whatever the shopper writes.
    pub fn summary_texts(&self) -> BTreeMap<String, String> {
        self.templates_of(Lang::Zh)
            .iter()
            .filter_map(|(k, t)| Some((k.strip_prefix("summary.")?.to_owned(), t.to_owned())))
            .collect()
    }

    /// The pack's standard replies for agents (标准话术) about `intent`, in
    /// the order the pack lists them: the `agent.<intent>.*` texts.
    pub fn standard_replies(&self, intent: &str, lang: Lang, script: Script) -> Vec<String> {
        let prefix = format!("agent.{intent}.");
        let mut keyed: Vec<(&str, &str)> = self
            .templates_of(self.reply_lang(lang))
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .collect();
        // Keys are numbered 1, 2, … 10: order by number, not by text.
        keyed.sort_by_key(|(k, _)| k[prefix.len()..].parse::<u32>().unwrap_or(u32::MAX));
        keyed
            .into_iter()
            .map(|(_, t)| {
                in_script(
                    render(t, &self.policy_vars),
                    lang,
                    script,
                    &self.traditional_fixes,
                )
            })
            .collect()
    }

    pub(crate) fn clarify_limits(&self) -> ClarifyLimits {
        ClarifyLimits {
            below: self.manifest.dialog.clarify_below,
            margin: self.manifest.dialog.clarify_margin,
        }
    }

    /// What the bot says when a conversation opens: the greeting and the
    /// main menu, in the conversation's language and script (traditional
    /// characters for a traditional-Chinese customer).
    pub fn greeting(&self, lang: Lang, script: Script) -> Reply {
        Reply {
            text: self.text("greeting", lang, script, &self.policy_vars),
            buttons: self.menu_buttons(&self.manifest.menu, lang, script),
            handoff: None,
            orders: Vec::new(),
            understood: true,
            flow: None,
            clarifying: false,
        }
    }

    pub(crate) fn text(&self, key: &str, lang: Lang, script: Script, vars: &Vars) -> String {
        match self.template(key, lang) {
            Some(t) => in_script(render(t, vars), lang, script, &self.traditional_fixes),
            None => key.to_string(),
        }
    }

    /// The raw template in `lang` (or the pack's first language).
    pub(crate) fn template(&self, key: &str, lang: Lang) -> Option<&str> {
        self.templates_of(lang).get(key)
    }

    fn templates_of(&self, lang: Lang) -> &Templates {
        &self
            .templates
            .iter()
            .find(|(l, _)| *l == lang)
            .unwrap_or(&self.templates[0])
            .1
    }

    /// The language replies are written in for a shopper writing `lang`.
    pub(crate) fn reply_lang(&self, lang: Lang) -> Lang {
        if self.templates.iter().any(|(l, _)| *l == lang) {
            lang
        } else {
            self.templates[0].0
        }
    }

    pub(crate) fn menu_buttons(
        &self,
        topics: &[String],
        lang: Lang,
        script: Script,
    ) -> Vec<Button> {
        let none = Vars::new();
        topics
            .iter()
            .map(|topic| Button {
                label: self.text(&format!("menu.{topic}.label"), lang, script, &none),
                payload: self.text(&format!("menu.{topic}.payload"), lang, script, &none),
            })
            .collect()
    }

    /// A `|`-separated word list template, from every language of the pack.
    pub(crate) fn words(&self, key: &str) -> Vec<String> {
        self.templates
            .iter()
            .filter_map(|(_, t)| t.get(key))
            .flat_map(|list| list.split('|'))
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect()
    }

    /// The words that name an order by its item (`[items]` of `pack.toml`).
    pub(crate) fn item_words(&self) -> &ItemWords {
        &self.item_words
    }

    /// The ordinals that pick among offered orders (`order.pick.<n>` and
    /// `order.pick.last` in every language), normalised as messages are:
    /// `(Some(n), words)` for the n-th button (from 1), `(None, words)` for
    /// the last.
    pub(crate) fn order_picks(&self) -> Vec<(Option<usize>, Vec<String>)> {
        let mut picks: Vec<(Option<usize>, Vec<String>)> = Vec::new();
        for (_, templates) in &self.templates {
            for (key, list) in templates.iter() {
                let Some(which) = key.strip_prefix(ORDER_PICK) else {
                    continue;
                };
                let Some(which) = pick_position(which) else {
                    continue;
                };
                let words = list
                    .split('|')
                    .map(|w| intents::normalize(w).to_lowercase())
                    .filter(|w| !w.is_empty());
                match picks.iter_mut().find(|(p, _)| *p == which) {
                    Some((_, known)) => known.extend(words),
                    None => picks.push((which, words.collect())),
                }
            }
        }
        picks
    }

    pub(crate) fn menu(&self) -> &[String] {
        &self.manifest.menu
    }

    pub(crate) fn limits(&self) -> &DialogLimits {
        &self.manifest.dialog
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(crate) fn policy_vars(&self) -> &Vars {
        &self.policy_vars
    }

    /// A flow condition compiled at load (`None` for a text no flow has).
    pub(crate) fn condition(&self, text: &str) -> Option<&Condition> {
        self.conditions.get(text)
    }

    pub(crate) fn flow(&self, name: &str) -> Option<&Flow> {
        self.flows.get(name)
    }

    /// The intent a message that is only an order id is taken for.
    pub(crate) fn bare_order_intent(&self) -> &str {
        &self.manifest.bare_order
    }

    /// The flow that handles `intent`: its own, else the fallback.
    pub fn flow_name_for(&self, intent: &str) -> &str {
        self.flow_of_intent
            .get(intent)
            .map_or(self.manifest.fallback.as_str(), String::as_str)
    }
}

/// The prefix of the ordinal texts (`order.pick.1`, `order.pick.last`).
const ORDER_PICK: &str = "order.pick.";

/// `1`, `2`… or `last` of an `order.pick.<which>` key: `Some(Some(n))`,
/// `Some(None)` for the last, `None` for anything else.
fn pick_position(which: &str) -> Option<Option<usize>> {
    if which == "last" {
        return Some(None);
    }
    which.parse::<usize>().ok().filter(|&n| n > 0).map(Some)
}

fn lang_id(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Chinese text in traditional characters reads as the simplified
    /// one: folded back by the matcher's own normaliser it gives the same
    /// text (a wrong variant the converter picks, such as `㝡` for `最`,
    /// does not fold back), and no character a fix corrects is left (`后`,
    /// which folds back to itself, is caught here).
    #[test]
    fn every_traditional_text_folds_back_to_the_simplified_one() {
        // One pair folds apart though both sides are right: the normaliser
        // takes `諮` (`諮詢`, a fix) to `谘`, the pack writes the common
        // simplified form of the same character, `咨`.
        // The regional words (`traditional.words`: 保修 → 保固) are meant to
        // differ; they are read back before folding.
        let pack_words = Pack::embedded().unwrap_or_else(|e| panic!("embedded pack: {e}"));
        let regional = pack_words
            .templates_of(Lang::Zh)
            .get("traditional.words")
            .map(crate::pack::templates::parse_fixes)
            .unwrap_or_default();
        // One left-to-right pass, longest word first, so that a word read
        // back never makes another (商品質 is not 品質).
        let mut regional = regional;
        regional.sort_by_key(|(_, to)| std::cmp::Reverse(to.len()));
        let fold = |text: &str| {
            let mut back = String::with_capacity(text.len());
            let mut rest = text;
            'outer: while let Some(c) = rest.chars().next() {
                for (from, to) in &regional {
                    if let Some(after) = rest.strip_prefix(to.as_str()) {
                        back.push_str(from);
                        rest = after;
                        continue 'outer;
                    }
                }
                back.push(c);
                rest = &rest[c.len_utf8()..];
            }
            intents::normalize(&back).replace('谘', "咨")
        };
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("embedded pack: {e}"));
        let mut wrong = Vec::new();
        for (key, _) in pack.templates_of(Lang::Zh).iter() {
            if key.starts_with("traditional.") {
                continue;
            }
            let vars = &pack.policy_vars;
            let simplified = pack.text(key, Lang::Zh, Script::Simplified, vars);
            let traditional = pack.text(key, Lang::Zh, Script::Traditional, vars);
            if fold(&traditional) != fold(&simplified) {
                wrong.push(format!("{key}: {traditional}"));
            }
            for (variant, _) in &pack.traditional_fixes {
                if traditional.contains(variant.as_str()) {
                    wrong.push(format!("{key}: `{variant}` left in {traditional}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
