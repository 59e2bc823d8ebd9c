//! `GET /metrics`: what it counts follows what the API answered.

use serde_json::json;

use crate::support::Server;

/// The value of one series (`name{labels}` exactly as printed), or `None`.
pub(crate) fn series(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(' ')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

pub(crate) fn scrape(server: &Server) -> String {
    let (status, body) = server.get("/metrics");
    assert_eq!(status, 200, "{body}");
    let text = body.as_str().expect("metrics are text").to_string();
    assert!(
        text.ends_with("# EOF\n"),
        "OpenMetrics text ends with # EOF: {text}"
    );
    text
}

#[test]
fn metrics_count_turns_handoffs_errors_and_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let before = scrape(&server);
    assert_eq!(
        series(&before, "xiaoer_turn_duration_seconds_count"),
        Some(0.0)
    );
    assert_eq!(
        series(&before, "xiaoer_agents{presence=\"online\"}"),
        Some(0.0),
        "nobody online is shown as 0, not left out"
    );
    // So are an empty queue, and turns and errors before the first one: a
    // series that only appears with its first event reads "no data".
    for name in [
        "xiaoer_queue_entries{kind=\"queued\",state=\"waiting\"}",
        "xiaoer_queue_entries{kind=\"ticket\",state=\"claimed\"}",
        "xiaoer_turns_total{outcome=\"handoff\"}",
        "xiaoer_turn_errors_total{kind=\"storage\"}",
    ] {
        assert_eq!(series(&before, name), Some(0.0), "{name} in\n{before}");
    }

    let conversation = server.start_conversation("C1003");
    let answered = server.say(&conversation, "退款什么时候到账");
    assert!(answered["handoff"].is_null(), "{answered}");
    let intent = answered["intent"].as_str().unwrap().to_string();
    let handed = server.say(&conversation, "我要投诉!!!你们就是骗子");
    let reasons: Vec<String> = handed["handoff"]["reasons"]
        .as_array()
        .expect("the complaint is handed over")
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(reasons.contains(&"complaint".to_string()), "{handed}");
    let route = handed["handoff"]["route"]["kind"]
        .as_str()
        .unwrap()
        .to_string();
    // Waiting for a person: the bot answers nothing, notes the first message.
    let noted = server.say(&conversation, "还有人吗");
    assert_eq!(noted["replies"].as_array().unwrap().len(), 1, "{noted}");
    let quiet = server.say(&conversation, "还有人吗");
    assert_eq!(quiet["replies"], json!([]), "{quiet}");
    // Refused: empty, and a conversation that does not exist.
    let (status, _) = server.post(
        &format!("/api/conversations/{conversation}/messages"),
        json!({ "text": "   " }),
    );
    assert!((400..500).contains(&status));
    let (status, _) = server.post(
        "/api/conversations/0123456789abcdef0123456789abcdef/messages",
        json!({ "text": "在吗" }),
    );
    assert_eq!(status, 404);

    let text = scrape(&server);
    let count = |name: &str| series(&text, name).unwrap_or_else(|| panic!("{name} in\n{text}"));
    assert_eq!(count("xiaoer_turns_total{outcome=\"bot\"}"), 1.0);
    assert_eq!(count("xiaoer_turns_total{outcome=\"handoff\"}"), 1.0);
    // Two messages while waiting for a person (the first one noted).
    assert_eq!(count("xiaoer_turns_total{outcome=\"human\"}"), 2.0);
    assert_eq!(count("xiaoer_turn_duration_seconds_count"), 4.0);
    // Every durable answer waited for a group-commit flush.
    let flushes = count("xiaoer_store_flushes_total");
    assert!(flushes >= 1.0, "{text}");
    assert!(count("xiaoer_store_flushed_writes_total") >= 3.0, "{text}");
    assert!(count("xiaoer_store_flush_seconds_total") > 0.0, "{text}");
    assert_eq!(count("xiaoer_store_flush_failures_total"), 0.0);
    // A scrape with nothing written since counts nothing twice.
    let again = scrape(&server);
    for name in [
        "xiaoer_store_flushes_total",
        "xiaoer_store_flushed_writes_total",
        "xiaoer_store_flush_seconds_total",
    ] {
        assert_eq!(series(&again, name), series(&text, name), "{name}");
    }
    assert!(count("xiaoer_turn_duration_seconds_sum") > 0.0);
    assert_eq!(
        count("xiaoer_turn_duration_seconds_bucket{le=\"+Inf\"}"),
        4.0
    );
    assert_eq!(
        count(&format!("xiaoer_intents_total{{intent=\"{intent}\"}}")),
        1.0
    );
    assert!(
        count("xiaoer_angry_messages_total") >= 1.0,
        "the complaint was angry"
    );
    for reason in &reasons {
        assert_eq!(
            count(&format!(
                "xiaoer_handoff_reasons_total{{reason=\"{reason}\"}}"
            )),
            1.0
        );
    }
    assert_eq!(count("xiaoer_turn_errors_total{kind=\"bad_request\"}"), 1.0);
    assert_eq!(
        count("xiaoer_turn_errors_total{kind=\"unknown_conversation\"}"),
        1.0
    );
    // The hand-over is in the queue (live queue or a ticket, as routed).
    let kind = if route == "ticket" || route == "callback" {
        "ticket"
    } else {
        "queued"
    };
    assert_eq!(
        count(&format!(
            "xiaoer_queue_entries{{kind=\"{kind}\",state=\"waiting\"}}"
        )),
        1.0,
        "route {route}"
    );

    // An agent signs in and claims it: the gauges follow at the next scrape.
    let (status, body) = server.put("/api/agent/agents/a1", json!({ "presence": "online" }));
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.post(
        &format!("/api/agent/conversations/{conversation}/claim"),
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(status, 200, "{body}");
    let text = scrape(&server);
    assert_eq!(
        series(&text, "xiaoer_agents{presence=\"online\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        series(
            &text,
            &format!("xiaoer_queue_entries{{kind=\"{kind}\",state=\"claimed\"}}")
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        series(
            &text,
            &format!("xiaoer_queue_entries{{kind=\"{kind}\",state=\"waiting\"}}")
        ),
        Some(0.0),
        "nothing waits any more: 0, not left out"
    );
}

#[test]
fn metrics_want_the_agent_token_when_one_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), Some("s3cret"), None);
    // The test client sends the token: it is accepted.
    let text = scrape(&server);
    assert!(
        text.contains("# TYPE xiaoer_turn_duration_seconds histogram"),
        "{text}"
    );
    let status = ureq::get(format!("{}/metrics", server.base))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 401);
}

#[test]
fn situations_are_counted_by_the_packs_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // C1002's picture books: no scan for 8 days, a lost parcel.
    let c = server.start_conversation("C1002");
    let body = server.say(&c, "我的快递到哪了 E20261111001555");
    assert!(body["handoff"].is_object(), "{body}");
    let text = scrape(&server);
    assert_eq!(
        series(
            &text,
            "xiaoer_handoff_situations_total{code=\"lost_parcel\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        series(&text, "xiaoer_handoff_reasons_total{reason=\"situation\"}"),
        Some(1.0),
        "{text}"
    );
}
