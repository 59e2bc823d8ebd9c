//! Learning weights from labelled messages: pure, examples in, a
//! [`ModelSpec`] out (the bot's `xiaoer train` reads and writes the files).
//!
//! The model is linear. The intent head is a Crammer–Singer multiclass
//! linear SVM trained by SGD with L2 regularisation (Pegasos steps, averaged
//! over the epochs of the second half); the anger head a logistic regression
//! with L2 regularisation and classes weighted to balance (`anger::learn`:
//! angry messages are rare and their cues weak one by one). Their inputs are
//! the learned features of [`crate::features`] (binary, scaled by
//! `1/sqrt(n)`, see [`crate::Scale`]), the hand keywords' raw score per
//! lexicon intent, and a bias. An update touches only the true class and the
//! worst rival, so weights stay sparse and the written file readable. Scores
//! are then calibrated on a validation split: a softmax temperature fitted by
//! likelihood, and a threshold on the top probability below which the answer
//! is `out_of_scope` (intents: the best accuracy on the split with
//! out-of-scope as a class, within a budget of in-scope accuracy), or at
//! which a message is angry (anger, best F1). Without a validation split,
//! [`train_cross_fitted`] learns from every message and calibrates on the
//! scores of models that each left a fifth of them out (`calibrate`).
//!
//! ```
//! use intents::eval::Example;
//! use intents::train::{train, TrainOptions};
//! use intents::{LexiconSpec, Matcher};
//!
//! let mut base: LexiconSpec = toml::from_str(r#"
//!     [intents.greeting]
//!     en = { "hi" = 2.0 }
//! "#).unwrap();
//! let ex = |t: &str, i: &str| Example { text: t.into(), intent: Some(i.into()), angry: None, lang: None };
//! let data = [ex("where is my parcel", "track"), ex("track my package", "track"),
//!             ex("i want my money back", "refund"), ex("refund please", "refund")];
//! let (model, _report) = train(&base, &data, &[], &TrainOptions::default()).unwrap();
//! base.model = Some(model);
//! let m = Matcher::new(&base).unwrap();
//! assert_eq!(m.classify("where is my package").intent, "track");
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

mod calibrate;

use calibrate::{calibrate, Held};

use crate::eval::Example;
use crate::features::count;
use crate::features::{extract_with, Shapes};
use crate::model::{feature_scale, HeadSpec, ModelSpec, ANGER_INPUTS, ANGRY};
use crate::{Error, LexiconSpec, Matcher, Scale, OUT_OF_SCOPE};

/// Training knobs. The defaults are what the benchmarks use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Passes over the training examples.
    pub epochs: usize,
    /// Step size of an update of the averaged perceptron, which trains the
    /// intent head only with `l2 = 0` (the SVM and the anger head's logistic
    /// regression take Pegasos steps `1/(λt)` and ignore it).
    pub learning_rate: f32,
    /// A feature needs this many training messages to be learned.
    pub min_count: usize,
    /// Anger head: weights whose magnitude is below this share of the
    /// largest are dropped.
    pub prune: f32,
    /// Intent head: the same. A feature left with no weight is not written
    /// (with the `text` scale), so this sets the model's size and speed.
    pub intent_prune: f32,
    /// Whether the hand keywords' scores are inputs of the intent head. They
    /// are used only when at least half the training labels are intents of
    /// the lexicon (other than `out_of_scope`): another label set has little
    /// to learn from the shop's keywords.
    pub hand: bool,
    /// The out-of-scope threshold may cost at most this share of in-scope
    /// accuracy on the validation split; within that budget it is the one
    /// with the best accuracy there, out-of-scope counted as a class.
    pub out_of_scope_budget: f32,
    /// Seed of the example shuffle.
    pub seed: u64,
    /// Intent head: the L2 strength `λ` of the multiclass SVM trained by
    /// SGD; 0 trains the averaged perceptron instead.
    pub l2: f32,
    /// Intent head: what its feature scale counts (see [`crate::Scale`]).
    pub scale: Scale,
    /// Feature shapes learned beyond the default ones.
    pub shapes: Shapes,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 30,
            learning_rate: 0.1,
            min_count: 1,
            prune: 0.01,
            intent_prune: 0.01,
            hand: true,
            out_of_scope_budget: 0.01,
            seed: 20261125,
            l2: 3e-5,
            scale: Scale::Text,
            shapes: Shapes::default(),
        }
    }
}

/// What training found, for the command's summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrainReport {
    /// Training examples with an intent label / an anger label.
    pub n_intent: usize,
    pub n_anger: usize,
    /// Distinct learned features written (automaton patterns).
    pub features: usize,
    /// Non-zero weights written.
    pub weights: usize,
    /// Intent classes.
    pub classes: usize,
    /// Validation examples used for calibration (intent / anger).
    pub val_intent: usize,
    pub val_anger: usize,
    /// Fitted temperatures and thresholds.
    pub intent_temperature: f32,
    pub out_of_scope_below: f32,
    pub anger_temperature: f32,
    pub anger_threshold: f32,
}

/// One encoded message: (input index, value) pairs.
type Row = Vec<(u32, f32)>;

/// Trains an intent head on the examples with an `intent`, an anger head on
/// those with `angry`, and calibrates both on `val` (when it has labels of
/// that kind). `base` is the lexicon whose hand keywords become inputs.
pub fn train(
    base: &LexiconSpec,
    examples: &[Example],
    val: &[Example],
    options: &TrainOptions,
) -> Result<(ModelSpec, TrainReport), Error> {
    let base = LexiconSpec {
        model: None,
        ..base.clone()
    };
    let matcher = Matcher::new(&base)?;
    let hand_names: Vec<String> = base.intents.keys().cloned().collect();
    let analysed: Vec<_> = examples.iter().map(|e| matcher.analyse(&e.text)).collect();
    let found: Vec<Vec<String>> = analysed
        .iter()
        .map(|a| extract_with(&a.normalized, &options.shapes))
        .collect();

    // Vocabulary: features in at least `min_count` training messages, sorted.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for features in &found {
        for f in features {
            *counts.entry(f).or_default() += 1;
        }
    }
    let vocab: Vec<&str> = counts
        .into_iter()
        .filter(|&(_, n)| n >= options.min_count.max(1))
        .map(|(f, _)| f)
        .collect();
    let index: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, i as u32))
        .collect();
    let encode_features = |features: &[String]| -> Row {
        let ids: Vec<u32> = features
            .iter()
            .filter_map(|f| index.get(f.as_str()).copied())
            .collect();
        let scale = feature_scale(ids.len());
        ids.into_iter().map(|id| (id, scale)).collect()
    };
    // Inputs: vocabulary, then hand inputs, then the bias.
    let v = vocab.len() as u32;
    let mut report = TrainReport::default();
    let mut model = ModelSpec::default();

    let labelled = examples.iter().filter_map(|e| e.intent.as_deref());
    let shared = labelled
        .clone()
        .filter(|&i| i != OUT_OF_SCOPE && base.intents.contains_key(i))
        .count();
    let use_hand = options.hand && shared * 2 >= labelled.count().max(1);
    let intent_rows: Vec<(Row, &str)> = examples
        .iter()
        .zip(&analysed)
        .zip(&found)
        .filter_map(|((e, a), f)| {
            let label = e.intent.as_deref()?;
            let mut row = encode_features(f);
            if options.scale == Scale::Text {
                let scale = feature_scale(count(&a.normalized));
                row.iter_mut().for_each(|(_, x)| *x = scale);
            }
            if use_hand {
                for (i, &raw) in a.raw[..hand_names.len()].iter().enumerate() {
                    if raw != 0.0 {
                        row.push((v + i as u32, raw));
                    }
                }
            }
            row.push((v + hand_names.len() as u32, 1.0));
            Some((row, label))
        })
        .collect();
    if !intent_rows.is_empty() {
        let classes: Vec<String> = {
            let mut c: Vec<String> = intent_rows.iter().map(|(_, l)| l.to_string()).collect();
            c.sort();
            c.dedup();
            c
        };
        let labelled: Vec<(&Row, usize)> = intent_rows
            .iter()
            .map(|(row, l)| (row, classes.iter().position(|c| c == l).unwrap_or(0)))
            .collect();
        let inputs = v as usize + hand_names.len() + 1;
        let w = if options.l2 > 0.0 {
            crate::sgd::svm(
                &labelled,
                inputs,
                classes.len(),
                options.epochs,
                options.l2,
                options.seed,
            )
        } else {
            perceptron(&labelled, inputs, classes.len(), options)
        };
        let mut head = HeadSpec {
            scale: options.scale,
            ..HeadSpec::default()
        };
        let bias_row = v as usize + hand_names.len();
        let limit = options.intent_prune * w.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let weights_of = |input: usize| -> BTreeMap<String, f32> {
            classes
                .iter()
                .enumerate()
                .filter_map(|(c, name)| {
                    let x = w[input * classes.len() + c];
                    (x.abs() > limit).then(|| (name.clone(), round(x)))
                })
                .collect()
        };
        for (c, name) in classes.iter().enumerate() {
            head.bias
                .insert(name.clone(), round(w[bias_row * classes.len() + c]));
        }
        for (i, name) in hand_names.iter().enumerate() {
            let weights = weights_of(v as usize + i);
            if !weights.is_empty() {
                head.hand.insert(name.clone(), weights);
            }
        }
        // With the `found` scale every vocabulary feature is written,
        // weightless ones as `{}`: each counts in the `1/sqrt(n)` scale as it
        // did in training. With `text` a weightless feature changes nothing.
        for (i, f) in vocab.iter().enumerate() {
            let weights = weights_of(i);
            if options.scale == Scale::Found || !weights.is_empty() {
                head.features.insert(f.to_string(), weights);
            }
        }
        report.n_intent = intent_rows.len();
        report.classes = classes.len();
        model.intents = Some(head);
    }

    let anger_rows: Vec<(Row, usize)> = examples
        .iter()
        .zip(&analysed)
        .zip(&found)
        .filter_map(|((e, a), f)| {
            let angry = e.angry?;
            let mut row = encode_features(f);
            for (i, x) in [a.lexical_anger, a.writing_anger].into_iter().enumerate() {
                if x != 0.0 {
                    row.push((v + i as u32, x));
                }
            }
            row.push((v + 2, 1.0));
            Some((row, usize::from(angry)))
        })
        .collect();
    if !anger_rows.is_empty() {
        let labelled: Vec<(&Row, usize)> = anger_rows.iter().map(|(r, l)| (r, *l)).collect();
        let inputs = v as usize + 3;
        let rows: Vec<(&[(u32, f32)], bool)> = labelled
            .iter()
            .map(|(r, l)| (r.as_slice(), *l == 1))
            .collect();
        let w = crate::anger::learn(&rows, inputs, v as usize + 2, options.epochs, options.seed);
        let logit = |input: usize| w[input];
        let limit = options.prune * (0..inputs).fold(0.0f32, |m, i| m.max(logit(i).abs()));
        let one = |x: f32| -> BTreeMap<String, f32> {
            if x.abs() > limit {
                BTreeMap::from([(ANGRY.to_string(), round(x))])
            } else {
                BTreeMap::new()
            }
        };
        let mut head = HeadSpec::default();
        head.bias
            .insert(ANGRY.to_string(), round(logit(v as usize + 2)));
        for (i, name) in ANGER_INPUTS.iter().enumerate() {
            let weights = one(logit(v as usize + i));
            if !weights.is_empty() {
                head.hand.insert(name.to_string(), weights);
            }
        }
        for (i, f) in vocab.iter().enumerate() {
            head.features.insert(f.to_string(), one(logit(i)));
        }
        report.n_anger = anger_rows.len();
        model.anger = Some(head);
    }
    if model.intents.is_none() && model.anger.is_none() {
        return Err(Error::Training(
            "no example has an `intent` or `angry` label".to_string(),
        ));
    }
    drop_unused_features(&mut model);
    calibrate(&base, &mut model, val, options, &mut report)?;
    let heads = [&model.intents, &model.anger];
    let mut patterns: Vec<&String> = heads
        .iter()
        .filter_map(|h| h.as_ref())
        .flat_map(|h| h.features.keys())
        .collect();
    patterns.sort();
    patterns.dedup();
    report.features = patterns.len();
    report.weights = heads
        .iter()
        .filter_map(|h| h.as_ref())
        .map(|h| h.features.values().map(BTreeMap::len).sum::<usize>())
        .sum();
    Ok((model, report))
}

/// Four significant decimals are plenty and keep the file readable.
fn round(x: f32) -> f32 {
    (x * 1e4).round() / 1e4
}

/// A head that has no weight on any feature needs none of them written.
fn drop_unused_features(model: &mut ModelSpec) {
    for head in [&mut model.intents, &mut model.anger].into_iter().flatten() {
        if head.features.values().all(BTreeMap::is_empty) {
            head.features.clear();
        }
    }
}

/// Averaged multiclass perceptron with a margin of 1: on a violation the
/// true class gains the input and the worst rival loses it. Returns the
/// averaged weights, input-major (`w[input * classes + class]`).
fn perceptron(
    rows: &[(&Row, usize)],
    inputs: usize,
    classes: usize,
    options: &TrainOptions,
) -> Vec<f32> {
    let mut w = vec![0.0f32; inputs * classes];
    // Sum of step-stamped updates, for the averaging trick.
    let mut u = vec![0.0f64; inputs * classes];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = options.seed.max(1);
    let mut step = 1.0f64;
    let mut z = vec![0.0f32; classes];
    for _ in 0..options.epochs {
        crate::sgd::shuffle(&mut order, &mut rng);
        for &k in &order {
            let (row, y) = rows[k];
            z.iter_mut().for_each(|x| *x = 0.0);
            for &(input, x) in row.iter() {
                let base = input as usize * classes;
                for (c, zc) in z.iter_mut().enumerate() {
                    *zc += w[base + c] * x;
                }
            }
            let rival = (0..classes)
                .filter(|&c| c != y)
                .max_by(|&a, &b| z[a].total_cmp(&z[b]));
            if let Some(r) = rival {
                if z[y] - z[r] < 1.0 {
                    let eta = options.learning_rate;
                    for &(input, x) in row.iter() {
                        let base = input as usize * classes;
                        w[base + y] += eta * x;
                        w[base + r] -= eta * x;
                        u[base + y] += step * f64::from(eta * x);
                        u[base + r] -= step * f64::from(eta * x);
                    }
                }
            }
            step += 1.0;
        }
    }
    w.iter()
        .zip(&u)
        .map(|(&w, &u)| (f64::from(w) - u / step) as f32)
        .collect()
}

/// Folds of [`train_cross_fitted`].
pub const CROSS_FIT_FOLDS: usize = 5;

/// Trains on every example and calibrates on cross-fitted scores: each of
/// [`CROSS_FIT_FOLDS`] folds (the i-th example goes to fold i mod K) is
/// scored by a model trained on the others, and the temperatures and
/// thresholds are fitted on those scores of all the examples, then given to
/// the model trained on all of them. For data without a validation split:
/// holding a tenth out instead leaves it unlearned and calibrates on few
/// lines (anger: the F1-best threshold of some 50 angry messages). Costs
/// K + 1 trainings.
pub fn train_cross_fitted(
    base: &LexiconSpec,
    examples: &[Example],
    options: &TrainOptions,
) -> Result<(ModelSpec, TrainReport), Error> {
    let (mut model, mut report) = train(base, examples, &[], options)?;
    let mut held = Held::default();
    for fold in 0..CROSS_FIT_FOLDS {
        let (out, rest): (Vec<_>, Vec<_>) = examples
            .iter()
            .enumerate()
            .partition(|(i, _)| i % CROSS_FIT_FOLDS == fold);
        let rest: Vec<Example> = rest.into_iter().map(|(_, e)| e.clone()).collect();
        let out: Vec<Example> = out.into_iter().map(|(_, e)| e.clone()).collect();
        if rest.is_empty() || out.is_empty() {
            continue;
        }
        // A fold whose lines have labels of one kind only still trains.
        let Ok((fold_model, _)) = train(base, &rest, &[], options) else {
            continue;
        };
        held.score(base, &fold_model, &out)?;
    }
    held.fit(&mut model, options, &mut report);
    Ok((model, report))
}
