//! Classify latency for short and long messages, and pack load time.
//!
//! `cargo bench -p intents --bench classify`; set `XIAOER_BENCH_MODEL` to a
//! model file written by `xiaoer train` (lines, or .json) to also measure a trained
//! matcher. Results go to BENCHMARKS.md with command, machine and date.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use intents::{LexiconSpec, Matcher, ModelSpec};

const LEXICON: &str = include_str!("../../dialogs/pack/lexicon.toml");

const SHORT: [&str; 4] = [
    "退款什么时候到账",
    "where is my package",
    "在吗",
    "訂單E20261111000654怎麼還不發貨",
];

const LONG: &str = "你好，我上周五在你们店买的那双运动鞋到现在还没有发货，订单号是E20261111000123，\
    客服说48小时内发货但是已经过了五天了，我问了好几次都没人回，如果今天再不发货我就要申请退款并且投诉了。\
    Also the tracking number SF1402839475820 you sent me does not work at all, what is going on?";

fn spec() -> LexiconSpec {
    let mut spec: LexiconSpec = toml::from_str(LEXICON).expect("default lexicon");
    if let Ok(path) = std::env::var("XIAOER_BENCH_MODEL") {
        #[derive(serde::Deserialize)]
        struct File {
            model: ModelSpec,
        }
        let text = std::fs::read_to_string(&path).expect("model file");
        spec.model = Some(if path.ends_with(".json") {
            serde_json::from_str::<File>(&text)
                .expect("a .json model")
                .model
        } else {
            intents::model_text::parse(&text).expect("a model file of lines")
        });
    }
    spec
}

fn classify(c: &mut Criterion) {
    let matcher = Matcher::new(&spec()).expect("lexicon compiles");
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(SHORT.len() as u64));
    group.bench_function("short", |b| {
        b.iter(|| {
            for text in SHORT {
                black_box(matcher.classify(black_box(text)));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("long", |b| {
        b.iter(|| black_box(matcher.classify(black_box(LONG))))
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let spec = spec();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("compile", |b| {
        b.iter(|| Matcher::new(black_box(&spec)).unwrap())
    });
    group.bench_function("parse_and_compile", |b| {
        b.iter(|| {
            let spec: LexiconSpec = toml::from_str(black_box(LEXICON)).unwrap();
            Matcher::new(&spec).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, classify, load);
criterion_main!(benches);
