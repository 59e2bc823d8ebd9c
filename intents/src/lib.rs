//! Understanding one shopper message.
//!
//! `intents` turns a message — simplified or traditional Chinese, English,
//! typos, emoji, pasted order numbers — into an [`Understanding`]: the
//! intent, a confidence, ranked candidates, an anger score, the language and
//! script, and slots (order ids, tracking numbers, amounts, phones).
//!
//! A content pack's `lexicon.toml` deserialises into a [`LexiconSpec`]
//! (plain data, format documented there); [`Matcher::new`] compiles it once
//! into one keyword automaton plus slot patterns; [`Matcher::classify`] is
//! then a pure, allocation-light function of the text.
//!
//! What this crate does not do: I/O, clocks, async, dialog decisions. It is
//! pure; `dialogs` decides what to say.
//!
//! ```
//! use intents::{LexiconSpec, Matcher, Lang};
//!
//! let spec: LexiconSpec = toml::from_str(r#"
//!     [intents.refund_status]
//!     zh = { "退款" = 1.0, "到账" = 1.5 }
//!     en = { "refund*" = 1.0 }
//!     [intents.greeting]
//!     zh = { "在吗" = 2.0 }
//!     en = { "hi" = 2.0 }
//!     [anger]
//!     words = { "骗子" = 0.8 }
//! "#).unwrap();
//! let matcher = Matcher::new(&spec).unwrap();
//!
//! let u = matcher.classify("退款什麼時候到賬?訂單E20261111000654");
//! assert_eq!(u.intent, "refund_status");
//! assert_eq!(u.lang, Lang::Zh);
//! assert_eq!(u.slots.order_ids, ["E20261111000654"]);
//! // An order id alone has no language of its own (`lang` is a default).
//! assert!(u.has_words() && !matcher.classify("E20261111000654").has_words());
//!
//! assert!(matcher.classify("骗子!!!").angry);
//! assert_eq!(matcher.classify("free shipping?").intent, "out_of_scope");
//! ```
//!
//! A lexicon may also carry learned weights (`[model]`, a [`ModelSpec`]):
//! a linear intent head and anger head over [`features`] that are patterns
//! of the same automaton, plus the hand keywords' scores. [`train`] learns
//! and calibrates them from labelled examples; [`Matcher::explain`] shows
//! which keywords and features fired, with their weights.
//!
//! Modules: `spec` (the lexicon data), `keywords` (compiled keywords),
//! `matcher` (automaton, negation, scoring), `model` (learned heads),
//! [`features`] (what a model learns from), [`train`], `explain`,
//! `normalize`, `slots`, `anger` (writing cues), `lang`, [`eval`]
//! (scorecards over labelled examples, calibration error, confusions).

mod anger;
mod error;
pub mod eval;
mod explain;
pub mod features;
mod keywords;
mod lang;
mod matcher;
mod model;
pub mod model_text;
mod normalize;
mod prob;
mod sgd;
mod slots;
mod spec;
pub mod train;
mod understanding;
mod words;

pub use crate::error::Error;
pub use crate::explain::{CandidateTerms, Explanation, Term, TermKind};
pub use crate::matcher::{Matcher, OUT_OF_SCOPE};
pub use crate::model::{HeadSpec, ModelSpec, Scale, ANGRY};
pub use crate::normalize::normalize;
pub use crate::spec::{AngerSpec, IntentKeywords, LexiconSpec, ScoringSpec, SlotWeights};
pub use crate::understanding::{Candidate, Lang, Script, Slots, Understanding};
