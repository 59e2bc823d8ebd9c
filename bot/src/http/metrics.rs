//! `GET /metrics`: the server's counters and gauges in the Prometheus /
//! OpenMetrics text format ([`crate::metrics`]). Behind the same token as
//! the agent API when one is set (a scrape config sends it as a bearer
//! token): the figures say how busy the shop is.

use axum::extract::State;
use axum::http::header;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::{agent::require_token, AppError, AppState};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    // Reads the queue from the store: off the async workers.
    let text = state.run(|bot| bot.metrics().render(bot)).await?;
    Ok(([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text))
}
