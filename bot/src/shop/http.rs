//! The merchant's own order system as the shop: `dialogs::Commerce` over a
//! small HTTP contract the merchant implements (README, "Connecting your
//! order system"). Records are JSON in the fixtures' shape (`demo/*.jsonl`):
//!
//! | request | answer |
//! |---|---|
//! | `GET {url}/customers/{id}` | 200 customer, 404 unknown |
//! | `GET {url}/customers/{id}/orders` | 200 array of the customer's orders (any order) |
//! | `GET {url}/orders/{id}` | 200 order, 404 unknown |
//! | `POST {url}/orders/{id}/cancel`, body `{"at": RFC 3339}` | 200 the order as it now is, 409 `{"error": "…"}` refused |
//!
//! The client is blocking (ureq): a turn that uses this shop runs on a
//! blocking thread (`Bot::with_remote_shop`). Nothing is cached: the
//! merchant's system is the one source of truth, and a cancellation made
//! there (or by an agent) shows at the next turn.
//!
//! Errors name the request, the status or the cause, never the token nor
//! anything a shopper wrote.

use std::time::Duration;

use dialogs::{Commerce, CommerceError, Customer, Order, Time};
use serde::de::DeserializeOwned;
use thiserror::Error;
use ureq::http::Uri;

/// The timeout of one request when the configuration names none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3000);

/// Where the merchant's order system is and how to reach it; checked when
/// built, so a bad `[shop]` table stops the start, not the first turn.
#[derive(Clone)]
pub struct HttpShopConfig {
    base: String,
    token: Option<String>,
    timeout: Duration,
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
        let uri: Uri = url.parse().map_err(|_| bad())?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let authority = uri.authority().ok_or_else(bad)?;
        if !scheme_ok || authority.host().is_empty() {
            return Err(bad());
        }
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
        })
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
/// connection pool for every turn.
pub struct HttpShop {
    config: HttpShopConfig,
    agent: ureq::Agent,
}

impl HttpShop {
    pub fn new(config: HttpShopConfig) -> HttpShop {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            // Statuses are answers of the contract (404, 409), read below.
            .http_status_as_error(false)
            .build()
            .into();
        HttpShop { config, agent }
    }

    /// A GET of the contract: `Ok(None)` on 404, the parsed body on 2xx.
    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, CommerceError> {
        let request = Request::new("GET", &self.config.base, path);
        let response = self.auth(self.agent.get(&request.url)).call();
        request.read(response, |_| None)
    }

    fn auth<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.config.token {
            Some(token) => request.header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }
}

impl Commerce for HttpShop {
    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        self.get(&format!("/customers/{}", segment(customer_id)))
    }

    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        let path = format!("/customers/{}/orders", segment(customer_id));
        let mut orders: Vec<Order> = self.get(&path)?.unwrap_or_default();
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
        let response = self.auth(self.agent.post(&request.url)).send_json(&body);
        let refused = |why: Option<String>| {
            Some(CommerceError(format!(
                "order {order_id} was not cancelled: {}",
                why.unwrap_or_else(|| "refused by the order system".into())
            )))
        };
        request
            .read(response, |status| match status {
                404 => Some(CommerceError(format!("order {order_id} does not exist"))),
                409 => refused(None),
                _ => None,
            })?
            .ok_or_else(|| CommerceError(format!("order {order_id} does not exist")))
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

    /// The parsed 2xx body, `None` on 404, or an error naming the request.
    /// `special` turns a status into the contract's own error (a 409 refusal),
    /// to which the body's `error` text is added.
    fn read<T: DeserializeOwned>(
        &self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        special: impl Fn(u16) -> Option<CommerceError>,
    ) -> Result<Option<T>, CommerceError> {
        let mut response = response.map_err(|e| self.failed(&cause(&e)))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| self.failed(&format!("reading the answer ({status}): {}", cause(&e))))?;
        if let Some(CommerceError(message)) = special(status) {
            return Err(CommerceError(match error_text(&text) {
                Some(why) => format!("{message} ({why})"),
                None => message,
            }));
        }
        match status {
            200..=299 => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| self.failed(&format!("answer is not the expected JSON: {e}"))),
            404 => Ok(None),
            _ => {
                let why = error_text(&text).map_or(String::new(), |w| format!(": {w}"));
                Err(self.failed(&format!("HTTP {status}{why}")))
            }
        }
    }

    fn failed(&self, cause: &str) -> CommerceError {
        CommerceError(format!(
            "order system {} {}: {cause}",
            self.method, self.url
        ))
    }
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
