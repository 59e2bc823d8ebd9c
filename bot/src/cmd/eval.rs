//! `xiaoer eval FILE.jsonl`: scores a matcher (the default pack's, or
//! `--pack DIR`, with `--model FILE`'s learned weights) on labelled messages
//! (the format of ../shared/eval). Lines without `intent` count for anger
//! only, lines without `angry` for intents only.

use std::io::{IsTerminal as _, Write};
use std::time::Instant;

use anyhow::Result;
use intents::eval::Scorecard;
use serde_json::json;

use crate::cli::EvalArgs;

pub fn run(args: EvalArgs) -> Result<()> {
    let examples = super::train::read_examples(&args.file)?;
    let matcher = super::train::load_matcher(args.pack.as_deref(), args.model.as_deref())?;
    if let Some(warning) = unknown_labels(&matcher, &examples) {
        eprintln!("{warning}");
    }
    let started = Instant::now();
    let card = if std::io::stderr().is_terminal() {
        let mut bar = Progress::new(examples.len());
        let card = Scorecard::score_with_progress(&matcher, &examples, |done| bar.show(done));
        bar.finish();
        card
    } else {
        Scorecard::score(&matcher, &examples)
    };
    let elapsed = started.elapsed();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", summary_json(&card))?;
    } else {
        print_tables(&mut out, &card, args.confusions)?;
        writeln!(
            out,
            "\nscored {} messages in {:.2?} ({:.0} messages/s, classification and scoring)",
            examples.len(),
            elapsed,
            examples.len() as f64 / elapsed.as_secs_f64().max(1e-9)
        )?;
    }
    Ok(())
}

/// A warning naming the labels of `examples` that the matcher can never
/// predict (a typo, or an intent of another pack): they score as errors.
fn unknown_labels(
    matcher: &intents::Matcher,
    examples: &[intents::eval::Example],
) -> Option<String> {
    let known: std::collections::BTreeSet<&str> = matcher
        .intent_ids()
        .chain(std::iter::once(intents::OUT_OF_SCOPE))
        .collect();
    let mut unknown: std::collections::BTreeMap<&str, usize> = Default::default();
    for intent in examples.iter().filter_map(|e| e.intent.as_deref()) {
        if !known.contains(intent) {
            *unknown.entry(intent).or_default() += 1;
        }
    }
    if unknown.is_empty() {
        return None;
    }
    let list: Vec<String> = unknown
        .iter()
        .map(|(intent, n)| format!("{intent} ({n})"))
        .collect();
    Some(format!(
        "warning: labels that are no intent of this pack or model (always scored wrong): {}",
        list.join(", ")
    ))
}

/// A one-line progress bar on stderr, redrawn at most every 1/100 of the way.
struct Progress {
    total: usize,
    shown: usize,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress { total, shown: 0 }
    }

    fn show(&mut self, done: usize) {
        let step = (self.total / 100).max(1);
        if done < self.shown + step && done != self.total {
            return;
        }
        self.shown = done;
        let width = 30;
        let filled = done * width / self.total.max(1);
        eprint!(
            "\r[{}{}] {done}/{}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.total
        );
    }

    fn finish(&self) {
        eprint!("\r{}\r", " ".repeat(60));
    }
}

/// The `--json` contract: at least accuracy, macro_f1, anger_precision, anger_recall, n.
fn summary_json(card: &Scorecard) -> serde_json::Value {
    json!({
        "n": card.n,
        "n_intent": card.n_intent,
        "accuracy": card.accuracy,
        "macro_f1": card.macro_f1,
        "n_anger": card.n_anger,
        "anger_precision": card.anger.precision,
        "anger_recall": card.anger.recall,
        "anger_f1": card.anger.f1,
        "per_intent": card.per_intent,
        "in_scope_accuracy": card.in_scope_accuracy,
        "n_out_of_scope": card.n_out_of_scope,
        "out_of_scope_recall": card.out_of_scope_recall,
        "ece": card.ece,
        "confusions": card.confusions.iter().take(20)
            .map(|(e, g, n)| json!({"expected": e, "got": g, "count": n}))
            .collect::<Vec<_>>(),
    })
}

fn print_tables(out: &mut impl Write, card: &Scorecard, confusions: usize) -> Result<()> {
    writeln!(
        out,
        "messages: {}  (with intent labels: {}, with anger labels: {})",
        card.n, card.n_intent, card.n_anger
    )?;
    if card.n_intent > 0 {
        writeln!(
            out,
            "intent accuracy: {:.1} %   macro-F1: {:.3}",
            card.accuracy * 100.0,
            card.macro_f1
        )?;
        writeln!(
            out,
            "\n{:<20} {:>9} {:>7} {:>6} {:>8}",
            "intent", "precision", "recall", "F1", "support"
        )?;
        for (intent, s) in &card.per_intent {
            writeln!(
                out,
                "{:<20} {:>9.3} {:>7.3} {:>6.3} {:>8}",
                intent, s.precision, s.recall, s.f1, s.support
            )?;
        }
        writeln!(
            out,
            "\nin-scope accuracy: {:.1} %   out_of_scope recall: {:.1} % (of {})   ECE: {:.3}",
            card.in_scope_accuracy * 100.0,
            card.out_of_scope_recall * 100.0,
            card.n_out_of_scope,
            card.ece
        )?;
        if !card.confusions.is_empty() && confusions > 0 {
            writeln!(out, "\nmost confused (expected -> got):")?;
            for (expected, got, n) in card.confusions.iter().take(confusions) {
                writeln!(out, "{n:>6}  {expected} -> {got}")?;
            }
        }
    }
    if card.n_anger > 0 {
        writeln!(
            out,
            "\nanger: precision {:.3}  recall {:.3}  F1 {:.3}  (angry: {})",
            card.anger.precision, card.anger.recall, card.anger.f1, card.anger.support
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::train::parse_examples;

    #[test]
    fn labels_of_no_intent_are_warned_about() {
        let matcher = crate::cmd::train::load_matcher(None, None).unwrap();
        let examples = parse_examples(
            "{\"text\":\"几点开门\",\"intent\":\"store_hours\"}\n\
             {\"text\":\"在吗\",\"intent\":\"greeting\"}\n\
             {\"text\":\"天气\",\"intent\":\"out_of_scope\"}\n\
             {\"text\":\"营业时间\",\"intent\":\"store_hours\"}\n",
        )
        .unwrap();
        let warning = unknown_labels(&matcher, &examples).expect("a warning");
        assert!(warning.ends_with("store_hours (2)"), "{warning}");
        assert_eq!(unknown_labels(&matcher, &examples[1..3]), None);
    }

    #[test]
    fn blank_lines_skipped_and_bad_line_named() {
        let ok = parse_examples(
            "{\"text\":\"在吗\",\"intent\":\"greeting\"}\n\n{\"text\":\"hi\",\"angry\":false}\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let err = parse_examples("{\"text\":\"a\"}\nnot json\n").unwrap_err();
        assert_eq!(err.to_string(), "line 2");
    }

    #[test]
    fn summary_keeps_the_contract_and_adds_calibration_and_confusions() {
        let matcher = crate::cmd::train::load_matcher(None, None).unwrap();
        let examples = parse_examples(
            "{\"text\":\"在吗\",\"intent\":\"greeting\"}\n\
             {\"text\":\"今天天气怎么样\",\"intent\":\"out_of_scope\"}\n\
             {\"text\":\"在吗\",\"intent\":\"thanks\"}\n",
        )
        .unwrap();
        let card = Scorecard::score(&matcher, &examples);
        let json = summary_json(&card);
        for field in [
            "n",
            "accuracy",
            "macro_f1",
            "anger_precision",
            "anger_recall",
        ] {
            assert!(json.get(field).is_some(), "{field}");
        }
        assert_eq!(json["n_out_of_scope"], 1);
        assert_eq!(json["out_of_scope_recall"], 1.0);
        assert_eq!(json["confusions"][0]["expected"], "thanks");
        assert_eq!(json["confusions"][0]["got"], "greeting");
        assert!(json["ece"]
            .as_f64()
            .is_some_and(|e| (0.0..=1.0).contains(&e)));
        let mut text = Vec::new();
        print_tables(&mut text, &card, 5).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("1  thanks -> greeting"), "{text}");
        assert!(text.contains("ECE:"), "{text}");
    }
}
