//! The dialogs test suite: one binary, one module per concern.

mod commerce;
mod conversation;
mod fixtures;
mod pack;
mod privacy;
mod support;
mod sweep;
