//! The shopper's side of the API.
//!
//! A conversation id is a random 128-bit value that only the shopper's
//! widget knows; it works as the bearer token of that conversation. The
//! conversation is bound to one customer, and the dialogs only ever show that
//! customer's orders.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use intents::Lang;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{live, ApiJson, AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/conversations", post(start))
        .route("/api/conversations/{id}/messages", post(send).get(read))
        .route("/api/conversations/{id}/events", get(live::shopper_events))
        .route("/api/conversations/{id}/ws", get(live::shopper_socket))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Start {
    customer_id: String,
    #[serde(default)]
    lang: Option<Lang>,
}

async fn start(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Start>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let (conversation, messages) = state
        .run(move |bot| bot.start(&body.customer_id, body.lang))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "conversation_id": conversation.id,
            "customer_id": conversation.customer_id,
            "lang": conversation.lang,
            "status": conversation.status,
            "messages": messages,
        })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Send {
    pub text: String,
}

async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Send>,
) -> Result<Json<Value>, AppError> {
    let outcome = state.run(move |bot| bot.handle(&id, &body.text)).await?;
    let u = &outcome.understanding;
    Ok(Json(json!({
        "conversation_id": outcome.conversation_id,
        "message": outcome.shopper,
        "replies": outcome.replies,
        "intent": u.intent,
        "confidence": u.confidence,
        "anger": u.anger,
        "angry": u.angry,
        "lang": u.lang,
        "slots": u.slots,
        "handoff": outcome.handoff,
        "status": outcome.status,
    })))
}

#[derive(Deserialize)]
pub(super) struct After {
    #[serde(default)]
    pub after: u64,
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<After>,
) -> Result<Json<Value>, AppError> {
    let (conversation, messages) = state
        .run(move |bot| Ok((bot.conversation(&id)?, bot.messages(&id, q.after)?)))
        .await?;
    Ok(Json(json!({
        "conversation_id": conversation.id,
        "status": conversation.status,
        "messages": messages,
    })))
}
