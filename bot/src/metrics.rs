//! What the server counts, for `GET /metrics` (Prometheus / OpenMetrics
//! text). Turns are counted and timed as they finish; the queue and the
//! roster are read when the metrics are scraped.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `xiaoer_turns_total` | counter | `outcome`: `bot` (answered), `handoff` (handed over this turn), `human` (waiting for or held by a person: the bot answered nothing, at most a note that the message was received) |
//! | `xiaoer_turn_errors_total` | counter | `kind`: `bad_request` (empty, too long), `unknown_conversation`, `storage`, `dialog`, `commerce`, `other` |
//! | `xiaoer_turn_duration_seconds` | histogram | — : from the message's arrival to its durable answer, the wait for the conversation's earlier turn included |
//! | `xiaoer_intents_total` | counter | `intent` (the pack's intent ids) |
//! | `xiaoer_angry_messages_total` | counter | — |
//! | `xiaoer_handoff_reasons_total` | counter | `reason`: the [`Reason`] kind (`anger`, `complaint`, `situation`, …) |
//! | `xiaoer_handoff_situations_total` | counter | `code`: the content pack's reason code of a `situation` hand-over (`lost_parcel`, `damaged_parcel`, `shop_unavailable`, …) |
//! | `xiaoer_queue_entries` | gauge | `kind` (`queued`, `ticket`), `state` (`waiting`, `claimed`) |
//! | `xiaoer_agents` | gauge | `presence` (`online`, `away`, `offline`) |
//! | `xiaoer_store_flushes_total` | counter | — : group-commit flushes (each an `fsync` of sled's log) |
//! | `xiaoer_store_flushed_writes_total` | counter | — : writes they made durable (per flush: the batch) |
//! | `xiaoer_store_flush_seconds_total` | counter | — : time spent flushing (per flush: the disk's latency) |
//! | `xiaoer_store_flush_failures_total` | counter | — |
//! | `xiaoer_shop_failures_total` | counter | — : the order system failed a turn (the shopper got the apology and a person) or the opening of a conversation (502) |

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use handoff::{ConvStatus, EntryKind, EntryState, FlushStats, Presence, Reason};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::turn::{Bot, TurnError, TurnOutcome};

/// The `outcome` label's values (see [`Metrics::turn`]).
const OUTCOMES: [&str; 3] = ["bot", "handoff", "human"];

/// The `kind` label's values of the turn errors.
const ERROR_KINDS: [&str; 6] = [
    "bad_request",
    "unknown_conversation",
    "storage",
    "dialog",
    "commerce",
    "other",
];

/// Upper bounds of the turn duration buckets, in seconds: a durable turn
/// takes a few milliseconds (a flush included), so they are finest there,
/// with 5 ms (the load target's p99) as one of them; the longest reach past
/// the merchant's order system's timeouts (3 s each by default).
const TURN_BUCKETS: [f64; 25] = [
    0.000_25, 0.000_5, 0.000_75, 0.001, 0.001_5, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01,
    0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorKind {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IntentLabel {
    intent: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SituationLabel {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EntryLabels {
    kind: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PresenceLabel {
    presence: &'static str,
}

/// The server's counters, histogram and gauges, registered once.
pub struct Metrics {
    registry: Registry,
    turns: Family<Outcome, Counter>,
    errors: Family<ErrorKind, Counter>,
    duration: Histogram,
    intents: Family<IntentLabel, Counter>,
    angry: Counter,
    reasons: Family<ReasonLabel, Counter>,
    situations: Family<SituationLabel, Counter>,
    entries: Family<EntryLabels, Gauge>,
    agents: Family<PresenceLabel, Gauge>,
    flushes: Counter,
    flushed_writes: Counter,
    flush_seconds: Counter<f64, AtomicU64>,
    flush_failures: Counter,
    shop_failures: Counter,
    /// One scrape at a time fills the gauges; it keeps the store's flush
    /// figures as the last scrape saw them (the counters grow by the
    /// difference).
    scrape: Mutex<FlushStats>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("xiaoer");
        let turns = Family::<Outcome, Counter>::default();
        registry.register(
            "turns",
            "Shopper messages handled, by what became of them",
            turns.clone(),
        );
        let errors = Family::<ErrorKind, Counter>::default();
        registry.register(
            "turn_errors",
            "Shopper messages that failed, by cause",
            errors.clone(),
        );
        let duration = Histogram::new(TURN_BUCKETS.iter().copied());
        registry.register(
            "turn_duration_seconds",
            "Time from a shopper message's arrival to its durable answer",
            duration.clone(),
        );
        let intents = Family::<IntentLabel, Counter>::default();
        registry.register(
            "intents",
            "Shopper messages by the intent understood",
            intents.clone(),
        );
        let angry = Counter::default();
        registry.register(
            "angry_messages",
            "Shopper messages scored angry",
            angry.clone(),
        );
        let reasons = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "handoff_reasons",
            "Triggers of hand-overs to a person (a hand-over can have several)",
            reasons.clone(),
        );
        let situations = Family::<SituationLabel, Counter>::default();
        registry.register(
            "handoff_situations",
            "Hand-overs the content pack asked for, by its reason code (lost_parcel, shop_unavailable, …)",
            situations.clone(),
        );
        let entries = Family::<EntryLabels, Gauge>::default();
        registry.register(
            "queue_entries",
            "Conversations in the human queue and tickets, by state",
            entries.clone(),
        );
        let agents = Family::<PresenceLabel, Gauge>::default();
        registry.register("agents", "Agents by presence", agents.clone());
        let flushes = Counter::default();
        registry.register(
            "store_flushes",
            "Group-commit flushes of the store (each an fsync of its log)",
            flushes.clone(),
        );
        let flushed_writes = Counter::default();
        registry.register(
            "store_flushed_writes",
            "Writes made durable by those flushes",
            flushed_writes.clone(),
        );
        let flush_seconds = Counter::<f64, AtomicU64>::default();
        registry.register(
            "store_flush_seconds",
            "Time spent flushing the store",
            flush_seconds.clone(),
        );
        let flush_failures = Counter::default();
        registry.register(
            "store_flush_failures",
            "Flushes of the store that failed",
            flush_failures.clone(),
        );
        let shop_failures = Counter::default();
        registry.register(
            "shop_failures",
            "Turns and conversation openings the merchant's order system failed",
            shop_failures.clone(),
        );
        // Every series a dashboard or an alert asks for exists from the
        // start, at 0: a series that appears only with its first event is
        // "no data" until then, and `rate()` misses that first event.
        for outcome in OUTCOMES {
            turns.get_or_create(&Outcome { outcome }).inc_by(0);
        }
        for kind in ERROR_KINDS {
            errors.get_or_create(&ErrorKind { kind }).inc_by(0);
        }
        Metrics {
            registry,
            turns,
            errors,
            duration,
            intents,
            angry,
            reasons,
            situations,
            entries,
            agents,
            flushes,
            flushed_writes,
            flush_seconds,
            flush_failures,
            shop_failures,
            scrape: Mutex::new(FlushStats::default()),
        }
    }

    /// Counts a finished turn and how long it took.
    /// The order system failed a turn or the opening of a conversation.
    pub(crate) fn shop_failed(&self) {
        self.shop_failures.inc();
    }

    pub(crate) fn turn(&self, result: &Result<TurnOutcome, TurnError>, took: Duration) {
        match result {
            Ok(outcome) => {
                self.duration.observe(took.as_secs_f64());
                let kind = if let Some(notice) = &outcome.handoff {
                    for reason in &notice.reasons {
                        self.reasons
                            .get_or_create(&ReasonLabel {
                                reason: reason_kind(reason),
                            })
                            .inc();
                        if let Reason::Situation { code } = reason {
                            self.situations
                                .get_or_create(&SituationLabel { code: code.clone() })
                                .inc();
                        }
                    }
                    "handoff"
                } else if outcome.status != ConvStatus::Bot {
                    "human"
                } else {
                    "bot"
                };
                self.turns.get_or_create(&Outcome { outcome: kind }).inc();
                let u = &outcome.understanding;
                self.intents
                    .get_or_create(&IntentLabel {
                        intent: u.intent.clone(),
                    })
                    .inc();
                if u.angry {
                    self.angry.inc();
                }
            }
            Err(e) => {
                let kind = match e {
                    TurnError::EmptyMessage | TurnError::MessageTooLong { .. } => "bad_request",
                    TurnError::UnknownConversation(_) => "unknown_conversation",
                    TurnError::Store(_) => "storage",
                    TurnError::Dialog(_) => "dialog",
                    TurnError::Commerce(_) => "commerce",
                    _ => "other",
                };
                self.errors.get_or_create(&ErrorKind { kind }).inc();
            }
        }
    }

    /// The metrics as OpenMetrics text, with the queue and the roster read now.
    pub fn render(&self, bot: &Bot) -> Result<String, TurnError> {
        let mut seen = self.scrape.lock().unwrap_or_else(PoisonError::into_inner);
        let stats = bot.store().flush_stats();
        self.flushes.inc_by(stats.flushes - seen.flushes);
        self.flushed_writes.inc_by(stats.writes - seen.writes);
        self.flush_seconds.inc_by(stats.seconds - seen.seconds);
        self.flush_failures.inc_by(stats.failures - seen.failures);
        *seen = stats;
        // Waiting and claimed entries: the same scan the SLA watch makes.
        let queue = bot.store().open_entries()?;
        self.entries.clear();
        // Present even at zero, as the agents below: an empty queue reads 0,
        // not "no data".
        for kind in ["queued", "ticket"] {
            for state in ["waiting", "claimed"] {
                self.entries
                    .get_or_create(&EntryLabels { kind, state })
                    .set(0);
            }
        }
        for entry in queue {
            let state = match entry.state {
                EntryState::Waiting => "waiting",
                EntryState::Claimed { .. } => "claimed",
                _ => continue,
            };
            let kind = match entry.kind {
                EntryKind::Queued => "queued",
                EntryKind::Ticket => "ticket",
            };
            self.entries
                .get_or_create(&EntryLabels { kind, state })
                .inc();
        }
        self.agents.clear();
        for presence in ["online", "away", "offline"] {
            // Present even at zero, so a dashboard shows "nobody online".
            self.agents
                .get_or_create(&PresenceLabel { presence })
                .set(0);
        }
        for agent in bot.desk().agents() {
            let presence = match agent.presence {
                Presence::Online => "online",
                Presence::Away => "away",
                Presence::Offline => "offline",
            };
            self.agents.get_or_create(&PresenceLabel { presence }).inc();
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        Ok(text)
    }
}

/// A hand-over reason's kind, as its JSON `kind` says it.
fn reason_kind(reason: &Reason) -> &'static str {
    match reason {
        Reason::AskedForHuman => "asked_for_human",
        Reason::Complaint => "complaint",
        Reason::Anger { .. } => "anger",
        Reason::NotUnderstood { .. } => "not_understood",
        Reason::RisingAnger { .. } => "rising_anger",
        Reason::RepeatedIntent { .. } => "repeated_intent",
        Reason::Situation { .. } => "situation",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}
