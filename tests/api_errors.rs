//! Bad input gets a clear 4xx with a JSON error, never a panic or a 5xx.

use serde_json::json;

use crate::support::Server;

#[test]
fn bad_requests_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1001");
    let path = format!("/api/conversations/{c}/messages");

    let (status, body) = server.post_raw(&path, "application/json", "{\"text\": ");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("malformed_json")),
        "{body}"
    );

    let (status, body) = server.post_raw(&path, "text/plain", "{\"text\":\"hi\"}");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (415, Some("content_type")),
        "{body}"
    );

    let (status, body) = server.post(&path, json!({ "txt": "hi" }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_fields")),
        "{body}"
    );

    for blank in ["   ", "\u{200b}\u{200b}", "\u{feff} \u{200d}"] {
        let (status, body) = server.post(&path, json!({ "text": blank }));
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("empty_message")),
            "{blank:?}: {body}"
        );
    }

    let (status, body) = server.post(&path, json!({ "text": "好".repeat(2001) }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("message_too_long")),
        "{body}"
    );

    let (status, body) = server.post(&path, json!({ "text": "a".repeat(100_000) }));
    assert_eq!(status, 413, "{body}");

    let (status, body) = server.post("/api/conversations/nope/messages", json!({ "text": "hi" }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("unknown_conversation")),
        "{body}"
    );

    let (status, body) = server.get("/api/conversations/nope/messages");
    assert_eq!(status, 404, "{body}");

    let (status, body) = server.post("/api/conversations", json!({ "customer_id": "C9999" }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("unknown_customer")),
        "{body}"
    );

    let (status, body) = server.post(
        "/api/agent/conversations/nope/claim",
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(status, 404, "{body}");

    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(
        status, 409,
        "claiming a conversation that is not queued: {body}"
    );

    let (status, body) = server.post(
        &format!("/api/agent/conversations/{c}/resolve"),
        json!({ "agent_id": " " }),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("missing_agent")),
        "{body}"
    );

    // After all that, the conversation still works and lost nothing.
    let ok = server.say(&c, "在吗");
    assert_eq!(ok["intent"], "greeting");
    let (_, history) = server.get(&path);
    assert_eq!(
        history["messages"].as_array().unwrap().len(),
        3,
        "greeting, shopper, reply: {history}"
    );
}

/// The requests axum answers by itself (a query that does not parse, a path
/// no route serves, a method a route does not take) get the documented JSON
/// error too, not plain text or an empty body.
#[test]
fn routing_and_query_errors_are_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1001");
    let cases = [
        (
            "GET",
            format!("/api/conversations/{c}/messages?after=abc"),
            400,
            "bad_query",
        ),
        (
            "GET",
            format!("/api/conversations/{c}/events?after=abc"),
            400,
            "bad_query",
        ),
        (
            "GET",
            format!("/api/conversations/{c}/messages?after=-1"),
            400,
            "bad_query",
        ),
        (
            "GET",
            format!("/api/agent/conversations/{c}/events?after=abc"),
            400,
            "bad_query",
        ),
        ("GET", "/api/nope".to_string(), 404, "not_found"),
        (
            "POST",
            "/api/conversations/x/y/z".to_string(),
            404,
            "not_found",
        ),
        ("GET", "/api/agent/nope".to_string(), 404, "not_found"),
        (
            "DELETE",
            format!("/api/conversations/{c}/messages"),
            405,
            "method_not_allowed",
        ),
        (
            "GET",
            "/api/conversations".to_string(),
            405,
            "method_not_allowed",
        ),
        (
            "DELETE",
            "/api/agent/queue".to_string(),
            405,
            "method_not_allowed",
        ),
        (
            "GET",
            "/api/admin/reload".to_string(),
            405,
            "method_not_allowed",
        ),
    ];
    for (method, path, status, code) in cases {
        let (got, content_type, body) = server.call(method, &path);
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {content_type} {body}"
        );
        assert!(
            content_type.starts_with("application/json"),
            "{method} {path}: {content_type}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    // A good query still works.
    let (status, _, body) = server.call("GET", &format!("/api/conversations/{c}/messages?after=0"));
    assert_eq!(status, 200, "{body}");
}

/// Review 6, finding 9: with the embedded shop and a working store the bot
/// is ready.
#[test]
fn readiness_is_ready_with_the_embedded_shop() {
    let dir = tempfile::tempdir().unwrap();
    let server = crate::support::Server::start(dir.path());
    let (status, body) = server.get("/readyz");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready", "{body}");
}
