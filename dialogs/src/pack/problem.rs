//! One thing wrong with a pack, located for the merchant who fixes it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A problem found by [`check`](crate::check): the file (relative to the
/// pack, e.g. `flows/refund_status.toml`), the 1-based line when known, and
/// what to fix. Displays as `file:line: message`, the form editors and
/// terminals turn into links.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Problem {}
