//! The store as a whole: round trips, restarts, unknown ids, concurrency,
//! a shared database.

use std::collections::BTreeSet;

use dialogs::DialogState;
use handoff::{Author, ConvStatus, Error, NewMessage, Reason, Store};
use intents::{Lang, Script};

use crate::support::{at, bare_context, ids, open, said};

#[test]
fn store_is_send_and_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Store>();
    assert_send_sync::<handoff::QueueEntry>();
    assert_send_sync::<handoff::Context>();
}

#[test]
fn a_conversation_opens_with_the_dialog_state_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let opened = DialogState {
        lang: Some((Lang::Zh, Script::Traditional)),
        ..DialogState::default()
    };
    let id = {
        let store = open(&dir);
        let c = store
            .open_conversation("C1003", Lang::Zh, opened.clone(), at(0))
            .unwrap();
        assert_eq!(c.dialog, opened);
        c.id
    };
    let store = open(&dir);
    let c = store.conversation(&id).unwrap().unwrap();
    assert_eq!((c.lang, c.dialog), (Lang::Zh, opened));
}

#[test]
fn conversations_and_messages_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let c = store.create_conversation("C1001", Lang::Zh, at(0)).unwrap();
    assert_eq!(c.id.len(), 32);
    assert!(c.id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(c.status, ConvStatus::Bot);
    assert_eq!(store.conversation(&c.id).unwrap(), Some(c.clone()));

    let state = DialogState {
        current_order: Some("E20261111000123".to_owned()),
        ..DialogState::default()
    };
    store.save_dialog_state(&c.id, &state, 2).unwrap();
    let saved = store.conversation(&c.id).unwrap().unwrap();
    assert_eq!((saved.dialog, saved.not_understood_streak), (state, 2));

    for (i, text) in ["在吗", "我的快递到哪了", "谢谢"].iter().enumerate() {
        let m = store.append(&c.id, said(i as i64, text)).unwrap();
        assert_eq!(m.seq, i as u64 + 1);
        assert_eq!(m.text, *text);
    }
    let agent = NewMessage {
        author: Author::Agent {
            agent_id: "A7".to_owned(),
        },
        ..said(9, "您好,我是客服小王")
    };
    assert_eq!(
        store.append(&c.id, agent.clone()).unwrap().author,
        agent.author
    );
    let all = store.messages(&c.id, 0).unwrap();
    assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(store.messages(&c.id, 2).unwrap().len(), 2);
    assert!(store.messages(&c.id, 4).unwrap().is_empty());
    assert!(store.messages(&c.id, u64::MAX).unwrap().is_empty());

    let other = store.create_conversation("C1002", Lang::En, at(5)).unwrap();
    assert_ne!(other.id, c.id);
    assert!(store.messages(&other.id, 0).unwrap().is_empty());
}

#[test]
fn unknown_ids_are_error_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let missing = "0123456789abcdef0123456789abcdef";
    for id in [missing, "", "C1001", "../../etc"] {
        assert!(store.conversation(id).unwrap().is_none());
        assert!(store.entry(id).unwrap().is_none());
        assert!(store.context(id).unwrap().is_none());
        let unknown = |e: Error| matches!(e, Error::UnknownConversation { .. });
        assert!(unknown(store.append(id, said(0, "hi")).unwrap_err()));
        assert!(unknown(store.messages(id, 0).unwrap_err()));
        assert!(unknown(
            store
                .save_dialog_state(id, &DialogState::default(), 0)
                .unwrap_err()
        ));
        assert!(unknown(
            store
                .enqueue(id, vec![], 0, bare_context(id), at(0))
                .unwrap_err()
        ));
        assert!(unknown(store.claim(id, "A1", at(0)).unwrap_err()));
        assert!(unknown(store.resolve(id, "A1", at(0)).unwrap_err()));
    }
}

#[test]
fn everything_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let a = store.create_conversation("C1001", Lang::Zh, at(0)).unwrap();
    let b = store.create_conversation("C1004", Lang::En, at(1)).unwrap();
    store.append(&a.id, said(2, "转人工")).unwrap();
    store.append(&b.id, said(3, "where is my parcel")).unwrap();
    store
        .save_dialog_state(&b.id, &DialogState::default(), 1)
        .unwrap();
    store
        .enqueue(
            &a.id,
            vec![Reason::AskedForHuman],
            60,
            bare_context(&a.id),
            at(4),
        )
        .unwrap();
    store
        .enqueue(
            &b.id,
            vec![Reason::Complaint],
            40,
            bare_context(&b.id),
            at(5),
        )
        .unwrap();
    store.claim(&b.id, "A7", at(6)).unwrap();
    let before = (
        store.conversation(&a.id).unwrap(),
        store.conversation(&b.id).unwrap(),
        store.messages(&a.id, 0).unwrap(),
        store.messages(&b.id, 0).unwrap(),
        ids(&store),
        store.entry(&b.id).unwrap().unwrap().state,
    );
    drop(store);

    let store = open(&dir);
    let after = (
        store.conversation(&a.id).unwrap(),
        store.conversation(&b.id).unwrap(),
        store.messages(&a.id, 0).unwrap(),
        store.messages(&b.id, 0).unwrap(),
        ids(&store),
        store.entry(&b.id).unwrap().unwrap().state,
    );
    assert_eq!(before, after);
    assert_eq!(after.4, std::slice::from_ref(&a.id));
    // Seqs continue where they stopped.
    assert_eq!(store.append(&a.id, said(7, "人呢")).unwrap().seq, 2);
}

#[test]
fn concurrent_appends_get_gapless_increasing_seqs_that_survive_a_restart() {
    const THREADS: usize = 8;
    const EACH: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let convs: Vec<String> = (0..2)
        .map(|_| {
            store
                .create_conversation("C1001", Lang::Zh, at(0))
                .unwrap()
                .id
        })
        .collect();
    let per_thread: Vec<Vec<(usize, u64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (store, convs) = (store.clone(), &convs);
                s.spawn(move || {
                    let mut seen = Vec::new();
                    for i in 0..EACH {
                        let c = (t + i) % convs.len();
                        let m = store
                            .append(&convs[c], said(i as i64, &format!("{t}/{i}")))
                            .unwrap();
                        seen.push((c, m.seq));
                    }
                    seen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for seen in &per_thread {
        for c in 0..convs.len() {
            let mine: Vec<u64> = seen.iter().filter(|s| s.0 == c).map(|s| s.1).collect();
            assert!(
                mine.windows(2).all(|w| w[0] < w[1]),
                "one writer's seqs increase"
            );
        }
    }
    let before: Vec<_> = convs
        .iter()
        .map(|c| store.messages(c, 0).unwrap())
        .collect();
    drop(store);
    let store = open(&dir);
    let mut texts = BTreeSet::new();
    for (c, id) in convs.iter().enumerate() {
        let messages = store.messages(id, 0).unwrap();
        assert_eq!(messages, before[c]);
        let seqs: Vec<u64> = messages.iter().map(|m| m.seq).collect();
        let want: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, want, "no gap, no duplicate");
        texts.extend(messages.into_iter().map(|m| m.text));
    }
    assert_eq!(texts.len(), THREADS * EACH, "every append is there");
}

#[test]
fn a_shared_database_keeps_its_other_trees() {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    db.open_tree("shop/orders")
        .unwrap()
        .insert("E1", "order")
        .unwrap();
    let store = Store::from_db(db.clone()).unwrap();
    let id = store
        .create_conversation("C1001", Lang::Zh, at(0))
        .unwrap()
        .id;
    store.append(&id, said(1, "hi")).unwrap();
    let names: Vec<String> = db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| n != "__sled__default")
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("handoff/") || n == "shop/orders"),
        "{names:?}"
    );
    assert_eq!(db.open_tree("shop/orders").unwrap().len(), 1);
    assert!(db.is_empty(), "the default tree is left to its owner");
    drop(store);
}
