//! `xiaoer chat`: a conversation on stdin/stdout through the same [`Bot`](crate::turn::Bot)
//! the server uses, on a temporary store (the demo shop, or `--import DIR`),
//! with the server's configuration file if given (`--config`).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context as _, Result};
use serde_json::json;

use crate::cli::ChatArgs;
use crate::clock::{parse_instant, Clock};
use crate::shop::SledShop;
use crate::turn::TurnOutcome;

pub fn run(args: ChatArgs) -> Result<()> {
    // The file's settings, or the defaults; --now wins over the file's clock.
    let config = match &args.config {
        Some(path) => Some(crate::config::Config::build(
            crate::config::FileConfig::read(path)?,
            crate::config::Overrides {
                now: args.now.clone(),
                pack_dir: args.pack.clone(),
                ..Default::default()
            },
        )?),
        None => None,
    };
    let clock = match (&config, &args.now) {
        (Some(config), _) => config.clock.clone(),
        (None, Some(t)) => Clock::Pinned(
            parse_instant(t).map_err(|e| anyhow::anyhow!("--now (or XIAOER_NOW): {e}"))?,
        ),
        (None, None) => Clock::System,
    };
    if let Some(shop) = config.as_ref().and_then(|c| c.shop.as_ref()) {
        if args.import.is_some() {
            anyhow::bail!(
                "--import loads the embedded shop, but {} has a [shop] table (the merchant's order system): use one or the other",
                args.config.as_deref().unwrap_or(std::path::Path::new("")).display()
            );
        }
        eprintln!(
            "note: this chat reads the merchant's order system at {}; a cancellation the shopper confirms here cancels the real order",
            shop.url()
        );
    }
    // Kept alive until the end of the chat: the temporary store lives in it.
    let temporary;
    let db = match &args.data_dir {
        Some(dir) => super::open_db(dir)?,
        None => {
            temporary = tempfile::tempdir().context("temporary store")?;
            super::open_db(temporary.path())?
        }
    };
    let shop = SledShop::open(&db)?;
    if let Some(import) = &args.import {
        shop.import_dir(import)
            .with_context(|| format!("import from {}", import.display()))?;
    } else if args.data_dir.is_none() {
        // A temporary copy of the demo shop.
        shop.seed_demo_if_empty().context("loading the demo shop")?;
    } else if config.is_none() {
        // The persistent store, as `serve` treats it: the demo shop only
        // without a config file (a try-out), never in a configured store.
        super::load_demo_if_empty(&db)?;
    }
    // --pack wins over the config file's `pack_dir` (folded in above).
    let pack_dir = match &config {
        Some(config) => config.pack_dir.as_deref(),
        None => args.pack.as_deref(),
    };
    let pack = super::load_pack(pack_dir)?;
    let bot = match &config {
        Some(config) => super::build_bot_with_shop(
            &db,
            config.shop.as_ref(),
            pack,
            config.policy.clone(),
            clock,
            config.max_message_chars,
            config.desk.clone(),
        )?,
        None => super::build_bot_with_shop(
            &db,
            None,
            pack,
            handoff::Policy::default(),
            clock,
            crate::config::DEFAULT_MAX_MESSAGE_CHARS,
            crate::desk::DeskConfig::default(),
        )?,
    };
    let (conversation, greeting) = bot.start(&args.customer, None)?;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if !args.json {
        for m in &greeting {
            writeln!(out, "bot> {}", m.text)?;
        }
    }
    // Typed at a terminal, the shopper's line is on the screen already; read
    // from a pipe or a file, it is echoed so the transcript reads in order.
    let echo = !args.json && !std::io::stdin().is_terminal();
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading stdin")?;
        if echo {
            writeln!(out, "you> {line}")?;
        }
        let result = bot.handle(&conversation.id, &line);
        if args.json {
            let value = match &result {
                Ok(outcome) => outcome_json(outcome),
                Err(e) => json!({ "error": e.to_string() }),
            };
            writeln!(out, "{value}")?;
        } else {
            match result {
                Ok(outcome) => print_outcome(&mut out, &outcome)?,
                Err(e) => writeln!(out, "error> {e}")?,
            }
        }
        out.flush()?;
    }
    Ok(())
}

/// The `--json` line contract: reply, intent, confidence, angry, handoff, buttons.
fn outcome_json(outcome: &TurnOutcome) -> serde_json::Value {
    let u = &outcome.understanding;
    let reply: Vec<&str> = outcome.replies.iter().map(|m| m.text.as_str()).collect();
    let buttons: Vec<_> = outcome
        .replies
        .iter()
        .flat_map(|m| m.buttons.iter())
        .collect();
    let handoff = outcome.handoff.as_ref().map(|h| {
        json!({
            "reason": h.reasons.first().map(reason_kind),
            "reasons": h.reasons,
            "priority": h.priority,
            "position": h.position,
        })
    });
    json!({
        "reply": reply.join("\n"),
        "intent": u.intent,
        "flow": outcome.shopper.turn.as_ref().and_then(|t| t.flow.clone()),
        "confidence": u.confidence,
        "angry": u.angry,
        "anger": u.anger,
        "lang": u.lang,
        "slots": u.slots,
        "handoff": handoff,
        "buttons": buttons,
        "status": outcome.status,
    })
}

/// The reason's `kind` tag, e.g. "anger" or "situation".
fn reason_kind(reason: &handoff::Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
}

fn print_outcome(out: &mut impl Write, outcome: &TurnOutcome) -> Result<()> {
    let u = &outcome.understanding;
    writeln!(
        out,
        "      [{} {:.2} anger {:.2}]",
        u.intent, u.confidence, u.anger
    )?;
    for m in &outcome.replies {
        writeln!(out, "bot> {}", m.text)?;
        for b in &m.buttons {
            writeln!(out, "     [{}]", b.label)?;
        }
    }
    if let Some(h) = &outcome.handoff {
        let kinds: Vec<String> = h.reasons.iter().map(reason_kind).collect();
        writeln!(
            out,
            "      [handed over: {} · priority {} · position {}]",
            kinds.join(", "),
            h.priority,
            h.position
        )?;
    }
    Ok(())
}
