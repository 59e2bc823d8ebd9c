//! Per-message latency (p50/p99) and single-thread throughput of the
//! default lexicon, optionally with a trained model, over a JSONL file; and
//! the time to load (parse and compile) the lexicon and model.
//!
//! `cargo run -p intents --release --example latency -- FILE.jsonl [--model MODEL] [--rounds N] [--lexicon LEXICON.toml]`
//! (MODEL as `xiaoer train` writes it: lines, or `.json`).

use std::time::{Duration, Instant};

use intents::eval::Example;
use intents::{LexiconSpec, Matcher, ModelSpec};

#[derive(serde::Deserialize)]
struct ModelFile {
    model: ModelSpec,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: latency FILE.jsonl [--model MODEL] [--rounds N]")?;
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let rounds: usize = value("--rounds")
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(5);
    let lexicon = value("--lexicon").map_or(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../dialogs/pack/lexicon.toml"),
        String::as_str,
    );

    let started = Instant::now();
    let mut spec: LexiconSpec = toml::from_str(&std::fs::read_to_string(lexicon)?)?;
    if let Some(model) = value("--model") {
        let text = std::fs::read_to_string(model)?;
        spec.model = Some(if model.ends_with(".json") {
            serde_json::from_str::<ModelFile>(&text)?.model
        } else {
            intents::model_text::parse(&text)?
        });
    }
    let parsed = started.elapsed();
    let matcher = Matcher::from_spec(spec)?;
    let load = started.elapsed();

    let texts: Vec<String> = std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Example>(l).map(|e| e.text))
        .collect::<Result<_, _>>()?;
    // One warm-up pass, then timed rounds.
    for t in &texts {
        std::hint::black_box(matcher.classify(t));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(texts.len() * rounds);
    let all = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            let start = Instant::now();
            std::hint::black_box(matcher.classify(std::hint::black_box(t)));
            times.push(start.elapsed());
        }
    }
    let total = all.elapsed();
    times.sort_unstable();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "load {:.1} ms (read+parse {:.1}, compile {:.1}) | {} messages x {rounds}: {:.0} msg/s, mean {:.2} µs, p50 {:.2} µs, p90 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs, max {:.1} µs",
        load.as_secs_f64() * 1e3,
        parsed.as_secs_f64() * 1e3,
        (load - parsed).as_secs_f64() * 1e3,
        texts.len(),
        times.len() as f64 / total.as_secs_f64(),
        us(total) / times.len() as f64,
        us(pct(0.5)),
        us(pct(0.9)),
        us(pct(0.99)),
        us(pct(0.999)),
        us(times[times.len() - 1]),
    );
    Ok(())
}
