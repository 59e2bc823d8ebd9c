//! `HttpShop` against a tiny merchant API on 127.0.0.1:0 that serves the
//! demo fixtures from a `MemoryShop`, plus routes that misbehave.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dialogs::{MemoryShop, OrderStatus};
use serde_json::{json, Value};

use super::*;
use crate::shop::{DEMO_CUSTOMERS, DEMO_ORDERS};

const TOKEN: &str = "s3cret-token";

struct Merchant {
    shop: MemoryShop,
    /// Each cancellation's order id and `at`, as received.
    cancels: Mutex<Vec<(String, String)>>,
    /// Requests that reached the `/flaky` routes.
    flaky_calls: std::sync::atomic::AtomicUsize,
    /// Whether the `/flaky` routes fail (500) or answer as `/api` does.
    flaky_down: std::sync::atomic::AtomicBool,
}

type Shared = State<Arc<Merchant>>;

/// The refusal of a request without the right token.
fn unauthorised(headers: &HeaderMap) -> Option<Response> {
    let sent = headers.get("authorization").and_then(|v| v.to_str().ok());
    let refused = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "bad token"})),
    );
    (sent != Some(&format!("Bearer {TOKEN}"))).then(|| refused.into_response())
}

fn found<T: serde::Serialize>(value: Option<T>) -> Response {
    match value {
        Some(v) => Json(v).into_response(),
        None => not_found(),
    }
}

/// The contract's 404: with a JSON body.
fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"error": "not found"}))).into_response()
}

async fn customer(State(m): Shared, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(e) = unauthorised(&h) {
        return e;
    }
    found(m.shop.customer(&id).unwrap())
}

async fn orders_of(State(m): Shared, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(e) = unauthorised(&h) {
        return e;
    }
    // Oldest first on purpose: the client sorts.
    let mut orders = m.shop.orders_of(&id).unwrap();
    orders.reverse();
    if id == "C1002" {
        // A buggy merchant query that also returns someone else's order.
        orders.push(m.shop.order("E20261111000123").unwrap().unwrap());
    }
    let mut orders: Vec<Value> = orders.iter().map(|o| json!(o)).collect();
    if id == "C1003" {
        // An order system with more statuses than the contract's five, and
        // an order that is not even an object.
        let mut refunded = orders[0].clone();
        refunded["order_id"] = json!("E20261130000999");
        refunded["status"] = json!("refunded");
        orders.push(refunded);
        orders.push(json!("E20261130000998"));
    }
    Json(orders).into_response()
}

async fn order(State(m): Shared, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(e) = unauthorised(&h) {
        return e;
    }
    found(m.shop.order(&id).unwrap())
}

async fn cancel(
    State(m): Shared,
    h: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(e) = unauthorised(&h) {
        return e;
    }
    let at = body["at"].as_str().unwrap_or_default().to_string();
    m.cancels.lock().unwrap().push((id.clone(), at.clone()));
    if m.shop.order(&id).unwrap().is_none() {
        return not_found();
    }
    let at: Time = match at.parse() {
        Ok(at) => at,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    match m.shop.cancel_order(&id, at) {
        Ok(order) => Json(order).into_response(),
        Err(e) => (StatusCode::CONFLICT, Json(json!({"error": e.message()}))).into_response(),
    }
}

/// The merchant API, served until dropped.
struct Api {
    base: String,
    merchant: Arc<Merchant>,
    _runtime: tokio::runtime::Runtime,
}

fn api() -> Api {
    let merchant = Arc::new(Merchant {
        shop: MemoryShop::from_jsonl(DEMO_CUSTOMERS, DEMO_ORDERS).unwrap(),
        cancels: Mutex::default(),
        flaky_calls: Default::default(),
        flaky_down: std::sync::atomic::AtomicBool::new(true),
    });
    let app = Router::new()
        .route("/api/customers/{id}", get(customer))
        .route("/api/customers/{id}/orders", get(orders_of))
        .route("/api/orders/{id}", get(order))
        .route("/api/orders/{id}/cancel", post(cancel))
        .route(
            "/broken/customers/{id}",
            get(|| async { "{\"customer_id\": " }),
        )
        .route(
            "/down/customers/{id}",
            get(|| async {
                let body = Json(json!({"error": "database offline"}));
                (StatusCode::INTERNAL_SERVER_ERROR, body)
            }),
        )
        // A bare 404 for everything: what a wrong base path meets.
        .route(
            "/bare/customers/{id}",
            get(|| async { StatusCode::NOT_FOUND }),
        )
        // Another customer's record, whoever is asked for.
        .route(
            "/mixed/customers/{id}",
            get(|State(m): Shared| async move { Json(m.shop.customer("C1002").unwrap()) }),
        )
        // Fails while `flaky_down`, and counts what reaches it.
        .route(
            "/flaky/customers/{id}",
            get(|State(m): Shared, Path(id): Path<String>| async move {
                use std::sync::atomic::Ordering::SeqCst;
                m.flaky_calls.fetch_add(1, SeqCst);
                if m.flaky_down.load(SeqCst) {
                    let body = Json(json!({"error": "database offline"}));
                    return (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
                }
                found(m.shop.customer(&id).unwrap())
            }),
        )
        // Never answers: only the client's timeout ends the request.
        .route(
            "/slow/customers/{id}",
            get(std::future::pending::<&'static str>),
        )
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
        base: format!("http://{addr}"),
        merchant,
        _runtime: runtime,
    }
}

fn shop_at(url: &str, token: Option<&str>, timeout_ms: u64) -> HttpShop {
    let config = HttpShopConfig::new(
        url,
        token.map(str::to_string),
        Duration::from_millis(timeout_ms),
    )
    .unwrap();
    HttpShop::new(config)
}

fn shop(api: &Api) -> HttpShop {
    // A trailing slash is fine.
    shop_at(&format!("{}/api/", api.base), Some(TOKEN), 3000)
}

#[test]
fn reads_customers_and_orders_and_404_is_none() {
    let api = api();
    let shop = shop(&api);
    assert_eq!(shop.customer("C1001").unwrap().unwrap().name, "李娜");
    assert_eq!(shop.customer("C9999").unwrap(), None);
    let order = shop.order("E20261111000123").unwrap().unwrap();
    assert_eq!(order.shipment.unwrap().tracking_no, "SF1402839475820");
    assert_eq!(shop.order("E00000000000000").unwrap(), None);
    // An id that is not a plain segment stays one segment.
    assert_eq!(shop.order("../customers/C1001").unwrap(), None);
}

#[test]
fn a_customers_orders_come_newest_first_and_only_theirs() {
    let api = api();
    let ids: Vec<String> = shop(&api)
        .orders_of("C1002")
        .unwrap()
        .into_iter()
        .map(|o| o.order_id)
        .collect();
    assert_eq!(
        ids,
        ["E20261112000789", "E20261111001555", "E20261111000456"]
    );
    assert!(shop(&api).orders_of("C9999").unwrap().is_empty());
}

/// Review 6, finding 5: an order the client cannot read (a status outside
/// the contract's, such as `refunded`) is left out of the list; the
/// customer's other orders still answer, on every turn.
#[test]
fn an_unreadable_order_is_left_out_and_the_rest_listed() {
    let api = api();
    let shop = shop(&api);
    let expected: Vec<String> = api
        .merchant
        .shop
        .orders_of("C1003")
        .unwrap()
        .into_iter()
        .map(|o| o.order_id)
        .collect();
    assert!(!expected.is_empty());
    for _ in 0..2 {
        let ids: Vec<String> = shop
            .orders_of("C1003")
            .unwrap()
            .into_iter()
            .map(|o| o.order_id)
            .collect();
        assert_eq!(ids, expected);
    }
    assert_eq!(shop.skipped.lock().unwrap().len(), 2, "each logged once");
}

#[test]
fn the_bearer_token_is_sent_and_a_refusal_does_not_show_it() {
    let api = api();
    let without = shop_at(&format!("{}/api", api.base), None, 3000);
    let err = without.customer("C1001").unwrap_err().to_string();
    assert!(err.contains("HTTP 401: bad token"), "{err}");
    assert!(err.contains("GET http://"), "{err}");
    assert!(err.contains("/api/customers/C1001"), "{err}");
    let wrong = shop_at(&format!("{}/api", api.base), Some("guess"), 3000);
    let err = wrong.customer("C1001").unwrap_err().to_string();
    assert!(!err.contains("guess") && !err.contains(TOKEN), "{err}");
    assert!(shop(&api).customer("C1001").unwrap().is_some());
}

#[test]
fn cancelling_posts_the_instant_and_a_409_is_a_refusal() {
    let api = api();
    let shop = shop(&api);
    let at: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
    let order = shop.cancel_order("E20261111000456", at).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.refund.unwrap().amount, 299.0);
    assert_eq!(
        api.merchant.cancels.lock().unwrap()[0],
        (
            "E20261111000456".to_string(),
            "2026-11-20T12:00:00+08:00".to_string()
        )
    );
    let err = shop.cancel_order("E20261111000456", at).unwrap_err();
    assert!(err.is_refusal(), "{err}");
    let err = err.to_string();
    assert!(err.contains("E20261111000456 was not cancelled"), "{err}");
    assert!(
        err.contains("cancelled and can no longer be cancelled"),
        "{err}"
    );
    let err = shop.cancel_order("E00000000000000", at).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    // The shop's record changed at the merchant, and is read from there.
    assert_eq!(
        shop.order("E20261111000456").unwrap().unwrap().status,
        OrderStatus::Cancelled
    );
}

#[test]
fn bad_json_and_server_errors_name_the_request_and_the_cause() {
    let api = api();
    let err = shop_at(&format!("{}/broken", api.base), None, 3000)
        .customer("C1001")
        .unwrap_err()
        .to_string();
    assert!(err.contains("GET http://"), "{err}");
    assert!(err.contains("/broken/customers/C1001"), "{err}");
    assert!(err.contains("not the expected JSON"), "{err}");
    let err = shop_at(&format!("{}/down", api.base), None, 3000)
        .customer("C1001")
        .unwrap_err()
        .to_string();
    assert!(err.contains("HTTP 500: database offline"), "{err}");
}

#[test]
fn a_404_without_a_json_body_is_a_failure_not_an_unknown_customer() {
    let api = api();
    // A wrong [shop] url: the shopper must not be told they have no orders.
    let err = shop_at(&format!("{}/bare", api.base), None, 3000)
        .customer("C1001")
        .unwrap_err()
        .to_string();
    assert!(err.contains("HTTP 404 without a JSON body"), "{err}");
    assert!(err.contains("/bare/customers/C1001"), "{err}");
    // The contract's 404 (a JSON body) is an unknown customer.
    assert_eq!(shop(&api).customer("C9999").unwrap(), None);
}

#[test]
fn another_customers_record_is_refused() {
    let api = api();
    let err = shop_at(&format!("{}/mixed", api.base), None, 3000)
        .customer("C1001")
        .unwrap_err()
        .to_string();
    assert!(err.contains("another customer's record"), "{err}");
    assert!(!err.contains("王强") && !err.contains("C1002"), "{err}");
}

#[test]
fn the_breaker_spares_a_failing_order_system_and_closes_when_it_answers() {
    use std::sync::atomic::Ordering::SeqCst;
    let api = api();
    let pause = Duration::from_millis(300);
    let config = HttpShopConfig::new(&format!("{}/flaky", api.base), None, Duration::from_secs(3))
        .unwrap()
        .breaker(3, pause);
    let shop = HttpShop::new(config);
    for _ in 0..3 {
        let err = shop.customer("C1001").unwrap_err().to_string();
        assert!(err.contains("HTTP 500"), "{err}");
    }
    assert_eq!(api.merchant.flaky_calls.load(SeqCst), 3);
    // Open: the turns fail at once, and the merchant is not asked.
    for _ in 0..5 {
        let err = shop.customer("C1001").unwrap_err().to_string();
        assert!(err.contains("not sent"), "{err}");
        assert!(err.contains("/flaky/customers/C1001"), "{err}");
    }
    assert_eq!(api.merchant.flaky_calls.load(SeqCst), 3);
    // After the pause one request tries again; still failing, it opens again.
    std::thread::sleep(pause + Duration::from_millis(50));
    assert!(shop
        .customer("C1001")
        .unwrap_err()
        .to_string()
        .contains("HTTP 500"));
    assert!(shop
        .customer("C1001")
        .unwrap_err()
        .to_string()
        .contains("not sent"));
    assert_eq!(api.merchant.flaky_calls.load(SeqCst), 4);
    // Back up: the next try after the pause closes it.
    api.merchant.flaky_down.store(false, SeqCst);
    std::thread::sleep(pause + Duration::from_millis(50));
    assert_eq!(shop.customer("C1001").unwrap().unwrap().name, "李娜");
    assert_eq!(shop.customer("C9999").unwrap(), None);
    assert_eq!(api.merchant.flaky_calls.load(SeqCst), 6);
    // A contract refusal (a 409) is an answer: it never opens the breaker.
    let shop = shop_at(&format!("{}/api", api.base), Some(TOKEN), 3000);
    let at: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
    for _ in 0..(BREAKER_FAILURES + 2) {
        assert!(shop
            .cancel_order("E20261111000123", at)
            .unwrap_err()
            .to_string()
            .contains("not cancelled"));
    }
    assert!(shop.order("E20261111000123").unwrap().is_some());
}

#[test]
fn a_silent_order_system_times_out() {
    let api = api();
    let err = shop_at(&format!("{}/slow", api.base), None, 50)
        .customer("C1001")
        .unwrap_err()
        .to_string();
    assert!(err.contains("/slow/customers/C1001"), "{err}");
    assert!(err.contains("timeout_ms"), "{err}");
}

#[test]
fn an_unreachable_order_system_says_so() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = shop_at(&format!("http://127.0.0.1:{port}"), None, 3000)
        .order("E20261111000123")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn the_url_is_checked_and_the_token_never_printed() {
    let t = Duration::from_secs(3);
    for bad in [
        "",
        "orders.example.com",
        "ftp://orders.example.com",
        "http://",
    ] {
        let err = HttpShopConfig::new(bad, None, t).unwrap_err();
        assert!(matches!(err, ShopConfigError::Url { .. }), "{bad}: {err}");
    }
    for (bad, what) in [
        ("https://me:pw@orders.example.com", "user"),
        ("https://orders.example.com/api?key=1", "query"),
        ("https://orders.example.com/api#x", "fragment"),
    ] {
        let err = HttpShopConfig::new(bad, None, t).unwrap_err().to_string();
        assert!(err.contains(what), "{bad}: {err}");
    }
    assert_eq!(
        HttpShopConfig::new("https://x.example/a", None, Duration::ZERO).unwrap_err(),
        ShopConfigError::Timeout
    );
    let config = HttpShopConfig::new("https://x.example/api/", Some(TOKEN.into()), t).unwrap();
    assert_eq!(config.url(), "https://x.example/api");
    let shown = format!("{config:?}");
    assert!(!shown.contains(TOKEN) && shown.contains("<set>"), "{shown}");
}

#[test]
fn ids_are_one_path_segment() {
    assert_eq!(segment("E20261111000123"), "E20261111000123");
    assert_eq!(segment("a/../b c"), "a%2F%2E%2E%2Fb%20c");
    assert_eq!(segment("李"), "%E6%9D%8E");
}

#[test]
fn a_skipped_orders_log_line_shows_no_values() {
    assert_eq!(
        without_values(r#"invalid type: string "13812345678", expected u32 at `phone`"#),
        r#"invalid type: string "…", expected u32 at `phone`"#
    );
    assert_eq!(
        without_values("unknown variant `refunded`, expected one of `paid`"),
        "unknown variant `refunded`, expected one of `paid`"
    );
}
