//! Integration tests of `handoff`'s public API: one binary, one file per concern.

mod crash;
mod queue;
mod queue_model;
mod store;
mod support;
