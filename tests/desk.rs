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

/// `agent` claims conversation `c`, which must succeed.
pub(crate) fn claim(server: &Server, c: &str, agent: &str) {
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": agent }),
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
fn the_shopper_is_told_the_agents_name_not_their_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, body) = server.put(
        "/api/agent/agents/emp-0042",
        json!({ "presence": "online", "name": "小美", "max_chats": 2 }),
    );
    assert_eq!(status, 200, "{body}");
    sign_in(&server, "a2", 2);
    let (c, _) = hand_over(&server, "C1002", "转人工");
    claim(&server, &c, "emp-0042");
    let joined = server.last_message(&c);
    assert!(joined.contains("小美"), "{joined}");
    assert!(!joined.contains("emp-0042"), "{joined}");
    // Transferred to a colleague without a name: their id.
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/transfer"),
        json!({ "agent_id": "emp-0042", "to_agent": "a2" }),
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        server.last_message(&c).contains("a2"),
        "{}",
        server.last_message(&c)
    );
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
    claim(&server, &busy, "a1");

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
    claim(&server, &c, "a1");

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

fn agent(server: &Server, id: &str) -> Value {
    let (_, agents) = server.get("/api/agent/agents");
    agents["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn an_id_not_on_the_roster_cannot_claim_or_pull() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (c, _) = hand_over(&server, "C1002", "转人工");
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": "nobody" }),
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "agent_unavailable", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no agent `nobody`"),
        "{body}"
    );
    let (status, body) = server.post("/api/agent/pull", json!({ "agent_id": "typo" }));
    assert_eq!(status, 409, "{body}");
    // Nobody was made up, and the shopper still waits for a real agent.
    let (_, agents) = server.get("/api/agent/agents");
    assert_eq!(agents["agents"], json!([]), "{agents}");
    assert_eq!(queue(&server)[0]["state"]["kind"], "waiting");
    // An id that is only blanks is no agent either.
    let (status, body) = server.put("/api/agent/agents/%20", json!({ "presence": "online" }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("missing_agent")),
        "{body}"
    );
}

#[test]
fn offers_never_pass_an_agents_free_seats() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 1);
    let offered: Vec<Value> = ["C1001", "C1002", "C1004"]
        .iter()
        .map(|customer| hand_over(&server, customer, "转人工 human agent please").1)
        .map(|body| body["handoff"]["offered_to"].clone())
        .collect();
    assert_eq!(offered, [json!("a1"), Value::Null, Value::Null]);
    let waiting = queue(&server);
    let offers: Vec<&Value> = waiting.iter().map(|e| &e["offered_to"]).collect();
    assert_eq!(
        offers.iter().filter(|o| **o == "a1").count(),
        1,
        "{waiting:?}"
    );
}

#[test]
fn an_agent_who_signs_out_hands_their_conversations_back_to_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 3);
    let (c, _) = hand_over(&server, "C1002", "转人工");
    claim(&server, &c, "a1");
    // Away keeps it (a break).
    let (status, body) = server.put("/api/agent/agents/a1", json!({ "presence": "away" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"]["active"], json!([c]));
    // Offline hands it back: waiting again, first in line, the shopper told.
    let (status, body) = server.put("/api/agent/agents/a1", json!({ "presence": "offline" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"]["active"], json!([]), "{body}");
    let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
    assert_eq!(
        (place["status"]["kind"].as_str(), place["position"].as_u64()),
        (Some("queued"), Some(1)),
        "{place}"
    );
    let (_, history) = server.get(&format!("/api/conversations/{c}/messages"));
    assert!(
        texts(&history["messages"]).contains("仍在为您排队"),
        "{history}"
    );
    // A colleague can take it now.
    sign_in(&server, "a2", 3);
    claim(&server, &c, "a2");
}

#[test]
fn pulling_never_takes_a_conversation_in_a_language_the_agent_does_not_chat_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, body) = server.put(
        "/api/agent/agents/en",
        json!({ "presence": "online", "languages": ["en"], "skills": ["orders"] }),
    );
    assert_eq!(status, 200, "{body}");
    let (zh, _) = hand_over(&server, "C1002", "转人工");
    let (_, nothing) = server.post("/api/agent/pull", json!({ "agent_id": "en" }));
    assert!(nothing["entry"].is_null(), "{nothing}");
    // Nor can a colleague pass it to them.
    sign_in(&server, "a1", 3);
    claim(&server, &zh, "a1");
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{zh}/transfer"),
        json!({ "agent_id": "a1", "to_agent": "en" }),
    );
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not chat in zh"),
        "{body}"
    );
    // An English shopper is theirs to pull.
    let (en_shopper, _) = hand_over(&server, "C1004", "I want a real person");
    let (_, pulled) = server.post("/api/agent/pull", json!({ "agent_id": "en" }));
    assert_eq!(
        pulled["entry"]["conversation_id"],
        en_shopper.as_str(),
        "{pulled}"
    );
}

#[test]
fn held_conversations_are_their_agents_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // a1's profile is kept (max_chats); "temp" only signed in (no profile
    // to keep, as the shipped console does).
    sign_in(&server, "a1", 1);
    let (status, _) = server.put("/api/agent/agents/temp", json!({ "presence": "online" }));
    assert_eq!(status, 200);
    let (held, _) = hand_over(&server, "C1002", "转人工");
    let (temps, _) = hand_over(&server, "C1004", "I want a real person");
    for (c, agent) in [(&held, "a1"), (&temps, "temp")] {
        claim(&server, c, agent);
    }
    server.stop();

    let server = Server::start(dir.path());
    // a1 is offline but still holds theirs: nobody else can take it, and
    // it fills their one seat when they are back.
    let a1 = agent(&server, "a1");
    assert_eq!(
        (a1["presence"].as_str(), &a1["active"]),
        (Some("offline"), &json!([held]))
    );
    sign_in(&server, "a1", 1);
    assert_eq!(agent(&server, "a1")["active"], json!([held]));
    let (status, _) = server.post(
        &format!("/api/agent/conversations/{held}/messages"),
        json!({ "agent_id": "a1", "text": "我回来了,继续为您处理" }),
    );
    assert_eq!(status, 200);
    // temp is back on the roster, offline, holding theirs, and has it
    // when their console signs in again.
    let temp = agent(&server, "temp");
    assert_eq!(
        (temp["presence"].as_str(), &temp["active"]),
        (Some("offline"), &json!([temps]))
    );
    let (status, body) = server.put("/api/agent/agents/temp", json!({ "presence": "online" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"]["active"], json!([temps]));
    // a1's one seat is taken by what they held: no room for a newcomer.
    hand_over(&server, "C1001", "转人工");
    let (status, body) = server.post("/api/agent/pull", json!({ "agent_id": "a1" }));
    assert_eq!(status, 409, "a1 is full: {body}");
}

#[test]
fn conversations_of_an_agent_who_does_not_come_back_return_to_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 3);
    let (c, _) = hand_over(&server, "C1002", "转人工");
    claim(&server, &c, "a1");
    server.stop();
    let clock = xiaoer::clock::ManualClock::starting_at(
        xiaoer::clock::parse_instant(REFERENCE_NOW).unwrap(),
    );
    let desk = DeskConfig {
        return_after: std::time::Duration::from_secs(300),
        ..DeskConfig::default()
    };
    let server = Server::start_watching_sla(dir.path(), clock.clone(), desk);
    // At the start it is still a1's (the moment it goes back, to the
    // second, is the desk's unit test).
    let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
    assert_eq!(place["status"]["kind"], "with_agent", "{place}");
    let (_, history) = server.get(&format!("/api/conversations/{c}/messages"));
    let last = history["messages"].as_array().unwrap().last().unwrap()["seq"].clone();
    let mut shopper = server.events(&format!("/api/conversations/{c}/events?after={last}"));
    clock.advance(std::time::Duration::from_secs(301));
    // The next SLA round hands it back: the shopper hears their place.
    let told = shopper.next_where("message", |m| m["author"]["kind"] == "system");
    assert!(
        told["text"].as_str().unwrap().contains("仍在为您排队"),
        "{told}"
    );
    let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
    assert_eq!(place["status"]["kind"], "queued", "{place}");
    assert_eq!(agent(&server, "a1")["active"], json!([]));
}

#[test]
fn a_ticket_filed_at_night_is_offered_when_an_agent_signs_in_without_a_console_stream() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (c, body) = hand_over(&server, "C1002", "转人工");
    assert_eq!(body["handoff"]["route"]["kind"], "ticket", "{body}");
    sign_in(&server, "a1", 3);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let entries = queue(&server);
        if entries[0]["offered_to"] == "a1" {
            assert_eq!(entries[0]["conversation_id"], c.as_str());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never offered: {entries:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn claiming_again_what_one_holds_does_not_lose_it_at_sign_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 1);
    let (c, _) = hand_over(&server, "C1002", "转人工");
    let claim_again = |server: &Server| {
        server.post(
            &format!("/api/agent/conversations/{c}/claim"),
            json!({ "agent_id": "a1" }),
        )
    };
    assert_eq!(claim_again(&server).0, 200);
    // A double click: refused, and a1 still holds it (their one seat).
    assert_eq!(claim_again(&server).0, 409);
    assert_eq!(agent(&server, "a1")["active"], json!([c]));
    let (_, body) = server.put("/api/agent/agents/a1", json!({ "presence": "offline" }));
    assert_eq!(body["agent"]["active"], json!([]), "{body}");
    let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
    assert_eq!(place["status"]["kind"], "queued", "{place}");
}

#[test]
fn the_desk_goes_by_the_language_the_shopper_writes_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for (id, lang) in [("en1", "en"), ("en2", "en"), ("zh1", "zh")] {
        let (status, body) = server.put(
            &format!("/api/agent/agents/{id}"),
            json!({ "presence": "online", "languages": [lang], "max_chats": 3 }),
        );
        assert_eq!(status, 200, "{body}");
    }
    // C1002's profile is Chinese; she writes in English.
    let (c, body) = hand_over(&server, "C1002", "I want to talk to a real person please");
    assert_eq!(body["handoff"]["offered_to"], "en1", "{body}");
    let (_, nothing) = server.post("/api/agent/pull", json!({ "agent_id": "zh1" }));
    assert!(nothing["entry"].is_null(), "{nothing}");
    claim(&server, &c, "en1");
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/transfer"),
        json!({ "agent_id": "en1", "to_agent": "en2" }),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn max_chats_outside_its_range_is_refused_by_the_api_as_by_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for max in [0, 101] {
        let (status, body) = server.put(
            "/api/agent/agents/a1",
            json!({ "presence": "online", "max_chats": max }),
        );
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid_fields")),
            "{body}"
        );
    }
    assert_eq!(agent(&server, "a1"), Value::Null, "nothing was signed in");
}

#[test]
fn with_a_pinned_clock_equal_shoppers_keep_the_places_they_were_told() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 1);
    let mut told = Vec::new();
    for customer in ["C1002", "C1005", "C1004"] {
        let (c, body) = hand_over(&server, customer, "转人工 human agent please");
        told.push((c, body["handoff"]["position"].as_u64().unwrap()));
    }
    assert_eq!(
        told.iter().map(|t| t.1).collect::<Vec<_>>(),
        [1, 2, 3],
        "{told:?}"
    );
    // Everyone at the same pinned instant and priority: the queue keeps
    // the order of arrival, so nobody's place went back.
    for (c, position) in &told {
        let (_, place) = server.get(&format!("/api/conversations/{c}/queue"));
        assert_eq!(place["position"].as_u64(), Some(*position), "{place}");
    }
}
