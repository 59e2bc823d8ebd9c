//! The bot with the merchant's own order system as its shop (`[shop]`):
//! a fake merchant API on 127.0.0.1 serves the fixtures (with one scan
//! changed, so an answer can only come from it), records what it is asked,
//! and can be switched off.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dialogs::{Commerce, MemoryShop, OrderStatus};
use serde_json::{json, Value};
use xiaoer::shop::HttpShopConfig;

use crate::cli::run;
use crate::desk::claim;
use crate::support::{demo_dir, texts, Server, REFERENCE_NOW};

/// Where the fake merchant's system says C1001's parcel last was (the
/// demo shop says 上海转运中心).
const MERCHANT_SCAN: &str = "南京转运中心";

struct Merchant {
    shop: MemoryShop,
    /// Every request, as `METHOD /path`.
    asked: Mutex<Vec<String>>,
    /// Bodies of the cancellations received.
    cancels: Mutex<Vec<Value>>,
    /// While set, every request gets a 503.
    down: AtomicBool,
    /// While set, cancellations are refused (409) and change nothing.
    refuse_cancels: AtomicBool,
    /// While closed (false), order lookups wait for it to open, telling
    /// `entered` first.
    gate: tokio::sync::watch::Sender<bool>,
    entered: Mutex<Option<std::sync::mpsc::Sender<()>>>,
}

type Shared = State<Arc<Merchant>>;

impl Merchant {
    /// Records the request; the 503 to answer while down.
    fn note(&self, method: &str, uri: &Uri) -> Option<Response> {
        self.asked
            .lock()
            .unwrap()
            .push(format!("{method} {}", uri.path()));
        if self.down.load(Ordering::SeqCst) {
            let body = Json(json!({"error": "maintenance"}));
            return Some((StatusCode::SERVICE_UNAVAILABLE, body).into_response());
        }
        None
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn found<T: serde::Serialize>(value: Option<T>) -> Response {
    // The contract's 404 carries a JSON body.
    let missing = (StatusCode::NOT_FOUND, Json(json!({"error": "not found"})));
    value.map_or(missing.into_response(), |v| Json(v).into_response())
}

async fn customer(State(m): Shared, uri: Uri, Path(id): Path<String>) -> Response {
    if let Some(e) = m.note("GET", &uri) {
        return e;
    }
    found(m.shop.customer(&id).unwrap())
}

async fn orders_of(State(m): Shared, uri: Uri, Path(id): Path<String>) -> Response {
    if let Some(e) = m.note("GET", &uri) {
        return e;
    }
    Json(m.shop.orders_of(&id).unwrap()).into_response()
}

async fn order(State(m): Shared, uri: Uri, Path(id): Path<String>) -> Response {
    if let Some(e) = m.note("GET", &uri) {
        return e;
    }
    if !*m.gate.borrow() {
        let entered = m.entered.lock().unwrap().clone();
        if let Some(entered) = entered {
            let _ = entered.send(());
        }
        let _ = m.gate.subscribe().wait_for(|open| *open).await;
    }
    found(m.shop.order(&id).unwrap())
}

async fn cancel(
    State(m): Shared,
    uri: Uri,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(e) = m.note("POST", &uri) {
        return e;
    }
    m.cancels.lock().unwrap().push(body.clone());
    if m.refuse_cancels.load(Ordering::SeqCst) {
        let body = Json(json!({"error": "the warehouse has packed it"}));
        return (StatusCode::CONFLICT, body).into_response();
    }
    let Some(at) = body["at"].as_str().and_then(|t| t.parse().ok()) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match m.shop.cancel_order(&id, at) {
        Ok(order) => Json(order).into_response(),
        Err(e) => (StatusCode::CONFLICT, Json(json!({"error": e.message()}))).into_response(),
    }
}

/// The fake merchant API, served until dropped.
struct Api {
    base: String,
    merchant: Arc<Merchant>,
    _runtime: tokio::runtime::Runtime,
}

fn merchant_api() -> Api {
    let read = |name: &str| std::fs::read_to_string(demo_dir().join(name)).unwrap();
    let shop = MemoryShop::from_jsonl(&read("customers.jsonl"), &read("orders.jsonl")).unwrap();
    let mut orders = shop.orders();
    for order in &mut orders {
        if let Some(shipment) = &mut order.shipment {
            for event in &mut shipment.events {
                if event.location == "上海转运中心" {
                    event.location = MERCHANT_SCAN.to_string();
                }
            }
        }
    }
    let merchant = Arc::new(Merchant {
        shop: MemoryShop::new(shop.customers().cloned().collect(), orders),
        asked: Mutex::default(),
        cancels: Mutex::default(),
        down: AtomicBool::new(false),
        refuse_cancels: AtomicBool::new(false),
        gate: tokio::sync::watch::Sender::new(true),
        entered: Mutex::default(),
    });
    let app = Router::new()
        .route("/v1/customers/{id}", get(customer))
        .route("/v1/customers/{id}/orders", get(orders_of))
        .route("/v1/orders/{id}", get(order))
        .route("/v1/orders/{id}/cancel", post(cancel))
        .with_state(merchant.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, app).await.unwrap();
    });
    Api {
        base: format!("http://{addr}/v1"),
        merchant,
        _runtime: runtime,
    }
}

/// `xiaoer_shop_failures_total` as the server's metrics say now.
fn shop_failures(server: &Server) -> Option<f64> {
    crate::metrics::series(
        &crate::metrics::scrape(server),
        "xiaoer_shop_failures_total",
    )
}

fn server_for(api: &Api, dir: &std::path::Path) -> Server {
    // Longer than the test client's own 20 s: a turn stuck on the order
    // system must show as a stuck test, not end in a timeout that hides it.
    let config = HttpShopConfig::new(&api.base, None, Duration::from_secs(60)).unwrap();
    Server::start_with_shop(dir, config)
}

#[test]
fn tracking_answers_from_the_merchants_system() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    let c = server.start_conversation("C1001");
    let body = server.say(&c, "我的快递到哪了?订单E20261111000123");
    let reply = texts(&body["replies"]);
    assert!(reply.contains("SF1402839475820"), "{reply}");
    assert!(
        reply.contains(MERCHANT_SCAN),
        "not the merchant's data: {reply}"
    );
    let asked = api.merchant.asked();
    assert!(
        asked.contains(&"GET /v1/customers/C1001".to_string()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&"GET /v1/orders/E20261111000123".to_string()),
        "{asked:?}"
    );
}

#[test]
fn a_confirmed_cancellation_is_posted_to_the_merchants_system() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    let c = server.start_conversation("C1002");
    let body = server.say(&c, "订单E20261111000456能取消吗");
    let asks = &body["replies"][0];
    assert!(
        asks["text"].as_str().unwrap().contains("E20261111000456"),
        "{body}"
    );
    assert!(
        api.merchant.cancels.lock().unwrap().is_empty(),
        "nothing is cancelled before the shopper says yes"
    );
    let yes = asks["buttons"][0]["payload"].as_str().unwrap().to_string();
    let body = server.say(&c, &yes);
    assert_eq!(body["status"]["kind"], "bot", "{body}");
    assert!(
        texts(&body["replies"]).contains("R20261120000456"),
        "{body}"
    );
    assert_eq!(
        *api.merchant.cancels.lock().unwrap(),
        [json!({"at": "2026-11-20T12:00:00+08:00"})]
    );
    assert!(api
        .merchant
        .asked()
        .contains(&"POST /v1/orders/E20261111000456/cancel".to_string()));
    let order = api.merchant.shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    // Asked again, the order is read from the merchant as cancelled: no
    // second POST, and the shopper is told so.
    let body = server.say(&c, "订单E20261111000456能取消吗");
    assert_eq!(api.merchant.cancels.lock().unwrap().len(), 1);
    let reply = texts(&body["replies"]);
    assert!(reply.contains("已于 11月20日 12:00 取消"), "{reply}");
}

#[test]
fn a_failing_order_system_loses_nothing_and_hands_over() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    let c = server.start_conversation("C1001");
    api.merchant.down.store(true, Ordering::SeqCst);
    let body = server.say(&c, "我的快递到哪了?订单E20261111000123");
    let reply = texts(&body["replies"]);
    assert!(
        reply.contains("订单系统暂时查询不到"),
        "no apology: {reply}"
    );
    assert!(!reply.contains("SF1402839475820"), "{reply}");
    assert_eq!(body["status"]["kind"], "queued", "{body}");
    let reasons = body["handoff"]["reasons"].to_string();
    assert!(reasons.contains("shop_unavailable"), "{body}");
    // An outage shows in the metrics.
    assert_eq!(shop_failures(&server), Some(1.0));
    // The shopper's message is on record, with the answer they got.
    let (status, conversation) = server.get(&format!("/api/conversations/{c}/messages"));
    assert_eq!(status, 200);
    let all = texts(&conversation["messages"]);
    assert!(all.contains("我的快递到哪了?订单E20261111000123"), "{all}");
    assert!(all.contains("订单系统暂时查询不到"), "{all}");
    // The agent sees why; the failed request itself is in the log.
    let (status, context) = server.get(&format!("/api/agent/conversations/{c}/context"));
    assert_eq!(status, 200, "{context}");
    assert!(
        context["context"]["reasons"]
            .to_string()
            .contains("shop_unavailable"),
        "{context}"
    );
    // Back up, the next turn answers from the merchant's system again
    // (once a person has handed the conversation back to the bot).
    api.merchant.down.store(false, Ordering::SeqCst);
    crate::desk::sign_in(&server, "a1", 5);
    claim(&server, &c, "a1");
    let (status, _) = server.post(
        &format!("/api/agent/conversations/{c}/resolve"),
        json!({"agent_id": "a1"}),
    );
    assert_eq!(status, 200);
    let body = server.say(&c, "我的快递到哪了?订单E20261111000123");
    assert!(texts(&body["replies"]).contains(MERCHANT_SCAN), "{body}");
}

/// The turn waits for the order system on a blocking thread: while as many
/// turns as the server has async workers (2) wait for it, the server still
/// answers. Were they on the workers, the request below would never be read.
#[test]
fn turns_waiting_on_the_order_system_do_not_stall_the_server() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    let (one, two) = (
        server.start_conversation("C1001"),
        server.start_conversation("C1001"),
    );
    let (entered, inside) = std::sync::mpsc::channel();
    *api.merchant.entered.lock().unwrap() = Some(entered);
    api.merchant.gate.send_replace(false);
    std::thread::scope(|scope| {
        let turns: Vec<_> = [&one, &two]
            .into_iter()
            .map(|c| {
                let server = &server;
                scope.spawn(move || server.say(c, "我的快递到哪了?订单E20261111000123"))
            })
            .collect();
        inside.recv().unwrap();
        inside.recv().unwrap();
        let (status, _) = server.get(&format!("/api/conversations/{one}/messages"));
        assert_eq!(status, 200);
        api.merchant.gate.send_replace(true);
        for turn in turns {
            let body = turn.join().unwrap();
            assert!(texts(&body["replies"]).contains(MERCHANT_SCAN), "{body}");
        }
    });
}

#[test]
fn a_failing_order_system_is_not_named_to_the_caller() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    api.merchant.down.store(true, Ordering::SeqCst);
    // Opening a conversation needs the customer: the order system is down.
    let (status, body) = server.post("/api/conversations", json!({"customer_id": "C1001"}));
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "commerce", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("order system"), "{message}");
    let address = api.base.trim_start_matches("http://");
    assert!(
        !body.to_string().contains(address),
        "leaks {address}: {body}"
    );
}

#[test]
fn chat_with_the_servers_config_asks_the_order_system() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xiaoer.toml");
    let config = path.to_str().unwrap();
    std::fs::write(&path, format!("[shop]\nurl = \"{}\"\n", api.base)).unwrap();
    let (code, stdout, stderr) = run(
        &[
            "chat",
            "--customer",
            "C1001",
            "--json",
            "--now",
            REFERENCE_NOW,
            "--config",
            config,
        ],
        "我的快递到哪了?订单E20261111000123\n",
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let line: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let reply = line["reply"].as_str().unwrap();
    // Only the merchant's system knows this scan.
    assert!(reply.contains(MERCHANT_SCAN), "{reply}");
    // The merchant is warned that this is their real order system.
    assert!(stderr.contains("cancels the real order"), "{stderr}");
    // --import would be ignored with a [shop] table: refused.
    let demo = demo_dir();
    let (code, _, stderr) = run(
        &[
            "chat",
            "--config",
            config,
            "--import",
            demo.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("use one or the other"), "{stderr}");
    // A bad [shop] table is refused before any conversation.
    std::fs::write(&path, "[shop]\nurl = \"orders.example.com\"\n").unwrap();
    let (code, _, stderr) = run(&["chat", "--config", config], "");
    assert_eq!(code, 1);
    assert!(stderr.contains("orders.example.com"), "{stderr}");
}

/// A wrong `[shop] url` meets 404s without the contract's JSON body: that is
/// a failing order system (502, counted), not an unknown customer, and a
/// turn hands over instead of telling the shopper they have no orders.
#[test]
fn a_wrong_url_is_a_failure_not_a_shop_without_customers() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    // The API's host and port, a path it does not serve (axum's bare 404).
    let wrong = format!("{}/nope", api.base);
    let config = HttpShopConfig::new(&wrong, None, Duration::from_secs(60)).unwrap();
    let server = Server::start_with_shop(dir.path(), config);
    let (status, body) = server.post("/api/conversations", json!({"customer_id": "C1001"}));
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "commerce", "{body}");
    assert_eq!(shop_failures(&server), Some(1.0));
}

/// A message can paste any number of order ids; the order system is asked
/// about a few of them, once each, and only the customer's own orders count.
#[test]
fn a_message_full_of_order_ids_asks_the_order_system_a_few_times() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    let c = server.start_conversation("C1001");
    let mut text = String::from("你们太过分了!!我要投诉!!!");
    for i in 0..40 {
        text.push_str(&format!(" E2026111100{i:04}"));
    }
    text.push_str(" E20261111000123");
    let body = server.say(&c, &text);
    assert_eq!(body["status"]["kind"], "queued", "{body}");
    let lookups: Vec<String> = api
        .merchant
        .asked()
        .into_iter()
        .filter(|r| r.starts_with("GET /v1/orders/"))
        .collect();
    assert!(
        lookups.len() <= 6,
        "{} order lookups: {lookups:?}",
        lookups.len()
    );
    let mut distinct = lookups.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), lookups.len(), "asked twice: {lookups:?}");
}

/// The merchant refuses a cancellation the bot thought possible (a 409,
/// the order still paid): the shopper is not told it is cancelled; they get
/// the apology and a person, who sees why.
#[test]
fn a_cancellation_the_merchant_refuses_goes_to_a_person() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let server = server_for(&api, dir.path());
    let c = server.start_conversation("C1002");
    let body = server.say(&c, "订单E20261111000456能取消吗");
    let yes = body["replies"][0]["buttons"][0]["payload"]
        .as_str()
        .unwrap()
        .to_string();
    api.merchant.refuse_cancels.store(true, Ordering::SeqCst);
    let body = server.say(&c, &yes);
    assert_eq!(api.merchant.cancels.lock().unwrap().len(), 1);
    let reply = texts(&body["replies"]);
    assert!(
        !reply.contains("R20261120000456"),
        "told it was cancelled: {reply}"
    );
    assert!(reply.contains("暂时无法在线取消"), "{reply}");
    assert_eq!(body["status"]["kind"], "queued", "{body}");
    let reasons = body["handoff"]["reasons"].to_string();
    assert!(reasons.contains("cancel_refused"), "{body}");
    assert!(!reasons.contains("shop_unavailable"), "{body}");
    let order = api.merchant.shop.order("E20261111000456").unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    // The agent reads why: the pack's note and the merchant's own words.
    let (status, ctx) = server.get(&format!("/api/agent/conversations/{c}/context"));
    assert_eq!(status, 200, "{ctx}");
    let notes = ctx["context"]["notes"].to_string();
    assert!(notes.contains("订单系统拒绝"), "{notes}");
    assert!(notes.contains("refused by the order system"), "{notes}");
    assert!(
        ctx["context"]["summary"]
            .as_str()
            .unwrap()
            .contains("取消被订单系统拒绝"),
        "{ctx}"
    );
    // A refusal is an answer of a working order system, not a failure.
    assert_eq!(shop_failures(&server), Some(0.0));
    assert!(notes.contains("the warehouse has packed it"), "{notes}");
}

/// Review 6, finding 9: `/readyz` says whether the bot can serve shoppers:
/// ready while the order system answers, 503 with the reason while its
/// circuit breaker is open.
#[test]
fn readiness_follows_the_order_systems_circuit_breaker() {
    let api = merchant_api();
    let dir = tempfile::tempdir().unwrap();
    let config = HttpShopConfig::new(&api.base, None, Duration::from_secs(60))
        .unwrap()
        .breaker(1, Duration::from_secs(600));
    let server = Server::start_with_shop(dir.path(), config);
    let (status, body) = server.get("/readyz");
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("ready")),
        "{body}"
    );
    let c = server.start_conversation("C1001");
    api.merchant.down.store(true, Ordering::SeqCst);
    server.say(&c, "我的快递到哪了?订单E20261111000123");
    let (status, body) = server.get("/readyz");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready", "{body}");
    assert!(
        body["reason"].as_str().unwrap().contains("circuit breaker"),
        "{body}"
    );
}
