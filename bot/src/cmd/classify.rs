//! `xiaoer classify`: what the matcher understands of a message.

use std::io::{BufRead, Write};

use anyhow::{Context as _, Result};
use intents::{Explanation, Matcher, Term, TermKind, Understanding};
use serde_json::json;

use crate::cli::ClassifyArgs;

pub fn run(args: ClassifyArgs) -> Result<()> {
    let matcher = super::train::load_matcher(args.pack.as_deref(), args.model.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let print = |out: &mut std::io::StdoutLock, text: &str| {
        print(out, &matcher, text, args.json, args.explain)
    };
    match &args.text {
        Some(text) => print(&mut out, text)?,
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line.context("reading stdin")?;
                if !line.trim().is_empty() {
                    print(&mut out, &line)?;
                }
            }
        }
    }
    Ok(())
}

fn print(
    out: &mut impl Write,
    matcher: &Matcher,
    text: &str,
    as_json: bool,
    explain: bool,
) -> Result<()> {
    if explain {
        let e = matcher.explain(text);
        if as_json {
            let mut value = to_json(&e.understanding);
            value["explain"] = json!({"candidates": e.candidates, "anger": e.anger});
            writeln!(out, "{value}")?;
        } else {
            print_explanation(out, &e)?;
        }
        return Ok(());
    }
    let u = matcher.classify(text);
    if as_json {
        writeln!(out, "{}", to_json(&u))?;
    } else {
        writeln!(
            out,
            "{}\tintent={} confidence={:.2} anger={:.2}{} lang={} slots={}",
            text,
            u.intent,
            u.confidence,
            u.anger,
            if u.angry { " (angry)" } else { "" },
            serde_json::to_value(u.lang)?.as_str().unwrap_or_default(),
            serde_json::to_string(&u.slots)?,
        )?;
    }
    Ok(())
}

/// Terms shown per candidate in the text form of `--explain`.
const TERMS_SHOWN: usize = 8;

fn print_explanation(out: &mut impl Write, e: &Explanation) -> Result<()> {
    let u = &e.understanding;
    writeln!(
        out,
        "{}\tintent={} confidence={:.2} anger={:.2}{}\n  normalized: {}",
        u.text,
        u.intent,
        u.confidence,
        u.anger,
        if u.angry { " (angry)" } else { "" },
        u.normalized
    )?;
    for (c, score) in e.candidates.iter().zip(&u.candidates) {
        writeln!(
            out,
            "  {:<20} p={:.3}  score={:+.3}",
            c.intent, score.score, c.total
        )?;
        print_terms(out, &c.terms)?;
    }
    if !e.anger.is_empty() {
        writeln!(out, "  anger")?;
        print_terms(out, &e.anger)?;
    }
    Ok(())
}

/// The first `TERMS_SHOWN` terms, one per line, then how many more there are.
fn print_terms(out: &mut impl Write, terms: &[Term]) -> Result<()> {
    for t in terms.iter().take(TERMS_SHOWN) {
        writeln!(
            out,
            "      {:+8.3}  {:<9} {}",
            t.weight,
            kind(t.kind),
            t.feature
        )?;
    }
    if terms.len() > TERMS_SHOWN {
        writeln!(out, "      … {} more", terms.len() - TERMS_SHOWN)?;
    }
    Ok(())
}

fn kind(k: TermKind) -> &'static str {
    match k {
        TermKind::Keyword => "keyword",
        TermKind::Slot => "slot",
        TermKind::Threshold => "threshold",
        TermKind::Learned => "learned",
        TermKind::Hand => "hand",
        TermKind::Bias => "bias",
        TermKind::Anger => "anger",
    }
}

/// The `--json` contract: text, intent, confidence, angry, anger, lang, slots, candidates.
fn to_json(u: &Understanding) -> serde_json::Value {
    json!({
        "text": u.text,
        "intent": u.intent,
        "confidence": u.confidence,
        "angry": u.angry,
        "anger": u.anger,
        "lang": u.lang,
        "slots": u.slots,
        "candidates": u.candidates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Matcher {
        let spec: intents::LexiconSpec = toml::from_str(
            r#"
            [intents.refund_status]
            zh = { "退款" = 1.0, "到账" = 1.5 }
            [scoring.slots]
            order_id = { refund_status = 0.5 }
            "#,
        )
        .unwrap();
        Matcher::new(&spec).unwrap()
    }

    #[test]
    fn explain_shows_each_candidate_with_its_terms() {
        let mut out = Vec::new();
        print(
            &mut out,
            &matcher(),
            "退款到账了吗 E20261111000123",
            false,
            true,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("intent=refund_status"), "{text}");
        assert!(lines[2].starts_with("  refund_status"), "{text}");
        assert!(lines[2].contains("score=+3.000"), "{text}");
        for term in [
            "+1.500  keyword   到账",
            "+1.000  keyword   退款",
            "+0.500  slot      order_id",
        ] {
            assert!(text.contains(term), "{term} in\n{text}");
        }
        assert!(
            text.contains("out_of_scope") && text.contains("threshold"),
            "{text}"
        );
    }

    #[test]
    fn explain_json_keeps_the_contract_and_adds_terms() {
        let mut out = Vec::new();
        print(&mut out, &matcher(), "退款", true, true).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        for field in [
            "text",
            "intent",
            "confidence",
            "angry",
            "anger",
            "lang",
            "slots",
            "candidates",
        ] {
            assert!(value.get(field).is_some(), "{field}");
        }
        let terms = &value["explain"]["candidates"][0]["terms"][0];
        assert_eq!(terms["feature"], "退款");
        assert_eq!(terms["kind"], "keyword");
    }
}
