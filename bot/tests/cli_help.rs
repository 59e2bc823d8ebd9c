//! The binary starts and documents its subcommands. (This integration test
//! also makes `cargo test --workspace` build the `xiaoer` binary that the
//! end-to-end tests in the root `tests/` drive.)

use std::process::Command;

#[test]
fn help_lists_every_subcommand() {
    let out = Command::new(env!("CARGO_BIN_EXE_xiaoer"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for sub in ["serve", "import", "classify", "eval", "chat"] {
        assert!(help.contains(sub), "--help does not mention {sub}: {help}");
    }
}

#[test]
fn bad_clock_is_refused_with_an_example() {
    let out = Command::new(env!("CARGO_BIN_EXE_xiaoer"))
        .args(["serve", "--now", "tomorrow", "--data-dir"])
        .arg(std::env::temp_dir().join("xiaoer-never-created"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("2026-11-20T12:00:00+08:00"), "{err}");
}
