//! The crate's one error type.

use thiserror::Error;

/// Why a lexicon could not be compiled into a [`crate::Matcher`].
#[derive(Debug, Error)]
pub enum Error {
    /// The lexicon defines no intent with any keyword.
    #[error("lexicon: no intent has any keyword; add [intents.<id>] tables with zh/en keywords")]
    EmptyLexicon,
    /// A weight is negative, zero, NaN or infinite.
    #[error("lexicon: {section} keyword `{keyword}` has weight {weight}; weights must be positive finite numbers")]
    BadWeight {
        /// Where the keyword was found, e.g. `intents.refund_status.zh` or `anger.words`.
        section: String,
        /// The keyword as written.
        keyword: String,
        /// The offending weight.
        weight: f32,
    },
    /// A keyword is empty after normalisation.
    #[error("lexicon: {section} has an empty keyword (after normalisation: `{keyword}`)")]
    EmptyKeyword {
        /// Where the keyword was found.
        section: String,
        /// The keyword as written.
        keyword: String,
    },
    /// A section refers to an intent id the lexicon does not define.
    #[error(
        "lexicon: {section} refers to intent `{intent}`, which has no [intents.{intent}] table"
    )]
    UnknownIntent {
        /// Where the reference was found, e.g. `scoring.slots.amount`.
        section: String,
        /// The unknown id.
        intent: String,
    },
    /// A threshold or scoring parameter is out of range.
    #[error("lexicon: [{section}] {field} = {value} is out of range ({expected})")]
    BadParameter {
        /// `anger` or `scoring`.
        section: &'static str,
        /// Field name.
        field: &'static str,
        /// The value given.
        value: f32,
        /// What is accepted.
        expected: &'static str,
    },
    /// A model head has no classes.
    #[error("lexicon: [{section}] has no classes (its `bias` table is empty)")]
    EmptyModel {
        /// `model.intents` or `model.anger`.
        section: String,
    },
    /// A model file in the line format does not parse (see
    /// [`crate::model_text`]).
    #[error("model line {line}: {message}")]
    ModelText {
        /// The line of the file, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A model has a name the line format cannot hold.
    #[error("model cannot be written as lines: {0}")]
    Unwritable(String),
    /// Training needs labelled examples.
    #[error("train: {0}")]
    Training(String),
    /// A built-in slot pattern failed to compile (a bug in this crate).
    #[error("slot pattern: {0}")]
    Pattern(String),
    /// The automaton could not be built.
    #[error("lexicon: keyword automaton: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
}
