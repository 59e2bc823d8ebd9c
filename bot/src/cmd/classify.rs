//! `xiaoer classify`: what the matcher understands of a message.

use std::io::{BufRead, Write};

use anyhow::{Context as _, Result};
use intents::{Matcher, Understanding};
use serde_json::json;

use crate::cli::ClassifyArgs;

pub fn run(args: ClassifyArgs) -> Result<()> {
    let pack = super::load_pack(None)?;
    let matcher = pack.matcher();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &args.text {
        Some(text) => print(&mut out, matcher, text, args.json)?,
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line.context("reading stdin")?;
                if !line.trim().is_empty() {
                    print(&mut out, matcher, &line, args.json)?;
                }
            }
        }
    }
    Ok(())
}

fn print(out: &mut impl Write, matcher: &Matcher, text: &str, as_json: bool) -> Result<()> {
    let u = matcher.classify(text);
    if as_json {
        writeln!(out, "{}", to_json(&u))?;
    } else {
        writeln!(
            out,
            "{}\tintent={} confidence={:.2} anger={:.2}{} lang={} slots={}",
            text,
            u.intent,
            u.confidence,
            u.anger,
            if u.angry { " (angry)" } else { "" },
            serde_json::to_value(u.lang)?.as_str().unwrap_or_default(),
            serde_json::to_string(&u.slots)?,
        )?;
    }
    Ok(())
}

/// The `--json` contract: text, intent, confidence, angry, anger, lang, slots, candidates.
fn to_json(u: &Understanding) -> serde_json::Value {
    json!({
        "text": u.text,
        "intent": u.intent,
        "confidence": u.confidence,
        "angry": u.angry,
        "anger": u.anger,
        "lang": u.lang,
        "slots": u.slots,
        "candidates": u.candidates,
    })
}
