//! Service targets for a conversation handed to a person, and which ones
//! are overdue.
//!
//! ```toml
//! first_response = "2m"          # live queue: an agent's first message, after joining
//! resolution = "30m"             # live queue: resolved, after joining
//! ticket_first_response = "1h"   # the same for tickets (after hours, nobody online)
//! ticket_resolution = "8h"
//! ```
//!
//! Durations are written as in the rest of the configuration (`"90s"`,
//! `"2m"`, `"1h30m"`). Targets count **open time** (see
//! [`BusinessHours::answer_by`]): a ticket filed at night is not overdue
//! before the shop opens, and its first-response due time is the one the
//! shopper was promised ([`Route::Ticket`](crate::Route)'s `answer_by`),
//! except when the queue ahead made that promise later than the target: the
//! target is the shop's, and is due first.

use std::time::Duration;

use dialogs::Time;
use serde::{Deserialize, Serialize};

use crate::duration::between;
use crate::{Author, BusinessHours, EntryKind, EntryState, Message, QueueEntry};

/// The merchant's service targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    /// From joining the queue to an agent's first message to the shopper
    /// (default 2 min). A claim is not a response: help desks count first
    /// reply time to the first agent reply, and a shopper who was told an
    /// agent joined and then hears nothing has not been answered.
    #[serde(with = "crate::duration")]
    pub first_response: Duration,
    /// From joining the queue to resolved (default 30 min).
    #[serde(with = "crate::duration")]
    pub resolution: Duration,
    /// For a ticket, from filing to an agent's first message (default 1 h):
    /// tickets pile up overnight and are worked through after opening.
    #[serde(with = "crate::duration")]
    pub ticket_first_response: Duration,
    /// For a ticket, from filing to resolved (default 8 h).
    #[serde(with = "crate::duration")]
    pub ticket_resolution: Duration,
}

impl Default for SlaPolicy {
    fn default() -> SlaPolicy {
        SlaPolicy {
            first_response: Duration::from_secs(2 * 60),
            resolution: Duration::from_secs(30 * 60),
            ticket_first_response: Duration::from_secs(60 * 60),
            ticket_resolution: Duration::from_secs(8 * 60 * 60),
        }
    }
}

/// What [`SlaPolicy::breaches`] needs to know of one queue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFacts {
    /// The conversation.
    pub conversation_id: String,
    /// When it joined the queue.
    pub waiting_since: Time,
    /// Live or ticket: they have their own targets.
    pub kind: EntryKind,
    /// Waiting, claimed or resolved.
    pub state: EntryState,
    /// An agent's first message since it joined the queue.
    pub first_agent_reply: Option<Time>,
}

impl EntryFacts {
    /// The facts of a queue entry, with its conversation's messages.
    pub fn new(entry: &QueueEntry, transcript: &[Message]) -> EntryFacts {
        let first_agent_reply = transcript
            .iter()
            .filter(|m| matches!(m.author, Author::Agent { .. }) && m.at >= entry.waiting_since)
            .map(|m| m.at)
            .min();
        EntryFacts {
            conversation_id: entry.conversation_id.clone(),
            waiting_since: entry.waiting_since,
            kind: entry.kind,
            state: entry.state.clone(),
            first_agent_reply,
        }
    }
}

/// Which target was missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// No agent has written yet.
    FirstResponse,
    /// Not resolved yet.
    Resolution,
}

/// A missed target, as an event for the agents' console or an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    /// Which target.
    pub kind: BreachKind,
    /// The conversation.
    pub conversation_id: String,
    /// When it was due.
    pub due: Time,
    /// How late it is at `now`.
    #[serde(with = "crate::duration")]
    pub overdue_by: Duration,
}

impl SlaPolicy {
    /// The first-response target of an entry of this kind.
    pub fn first_response_for(&self, kind: EntryKind) -> Duration {
        match kind {
            EntryKind::Queued => self.first_response,
            EntryKind::Ticket => self.ticket_first_response,
        }
    }

    /// The resolution target of an entry of this kind.
    pub fn resolution_for(&self, kind: EntryKind) -> Duration {
        match kind {
            EntryKind::Queued => self.resolution,
            EntryKind::Ticket => self.ticket_resolution,
        }
    }

    /// The targets outstanding and past due at `now`, earliest due first.
    ///
    /// Outstanding means still missing: once an agent has written, a late
    /// first response is history, no longer a breach; resolved entries have
    /// none. Called again later, it reports the same breaches with a larger
    /// `overdue_by`: telling new from known is the caller's.
    pub fn breaches(
        &self,
        hours: &BusinessHours,
        entries: &[EntryFacts],
        now: Time,
    ) -> Vec<Breach> {
        let mut breaches = Vec::new();
        for entry in entries {
            if matches!(entry.state, EntryState::Resolved { .. }) {
                continue;
            }
            let mut check = |kind, due: Option<Time>| {
                if let Some(due) = due.filter(|due| now > *due) {
                    breaches.push(Breach {
                        kind,
                        conversation_id: entry.conversation_id.clone(),
                        due,
                        overdue_by: between(due, now),
                    });
                }
            };
            let due = |target| hours.answer_by(entry.waiting_since, target);
            if entry.first_agent_reply.is_none() {
                let target = self.first_response_for(entry.kind);
                check(BreachKind::FirstResponse, due(target));
            }
            check(BreachKind::Resolution, due(self.resolution_for(entry.kind)));
        }
        breaches.sort_by(|a, b| {
            (a.due, a.kind, &a.conversation_id).cmp(&(b.due, b.kind, &b.conversation_id))
        });
        breaches
    }
}

#[cfg(test)]
#[path = "sla_tests.rs"]
mod tests;
