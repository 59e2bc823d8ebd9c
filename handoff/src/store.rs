//! Durable conversations, messages and the agents' queue, in sled.
//!
//! Layout (named trees, so the bot can share its `sled::Db`):
//! - `handoff/conversations`: id → the conversation's head: its
//!   [`Conversation`] and last message seq (see `head` for the encoding)
//! - `handoff/seqs`: id → last message seq (u64, big-endian), only for
//!   conversations written by the first layout, whose head lacks it
//! - `handoff/messages`: id ++ seq (big-endian) → the message with that seq
//!   ([`Message`] as JSON), or a record of a turn's messages from that seq
//!   on (a tag byte, then the messages in a compact binary form; see
//!   `messages`). A seq above the head's is not part of the conversation
//! - `handoff/queue`: id → [`QueueEntry`] (JSON, transcript left out)
//! - `handoff/waiting`: priority desc ++ since asc ++ arrival asc ++ id → id,
//!   exactly the waiting entries, so [`Store::queue`] is one ordered scan
//!   (an index from before `arrival` was in its keys is rebuilt at open)
//!
//! Two ways to write, both atomic and both durable before a method returns
//! (see `flusher`):
//! - The hot path (messages, a bot turn that stays with the bot, the dialog
//!   state) writes the messages, then commits by swapping the head. No sled
//!   transaction: in sled 0.34 every transaction takes a process-wide
//!   exclusive lock that also waits for any flush in progress, which
//!   serialised all turns behind the disk.
//! - Whatever touches the queue (enqueue, claim, resolve, a turn that hands
//!   over) is rare and spans trees: one sled transaction.
//!
//! Writes to one conversation take its stripe lock, so a plain write never
//! interleaves with another write of the same conversation. The locks live
//! in the `Store`: open one `Store` per database (clones share it).

mod flusher;
mod head;
mod keys;
mod messages;
mod queue;
mod turn;

pub use flusher::{FlushStats, Pending};
use messages::append_tx;
pub use turn::{HandoffRecord, RecordedTurn, TurnRecord};

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use dialogs::{DialogState, Time};
use intents::Lang;
use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, TransactionError,
    TransactionResult, TransactionalTree,
};

use crate::{ConvStatus, Conversation, Error, Message, NewMessage};
use flusher::Flusher;
use head::Head;

const CONVERSATIONS: &str = "handoff/conversations";
const SEQS: &str = "handoff/seqs";
const MESSAGES: &str = "handoff/messages";
const QUEUE: &str = "handoff/queue";
const WAITING: &str = "handoff/waiting";

/// Conversations, their messages and the queue, persisted in sled.
///
/// Cheap to clone (an `Arc` inside) and safe to share between threads. Every
/// write method returns only once its change is on disk; concurrent writers
/// share flushes (group commit). The flusher thread stops when the last clone
/// is dropped.
///
/// Methods block: a write waits for its flush (about 0.2 ms alone, a few ms
/// under heavy concurrency). In async code call them from `spawn_blocking`,
/// or use the `write_*` methods, which return a [`Pending`] to `.await`.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    conversations: sled::Tree,
    seqs: sled::Tree,
    messages: sled::Tree,
    queue: sled::Tree,
    waiting: sled::Tree,
    flusher: Flusher,
    /// Heads decoded lately (see `head::Decoded`).
    decoded: head::Decoded,
    /// Writes of one conversation run one at a time (see the module doc).
    stripes: Box<[Mutex<()>]>,
    /// The next queue entry's order of arrival (`QueueEntry::arrival`).
    arrivals: std::sync::atomic::AtomicU64,
}

const STRIPES: usize = 1024;

impl Inner {
    /// The order of arrival for a new queue entry: one more than any given.
    fn next_arrival(&self) -> u64 {
        self.arrivals
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    fn stripe(&self, id: &str) -> MutexGuard<'_, ()> {
        // The lock guards no data (that is in sled), so a panic elsewhere
        // leaves nothing broken behind.
        self.stripes[keys::spread(id) % STRIPES]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The last seq of a first-layout conversation.
    fn legacy_seq(&self, id: &str) -> Result<u64, Error> {
        match self.seqs.get(id)? {
            Some(bytes) => seq_value(id, &bytes),
            None => Ok(0),
        }
    }

    /// Stores `messages` (consecutive seqs after the head's) as one value
    /// under the first one's key: one sled insert per turn instead of one
    /// per message. Not committed until the head says so.
    ///
    /// Invariant: every `messages` key up to the head's seq starts a
    /// record, so a reader finds the record of any seq by the last key at
    /// or before it. Keys above the head are what a turn that never
    /// committed left (or nothing); the ones inside this record are
    /// removed (a no-op lookup when there are none, as almost always).
    fn write_record(&self, id: &str, messages: &[Message]) -> Result<(), Error> {
        let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
            return Ok(());
        };
        let value = messages::encode_record(messages)?;
        self.messages.insert(keys::message(id, first.seq), value)?;
        for seq in first.seq + 1..=last.seq {
            self.messages.remove(keys::message(id, seq))?;
        }
        Ok(())
    }

    /// The conversation's last message seq, if it exists.
    fn last_seq(&self, id: &str) -> Result<Option<u64>, Error> {
        let Some(raw) = self.conversations.get(id)? else {
            return Ok(None);
        };
        match Head::parse(id, &raw)?.last_seq {
            Some(seq) => Ok(Some(seq)),
            None => self.legacy_seq(id).map(Some),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) a store of its own in `dir`.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        Store::from_db(open_db(dir)?)
    }

    /// Uses the `handoff/…` trees of a database shared with other owners.
    pub fn from_db(db: sled::Db) -> Result<Store, Error> {
        let inner = Inner {
            conversations: db.open_tree(CONVERSATIONS)?,
            seqs: db.open_tree(SEQS)?,
            messages: db.open_tree(MESSAGES)?,
            queue: db.open_tree(QUEUE)?,
            waiting: db.open_tree(WAITING)?,
            flusher: Flusher::start(db)?,
            decoded: head::Decoded::new(),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            arrivals: std::sync::atomic::AtomicU64::new(1),
        };
        let store = Store {
            inner: Arc::new(inner),
        };
        store.index_arrivals()?;
        Ok(store)
    }

    /// Opens a conversation with the bot, under a fresh unguessable id, with
    /// a fresh dialog state.
    pub fn create_conversation(
        &self,
        customer_id: &str,
        lang: Lang,
        now: Time,
    ) -> Result<Conversation, Error> {
        self.open_conversation(customer_id, lang, DialogState::default(), now)
    }

    /// [`create_conversation`](Store::create_conversation) with the dialog
    /// state it starts from (the bot's: the language and script of the
    /// customer's profile, `DialogState::opened_in`), in the same write.
    pub fn open_conversation(
        &self,
        customer_id: &str,
        lang: Lang,
        dialog: DialogState,
        now: Time,
    ) -> Result<Conversation, Error> {
        loop {
            let conversation = Conversation {
                id: keys::new_conversation_id()?,
                customer_id: customer_id.to_owned(),
                lang,
                created_at: now,
                status: ConvStatus::Bot,
                dialog: dialog.clone(),
                not_understood_streak: 0,
            };
            let value = head::to_bytes(&conversation, 0)?;
            let swapped = self.inner.conversations.compare_and_swap(
                conversation.id.as_bytes(),
                None as Option<&[u8]>,
                Some(value),
            )?;
            // A collision of 128 random bits means a broken random source;
            // drawing again is still the right answer.
            if swapped.is_ok() {
                self.inner.flusher.durable()?;
                tracing::debug!(conversation = %conversation.id, "conversation opened");
                return Ok(conversation);
            }
        }
    }

    /// The group commit's work so far (flushes, writes they covered, time
    /// spent, failures), for monitoring.
    pub fn flush_stats(&self) -> FlushStats {
        self.inner.flusher.stats()
    }

    /// The conversation, if the id names one.
    pub fn conversation(&self, id: &str) -> Result<Option<Conversation>, Error> {
        match self.inner.conversations.get(id)? {
            Some(raw) => self.inner.decoded.conversation(id, &raw).map(Some),
            None => Ok(None),
        }
    }

    /// Saves the dialog engine's state and the fallback streak after a turn.
    pub fn save_dialog_state(
        &self,
        id: &str,
        state: &DialogState,
        not_understood_streak: u32,
    ) -> Result<(), Error> {
        self.write_plain(id, Vec::new(), Some((state, not_understood_streak)))?;
        self.inner.flusher.durable()
    }

    /// Appends `messages` and maybe sets the dialog state without a sled
    /// transaction: the messages first, then the head that commits them
    /// (see `head`). Not yet durable.
    fn write_plain(
        &self,
        id: &str,
        messages: Vec<NewMessage>,
        dialog: Option<(&DialogState, u32)>,
    ) -> Result<Vec<Message>, Error> {
        let inner = &*self.inner;
        let _writing = inner.stripe(id);
        let mut stored: Vec<Message> = messages.into_iter().map(|m| Message::new(0, m)).collect();
        loop {
            let Some(raw) = inner.conversations.get(id)? else {
                return Err(unknown(id));
            };
            let head = Head::parse(id, &raw)?;
            let last = match head.last_seq {
                Some(seq) => seq,
                None => inner.legacy_seq(id)?,
            };
            for (message, seq) in stored.iter_mut().zip(last + 1..) {
                message.seq = seq;
            }
            inner.write_record(id, &stored)?;
            let value = sled::IVec::from(head.with(id, last + stored.len() as u64, dialog)?);
            // Under the stripe nobody else writes this head; the swap still
            // checks, and a lost race simply writes again.
            let swapped =
                inner
                    .conversations
                    .compare_and_swap(id, Some(&raw), Some(value.clone()))?;
            if swapped.is_ok() {
                inner.decoded.replaced(id, &raw, &value, dialog);
                return Ok(stored);
            }
        }
    }
}

/// How long [`open_db`] waits for a lock that a just-closed database still holds.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Opens (or creates) the sled database in `dir`, waiting up to 5 s while
/// its lock is held, then failing with [`Error::InUse`].
///
/// sled 0.34 finishes a closed database's last writes on background threads
/// that keep its lock for a moment after the last handle is dropped, so a
/// restart that reopens at once would otherwise fail now and then. A lock
/// held longer means another process uses the directory.
pub fn open_db(dir: &Path) -> Result<sled::Db, Error> {
    open_db_waiting(dir, LOCK_WAIT)
}

fn open_db_waiting(dir: &Path, wait: Duration) -> Result<sled::Db, Error> {
    let deadline = Instant::now() + wait;
    loop {
        match sled::Config::new().path(dir).open() {
            Err(sled::Error::Io(e)) if is_lock_conflict(&e) => {
                if Instant::now() >= deadline {
                    return Err(Error::InUse {
                        dir: dir.to_path_buf(),
                    });
                }
                // Nothing announces the release (another thread's or
                // process's file handle), so poll.
                std::thread::sleep(Duration::from_millis(10));
            }
            opened => return Ok(opened?),
        }
    }
}

/// sled 0.34 reports a held lock only through this message.
fn is_lock_conflict(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Other && e.to_string().starts_with("could not acquire lock")
}

type TxResult<T> = ConflictableTransactionResult<T, Error>;

/// Unwraps a transaction's outcome into the crate's error.
fn finish<T>(result: TransactionResult<T, Error>) -> Result<T, Error> {
    result.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => Error::Storage(e),
    })
}

fn abort<T>(error: Error) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(error))
}

fn unknown(id: &str) -> Error {
    Error::UnknownConversation {
        conversation_id: id.to_owned(),
    }
}

/// The conversation and its last message seq, inside a transaction.
fn read_conversation(
    conversations: &TransactionalTree,
    seqs: &TransactionalTree,
    id: &str,
) -> TxResult<(Conversation, u64)> {
    let Some(raw) = conversations.get(id)? else {
        return abort(unknown(id));
    };
    let head = Head::parse(id, &raw).or_else(abort)?;
    let conversation = head.conversation(id).or_else(abort)?;
    let last = match head.last_seq {
        Some(seq) => seq,
        None => match seqs.get(id)? {
            Some(bytes) => seq_value(id, &bytes).or_else(abort)?,
            None => 0,
        },
    };
    Ok((conversation, last))
}

/// Writes the conversation's head inside a transaction.
fn write_conversation(
    conversations: &TransactionalTree,
    conversation: &Conversation,
    last_seq: u64,
) -> TxResult<()> {
    let value = head::to_bytes(conversation, last_seq).or_else(abort)?;
    conversations.insert(conversation.id.as_bytes(), value)?;
    Ok(())
}

fn seq_value(id: &str, bytes: &[u8]) -> Result<u64, Error> {
    match <[u8; 8]>::try_from(bytes) {
        Ok(be) => Ok(u64::from_be_bytes(be)),
        Err(_) => Err(Error::Corrupt {
            what: "message counter",
            key: id.to_owned(),
            reason: "not an 8-byte number".to_owned(),
        }),
    }
}

fn write<T: Serialize>(
    tx: &TransactionalTree,
    key: &str,
    what: &'static str,
    value: &T,
) -> TxResult<()> {
    let bytes = encode(what, value).or_else(abort)?;
    tx.insert(key.as_bytes(), bytes)?;
    Ok(())
}

fn encode<T: Serialize>(what: &'static str, value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|source| Error::Encode { what, source })
}

fn decode<T: DeserializeOwned>(what: &'static str, key: &str, bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Corrupt {
        what,
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Author;

    fn at() -> Time {
        Time::parse_from_rfc3339("2026-11-20T12:00:00+08:00").unwrap()
    }

    fn said(text: &str) -> NewMessage {
        NewMessage {
            at: at(),
            author: Author::Shopper,
            text: text.to_owned(),
            buttons: Vec::new(),
            turn: None,
        }
    }

    /// A store in `dir` with one new conversation of C1001's.
    fn with_conversation(dir: &Path) -> (Store, String) {
        let store = Store::open(dir).unwrap();
        let id = store
            .create_conversation("C1001", Lang::Zh, at())
            .unwrap()
            .id;
        (store, id)
    }

    fn texts(store: &Store, id: &str) -> Vec<(u64, String)> {
        let messages = store.messages(id, 0).unwrap();
        messages.into_iter().map(|m| (m.seq, m.text)).collect()
    }

    #[test]
    fn messages_above_the_head_are_not_read_and_are_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = with_conversation(dir.path());
        store.append(&id, said("one")).unwrap();
        // What a crash between a turn's messages and its head leaves.
        let cut = encode("message", &Message::new(2, said("cut short"))).unwrap();
        store
            .inner
            .messages
            .insert(keys::message(&id, 2), cut)
            .unwrap();
        assert_eq!(texts(&store, &id), [(1, "one".to_owned())]);
        assert_eq!(store.append(&id, said("two")).unwrap().seq, 2);
        assert_eq!(texts(&store, &id), [(1, "one".into()), (2, "two".into())]);
    }

    fn turn(texts: &[&str]) -> TurnRecord {
        TurnRecord {
            messages: texts.iter().map(|t| said(t)).collect(),
            dialog: None,
            handoff: None,
        }
    }

    fn keys_of(store: &Store, id: &str) -> Vec<u64> {
        let tree = &store.inner.messages;
        tree.scan_prefix(id)
            .map(|item| keys::message_seq(&item.unwrap().0).unwrap())
            .collect()
    }

    /// What a crash between a turn's record and its head leaves: `texts`
    /// from `seq` on, never committed.
    fn leave_cut_record(store: &Store, id: &str, seq: u64, texts: &[&str]) {
        let messages: Vec<Message> = texts
            .iter()
            .zip(seq..)
            .map(|(t, s)| Message::new(s, said(t)))
            .collect();
        let value = messages::encode_record(&messages).unwrap();
        store
            .inner
            .messages
            .insert(keys::message(id, seq), value)
            .unwrap();
    }

    /// The conversation as decoded straight from its stored head.
    fn fresh(store: &Store, id: &str) -> Conversation {
        let raw = store.inner.conversations.get(id).unwrap().unwrap();
        Head::parse(id, &raw).unwrap().conversation(id).unwrap()
    }

    #[test]
    fn remembered_heads_are_never_stale() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = with_conversation(dir.path());
        let read = |store: &Store| store.conversation(&id).unwrap().unwrap();
        assert_eq!(read(&store), fresh(&store, &id));
        let dialog = DialogState {
            current_order: Some("E20261111000123".to_owned()),
            ..DialogState::default()
        };
        let mut record = turn(&["where is it", "here"]);
        record.dialog = Some((dialog.clone(), 2));
        store.record_turn(&id, record).unwrap();
        let got = read(&store);
        assert_eq!((&got.dialog, got.not_understood_streak), (&dialog, 2));
        assert_eq!(got, fresh(&store, &id));
        store.append(&id, said("more")).unwrap();
        assert_eq!(read(&store), fresh(&store, &id));
        // Changed by a transaction (the queue), not by a plain write.
        let context = crate::build_context(None, &[], Vec::new(), Vec::new(), &id);
        store.enqueue(&id, Vec::new(), 1, context, at()).unwrap();
        let got = read(&store);
        assert_eq!(got.status, ConvStatus::Queued);
        assert_eq!(got, fresh(&store, &id));
        // Another store on the same database sees the same.
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(read(&store), fresh(&store, &id));
    }

    #[test]
    fn a_turn_is_one_record_read_from_any_seq() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = with_conversation(dir.path());
        store.append(&id, said("one")).unwrap();
        let recorded = store
            .record_turn(&id, turn(&["two", "three", "four"]))
            .unwrap();
        let seqs: Vec<u64> = recorded.messages.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
        store.append(&id, said("five")).unwrap();
        assert_eq!(keys_of(&store, &id), [1, 2, 5], "one key per write");
        let all = ["one", "two", "three", "four", "five"];
        for after in 0..=6u64 {
            let want: Vec<(u64, String)> = (1..=5u64)
                .zip(all)
                .filter(|(seq, _)| *seq > after)
                .map(|(seq, t)| (seq, t.to_owned()))
                .collect();
            let got: Vec<(u64, String)> = store
                .messages(&id, after)
                .unwrap()
                .into_iter()
                .map(|m| (m.seq, m.text))
                .collect();
            assert_eq!(got, want, "after {after}");
        }
    }

    #[test]
    fn cut_records_above_the_head_are_not_read_and_never_split_a_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = with_conversation(dir.path());
        store.append(&id, said("one")).unwrap();
        // A cut turn of three, and single messages of the first layout.
        leave_cut_record(&store, &id, 2, &["cut 2", "cut 3", "cut 4"]);
        leave_cut_record(&store, &id, 3, &["cut 3"]);
        leave_cut_record(&store, &id, 5, &["cut 5"]);
        assert_eq!(texts(&store, &id), [(1, "one".to_owned())]);

        store.record_turn(&id, turn(&["two", "three"])).unwrap();
        store.record_turn(&id, turn(&["four", "five"])).unwrap();
        let want: Vec<(u64, String)> = ["one", "two", "three", "four", "five"]
            .iter()
            .zip(1..)
            .map(|(t, seq)| (seq, t.to_string()))
            .collect();
        assert_eq!(texts(&store, &id), want);
        for after in 0..5u64 {
            let got = store.messages(&id, after).unwrap();
            assert_eq!(got.len() as u64, 5 - after, "after {after}");
            assert_eq!(got[0].text, want[after as usize].1, "after {after}");
        }
        assert_eq!(keys_of(&store, &id), [1, 2, 4]);
    }

    #[test]
    fn the_first_layout_is_read_and_carried_on() {
        let dir = tempfile::tempdir().unwrap();
        let id = "ab".repeat(16);
        let conversation = Conversation {
            id: id.clone(),
            customer_id: "C1001".to_owned(),
            lang: Lang::Zh,
            created_at: at(),
            status: ConvStatus::Bot,
            dialog: DialogState::default(),
            not_understood_streak: 1,
        };
        {
            // Written as the first layout did: JSON head, seq in `seqs`.
            let db = open_db(dir.path()).unwrap();
            let tree = |name| db.open_tree(name).unwrap();
            tree(CONVERSATIONS)
                .insert(&id, serde_json::to_vec(&conversation).unwrap())
                .unwrap();
            tree(SEQS).insert(&id, &2u64.to_be_bytes()).unwrap();
            for seq in 1..=2 {
                let m = Message::new(seq, said(&format!("old {seq}")));
                let value = serde_json::to_vec(&m).unwrap();
                tree(MESSAGES)
                    .insert(keys::message(&id, seq), value)
                    .unwrap();
            }
            db.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.conversation(&id).unwrap(), Some(conversation.clone()));
        assert_eq!(store.append(&id, said("new")).unwrap().seq, 3);
        drop(store);

        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.conversation(&id).unwrap(), Some(conversation));
        let raw = store.inner.conversations.get(&id).unwrap().unwrap();
        assert_eq!(
            Head::parse(&id, &raw).unwrap().last_seq,
            Some(3),
            "rewritten"
        );
        let want: Vec<(u64, String)> =
            vec![(1, "old 1".into()), (2, "old 2".into()), (3, "new".into())];
        assert_eq!(texts(&store, &id), want);
        // A turn after them is one record; both read as one transcript.
        store
            .record_turn(&id, turn(&["asked", "answered"]))
            .unwrap();
        let got: Vec<(u64, String)> = store
            .messages(&id, 1)
            .unwrap()
            .into_iter()
            .map(|m| (m.seq, m.text))
            .collect();
        let want: Vec<(u64, String)> = vec![
            (2, "old 2".into()),
            (3, "new".into()),
            (4, "asked".into()),
            (5, "answered".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_directory_in_use_is_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let second = open_db_waiting(dir.path(), Duration::from_millis(30));
        assert!(matches!(second, Err(Error::InUse { .. })), "{second:?}");
        drop(store);
        // Once released, the same directory opens again.
        drop(open_db(dir.path()).unwrap());
    }
}
