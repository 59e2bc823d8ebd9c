//! Prints the understanding of each argument (a debugging aid for the lexicon).
//!
//! `cargo run -p intents --example probe -- "退款什么时候到账"`

use intents::{LexiconSpec, Matcher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lexicon = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let spec: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    let matcher = Matcher::new(&spec)?;
    for text in std::env::args().skip(1) {
        let u = matcher.classify(&text);
        println!("{text}\n  normalized={} intent={} confidence={:.2} anger={:.2} angry={} lang={:?} script={:?}", u.normalized, u.intent, u.confidence, u.anger, u.angry, u.lang, u.script);
        for c in &u.candidates {
            println!("    {:18} {:.3}", c.intent, c.score);
        }
        println!("  slots={:?}", u.slots);
    }
    Ok(())
}
