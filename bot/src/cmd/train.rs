//! `xiaoer train FILE.jsonl --out MODEL`: learns intent and anger weights
//! (see `intents::train`) and writes them as a model file: one feature a
//! line (`intents::model_text`, any extension but `.json` and `.toml`), or
//! the `[model]` section of a lexicon as JSON or TOML. `classify`/`eval
//! --model MODEL` load it into the pack's automaton; so does a pack whose
//! `pack.toml` names it (`model = "…"`), and the TOML form pasted into a
//! pack's `lexicon.toml` ships with it.
//!
//! Also the loaders `classify` and `eval` share: labelled JSONL and a
//! matcher from `--pack` and `--model`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use intents::eval::Example;
use intents::features::Shapes;
use intents::train::{train, train_cross_fitted, TrainOptions};
use intents::{LexiconSpec, Matcher, ModelSpec};
use serde::{Deserialize, Serialize};

use crate::cli::TrainArgs;

/// A model file: the `[model]` section of a lexicon, on its own.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    model: ModelSpec,
}

/// Fewest examples of one intent the command learns from without `--force`.
const MIN_PER_INTENT: usize = 5;
/// Fewest angry, and fewest calm, examples the anger head is learned from
/// without `--force`; a handful calibrates a threshold that means nothing.
const MIN_ANGER_EACH: usize = 20;

pub fn run(args: TrainArgs) -> Result<()> {
    let mut examples = read_examples(&args.file)?;
    let val = args.val.as_deref().map(read_examples).transpose()?;
    let base = lexicon(args.pack.as_deref())?;
    vet(&mut examples, &base, args.force)?;
    let options = TrainOptions {
        epochs: args.epochs,
        min_count: args.min_count,
        learning_rate: args.learning_rate,
        l2: args.l2,
        prune: args.prune,
        intent_prune: args.intent_prune,
        out_of_scope_budget: args.out_of_scope_budget,
        hand: !args.no_hand,
        shapes: if args.features == "pieces" {
            Shapes::PIECES
        } else {
            Shapes::default()
        },
        ..TrainOptions::default()
    };
    let started = std::time::Instant::now();
    let (model, report) = match &val {
        Some(val) => train(&base, &examples, val, &options)?,
        // Without a validation split every line is learned from and the
        // calibration is fitted on cross-fitted scores (5 folds).
        None => train_cross_fitted(&base, &examples, &options)?,
    };
    let text = match Format::of(&args.out) {
        Format::Json => serde_json::to_string(&ModelFile { model })?,
        Format::Toml => toml::to_string(&ModelFile { model })?,
        Format::Lines => intents::model_text::write(&model)?,
    };
    std::fs::write(&args.out, text)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "trained in {:.1?}: {} intent examples ({} classes), {} anger examples; \
         {} features, {} weights -> {}",
        started.elapsed(),
        report.n_intent,
        report.classes,
        report.n_anger,
        report.features,
        report.weights,
        args.out.display()
    );
    if report.n_intent > 0 {
        eprintln!(
            "intents calibrated on {} examples: temperature {:.3}, out_of_scope below {:.2}",
            report.val_intent, report.intent_temperature, report.out_of_scope_below
        );
    }
    if report.n_anger > 0 {
        eprintln!(
            "anger calibrated on {} examples: temperature {:.3}, threshold {:.2}",
            report.val_anger, report.anger_temperature, report.anger_threshold
        );
    }
    Ok(())
}

/// Refuses a training file too small to learn from (unless `force`), leaves
/// out anger labels too few to learn from, and warns about the pack's
/// intents the file does not have: a learned model predicts only the
/// intents it was trained on.
fn vet(examples: &mut [Example], base: &LexiconSpec, force: bool) -> Result<()> {
    let mut per_intent: BTreeMap<&str, usize> = BTreeMap::new();
    for e in examples.iter() {
        if let Some(intent) = &e.intent {
            *per_intent.entry(intent).or_default() += 1;
        }
    }
    let thin: Vec<String> = per_intent
        .iter()
        .filter(|(_, n)| **n < MIN_PER_INTENT)
        .map(|(intent, n)| format!("{intent} ({n})"))
        .collect();
    if !thin.is_empty() {
        let list = thin.join(", ");
        if !force {
            bail!(
                "too few examples to learn from: {list}; give every intent at least \
                 {MIN_PER_INTENT} (--force trains anyway)"
            );
        }
        eprintln!("warning: few examples (--force): {list}");
    }
    if !per_intent.is_empty() {
        let missing: Vec<&str> = base
            .intents
            .keys()
            .map(String::as_str)
            .filter(|i| !per_intent.contains_key(i))
            .collect();
        if !missing.is_empty() {
            eprintln!(
                "warning: the model predicts only the intents of the file; these intents of \
                 the pack have no example and can no longer be predicted with it: {}",
                missing.join(", ")
            );
        }
    }
    let angry = examples.iter().filter(|e| e.angry == Some(true)).count();
    let calm = examples.iter().filter(|e| e.angry == Some(false)).count();
    if angry + calm > 0 && (angry < MIN_ANGER_EACH || calm < MIN_ANGER_EACH) {
        if force {
            eprintln!("warning: the anger head learns from {angry} angry and {calm} calm examples (--force)");
        } else {
            eprintln!(
                "warning: anger not learned: {angry} angry and {calm} calm examples, fewer than \
                 {MIN_ANGER_EACH} of each; the pack's anger lexicon keeps deciding (--force learns anyway)"
            );
            for e in examples.iter_mut() {
                e.angry = None;
            }
        }
    }
    Ok(())
}

/// How a model file is written, by its extension.
enum Format {
    Json,
    Toml,
    Lines,
}

impl Format {
    fn of(path: &Path) -> Format {
        let is = |ext: &str| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(ext))
        };
        if is("json") {
            Format::Json
        } else if is("toml") {
            Format::Toml
        } else {
            Format::Lines
        }
    }
}

/// Labelled JSONL, one [`Example`] per non-blank line.
pub fn read_examples(path: &Path) -> Result<Vec<Example>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_examples(&text).with_context(|| format!("in {}", path.display()))
}

pub fn parse_examples(text: &str) -> Result<Vec<Example>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("line {}", i + 1)))
        .collect()
}

/// The lexicon of a pack directory, or of the embedded pack.
pub fn lexicon(pack: Option<&Path>) -> Result<LexiconSpec> {
    Ok(super::load_pack(pack)?.matcher().spec().clone())
}

/// A model file written by `train`.
pub fn read_model(path: &Path) -> Result<ModelSpec> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read model {}", path.display()))?;
    let context = || format!("model {}", path.display());
    Ok(match Format::of(path) {
        Format::Json => {
            serde_json::from_str::<ModelFile>(&text)
                .with_context(context)?
                .model
        }
        Format::Toml => {
            toml::from_str::<ModelFile>(&text)
                .with_context(context)?
                .model
        }
        Format::Lines => intents::model_text::parse(&text).with_context(context)?,
    })
}

/// The matcher of a pack (default: embedded), with a model's weights when given.
pub fn load_matcher(pack: Option<&Path>, model: Option<&Path>) -> Result<Matcher> {
    let mut spec = lexicon(pack)?;
    if let Some(path) = model {
        let model = read_model(path)?;
        if model.intents.is_none() && model.anger.is_none() {
            bail!(
                "model {} has neither intents nor anger weights",
                path.display()
            );
        }
        spec.model = Some(model);
    }
    Matcher::from_spec(spec).context("compiling the lexicon with the model")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = r#"{"text": "退款什么时候到账", "intent": "refund_status", "angry": false}
{"text": "钱什么时候退回来", "intent": "refund_status", "angry": false}
{"text": "when do i get my refund", "intent": "refund_status", "angry": false}
{"text": "退款到哪了 气死了!!", "intent": "refund_status", "angry": true}
{"text": "我的快递到哪了", "intent": "track_package", "angry": false}
{"text": "where is my parcel", "intent": "track_package", "angry": false}
{"text": "快递怎么还没到 垃圾!!!", "intent": "track_package", "angry": true}
{"text": "track my package please", "intent": "track_package", "angry": false}
{"text": "今天天气怎么样", "intent": "out_of_scope", "angry": false}
{"text": "tell me a joke", "intent": "out_of_scope", "angry": false}
"#;

    fn args(dir: &Path, out: &str) -> TrainArgs {
        TrainArgs {
            file: dir.join("train.jsonl"),
            out: dir.join(out),
            val: Some(dir.join("train.jsonl")),
            pack: None,
            epochs: 10,
            out_of_scope_budget: 0.01,
            learning_rate: 0.1,
            l2: 3e-5,
            min_count: 1,
            prune: 0.01,
            intent_prune: 0.02,
            no_hand: false,
            features: "words".to_string(),
            force: true,
        }
    }

    #[test]
    fn too_few_examples_are_refused_and_too_few_anger_labels_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("train.jsonl"), DATA).unwrap();
        let mut small = args(dir.path(), "small.model");
        small.force = false;
        let err = format!("{:#}", run(small).unwrap_err());
        assert!(
            err.contains("too few examples") && err.contains("--force"),
            "{err}"
        );
        assert!(!dir.path().join("small.model").exists());
        // Enough of each intent, but only a handful of anger labels: the
        // intents are learned, anger stays with the pack's lexicon.
        let lines: Vec<&str> = DATA.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut big = String::new();
        for _ in 0..MIN_PER_INTENT {
            for l in &lines {
                big.push_str(l);
                big.push('\n');
            }
        }
        std::fs::write(dir.path().join("train.jsonl"), big).unwrap();
        let mut enough = args(dir.path(), "enough.model");
        enough.force = false;
        run(enough).unwrap();
        let model = read_model(&dir.path().join("enough.model")).unwrap();
        assert!(model.intents.is_some());
        assert!(model.anger.is_none(), "anger learned from a handful");
    }

    #[test]
    fn a_trained_model_loads_into_the_pack_from_json_and_toml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("train.jsonl"), DATA).unwrap();
        let mut seen = Vec::new();
        for out in ["model.json", "model.toml", "model.model"] {
            run(args(dir.path(), out)).unwrap();
            let matcher = load_matcher(None, Some(&dir.path().join(out))).unwrap();
            assert!(matcher.is_trained());
            let u = matcher.classify("我的快递到哪了");
            assert_eq!(u.intent, "track_package");
            seen.push(u);
        }
        assert_eq!(seen[0], seen[1], "JSON and TOML give the same model");
        assert_eq!(seen[0], seen[2], "so do lines");
        // The default held-out split works too.
        let mut held_out = args(dir.path(), "model2.json");
        held_out.val = None;
        run(held_out).unwrap();
        assert!(load_matcher(None, Some(&dir.path().join("model2.json"))).is_ok());
    }

    #[test]
    fn a_broken_model_file_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.model");
        std::fs::write(&path, "head\tintents\nbias\ta:0\nfeature\trefund\ta=1\n").unwrap();
        let err = format!("{:#}", load_matcher(None, Some(&path)).unwrap_err());
        assert!(
            err.contains("broken.model")
                && err.contains("model line 3: `a=1` is not `class:weight`"),
            "{err}"
        );
    }

    #[test]
    fn a_file_that_is_no_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.json");
        std::fs::write(&path, r#"{"model": {}}"#).unwrap();
        let err = load_matcher(None, Some(&path)).unwrap_err();
        assert!(
            err.to_string().contains("neither intents nor anger"),
            "{err}"
        );
    }
}
