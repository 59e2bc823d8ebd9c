//! The merchant's own order system as the shop: `dialogs::Commerce` over a
//! small HTTP contract the merchant implements (README, "Connecting your
//! order system"). Records are JSON in the fixtures' shape (`demo/*.jsonl`):
//!
//! | request | answer |
//! |---|---|
//! | `GET {url}/customers/{id}` | 200 customer, 404 `{"error": …}` unknown |
//! | `GET {url}/customers/{id}/orders` | 200 array of the customer's orders (any order) |
//! | `GET {url}/orders/{id}` | 200 order, 404 `{"error": …}` unknown |
//! | `POST {url}/orders/{id}/cancel`, body `{"at": RFC 3339}` | 200 the order as it now is, 409 `{"error": "…"}` refused |
//!
//! A 404 means "unknown" only with a JSON body: a bare or HTML 404 is what
//! a wrong `[shop] url` or a misrouted proxy answers, and reading it as "no
//! such customer" would tell shoppers they have no orders. It is a failure.
//!
//! The client is blocking (ureq): a turn that uses this shop runs on a
//! blocking thread (`Bot::with_remote_shop`). Nothing is cached across
//! turns: the merchant's system is the one source of truth, and a
//! cancellation made there (or by an agent) shows at the next turn.
//!
//! A circuit breaker spares a failing order system (and the turns waiting
//! on its timeouts): after [`BREAKER_FAILURES`] failed requests in a row no
//! request is sent for [`BREAKER_PAUSE`]; each turn meanwhile fails at once
//! (the shopper gets the apology and a person). Then one request tries
//! again: a success closes the breaker, a failure opens it for another
//! pause.
//!
//! Errors name the request (whose path holds the order or customer id
//! asked about), the status or the cause, never the token.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use dialogs::{Commerce, CommerceError, Customer, Order, Time};
use serde::de::DeserializeOwned;
use thiserror::Error;
use ureq::http::Uri;

/// The timeout of one request when the configuration names none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3000);

/// Failed requests in a row that open the circuit breaker.
pub const BREAKER_FAILURES: u32 = 5;

/// How long an open breaker sends no request.
pub const BREAKER_PAUSE: Duration = Duration::from_secs(15);

/// Where the merchant's order system is and how to reach it; checked when
/// built, so a bad `[shop]` table stops the start, not the first turn.
#[derive(Clone)]
pub struct HttpShopConfig {
    base: String,
    token: Option<String>,
    timeout: Duration,
    breaker_failures: u32,
    breaker_pause: Duration,
}

/// A `[shop]` table that cannot work.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ShopConfigError {
    #[error("[shop] url `{url}` is not an http:// or https:// address with a host (e.g. https://orders.example.com/xiaoer)")]
    Url { url: String },
    #[error("[shop] url `{url}` must not carry {what}: put a token in `token`, and no query or fragment")]
    UrlExtra { url: String, what: &'static str },
    #[error("[shop] timeout_ms must be at least 1")]
    Timeout,
}

/// `url` as an absolute `http://` or `https://` URL with a host, if it is one
/// (the order system's base URL, the alert webhook).
pub(crate) fn http_url(url: &str) -> Option<Uri> {
    let uri: Uri = url.parse().ok()?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.authority().is_some_and(|a| !a.host().is_empty());
    (scheme_ok && host_ok).then_some(uri)
}

impl HttpShopConfig {
    /// Checks the base URL (http or https, a host, no credentials, query or
    /// fragment; a trailing `/` is dropped) and the timeout. An empty token
    /// counts as none.
    pub fn new(
        url: &str,
        token: Option<String>,
        timeout: Duration,
    ) -> Result<HttpShopConfig, ShopConfigError> {
        let bad = || ShopConfigError::Url {
            url: url.to_string(),
        };
        let uri = http_url(url).ok_or_else(bad)?;
        let authority = uri.authority().ok_or_else(bad)?;
        let extra = |what| ShopConfigError::UrlExtra {
            url: url.to_string(),
            what,
        };
        if authority.as_str().contains('@') {
            return Err(extra("a user or password"));
        }
        if uri.query().is_some() {
            return Err(extra("a query"));
        }
        if url.contains('#') {
            return Err(extra("a fragment"));
        }
        if timeout.is_zero() {
            return Err(ShopConfigError::Timeout);
        }
        Ok(HttpShopConfig {
            base: url.trim_end_matches('/').to_string(),
            token: token.filter(|t| !t.is_empty()),
            timeout,
            breaker_failures: BREAKER_FAILURES,
            breaker_pause: BREAKER_PAUSE,
        })
    }

    /// Another circuit breaker than the default (`BREAKER_FAILURES` failures
    /// in a row pause requests for `BREAKER_PAUSE`); at least one failure opens it.
    pub fn breaker(mut self, failures: u32, pause: Duration) -> HttpShopConfig {
        self.breaker_failures = failures.max(1);
        self.breaker_pause = pause;
        self
    }

    /// The base URL, without a trailing `/`.
    pub fn url(&self) -> &str {
        &self.base
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Never prints the token.
impl std::fmt::Debug for HttpShopConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpShopConfig")
            .field("url", &self.base)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The merchant's order system, reached over HTTP. Cheap to share: one
/// connection pool and one circuit breaker for every turn.
pub struct HttpShop {
    config: HttpShopConfig,
    agent: ureq::Agent,
    breaker: Mutex<Breaker>,
    /// Orders of a customer's list already logged as unreadable (each is
    /// logged once, not on every turn that lists them).
    skipped: Mutex<std::collections::HashSet<String>>,
}

/// Failed requests in a row, and until when none is sent.
#[derive(Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

/// Why a request gave no record.
enum Failure {
    /// The contract's own refusal (a 409, or a cancel's 404): the order
    /// system works.
    Answer(CommerceError),
    /// The order system failed: no answer, another status, a body that is
    /// not the contract's.
    Broken(CommerceError),
}

impl HttpShop {
    pub fn new(config: HttpShopConfig) -> HttpShop {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            // Statuses are answers of the contract (404, 409), read below.
            .http_status_as_error(false)
            .build()
            .into();
        HttpShop {
            config,
            agent,
            breaker: Mutex::new(Breaker::default()),
            skipped: Mutex::default(),
        }
    }

    /// A GET of the contract: `Ok(None)` on 404, the parsed body on 2xx.
    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, CommerceError> {
        let request = Request::new("GET", &self.config.base, path);
        self.guarded(&request, || {
            let response = self.auth(self.agent.get(&request.url)).call();
            request.read(response, |_| None)
        })
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        // Two counters, consistent at every unlock.
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends a request unless the breaker is open, and counts its outcome.
    fn guarded<T>(
        &self,
        request: &Request,
        send: impl FnOnce() -> Result<Option<T>, Failure>,
    ) -> Result<Option<T>, CommerceError> {
        if let Some(until) = self.breaker().open_until {
            let left = until.saturating_duration_since(Instant::now());
            if !left.is_zero() {
                return Err(request.failed(&format!(
                    "not sent: the order system's last {} requests failed; the next try is in {} s",
                    self.config.breaker_failures,
                    left.as_secs().max(1)
                )));
            }
        }
        let outcome = send();
        let mut breaker = self.breaker();
        match &outcome {
            Err(Failure::Broken(_)) => {
                breaker.failures = breaker.failures.saturating_add(1);
                if breaker.failures >= self.config.breaker_failures {
                    if breaker.failures == self.config.breaker_failures {
                        tracing::error!(
                            failures = breaker.failures,
                            pause_s = self.config.breaker_pause.as_secs_f64(),
                            "the order system keeps failing: no requests for a while"
                        );
                    }
                    breaker.open_until = Some(Instant::now() + self.config.breaker_pause);
                }
            }
            Ok(_) | Err(Failure::Answer(_)) => {
                if breaker.failures >= self.config.breaker_failures {
                    tracing::info!("the order system answers again");
                }
                *breaker = Breaker::default();
            }
        }
        drop(breaker);
        outcome.map_err(|(Failure::Answer(e) | Failure::Broken(e))| e)
    }

    fn auth<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.config.token {
            Some(token) => request.header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }
}

impl Commerce for HttpShop {
    fn unavailable(&self) -> Option<String> {
        let until = self.breaker().open_until?;
        let left = until.saturating_duration_since(Instant::now());
        (!left.is_zero()).then(|| {
            format!(
                "the order system's last {} requests failed: no request is sent for {} s (circuit breaker open)",
                self.config.breaker_failures,
                left.as_secs().max(1)
            )
        })
    }

    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        let path = format!("/customers/{}", segment(customer_id));
        let customer: Option<Customer> = self.get(&path)?;
        match customer {
            // Another customer's record (a bug in the merchant's query) must
            // never be shown as this shopper's name, phone or tier.
            Some(c) if c.customer_id != customer_id => Err(CommerceError::Failed(format!(
                "order system GET {}{path}: answered with another customer's record",
                self.config.base
            ))),
            found => Ok(found),
        }
    }

    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        let path = format!("/customers/{}/orders", segment(customer_id));
        let listed: Vec<serde_json::Value> = self.get(&path)?.unwrap_or_default();
        // One order the contract does not describe (a status such as
        // `refunded`) must not make every other order of the customer
        // unreadable on every turn: it is left out, and logged once.
        let mut orders: Vec<Order> = Vec::with_capacity(listed.len());
        for (i, value) in listed.into_iter().enumerate() {
            let id = value
                .get("order_id")
                .and_then(|v| v.as_str())
                .map_or_else(|| format!("{path}[{i}]"), str::to_owned);
            match serde_json::from_value::<Order>(value) {
                Ok(order) => orders.push(order),
                Err(e) => {
                    let first = self
                        .skipped
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(id.clone());
                    if first {
                        tracing::warn!(order = %id, path, cause = %without_values(&e.to_string()), "the order system listed an order that is not the contract's shape (README, \"Connecting your order system\"); left out");
                    }
                }
            }
        }
        // The privacy invariant does not rest on the merchant's query: an
        // order of someone else never reaches this customer's dialog.
        orders.retain(|o| {
            let theirs = o.customer_id == customer_id;
            if !theirs {
                tracing::warn!(order = %o.order_id, path, "the order system listed an order of another customer; left out");
            }
            theirs
        });
        dialogs::newest_first(&mut orders);
        Ok(orders)
    }

    fn order(&self, order_id: &str) -> Result<Option<Order>, CommerceError> {
        self.get(&format!("/orders/{}", segment(order_id)))
    }

    fn cancel_order(&self, order_id: &str, at: Time) -> Result<Order, CommerceError> {
        let request = Request::new(
            "POST",
            &self.config.base,
            &format!("/orders/{}/cancel", segment(order_id)),
        );
        let body = serde_json::json!({ "at": at.to_rfc3339() });
        self.guarded(&request, || {
            let response = self.auth(self.agent.post(&request.url)).send_json(&body);
            request.read(response, |status| match status {
                404 => Some(CommerceError::Failed(format!(
                    "order {order_id} does not exist"
                ))),
                409 => Some(CommerceError::Refused(format!(
                    "order {order_id} was not cancelled: refused by the order system"
                ))),
                _ => None,
            })
        })?
        .ok_or_else(|| CommerceError::Failed(format!("order {order_id} does not exist")))
    }
}

/// One request, for reading its answer and naming it in errors.
struct Request {
    method: &'static str,
    url: String,
}

impl Request {
    fn new(method: &'static str, base: &str, path: &str) -> Request {
        Request {
            method,
            url: format!("{base}{path}"),
        }
    }

    /// The parsed 2xx body, `None` on a 404 with a JSON body, or an error
    /// naming the request. `special` turns a status into the contract's own
    /// answer (a 409 refusal), to which the body's `error` text is added.
    fn read<T: DeserializeOwned>(
        &self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        special: impl Fn(u16) -> Option<CommerceError>,
    ) -> Result<Option<T>, Failure> {
        let broken = |cause: &str| Failure::Broken(self.failed(cause));
        let mut response = response.map_err(|e| broken(&cause(&e)))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| broken(&format!("reading the answer ({status}): {}", cause(&e))))?;
        if let Some(answer) = special(status) {
            let why = error_text(&text);
            let told = |message: String| match &why {
                Some(why) => format!("{message} ({why})"),
                None => message,
            };
            return Err(Failure::Answer(match answer {
                CommerceError::Failed(message) => CommerceError::Failed(told(message)),
                CommerceError::Refused(message) => CommerceError::Refused(told(message)),
            }));
        }
        match status {
            200..=299 => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| broken(&format!("answer is not the expected JSON: {e}"))),
            404 if is_json_object(&text) => Ok(None),
            404 => Err(broken(
                "HTTP 404 without a JSON body: not the contract's answer (is [shop] url right?)",
            )),
            _ => {
                let why = error_text(&text).map_or(String::new(), |w| format!(": {w}"));
                Err(broken(&format!("HTTP {status}{why}")))
            }
        }
    }

    fn failed(&self, cause: &str) -> CommerceError {
        CommerceError::Failed(format!(
            "order system {} {}: {cause}",
            self.method, self.url
        ))
    }
}

/// A serde message with its quoted values masked (`invalid type: string
/// "13812345678"` shows `"…"`): a record's values can be a shopper's phone
/// or address, which never reach a log line. Field and variant names, in
/// backticks, stay.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// What a transport failure means for the merchant.
fn cause(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "no answer within the timeout ([shop] timeout_ms)".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            "no answer within the timeout ([shop] timeout_ms)".into()
        }
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => unreachable_cause(e),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
            ) =>
        {
            unreachable_cause(e)
        }
        other => other.to_string(),
    }
}

fn unreachable_cause(e: &ureq::Error) -> String {
    format!("cannot connect ({e}); is the order system up and [shop] url right?")
}

/// Whether a body is a JSON object (the contract's 404 carries one).
fn is_json_object(body: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(body),
        Ok(serde_json::Value::Object(_))
    )
}

/// The `error` of a `{"error": "…"}` body, shortened.
fn error_text(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = value.get("error")?.as_str()?;
    Some(text.chars().take(200).collect())
}

/// An id as one path segment: anything but letters, digits, `-` and `_` is
/// percent-encoded (dots too: `..` must not climb), so an id can never
/// reach another resource.
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-_".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
