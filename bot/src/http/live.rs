//! Live streams of a conversation's messages: server-sent events and a
//! WebSocket. Both start with the messages after `?after=N` from the store,
//! then follow the hub; a listener that lags re-reads from the store, so no
//! message is skipped or repeated (they are ordered by `seq`).

use std::convert::Infallible;

use axum::extract::ws::{self, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use futures_util::{SinkExt, Stream, StreamExt};
use handoff::Message;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::shopper::{After, Send};
use super::{AppError, AppState};

/// `GET /api/conversations/{id}/events`: `message` events, one JSON message each.
pub async fn shopper_events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<After>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    events(state, id, q.after).await
}

/// The same stream for the agent console (mounted behind the agent's token).
pub async fn events(
    state: AppState,
    id: String,
    after: u64,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let messages = follow(state, id, after).await?;
    let stream = ReceiverStream::new(messages).map(|m| {
        Ok(Event::default()
            .event("message")
            .id(m.seq.to_string())
            .json_data(&m)
            .unwrap_or_else(|_| Event::default().event("error")))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `GET /api/conversations/{id}/ws`: the server sends each message as a JSON
/// text frame; the shopper sends `{"text": "..."}` frames, answered through
/// the same stream (errors come back as `{"error": {...}}` frames).
pub async fn shopper_socket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<After>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let messages = follow(state.clone(), id.clone(), q.after).await?;
    Ok(upgrade.on_upgrade(move |socket| socket_loop(socket, state, id, messages)))
}

async fn socket_loop(
    socket: WebSocket,
    state: AppState,
    id: String,
    mut messages: mpsc::Receiver<Message>,
) {
    let (mut sink, mut incoming) = socket.split();
    loop {
        tokio::select! {
            next = messages.recv() => {
                let Some(m) = next else { break };
                let frame = serde_json::to_string(&m).unwrap_or_default();
                if sink.send(ws::Message::Text(frame.into())).await.is_err() {
                    break;
                }
            }
            frame = incoming.next() => {
                let text = match frame {
                    Some(Ok(ws::Message::Text(text))) => text,
                    Some(Ok(ws::Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                let reply = match serde_json::from_str::<Send>(&text) {
                    Err(e) => Some(error_frame("malformed_json", &e.to_string())),
                    Ok(body) => {
                        // The turn's messages arrive through `messages`.
                        match state.bot.handle_async(&id, &body.text).await {
                            Ok(_) => None,
                            Err(e) => {
                                let e = AppError::from(e);
                                Some(error_frame(e.code, &e.message))
                            }
                        }
                    }
                };
                if let Some(frame) = reply {
                    if sink.send(ws::Message::Text(frame.into())).await.is_err() {
                        break;
                    }
                }
            }
        }
    }
}

fn error_frame(code: &str, message: &str) -> String {
    serde_json::json!({ "error": { "code": code, "message": message } }).to_string()
}

/// Messages of a conversation after `after`, then live ones, until the
/// server closes or the receiver is dropped.
async fn follow(
    state: AppState,
    id: String,
    after: u64,
) -> Result<mpsc::Receiver<Message>, AppError> {
    // Subscribe before reading the backlog, so nothing falls in between.
    let mut live = state.bot.hub().subscribe(&id);
    let backlog = {
        let id = id.clone();
        state.run(move |bot| bot.messages(&id, after)).await?
    };
    let (tx, rx) = mpsc::channel(64);
    let mut closing = state.closing.subscribe();
    tokio::spawn(async move {
        let mut last = after;
        for m in backlog {
            last = m.seq;
            if tx.send(m).await.is_err() {
                return;
            }
        }
        loop {
            let missed = tokio::select! {
                // The guard `wait_for` returns is not Send: drop it inside.
                _ = async { let _ = closing.wait_for(|closing| *closing).await; } => return,
                _ = tx.closed() => return,
                received = live.recv() => match received {
                    Ok(m) if m.seq > last => {
                        last = m.seq;
                        if tx.send(m).await.is_err() {
                            return;
                        }
                        continue;
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            };
            if missed {
                let id = id.clone();
                let Ok(catch_up) = state.run(move |bot| bot.messages(&id, last)).await else {
                    return;
                };
                for m in catch_up {
                    last = m.seq;
                    if tx.send(m).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    Ok(rx)
}
