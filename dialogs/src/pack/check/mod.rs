//! Checking a pack: every problem at once, each with its file and line.
//!
//! Loading a pack and checking it are one pass: [`compile`] parses every
//! file, records what is wrong and only builds the [`Pack`] when nothing is.
//! [`check`](crate::check) is the same pass with the pack thrown away.

mod flows;
mod lexicon;
mod templates;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use intents::{Lang, LexiconSpec, Matcher};

use super::error::parse_toml;
use super::spans::Lines;
use super::templates::{parse_fixes, Templates};
use super::{lang_id, source, Manifest, Pack, PackError, Policy, Problem, EMBEDDED};
use crate::items::ItemWords;

/// The intent ids every pack may use without declaring them: those of the
/// labelled sets (`shared/eval/README.md`), so any set can be scored
/// against any pack. A pack may add its own by giving them keywords in
/// `lexicon.toml`.
pub(crate) const STANDARD_INTENTS: &[&str] = &[
    "greeting",
    "thanks",
    "goodbye",
    "human_agent",
    "complaint",
    "order_status",
    "urge_shipping",
    "track_package",
    "delivery_delay",
    "delivery_problem",
    "cancel_order",
    "change_order",
    "payment_issue",
    "return_request",
    "exchange_request",
    "refund_status",
    "refund_amount",
    "quality_issue",
    "warranty_repair",
    "invoice",
    "price_promotion",
    "shipping_info",
    "product_info",
    "account_issue",
    "membership_points",
    "out_of_scope",
];

/// Stands for every `policy.*` name while policy.toml is broken.
const ANY_POLICY: &str = "policy.*";

/// Whether `name` is among `facts` (see [`ANY_POLICY`]).
fn has_fact(facts: &BTreeSet<String>, name: &str) -> bool {
    facts.contains(name) || (name.starts_with("policy.") && facts.contains(ANY_POLICY))
}

/// Checks the pack directory `dir` and returns every problem found, in
/// file order; an empty list means the pack loads.
///
/// ```
/// let problems = dialogs::check(std::path::Path::new("pack"));
/// assert!(problems.is_empty(), "{problems:?}");
/// ```
pub fn check(dir: &Path) -> Vec<Problem> {
    match source::from_dir(dir) {
        Ok(files) => compile(&files).err().unwrap_or_default(),
        Err(e) => vec![read_problem(e)],
    }
}

/// Checks the default pack compiled into the binary.
pub fn check_embedded() -> Vec<Problem> {
    match source::from_embedded(&EMBEDDED) {
        Ok(files) => compile(&files).err().unwrap_or_default(),
        Err(e) => vec![read_problem(e)],
    }
}

/// What `xiaoer check` prints: one problem per line, or a summary of a
/// sound pack (`pack OK: 26 intents, 26 flows, 180 templates`).
pub fn check_report(dir: Option<&Path>) -> Result<String, String> {
    let files = match dir {
        Some(dir) => source::from_dir(dir),
        None => source::from_embedded(&EMBEDDED),
    };
    let pack = files
        .map_err(|e| vec![read_problem(e)])
        .and_then(|files| compile(&files));
    match pack {
        Ok(pack) => Ok(format!(
            "pack OK: {} intents, {} flows, {} templates",
            pack.matcher.intent_ids().count(),
            pack.flows.len(),
            pack.templates.first().map_or(0, |(_, t)| t.iter().count()),
        )),
        Err(problems) => Err(problems
            .iter()
            .map(|p| format!("{p}\n"))
            .collect::<String>()),
    }
}

/// The model file `pack.toml` names (`model = "shop.model"`, beside it, in
/// the line format of `intents::model_text`), or a problem: missing, not
/// parsing (with its line), or a lexicon that has a `[model]` of its own.
fn read_model(
    c: &mut Checker<'_>,
    file: &str,
    lexicon: Option<&LexiconSpec>,
) -> Option<(String, intents::ModelSpec)> {
    if !file.ends_with(source::MODEL_EXTENSION) || file.contains(['/', '\\']) {
        c.problem_at(
            "pack.toml",
            "model",
            format!(
                "model `{file}`: name a file beside pack.toml ending in `{}` (as `xiaoer train --out` writes it)",
                source::MODEL_EXTENSION
            ),
        );
        return None;
    }
    if lexicon.is_some_and(|l| l.model.is_some()) {
        c.problem_at(
            "pack.toml",
            "model",
            format!("model `{file}`: lexicon.toml has a [model] of its own; keep one of them"),
        );
        return None;
    }
    let Some(text) = c.files.get(file) else {
        c.problem_at(
            "pack.toml",
            "model",
            format!("model `{file}` is not in the pack directory"),
        );
        return None;
    };
    match intents::model_text::parse(text) {
        Ok(model) => Some((file.to_string(), model)),
        Err(intents::Error::ModelText { line, message }) => {
            c.problem(file, Some(line), message);
            None
        }
        Err(e) => {
            c.problem(file, None, e.to_string());
            None
        }
    }
}

fn read_problem(e: PackError) -> Problem {
    match e {
        PackError::Read { file, cause } => {
            Problem::new(&file, None, format!("cannot read: {cause}"))
        }
        PackError::Problems(mut problems) => problems.remove(0),
    }
}

/// Parses and checks every file; the pack, or every problem.
pub(crate) fn compile(files: &source::Files) -> Result<Pack, Vec<Problem>> {
    let mut c = Checker {
        files,
        problems: Vec::new(),
        lines: BTreeMap::new(),
    };
    let manifest: Option<Manifest> = c.parse("pack.toml");
    let lexicon: Option<LexiconSpec> = c.parse("lexicon.toml");
    if let Some(spec) = &lexicon {
        lexicon::check(&mut c, spec);
    }
    let model = manifest
        .as_ref()
        .and_then(|m| m.model.as_deref())
        .and_then(|file| read_model(&mut c, file, lexicon.as_ref()));
    let matcher = lexicon.clone().and_then(|mut spec| {
        let file = match model {
            Some((file, model)) => {
                spec.model = Some(model);
                file
            }
            None => "lexicon.toml".to_string(),
        };
        match Matcher::from_spec(spec) {
            Ok(m) => Some(m),
            Err(e) => {
                c.problem(&file, None, e.to_string());
                None
            }
        }
    });
    let policy = c.text("policy.toml").and_then(|text| {
        Policy::parse("policy.toml", text)
            .map_err(|p| c.problems.push(p))
            .ok()
    });
    let languages = manifest
        .as_ref()
        .map_or_else(Vec::new, |m| m.languages.clone());
    if manifest.is_some() && languages.is_empty() {
        c.problem_at("pack.toml", "languages", "`languages` is empty");
    }
    let mut all_templates = Vec::new();
    for &lang in &languages {
        let file = templates_file(lang);
        if let Some(text) = c.text(&file) {
            if let Some(t) = Templates::parse(&file, text, &mut c.problems) {
                all_templates.push((lang, t));
            }
        }
    }
    templates::check_languages(&mut c, &all_templates);
    templates::check_picks(&mut c, &all_templates);
    let known_intents: BTreeSet<String> = STANDARD_INTENTS
        .iter()
        .map(|s| s.to_string())
        .chain(lexicon.iter().flat_map(|l| l.intents.keys().cloned()))
        .collect();
    // When policy.toml does not parse, its facts are unknown rather than
    // absent: `policy.*` names are not reported again.
    let policy_facts = match &policy {
        Some((_, vars)) => vars.keys().cloned().collect(),
        None => BTreeSet::from([ANY_POLICY.to_string()]),
    };
    let ctx = flows::Context {
        templates: &all_templates,
        known_intents: &known_intents,
        policy_facts: &policy_facts,
    };
    let before_flows = c.problems.len();
    let (flows, flow_of_intent, conditions, usage) = flows::check(&mut c, &ctx);
    // An intent the matcher can find but no flow starts would fall to the
    // fallback answer without a word (only said once the flows themselves
    // are sound: a broken flow file would make its intents look flowless).
    if c.problems.len() == before_flows {
        for intent in lexicon.iter().flat_map(|l| l.intents.keys()) {
            if !flow_of_intent.contains_key(intent) {
                c.problem_at(
                    "lexicon.toml",
                    &format!("intents.{intent}"),
                    format!(
                        "intent `{intent}` has keywords but no flow starts it (add it to a flow's `intents`): its messages would get the fallback answer"
                    ),
                );
            }
        }
    }
    if let Some(m) = &manifest {
        check_manifest(&mut c, m, &flows, &known_intents, &all_templates);
    }
    templates::check_placeholders(&mut c, &all_templates, &usage, &policy_facts);
    if let Some((policy, _)) = &policy {
        // An excluded category is named in replies ("属于{excluded_category_text}"):
        // without its display name the raw id would show.
        for category in &policy.returns.excluded_categories {
            let key = format!("category_name.{category}");
            for (lang, t) in &all_templates {
                if t.get(&key).is_none() {
                    c.problem_at(
                        "policy.toml",
                        "returns.excluded_categories",
                        format!(
                            "excluded category `{category}` has no display name: add `{key}` to {}",
                            templates_file(*lang)
                        ),
                    );
                }
            }
        }
    }

    let mut problems = c.problems;
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(problems);
    }
    let (Some(manifest), Some(matcher), Some((policy, policy_vars))) = (manifest, matcher, policy)
    else {
        // Each of these reported a problem when it was missing.
        return Err(problems);
    };
    // The converter's wrong characters first, then the words traditional-
    // Chinese shoppers use for a thing (保修 → 保固), applied after them.
    let zh = all_templates.iter().find(|(lang, _)| *lang == Lang::Zh);
    let pairs = |key: &str| {
        zh.and_then(|(_, t)| t.get(key))
            .map(parse_fixes)
            .unwrap_or_default()
    };
    let mut traditional_fixes = pairs("traditional.fixes");
    traditional_fixes.extend(pairs("traditional.words"));
    Ok(Pack {
        matcher,
        policy,
        policy_vars,
        templates: all_templates,
        flows,
        flow_of_intent,
        conditions,
        traditional_fixes,
        item_words: ItemWords::new(&manifest.items),
        manifest,
    })
}

fn check_manifest(
    c: &mut Checker,
    m: &Manifest,
    flows: &BTreeMap<String, super::Flow>,
    known_intents: &BTreeSet<String>,
    templates: &[(Lang, Templates)],
) {
    if !flows.contains_key(&m.fallback) {
        c.problem_at(
            "pack.toml",
            "fallback",
            format!(
                "fallback flow `{}` is not defined (no flows/{}.toml)",
                m.fallback, m.fallback
            ),
        );
    }
    for intent in &m.dialog.never_ask {
        if !known_intents.contains(intent) {
            c.problem_at(
                "pack.toml",
                "dialog.never_ask",
                format!("`never_ask`: unknown intent `{intent}`"),
            );
        }
    }
    if !known_intents.contains(&m.bare_order) {
        c.problem_at(
            "pack.toml",
            "bare_order",
            format!("`bare_order`: unknown intent `{}`", m.bare_order),
        );
    }
    for word in &m.items.generic {
        if let Some(problem) = crate::items::word_problem(word) {
            c.problem_at(
                "pack.toml",
                "items.generic",
                format!("[items] generic word `{word}` {problem}"),
            );
        }
    }
    for (short, targets) in &m.items.aliases {
        let path = format!("items.aliases.{short}");
        if let Some(problem) = crate::items::word_problem(short) {
            c.problem_at(
                "pack.toml",
                &path,
                format!("[items.aliases] `{short}` {problem}"),
            );
        }
        if targets.is_empty() {
            c.problem_at(
                "pack.toml",
                &path,
                format!("[items.aliases] `{short}` stands for no word of a title"),
            );
        }
        for target in targets {
            if let Some(problem) = crate::items::word_problem(target) {
                c.problem_at(
                    "pack.toml",
                    &path,
                    format!("[items.aliases] `{short}`: `{target}` {problem}"),
                );
            }
        }
    }
    for (i, topic) in m.menu.iter().enumerate() {
        if let Some(message) = templates::missing_topic(templates, topic) {
            c.problem_at(
                "pack.toml",
                &format!("menu.{i}"),
                format!("menu: {message}"),
            );
        }
    }
}

fn templates_file(lang: Lang) -> String {
    format!("templates/{}.toml", lang_id(lang))
}

/// The problems found so far and the line index of each file read.
pub(super) struct Checker<'a> {
    files: &'a source::Files,
    problems: Vec<Problem>,
    lines: BTreeMap<String, Lines>,
}

impl<'a> Checker<'a> {
    /// A file's text, or a problem when it is missing.
    fn text(&mut self, file: &str) -> Option<&'a str> {
        let files = self.files;
        match files.get(file) {
            Some(text) => Some(text),
            None => {
                self.problem(file, None, "the file is missing");
                None
            }
        }
    }

    /// A file parsed into `T`, or a problem.
    fn parse<T: serde::de::DeserializeOwned>(&mut self, file: &str) -> Option<T> {
        let text = self.text(file)?;
        parse_toml(file, text)
            .map_err(|p| self.problems.push(p))
            .ok()
    }

    /// The line of the key at dotted `path` in `file` (or of its nearest
    /// written parent).
    fn line(&mut self, file: &str, path: &str) -> Option<usize> {
        let files = self.files;
        let lines = self
            .lines
            .entry(file.to_string())
            .or_insert_with(|| files.get(file).map(|t| Lines::of(t)).unwrap_or_default());
        lines.nearest(path)
    }

    fn problem(&mut self, file: &str, line: Option<usize>, message: impl Into<String>) {
        self.problems.push(Problem::new(file, line, message));
    }

    /// A problem at the key `path` of `file`.
    fn problem_at(&mut self, file: &str, path: &str, message: impl Into<String>) {
        let line = self.line(file, path);
        self.problem(file, line, message);
    }
}
