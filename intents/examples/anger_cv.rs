//! Cross-validates anger on a labelled JSONL file: k folds, each trained as
//! `xiaoer train` would (every line learned from, calibrated on
//! cross-fitted scores: `train_cross_fitted`), scored on the fold left out;
//! also the hand cues alone (default pack). Tuning happens on dev with
//! this, never on a test split.
//!
//! `cargo run -p intents --release --example anger_cv -- DEV.jsonl [--folds 5] [--misses] [--holdout] [--pieces]`
//!
//! `--holdout`: trained as `xiaoer train` trained before cross-fitting
//! (every 10th line held out to calibrate, not learned from); `--pieces`:
//! also 3–5-letter pieces from inside words (`"*efun*"`).

use intents::eval::Example;
use intents::train::{train, train_cross_fitted, TrainOptions};
use intents::{LexiconSpec, Matcher};

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, predicted: bool, gold: bool) {
        match (predicted, gold) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            _ => {}
        }
    }
    fn line(&self) -> String {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = 2.0 * p * r / (p + r).max(1e-12);
        format!("P={p:.3} R={r:.3} F1={f:.3}")
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: anger_cv FILE.jsonl [--folds K] [--misses] [--holdout] [--pieces]")?;
    let folds: usize = args
        .iter()
        .position(|a| a == "--folds")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(5), |s| s.parse())?;
    let lexicon = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let base: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    let examples: Vec<Example> = std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<Vec<Example>, _>>()?
        .into_iter()
        .filter(|e| e.angry.is_some())
        .collect();

    let hand = Matcher::new(&base)?;
    let mut counts = Counts::default();
    for e in &examples {
        counts.add(hand.classify(&e.text).angry, e.angry == Some(true));
    }
    println!("hand cues (default pack): {}", counts.line());

    let mut pooled = Counts::default();
    let mut scores: Vec<(f32, bool)> = Vec::new();
    let misses = args.iter().any(|a| a == "--misses");
    let holdout = args.iter().any(|a| a == "--holdout");
    let mut options = TrainOptions::default();
    if args.iter().any(|a| a == "--pieces") {
        options.shapes.pieces = (3, 5);
    }
    for k in 0..folds {
        let (held, rest): (Vec<_>, Vec<_>) = examples
            .iter()
            .enumerate()
            .partition(|(i, _)| i % folds == k);
        let (val, learn): (Vec<_>, Vec<_>) =
            rest.into_iter().enumerate().partition(|(i, _)| i % 10 == 9);
        let learn: Vec<Example> = learn.into_iter().map(|(_, (_, e))| e.clone()).collect();
        let val: Vec<Example> = val.into_iter().map(|(_, (_, e))| e.clone()).collect();
        let (model, report) = if holdout {
            train(&base, &learn, &val, &options)?
        } else {
            let all: Vec<Example> = learn.iter().chain(&val).cloned().collect();
            train_cross_fitted(&base, &all, &options)?
        };
        let spec = LexiconSpec {
            model: Some(model),
            ..base.clone()
        };
        let m = Matcher::new(&spec)?;
        let mut fold = Counts::default();
        for (_, e) in held {
            let u = m.classify(&e.text);
            let gold = e.angry == Some(true);
            fold.add(u.angry, gold);
            pooled.add(u.angry, gold);
            scores.push((u.anger, gold));
            if misses && u.angry != gold {
                println!(
                    "  {} {:.2} {}",
                    if gold { "FN" } else { "FP" },
                    u.anger,
                    e.text
                );
            }
        }
        println!(
            "fold {k}: {} (threshold {:.2})",
            fold.line(),
            report.anger_threshold
        );
    }
    println!("{folds}-fold, each at its own threshold: {}", pooled.line());
    // The best single threshold over the pooled scores: optimistic, for
    // seeing how much the calibration split costs.
    let best = (1..100)
        .map(|i| {
            let t = i as f32 / 100.0;
            let mut c = Counts::default();
            for &(s, g) in &scores {
                c.add(s >= t, g);
            }
            (
                c.tp as f64 * 2.0 / (2 * c.tp + c.fp + c.fn_).max(1) as f64,
                t,
                c,
            )
        })
        .fold(
            (0.0, 0.0, Counts::default()),
            |b, x| if x.0 > b.0 { x } else { b },
        );
    println!("pooled, best threshold {:.2}: {}", best.1, best.2.line());
    Ok(())
}
