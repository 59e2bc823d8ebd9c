//! Why a pack could not be loaded.

use super::Problem;

/// A pack that cannot be loaded. The message names the file (and line when
/// known) so the merchant can fix it, e.g.
/// ``pack flows/refund.toml line 12: node `ask_order` is not defined``.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file or directory could not be read. The OS error is in the
    /// message and deliberately not a `source`: a caller printing the whole
    /// chain (`{:#}`) would show it twice.
    #[error("pack {file}: cannot read: {cause}")]
    Read { file: String, cause: std::io::Error },
    /// The pack was read but [`check`](crate::check) found problems: all of
    /// them, in file order. The message shows the first and counts the rest.
    #[error("{}", summary(.0))]
    Problems(Vec<Problem>),
}

fn summary(problems: &[Problem]) -> String {
    let Some(first) = problems.first() else {
        return "pack: no problems".to_string();
    };
    let line = first.line.map(|l| format!(" line {l}")).unwrap_or_default();
    let mut text = format!("pack {}{line}: {}", first.file, first.message);
    match problems.len() {
        1 => {}
        2 => text.push_str(" (and 1 more problem: `xiaoer check` lists all)"),
        n => text.push_str(&format!(
            " (and {} more problems: `xiaoer check` lists all)",
            n - 1
        )),
    }
    text
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses a TOML file, naming file and line on error.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, Problem> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| line_of(text, span.start));
        Problem::new(file, line, e.message().trim().to_string())
    })
}
