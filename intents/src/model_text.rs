//! The model file: a [`ModelSpec`] as plain lines, one feature a line.
//!
//! JSON and TOML spend most of a large model's load time building value
//! trees; this format is read line by line straight into the spec, and stays
//! readable and diff-friendly:
//!
//! ```text
//! # xiaoer model 1
//! head	intents
//! temperature	0.126
//! out_of_scope_below	0.21
//! threshold	0.5
//! scale	text
//! bias	refund_status:-0.12 greeting:0.3
//! hand	refund_status	refund_status:0.8
//! feature	退款	refund_status:1.1 return_request:0.4
//! feature	refu*	refund_status:0.7
//! head	anger
//! bias	angry:-1.2
//! feature	气死	angry:2.1
//! ```
//!
//! Fields are separated by one tab; weights are `class:weight` separated by
//! spaces. `head` starts a head (`intents` or `anger`), the lines after it
//! set its fields (as [`crate::HeadSpec`] documents them); fields not given
//! keep their defaults. Blank lines and lines starting with `#` are skipped.
//! A pattern may not contain a tab or a line break, a class name no space,
//! colon, tab or line break.
//!
//! ```
//! use intents::{model_text, ModelSpec};
//!
//! let model: ModelSpec = model_text::parse("head\tintents\nbias\ta:0 b:0.5\nfeature\thi\ta:1\n").unwrap();
//! assert_eq!(model.intents.as_ref().unwrap().features["hi"]["a"], 1.0);
//! assert_eq!(model_text::parse(&model_text::write(&model).unwrap()).unwrap(), model);
//!
//! let err = model_text::parse("head\tintents\nbias\ta=1\n").unwrap_err();
//! assert_eq!(err.to_string(), "model line 2: `a=1` is not `class:weight`");
//! ```
// The format's fields are separated by tabs, and the example above shows
// them as they are in a file.
#![allow(clippy::tabs_in_doc_comments)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::keywords::FastMap;
use crate::model::Scale;
use crate::{Error, HeadSpec, ModelSpec};

/// The first line [`write`] puts in a file.
const MAGIC: &str = "# xiaoer model 1";

/// A model as text in the format above. Fails on a pattern or class name
/// the format cannot hold.
pub fn write(model: &ModelSpec) -> Result<String, Error> {
    let mut out = String::new();
    out.push_str(MAGIC);
    out.push('\n');
    for (name, head) in [("intents", &model.intents), ("anger", &model.anger)] {
        let Some(head) = head else { continue };
        let _ = writeln!(out, "head\t{name}");
        let _ = writeln!(out, "temperature\t{}", head.temperature);
        let _ = writeln!(out, "out_of_scope_below\t{}", head.out_of_scope_below);
        let _ = writeln!(out, "threshold\t{}", head.threshold);
        if head.scale == Scale::Text {
            out.push_str("scale\ttext\n");
        }
        out.push_str("bias\t");
        weights(&mut out, &head.bias)?;
        out.push('\n');
        for (input, w) in &head.hand {
            check_name(input)?;
            let _ = write!(out, "hand\t{input}\t");
            weights(&mut out, w)?;
            out.push('\n');
        }
        for (pattern, w) in &head.features {
            if pattern.contains(['\t', '\n', '\r']) || pattern.is_empty() {
                return Err(Error::Unwritable(format!(
                    "feature {pattern:?} is empty or has a tab or line break in it"
                )));
            }
            let _ = write!(out, "feature\t{pattern}\t");
            weights(&mut out, w)?;
            out.push('\n');
        }
    }
    Ok(out)
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name.contains([' ', ':', '\t', '\n', '\r']) {
        return Err(Error::Unwritable(format!(
            "class or input {name:?} is empty or has a space, colon, tab or line break in it"
        )));
    }
    Ok(())
}

fn weights(out: &mut String, w: &BTreeMap<String, f32>) -> Result<(), Error> {
    for (i, (class, weight)) in w.iter().enumerate() {
        check_name(class)?;
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{class}:{weight}");
    }
    Ok(())
}

/// Reads a model written in the format above. An error names the line.
pub fn parse(text: &str) -> Result<ModelSpec, Error> {
    let mut model = ModelSpec::default();
    let mut head: Option<&mut HeadSpec> = None;
    for (number, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |message: String| Error::ModelText {
            line: number + 1,
            message,
        };
        let (key, rest) = line.split_once('\t').unwrap_or((line, ""));
        if key == "head" {
            let slot = match rest {
                "intents" => &mut model.intents,
                "anger" => &mut model.anger,
                other => {
                    return Err(fail(format!(
                        "unknown head `{other}` (expected `intents` or `anger`)"
                    )))
                }
            };
            if slot.is_some() {
                return Err(fail(format!("head `{rest}` given twice")));
            }
            head = Some(slot.insert(HeadSpec::default()));
            continue;
        }
        let Some(h) = head.as_deref_mut() else {
            return Err(fail(format!(
                "`{key}` before any `head` line (start with `head<TAB>intents` or `head<TAB>anger`)"
            )));
        };
        let number_of = |value: &str| match value.parse::<f32>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(fail(format!(
                "`{key}` needs a finite number, not `{value}`"
            ))),
        };
        let share_of = |value: &str| {
            let x = number_of(value)?;
            if (0.0..=1.0).contains(&x) {
                Ok(x)
            } else {
                Err(fail(format!(
                    "`{key}` is a probability (0 to 1), not `{value}`"
                )))
            }
        };
        match key {
            "temperature" => {
                h.temperature = number_of(rest)?;
                if h.temperature <= 0.0 {
                    return Err(fail(format!("`temperature` must be above 0, not `{rest}`")));
                }
            }
            "out_of_scope_below" => h.out_of_scope_below = share_of(rest)?,
            "threshold" => h.threshold = share_of(rest)?,
            "scale" => {
                h.scale = match rest {
                    "found" => Scale::Found,
                    "text" => Scale::Text,
                    other => {
                        return Err(fail(format!(
                            "unknown scale `{other}` (expected `found` or `text`)"
                        )))
                    }
                }
            }
            "bias" => h.bias = parse_weights(rest).map_err(fail)?,
            "hand" | "feature" => {
                let Some((name, w)) = rest.split_once('\t') else {
                    return Err(fail(format!(
                        "`{key}` needs a name, a tab, then class:weight pairs"
                    )));
                };
                if name.is_empty() {
                    return Err(fail(format!("`{key}` with an empty name")));
                }
                let w = parse_weights(w).map_err(fail)?;
                let map = if key == "hand" {
                    &mut h.hand
                } else {
                    &mut h.features
                };
                if map.insert(name.to_string(), w).is_some() {
                    return Err(fail(format!("{key} `{name}` given twice")));
                }
            }
            other => {
                return Err(fail(format!(
                    "unknown line kind `{other}` (expected head, temperature, out_of_scope_below, threshold, scale, bias, hand or feature)"
                )))
            }
        }
    }
    if model.intents.is_none() && model.anger.is_none() {
        return Err(Error::ModelText {
            line: text.lines().count().max(1),
            message: "no `head` line: the file has neither intents nor anger weights".to_string(),
        });
    }
    check_classes(&model, text)?;
    Ok(model)
}

/// Every head has classes (its `bias` line), and its `hand` and `feature`
/// lines weigh only those: what the matcher would refuse later, said here
/// with the line. The lines are looked for only when something is wrong.
fn check_classes(model: &ModelSpec, text: &str) -> Result<(), Error> {
    for (name, head) in [("intents", &model.intents), ("anger", &model.anger)] {
        let Some(head) = head else { continue };
        if head.bias.is_empty() {
            return Err(Error::ModelText {
                line: line_of(text, name, "head", name),
                message: format!(
                    "head `{name}` has no classes: give them, with their biases, on a `bias` line"
                ),
            });
        }
        // A hash set: a large model has some 100,000 weights to look up.
        let classes: FastMap<&str, ()> = head.bias.keys().map(|c| (c.as_str(), ())).collect();
        for (kind, entries) in [("hand", &head.hand), ("feature", &head.features)] {
            for (entry, weights) in entries {
                if let Some(class) = weights.keys().find(|c| !classes.contains_key(c.as_str())) {
                    return Err(Error::ModelText {
                        line: line_of(text, name, kind, entry),
                        message: format!(
                            "{kind} `{entry}`: class `{class}` is not one of head `{name}`'s classes (its `bias` line)"
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The line (from 1) of `kind<TAB>entry` in head `head`: for `head` lines,
/// the head line itself.
fn line_of(text: &str, head: &str, kind: &str, entry: &str) -> usize {
    let mut current = "";
    for (number, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (key, rest) = line.split_once('\t').unwrap_or((line, ""));
        if key == "head" {
            current = rest;
            if kind == "head" && rest == head {
                return number + 1;
            }
        } else if current == head && key == kind && rest.split('\t').next() == Some(entry) {
            return number + 1;
        }
    }
    text.lines().count().max(1)
}

/// `class:weight class:weight …`
///
/// The pairs are gathered in a `Vec` and the map built from it at the end:
/// `write` lists them in order, and a sorted build is far cheaper than a
/// search per insert (a large model has some 170,000 weights).
fn parse_weights(text: &str) -> Result<BTreeMap<String, f32>, String> {
    let mut out: Vec<(&str, f32)> = Vec::new();
    for pair in text.split(' ').filter(|p| !p.is_empty()) {
        // A class name has no colon or tab (`write` refuses them), so
        // `a:1:2` or `a:1<TAB>b:2` is a broken line, not class `a:1`.
        let Some((class, weight)) = pair.split_once(':') else {
            return Err(format!("`{pair}` is not `class:weight`"));
        };
        if class.contains('\t') || weight.contains([':', '\t']) {
            return Err(format!("`{pair}` is not `class:weight`"));
        }
        // `inf`, `NaN` and numbers beyond f32 (`1e39` reads as inf) would
        // only fail later, when the matcher compiles, without the line.
        let weight: f32 = match weight.parse::<f32>() {
            Ok(w) if w.is_finite() => w,
            _ => return Err(format!("`{pair}`: `{weight}` is not a finite number")),
        };
        if class.is_empty() {
            return Err(format!("`{pair}` has no class"));
        }
        // In order (as written) a class cannot repeat an earlier one.
        let ascending = out.last().is_none_or(|&(last, _)| last < class);
        if !ascending && out.iter().any(|&(c, _)| c == class) {
            return Err(format!("class `{class}` given twice"));
        }
        out.push((class, weight));
    }
    Ok(out.into_iter().map(|(c, w)| (c.to_string(), w)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ModelSpec {
        let mut head = HeadSpec {
            temperature: 0.125,
            out_of_scope_below: 0.21,
            scale: Scale::Text,
            ..HeadSpec::default()
        };
        head.bias = BTreeMap::from([("a".into(), -0.5), ("b".into(), 0.25)]);
        head.hand
            .insert("refund_status".into(), BTreeMap::from([("a".into(), 0.8)]));
        for (f, w) in [
            ("退款", 1.5f32),
            ("my order", -0.0001),
            ("refu*", 3.0),
            ("*efun*", 1e-4),
        ] {
            head.features.insert(
                f.into(),
                BTreeMap::from([("a".into(), w), ("b".into(), -w)]),
            );
        }
        head.features.insert("bias".into(), BTreeMap::new());
        let mut anger = HeadSpec::default();
        anger.bias.insert("angry".into(), -1.2);
        anger
            .features
            .insert("气死".into(), BTreeMap::from([("angry".into(), 2.1)]));
        ModelSpec {
            intents: Some(head),
            anger: Some(anger),
        }
    }

    #[test]
    fn a_model_round_trips_exactly() {
        let model = sample();
        let text = write(&model).unwrap();
        assert!(text.starts_with(MAGIC));
        assert!(
            text.contains("feature\tmy order\ta:-0.0001 b:0.0001\n"),
            "{text}"
        );
        assert_eq!(parse(&text).unwrap(), model);
        // Windows line ends and comments are fine.
        let crlf = format!("# a comment\n\n{}", text.replace('\n', "\r\n"));
        assert_eq!(parse(&crlf).unwrap(), model);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("bias\ta:1\n", 1, "before any `head` line"),
            ("head\tintents\nhead\tintents\n", 2, "given twice"),
            ("head\tfoo\n", 1, "unknown head `foo`"),
            (
                "head\tintents\ntemperature\thot\n",
                2,
                "needs a finite number, not `hot`",
            ),
            (
                "head\tintents\ntemperature\tNaN\n",
                2,
                "needs a finite number, not `NaN`",
            ),
            (
                "head\tintents\nbias\ta:0\nfeature\tx\ta:inf\n",
                3,
                "`inf` is not a finite number",
            ),
            (
                "head\tintents\nfeature\tx\ta:1e39\n",
                2,
                "`1e39` is not a finite number",
            ),
            (
                "head\tintents\nfeature\tx\ta:NaN\n",
                2,
                "`NaN` is not a finite number",
            ),
            (
                "head\tintents\nbias\ta:1:2\n",
                2,
                "`a:1:2` is not `class:weight`",
            ),
            (
                "head\tintents\nbias\ta:1\tb:2\n",
                2,
                "is not `class:weight`",
            ),
            ("", 1, "neither intents nor anger"),
            (
                "head\tintents\ntemperature\t0\n",
                2,
                "`temperature` must be above 0, not `0`",
            ),
            (
                "head\tintents\nout_of_scope_below\t1.5\n",
                2,
                "probability (0 to 1), not `1.5`",
            ),
            ("head\tanger\nthreshold\t-0.1\n", 2, "not `-0.1`"),
            (
                "# c\nhead\tintents\nfeature\tx\ta:1\n",
                2,
                "head `intents` has no classes",
            ),
            (
                "head\tintents\nbias\ta:0\nfeature\tx\ta:1\nfeature\ty\ta:1 zz:2\nhead\tanger\nbias\tangry:0\n",
                4,
                "feature `y`: class `zz` is not one of head `intents`'s classes",
            ),
            (
                "head\tintents\nbias\ta:0\nhead\tanger\nbias\tangry:0\nhand\tlexical\ta:1\n",
                5,
                "hand `lexical`: class `a` is not one of head `anger`'s classes",
            ),
            (
                "head\tintents\nbias\ta:1\nfeature\tx\ta:1 b\n",
                3,
                "`b` is not `class:weight`",
            ),
            (
                "head\tintents\nfeature\tx\ta:one\n",
                2,
                "`one` is not a finite number",
            ),
            (
                "head\tintents\nfeature\tno weights\n",
                2,
                "needs a name, a tab",
            ),
            ("head\tintents\nscale\tlog\n", 2, "unknown scale `log`"),
            (
                "head\tintents\nweights\tx\n",
                2,
                "unknown line kind `weights`",
            ),
            ("# only a comment\n", 1, "neither intents nor anger"),
        ];
        for (text, line, message) in cases {
            let err = parse(text).unwrap_err();
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("model line {line}: ")) && shown.contains(message),
                "{text:?}: {shown}"
            );
        }
    }

    #[test]
    fn names_the_format_cannot_hold_are_refused() {
        let mut model = sample();
        let head = model.intents.as_mut().unwrap();
        head.bias.insert("two words".into(), 0.0);
        assert!(write(&model).unwrap_err().to_string().contains("two words"));
    }
}
