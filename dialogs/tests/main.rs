//! The dialogs test suite: one binary, one module per concern.

mod commerce;
mod scratch;
mod support;
