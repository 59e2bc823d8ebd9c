//! What the tuning examples (`cv`, `tune`) share: reading a labelled split
//! and the training options from the command line.

use intents::eval::Example;
use intents::train::TrainOptions;
use intents::Scale;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A JSONL file of labelled messages, blank lines skipped.
pub fn read(path: &str) -> Result<Vec<Example>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<std::result::Result<_, _>>()?)
}

/// The word after `flag` in `args`, if the flag is there.
pub fn value<'a>(args: &'a [String], flag: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
}

/// The options both examples take: `--epochs N`, `--l2 X` (0: perceptron),
/// `--lr X`, `--min-count N`, `--prune X`, `--budget X`, `--pieces MIN-MAX`,
/// `--endings MIN-MAX`, `--found-scale`; the rest as `xiaoer train` has them.
pub fn train_options(args: &[String]) -> Result<TrainOptions> {
    let mut options = TrainOptions::default();
    if let Some(v) = value(args, "--epochs") {
        options.epochs = v.parse()?;
    }
    if let Some(v) = value(args, "--l2") {
        options.l2 = v.parse()?;
    }
    if let Some(v) = value(args, "--lr") {
        options.learning_rate = v.parse()?;
    }
    if let Some(v) = value(args, "--min-count") {
        options.min_count = v.parse()?;
    }
    if let Some(v) = value(args, "--prune") {
        options.intent_prune = v.parse()?;
    }
    if let Some(v) = value(args, "--budget") {
        options.out_of_scope_budget = v.parse()?;
    }
    let range = |v: &String| -> Result<(usize, usize)> {
        let (lo, hi) = v.split_once('-').ok_or("a range is MIN-MAX")?;
        Ok((lo.parse()?, hi.parse()?))
    };
    if let Some(v) = value(args, "--pieces") {
        options.shapes.pieces = range(v)?;
    }
    if let Some(v) = value(args, "--endings") {
        options.shapes.endings = range(v)?;
    }
    if args.iter().any(|a| a == "--found-scale") {
        options.scale = Scale::Found;
    }
    Ok(options)
}
