//! Why a pack could not be loaded.

/// A pack that cannot be loaded; the message names the file (and line when
/// known) so the merchant can fix it, e.g.
/// ``pack flows/refund.toml line 12: node `ask_order` is not defined``.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file or directory could not be read.
    #[error("pack {file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// A required file is absent.
    #[error("pack {file} is missing")]
    Missing { file: String },
    /// A file is not valid TOML, not UTF-8, or says something inconsistent.
    #[error("pack {file}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Invalid {
        file: String,
        line: Option<usize>,
        message: String,
    },
    /// The lexicon parsed but the matcher refused it.
    #[error("pack lexicon.toml: {0}")]
    Lexicon(#[source] intents::Error),
}

impl PackError {
    pub(crate) fn invalid(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        PackError::Invalid {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The first line that mentions `"word"` (quoted), for errors about a name.
pub(crate) fn line_mentioning(text: &str, word: &str) -> Option<usize> {
    let quoted = format!("\"{word}\"");
    text.find(&quoted).map(|at| line_of(text, at))
}

/// Parses a TOML file, naming file and line on error.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, PackError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| line_of(text, span.start));
        PackError::invalid(file, line, e.message().trim().to_string())
    })
}
