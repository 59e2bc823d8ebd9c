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

    let (status, body) = server.post(&path, json!({ "text": "   " }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("empty_message")),
        "{body}"
    );

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
