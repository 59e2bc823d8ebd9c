//! The agent's side of the API: the queue, claiming, the context package,
//! replying and resolving. When an agent token is configured every route here
//! wants `Authorization: Bearer <token>`.

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::shopper::After;
use super::{live, ApiJson, ApiQuery, AppError, AppState};
use crate::desk::{AgentUpdate, Alert};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/queue", get(queue))
        .route("/pull", post(pull))
        .route("/agents", get(agents))
        .route("/agents/{agent_id}", put(update_agent))
        .route("/alerts", get(alerts))
        .route(
            "/events",
            get(
                |State(state): State<AppState>, ApiQuery(q): ApiQuery<AgentQuery>| async move {
                    live::desk_events(state, q.agent_id).await
                },
            ),
        )
        .route("/conversations/{id}/claim", post(claim))
        .route("/conversations/{id}/context", get(context))
        .route("/conversations/{id}/messages", post(reply))
        .route("/conversations/{id}/resolve", post(resolve))
        .route("/conversations/{id}/transfer", post(transfer))
        .route(
            "/conversations/{id}/events",
            get(
                |State(state): State<AppState>,
                 Path(id): Path<String>,
                 ApiQuery(q): ApiQuery<After>| { live::events(state, id, q.after) },
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
    let entries = state
        .run(|bot| {
            let entries = bot.store().queue()?;
            Ok(entries
                .into_iter()
                .map(|e| {
                    let offered_to = bot.desk().offered_to(&e.conversation_id);
                    let mut v = serde_json::to_value(&e).unwrap_or_default();
                    v["offered_to"] = json!(offered_to);
                    v
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(json!({ "entries": entries })))
}

/// The agent takes the most urgent waiting conversation they can serve.
async fn pull(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AgentOnly>,
) -> Result<Json<Value>, AppError> {
    let entry = state.run(move |bot| bot.pull(&body.agent_id)).await?;
    Ok(Json(json!({ "entry": entry })))
}

async fn agents(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "agents": state.bot.desk().agents() }))
}

/// Signs an agent in or out (`presence`: online, away, offline) and sets
/// their skills, languages and number of concurrent chats. Signing out
/// sends what they hold back to the queue.
async fn update_agent(
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    ApiJson(update): ApiJson<AgentUpdate>,
) -> Result<Json<Value>, AppError> {
    // Off the async workers: the profile is flushed to disk, and a sign-out
    // writes the conversations it hands back.
    let agent = state
        .run(move |bot| bot.update_agent(&agent_id, update))
        .await?;
    // Seats came or went: the waits in the queue change.
    state.bot.hub().queue_moved();
    Ok(Json(json!({ "agent": agent })))
}

/// The SLA breaches of what is open now, and every alert raised so far
/// (spikes and breaches, oldest first; `spikes` is the spike part).
async fn alerts(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let breaches = state.run(|bot| bot.check_sla()).await?;
    let alerts = state.bot.desk().alerts();
    let spikes: Vec<_> = alerts
        .iter()
        .filter(|a| matches!(a, Alert::Spike(_)))
        .collect();
    Ok(Json(
        json!({ "breaches": breaches, "spikes": spikes, "alerts": alerts }),
    ))
}

/// `?agent_id=`: whose console listens.
#[derive(Deserialize)]
struct AgentQuery {
    #[serde(default)]
    agent_id: Option<String>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Transfer {
    agent_id: String,
    /// Another agent who takes it now; without it, back to the queue.
    #[serde(default)]
    to_agent: Option<String>,
    /// The skill wanted when it goes back to the queue.
    #[serde(default)]
    skill: Option<handoff::Skill>,
}

async fn transfer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Transfer>,
) -> Result<Json<Value>, AppError> {
    let (entry, offered_to) = state
        .run(move |bot| bot.transfer(&id, &body.agent_id, body.to_agent.as_deref(), body.skill))
        .await?;
    Ok(Json(json!({ "entry": entry, "offered_to": offered_to })))
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
