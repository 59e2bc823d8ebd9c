//! Chooses training settings on a validation split: trains on TRAIN with the
//! given options and scores VAL, with and without the out-of-scope threshold
//! (which is itself fitted on VAL, so the thresholded figure is optimistic;
//! the figure without threshold is the one to compare settings by).
//!
//! `cargo run -p intents --release --example tune -- TRAIN.jsonl VAL.jsonl [--epochs N] [--l2 X (0: perceptron)] [--found-scale] [--min-count N] [--prune X] [--lr X] [--budget X] [--pieces MIN-MAX] [--endings MIN-MAX] [--curve]`
//!
//! Never point it at a test split.

use std::time::Instant;

use intents::eval::Scorecard;
use intents::train::train;
use intents::{LexiconSpec, Matcher};

#[path = "common/mod.rs"]
mod common;
use common::{read, train_options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: tune TRAIN.jsonl VAL.jsonl [options]";
    let (train_path, val_path) = (args.first().ok_or(usage)?, args.get(1).ok_or(usage)?);
    let flag = |flag: &str| args.iter().any(|a| a == flag);
    let options = train_options(&args)?;
    let lexicon = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let base: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    let (examples, val) = (read(train_path)?, read(val_path)?);
    let started = Instant::now();
    let (model, report) = train(&base, &examples, &val, &options)?;
    let took = started.elapsed();
    let mut spec = base.clone();
    spec.model = Some(model.clone());
    let with = Scorecard::score(&Matcher::new(&spec)?, &val);
    if let Some(head) = &mut spec.model.as_mut().and_then(|m| m.intents.as_mut()) {
        head.out_of_scope_below = 0.0;
    }
    let matcher = Matcher::new(&spec)?;
    let without = Scorecard::score(&matcher, &val);
    if flag("--curve") {
        let seen: Vec<(bool, bool, String, f32)> = val
            .iter()
            .filter_map(|e| {
                let label = e.intent.as_ref()?;
                let u = matcher.classify(&e.text);
                let oos = label == intents::OUT_OF_SCOPE;
                Some((oos, u.intent == *label, u.intent, u.confidence))
            })
            .collect();
        let n_oos = seen.iter().filter(|s| s.0).count().max(1) as f64;
        let n_in = seen.iter().filter(|s| !s.0).count().max(1) as f64;
        for i in 0..30 {
            let t = i as f32 * 0.02;
            let right = seen.iter().filter(|s| !s.0 && s.1 && s.3 >= t).count() as f64;
            let caught = seen
                .iter()
                .filter(|s| s.0 && (s.2 == intents::OUT_OF_SCOPE || s.3 < t))
                .count() as f64;
            println!(
                "t {t:.2}: in-scope {:.2} % oos {:.1} %",
                100.0 * right / n_in,
                100.0 * caught / n_oos
            );
        }
    }
    println!(
        "{:?} | {} features {} weights, {:.1?} | val no threshold: in-scope {:.2} % oos {:.1} % | threshold {:.2}: in-scope {:.2} % oos {:.1} % ece {:.3}",
        args[2..].join(" "),
        report.features,
        report.weights,
        took,
        100.0 * without.in_scope_accuracy,
        100.0 * without.out_of_scope_recall,
        report.out_of_scope_below,
        100.0 * with.in_scope_accuracy,
        100.0 * with.out_of_scope_recall,
        with.ece,
    );
    Ok(())
}
