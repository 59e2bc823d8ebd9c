//! A server on an ephemeral loopback port, run in-process on its own tokio
//! runtime, plus a small blocking HTTP client for the tests.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::oneshot;
use xiaoer::desk::DeskConfig;
use xiaoer::http::AppState;
use xiaoer::Clock;

/// The fixtures' reference instant.
pub const REFERENCE_NOW: &str = "2026-11-20T12:00:00+08:00";

pub fn reference_clock() -> Clock {
    Clock::Pinned(chrono::DateTime::parse_from_rfc3339(REFERENCE_NOW).unwrap())
}

/// A running server; stops (gracefully, store flushed and closed) on `stop` or drop.
pub struct Server {
    pub base: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    agent: ureq::Agent,
    token: Option<String>,
}

impl Server {
    /// Starts a server on `data_dir` (a fresh dir gets the demo shop).
    pub fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, None, None)
    }

    /// With an agent token and/or a content pack directory.
    pub fn start_with(data_dir: &Path, token: Option<&str>, pack_dir: Option<&Path>) -> Server {
        Server::start_full(
            data_dir,
            token,
            pack_dir,
            reference_clock(),
            DeskConfig::default(),
        )
    }

    /// At another pinned instant, with a desk configuration.
    pub fn start_at(data_dir: &Path, now: &str, desk: DeskConfig) -> Server {
        let clock = Clock::Pinned(chrono::DateTime::parse_from_rfc3339(now).unwrap());
        Server::start_full(data_dir, None, None, clock, desk)
    }

    /// With a clock the test moves forward by hand, and a desk configuration.
    pub fn start_manual(
        data_dir: &Path,
        clock: xiaoer::clock::ManualClock,
        desk: DeskConfig,
    ) -> Server {
        Server::start_full(data_dir, None, None, Clock::Manual(clock), desk)
    }

    /// With a hand-moved clock and the periodic watches `serve` runs, every
    /// few milliseconds: the SLA check (`serve`: every 30 s) and the places'
    /// refresh (`serve`: every minute).
    pub fn start_watching_sla(
        data_dir: &Path,
        clock: xiaoer::clock::ManualClock,
        desk: DeskConfig,
    ) -> Server {
        Server::start_inner(data_dir, None, None, Clock::Manual(clock), desk, true, None)
    }

    /// With the merchant's order system (an HTTP shop) instead of the
    /// embedded demo shop, at the reference clock.
    pub fn start_with_shop(data_dir: &Path, shop: xiaoer::shop::HttpShopConfig) -> Server {
        Server::start_inner(
            data_dir,
            None,
            None,
            reference_clock(),
            DeskConfig::default(),
            false,
            Some(shop),
        )
    }

    fn start_full(
        data_dir: &Path,
        token: Option<&str>,
        pack_dir: Option<&Path>,
        clock: Clock,
        desk: DeskConfig,
    ) -> Server {
        Server::start_inner(data_dir, token, pack_dir, clock, desk, false, None)
    }

    fn start_inner(
        data_dir: &Path,
        token: Option<&str>,
        pack_dir: Option<&Path>,
        clock: Clock,
        desk: DeskConfig,
        watch_sla: bool,
        shop: Option<xiaoer::shop::HttpShopConfig>,
    ) -> Server {
        let dir: PathBuf = data_dir.to_path_buf();
        let pack_dir: Option<PathBuf> = pack_dir.map(Path::to_path_buf);
        let token_for_server = token.map(str::to_string);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<SocketAddr>();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let db = xiaoer::cmd::open_db(&dir).unwrap();
                let pack = xiaoer::cmd::load_pack(pack_dir.as_deref()).unwrap();
                if shop.is_none() {
                    xiaoer::cmd::load_demo_if_empty(&db).unwrap();
                }
                let bot = xiaoer::cmd::build_bot_with_shop(
                    &db,
                    shop.as_ref(),
                    pack,
                    handoff::Policy::default(),
                    clock,
                    2000,
                    desk,
                )
                .unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready_tx.send(listener.local_addr().unwrap()).unwrap();
                let bot = Arc::new(bot);
                let mut state =
                    AppState::new(bot.clone(), token_for_server).with_pack_dir(pack_dir);
                if watch_sla {
                    state = state.with_place_refresh(Duration::from_millis(20));
                }
                if watch_sla {
                    tokio::spawn(xiaoer::desk::watch_sla(
                        bot,
                        Duration::from_millis(5),
                        state.closing.subscribe(),
                    ));
                }
                xiaoer::http::serve(listener, state, async {
                    let _ = shutdown_rx.await;
                })
                .await
                .unwrap();
                db.flush_async().await.unwrap();
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server did not start");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        Server {
            base: format!("http://{addr}"),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
            agent,
            token: token.map(str::to_string),
        }
    }

    /// Stops the server and waits until its store is closed.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().expect("server thread panicked");
        }
    }

    fn auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.token {
            Some(t) => req.header("authorization", format!("Bearer {t}")),
            None => req,
        }
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .auth(self.agent.get(format!("{}{path}", self.base)))
            .call()
            .unwrap();
        read(resp)
    }

    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .auth(self.agent.post(format!("{}{path}", self.base)))
            .send_json(&body)
            .unwrap();
        read(resp)
    }

    pub fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .auth(self.agent.put(format!("{}{path}", self.base)))
            .send_json(&body)
            .unwrap();
        read(resp)
    }

    /// Any method without a body: status, `content-type` and the body
    /// (JSON when it parses, else the text).
    pub fn call(&self, method: &str, path: &str) -> (u16, String, Value) {
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .body(())
            .unwrap();
        let resp = self.agent.run(req).unwrap();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let (status, body) = read(resp);
        (status, content_type, body)
    }

    /// Posts raw bytes with a content type (for malformed bodies).
    pub fn post_raw(&self, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        let resp = self
            .agent
            .post(format!("{}{path}", self.base))
            .content_type(content_type)
            .send(body)
            .unwrap();
        read(resp)
    }

    /// Opens a conversation for a demo customer; returns its id.
    pub fn start_conversation(&self, customer: &str) -> String {
        let (status, body) = self.post(
            "/api/conversations",
            serde_json::json!({ "customer_id": customer }),
        );
        assert_eq!(status, 201, "{body}");
        body["conversation_id"].as_str().unwrap().to_string()
    }

    /// The text of the conversation's latest message.
    pub fn last_message(&self, conversation: &str) -> String {
        let (_, history) = self.get(&format!("/api/conversations/{conversation}/messages"));
        history["messages"].as_array().unwrap().last().unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Sends a shopper message; returns the response body (asserting 200).
    pub fn say(&self, conversation: &str, text: &str) -> Value {
        let (status, body) = self.post(
            &format!("/api/conversations/{conversation}/messages"),
            serde_json::json!({ "text": text }),
        );
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Reads server-sent events of a conversation until `until` matches a
    /// message, or the deadline passes; returns the messages seen.
    pub fn events_until(&self, path: &str, until: impl Fn(&Value) -> bool) -> Vec<Value> {
        let resp = self
            .auth(self.agent.get(format!("{}{path}", self.base)))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let reader = BufReader::new(resp.into_body().into_reader());
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut seen = Vec::new();
        for line in reader.lines() {
            let line = line.unwrap();
            if let Some(data) = line.strip_prefix("data:") {
                let m: Value = serde_json::from_str(data.trim()).unwrap();
                let done = until(&m);
                seen.push(m);
                if done {
                    return seen;
                }
            }
            assert!(Instant::now() < deadline, "no matching event; saw {seen:?}");
        }
        panic!("stream ended; saw {seen:?}");
    }
}

/// An open server-sent event stream.
pub struct Events {
    lines: std::io::Lines<BufReader<ureq::BodyReader<'static>>>,
}

impl Server {
    /// Opens a server-sent event stream; once this returns the server is
    /// subscribed, so what happens next is seen.
    pub fn events(&self, path: &str) -> Events {
        let resp = self
            .auth(self.agent.get(format!("{}{path}", self.base)))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        Events {
            lines: BufReader::new(resp.into_body().into_reader()).lines(),
        }
    }
}

impl Events {
    /// The next event named `name` whose data satisfies `wanted` (others are skipped).
    pub fn next_where(&mut self, name: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let event = self.next_named(name);
            if wanted(&event) {
                return event;
            }
        }
    }

    /// The next event named `name`, as JSON (others are skipped).
    pub fn next_named(&mut self, name: &str) -> Value {
        self.next_of(&[name]).1
    }

    /// The next event named one of `names`: its name and its JSON data.
    pub fn next_of(&mut self, names: &[&str]) -> (String, Value) {
        let mut event = String::new();
        for line in self.lines.by_ref() {
            let line = line.expect("the event stream broke off");
            if let Some(e) = line.strip_prefix("event:") {
                event = e.trim().to_string();
            } else if let Some(data) = line.strip_prefix("data:") {
                if names.contains(&event.as_str()) {
                    return (event, serde_json::from_str(data.trim()).unwrap());
                }
            }
        }
        panic!("the event stream ended before a {names:?} event");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.halt();
    }
}

fn read(mut resp: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// All texts of a list of messages, joined (for fact checks).
pub fn texts(messages: &Value) -> String {
    messages
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// The `xiaoer` binary that `cargo test --workspace` builds beside this test.
pub fn xiaoer_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join(format!("xiaoer{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run the suite with `cargo test --workspace`, which builds the binary",
        bin.display()
    );
    bin
}

/// The project's demo shop directory (the fixtures).
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}

/// Copies a directory tree (a content pack) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The default content pack's source directory.
pub fn default_pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogs/pack")
}
