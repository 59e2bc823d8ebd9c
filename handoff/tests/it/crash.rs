//! Acknowledged writes survive a crash: a child process writes, reports each
//! acknowledged write, and aborts without any clean shutdown (sled's `Drop`
//! never runs); the parent reopens the store and finds every one.

use std::io::Write;
use std::process::Command;

use dialogs::DialogState;
use handoff::{ConvStatus, EntryKind, EntryState, HandoffRecord, Reason, Store, TurnRecord};
use intents::Lang;

use crate::support::{at, bare_context, said};

/// Set in the child process: the store directory to write into.
const CHILD: &str = "HANDOFF_CRASH_TEST_DIR";
const TEST: &str = "crash::acknowledged_writes_survive_a_crash";

#[test]
fn acknowledged_writes_survive_a_crash() {
    if let Some(dir) = std::env::var_os(CHILD) {
        write_then_abort(std::path::Path::new(&dir));
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child must die, not exit");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let acks: Vec<Vec<&str>> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ack "))
        .map(|l| l.split(' ').collect())
        .collect();
    assert!(acks.len() > 100, "the child reported its writes:\n{stdout}");

    let store = Store::open(dir.path()).unwrap();
    for ack in acks {
        match ack.as_slice() {
            ["created", id] => assert!(store.conversation(id).unwrap().is_some()),
            ["message", id, seq] => {
                let seq: u64 = seq.parse().unwrap();
                let got = store.messages(id, seq - 1).unwrap();
                assert_eq!(
                    got.first().map(|m| m.seq),
                    Some(seq),
                    "message {seq} of {id}"
                );
            }
            ["turn", id, seq, streak] => {
                // A whole bot turn: both messages and the dialog state.
                let seq: u64 = seq.parse().unwrap();
                let got = store.messages(id, seq - 2).unwrap();
                let seqs: Vec<u64> = got.iter().take(2).map(|m| m.seq).collect();
                assert_eq!(seqs, [seq - 1, seq], "turn ending at {seq} of {id}");
                let c = store.conversation(id).unwrap().unwrap();
                let streak: u32 = streak.parse().unwrap();
                // A later turn may have moved it on; a handoff resets it.
                if c.status != ConvStatus::Queued {
                    assert!(c.not_understood_streak >= streak, "dialog state of {id}");
                }
            }
            ["queued", id] => {
                let c = store.conversation(id).unwrap().unwrap();
                assert!(c.status != ConvStatus::Bot, "{id} was handed over");
                assert!(store.entry(id).unwrap().is_some());
            }
            ["claimed", id] => {
                let c = store.conversation(id).unwrap().unwrap();
                assert_eq!(
                    c.status,
                    ConvStatus::WithAgent {
                        agent_id: "A1".to_owned()
                    }
                );
                let state = store.entry(id).unwrap().unwrap().state;
                assert!(matches!(state, EntryState::Claimed { .. }));
            }
            other => panic!("unexpected report {other:?}"),
        }
    }
}

/// The child's side: every line is printed only after the write returned.
fn write_then_abort(dir: &std::path::Path) -> ! {
    let store = Store::open(dir).unwrap();
    let mut out = std::io::stdout().lock();
    for c in 0..4 {
        let id = store
            .create_conversation("C1001", Lang::Zh, at(0))
            .unwrap()
            .id;
        writeln!(out, "ack created {id}").unwrap();
        for i in 0..30 {
            let m = store.append(&id, said(i, "快递到哪了")).unwrap();
            writeln!(out, "ack message {id} {}", m.seq).unwrap();
        }
        for i in 0..20u32 {
            let turn = TurnRecord {
                messages: vec![said(100, "在吗"), said(100, "您好")],
                dialog: Some((DialogState::default(), i + 1)),
                handoff: None,
            };
            let recorded = store.record_turn(&id, turn).unwrap();
            let last = recorded.messages.last().unwrap().seq;
            writeln!(out, "ack turn {id} {last} {}", i + 1).unwrap();
        }
        if c == 1 {
            let turn = TurnRecord {
                messages: vec![said(120, "转人工")],
                dialog: Some((DialogState::default(), 0)),
                handoff: Some(HandoffRecord {
                    kind: EntryKind::Queued,
                    reasons: vec![Reason::AskedForHuman],
                    priority: 5,
                    context: bare_context(&id),
                    now: at(120),
                }),
            };
            store.record_turn(&id, turn).unwrap();
            writeln!(out, "ack queued {id}").unwrap();
        }
        if c % 2 == 0 {
            store
                .enqueue(
                    &id,
                    vec![Reason::AskedForHuman],
                    10,
                    bare_context(&id),
                    at(40),
                )
                .unwrap();
            store.claim(&id, "A1", at(41)).unwrap();
            writeln!(out, "ack claimed {id}").unwrap();
        }
        out.flush().unwrap();
    }
    std::process::abort();
}
