//! The dialogs test suite: one binary, one module per concern.

mod check;
mod clarify;
mod commerce;
mod conversation;
mod example;
mod fixtures;
mod items;
mod pack;
mod privacy;
mod support;
mod sweep;
mod tone;
