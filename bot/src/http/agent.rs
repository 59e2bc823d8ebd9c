//! The agent's side of the API: the queue, claiming, the context package,
//! replying and resolving. When an agent token is configured every route here
//! wants `Authorization: Bearer <token>`.

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::shopper::After;
use super::{live, ApiJson, AppError, AppState};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/queue", get(queue))
        .route("/conversations/{id}/claim", post(claim))
        .route("/conversations/{id}/context", get(context))
        .route("/conversations/{id}/messages", post(reply))
        .route("/conversations/{id}/resolve", post(resolve))
        .route(
            "/conversations/{id}/events",
            get(
                |State(state): State<AppState>, Path(id): Path<String>, Query(q): Query<After>| {
                    live::events(state, id, q.after)
                },
            ),
        )
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

pub(super) async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    if let Some(token) = &state.agent_token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(token.as_ref()) {
            return Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the agent API wants `Authorization: Bearer <agent_token>`",
            ));
        }
    }
    Ok(next.run(request).await)
}

async fn queue(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let entries = state.run(|bot| Ok(bot.store().queue()?)).await?;
    Ok(Json(json!({ "entries": entries })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentOnly {
    agent_id: String,
}

async fn claim(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgentOnly>,
) -> Result<Json<Value>, AppError> {
    let entry = state.run(move |bot| bot.claim(&id, &body.agent_id)).await?;
    Ok(Json(json!({ "entry": entry })))
}

async fn context(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let context = state.run(move |bot| bot.context(&id)).await?;
    Ok(Json(json!({ "context": context })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentText {
    agent_id: String,
    text: String,
}

async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgentText>,
) -> Result<Json<Value>, AppError> {
    let message = state
        .run(move |bot| bot.agent_reply(&id, &body.agent_id, &body.text))
        .await?;
    Ok(Json(json!({ "message": message })))
}

async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgentOnly>,
) -> Result<Json<Value>, AppError> {
    let conversation = state
        .run(move |bot| bot.resolve(&id, &body.agent_id))
        .await?;
    Ok(Json(
        json!({ "conversation_id": conversation.id, "status": conversation.status }),
    ))
}
