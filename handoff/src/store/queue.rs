//! The agents' queue: enqueue, claim, resolve.

use std::mem::discriminant;

use dialogs::Time;
use sled::transaction::TransactionalTree;
use sled::Transactional;

use super::{
    abort, decode, finish, keys, read_conversation, write, write_conversation, Store, TxResult,
};
use crate::{
    Context, ConvStatus, Conversation, EntryKind, EntryState, Error, HandoffOutcome, PastHandoff,
    QueueEntry, Reason, KEPT_HANDOFFS,
};

impl Store {
    /// Puts the conversation in the queue for a live agent; the bot stops
    /// answering it. Durable on return.
    ///
    /// On a conversation that is already waiting, the entry is updated
    /// instead: the new reasons join the old ones, the priority only rises,
    /// the context is replaced (its `reasons` become the merged list; its
    /// summary stays as given) and the place in line (`waiting_since`) kept.
    /// Fails with [`Error::AlreadyWithAgent`] once an agent has claimed it.
    pub fn enqueue(
        &self,
        id: &str,
        reasons: Vec<Reason>,
        priority: i64,
        context: Context,
        now: Time,
    ) -> Result<QueueEntry, Error> {
        self.put_in_queue(id, EntryKind::Queued, reasons, priority, context, now)
    }

    /// Like [`enqueue`](Store::enqueue), but as a ticket that an agent answers
    /// later (no agent online, outside service hours).
    pub fn file_ticket(
        &self,
        id: &str,
        reasons: Vec<Reason>,
        priority: i64,
        context: Context,
        now: Time,
    ) -> Result<QueueEntry, Error> {
        self.put_in_queue(id, EntryKind::Ticket, reasons, priority, context, now)
    }

    fn put_in_queue(
        &self,
        id: &str,
        kind: EntryKind,
        reasons: Vec<Reason>,
        priority: i64,
        mut context: Context,
        now: Time,
    ) -> Result<QueueEntry, Error> {
        // The transcript is read fresh by `context`, never frozen here.
        context.transcript = Vec::new();
        let arrival = self.inner.next_arrival();
        let entry = self.change_queue(id, |conversation, queue, waiting| {
            put_in_queue_tx(
                conversation,
                queue,
                waiting,
                id,
                kind,
                reasons.clone(),
                priority,
                context.clone(),
                (now, arrival),
            )
        })?;
        tracing::info!(conversation = %id, priority = entry.priority, "handed to the agents' queue");
        Ok(entry)
    }

    /// The waiting entries, highest priority first, then longest waiting.
    /// Their contexts carry no transcript; see [`Store::context`].
    pub fn queue(&self) -> Result<Vec<QueueEntry>, Error> {
        let mut entries = Vec::new();
        for item in self.inner.waiting.iter() {
            let (_, id) = item?;
            let id = String::from_utf8_lossy(&id);
            // Claimed between the two reads: no longer waiting, skip it.
            if let Some(entry) = self.entry(&id)? {
                if entry.state == EntryState::Waiting {
                    entries.push(entry);
                }
            }
        }
        Ok(entries)
    }

    /// At open: starts the order of arrival after every waiting entry's, and
    /// rebuilds a waiting index written before that order was in its keys
    /// (from the queue entries, which have it: 0 for theirs). Idempotent, so
    /// a crash in the middle is finished by the next open.
    pub(super) fn index_arrivals(&self) -> Result<(), Error> {
        let mut last = 0u64;
        let mut old_keys = Vec::new();
        for item in self.inner.waiting.iter() {
            let (key, _) = item?;
            if key.len() == keys::OLD_WAITING_KEY_LEN {
                old_keys.push(key);
            } else if let Some(bytes) = key.get(16..24) {
                let arrival = u64::from_be_bytes(bytes.try_into().expect("8 bytes"));
                last = last.max(arrival);
            }
        }
        self.inner
            .arrivals
            .store(last.saturating_add(1), std::sync::atomic::Ordering::Relaxed);
        if old_keys.is_empty() {
            return Ok(());
        }
        tracing::info!(
            entries = old_keys.len(),
            "rebuilding the waiting index with the order of arrival"
        );
        for entry in self.open_entries()? {
            if entry.state == EntryState::Waiting {
                let key = keys::waiting_of(&entry);
                self.inner
                    .waiting
                    .insert(key, entry.conversation_id.as_bytes())?;
            }
        }
        for key in old_keys {
            self.inner.waiting.remove(key)?;
        }
        self.inner.waiting.flush()?;
        Ok(())
    }

    /// Every entry a person still owes an answer: waiting and claimed, in no
    /// particular order (for SLA checks). A scan of the queue tree.
    pub fn open_entries(&self) -> Result<Vec<QueueEntry>, Error> {
        let mut entries = Vec::new();
        for item in self.inner.queue.iter() {
            let (key, value) = item?;
            let entry: QueueEntry = decode("queue entry", &String::from_utf8_lossy(&key), &value)?;
            if matches!(
                entry.state,
                EntryState::Waiting | EntryState::Claimed { .. }
            ) {
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    /// An agent takes a waiting conversation. Fails with
    /// [`Error::NotWaiting`] if it is not waiting (another agent was faster,
    /// or it was never queued). Durable on return.
    pub fn claim(&self, id: &str, agent_id: &str, now: Time) -> Result<QueueEntry, Error> {
        let entry = self.change_queue(id, |conversation, queue, waiting| {
            let mut entry = match read_entry(queue, id)? {
                Some(entry) if entry.state == EntryState::Waiting => entry,
                other => {
                    return abort(Error::NotWaiting {
                        conversation_id: id.to_owned(),
                        state: other
                            .map_or_else(|| "not in the queue".to_owned(), |e| e.state.describe()),
                    })
                }
            };
            waiting.remove(keys::waiting_of(&entry))?;
            entry.state = EntryState::Claimed {
                agent_id: agent_id.to_owned(),
                at: now,
            };
            conversation.status = ConvStatus::WithAgent {
                agent_id: agent_id.to_owned(),
            };
            write(queue, id, "queue entry", &entry)?;
            Ok(entry)
        })?;
        tracing::info!(conversation = %id, agent = %agent_id, "claimed by an agent");
        Ok(entry)
    }

    /// The agent who holds the conversation passes it on: to another agent
    /// (`to = Some`), who holds it at once, or back to the queue (`to =
    /// None`), where it keeps its place in line. Fails with
    /// [`Error::NotClaimed`] or [`Error::ClaimedByOther`] when `from` does
    /// not hold it. Durable on return.
    pub fn transfer(
        &self,
        id: &str,
        from: &str,
        to: Option<&str>,
        now: Time,
    ) -> Result<QueueEntry, Error> {
        let entry = self.change_queue(id, |conversation, queue, waiting| {
            let mut entry = held_entry(queue, id, from)?;
            match to {
                Some(agent) => {
                    entry.state = EntryState::Claimed {
                        agent_id: agent.to_owned(),
                        at: now,
                    };
                    conversation.status = ConvStatus::WithAgent {
                        agent_id: agent.to_owned(),
                    };
                }
                None => {
                    entry.state = EntryState::Waiting;
                    conversation.status = ConvStatus::Queued;
                    waiting.insert(keys::waiting_of(&entry), id.as_bytes())?;
                }
            }
            write(queue, id, "queue entry", &entry)?;
            Ok(entry)
        })?;
        tracing::info!(conversation = %id, from = %from, to = ?to, "transferred");
        Ok(entry)
    }

    /// The agent who claimed the conversation hands it back to the bot, with
    /// a fresh fallback streak. Durable on return.
    pub fn resolve(&self, id: &str, agent_id: &str, now: Time) -> Result<(), Error> {
        self.change_queue(id, |conversation, queue, _waiting| {
            let mut entry = held_entry(queue, id, agent_id)?;
            let claimed_at = match entry.state {
                EntryState::Claimed { at, .. } => Some(at),
                _ => None,
            };
            entry.state = EntryState::Resolved {
                at: now,
                agent_id: Some(agent_id.to_owned()),
                claimed_at,
            };
            conversation.status = ConvStatus::Bot;
            conversation.not_understood_streak = 0;
            write(queue, id, "queue entry", &entry)
        })?;
        tracing::info!(conversation = %id, agent = %agent_id, "resolved, back to the bot");
        Ok(())
    }

    /// One queue change: a transaction over the conversation, the queue and
    /// the waiting index, in which `change` edits the conversation (written
    /// back here) and the queue trees; durable on return. `change` may run
    /// more than once (sled retries conflicting transactions).
    fn change_queue<T>(
        &self,
        id: &str,
        change: impl Fn(&mut Conversation, &TransactionalTree, &TransactionalTree) -> TxResult<T>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let _writing = inner.stripe(id);
        let trees = (
            &inner.conversations,
            &inner.seqs,
            &inner.queue,
            &inner.waiting,
        );
        let value = finish(trees.transaction(|(conversations, seqs, queue, waiting)| {
            let (mut conversation, last) = read_conversation(conversations, seqs, id)?;
            let value = change(&mut conversation, queue, waiting)?;
            write_conversation(conversations, &conversation, last)?;
            Ok(value)
        }))?;
        inner.flusher.durable()?;
        Ok(value)
    }

    /// The conversation's latest queue entry (waiting, claimed or resolved),
    /// if it was ever queued. Its context carries no transcript.
    pub fn entry(&self, id: &str) -> Result<Option<QueueEntry>, Error> {
        match self.inner.queue.get(id)? {
            Some(bytes) => decode("queue entry", id, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Returns once every write this store made before the call is on disk
    /// (a group-commit flush): what was read can then be told.
    pub fn sync(&self) -> Result<(), Error> {
        self.inner.flusher.durable()
    }

    /// The agent's context for a queued conversation, with the transcript as
    /// it is now; `None` if the conversation was never queued.
    pub fn context(&self, id: &str) -> Result<Option<Context>, Error> {
        let Some(entry) = self.entry(id)? else {
            return Ok(None);
        };
        let mut context = entry.context;
        context.transcript = self.messages(id, 0)?;
        Ok(Some(context))
    }
}

/// The queue entry of a conversation that `agent_id` holds; otherwise the
/// error that says who (or what) has it.
fn held_entry(queue: &TransactionalTree, id: &str, agent_id: &str) -> TxResult<QueueEntry> {
    let Some(entry) = read_entry(queue, id)? else {
        return abort(Error::NotClaimed {
            conversation_id: id.to_owned(),
            state: "not in the queue".to_owned(),
        });
    };
    match &entry.state {
        EntryState::Claimed {
            agent_id: holder, ..
        } if holder == agent_id => Ok(entry),
        EntryState::Claimed {
            agent_id: holder, ..
        } => abort(Error::ClaimedByOther {
            conversation_id: id.to_owned(),
            agent_id: holder.clone(),
        }),
        state => abort(Error::NotClaimed {
            conversation_id: id.to_owned(),
            state: state.describe(),
        }),
    }
}

fn read_entry(queue: &TransactionalTree, id: &str) -> TxResult<Option<QueueEntry>> {
    match queue.get(id)? {
        Some(bytes) => decode("queue entry", id, &bytes).map(Some).or_else(abort),
        None => Ok(None),
    }
}

fn fresh(customer_id: &str, id: &str, kind: EntryKind, now: Time, arrival: u64) -> QueueEntry {
    QueueEntry {
        conversation_id: id.to_owned(),
        customer_id: customer_id.to_owned(),
        reasons: Vec::new(),
        priority: i64::MIN,
        waiting_since: now,
        arrival,
        kind,
        state: EntryState::Waiting,
        context: Context {
            conversation_id: id.to_owned(),
            customer: None,
            reasons: Vec::new(),
            orders: Vec::new(),
            summary: String::new(),
            transcript: Vec::new(),
            suggested_replies: Vec::new(),
            notes: Vec::new(),
            history: Vec::new(),
            history_dropped: 0,
            answer_by: None,
        },
    }
}

/// The history a conversation's next entry carries: the last entry's, plus
/// the last entry itself once it ended; the newest [`KEPT_HANDOFFS`], and
/// how many older ones were dropped so far.
fn history_after(last: Option<QueueEntry>) -> (Vec<PastHandoff>, u64) {
    let Some(last) = last else {
        return (Vec::new(), 0);
    };
    let mut history = last.context.history;
    let mut dropped = last.context.history_dropped;
    if let EntryState::Resolved {
        at,
        agent_id,
        claimed_at,
    } = last.state
    {
        history.push(PastHandoff {
            reasons: last.reasons,
            priority: last.priority,
            kind: last.kind,
            summary: last.context.summary,
            queued_at: last.waiting_since,
            agent_id,
            claimed_at,
            outcome: HandoffOutcome::Resolved { at },
        });
    }
    let over = history.len().saturating_sub(KEPT_HANDOFFS);
    history.drain(..over);
    dropped += over as u64;
    (history, dropped)
}

/// Adds `new` reasons to `old`; a newer reason of the same kind (and, for
/// situations, the same code) replaces the older one.
fn merge(old: &mut Vec<Reason>, new: Vec<Reason>) {
    for reason in new {
        let same = |r: &Reason| match (r, &reason) {
            (Reason::Situation { code: a }, Reason::Situation { code: b }) => a == b,
            (a, b) => discriminant(a) == discriminant(b),
        };
        match old.iter_mut().find(|r| same(r)) {
            Some(slot) => *slot = reason,
            None => old.push(reason),
        }
    }
}

/// Queues (or re-queues) inside a transaction; the caller writes the
/// conversation, whose status this sets to `Queued`. `(now, arrival)`: the
/// time and the order of arrival ([`Inner::next_arrival`], taken before
/// the transaction) a new entry gets; a waiting one keeps its own.
#[allow(clippy::too_many_arguments)]
pub(super) fn put_in_queue_tx(
    conversation: &mut Conversation,
    queue: &TransactionalTree,
    waiting: &TransactionalTree,
    id: &str,
    kind: EntryKind,
    reasons: Vec<Reason>,
    priority: i64,
    context: Context,
    (now, arrival): (Time, u64),
) -> TxResult<QueueEntry> {
    let mut entry = match &conversation.status {
        ConvStatus::WithAgent { agent_id } => {
            return abort(Error::AlreadyWithAgent {
                conversation_id: id.to_owned(),
                agent_id: agent_id.clone(),
            })
        }
        ConvStatus::Queued => {
            let mut entry = match read_entry(queue, id)? {
                Some(e) if e.state == EntryState::Waiting => e,
                // A queued conversation always has a waiting entry;
                // repair rather than refuse if it does not.
                _ => fresh(&conversation.customer_id, id, kind, now, arrival),
            };
            waiting.remove(keys::waiting_of(&entry))?;
            merge(&mut entry.reasons, reasons);
            entry.priority = entry.priority.max(priority);
            entry
        }
        ConvStatus::Bot => {
            let mut entry = fresh(&conversation.customer_id, id, kind, now, arrival);
            entry.reasons = reasons;
            entry.priority = priority;
            // A conversation handed over again: the ended entry goes into
            // the history rather than being overwritten.
            let (history, dropped) = history_after(read_entry(queue, id)?);
            entry.context.history = history;
            entry.context.history_dropped = dropped;
            entry
        }
    };
    // The caller's context replaces the old one (its summary too: display
    // text is the caller's), but the history is the store's to keep, and a
    // waiting entry's notes stay (a re-queue adds its own).
    let history = std::mem::take(&mut entry.context.history);
    let mut notes = std::mem::take(&mut entry.context.notes);
    for note in context.notes {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    let entry = QueueEntry {
        context: Context {
            reasons: entry.reasons.clone(),
            history,
            history_dropped: entry.context.history_dropped,
            notes,
            ..context
        },
        ..entry
    };
    conversation.status = ConvStatus::Queued;
    write(queue, id, "queue entry", &entry)?;
    waiting.insert(keys::waiting_of(&entry), id.as_bytes())?;
    Ok(entry)
}
