//! The real `xiaoer` binary: the stable command-line contract.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{demo_dir, xiaoer_bin, REFERENCE_NOW};

/// Runs the binary with `args` and `stdin`: exit code, stdout, stderr.
pub(crate) fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(xiaoer_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn classify_json_has_the_contract_fields() {
    let (code, out, err) = run(
        &["classify", "--json"],
        "退款什么时候到账?订单E20261111000654\nwhere is my parcel!!!\n",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    for key in [
        "text",
        "intent",
        "confidence",
        "angry",
        "anger",
        "lang",
        "slots",
        "candidates",
    ] {
        assert!(lines[0].get(key).is_some(), "missing {key}: {}", lines[0]);
    }
    assert_eq!(lines[0]["intent"], "refund_status");
    assert_eq!(lines[0]["lang"], "zh");
    assert_eq!(lines[0]["slots"]["order_ids"][0], "E20261111000654");
    assert_eq!(lines[1]["lang"], "en");
    assert_eq!(lines[1]["intent"], "track_package");
}

#[test]
fn chat_json_prints_one_line_per_shopper_line() {
    let input = "在吗\n订单E20261111000456能取消吗\n\n我要投诉!!!气死了\n";
    let (code, out, err) = run(
        &[
            "chat",
            "--customer",
            "C1002",
            "--now",
            REFERENCE_NOW,
            "--json",
        ],
        input,
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0]["intent"], "greeting");
    assert!(lines[0]["handoff"].is_null());
    assert_eq!(lines[1]["intent"], "cancel_order");
    assert!(
        lines[1]["reply"].as_str().unwrap().contains("299"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2]["error"].as_str().unwrap().contains("empty"),
        "{}",
        lines[2]
    );
    assert!(lines[3]["handoff"]["reason"].is_string(), "{}", lines[3]);
    for key in [
        "reply",
        "intent",
        "confidence",
        "angry",
        "handoff",
        "buttons",
    ] {
        assert!(lines[1].get(key).is_some(), "missing {key}");
    }
}

#[test]
fn chat_from_a_pipe_echoes_each_shopper_line_before_its_answer() {
    let (code, out, err) = run(
        &["chat", "--customer", "C1001", "--now", REFERENCE_NOW],
        "在吗\n我的快递到哪了?订单E20261111000123\n",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?}:\n{out}"))
    };
    let first = at("you> 在吗");
    let second = at("you> 我的快递到哪了");
    let answer = at("bot> 订单 E20261111000123");
    let facts = at("      [track_package");
    assert!(first < second && second < facts && facts < answer, "{out}");
    // The greeting comes first, before any shopper line.
    assert!(lines[0].starts_with("bot> "), "{out}");
}

#[test]
fn chat_with_import_uses_that_shop() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("customers.jsonl"), r#"{"customer_id":"X1","name":"测试","tier":"normal","phone":"13800000000","language":"zh"}"#).unwrap();
    std::fs::write(dir.path().join("orders.jsonl"), "").unwrap();
    let (code, out, err) = run(
        &[
            "chat",
            "--customer",
            "X1",
            "--import",
            dir.path().to_str().unwrap(),
            "--json",
        ],
        "在吗\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);
    let (code, _, err) = run(
        &[
            "chat",
            "--customer",
            "C1001",
            "--import",
            dir.path().to_str().unwrap(),
        ],
        "在吗\n",
    );
    assert_ne!(code, 0, "C1001 is not in the imported shop");
    assert!(err.contains("C1001"), "{err}");
}

#[test]
fn import_loads_the_fixtures_and_refuses_a_broken_file() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let (code, out, err) = run(
        &[
            "import",
            demo_dir().to_str().unwrap(),
            "--data-dir",
            data_dir,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("6 customers and 13 orders"), "{out}");

    let broken = tempfile::tempdir().unwrap();
    std::fs::copy(
        demo_dir().join("customers.jsonl"),
        broken.path().join("customers.jsonl"),
    )
    .unwrap();
    std::fs::write(broken.path().join("orders.jsonl"), "{\"order_id\": 12\n").unwrap();
    let (code, _, err) = run(
        &[
            "import",
            broken.path().to_str().unwrap(),
            "--data-dir",
            data_dir,
        ],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("orders.jsonl line 1"), "{err}");
    // serde's own "at line 1 column …" is not said a second time.
    assert!(!err.contains("at line"), "{err}");
    assert!(err.contains("(column "), "{err}");
}

#[test]
fn a_bad_clock_setting_names_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shop.toml");
    std::fs::write(&config, "now = \"yesterday\"\n").unwrap();
    let (code, _, err) = run(&["chat", "--config", config.to_str().unwrap()], "");
    assert_ne!(code, 0);
    assert!(err.contains("`now` in the config file"), "{err}");
    let (code, _, err) = run(&["chat", "--now", "tomorrow"], "");
    assert_ne!(code, 0);
    assert!(err.contains("--now"), "{err}");
}

#[test]
fn eval_json_reports_the_contract_figures() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("set.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"text\": \"在吗\", \"intent\": \"greeting\", \"angry\": false, \"lang\": \"zh\"}\n",
            "{\"text\": \"我要投诉!!!气死了\", \"intent\": \"complaint\", \"angry\": true, \"lang\": \"zh\"}\n",
            "{\"text\": \"thanks a lot\", \"intent\": \"thanks\", \"lang\": \"en\"}\n",
            "{\"text\": \"this is ridiculous!!!\", \"angry\": true, \"lang\": \"en\"}\n",
        ),
    )
    .unwrap();
    let (code, out, err) = run(&["eval", file.to_str().unwrap(), "--json"], "");
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["n"], 4);
    assert_eq!(v["n_intent"], 3);
    assert_eq!(v["n_anger"], 3);
    for key in ["accuracy", "macro_f1", "anger_precision", "anger_recall"] {
        let x = v[key].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&x), "{key} = {x}");
    }
}

#[test]
fn a_handoff_made_in_chat_is_in_the_persistent_queue() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let (code, out, err) = run(
        &[
            "chat",
            "--customer",
            "C1001",
            "--data-dir",
            data_dir,
            "--now",
            REFERENCE_NOW,
            "--json",
        ],
        "转人工\n",
    );
    assert_eq!(code, 0, "{err}");
    let turn: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(turn["handoff"]["reason"], "asked_for_human", "{turn}");

    let (code, out, err) = run(&["queue", "--data-dir", data_dir, "--json"], "");
    assert_eq!(code, 0, "{err}");
    let entries: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 1, "{out}");
    let e = &entries[0];
    assert_eq!(e["customer_id"], "C1001");
    // Nobody is signed in at the desk: a ticket, not a dead queue.
    assert_eq!(e["kind"], "ticket");
    assert_eq!(e["reasons"][0]["kind"], "asked_for_human");
    assert!(
        e["priority"].is_i64()
            && e["waiting_since"].is_string()
            && e["conversation_id"].is_string()
    );
}

#[test]
fn queue_reads_an_existing_store_and_creates_none() {
    // A store with nobody waiting: the shop imported, no hand-over yet.
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let demo = demo_dir();
    let (code, _, err) = run(
        &["import", demo.to_str().unwrap(), "--data-dir", data_dir],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["queue", "--data-dir", data_dir], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "nobody is waiting");

    // A mistyped --data-dir: an error naming it, and no directory appears.
    let typo = data.path().join("xiaoer-dta");
    let (code, out, err) = run(&["queue", "--data-dir", typo.to_str().unwrap()], "");
    assert_ne!(code, 0, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("no data dir") && err.contains("xiaoer-dta"),
        "{err}"
    );
    assert!(!typo.exists(), "queue created {}", typo.display());

    // A directory that holds no store (here: an empty one) stays empty.
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        &[
            "queue",
            "--json",
            "--data-dir",
            empty.path().to_str().unwrap(),
        ],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("no store in"), "{err}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);

    // Without --data-dir, from a folder with no ./xiaoer-data.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(xiaoer_bin())
        .arg("queue")
        .env_remove("XIAOER_DATA_DIR")
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("xiaoer-data"));
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn check_passes_the_default_pack_and_lists_problems_of_a_broken_one() {
    let (code, out, err) = run(&["check"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("pack OK:"), "{out}");

    let pack = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&crate::support::default_pack_dir(), pack.path());
    let flow = pack.path().join("flows/track_package.toml");
    let text = std::fs::read_to_string(&flow).unwrap();
    std::fs::write(
        &flow,
        format!("{text}\n[nodes.orphan]\nkind = \"answer\"\nsay = \"no.such.template\"\n"),
    )
    .unwrap();
    let (code, out, _) = run(&["check", pack.path().to_str().unwrap()], "");
    assert_eq!(code, 1, "{out}");
    let problems: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        problems.iter().all(|l| l.contains(".toml")),
        "every problem names its file: {out}"
    );
    assert!(
        problems
            .iter()
            .any(|l| l.starts_with("flows/track_package.toml:") && l.contains("unreachable")),
        "{out}"
    );
    assert!(
        problems.iter().any(|l| l.contains("no.such.template")),
        "{out}"
    );
}

#[test]
fn a_failing_command_prints_one_error_line_and_no_backtrace() {
    // A merchant's shell may export RUST_BACKTRACE; the error must still be one
    // readable line with its cause, and the exit status 1.
    let out = Command::new(xiaoer_bin())
        .args(["eval", "/nonexistent/labelled.jsonl"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("/nonexistent/labelled.jsonl"), "{err}");
    assert!(!err.contains("backtrace"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn serve_takes_a_pinned_or_a_running_clock_not_both() {
    let (code, _, stderr) = run(
        &[
            "serve",
            "--now",
            "2026-11-20T12:00:00+08:00",
            "--start",
            "2026-11-20T09:00:00+08:00",
        ],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--now") && stderr.contains("--start"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["serve", "--start", "next tuesday"], "");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("next tuesday"), "{stderr}");
}

#[test]
fn a_config_out_of_range_is_refused_and_a_skill_typo_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("xiaoer.toml");
    std::fs::write(&config, "[handoff]\nanger_threshold = 6\n").unwrap();
    let (code, _, err) = run(
        &[
            "chat",
            "--config",
            config.to_str().unwrap(),
            "--now",
            REFERENCE_NOW,
        ],
        "在吗\n",
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("xiaoer.toml")
            && err.contains("`handoff.anger_threshold` = 6 is outside the allowed range 0 to 1"),
        "{err}"
    );

    std::fs::write(&config, "[desk.skills]\nrefunds = [\"refnd_*\"]\n").unwrap();
    let (code, out, err) = run(
        &[
            "chat",
            "--config",
            config.to_str().unwrap(),
            "--now",
            REFERENCE_NOW,
            "--json",
        ],
        "在吗\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        err.contains("desk.skills.refunds: `refnd_*` matches no intent"),
        "{err}"
    );
}

/// Review 6, finding 17: a log that does not go to a terminal carries no
/// colour codes, even without NO_COLOR.
#[test]
fn logs_to_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("x.toml");
    // A typo in an intent list: a warning in the log at start.
    std::fs::write(&config, "[handoff]\nrepeat_exempt = [\"greting\"]\n").unwrap();
    let out = Command::new(xiaoer_bin())
        .args(["chat", "--now", REFERENCE_NOW, "--config"])
        .arg(&config)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("greting"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "colour codes in a piped log: {err:?}"
    );
}
