//! A running server swaps its content pack on request, and refuses a broken
//! one with its errors while the old pack stays in force.

use std::path::Path;

use serde_json::json;

use crate::support::{copy_tree, default_pack_dir, Server};

pub fn set_greeting(pack: &Path, text: &str) {
    let file = pack.join("templates/zh.toml");
    let toml = std::fs::read_to_string(&file).unwrap();
    let line = toml
        .lines()
        .find(|l| l.starts_with("greeting = "))
        .unwrap()
        .to_string();
    std::fs::write(
        &file,
        toml.replace(&line, &format!("greeting = \"{text}\"")),
    )
    .unwrap();
}

fn greeting(server: &Server) -> String {
    let (status, body) = server.post("/api/conversations", json!({ "customer_id": "C1002" }));
    assert_eq!(status, 201);
    body["messages"][0]["text"].as_str().unwrap().to_string()
}

#[test]
fn reload_swaps_a_good_pack_and_refuses_a_broken_one() {
    let data = tempfile::tempdir().unwrap();
    let pack = tempfile::tempdir().unwrap();
    copy_tree(&default_pack_dir(), pack.path());
    let server = Server::start_with(data.path(), Some("t0ken"), Some(pack.path()));
    let before = greeting(&server);

    set_greeting(pack.path(), "双十二快乐!我是店小二。");
    let (status, body) = server.post("/api/admin/reload", json!({}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(greeting(&server), "双十二快乐!我是店小二。");
    assert_ne!(before, "双十二快乐!我是店小二。");

    // Break a flow file: the reload is refused with the file named, and the
    // pack in force stays the one loaded last.
    std::fs::write(
        pack.path().join("flows/greeting.toml"),
        "[[nodes]\nthis is not toml",
    )
    .unwrap();
    let (status, body) = server.post("/api/admin/reload", json!({}));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "pack_refused");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("greeting.toml"),
        "{body}"
    );
    assert_eq!(greeting(&server), "双十二快乐!我是店小二。");
}

/// A pack with several problems is refused with all of them, located, as
/// `xiaoer check` lists them, not the first one and a count.
#[test]
fn a_refused_reload_lists_every_problem() {
    let data = tempfile::tempdir().unwrap();
    let pack = tempfile::tempdir().unwrap();
    copy_tree(&default_pack_dir(), pack.path());
    let server = Server::start_with(data.path(), None, Some(pack.path()));
    for (flow, node) in [("track_package", "orphan"), ("greeting", "orphan2")] {
        let file = pack.path().join(format!("flows/{flow}.toml"));
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            format!("{text}\n[nodes.{node}]\nkind = \"answer\"\nsay = \"no.such.{node}\"\n"),
        )
        .unwrap();
    }
    let (status, body) = server.post("/api/admin/reload", json!({}));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "pack_refused");
    let problems = body["error"]["problems"].as_array().expect("a list");
    assert_eq!(
        problems.len(),
        4,
        "two unreachable nodes, two missing templates: {body}"
    );
    for p in problems {
        let file = p["file"].as_str().unwrap();
        assert!(
            ["flows/track_package.toml", "flows/greeting.toml"].contains(&file),
            "{p}"
        );
        assert!(p["line"].is_u64(), "{p}");
        assert!(p["message"].as_str().is_some_and(|m| !m.is_empty()), "{p}");
    }
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no.such.orphan2")
            && message.contains("no.such.orphan")
            && !message.contains("more"),
        "{message}"
    );
}
