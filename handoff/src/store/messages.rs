//! A conversation's messages: appended with gapless seqs, read in order.

use sled::transaction::TransactionalTree;

use super::{abort, decode, encode, keys, unknown, Pending, Store, TxResult};
use crate::{Error, Message, NewMessage};

impl Store {
    /// Appends a message and returns it with its seq: one more than the
    /// conversation's previous message, even with concurrent writers.
    /// Durable on return.
    pub fn append(&self, id: &str, message: NewMessage) -> Result<Message, Error> {
        self.write_message(id, message)?.wait()
    }

    /// Like [`append`](Store::append), but returns as soon as the message is
    /// written: await (or wait for) the [`Pending`] before telling anyone.
    pub fn write_message(&self, id: &str, message: NewMessage) -> Result<Pending<Message>, Error> {
        let mut stored = self.write_plain(id, vec![message], None)?;
        let message = stored.pop().expect("one message written");
        Ok(self.inner.flusher.pending(message))
    }

    /// The conversation's messages with a seq above `after_seq`, in order
    /// (`after_seq` 0 gives the whole transcript).
    pub fn messages(&self, id: &str, after_seq: u64) -> Result<Vec<Message>, Error> {
        if !keys::is_well_formed(id) {
            return Err(unknown(id));
        }
        let Some(last) = self.inner.last_seq(id)? else {
            return Err(unknown(id));
        };
        if after_seq >= last {
            return Ok(Vec::new());
        }
        // Messages above the head's seq belong to a turn that never
        // committed; they are not read.
        let range = keys::message(id, after_seq + 1)..=keys::message(id, last);
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

/// Appends inside a transaction after the conversation's `last` seq. The
/// caller commits the new last seq with the conversation's head.
pub(super) fn append_tx(
    messages: &TransactionalTree,
    id: &str,
    last: u64,
    message: NewMessage,
) -> TxResult<Message> {
    let message = Message::new(last + 1, message);
    let value = encode("message", &message).or_else(abort)?;
    messages.insert(keys::message(id, message.seq), value)?;
    Ok(message)
}
