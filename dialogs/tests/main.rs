//! The dialogs test suite: one binary, one module per concern.

mod check;
mod commerce;
mod conversation;
mod example;
mod fixtures;
mod pack;
mod privacy;
mod support;
mod sweep;
mod tone;
