//! A whole chat turn in one atomic write and one flush.
//!
//! A bot turn writes the shopper's message, the bot's reply (and maybe a
//! queued notice), the dialog state and maybe a queue entry. Written one by
//! one, each would wait for its own flush; written here, they are one atomic
//! change (committed by the conversation's head, or one transaction when the
//! turn touches the queue) that waits for one flush. A crash before the flush loses the whole
//! turn, which the shopper was never told about (the API answers after it),
//! and never half a turn.

use sled::Transactional;

use super::queue::put_in_queue_tx;
use super::{append_tx, finish, read_conversation, write_conversation, Pending, Store};
use crate::{Context, EntryKind, Error, Message, NewMessage, QueueEntry, Reason};
use dialogs::{DialogState, Time};

/// Everything one turn changes.
#[derive(Debug, Clone)]
pub struct TurnRecord {
    /// Appended in this order (the shopper's message first).
    pub messages: Vec<NewMessage>,
    /// The dialog state and fallback streak after the turn.
    pub dialog: Option<(DialogState, u32)>,
    /// A hand-over this turn decided.
    pub handoff: Option<HandoffRecord>,
}

/// The queue side of a turn that hands over.
#[derive(Debug, Clone)]
pub struct HandoffRecord {
    pub kind: EntryKind,
    pub reasons: Vec<Reason>,
    pub priority: i64,
    pub context: Context,
    pub now: Time,
}

/// What a recorded turn stored.
#[derive(Debug, Clone)]
pub struct RecordedTurn {
    /// The messages with their seqs, in order.
    pub messages: Vec<Message>,
    /// The queue entry, when the turn handed over.
    pub entry: Option<QueueEntry>,
}

impl Store {
    /// Writes a turn atomically and returns once it is on disk. Fails without
    /// writing anything if the conversation is unknown or an agent holds it
    /// and the turn tries to queue it.
    pub fn record_turn(&self, id: &str, turn: TurnRecord) -> Result<RecordedTurn, Error> {
        self.write_turn(id, turn)?.wait()
    }

    /// Like [`record_turn`](Store::record_turn), but returns as soon as the
    /// turn is written: await (or wait for) the [`Pending`] before anything
    /// is answered or published.
    pub fn write_turn(&self, id: &str, turn: TurnRecord) -> Result<Pending<RecordedTurn>, Error> {
        let recorded = match turn.handoff {
            // The common turn stays with the bot: messages and dialog state
            // only, committed by the head without a sled transaction.
            None => {
                let dialog = turn.dialog.as_ref().map(|(d, streak)| (d, *streak));
                let messages = self.write_plain(id, turn.messages, dialog)?;
                RecordedTurn {
                    messages,
                    entry: None,
                }
            }
            Some(handoff) => self.write_handoff_turn(id, turn.messages, turn.dialog, handoff)?,
        };
        Ok(self.inner.flusher.pending(recorded))
    }

    /// A turn that hands over touches the queue too: one transaction.
    fn write_handoff_turn(
        &self,
        id: &str,
        messages: Vec<NewMessage>,
        dialog: Option<(DialogState, u32)>,
        handoff: HandoffRecord,
    ) -> Result<RecordedTurn, Error> {
        let inner = &*self.inner;
        let _writing = inner.stripe(id);
        let mut context = handoff.context.clone();
        // The transcript is read fresh by `context`, never frozen here.
        context.transcript = Vec::new();
        let arrival = inner.next_arrival();
        let trees = (
            &inner.conversations,
            &inner.seqs,
            &inner.messages,
            &inner.queue,
            &inner.waiting,
        );
        let recorded = finish(trees.transaction(
            |(conversations, seqs, tx_messages, queue, waiting)| {
                let (mut conversation, mut last) = read_conversation(conversations, seqs, id)?;
                let mut stored = Vec::with_capacity(messages.len());
                for m in &messages {
                    let message = append_tx(tx_messages, id, last, m.clone())?;
                    last = message.seq;
                    stored.push(message);
                }
                if let Some((dialog, streak)) = &dialog {
                    conversation.dialog = dialog.clone();
                    conversation.not_understood_streak = *streak;
                }
                let entry = put_in_queue_tx(
                    &mut conversation,
                    queue,
                    waiting,
                    id,
                    handoff.kind,
                    handoff.reasons.clone(),
                    handoff.priority,
                    context.clone(),
                    (handoff.now, arrival),
                )?;
                write_conversation(conversations, &conversation, last)?;
                Ok(RecordedTurn {
                    messages: stored,
                    entry: Some(entry),
                })
            },
        ))?;
        if let Some(entry) = &recorded.entry {
            tracing::info!(conversation = %id, priority = entry.priority, "handed to the agents' queue");
        }
        Ok(recorded)
    }

    /// The 1-based place a waiting entry with this priority, start and
    /// order of arrival (`QueueEntry::arrival`; `None` for one not written
    /// yet, which arrives after every other) has in the queue (the agents
    /// serve it in that order).
    pub fn rank(
        &self,
        priority: i64,
        since: &Time,
        arrival: Option<u64>,
        id: &str,
    ) -> Result<usize, Error> {
        let key = super::keys::waiting(priority, since, arrival.unwrap_or(u64::MAX), id);
        let mut ahead = 0;
        for item in self.inner.waiting.range(..key) {
            item?;
            ahead += 1;
        }
        Ok(ahead + 1)
    }
}
