//! `xiaoer queue`: what waits for a person, highest priority first. It only
//! reads: a data dir without a store is an error, never a new empty store.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;

use crate::cli::QueueArgs;
use crate::config::DEFAULT_DATA_DIR;

pub fn run(args: QueueArgs) -> Result<()> {
    let data_dir = args
        .data_dir
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let db = super::open_existing_db(&data_dir)?;
    let store = handoff::Store::from_db(db)?;
    let entries = store.queue()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if !args.json && entries.is_empty() {
        writeln!(out, "nobody is waiting")?;
    }
    for e in &entries {
        if args.json {
            let line = json!({
                "conversation_id": e.conversation_id,
                "customer_id": e.customer_id,
                "reasons": e.reasons,
                "priority": e.priority,
                "waiting_since": e.waiting_since,
                "kind": e.kind,
                "summary": e.context.summary,
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "{}  P{:<4} {:<7} since {}  {}",
                e.conversation_id,
                e.priority,
                serde_json::to_value(e.kind)?.as_str().unwrap_or_default(),
                e.waiting_since.format("%m-%d %H:%M"),
                e.context.summary
            )?;
        }
    }
    Ok(())
}
