//! The dialogs test suite: one binary, one module per concern.

mod commerce;
mod fixtures;
mod scratch;
mod support;
