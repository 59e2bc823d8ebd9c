//! Live streams of a conversation: server-sent events and a WebSocket. Both
//! start with the messages after `?after=N` from the store, then follow the
//! hub; a listener that lags re-reads from the store, so no message is
//! skipped or repeated (they are ordered by `seq`). While the conversation
//! waits for a person, its place in the queue and expected wait come too
//! (SSE event `queue`, WebSocket frame `{"queue": {...}}`), when the stream
//! opens and whenever they change.

use std::convert::Infallible;

use axum::extract::ws::{self, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::shopper::{After, Send};
use super::{ApiQuery, AppError, AppState};
use crate::desk::DeskEvent;
use crate::hub::Live;

/// `GET /api/conversations/{id}/events`: `message` events, one JSON message each.
pub async fn shopper_events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<After>,
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
    let stream = ReceiverStream::new(messages).map(|live| {
        let event = match &live {
            Live::Message(m) => Event::default()
                .event("message")
                .id(m.seq.to_string())
                .json_data(m),
            Live::Place(p) => Event::default().event("queue").json_data(p),
        };
        Ok(event.unwrap_or_else(|_| Event::default().event("error")))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `GET /api/conversations/{id}/ws`: the server sends each message as a JSON
/// text frame; the shopper sends `{"text": "..."}` frames, answered through
/// the same stream (errors come back as `{"error": {...}}` frames).
pub async fn shopper_socket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<After>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let messages = follow(state.clone(), id.clone(), q.after).await?;
    Ok(upgrade.on_upgrade(move |socket| socket_loop(socket, state, id, messages)))
}

async fn socket_loop(
    socket: WebSocket,
    state: AppState,
    id: String,
    mut messages: mpsc::Receiver<Live>,
) {
    let (mut sink, mut incoming) = socket.split();
    loop {
        tokio::select! {
            next = messages.recv() => {
                let Some(m) = next else { break };
                let frame = match &m {
                    Live::Message(m) => serde_json::to_string(m),
                    Live::Place(p) => serde_json::to_string(&serde_json::json!({ "queue": p })),
                }
                .unwrap_or_default();
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

/// Messages of a conversation after `after`, then live ones and its place
/// in the queue, until the server closes or the receiver is dropped.
async fn follow(state: AppState, id: String, after: u64) -> Result<mpsc::Receiver<Live>, AppError> {
    watch_places(&state);
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
            if tx.send(Live::Message(Box::new(m))).await.is_err() {
                return;
            }
        }
        loop {
            let missed = tokio::select! {
                // The guard `wait_for` returns is not Send: drop it inside.
                _ = async { let _ = closing.wait_for(|closing| *closing).await; } => return,
                _ = tx.closed() => return,
                received = live.recv() => match received {
                    Ok(Live::Message(m)) if m.seq > last => {
                        last = m.seq;
                        if tx.send(Live::Message(m)).await.is_err() {
                            return;
                        }
                        continue;
                    }
                    Ok(Live::Message(_)) => continue,
                    Ok(place @ Live::Place(_)) => {
                        if tx.send(place).await.is_err() {
                            return;
                        }
                        continue;
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            };
            if missed {
                // A place may have been among what was missed.
                state.bot.hub().retell(&id);
                let id = id.clone();
                let Ok(catch_up) = state.run(move |bot| bot.messages(&id, last)).await else {
                    return;
                };
                for m in catch_up {
                    last = m.seq;
                    if tx.send(Live::Message(Box::new(m))).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    Ok(rx)
}

/// Starts, once per server (when it starts serving, and for a router
/// used without [`serve`](super::serve) on the first live stream), the task
/// that tells waiting shoppers their place and makes and announces the
/// agents' offers whenever the queue moves. Whatever moves the
/// queue rings the hub: the agents' actions, presence changes, and every
/// system notice (which each hand-over publishes once durable), so the
/// bot-only turn path does no extra work. Rings that come while a round
/// runs make one more round. Without a ring it also runs every
/// `place_refresh` (a minute), as the clock runs a ticket's wait down.
pub(super) fn watch_places(state: &AppState) {
    if !state.bot.hub().start_watching() {
        return;
    }
    let state = state.clone();
    let mut closing = state.closing.subscribe();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = async { let _ = closing.wait_for(|closing| *closing).await; } => return,
                _ = state.bot.hub().next_move() => {}
                // Time moves waits too (a ticket's runs down to its promise).
                _ = tokio::time::sleep(state.place_refresh) => {}
            }
            if let Err(e) = state.run(|bot| bot.tell_places()).await {
                tracing::warn!(
                    code = e.code,
                    "telling shoppers their place failed: {}",
                    e.message
                );
            }
        }
    });
}

/// `GET /api/agent/events?agent_id=ID`: the desk's events for one agent's
/// console (offers made to that agent, the roster, alerts, queue changes);
/// without `agent_id`, every offer. It opens with the roster and the queue
/// as they are; a console that falls behind gets them again.
pub async fn desk_events(
    state: AppState,
    agent_id: Option<String>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    watch_places(&state);
    let mut desk = state.bot.desk().subscribe();
    let (tx, rx) = mpsc::channel::<DeskEvent>(64);
    let mut closing = state.closing.subscribe();
    tokio::spawn(async move {
        let mut pending = desk_snapshot(&state).await;
        loop {
            for event in pending.drain(..) {
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            tokio::select! {
                _ = async { let _ = closing.wait_for(|closing| *closing).await; } => return,
                _ = tx.closed() => return,
                received = desk.recv() => match received {
                    Ok(DeskEvent::Offer { agent_id: to, .. })
                        if agent_id.as_ref().is_some_and(|me| *me != to) => {}
                    Ok(event) => pending.push(event),
                    Err(broadcast::error::RecvError::Lagged(_)) => pending = desk_snapshot(&state).await,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    });
    let stream = ReceiverStream::new(rx).map(|event| {
        let name = match &event {
            DeskEvent::Offer { .. } => "offer",
            DeskEvent::Agents { .. } => "agents",
            DeskEvent::Alert { .. } => "alert",
            DeskEvent::Queue { .. } => "queue",
        };
        Ok(Event::default()
            .event(name)
            .json_data(&event)
            .unwrap_or_else(|_| Event::default().event("error")))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// What a console is told when its stream opens or falls behind: the
/// roster and how many wait. Counting what waits scans sled, which blocks
/// (behind a transaction or a flush, for one): on a blocking thread, like
/// every other store read, never on an async worker.
async fn desk_snapshot(state: &AppState) -> Vec<DeskEvent> {
    let read = state
        .run(|bot| {
            let agents = bot.desk().agents();
            Ok((agents, bot.store().queue().map(|q| q.len())))
        })
        .await;
    match read {
        Ok((agents, Ok(waiting))) => {
            vec![DeskEvent::Agents { agents }, DeskEvent::Queue { waiting }]
        }
        Ok((agents, Err(e))) => {
            tracing::warn!("the desk's queue could not be read: {e}");
            vec![DeskEvent::Agents { agents }]
        }
        Err(e) => {
            tracing::warn!(code = e.code, "the desk's snapshot failed: {}", e.message);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::response::IntoResponse;

    use super::*;
    use crate::desk::tests::{bot_at, hold_sled};

    #[test]
    fn the_desk_streams_opening_snapshot_waits_for_sled_off_the_async_worker() {
        let dir = tempfile::tempdir().unwrap();
        let (bot, db) = bot_at(dir.path());
        let state = AppState::new(Arc::new(bot), None);
        // One async worker: if the snapshot waited for sled on it, the task
        // that lets sled go could never run.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (release, holder) = hold_sled(&db);
        let opening = runtime.block_on(async move {
            let sse = desk_events(state, None).await;
            tokio::spawn(async move {
                let _ = release.send(());
            });
            let mut body = sse.into_response().into_body().into_data_stream();
            let first = body.next().await.unwrap().unwrap();
            String::from_utf8(first.to_vec()).unwrap()
        });
        assert!(
            holder.join().unwrap(),
            "the snapshot held up the async worker"
        );
        assert!(opening.starts_with("event: agents"), "{opening}");
    }
}
