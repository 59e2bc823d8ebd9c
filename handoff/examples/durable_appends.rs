//! How many durable appends per second the store takes, with 1 and 64
//! writer threads (group commit at work). Not a test: run it by hand.
//!
//! ```sh
//! cargo run --release -p handoff --example durable_appends -- [SECONDS_PER_RUN] [DIR]
//! ```
//!
//! DIR defaults to a temporary directory; pass one on the disk you deploy to.

use std::time::{Duration, Instant};

use handoff::{Author, NewMessage, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args
        .next()
        .map_or(3.0, |s| s.parse().expect("SECONDS_PER_RUN is a number"));
    let base = args.next().map(std::path::PathBuf::from);
    let at = dialogs::Time::parse_from_rfc3339("2026-11-20T12:00:00+08:00").unwrap();
    for (threads, conversations) in [(1, 1), (64, 64), (64, 1)] {
        let dir = match &base {
            Some(b) => tempfile::tempdir_in(b),
            None => tempfile::tempdir(),
        }
        .unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ids: Vec<String> = (0..conversations)
            .map(|_| {
                store
                    .create_conversation("C1001", intents::Lang::Zh, at)
                    .unwrap()
                    .id
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        let mut latencies: Vec<Duration> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (store, id) = (&store, &ids[t % conversations]);
                    s.spawn(move || {
                        let mut mine = Vec::new();
                        while Instant::now() < deadline {
                            let message = NewMessage {
                                at,
                                author: Author::Shopper,
                                text: "我的快递到哪了?订单E20261111000123".to_owned(),
                                buttons: Vec::new(),
                                turn: None,
                            };
                            let t0 = Instant::now();
                            store.append(id, message).unwrap();
                            mine.push(t0.elapsed());
                        }
                        mine
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
        println!(
            "{threads:>2} writers, {conversations:>2} conversation(s): {:>7.0} durable appends/s \
             ({} in {elapsed:.1}s), latency p50 {:?} p99 {:?}",
            latencies.len() as f64 / elapsed,
            latencies.len(),
            pct(0.5),
            pct(0.99),
        );
    }
}
