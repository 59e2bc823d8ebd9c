//! The desk as time passes, on a clock the test moves by hand: SLA breach
//! alerts (each once, also at the webhook) and the shopper's place in the
//! queue pushed live as the queue moves.

use std::time::Duration;

use serde_json::{json, Value};
use xiaoer::clock::{parse_instant, ManualClock};

use crate::desk::{hand_over, sign_in, toml_desk, webhook_receiver};
use crate::support::{Server, REFERENCE_NOW};

fn clock() -> ManualClock {
    ManualClock::starting_at(parse_instant(REFERENCE_NOW).unwrap())
}

fn claim(server: &Server, c: &str, agent: &str) {
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": agent }),
    );
    assert_eq!(status, 200, "{body}");
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
