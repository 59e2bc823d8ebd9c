//! `xiaoer eval FILE.jsonl`: scores the default pack's matcher on labelled
//! messages (the format of ../shared/eval). Lines without `intent` count for
//! anger only, lines without `angry` for intents only.

use std::io::Write;

use anyhow::{Context as _, Result};
use intents::eval::{Example, Scorecard};
use serde_json::json;

use crate::cli::EvalArgs;

pub fn run(args: EvalArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let examples = parse(&text).with_context(|| format!("in {}", args.file.display()))?;
    let pack = super::load_pack(None)?;
    let card = Scorecard::score(pack.matcher(), &examples);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", summary_json(&card))?;
    } else {
        print_tables(&mut out, &card)?;
    }
    Ok(())
}

fn parse(text: &str) -> Result<Vec<Example>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("line {}", i + 1)))
        .collect()
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
    })
}

fn print_tables(out: &mut impl Write, card: &Scorecard) -> Result<()> {
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

    #[test]
    fn blank_lines_skipped_and_bad_line_named() {
        let ok = parse(
            "{\"text\":\"在吗\",\"intent\":\"greeting\"}\n\n{\"text\":\"hi\",\"angry\":false}\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let err = parse("{\"text\":\"a\"}\nnot json\n").unwrap_err();
        assert_eq!(err.to_string(), "line 2");
    }
}
