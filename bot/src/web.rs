//! The embedded web pages: the shopper's chat widget at `/` and the agent
//! console at `/agent`. Plain HTML and JavaScript compiled into the binary,
//! talking to the same JSON API as everyone else.

use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::http::AppState;

const WIDGET: &str = include_str!("../web/widget.html");
const CONSOLE: &str = include_str!("../web/agent.html");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Html(WIDGET) }))
        .route("/agent", get(|| async { Html(CONSOLE) }))
}
