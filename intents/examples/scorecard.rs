//! Scores the default lexicon on a labelled JSONL file and prints the result.
//!
//! `cargo run -p intents --release --example scorecard -- ../shared/eval/dev.jsonl [--misses] [--bench N]`

use std::time::Instant;

use intents::eval::{Example, Scorecard};
use intents::{LexiconSpec, Matcher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: scorecard FILE.jsonl [--misses] [--bench N]")?;
    let lexicon = concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml");
    let spec: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    let matcher = Matcher::new(&spec)?;
    let mut examples: Vec<Example> = std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    if args.iter().any(|a| a == "--bitext") {
        // Bitext's labels mapped onto ours; labels with no counterpart are dropped.
        examples.retain_mut(|e| match e.intent.as_deref().and_then(bitext_label) {
            Some(ours) => {
                e.intent = Some(ours.to_string());
                true
            }
            None => false,
        });
    }
    let card = Scorecard::score(&matcher, &examples);
    println!(
        "n={} intent: n={} accuracy={:.3} macro_f1={:.3} | anger: n={} P={:.3} R={:.3} F1={:.3}",
        card.n,
        card.n_intent,
        card.accuracy,
        card.macro_f1,
        card.n_anger,
        card.anger.precision,
        card.anger.recall,
        card.anger.f1
    );
    let mut predicted = std::collections::BTreeMap::<String, usize>::new();
    for e in &examples {
        *predicted
            .entry(matcher.classify(&e.text).intent)
            .or_default() += 1;
    }
    println!("predicted: {predicted:?}");
    println!("lang: n={} accuracy={:.3}", card.n_lang, card.lang_accuracy);
    if args.iter().any(|a| a == "--misses") {
        for (id, s) in &card.per_intent {
            println!(
                "{id:18} P={:.2} R={:.2} F1={:.2} n={}",
                s.precision, s.recall, s.f1, s.support
            );
        }
        for m in &card.misses {
            println!("MISS {:18} got {:18} {}", m.expected, m.got, m.text);
        }
        for e in &examples {
            let u = matcher.classify(&e.text);
            if e.lang.is_some_and(|l| l != u.lang) {
                println!("LANG expected={:?} got={:?} {}", e.lang, u.lang, e.text);
            }
            if u.script == intents::Script::Traditional {
                println!("TRADITIONAL {}", e.text);
            }
        }
        for (text, expected) in &card.anger_misses {
            let u = matcher.classify(text);
            println!("ANGER expected={expected} got={:.2} {text}", u.anger);
        }
    }
    if let Some(i) = args.iter().position(|a| a == "--bench") {
        let rounds: usize = args
            .get(i + 1)
            .map(|n| n.parse())
            .transpose()?
            .unwrap_or(1000);
        let start = Instant::now();
        let mut sink = 0usize;
        for _ in 0..rounds {
            for e in &examples {
                sink += matcher.classify(&e.text).candidates.len();
            }
        }
        let elapsed = start.elapsed();
        let n = rounds * examples.len();
        println!(
            "bench: {n} classifications in {:.2?} = {:.0} msg/s, {:.2} µs/msg (sink {sink})",
            elapsed,
            n as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1e6 / n as f64
        );
    }
    Ok(())
}

/// Bitext customer-support labels -> the storefront's intent ids.
fn bitext_label(label: &str) -> Option<&'static str> {
    Some(match label {
        "check_invoice" | "get_invoice" => "invoice",
        "payment_issue" => "payment_issue",
        "track_refund" => "refund_status",
        "cancel_order" | "check_cancellation_fee" => "cancel_order",
        "change_order" | "change_shipping_address" => "change_order",
        "track_order" => "track_package",
        "complaint" => "complaint",
        "contact_human_agent" | "contact_customer_service" => "human_agent",
        "create_account"
        | "delete_account"
        | "edit_account"
        | "recover_password"
        | "registration_problems"
        | "switch_account" => "account_issue",
        "delivery_options" | "delivery_period" => "shipping_info",
        _ => return None,
    })
}
