//! Integration tests of `handoff`'s public API: one binary, one file per concern.

mod queue_model;
mod store;
mod support;
