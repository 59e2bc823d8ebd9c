//! Prints, one line per message, everything `classify` answers (intent,
//! confidence and candidate scores as exact bit patterns, anger, language,
//! slots): two builds that print the same file classify alike, to the last
//! bit. For checking that a speed-up changed nothing.
//!
//! `cargo run -p intents --release --example outputs -- FILE.jsonl [--model MODEL] > before.txt`
//! (MODEL as `xiaoer train` writes it: lines, or `.json`).

use std::fmt::Write as _;

use intents::eval::Example;
use intents::{LexiconSpec, Matcher, ModelSpec};

#[derive(serde::Deserialize)]
struct ModelFile {
    model: ModelSpec,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: outputs FILE.jsonl [--model MODEL]")?;
    let lexicon = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let mut spec: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    if let Some(model) = args
        .iter()
        .position(|a| a == "--model")
        .and_then(|i| args.get(i + 1))
    {
        let text = std::fs::read_to_string(model)?;
        spec.model = Some(if model.ends_with(".json") {
            serde_json::from_str::<ModelFile>(&text)?.model
        } else {
            intents::model_text::parse(&text)?
        });
    }
    let matcher = Matcher::from_spec(spec)?;
    let mut out = String::new();
    for line in std::fs::read_to_string(path)?.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let u = matcher.classify(&serde_json::from_str::<Example>(line)?.text);
        write!(
            out,
            "{} {:08x} {:08x} {} {:?} {:?} |",
            u.intent,
            u.confidence.to_bits(),
            u.anger.to_bits(),
            u.angry,
            u.lang,
            u.script
        )?;
        for c in &u.candidates {
            write!(out, " {}:{:08x}", c.intent, c.score.to_bits())?;
        }
        writeln!(out, " | {:?}", u.slots)?;
    }
    print!("{out}");
    Ok(())
}
