//! Durable conversations, messages and the agents' queue, in sled.
//!
//! Layout (named trees, so the bot can share its `sled::Db`):
//! - `handoff/conversations`: id → [`Conversation`] (JSON)
//! - `handoff/seqs`: id → last message seq (u64, big-endian)
//! - `handoff/messages`: id ++ seq (big-endian) → [`Message`] (JSON)
//! - `handoff/queue`: id → [`QueueEntry`] (JSON, transcript left out)
//! - `handoff/waiting`: priority desc ++ since asc ++ id → id, exactly the
//!   waiting entries, so [`Store::queue`] is one ordered scan
//!
//! Every change that spans keys is one sled transaction, and every
//! acknowledged write is on disk before its method returns (see `flusher`).

mod flusher;
mod keys;
mod messages;
mod queue;
mod turn;

pub use turn::{HandoffRecord, RecordedTurn, TurnRecord};
use messages::append_tx;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dialogs::{DialogState, Time};
use intents::Lang;
use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, TransactionError,
    TransactionResult, TransactionalTree,
};

use crate::{ConvStatus, Conversation, Error};
use flusher::Flusher;

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
/// under heavy concurrency). In async code call them from `spawn_blocking`.
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
        };
        Ok(Store {
            inner: Arc::new(inner),
        })
    }

    /// Opens a conversation with the bot, under a fresh unguessable id.
    pub fn create_conversation(
        &self,
        customer_id: &str,
        lang: Lang,
        now: Time,
    ) -> Result<Conversation, Error> {
        loop {
            let conversation = Conversation {
                id: keys::new_conversation_id()?,
                customer_id: customer_id.to_owned(),
                lang,
                created_at: now,
                status: ConvStatus::Bot,
                dialog: DialogState::default(),
                not_understood_streak: 0,
            };
            let value = encode("conversation", &conversation)?;
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

    /// The conversation, if the id names one.
    pub fn conversation(&self, id: &str) -> Result<Option<Conversation>, Error> {
        match self.inner.conversations.get(id)? {
            Some(bytes) => decode("conversation", id, &bytes).map(Some),
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
        let result = self.inner.conversations.transaction(|tx| {
            let mut conversation = read_conversation(tx, id)?;
            conversation.dialog = state.clone();
            conversation.not_understood_streak = not_understood_streak;
            write(tx, id, "conversation", &conversation)
        });
        finish(result)?;
        self.inner.flusher.durable()
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

fn read_conversation(tx: &TransactionalTree, id: &str) -> TxResult<Conversation> {
    match tx.get(id)? {
        Some(bytes) => decode("conversation", id, &bytes).or_else(abort),
        None => abort(unknown(id)),
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
