//! The records `handoff` keeps: conversations, their messages and queue
//! entries. Plain data; the [`Store`](crate::Store) gives them their life cycle.

use dialogs::{Button, DialogState, Reply, Time};
use intents::{Lang, Slots, Understanding};
use serde::{Deserialize, Serialize};

use crate::{Context, Reason};

/// One shopper's chat with the shop, from greeting to goodbye.
///
/// Its `id` is random and unguessable: it is the shopper's bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// 32 lowercase hex digits (128 random bits).
    pub id: String,
    /// The shop's customer id of the shopper.
    pub customer_id: String,
    /// The language the conversation is held in.
    pub lang: Lang,
    /// When it was opened.
    pub created_at: Time,
    /// Who answers the shopper right now.
    pub status: ConvStatus,
    /// The dialog engine's state, saved after every turn.
    pub dialog: DialogState,
    /// Bot turns in a row that ended in a fallback answer.
    pub not_understood_streak: u32,
}

/// Who answers the shopper: the bot, nobody yet (waiting for an agent), or an agent.
///
/// `Bot → Queued` (enqueue) `→ WithAgent` (claim) `→ Bot` (resolve).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConvStatus {
    /// The bot answers.
    Bot,
    /// Waiting in the queue for an agent; the bot holds the line.
    Queued,
    /// An agent has claimed the conversation and answers.
    WithAgent {
        /// The agent.
        agent_id: String,
    },
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    /// The customer.
    Shopper,
    /// xiaoer.
    Bot,
    /// A human agent.
    Agent {
        /// The agent.
        agent_id: String,
    },
    /// A notice from the system ("an agent has joined").
    System,
}

/// A message to append; the store gives it its sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    /// When it was written.
    pub at: Time,
    /// Who wrote it.
    pub author: Author,
    /// The text as shown.
    pub text: String,
    /// Quick-reply buttons offered with it.
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// What the bot understood of a shopper's message, for the agent.
    #[serde(default)]
    pub turn: Option<TurnFacts>,
}

impl NewMessage {
    /// A shopper's message, with what the bot understood of it.
    pub fn shopper(at: Time, understanding: &Understanding) -> NewMessage {
        NewMessage {
            at,
            author: Author::Shopper,
            text: understanding.text.clone(),
            buttons: Vec::new(),
            turn: Some(TurnFacts::from(understanding)),
        }
    }

    /// The bot's reply.
    pub fn bot(at: Time, reply: &Reply) -> NewMessage {
        NewMessage {
            at,
            author: Author::Bot,
            text: reply.text.clone(),
            buttons: reply.buttons.clone(),
            turn: None,
        }
    }
}

/// A stored message: a [`NewMessage`] with its place in the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// 1, 2, 3… within its conversation, without gaps.
    pub seq: u64,
    /// When it was written.
    pub at: Time,
    /// Who wrote it.
    pub author: Author,
    /// The text as shown.
    pub text: String,
    /// Quick-reply buttons offered with it.
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// What the bot understood of a shopper's message.
    #[serde(default)]
    pub turn: Option<TurnFacts>,
}

impl Message {
    pub(crate) fn new(seq: u64, m: NewMessage) -> Message {
        Message {
            seq,
            at: m.at,
            author: m.author,
            text: m.text,
            buttons: m.buttons,
            turn: m.turn,
        }
    }
}

/// What the bot made of one shopper message, kept for the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnFacts {
    /// Top intent id.
    pub intent: String,
    /// Its confidence in [0, 1].
    pub confidence: f32,
    /// Anger score in [0, 1].
    pub anger: f32,
    /// Whether the lexicon judged the message angry.
    pub angry: bool,
    /// Order ids, tracking numbers, amounts, phones found in the text.
    #[serde(default)]
    pub slots: Slots,
    /// The content pack's flow that answered, when it is not the intent's
    /// own: the message answered the bot's question (是的 to a
    /// cancellation is `cancel_order`, though `intent` says out_of_scope),
    /// or was a bare order id answered with its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

impl From<&Understanding> for TurnFacts {
    fn from(u: &Understanding) -> TurnFacts {
        TurnFacts {
            intent: u.intent.clone(),
            confidence: u.confidence,
            anger: u.anger,
            angry: u.angry,
            slots: u.slots.clone(),
            flow: None,
        }
    }
}

/// How many earlier hand-overs a conversation's entry keeps: the newest
/// ones. A conversation handed over again and again (a shopper who comes
/// back every week) would otherwise grow an entry that every queue change
/// rewrites; the agent sees how many older ones were dropped
/// ([`Context::history_dropped`]).
pub const KEPT_HANDOFFS: usize = 10;

/// A conversation's place in the agents' queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "StoredEntry")]
pub struct QueueEntry {
    /// The conversation.
    pub conversation_id: String,
    /// Its shopper.
    pub customer_id: String,
    /// Why it was handed over (every trigger that fired).
    pub reasons: Vec<Reason>,
    /// Higher is served first; see [`priority`](crate::priority).
    pub priority: i64,
    /// When it joined the queue; ties in priority go oldest first.
    pub waiting_since: Time,
    /// The order in which entries joined this store's queue, which breaks
    /// ties of priority and `waiting_since` (a pinned clock): first come,
    /// first served. Given by the store; 0 for entries from before it was.
    #[serde(default)]
    pub arrival: u64,
    /// A live chat in the queue, or a ticket answered later.
    pub kind: EntryKind,
    /// Waiting, claimed or resolved.
    pub state: EntryState,
    /// What the agent needs, with the conversation's earlier hand-overs
    /// (`context.history`: a new entry after a resolve carries them on);
    /// `transcript` is empty here (and left out of its JSON) and filled by
    /// [`Store::context`](crate::Store::context).
    pub context: Context,
}

/// A queue entry as any version stored it: before the earlier hand-overs
/// moved into the context, they were a `history` beside it.
#[derive(Deserialize)]
struct StoredEntry {
    conversation_id: String,
    customer_id: String,
    reasons: Vec<Reason>,
    priority: i64,
    waiting_since: Time,
    #[serde(default)]
    arrival: u64,
    kind: EntryKind,
    state: EntryState,
    context: Context,
    #[serde(default)]
    history: Vec<PastHandoff>,
}

impl From<StoredEntry> for QueueEntry {
    fn from(stored: StoredEntry) -> QueueEntry {
        let mut context = stored.context;
        if context.history.is_empty() {
            context.history = stored.history;
        }
        QueueEntry {
            conversation_id: stored.conversation_id,
            customer_id: stored.customer_id,
            reasons: stored.reasons,
            priority: stored.priority,
            waiting_since: stored.waiting_since,
            arrival: stored.arrival,
            kind: stored.kind,
            state: stored.state,
            context,
        }
    }
}

/// A hand-over that ended, as the agent sees it in the conversation's
/// history: why, when, who, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastHandoff {
    /// Why it was handed over.
    pub reasons: Vec<Reason>,
    /// Its priority when it ended.
    pub priority: i64,
    /// Live chat or ticket.
    pub kind: EntryKind,
    /// Its one-line summary.
    pub summary: String,
    /// When it joined the queue.
    pub queued_at: Time,
    /// The agent who had it last, and since when.
    pub agent_id: Option<String>,
    /// When that agent took it.
    pub claimed_at: Option<Time>,
    /// When and how it ended.
    pub outcome: HandoffOutcome,
}

/// How a hand-over ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HandoffOutcome {
    /// An agent resolved it and the bot took the conversation back.
    Resolved {
        /// When.
        at: Time,
    },
}

/// How the shopper is to be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Live: the shopper waits in the chat.
    Queued,
    /// Offline: an agent answers later (outside service hours).
    Ticket,
}

/// Where a queue entry is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryState {
    /// No agent yet.
    Waiting,
    /// An agent took it.
    Claimed {
        /// The agent.
        agent_id: String,
        /// When.
        at: Time,
    },
    /// Done; the conversation went back to the bot.
    Resolved {
        /// When.
        at: Time,
        /// The agent who resolved it (absent in entries stored before it was kept).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_id: Option<String>,
        /// When that agent had taken it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        claimed_at: Option<Time>,
    },
}

impl EntryState {
    /// In words, for error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            EntryState::Waiting => "waiting".to_owned(),
            EntryState::Claimed { agent_id, .. } => format!("claimed by agent `{agent_id}`"),
            EntryState::Resolved { .. } => "already resolved".to_owned(),
        }
    }
}
