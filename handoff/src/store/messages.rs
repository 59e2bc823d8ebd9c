//! A conversation's messages: appended with gapless seqs, read in order.

use sled::Transactional;

use sled::transaction::TransactionalTree;

use super::{abort, decode, encode, finish, keys, unknown, Store, TxResult};
use crate::{Error, Message, NewMessage};

impl Store {
    /// Appends a message and returns it with its seq: one more than the
    /// conversation's previous message, even with concurrent writers.
    /// Durable on return.
    pub fn append(&self, id: &str, message: NewMessage) -> Result<Message, Error> {
        let inner = &*self.inner;
        let trees = (&inner.conversations, &inner.seqs, &inner.messages);
        // The seq counter and the message change together, so a crash never
        // leaves a gap or a seq used twice.
        let stored = finish(trees.transaction(|(conversations, seqs, messages)| {
            if conversations.get(id)?.is_none() {
                return abort(unknown(id));
            }
            append_tx(seqs, messages, id, message.clone())
        }))?;
        inner.flusher.durable()?;
        Ok(stored)
    }

    /// The conversation's messages with a seq above `after_seq`, in order
    /// (`after_seq` 0 gives the whole transcript).
    pub fn messages(&self, id: &str, after_seq: u64) -> Result<Vec<Message>, Error> {
        if !keys::is_well_formed(id) || !self.inner.conversations.contains_key(id)? {
            return Err(unknown(id));
        }
        let Some(first) = after_seq.checked_add(1) else {
            return Ok(Vec::new());
        };
        let range = keys::message(id, first)..=keys::message(id, u64::MAX);
        self.inner
            .messages
            .range(range)
            .map(|item| {
                let (key, value) = item?;
                let seq = keys::message_seq(&key).unwrap_or_default();
                decode("message", &format!("{id}#{seq}"), &value)
            })
            .collect()
    }
}

/// Appends inside a transaction: the seq counter and the message change
/// together, so a crash never leaves a gap or a seq used twice.
pub(super) fn append_tx(
    seqs: &TransactionalTree,
    messages: &TransactionalTree,
    id: &str,
    message: NewMessage,
) -> TxResult<Message> {
    let last = match seqs.get(id)? {
        Some(bytes) => match <[u8; 8]>::try_from(bytes.as_ref()) {
            Ok(be) => u64::from_be_bytes(be),
            Err(_) => return abort(corrupt_seq(id)),
        },
        None => 0,
    };
    let message = Message::new(last + 1, message);
    let value = encode("message", &message).or_else(abort)?;
    messages.insert(keys::message(id, message.seq), value)?;
    seqs.insert(id.as_bytes(), &message.seq.to_be_bytes())?;
    Ok(message)
}

fn corrupt_seq(id: &str) -> Error {
    Error::Corrupt {
        what: "message counter",
        key: id.to_owned(),
        reason: "not an 8-byte number".to_owned(),
    }
}
