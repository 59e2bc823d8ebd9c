//! When and how a human takes over from the bot.
//!
//! `handoff` decides when a conversation goes to a person ([`escalate`]),
//! how urgent it is ([`priority`]), and what the agent gets to see
//! ([`Context`], [`build_context`]). It owns the conversations, their
//! messages and the agents' queue, and keeps them durable in sled
//! ([`Store`]): a write that returned is on disk.
//!
//! It knows nothing of HTTP, reads no clock (every `now` is passed in) and
//! holds no display text except the summary labels ([`SummaryLabels`]).
//!
//! ```no_run
//! # fn demo(u: &intents::Understanding, reply: &dialogs::Reply, now: dialogs::Time) -> Result<(), handoff::Error> {
//! use handoff::{build_context, escalate, priority, Policy, Signals, Store};
//!
//! let store = Store::open(std::path::Path::new("data/handoff"))?;
//! let conversation = store.create_conversation("C1001", intents::Lang::Zh, now)?;
//! let signals = Signals { understanding: u, reply, not_understood_streak: 0, tier: dialogs::Tier::Vip, recent: &[] };
//! let decision = escalate(&signals, &Policy::default());
//! if decision.escalate {
//!     let rank = priority(&decision.reasons, signals.tier, u.anger);
//!     let context = build_context(None, &decision.reasons, Vec::new(), Vec::new(), &conversation.id);
//!     store.enqueue(&conversation.id, decision.reasons, rank, context, now)?;
//! }
//! # Ok(()) }
//! ```
//!
//! Modules: `policy` (the escalation decision), `priority`, `context` (the
//! agent's view and its summary), `model` (stored records), `store` (sled
//! persistence, with the group-commit flusher), `team` (the agents'
//! profiles and handling times, durable), `duration` (how configuration
//! writes durations, for the bot's own settings too), `error`.

mod agents;
mod context;
pub mod duration;
mod error;
mod hours;
mod model;
mod policy;
mod priority;
mod routing;
mod skills;
mod sla;
mod spikes;
mod store;
mod team;
mod wait;

pub use agents::{
    Agent, AgentId, Needs, Presence, Roster, RosterError, Seats, Skill, DEFAULT_MAX_CHATS,
};
pub use context::{build_context, Context, SummaryLabels};
pub use error::Error;
pub use hours::{BusinessHours, Opening, Weekly};
pub use model::{
    Author, ConvStatus, Conversation, EntryKind, EntryState, HandoffOutcome, Message, NewMessage,
    PastHandoff, QueueEntry, TurnFacts, KEPT_HANDOFFS,
};
pub use policy::{escalate, Decision, Policy, Reason, Signals};
pub use priority::priority;
pub use routing::{route, seats_for, ticket_wait, Desk, Route, Shopper, TicketReason};
pub use skills::SkillRules;
pub use sla::{Breach, BreachKind, EntryFacts, SlaPolicy};
pub use spikes::{Spike, SpikeDetector, SpikePolicy};
pub use store::{open_db, FlushStats, HandoffRecord, Pending, RecordedTurn, Store, TurnRecord};
pub use team::Team;
pub use wait::{estimate_wait, overflow, HandlingStats, Overflow, OverflowPolicy};
