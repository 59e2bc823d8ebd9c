//! Cross-validates training settings on a training split, for the choices
//! that the validation split alone decides too noisily (CLINC150's val has
//! 100 out-of-scope messages). Each of K folds of TRAIN (stratified by
//! label, in file order) is held out once: a model is trained on the rest
//! exactly as `xiaoer train TRAIN --val VAL` trains (temperature and
//! out-of-scope threshold fitted on VAL) and classifies the held-out fold.
//! Prints, pooled over the folds, in-scope accuracy and out-of-scope recall
//! with each fold's own threshold and without any, and the curve of both
//! against the threshold.
//!
//! With `-` for VAL (Bitext, which has no validation split), each fold is
//! trained as `xiaoer train TRAIN` trains without `--val`: on all its lines,
//! calibrated on cross-fitted scores; `--holdout` instead holds every 10th
//! line out to calibrate on, as it did before.
//!
//! `cargo run -p intents --release --example cv -- TRAIN.jsonl VAL.jsonl|- [--folds K] [--repeats R] [--prune X] [--l2 X] [--budget X] [--epochs N] [--lr X] [--min-count N] [--pieces MIN-MAX] [--endings MIN-MAX] [--found-scale] [--holdout]`
//!
//! Never point it at a test split.

use std::collections::HashMap;

use intents::eval::Example;
use intents::train::{train, train_cross_fitted};
use intents::{LexiconSpec, Matcher, OUT_OF_SCOPE};

#[path = "common/mod.rs"]
mod common;
use common::{read, train_options};

/// One held-out message: out-of-scope by label, the top intent of the
/// head without threshold and its probability, and the answer with the
/// fold's threshold.
struct Seen {
    oos: bool,
    right: bool,
    top_is_oos: bool,
    confidence: f32,
    right_with_threshold: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: cv TRAIN.jsonl VAL.jsonl|- [--folds K] [--repeats R] [--prune X] [--l2 X] [--budget X] [--epochs N] [--lr X] [--min-count N] [--pieces MIN-MAX] [--endings MIN-MAX] [--found-scale] [--holdout]";
    let (train_path, val_path) = (args.first().ok_or(usage)?, args.get(1).ok_or(usage)?);
    let value = |flag: &str| common::value(&args, flag);
    let folds: usize = value("--folds")
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(5);
    let options = train_options(&args)?;
    let lexicon = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let base: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    let examples = read(train_path)?;
    let val = if val_path == "-" {
        Vec::new()
    } else {
        read(val_path)?
    };
    // Stratified: the i-th example of each label goes to fold i mod K, in
    // file order for the first repeat, in a shuffled order (fixed seeds)
    // for the others.
    let repeats: usize = value("--repeats")
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(1);
    let holdout = args.iter().any(|a| a == "--holdout");
    let mut seen: Vec<Seen> = Vec::new();
    for repeat in 0..repeats {
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ repeat as u64;
        if repeat > 0 {
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
        }
        let mut counter: HashMap<String, usize> = HashMap::new();
        let mut fold_of = vec![0; examples.len()];
        for &i in &order {
            let n = counter
                .entry(examples[i].intent.clone().unwrap_or_default())
                .or_default();
            fold_of[i] = *n % folds;
            *n += 1;
        }
        for fold in 0..folds {
            let (rest, held): (Vec<_>, Vec<_>) =
                examples.iter().zip(&fold_of).partition(|(_, &f)| f != fold);
            let rest: Vec<Example> = rest.into_iter().map(|(e, _)| e.clone()).collect();
            let all = rest.clone();
            let (rest, val) = if val_path == "-" {
                let (val, rest): (Vec<_>, Vec<_>) =
                    rest.into_iter().enumerate().partition(|(i, _)| i % 10 == 9);
                (
                    rest.into_iter().map(|(_, e)| e).collect(),
                    val.into_iter().map(|(_, e)| e).collect(),
                )
            } else {
                (rest, val.clone())
            };
            let (model, report) = if val_path == "-" && !holdout {
                train_cross_fitted(&base, &all, &options)?
            } else {
                train(&base, &rest, &val, &options)?
            };
            let mut spec = LexiconSpec {
                model: Some(model),
                ..base.clone()
            };
            let with = Matcher::new(&spec)?;
            if let Some(head) = spec.model.as_mut().and_then(|m| m.intents.as_mut()) {
                head.out_of_scope_below = 0.0;
            }
            let without = Matcher::new(&spec)?;
            for (e, _) in held {
                let Some(label) = &e.intent else { continue };
                let u = without.classify(&e.text);
                seen.push(Seen {
                    oos: label == OUT_OF_SCOPE,
                    right: u.intent == *label,
                    top_is_oos: u.intent == OUT_OF_SCOPE,
                    confidence: u.confidence,
                    right_with_threshold: with.classify(&e.text).intent == *label,
                });
            }
            println!(
                "fold {fold}: threshold {:.2}, temperature {:.3}",
                report.out_of_scope_below, report.intent_temperature
            );
        }
        println!(
            "repeat {repeat}: {} wrong so far",
            seen.iter().filter(|s| !s.oos && !s.right).count()
        );
    }
    let n_in = seen.iter().filter(|s| !s.oos).count().max(1) as f64;
    let n_oos = seen.iter().filter(|s| s.oos).count().max(1) as f64;
    let at = |t: f32| {
        let right = seen
            .iter()
            .filter(|s| !s.oos && s.right && s.confidence >= t)
            .count() as f64;
        let caught = seen
            .iter()
            .filter(|s| s.oos && (s.top_is_oos || s.confidence < t))
            .count() as f64;
        (100.0 * right / n_in, 100.0 * caught / n_oos)
    };
    for i in 5..=25 {
        let t = i as f32 * 0.02;
        let (right, caught) = at(t);
        println!("t {t:.2}: in-scope {right:.2} % oos {caught:.1} %");
    }
    let (right0, caught0) = at(0.0);
    let right = seen
        .iter()
        .filter(|s| !s.oos && s.right_with_threshold)
        .count() as f64;
    let caught = seen
        .iter()
        .filter(|s| s.oos && s.right_with_threshold)
        .count() as f64;
    let errors = seen.iter().filter(|s| !s.oos && !s.right).count();
    println!(
        "{:?} | {folds}-fold CV on {} in-scope, {} out-of-scope | no threshold: in-scope {right0:.2} % ({errors} wrong) oos {caught0:.1} % | each fold's threshold: in-scope {:.2} % oos {:.1} %",
        args[2..].join(" "),
        n_in,
        seen.iter().filter(|s| s.oos).count(),
        100.0 * right / n_in,
        100.0 * caught / n_oos,
    );
    Ok(())
}
