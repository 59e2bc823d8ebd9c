//! Where each key of a TOML file is written, so problems can name the line.

use std::collections::BTreeMap;

use toml_edit::{ImDocument, Item, Key, Value};

/// The line of every key of a file by its dotted path: `nodes.find.found`,
/// `nodes.check.cases.0.goto` (array elements by index), `cancel.confirm`.
/// A table's own path gives the line of its `[header]`.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    lines: BTreeMap<String, usize>,
}

impl Lines {
    /// Indexes `text`; a file that does not parse has no lines (its parse
    /// error is reported on its own).
    pub(crate) fn of(text: &str) -> Lines {
        let mut lines = Lines::default();
        if let Ok(doc) = ImDocument::parse(text) {
            for (key, item) in doc.as_table().iter() {
                let Some((key, _)) = doc.as_table().get_key_value(key) else {
                    continue;
                };
                lines.item(text, "", key, item);
            }
        }
        lines
    }

    /// The line of the key at `path`.
    pub(crate) fn get(&self, path: &str) -> Option<usize> {
        self.lines.get(path).copied()
    }

    /// The line of the nearest written ancestor of `path` (for something
    /// missing: the `[section]` it belongs in).
    pub(crate) fn nearest(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.get(path) {
                return Some(line);
            }
            path = &path[..path.rfind('.')?];
        }
    }

    fn item(&mut self, text: &str, prefix: &str, key: &Key, item: &Item) {
        let path = format!("{prefix}{}", key.get());
        let at = key.span().or_else(|| item.span());
        if let Some(span) = at {
            self.lines
                .insert(path.clone(), super::error::line_of(text, span.start));
        }
        match item {
            Item::Table(table) => {
                for (k, _) in table.iter() {
                    if let Some((k, v)) = table.get_key_value(k) {
                        self.item(text, &format!("{path}."), k, v);
                    }
                }
            }
            Item::ArrayOfTables(tables) => {
                for (i, table) in tables.iter().enumerate() {
                    for (k, _) in table.iter() {
                        if let Some((k, v)) = table.get_key_value(k) {
                            self.item(text, &format!("{path}.{i}."), k, v);
                        }
                    }
                }
            }
            Item::Value(value) => self.value(text, &path, value),
            Item::None => {}
        }
    }

    fn value(&mut self, text: &str, path: &str, value: &Value) {
        match value {
            Value::InlineTable(table) => {
                for (k, _) in table.iter() {
                    if let Some((k, v)) = table.get_key_value(k) {
                        self.item(text, &format!("{path}."), k, v);
                    }
                }
            }
            Value::Array(array) => {
                for (i, v) in array.iter().enumerate() {
                    let here = format!("{path}.{i}");
                    if let Some(span) = v.span() {
                        self.lines
                            .insert(here.clone(), super::error::line_of(text, span.start));
                    }
                    self.value(text, &here, v);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_line() {
        let text = "intents = [\"a\"]\nstart = \"x\"\n\n[nodes.x]\nkind = \"branch\"\ncases = [\n  { when = \"a\", goto = \"y\" },\n  { when = \"b\", goto = \"z\" },\n]\n[nodes.y]\nzh = { \"退款\" = 1.0 }\n";
        let lines = Lines::of(text);
        assert_eq!(lines.get("start"), Some(2));
        assert_eq!(lines.get("nodes.x"), Some(4));
        assert_eq!(lines.get("nodes.x.kind"), Some(5));
        assert_eq!(lines.get("nodes.x.cases.1.goto"), Some(8));
        assert_eq!(lines.get("nodes.y"), Some(10));
        assert_eq!(lines.get("nodes.y.zh.退款"), Some(11));
        assert_eq!(lines.nearest("nodes.y.missing"), Some(10));
        assert_eq!(lines.nearest("other.thing"), None);
    }
}
