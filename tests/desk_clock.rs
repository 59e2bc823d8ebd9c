//! The desk as time passes, on a clock the test moves by hand: SLA breach
//! alerts (each once, also at the webhook) and the shopper's place in the
//! queue pushed live as the queue moves.

use std::time::Duration;

use serde_json::{json, Value};
use xiaoer::clock::{parse_instant, ManualClock};

use crate::desk::{claim, hand_over, sign_in, toml_desk, webhook_receiver};
use crate::support::{Server, REFERENCE_NOW};

fn clock() -> ManualClock {
    ManualClock::starting_at(parse_instant(REFERENCE_NOW).unwrap())
}

fn agent_says(server: &Server, c: &str, agent: &str, text: &str) {
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/messages"),
        json!({ "agent_id": agent, "text": text }),
    );
    assert_eq!(status, 200, "{body}");
}

fn resolve(server: &Server, c: &str, agent: &str) {
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/resolve"),
        json!({ "agent_id": agent }),
    );
    assert_eq!(status, 200, "{body}");
}

/// The SLA breach alerts raised so far, as (conversation, breach kind).
fn breach_alerts(server: &Server) -> Vec<(String, String)> {
    let (status, alerts) = server.get("/api/agent/alerts");
    assert_eq!(status, 200, "{alerts}");
    alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "sla_breach")
        .map(breach_of)
        .collect()
}

fn breach_of(alert: &Value) -> (String, String) {
    let breach = &alert["breach"];
    (
        breach["conversation_id"].as_str().unwrap().to_string(),
        breach["kind"].as_str().unwrap().to_string(),
    )
}

fn next_hook(received: &std::sync::mpsc::Receiver<Value>) -> Value {
    received
        .recv_timeout(Duration::from_secs(20))
        .expect("no alert reached the webhook")
}

#[test]
fn sla_breaches_raise_one_alert_each_as_time_passes() {
    let (url, received) = webhook_receiver();
    let desk = toml_desk(&format!("webhook = {url:?}\n"));
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_manual(dir.path(), clock.clone(), desk);
    sign_in(&server, "a1", 3);
    let (waiting, _) = hand_over(&server, "C1002", "转人工");
    let (held, _) = hand_over(&server, "C1005", "转人工");
    claim(&server, &held, "a1");
    agent_says(&server, &held, "a1", "您好,我是小美");
    assert_eq!(breach_alerts(&server), vec![], "nothing is due yet");

    // Two minutes (the first-response target) and a second later.
    clock.advance(Duration::from_secs(121));
    let first = vec![(waiting.clone(), "first_response".to_string())];
    assert_eq!(breach_alerts(&server), first);
    assert_eq!(breach_alerts(&server), first, "reported once, not per look");
    let (_, alerts) = server.get("/api/agent/alerts");
    assert_eq!(alerts["breaches"][0]["overdue_by"], "1s", "{alerts}");
    assert_eq!(breach_of(&next_hook(&received)), first[0]);

    // Answered late, then resolved: nothing more for this one.
    claim(&server, &waiting, "a1");
    agent_says(&server, &waiting, "a1", "抱歉久等");
    resolve(&server, &waiting, "a1");

    // Thirty minutes after joining, the held conversation is still open.
    clock.advance(Duration::from_secs(29 * 60));
    let both = vec![first[0].clone(), (held.clone(), "resolution".to_string())];
    assert_eq!(breach_alerts(&server), both);
    assert_eq!(breach_alerts(&server), both, "reported once, not per look");
    // The webhook got the resolution breach next: the first-response one was
    // not sent again in between.
    assert_eq!(breach_of(&next_hook(&received)), both[1]);

    // A later breach is the next post: the resolution one was not repeated.
    let (late, _) = hand_over(&server, "C1003", "转人工");
    clock.advance(Duration::from_secs(121));
    assert_eq!(breach_alerts(&server).len(), 3);
    assert_eq!(
        breach_of(&next_hook(&received)),
        (late, "first_response".to_string())
    );
}

fn sign_in_speaking(server: &Server, agent: &str, languages: Value) {
    let (status, body) = server.put(
        &format!("/api/agent/agents/{agent}"),
        json!({ "presence": "online", "max_chats": 1, "languages": languages }),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_waiting_shopper_is_told_the_new_place_and_wait_as_the_queue_moves() {
    // An assumed handling time far from the measured one shows which is used.
    let desk = toml_desk("handling = { prior = \"20m\" }\n");
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_manual(dir.path(), clock.clone(), desk);
    sign_in_speaking(&server, "zh-agent", json!(["zh"]));
    sign_in_speaking(&server, "en-agent", json!(["en"]));
    // One English conversation handled in 90 s: the measured handling time.
    let (first, _) = hand_over(&server, "C1004", "I want a real person");
    claim(&server, &first, "en-agent");
    clock.advance(Duration::from_secs(90));
    resolve(&server, &first, "en-agent");
    // The English agent is busy again.
    let (busy, _) = hand_over(&server, "C1004", "I want a real person");
    claim(&server, &busy, "en-agent");

    let (chinese, _) = hand_over(&server, "C1002", "转人工");
    // Later, so behind it whatever the (random) ids.
    clock.advance(Duration::from_secs(1));
    let (english, body) = hand_over(&server, "C1004", "I want a real person");
    // Second in line, one English seat, busy: two handling times of 90 s.
    assert_eq!(body["handoff"]["position"], 2, "{body}");
    assert_eq!(body["handoff"]["route"]["eta"], "3m", "{body}");

    let mut events = server.events(&format!("/api/conversations/{english}/events?after=1000"));
    let place = events.next_named("queue");
    assert_eq!(
        (place["position"].as_u64(), place["eta_seconds"].as_u64()),
        (Some(2), Some(180)),
        "told on opening: {place}"
    );
    claim(&server, &chinese, "zh-agent");
    let place = events.next_named("queue");
    assert_eq!(
        (place["position"].as_u64(), place["eta_seconds"].as_u64()),
        (Some(1), Some(90)),
        "told as the queue moved: {place}"
    );
    assert_eq!(place["status"]["kind"], "queued");

    // The English agent frees their seat: next, and no wait.
    resolve(&server, &busy, "en-agent");
    let place = events.next_named("queue");
    assert_eq!(
        (place["position"].as_u64(), place["eta_seconds"].as_u64()),
        (Some(1), Some(0)),
        "{place}"
    );
    // Claimed: told it left the queue.
    claim(&server, &english, "en-agent");
    let place = events.next_named("queue");
    assert!(place["position"].is_null(), "{place}");
    assert_eq!(place["status"]["kind"], "with_agent", "{place}");
    let (_, now) = server.get(&format!("/api/conversations/{chinese}/queue"));
    assert_eq!(now["status"]["kind"], "with_agent", "{now}");
}

/// A ticket filed while nobody was online is offered to the first agent who
/// signs in, on their console; the next one waits for room (max 1).
#[test]
fn a_ticket_is_offered_to_the_first_agent_who_comes_online() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_manual(dir.path(), clock(), Default::default());
    for customer in ["C1002", "C1003"] {
        let (_, body) = hand_over(&server, customer, "转人工");
        assert_eq!(body["handoff"]["route"]["kind"], "ticket", "{body}");
        assert!(body["handoff"]["offered_to"].is_null(), "{body}");
    }
    let in_line = |server: &Server| -> Vec<(String, Option<String>)> {
        let (_, queue) = server.get("/api/agent/queue");
        queue["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let id = e["conversation_id"].as_str().unwrap().to_string();
                (id, e["offered_to"].as_str().map(str::to_string))
            })
            .collect()
    };
    let before = in_line(&server);
    assert_eq!(before.len(), 2);
    let mut console = server.events("/api/agent/events?agent_id=a1");
    console.next_named("agents");
    sign_in(&server, "a1", 1);
    let offer = console.next_named("offer");
    assert_eq!(offer["conversation_id"], before[0].0.as_str(), "{offer}");
    assert_eq!(offer["agent_id"], "a1", "{offer}");
    assert_eq!(
        in_line(&server),
        [
            (before[0].0.clone(), Some("a1".to_string())),
            (before[1].0.clone(), None)
        ]
    );
}

#[test]
fn the_agent_console_hears_offers_the_roster_and_alerts_live() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_manual(dir.path(), clock.clone(), Default::default());
    sign_in(&server, "a1", 3);
    let mut console = server.events("/api/agent/events?agent_id=a1");
    let roster = console.next_named("agents");
    assert_eq!(
        roster["agents"][0]["id"], "a1",
        "opens with the roster: {roster}"
    );

    // A hand-over offered to a1 is pushed to a1's console.
    let (c, body) = hand_over(&server, "C1002", "转人工");
    assert_eq!(body["handoff"]["offered_to"], "a1", "{body}");
    let offer = console.next_named("offer");
    assert_eq!(
        (
            offer["conversation_id"].as_str(),
            offer["agent_id"].as_str()
        ),
        (Some(c.as_str()), Some("a1")),
        "{offer}"
    );
    assert!(
        offer["summary"].as_str().is_some_and(|s| !s.is_empty()),
        "{offer}"
    );

    // A colleague signing in appears live.
    sign_in(&server, "a2", 3);
    console.next_where("agents", |e| {
        e["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "a2" && a["presence"] == "online")
    });

    // With a1 away, the next hand-over is offered to a2, on a2's console only.
    let mut colleague = server.events("/api/agent/events?agent_id=a2");
    let (status, _) = server.put("/api/agent/agents/a1", json!({ "presence": "away" }));
    assert_eq!(status, 200);
    let (other, _) = hand_over(&server, "C1003", "转人工");
    // (a1's waiting conversation may be offered to a2 as well, now that a1
    // is away.)
    let offer = colleague.next_where("offer", |o| o["conversation_id"] == other.as_str());
    assert_eq!(offer["agent_id"], "a2", "{offer}");

    // A breach raised while the console listens is pushed to it (after the
    // offer to a2, which a1's console skipped).
    clock.advance(Duration::from_secs(121));
    server.get("/api/agent/alerts");
    let (name, alert) = console.next_of(&["offer", "alert"]);
    assert_eq!(name, "alert", "a1 hears no offer made to a2: {alert}");
    assert_eq!(alert["alert"]["kind"], "sla_breach", "{alert}");
    // Both waited two minutes unanswered (in either order: same instant).
    let breached = alert["alert"]["breach"]["conversation_id"].as_str();
    assert!(breached == Some(&c) || breached == Some(&other), "{alert}");
}

#[test]
fn a_higher_priority_hand_over_and_agents_coming_and_going_move_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_manual(dir.path(), clock.clone(), Default::default());
    sign_in(&server, "a1", 1);
    let (busy, _) = hand_over(&server, "C1002", "转人工");
    claim(&server, &busy, "a1");
    let (waiting, _) = hand_over(&server, "C1004", "I want a real person");
    let mut events = server.events(&format!("/api/conversations/{waiting}/events?after=1000"));
    let place = |e: Value| (e["position"].as_u64(), e["eta_seconds"].as_u64());
    // Nothing measured yet: the assumed 5 minutes per conversation, one seat.
    assert_eq!(place(events.next_named("queue")), (Some(1), Some(300)));

    // A VIP's hand-over (a shopper's turn) goes ahead.
    clock.advance(Duration::from_secs(1));
    hand_over(&server, "C1001", "转人工");
    assert_eq!(place(events.next_named("queue")), (Some(2), Some(600)));

    // A second agent signs in: two seats, one free.
    sign_in(&server, "a2", 1);
    assert_eq!(place(events.next_named("queue")), (Some(2), Some(150)));
    let (status, _) = server.put("/api/agent/agents/a2", json!({ "presence": "offline" }));
    assert_eq!(status, 200);
    assert_eq!(place(events.next_named("queue")), (Some(2), Some(600)));

    // The WebSocket carries the same place, as a `queue` frame.
    let addr = server.base.trim_start_matches("http://").to_string();
    let stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let url = format!("ws://{addr}/api/conversations/{waiting}/ws?after=1000");
    let (mut socket, _) = tungstenite::client(url.as_str(), stream).unwrap();
    let frame = loop {
        match socket.read().unwrap() {
            tungstenite::Message::Text(text) => {
                break serde_json::from_str::<Value>(&text).unwrap()
            }
            _ => continue,
        }
    };
    assert_eq!(
        place(frame["queue"].clone()),
        (Some(2), Some(600)),
        "{frame}"
    );
    socket.close(None).unwrap();
}

#[test]
fn the_sla_watch_raises_a_breach_with_nobody_looking() {
    let (url, received) = webhook_receiver();
    let desk = toml_desk(&format!("webhook = {url:?}\n"));
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_watching_sla(dir.path(), clock.clone(), desk);
    sign_in(&server, "a1", 3);
    let (waiting, _) = hand_over(&server, "C1002", "转人工");
    clock.advance(Duration::from_secs(121));
    // No request: the watch finds it and posts it.
    assert_eq!(
        breach_of(&next_hook(&received)),
        (waiting.clone(), "first_response".to_string())
    );
    // Once: the next post is the next breach, not this one again.
    claim(&server, &waiting, "a1");
    clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(
        breach_of(&next_hook(&received)),
        (waiting, "resolution".to_string())
    );
    assert_eq!(breach_alerts(&server).len(), 2);
}

#[test]
fn a_tickets_wait_is_the_answer_time_it_promised_and_shortens_when_an_agent_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_manual(dir.path(), clock.clone(), Default::default());
    // Nobody online at noon: a ticket, answered within the hour (by 13:00).
    let (ticket, body) = hand_over(&server, "C1002", "转人工");
    assert_eq!(body["handoff"]["route"]["kind"], "ticket", "{body}");
    assert_eq!(
        body["handoff"]["route"]["answer_by"], "2026-11-20T13:00:00+08:00",
        "{body}"
    );
    let place = |e: &Value| {
        (
            e["position"].as_u64(),
            e["kind"].as_str().map(str::to_string),
            e["eta_seconds"].as_u64(),
        )
    };
    let (_, now) = server.get(&format!("/api/conversations/{ticket}/queue"));
    assert_eq!(
        place(&now),
        (Some(1), Some("ticket".into()), Some(3600)),
        "{now}"
    );

    clock.advance(Duration::from_secs(20 * 60));
    let mut events = server.events(&format!("/api/conversations/{ticket}/events?after=1000"));
    let opening = events.next_named("queue");
    assert_eq!(
        place(&opening),
        (Some(1), Some("ticket".into()), Some(40 * 60)),
        "what is left of the promised hour: {opening}"
    );
    // Someone who can take it signs in: a free seat, next up, pushed.
    sign_in(&server, "a1", 3);
    let moved = events.next_named("queue");
    assert_eq!(
        place(&moved),
        (Some(1), Some("ticket".into()), Some(0)),
        "{moved}"
    );
}

#[test]
fn an_after_hours_tickets_wait_runs_to_the_next_opening_plus_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(parse_instant("2026-11-20T23:00:00+08:00").unwrap());
    let server = Server::start_manual(dir.path(), clock, Default::default());
    sign_in(&server, "a1", 3);
    let (ticket, body) = hand_over(&server, "C1002", "转人工");
    assert_eq!(body["handoff"]["route"]["why"], "after_hours", "{body}");
    // Told: opens 09:00, a person answers by 10:00, eleven hours from now.
    let (_, now) = server.get(&format!("/api/conversations/{ticket}/queue"));
    assert_eq!(now["eta_seconds"], 11 * 3600, "{now}");
}

/// The SLA breaches open now, as (conversation, breach kind).
fn open_breaches(server: &Server) -> Vec<(String, String)> {
    let (status, alerts) = server.get("/api/agent/alerts");
    assert_eq!(status, 200, "{alerts}");
    alerts["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["conversation_id"].as_str().unwrap().to_string(),
                b["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_claim_is_not_a_first_response_an_agents_message_is() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let server = Server::start_manual(dir.path(), clock.clone(), Default::default());
    sign_in(&server, "a1", 3);
    let (c, _) = hand_over(&server, "C1002", "转人工");
    // Claimed at once (the shopper is told an agent joined), then silence.
    clock.advance(Duration::from_secs(10));
    claim(&server, &c, "a1");
    clock.advance(Duration::from_secs(111));
    assert_eq!(
        open_breaches(&server),
        vec![(c.clone(), "first_response".to_string())],
        "two minutes after joining the queue, nobody has answered the shopper"
    );
    // The agent's first message is the first response: that target is met
    // (late), the resolution one still runs.
    agent_says(&server, &c, "a1", "您好,我是小美");
    assert_eq!(open_breaches(&server), vec![]);
}

#[test]
fn a_tickets_wait_keeps_the_later_answer_time_it_promised_for_the_queue_ahead() {
    // Two hours a conversation, one seat: the second in line waits two hours,
    // longer than the ticket target (1 h), so that is what the shopper is told.
    let desk = toml_desk("handling = { prior = \"2h\" }\n");
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(parse_instant("2026-11-20T21:30:00+08:00").unwrap());
    let server = Server::start_manual(dir.path(), clock.clone(), desk);
    sign_in(&server, "a1", 1);
    let (first, _) = hand_over(&server, "C1002", "转人工");
    claim(&server, &first, "a1");
    // Next in line for the busy seat: two hours from 21:30 run past closing
    // (22:00), so a ticket, answered by 10:30 the next morning (half an
    // hour tonight, an hour and a half from 09:00).
    let (ticket, body) = hand_over(&server, "C1003", "转人工");
    let route = &body["handoff"]["route"];
    assert_eq!(
        (route["kind"].as_str(), route["why"].as_str()),
        (Some("ticket"), Some("closing")),
        "{body}"
    );
    assert_eq!(route["answer_by"], "2026-11-21T10:30:00+08:00", "{body}");
    let eta = || {
        let (_, place) = server.get(&format!("/api/conversations/{ticket}/queue"));
        assert_eq!(place["kind"], "ticket", "{place}");
        place["eta_seconds"].as_u64()
    };
    // Closed, at 23:00: eleven and a half hours to the time it was told,
    // not to the ticket target alone (09:30).
    clock.advance(Duration::from_secs(90 * 60));
    assert_eq!(eta(), Some(11 * 3600 + 30 * 60));
    // The agent sees the promise too.
    let (_, queue) = server.get("/api/agent/queue");
    let entry = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["conversation_id"] == ticket.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        entry["context"]["answer_by"], "2026-11-21T10:30:00+08:00",
        "{entry}"
    );
    let (_, live) = server.get(&format!("/api/agent/conversations/{first}/context"));
    assert!(live["context"].get("answer_by").is_none(), "{live}");
}

#[test]
fn a_tickets_wait_counts_down_as_the_clock_runs_with_nothing_else_moving() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    // The watches `serve` runs (places refreshed with no queue movement).
    let server = Server::start_watching_sla(dir.path(), clock.clone(), Default::default());
    let (ticket, body) = hand_over(&server, "C1002", "转人工");
    assert_eq!(body["handoff"]["route"]["kind"], "ticket", "{body}");
    let mut events = server.events(&format!("/api/conversations/{ticket}/events?after=1000"));
    let opening = events.next_named("queue");
    assert_eq!(opening["eta_seconds"], 3600, "{opening}");
    // Nobody signs in, nothing is claimed: only the clock moves.
    clock.advance(Duration::from_secs(25 * 60));
    let later = events.next_where("queue", |e| e["eta_seconds"] != 3600);
    assert_eq!(later["eta_seconds"], 35 * 60, "{later}");
    assert_eq!(later["position"], 1, "{later}");
}
