//! The desk with a pinned clock: live queue with an agent on duty, a ticket
//! after hours or with nobody online, the overflow switch, pulling, and
//! spike alerts.

use serde_json::{json, Value};
use xiaoer::desk::DeskConfig;

use crate::support::{texts, Server, REFERENCE_NOW};

pub(crate) fn sign_in(server: &Server, agent: &str, max_chats: u32) {
    let (status, body) = server.put(
        &format!("/api/agent/agents/{agent}"),
        json!({ "presence": "online", "max_chats": max_chats, "languages": ["zh", "en"] }),
    );
    assert_eq!(status, 200, "{body}");
}

pub(crate) fn hand_over(server: &Server, customer: &str, text: &str) -> (String, Value) {
    let c = server.start_conversation(customer);
    let body = server.say(&c, text);
    assert!(body["handoff"].is_object(), "{body}");
    (c, body)
}

fn queue(server: &Server) -> Vec<Value> {
    server.get("/api/agent/queue").1["entries"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn an_agent_on_duty_gets_a_live_queue_offer_and_can_pull() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 3);
    // A VIP: ahead of the second shopper whatever the (pinned, equal) times.
    let (c, body) = hand_over(&server, "C1001", "转人工");
    let handoff = &body["handoff"];
    assert_eq!(handoff["route"]["kind"], "live_queue", "{body}");
    assert_eq!(handoff["offered_to"], "a1");
    assert!(texts(&body["replies"]).contains("排在第 1 位"), "{body}");
    let entries = queue(&server);
    assert_eq!(
        (
            entries[0]["kind"].as_str(),
            entries[0]["offered_to"].as_str()
        ),
        (Some("queued"), Some("a1"))
    );

    let (_, second) = hand_over(&server, "C1004", "I want a real person");
    let second_id = second["conversation_id"].as_str().unwrap().to_string();
    let (_, place) = server.get(&format!("/api/conversations/{second_id}/queue"));
    assert_eq!(
        (place["position"].as_u64(), place["kind"].as_str()),
        (Some(2), Some("queued")),
        "{place}"
    );

    let (status, pulled) = server.post("/api/agent/pull", json!({ "agent_id": "a1" }));
    assert_eq!(status, 200, "{pulled}");
    assert_eq!(pulled["entry"]["conversation_id"], c.as_str());
    let (_, agents) = server.get("/api/agent/agents");
    assert_eq!(agents["agents"][0]["active"], json!([c]));
    // The queue moved: the second shopper is next now.
    let (_, place) = server.get(&format!("/api/conversations/{second_id}/queue"));
    assert_eq!(place["position"], 1, "{place}");
    let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
    assert!(
        place["position"].is_null() && place["status"]["kind"] == "with_agent",
        "{place}"
    );
    let (_, next) = server.post("/api/agent/pull", json!({ "agent_id": "a1" }));
    assert_eq!(next["entry"]["conversation_id"], second_id.as_str());
    let (_, nothing) = server.post("/api/agent/pull", json!({ "agent_id": "a1" }));
    assert!(nothing["entry"].is_null(), "{nothing}");
}

#[test]
fn nobody_online_gives_a_ticket_with_an_answer_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (_, body) = hand_over(&server, "C1002", "转人工");
    assert_eq!(body["handoff"]["route"]["kind"], "ticket", "{body}");
    assert_eq!(body["handoff"]["route"]["why"], "no_agent_online");
    // Open 09:00–22:00 and a one-hour ticket target: answered by 13:00.
    assert!(texts(&body["replies"]).contains("11月20日 13:00"), "{body}");
    assert_eq!(queue(&server)[0]["kind"], "ticket");
}

#[test]
fn after_hours_a_ticket_says_when_a_person_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_at(
        dir.path(),
        "2026-11-20T23:00:00+08:00",
        DeskConfig::default(),
    );
    sign_in(&server, "a1", 3);
    let (_, body) = hand_over(&server, "C1002", "转人工");
    let route = &body["handoff"]["route"];
    assert_eq!(
        (route["kind"].as_str(), route["why"].as_str()),
        (Some("ticket"), Some("after_hours")),
        "{body}"
    );
    let reply = texts(&body["replies"]);
    assert!(
        reply.contains("11月21日 09:00") && reply.contains("11月21日 10:00"),
        "{reply}"
    );
}

#[test]
fn overflow_offers_a_callback_but_angry_and_vip_shoppers_still_queue() {
    let desk: DeskConfig = toml_desk(
        r#"
        [overflow]
        max_wait = "1m"
        [handling]
        prior = "20m"
        "#,
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_at(dir.path(), REFERENCE_NOW, desk);
    sign_in(&server, "a1", 1);
    // The only seat is taken.
    let (busy, _) = hand_over(&server, "C1005", "转人工");
    let (status, _) = server.post(
        &format!("/api/agent/conversations/{busy}/claim"),
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(status, 200);

    let (calm_id, calm) = hand_over(&server, "C1002", "转人工");
    assert_eq!(calm["handoff"]["route"]["kind"], "callback", "{calm}");
    assert!(texts(&calm["replies"]).contains("回电"), "{calm}");
    // The callback ticket's wait is the one it was offered instead of (20m).
    assert_eq!(calm["handoff"]["route"]["eta"], "20m", "{calm}");
    let (_, place) = server.get(&format!("/api/conversations/{calm_id}/queue"));
    assert_eq!(
        (place["kind"].as_str(), place["eta_seconds"].as_u64()),
        (Some("ticket"), Some(20 * 60)),
        "{place}"
    );

    let (_, vip) = hand_over(&server, "C1001", "转人工");
    assert_eq!(
        vip["handoff"]["route"]["kind"], "live_queue",
        "VIP skips the callback: {vip}"
    );
    let (_, angry) = hand_over(&server, "C1003", "气死了!!!我要投诉!!!");
    assert_eq!(
        angry["handoff"]["route"]["kind"], "live_queue",
        "anger skips the callback: {angry}"
    );
}

#[test]
fn a_burst_of_complaints_raises_a_spike_alert() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for customer in ["C1001", "C1002", "C1003", "C1004", "C1005", "C1006"] {
        hand_over(&server, customer, "我要投诉!!!");
    }
    let (status, alerts) = server.get("/api/agent/alerts");
    assert_eq!(status, 200);
    let spikes = alerts["spikes"].as_array().unwrap();
    assert!(
        spikes.iter().any(|s| s["key"] == "intent:complaint"),
        "{alerts}"
    );
    assert!(alerts["breaches"].is_array());
}

/// A `[desk]` configuration from TOML written as in the README, tables
/// indented by eight spaces (`\n        [overflow]`), or as inline keys. A
/// table left at the top level is refused, not silently dropped.
pub(crate) fn toml_desk(text: &str) -> DeskConfig {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        desk: DeskConfig,
    }
    let wrapped = format!(
        "[desk]\n{}",
        text.replace("\n        [", "\n        [desk.")
    );
    toml::from_str::<File>(&wrapped).unwrap().desk
}

#[test]
fn an_agent_transfers_to_a_colleague_or_back_to_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 3);
    sign_in(&server, "a2", 3);
    let (c, _) = hand_over(&server, "C1002", "转人工");
    let (status, _) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(status, 200);

    let path = format!("/api/agent/conversations/{c}/transfer");
    let (status, body) = server.post(&path, json!({ "agent_id": "a2", "to_agent": "a1" }));
    assert_eq!(status, 409, "only the holder transfers: {body}");
    let (status, body) = server.post(&path, json!({ "agent_id": "a1", "to_agent": "a2" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["entry"]["state"]["agent_id"], "a2");
    let (_, history) = server.get(&format!("/api/conversations/{c}/messages"));
    assert!(
        texts(&history["messages"]).contains("客服 a2 已接入"),
        "{history}"
    );
    let (_, agents) = server.get("/api/agent/agents");
    let active = |id: &str| {
        agents["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["active"]
            .clone()
    };
    assert_eq!((active("a1"), active("a2")), (json!([]), json!([c])));

    // Back to the queue, keeping its place; the shopper is told.
    let (status, body) = server.post(&path, json!({ "agent_id": "a2", "skill": "refunds" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["entry"]["state"]["kind"], "waiting");
    let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
    assert_eq!(place["position"], 1, "{place}");
    let (_, history) = server.get(&format!("/api/conversations/{c}/messages"));
    assert!(
        texts(&history["messages"]).contains("仍在为您排队"),
        "{history}"
    );
}

/// A receiver for the merchant's webhook: every POSTed body, as JSON.
pub(crate) fn webhook_receiver() -> (String, std::sync::mpsc::Receiver<Value>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/hook",
                axum::routing::post(move |body: String| {
                    let tx = tx.clone();
                    async move {
                        let _ = tx.send(serde_json::from_str::<Value>(&body).unwrap());
                        "ok"
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = addr_rx.recv().unwrap();
    (format!("http://{addr}/hook"), rx)
}

#[test]
fn spike_alerts_are_posted_to_the_webhook() {
    let (url, received) = webhook_receiver();
    let desk = toml_desk(&format!("webhook = {url:?}\n"));
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_at(dir.path(), REFERENCE_NOW, desk);
    for customer in ["C1001", "C1002", "C1003", "C1004", "C1005", "C1006"] {
        hand_over(&server, customer, "我要投诉!!!");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let alert = received
            .recv_timeout(left)
            .expect("no spike alert reached the webhook");
        if alert["kind"] == "spike" && alert["key"] == "intent:complaint" {
            break;
        }
    }
}

#[test]
fn agent_profiles_survive_a_restart_and_everybody_starts_offline() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, body) = server.put(
        "/api/agent/agents/a7",
        json!({ "presence": "online", "name": "小林", "skills": ["refunds"],
                "languages": ["en"], "max_chats": 2 }),
    );
    assert_eq!(status, 200, "{body}");
    server.stop();

    let server = Server::start(dir.path());
    let (_, agents) = server.get("/api/agent/agents");
    let a7 = &agents["agents"][0];
    assert_eq!(
        (
            a7["id"].as_str(),
            a7["name"].as_str(),
            a7["skills"].clone(),
            a7["languages"].clone(),
            a7["max_chats"].as_u64(),
            a7["presence"].as_str()
        ),
        (
            Some("a7"),
            Some("小林"),
            json!(["refunds"]),
            json!(["en"]),
            Some(2),
            Some("offline")
        ),
        "{agents}"
    );
    // Signing in again keeps the profile.
    let (_, body) = server.put("/api/agent/agents/a7", json!({ "presence": "online" }));
    assert_eq!(body["agent"]["max_chats"], 2, "{body}");
    assert_eq!(body["agent"]["presence"], "online", "{body}");
}
