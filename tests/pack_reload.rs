//! A running server swaps its content pack on request, and refuses a broken
//! one with its errors while the old pack stays in force.

use std::path::Path;

use serde_json::json;

use crate::support::{copy_tree, default_pack_dir, Server};

fn set_greeting(pack: &Path, text: &str) {
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
