//! The real `xiaoer serve` process: it prints its address, stops cleanly on
//! SIGTERM with exit code 0, and a new process on the same data directory
//! finds the queue as it was.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{xiaoer_bin, REFERENCE_NOW};

struct Process {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Process {
    fn start(data_dir: &std::path::Path) -> Process {
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
