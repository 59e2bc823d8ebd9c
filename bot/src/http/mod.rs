//! The HTTP and WebSocket API (axum). Handlers are thin: parse, call the
//! [`Bot`], map the result. Routes:
//!
//! | method | path | who |
//! |---|---|---|
//! | POST | `/api/conversations` | shopper: open a conversation `{customer_id, lang?}` |
//! | POST | `/api/conversations/{id}/messages` | shopper: send `{text}` |
//! | GET | `/api/conversations/{id}/messages?after=N` | shopper: read messages |
//! | GET | `/api/conversations/{id}/events?after=N` | shopper: server-sent stream |
//! | GET | `/api/conversations/{id}/queue` | shopper: place in the queue and expected wait |
//! | GET | `/api/conversations/{id}/ws` | shopper: WebSocket (send and receive) |
//! | GET | `/api/agent/queue` | agent: what waits, best first |
//! | POST | `/api/agent/pull` | agent: take the most urgent they can serve `{agent_id}` |
//! | GET | `/api/agent/agents` | agent: the roster |
//! | PUT | `/api/agent/agents/{agent_id}` | agent: sign in or out, set skills `{presence, ...}` |
//! | GET | `/api/agent/alerts` | agent: SLA breaches now and the alerts raised |
//! | GET | `/api/agent/events?agent_id=ID` | agent: the desk's server-sent events |
//! | POST | `/api/agent/conversations/{id}/claim` | agent: take it `{agent_id}` |
//! | GET | `/api/agent/conversations/{id}/context` | agent: the context package |
//! | POST | `/api/agent/conversations/{id}/messages` | agent: reply `{agent_id, text}` |
//! | POST | `/api/agent/conversations/{id}/resolve` | agent: hand back to the bot `{agent_id}` |
//! | POST | `/api/agent/conversations/{id}/transfer` | agent: to a colleague or back to the queue `{agent_id, to_agent?, skill?}` |
//! | GET | `/api/agent/conversations/{id}/events` | agent: server-sent stream |
//! | POST | `/api/admin/reload` | admin: reload the content pack (also on SIGHUP) |
//! | GET | `/`, `/agent` | the shopper widget and the agent console |
//! | GET | `/healthz` | liveness: the process answers |
//! | GET | `/readyz` | readiness: the store answers and the order system's breaker is closed (else 503) |
//! | GET | `/metrics` | Prometheus: turns, latency, intents, hand-overs, queue, agents (agent token) |

mod admin;
mod agent;
mod error;
mod live;
mod metrics;
mod shopper;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiJson, ApiQuery, AppError};

use crate::turn::Bot;

/// Largest request body accepted (a message is at most a few KiB of text).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub bot: Arc<Bot>,
    /// When set, the agent API wants `Authorization: Bearer <token>`.
    pub agent_token: Option<Arc<str>>,
    /// Flips to true when the server begins to shut down; live streams end on it.
    pub closing: Arc<watch::Sender<bool>>,
    /// Where a reload reads the content pack from; `None` is the embedded pack.
    pub pack_dir: Option<Arc<Path>>,
    /// How often waiting shoppers' places are worked out again although the
    /// queue did not move: a ticket's wait runs down with the clock
    /// ([`PLACE_REFRESH`] by default).
    pub place_refresh: Duration,
}

/// Why a reload refused a content pack: every problem, located (what
/// `xiaoer check` prints), not only the first.
#[derive(Debug)]
pub struct PackRefused {
    pub problems: Vec<dialogs::Problem>,
}

impl From<anyhow::Error> for PackRefused {
    fn from(e: anyhow::Error) -> PackRefused {
        let problems = match e.downcast_ref::<dialogs::PackError>() {
            Some(dialogs::PackError::Problems(problems)) if !problems.is_empty() => {
                problems.clone()
            }
            // A pack that cannot be read at all: one problem, the whole cause.
            _ => vec![dialogs::Problem {
                file: "pack".to_string(),
                line: None,
                message: format!("{e:#}"),
            }],
        };
        PackRefused { problems }
    }
}

impl std::fmt::Display for PackRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(f, "{n} problem{}: ", if n == 1 { "" } else { "s" })?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// A ticket promised for tomorrow morning counts down in the widget once a
/// minute; only places that changed are sent.
pub const PLACE_REFRESH: Duration = Duration::from_secs(60);

impl AppState {
    pub fn new(bot: Arc<Bot>, agent_token: Option<String>) -> AppState {
        AppState {
            bot,
            agent_token: agent_token.map(Arc::from),
            closing: Arc::new(watch::channel(false).0),
            pack_dir: None,
            place_refresh: PLACE_REFRESH,
        }
    }

    /// Places are worked out again at least this often (tests: often).
    pub fn with_place_refresh(mut self, every: Duration) -> AppState {
        self.place_refresh = every;
        self
    }

    /// Reloads read the pack from this directory instead of the embedded one.
    pub fn with_pack_dir(mut self, dir: Option<PathBuf>) -> AppState {
        self.pack_dir = dir.map(Arc::from);
        self
    }

    /// Loads the pack again and swaps it in atomically. A broken pack is
    /// refused with every one of its problems and the pack in force stays.
    pub async fn reload_pack(&self) -> Result<String, PackRefused> {
        let bot = self.bot.clone();
        let dir = self.pack_dir.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let pack = crate::cmd::load_pack(dir.as_deref()).map_err(PackRefused::from)?;
            let name = pack.name().to_string();
            bot.replace_pack(pack);
            Ok(name)
        })
        .await
        .map_err(|e| PackRefused::from(anyhow::anyhow!("reload failed: {e}")))?;
        match &loaded {
            Ok(name) => tracing::info!(pack = %name, "content pack reloaded"),
            Err(e) => tracing::error!("content pack refused, the old one stays: {e}"),
        }
        loaded
    }

    /// Runs a blocking bot call off the async workers (sled's group commit
    /// waits on a condition variable).
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Bot) -> Result<T, crate::turn::TurnError> + Send + 'static,
    {
        let bot = self.bot.clone();
        match tokio::task::spawn_blocking(move || f(&bot)).await {
            Ok(result) => result.map_err(AppError::from),
            Err(join) => Err(AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("the turn failed: {join}"),
            )),
        }
    }
}

/// Readiness: 200 `{"status": "ready"}`, or 503 `{"status": "not_ready",
/// "reason"}` while the store does not answer or the order system's circuit
/// breaker is open (a load balancer then sends shoppers elsewhere).
async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, axum::Json<serde_json::Value>) {
    match state.bot.unready() {
        None => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ready" })),
        ),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "not_ready", "reason": reason })),
        ),
    }
}

/// The whole API as a router, for `serve` and for tests (`oneshot`).
pub fn router(state: AppState) -> Router {
    let agent = agent::routes(state.clone());
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(shopper::routes())
        .nest("/api/agent", agent)
        .nest("/api/admin", admin::routes(state.clone()))
        .merge(metrics::routes(state.clone()))
        .merge(crate::web::routes())
        // Last, so that it reaches every route registered above.
        .method_not_allowed_fallback(error::wrong_method)
        .fallback(error::no_route)
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
/// Long-lived streams (SSE, WebSocket) end when the bot's shutdown fires.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A request must produce its response head within the deadline, so a
    // stuck back-end cannot pin a connection forever. Streams are not cut:
    // the timeout ends when their head is sent.
    let closing = state.closing.clone();
    // Who held what when the server stopped: theirs again, for a while.
    let bot = state.bot.clone();
    match tokio::task::spawn_blocking(move || bot.restore_holds()).await {
        Ok(Ok(0)) => {}
        Ok(Ok(restored)) => tracing::info!(
            conversations = restored,
            "conversations held by agents wait for them to sign in again"
        ),
        Ok(Err(e)) => tracing::error!("restoring the agents' conversations failed: {e}"),
        Err(e) => tracing::error!("restoring the agents' conversations failed: {e}"),
    }
    // Offers and places from the start: a ticket waiting since the night
    // is offered when the first agent signs in, console stream or not.
    live::watch_places(&state);
    let app = router(state).layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(30),
    ));
    let shutdown = async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing in-flight turns");
        // Graceful shutdown waits for open connections; live streams would
        // hold it forever, so tell them to end.
        closing.send_replace(true);
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
