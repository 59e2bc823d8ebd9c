//! Reply texts of one language (`templates/<lang>.toml`) and their rendering.

use std::collections::BTreeMap;

use intents::{Lang, Script};

use super::error::parse_toml;
use super::spans::Lines;
use super::Problem;
use crate::Vars;

/// The texts of one language by dotted key (`[handoff] queued = ".."` is
/// `handoff.queued`).
#[derive(Debug, Clone)]
pub(crate) struct Templates {
    texts: BTreeMap<String, String>,
}

impl Templates {
    /// Parses a templates file; values that are not strings are reported
    /// in `problems` and left out.
    pub(crate) fn parse(file: &str, text: &str, problems: &mut Vec<Problem>) -> Option<Templates> {
        let table: toml::Table = match parse_toml(file, text) {
            Ok(table) => table,
            Err(problem) => {
                problems.push(problem);
                return None;
            }
        };
        let lines = Lines::of(text);
        let mut texts = BTreeMap::new();
        flatten(file, &lines, "", &table, &mut texts, problems);
        Some(Templates { texts })
    }

    /// The raw text of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(String::as_str)
    }

    /// Every key with its text.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn flatten(
    file: &str,
    lines: &Lines,
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    for (key, value) in table {
        let full = format!("{prefix}{key}");
        match value {
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            toml::Value::Table(t) => flatten(file, lines, &format!("{full}."), t, out, problems),
            _ => problems.push(Problem::new(
                file,
                lines.get(&full),
                format!("template `{full}` must be a string"),
            )),
        }
    }
}

/// The `{placeholders}` of a template, in order.
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            let name = &rest[..close];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            {
                out.push(name);
                rest = &rest[close + 1..];
            }
        }
    }
    out
}

/// Replaces each `{name}` with its value; unknown names stay as written so a
/// missing fact shows in tests instead of vanishing silently.
pub(crate) fn render(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if vars.contains_key(&after[..close]) => {
                out.push_str(&vars[&after[..close]]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text in the shopper's script: traditional characters for shoppers who
/// write traditional Chinese, everything else as written in the pack.
///
/// The converter maps character by character and picks a wrong variant for
/// a few characters (`后` stays, `以` becomes `㕥`); `fixes` (the pack's
/// `traditional.fixes`, `wrong:right|…`) are replaced after it.
pub(crate) fn in_script(
    text: String,
    lang: Lang,
    script: Script,
    fixes: &[(String, String)],
) -> String {
    if lang != Lang::Zh || script != Script::Traditional {
        return text;
    }
    let mut text = character_converter::simplified_to_traditional(&text).into_owned();
    for (wrong, right) in fixes {
        if text.contains(wrong.as_str()) {
            text = text.replace(wrong.as_str(), right);
        }
    }
    text
}

/// Parses `wrong:right|wrong:right`.
pub(crate) fn parse_fixes(list: &str) -> Vec<(String, String)> {
    list.split('|')
        .filter_map(|pair| pair.split_once(':'))
        .map(|(wrong, right)| (wrong.trim().to_string(), right.trim().to_string()))
        .filter(|(wrong, _)| !wrong.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let vars: Vars = [("order_id".to_string(), "E1".to_string())].into();
        assert_eq!(
            render("订单 {order_id} {nope} {", &vars),
            "订单 E1 {nope} {"
        );
    }

    #[test]
    fn nested_tables_flatten_to_dotted_keys() {
        let mut problems = Vec::new();
        let t = Templates::parse(
            "templates/zh.toml",
            "[handoff]\nqueued = \"排队 {position}\"\n",
            &mut problems,
        )
        .unwrap();
        assert_eq!(t.get("handoff.queued"), Some("排队 {position}"));
        assert_eq!(
            placeholders("排队 {position} {a.b} { x } {"),
            ["position", "a.b"]
        );
        Templates::parse("templates/zh.toml", "[a]\nb = 3\nc = []\n", &mut problems);
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "templates/zh.toml:2: template `a.b` must be a string",
                "templates/zh.toml:3: template `a.c` must be a string"
            ]
        );
    }

    #[test]
    fn traditional_shoppers_get_traditional_text() {
        let text = in_script("上海转运中心".into(), Lang::Zh, Script::Traditional, &[]);
        assert_eq!(text, "上海轉運中心");
        let fixes = parse_fixes("后:後| 㕥 : 以 |bad");
        assert_eq!(fixes.len(), 2);
        let text = in_script("签收后以".into(), Lang::Zh, Script::Traditional, &fixes);
        assert_eq!(text, "簽收後以");
    }
}
