//! Shop safety of the anger cues: how many calm messages the default pack
//! (or `--lexicon FILE`) calls angry. A line with `"angry": false`, or with
//! no `angry` label at all (CLINC150 queries), counts as calm; angry lines
//! are skipped. `--list` prints the false alarms.
//!
//! `cargo run -p intents --release --example anger_calm -- FILE.jsonl... [--lexicon L.toml] [--list]`

use intents::eval::Example;
use intents::{LexiconSpec, Matcher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let lexicon = args
        .iter()
        .position(|a| a == "--lexicon")
        .and_then(|i| args.get(i + 1))
        .map_or(default, String::as_str);
    let list = args.iter().any(|a| a == "--list");
    let spec: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    let matcher = Matcher::new(&spec)?;
    let files = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--lexicon"));
    for (_, path) in files {
        let (mut calm, mut alarms) = (0, 0);
        for line in std::fs::read_to_string(path)?.lines() {
            if line.trim().is_empty() {
                continue;
            }
            let e: Example = serde_json::from_str(line)?;
            if e.angry == Some(true) {
                continue;
            }
            calm += 1;
            let u = matcher.classify(&e.text);
            if u.angry {
                alarms += 1;
                if list {
                    println!("  {:.2} {}", u.anger, e.text);
                }
            }
        }
        println!(
            "{path}: {alarms} of {calm} calm messages angry ({:.2} %)",
            100.0 * alarms as f64 / calm.max(1) as f64
        );
    }
    Ok(())
}
