//! The real `xiaoer serve` process: it prints its address, stops cleanly on
//! SIGTERM with exit code 0, and a new process on the same data directory
//! finds the queue as it was.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{copy_tree, default_pack_dir, xiaoer_bin, REFERENCE_NOW};

struct Process {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Process {
    fn start(data_dir: &std::path::Path) -> Process {
        Process::start_with(data_dir, &[])
    }

    fn start_with(data_dir: &std::path::Path, extra: &[&str]) -> Process {
        let mut child = Command::new(xiaoer_bin())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--now",
                REFERENCE_NOW,
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("xiaoer listening on ")
            .expect(&line)
            .to_string();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        Process { child, base, agent }
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let mut resp = self
            .agent
            .post(format!("{}{path}", self.base))
            .send_json(&body)
            .unwrap();
        resp.body_mut().read_json().unwrap()
    }

    fn get(&self, path: &str) -> Value {
        let mut resp = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap();
        resp.body_mut().read_json().unwrap()
    }

    /// Sends SIGTERM and returns the exit code.
    fn terminate(mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                return exit.code();
            }
            assert!(
                Instant::now() < deadline,
                "serve did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sigterm_stops_cleanly_and_the_queue_survives() {
    let dir = tempfile::tempdir().unwrap();
    let first = Process::start(dir.path());
    let started = first.post("/api/conversations", json!({ "customer_id": "C1005" }));
    let id = started["conversation_id"].as_str().unwrap().to_string();
    let turn = first.post(
        &format!("/api/conversations/{id}/messages"),
        json!({ "text": "我要投诉!!!螃蟹都是死的" }),
    );
    assert!(turn["handoff"].is_object(), "{turn}");
    assert_eq!(first.terminate(), Some(0), "serve must exit 0 on SIGTERM");

    let second = Process::start(dir.path());
    let queue = second.get("/api/agent/queue");
    let ids: Vec<&str> = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    let history = second.get(&format!("/api/conversations/{id}/messages"));
    assert!(history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["text"].as_str().unwrap().contains("螃蟹")));
    assert_eq!(second.terminate(), Some(0));
}

/// sled locks its store while `serve` runs: `xiaoer queue` on the same
/// directory is refused with a message saying why, rather than blocking or
/// reading a store another process is writing.
#[test]
fn queue_is_refused_while_serve_holds_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = Process::start(dir.path());
    let out = Command::new(xiaoer_bin())
        .args(["queue", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("is `xiaoer serve` running on it?"), "{err}");
    assert!(!err.contains("Os {"), "no debug form: {err}");
    assert_eq!(server.terminate(), Some(0));
    let out = Command::new(xiaoer_bin())
        .args(["queue", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SIGKILL while handoffs are being created: every handoff and every message
/// the server acknowledged is there after a restart.
#[test]
fn sigkill_mid_handoffs_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let first = Process::start(dir.path());
    let base = first.base.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handoffs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..4 {
        let base = base.clone();
        let stop = stop.clone();
        let handoffs = handoffs.clone();
        writers.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(5)))
                .build()
                .into();
            // (conversation id, acknowledged shopper texts, handed over?)
            let mut acked: Vec<(String, Vec<String>, bool)> = Vec::new();
            let customers = ["C1001", "C1002", "C1004", "C1006"];
            for i in 0..10_000 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let Ok(mut resp) = agent
                    .post(format!("{base}/api/conversations"))
                    .send_json(json!({ "customer_id": customers[w] }))
                else {
                    break;
                };
                let Ok(started) = resp.body_mut().read_json::<Value>() else {
                    break;
                };
                let id = started["conversation_id"].as_str().unwrap().to_string();
                let mut texts = Vec::new();
                let mut handed = false;
                for text in [format!("订单查询 {w}-{i}"), format!("转人工!!! {w}-{i}")] {
                    let Ok(mut resp) = agent
                        .post(format!("{base}/api/conversations/{id}/messages"))
                        .send_json(json!({ "text": text }))
                    else {
                        break;
                    };
                    let Ok(body) = resp.body_mut().read_json::<Value>() else {
                        break;
                    };
                    texts.push(text);
                    handed |= body["handoff"].is_object();
                }
                if handed {
                    handoffs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                acked.push((id, texts, handed));
            }
            acked
        }));
    }
    // Pull the plug once the writers are in full swing (requests in flight).
    let deadline = Instant::now() + Duration::from_secs(60);
    while handoffs.load(std::sync::atomic::Ordering::Relaxed) < 40 {
        assert!(
            Instant::now() < deadline,
            "the server acknowledged too few handoffs"
        );
        std::thread::yield_now();
    }
    let mut first = first;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acked: Vec<(String, Vec<String>, bool)> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let handed: usize = acked.iter().filter(|a| a.2).count();
    assert!(
        handed > 10,
        "too few handoffs before the kill to prove anything: {handed}"
    );

    let second = Process::start(dir.path());
    let queue = second.get("/api/agent/queue");
    let queued: std::collections::HashSet<&str> = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["conversation_id"].as_str().unwrap())
        .collect();
    for (id, texts, handed_over) in &acked {
        if *handed_over {
            assert!(
                queued.contains(id.as_str()),
                "acknowledged handoff {id} lost"
            );
        }
        let history = second.get(&format!("/api/conversations/{id}/messages"));
        let stored: Vec<&str> = history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap())
            .collect();
        for t in texts {
            assert!(
                stored.contains(&t.as_str()),
                "acknowledged message `{t}` of {id} lost: {stored:?}"
            );
        }
    }
    assert_eq!(second.terminate(), Some(0));
}

#[test]
fn sighup_reloads_the_configured_pack() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    copy_tree(&default_pack_dir(), &pack);
    let config = dir.path().join("xiaoer.toml");
    std::fs::write(
        &config,
        format!("pack_dir = {:?}\n", pack.to_str().unwrap()),
    )
    .unwrap();
    // With a config file the demo shop's customers come only with --demo.
    let server = Process::start_with(
        &dir.path().join("data"),
        &["--config", config.to_str().unwrap(), "--demo"],
    );
    let greet = |p: &Process| {
        p.post("/api/conversations", json!({ "customer_id": "C1004" }))["messages"][0]["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = greet(&server);
    let en = pack.join("templates/en.toml");
    let text = std::fs::read_to_string(&en).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("greeting = "))
        .unwrap()
        .to_string();
    std::fs::write(
        &en,
        text.replace(&line, "greeting = \"Hello from the reloaded pack\""),
    )
    .unwrap();
    assert_eq!(greet(&server), before, "nothing changes before the signal");

    let status = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The reload runs in the server's own time: wait for it, bounded.
    let deadline = Instant::now() + Duration::from_secs(20);
    while greet(&server) != "Hello from the reloaded pack" {
        assert!(Instant::now() < deadline, "SIGHUP did not reload the pack");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.terminate(), Some(0));
}

/// Review 6, finding 1: a `serve` with a configuration file never writes
/// the demo shop into the merchant's store; a try-out `serve` (no config)
/// does, and a later `xiaoer import` removes it, so the merchant's customer
/// C1001 sees only their own orders.
#[test]
fn the_demo_shop_never_stays_in_a_merchants_store() {
    let chat = |dir: &std::path::Path, config: Option<&std::path::Path>| {
        let dir = dir.to_str().unwrap();
        let mut args = vec![
            "chat",
            "--customer",
            "C1001",
            "--now",
            REFERENCE_NOW,
            "--json",
            "--data-dir",
            dir,
        ];
        if let Some(config) = config {
            args.extend(["--config", config.to_str().unwrap()]);
        }
        let (code, out, err) = crate::cli::run(&args, "我的订单\n");
        (code == 0, out, err)
    };
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("xiaoer.toml");
    std::fs::write(&config, "max_message_chars = 2000\n").unwrap();

    // With a config file: the store stays empty.
    let configured = work.path().join("configured");
    let server = Process::start_with(&configured, &["--config", config.to_str().unwrap()]);
    // Serving (and so listening for SIGTERM) once it answers.
    server.get("/api/agent/queue");
    assert_eq!(server.terminate(), Some(0));
    let (ok, out, err) = chat(&configured, Some(&config));
    assert!(
        !ok && err.contains("C1001"),
        "no demo customer: {out} {err}"
    );

    // A try-out without one gets the demo; the merchant's import removes it.
    let tried = work.path().join("tried");
    let server = Process::start(&tried);
    server.get("/api/agent/queue");
    assert_eq!(server.terminate(), Some(0));
    let own = work.path().join("own");
    std::fs::create_dir(&own).unwrap();
    std::fs::write(
        own.join("customers.jsonl"),
        r#"{"customer_id":"C1001","name":"陈真","tier":"normal","phone":"13900000000","language":"zh"}"#,
    )
    .unwrap();
    let demo_order = std::fs::read_to_string(crate::support::demo_dir().join("orders.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .replace("E20261111000123", "E20261201000002");
    std::fs::write(own.join("orders.jsonl"), demo_order).unwrap();
    let out = Command::new(xiaoer_bin())
        .arg("import")
        .arg(&own)
        .arg("--data-dir")
        .arg(&tried)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("removed its 6 customers and 13 orders"),
        "{stdout}"
    );
    let (ok, out, err) = chat(&tried, Some(&config));
    assert!(ok, "{err}");
    assert!(out.contains("E20261201000002"), "{out}");
    assert!(!out.contains("E2026111"), "no demo order left: {out}");
}

/// Review 6, finding 11: `serve --pack DIR` and `chat --pack DIR` serve that
/// content pack, as `classify --pack` reads it, without a config file.
#[test]
fn serve_and_chat_take_a_pack_on_the_command_line() {
    let pack = tempfile::tempdir().unwrap();
    copy_tree(&default_pack_dir(), pack.path());
    crate::pack_reload::set_greeting(pack.path(), "本店新包的问候");
    let data = tempfile::tempdir().unwrap();
    let server = Process::start_with(data.path(), &["--pack", pack.path().to_str().unwrap()]);
    let started = server.post("/api/conversations", json!({ "customer_id": "C1002" }));
    assert_eq!(
        started["messages"][0]["text"], "本店新包的问候",
        "{started}"
    );
    assert_eq!(server.terminate(), Some(0));

    let out = Command::new(xiaoer_bin())
        .args([
            "chat",
            "--customer",
            "C1002",
            "--now",
            REFERENCE_NOW,
            "--pack",
        ])
        .arg(pack.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("本店新包的问候"), "{stdout}");
}
