//! Administration: reloading the content pack without a restart. Behind the
//! same token as the agent API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{agent::require_token, AppError, AppState};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/reload", post(reload))
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

/// 200 `{"pack": name}` when the new pack is in force; 422 `pack_refused`
/// with every problem (`problems`: `{file, line, message}` each, as `xiaoer
/// check` finds them) when it is refused (the old pack stays).
async fn reload(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    match state.reload_pack().await {
        Ok(name) => Ok(Json(json!({ "pack": name, "reloaded": true }))),
        Err(refused) => Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "pack_refused",
            format!("content pack refused, the pack in force stays: {refused}"),
        )
        .with("problems", json!(refused.problems))),
    }
}
