//! Shared helpers: a pinned clock and small builders.

use dialogs::Time;
use handoff::{build_context, Author, Context, NewMessage, Store};

/// The fixtures' reference clock, plus `seconds`.
pub fn at(seconds: i64) -> Time {
    let reference = Time::parse_from_rfc3339("2026-11-20T12:00:00+08:00").unwrap();
    reference + chrono::Duration::seconds(seconds)
}

pub fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(dir.path()).unwrap()
}

pub fn bare_context(id: &str) -> Context {
    build_context(None, &[], Vec::new(), Vec::new(), id)
}

pub fn said(seconds: i64, text: &str) -> NewMessage {
    NewMessage {
        at: at(seconds),
        author: Author::Shopper,
        text: text.to_owned(),
        buttons: Vec::new(),
        turn: None,
    }
}

/// The queue's conversation ids, in serving order.
pub fn ids(store: &Store) -> Vec<String> {
    store
        .queue()
        .unwrap()
        .into_iter()
        .map(|e| e.conversation_id)
        .collect()
}
