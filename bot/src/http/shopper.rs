//! The shopper's side of the API.
//!
//! A conversation id is a random 128-bit value that only the shopper's
//! widget knows; it works as the bearer token of that conversation. The
//! conversation is bound to one customer, and the dialogs only ever show that
//! customer's orders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use intents::Lang;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::turn::TurnOutcome;

use super::{live, ApiJson, ApiQuery, AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/conversations", post(start))
        .route("/api/conversations/{id}/messages", post(send).get(read))
        .route("/api/conversations/{id}/events", get(live::shopper_events))
        .route("/api/conversations/{id}/queue", get(place))
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
) -> Result<Json<Sent>, AppError> {
    // Not `state.run`: the turn awaits its flush without a blocking thread.
    let outcome = state.bot.handle_async(&id, &body.text).await?;
    Ok(Json(Sent(outcome)))
}

/// The answer to a shopper's message. Serialised straight from the turn's
/// outcome (the hot path builds no intermediate JSON tree).
struct Sent(TurnOutcome);

impl Serialize for Sent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (o, u) = (&self.0, &self.0.understanding);
        let mut map = serializer.serialize_struct("Sent", 11)?;
        map.serialize_field("conversation_id", &o.conversation_id)?;
        map.serialize_field("message", &o.shopper)?;
        map.serialize_field("replies", &o.replies)?;
        map.serialize_field("intent", &u.intent)?;
        // As f64, the number the API has always printed for these f32s.
        map.serialize_field("confidence", &f64::from(u.confidence))?;
        map.serialize_field("anger", &f64::from(u.anger))?;
        map.serialize_field("angry", &u.angry)?;
        map.serialize_field("lang", &u.lang)?;
        map.serialize_field("slots", &u.slots)?;
        map.serialize_field("handoff", &o.handoff)?;
        map.serialize_field("status", &o.status)?;
        map.end()
    }
}

#[derive(Deserialize)]
pub(super) struct After {
    #[serde(default)]
    pub after: u64,
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<After>,
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

/// `GET /api/conversations/{id}/queue`: the shopper's place while waiting for a person.
async fn place(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let place = state.run(move |bot| bot.place(&id)).await?;
    Ok(Json(json!(place)))
}
