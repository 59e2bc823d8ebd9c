//! One shopper turn, end to end: understand → answer → maybe hand over.
//!
//! [`Bot`] is the engine behind both the HTTP API and `xiaoer chat`, so the
//! two can never disagree. Its methods are synchronous and may block on
//! sled's group commit: async callers run them in `spawn_blocking`. The one
//! exception is the hot path, a shopper's turn: [`Bot::handle_async`] does
//! the turn's (sub-millisecond) work on the calling task and then awaits the
//! group-commit flush, woken by the flusher, without a blocking thread.
//! With a remote shop (the merchant's order system over HTTP) a turn waits
//! on the network, so there the whole turn runs in `spawn_blocking`.
//!
//! A shop that fails does not fail the turn: the shopper's message is
//! recorded, they hear an apology and go to a person (`shop_failed`).
//!
//! Why it is safe to crash anywhere: a bot turn (the shopper's message, the
//! replies, the dialog state and maybe the queue entry) is one atomic write
//! (committed by a compare-and-swap of the conversation's head, or one sled
//! transaction when it touches the queue; see `handoff::Store`) made durable
//! by one group-commit flush, and only then is anything published or answered. A crash before the flush loses a turn
//! nobody was told about, never half a turn; so a handoff is on disk before
//! the shopper is told they are queued, and a reply the shopper saw always
//! matches the dialog state the next turn reads.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use dialogs::{Commerce, Pack, Reply, TurnInput};
use handoff::{
    Author, Context, ConvStatus, Conversation, Decision, EntryKind, HandoffRecord, Message,
    NewMessage, Pending, Policy, QueueEntry, RecordedTurn, Signals, Store, TurnRecord,
};
use handoff::{Route, TicketReason};
use intents::{Lang, Understanding};
use serde::Serialize;
use thiserror::Error;
use tracing::Instrument as _;

use crate::clock::Clock;
use crate::desk::{AgentUpdate, Desk};
use crate::hub::Hub;
use crate::metrics::Metrics;
use handoff::{Agent, Presence, SummaryLabels};

mod locks;
mod memo;
use locks::{TurnGuard, TurnLocks};
use memo::TurnShop;

/// Turns with a remote shop running at once, each on a blocking thread.
/// More wait (as tasks, holding no thread) for one to finish: an order
/// system that hangs must not take every blocking thread, which the agents'
/// actions and the store's reads need too.
pub const REMOTE_TURNS: usize = 64;

/// Orders looked up for one turn's spike counts and one hand-over's
/// context: a message can paste any number of order ids, and with the
/// merchant's order system each lookup is a request.
pub const MAX_ORDER_LOOKUPS: usize = 5;

/// What a turn or an agent action can fail with. Each maps to one HTTP status.
#[derive(Debug, Error)]
pub enum TurnError {
    #[error("message is empty")]
    EmptyMessage,
    #[error("message is {chars} characters long; the limit is {limit}")]
    MessageTooLong { chars: usize, limit: usize },
    #[error("no conversation with id `{0}`")]
    UnknownConversation(String),
    #[error("no customer with id `{0}`")]
    UnknownCustomer(String),
    #[error("conversation `{id}` is {status}, not {expected}")]
    WrongState {
        id: String,
        status: String,
        expected: &'static str,
    },
    #[error("agent id is empty")]
    MissingAgent,
    #[error("max_chats = {0} is outside the allowed range 1 to 100")]
    MaxChats(u32),
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("the desk refuses: {0}")]
    Desk(#[from] handoff::RosterError),
    #[error(transparent)]
    Store(#[from] handoff::Error),
    #[error(transparent)]
    Dialog(#[from] dialogs::DialogError),
    #[error(transparent)]
    Commerce(#[from] dialogs::CommerceError),
}

/// A turn written but not yet published, on the async path. If its caller
/// goes away while it waits for the flush (the future is dropped), a task
/// of its own waits instead and publishes it, holding the conversation's
/// lock until then (so the next turn's messages still come after it):
/// without it, a hand-over on disk would never be offered nor the queue
/// rung. Cheaper than running every turn in a task of its own (5 % more
/// instructions per turn, measured), since callers rarely go away.
struct Written {
    bot: Arc<Bot>,
    id: String,
    rest: Option<(Unfinished, Pending<RecordedTurn>, TurnGuard)>,
    arrived: Instant,
}

impl Drop for Written {
    fn drop(&mut self) {
        let Some((outcome, pending, lock)) = self.rest.take() else {
            return;
        };
        let (bot, id, arrived) = (
            Arc::clone(&self.bot),
            std::mem::take(&mut self.id),
            self.arrived,
        );
        // Outside a runtime (shutting down) nothing can wait: the write is
        // on its way to disk and the next round of the queue tells the rest.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _lock = lock;
                let result = match pending.await {
                    Ok(recorded) => Ok(bot.finish(&id, outcome, recorded)),
                    Err(e) => {
                        bot.abandon(&id, &outcome);
                        Err(TurnError::from(e))
                    }
                };
                bot.metrics.turn(&result, arrived.elapsed());
            });
        }
    }
}

/// The result of one shopper message.
#[derive(Debug, Clone, Serialize)]
pub struct TurnOutcome {
    pub conversation_id: String,
    /// The shopper's message as stored.
    pub shopper: Message,
    /// What the bot (and the system) said back, in order. Empty while a human
    /// has the conversation: the agent answers.
    pub replies: Vec<Message>,
    pub understanding: Understanding,
    /// Set when this turn handed the conversation over.
    pub handoff: Option<HandoffNotice>,
    pub status: ConvStatus,
}

/// A conversation's place in the human queue, for the shopper's widget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub status: ConvStatus,
    /// 1-based place while waiting; `None` once an agent has it or if it never waited.
    pub position: Option<usize>,
    pub kind: Option<EntryKind>,
    /// The expected wait in seconds while waiting ([`Desk::wait`]): in the
    /// live queue from the measured handling times and the agents online
    /// now (`None` if nobody online can take it); for a ticket, until the
    /// time the shopper was told a person answers, or sooner once someone
    /// online can take it.
    pub eta_seconds: Option<u64>,
}

/// What the shopper and the API learn about a handoff this turn made.
#[derive(Debug, Clone, Serialize)]
pub struct HandoffNotice {
    pub reasons: Vec<handoff::Reason>,
    pub priority: i64,
    /// 1-based place in the queue when it was made.
    pub position: usize,
    /// Live queue, callback or ticket, with the wait or the answer time.
    pub route: Option<Route>,
    /// The agent the conversation is offered to first (live queue only).
    pub offered_to: Option<String>,
}

/// The bot: content pack, shop, conversation store, policy and clock.
pub struct Bot {
    pack: RwLock<Arc<Pack>>,
    shop: Arc<dyn Commerce>,
    store: Store,
    policy: Policy,
    clock: Clock,
    max_message_chars: usize,
    desk: Desk,
    hub: Hub,
    // Turns of one conversation run one at a time (the dialog state is
    // read-modify-write), up to and including the publish after the flush,
    // so live listeners get a conversation's messages in seq order. One
    // lock per conversation in flight (see `locks`): strangers never wait
    // for each other.
    turns: Arc<TurnLocks>,
    metrics: Metrics,
    /// The shop blocks on the network (see [`Bot::with_remote_shop`]).
    remote_shop: bool,
    /// Permits for turns on blocking threads ([`REMOTE_TURNS`]).
    remote_turns: Arc<tokio::sync::Semaphore>,
}

impl Bot {
    pub fn new(
        pack: Pack,
        shop: Arc<dyn Commerce>,
        store: Store,
        policy: Policy,
        clock: Clock,
        max_message_chars: usize,
        desk: Desk,
    ) -> Bot {
        Bot {
            pack: RwLock::new(Arc::new(pack)),
            shop,
            store,
            policy,
            clock,
            max_message_chars,
            desk,
            hub: Hub::default(),
            turns: Arc::default(),
            metrics: Metrics::new(),
            remote_shop: false,
            remote_turns: Arc::new(tokio::sync::Semaphore::new(REMOTE_TURNS)),
        }
    }

    /// Says whether the shop's calls block on the network (`HttpShop`):
    /// then [`handle_async`](Bot::handle_async) runs each turn on a
    /// blocking thread instead of an async worker.
    pub fn with_remote_shop(mut self, remote: bool) -> Bot {
        self.remote_shop = remote;
        self
    }

    /// Why the bot cannot serve shoppers now, for the readiness probe: the
    /// store does not answer a read, or the shop says it is unavailable
    /// (the order system's circuit breaker is open). `None` when ready.
    pub fn unready(&self) -> Option<String> {
        if let Err(e) = self.store.conversation("") {
            return Some(format!("the store does not answer: {e}"));
        }
        self.shop.unavailable()
    }

    /// The content pack in force.
    pub fn pack(&self) -> Arc<Pack> {
        self.pack.read().expect("pack lock").clone()
    }

    /// Puts a new content pack in force. Turns already running finish with
    /// the pack they started with (they hold their own `Arc`).
    pub fn replace_pack(&self, pack: Pack) {
        *self.pack.write().expect("pack lock") = Arc::new(pack);
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// What the server counts (`GET /metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn now(&self) -> dialogs::Time {
        self.clock.now()
    }

    /// Takes the conversation's turn lock from synchronous code (never from
    /// an async task: use `spawn_blocking`).
    fn lock_blocking(&self, id: &str) -> TurnGuard {
        self.turns.lock_blocking(id)
    }

    /// Opens a conversation for a known customer and greets them in their language.
    pub fn start(
        &self,
        customer_id: &str,
        lang: Option<Lang>,
    ) -> Result<(Conversation, Vec<Message>), TurnError> {
        let customer = self
            .shop
            .customer(customer_id)
            .inspect_err(|_| self.metrics.shop_failed())?
            .ok_or_else(|| TurnError::UnknownCustomer(customer_id.to_string()))?;
        // The conversation is held in the profile's language and script
        // until the shopper writes in another: a first message that is
        // only an order number is answered in it too.
        let (lang, script) = customer.voice_in(lang);
        let now = self.now();
        let opened = dialogs::DialogState::opened_in((lang, script));
        let conversation = self
            .store
            .open_conversation(customer_id, lang, opened, now)?;
        let greeting = self.pack().greeting(lang, script);
        let message = self.publish(&conversation.id, NewMessage::bot(now, &greeting))?;
        Ok((conversation, vec![message]))
    }

    /// Handles one shopper message. The span carries the conversation id; the
    /// text itself is never logged (it may hold phone numbers and addresses).
    /// Blocks on the turn lock and the flush: not for async tasks (see
    /// [`handle_async`](Bot::handle_async)).
    #[tracing::instrument(name = "turn", skip_all, fields(conversation = %conversation_id))]
    pub fn handle(&self, conversation_id: &str, text: &str) -> Result<TurnOutcome, TurnError> {
        let arrived = Instant::now();
        let result = self.check_text(text).and_then(|text| {
            let lock = self.lock_blocking(conversation_id);
            self.handle_locked(conversation_id, text, &lock)
        });
        self.metrics.turn(&result, arrived.elapsed());
        result
    }

    /// The turn of [`handle`](Bot::handle), its text checked and its lock
    /// held by the caller; blocks on the shop and the flush.
    fn handle_locked(
        &self,
        conversation_id: &str,
        text: &str,
        _lock: &TurnGuard,
    ) -> Result<TurnOutcome, TurnError> {
        let begun = self.begin(conversation_id, text)?;
        let recorded = match begun.pending.wait() {
            Ok(recorded) => recorded,
            Err(e) => {
                self.abandon(conversation_id, &begun.outcome);
                return Err(e.into());
            }
        };
        Ok(self.finish(conversation_id, begun.outcome, recorded))
    }

    /// [`handle`](Bot::handle) for async callers: the same turn, but waiting
    /// for the turn lock and the flush suspends the task instead of
    /// blocking a thread. The turn's own work (classify, answer, write) runs
    /// on the calling task; it takes well under a millisecond.
    ///
    /// With a remote shop the turn waits on HTTP calls (up to their
    /// timeout), which would stall an async worker and every task queued on
    /// it: the turn runs in `spawn_blocking`, with the same lock, write,
    /// flush and publish in the same order, and it finishes even if the
    /// caller gives up waiting (the lock is released only after the
    /// publish). It takes a blocking thread only once it holds the
    /// conversation's lock and one of the [`REMOTE_TURNS`] permits: until
    /// then it waits as a task, so neither a shopper sending many messages
    /// at once nor a hanging order system can take every blocking thread.
    pub async fn handle_async(
        self: &Arc<Self>,
        conversation_id: &str,
        text: &str,
    ) -> Result<TurnOutcome, TurnError> {
        if self.remote_shop {
            return self.handle_remote(conversation_id, text).await;
        }
        let span = tracing::info_span!("turn", conversation = %conversation_id);
        let arrived = Instant::now();
        let result = async {
            let text = self.check_text(text)?;
            let lock = self.turns.lock(conversation_id).await;
            let begun = self.begin(conversation_id, text)?;
            // Written: from here the turn is published, offered and counted
            // even if the caller goes away during the flush (a client that
            // disconnects, the request timeout); see `Written`.
            let mut written = Written {
                bot: Arc::clone(self),
                id: conversation_id.to_owned(),
                rest: Some((begun.outcome, begun.pending, lock)),
                arrived,
            };
            let recorded = match written.rest.as_mut() {
                Some((_, pending, _)) => pending.await,
                None => unreachable!("set above"),
            };
            let (outcome, _, _lock) = written.rest.take().expect("set above");
            match recorded {
                Ok(recorded) => Ok(self.finish(conversation_id, outcome, recorded)),
                Err(e) => {
                    self.abandon(conversation_id, &outcome);
                    Err(e.into())
                }
            }
        }
        .instrument(span)
        .await;
        self.metrics.turn(&result, arrived.elapsed());
        result
    }

    /// [`handle_async`](Bot::handle_async) with a remote shop.
    async fn handle_remote(
        self: &Arc<Self>,
        conversation_id: &str,
        text: &str,
    ) -> Result<TurnOutcome, TurnError> {
        let arrived = Instant::now();
        let text = match self.check_text(text) {
            Ok(text) => text.to_owned(),
            Err(e) => {
                let result = Err(e);
                self.metrics.turn(&result, arrived.elapsed());
                return result;
            }
        };
        let Ok(permit) = Arc::clone(&self.remote_turns).acquire_owned().await else {
            return Err(TurnError::ShuttingDown); // never closed, in fact
        };
        let lock = self.turns.lock(conversation_id).await;
        let bot = Arc::clone(self);
        let id = conversation_id.to_owned();
        // The same span as `handle`'s, under the caller's.
        let span = tracing::info_span!("turn", conversation = %conversation_id);
        // Counted in the task: a turn whose caller went away still counts.
        let turn = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let result = span.in_scope(|| bot.handle_locked(&id, &text, &lock));
            bot.metrics.turn(&result, arrived.elapsed());
            result
        });
        match turn.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(TurnError::ShuttingDown),
        }
    }

    /// Publishes a durable turn and says what happened.
    fn finish(
        &self,
        conversation_id: &str,
        outcome: Unfinished,
        recorded: RecordedTurn,
    ) -> TurnOutcome {
        // Only a hand-over that is on disk is offered: a failed write must
        // leave no offer behind (it would be announced for a later entry).
        if let (Some(_), Some(agent)) = (&recorded.entry, &outcome.offered_to) {
            self.desk.offered(conversation_id, agent);
        }
        for m in &recorded.messages {
            self.hub.publish(conversation_id, m);
        }
        let mut stored = recorded.messages.into_iter();
        let shopper = stored
            .next()
            .expect("the shopper's message is recorded first");
        let notice = recorded.entry.as_ref().map(|entry| {
            tracing::info!(priority = entry.priority, reasons = ?entry.reasons, "handed over to the human queue");
            HandoffNotice {
                reasons: entry.reasons.clone(),
                priority: entry.priority,
                position: outcome.position,
                route: outcome.route.clone(),
                offered_to: outcome.offered_to.clone(),
            }
        });
        let status = match (&outcome.quiet, &notice) {
            (Some(status), _) => status.clone(),
            (None, Some(_)) => ConvStatus::Queued,
            (None, None) => ConvStatus::Bot,
        };
        TurnOutcome {
            conversation_id: conversation_id.to_string(),
            shopper,
            replies: stored.collect(),
            understanding: outcome.understanding,
            handoff: notice,
            status,
        }
    }

    /// The turn up to its write: understands, answers, decides, and writes
    /// the whole turn atomically. Nothing is published or answered until the
    /// returned write is durable. The caller holds the conversation's lock.
    fn begin(&self, conversation_id: &str, text: &str) -> Result<Begun, TurnError> {
        let conversation = self.conversation(conversation_id)?;
        let pack = self.pack();
        let understanding = pack.matcher().classify(text);
        // What the turn answers in, the bot's own notices too (an order id
        // alone keeps the conversation's language).
        let voice = conversation.dialog.voice_for(&understanding);
        let now = self.now();
        let mut shopper = NewMessage::shopper(now, &understanding);
        if !matches!(conversation.status, ConvStatus::Bot) {
            // A person has (or is about to take) the conversation: the bot
            // keeps quiet and the message waits for the agent; while nobody
            // has it yet, the shopper's first message after a notice of the
            // queue (queued, ticket, back in the queue) is acknowledged by
            // the bot (still waiting: the place, or the ticket's answer
            // time), so nobody writes into silence for an hour.
            let mut messages = vec![shopper];
            if conversation.status == ConvStatus::Queued {
                self.escalate_waiting(&conversation, &pack, &understanding, now)?;
                if let Some(text) = self.still_waiting(conversation_id, &pack, voice)? {
                    messages.push(bot_message(now, text));
                }
            }
            let pending = self
                .store
                .write_messages(conversation_id, messages)?
                .map(|messages| RecordedTurn {
                    messages,
                    entry: None,
                });
            return Ok(Begun {
                pending,
                outcome: Unfinished {
                    understanding,
                    position: 0,
                    route: None,
                    offered_to: None,
                    reserved: false,
                    quiet: Some(conversation.status),
                },
            });
        }
        let mut dialog = conversation.dialog.clone();
        let input = TurnInput {
            customer_id: &conversation.customer_id,
            understanding: &understanding,
            now,
        };
        // A remote shop is read through the turn's memo (see `memo`).
        let memo = self.remote_shop.then(|| TurnShop::new(self.shop.as_ref()));
        let shop: &dyn Commerce = match &memo {
            Some(memo) => memo,
            None => self.shop.as_ref(),
        };
        let answered = dialogs::respond(&pack, shop, &mut dialog, &input)
            .map_err(TurnError::from)
            .and_then(|reply| Ok((reply, shop.customer(&conversation.customer_id)?)));
        let (reply, customer, shop_up) = match answered {
            Ok((reply, customer)) => (reply, customer, true),
            Err(TurnError::Commerce(e) | TurnError::Dialog(dialogs::DialogError::Commerce(e))) => {
                // The dialog did not happen: its state stays as it was.
                dialog = conversation.dialog.clone();
                // The customer, if read before the failure (their tier
                // still counts), without asking the failing shop again.
                let customer = memo
                    .as_ref()
                    .and_then(|m| m.known_customer(&conversation.customer_id));
                (self.shop_failed(&pack, voice, &e), customer, false)
            }
            Err(e) => return Err(e),
        };
        // Once the shop failed this turn, nothing more is asked of it.
        let shop = shop_up.then_some(shop);
        // What the message meant here, when the intent alone does not say.
        if let (Some(facts), Some(flow)) = (shopper.turn.as_mut(), reply.flow.as_deref()) {
            if flow != pack.flow_name_for(&understanding.intent) {
                facts.flow = Some(flow.to_owned());
            }
        }
        let streak = if reply.understood {
            0
        } else {
            conversation.not_understood_streak + 1
        };
        let tier = customer.as_ref().map(|c| c.tier).unwrap_or_default();
        tracing::debug!(
            intent = %understanding.intent,
            confidence = understanding.confidence,
            anger = understanding.anger,
            understood = reply.understood,
            "understood"
        );
        let decision = handoff::escalate(
            &Signals {
                understanding: &understanding,
                reply: &reply,
                not_understood_streak: streak,
                tier,
                recent: &dialog.recent,
            },
            &self.policy,
        );

        // The whole turn is one atomic, durable write; the shopper hears
        // nothing (no publish, no HTTP answer) before it is on disk.
        let mut messages = vec![shopper];
        let mut position = 0;
        let mut route = None;
        let mut offered_to = None;
        // Whether this turn reserved the offer (see `Unfinished::reserved`).
        let mut reserved = false;
        if understanding.angry || understanding.intent == "complaint" {
            self.signal_spikes(shop, &conversation.customer_id, now, &understanding, &reply);
        }
        let record = if decision.escalate {
            let mut handoff = self.hand_over(
                shop,
                &conversation,
                customer,
                &decision,
                &reply,
                &dialog,
                &understanding,
                now,
            )?;
            position = self
                .store
                .rank(handoff.priority, &now, None, conversation_id)?;
            let routed = self.desk.route(
                now,
                &understanding.intent,
                voice.0,
                tier,
                understanding.anger,
                position,
            );
            if reply.handoff.is_some() || (reply.understood && !reply.clarifying) {
                messages.push(NewMessage::bot(now, &reply));
            } else if pack.has_text("handoff.not_understood", voice.0) {
                // Not the fallback ("I can't answer that, I can pass you
                // to a person"), nor "which do you mean?" with buttons
                // nobody will answer (an angry guess): the hand-over is
                // happening.
                let mut text = pack.say("handoff.not_understood", voice.0, voice.1, &[]);
                if understanding.angry && pack.has_text("apology.prefix", voice.0) {
                    text.insert_str(0, &pack.say("apology.prefix", voice.0, voice.1, &[]));
                }
                messages.push(bot_message(now, text));
            }
            let (kind, notice, answer_by) = self.route_notice(&pack, voice, &routed, position, now);
            handoff.kind = kind;
            // Kept with the entry: its wait runs to what the shopper is told.
            handoff.context.answer_by = answer_by;
            if kind == EntryKind::Queued {
                // The seat is held now; announced in `finish`, once the
                // entry is durable.
                if let Some((agent, new)) =
                    self.desk
                        .reserve_offer(conversation_id, &understanding.intent, voice.0)
                {
                    offered_to = Some(agent);
                    reserved = new;
                }
            }
            route = Some(routed);
            messages.push(system_message(now, notice));
            TurnRecord {
                messages,
                dialog: Some((dialog, 0)),
                handoff: Some(handoff),
            }
        } else {
            messages.push(NewMessage::bot(now, &reply));
            TurnRecord {
                messages,
                dialog: Some((dialog, streak)),
                handoff: None,
            }
        };
        let pending = match self.store.write_turn(conversation_id, record) {
            Ok(pending) => pending,
            Err(e) => {
                if reserved {
                    self.desk.withdraw_offer(conversation_id);
                }
                return Err(e.into());
            }
        };
        Ok(Begun {
            pending,
            outcome: Unfinished {
                understanding,
                position,
                route,
                offered_to,
                reserved,
                quiet: None,
            },
        })
    }

    /// A written turn whose flush failed: the seat its hand-over reserved
    /// is given back (nothing was queued).
    fn abandon(&self, conversation_id: &str, outcome: &Unfinished) {
        if outcome.reserved {
            self.desk.withdraw_offer(conversation_id);
        }
    }

    /// The answer when the shop failed (down, slow, or answering nonsense):
    /// the pack's apology, and a hand-over (situation `shop_unavailable`),
    /// so the shopper still reaches a person, who can look the order up in
    /// the merchant's system. The error is logged: it names the request and
    /// the cause, never the shopper's text; it is also the request's
    /// `note`, which the agent reads in the context package (`notes`).
    fn shop_failed(&self, pack: &Pack, voice: Voice, e: &dialogs::CommerceError) -> Reply {
        tracing::error!(error = %e, "the shop failed: apologised and handed over");
        self.metrics.shop_failed();
        Reply {
            text: pack.say("error.unavailable", voice.0, voice.1, &[]),
            buttons: Vec::new(),
            handoff: Some(dialogs::HandoffRequest {
                reason: SHOP_UNAVAILABLE.to_string(),
                note: Some(e.to_string()),
            }),
            orders: Vec::new(),
            understood: true,
            flow: None,
            clarifying: false,
        }
    }

    /// A waiting shopper who gets angry or complains ("我要打12315投诉") moves
    /// up: the entry gains the new reasons and the higher priority, keeping
    /// its place among equals (see [`handoff::Store::enqueue`] on a waiting
    /// conversation). Durable before the turn answers. The conversation's
    /// own policy triggers that need the bot's answer (not understood,
    /// repeated) do not apply while a person has it.
    fn escalate_waiting(
        &self,
        conversation: &Conversation,
        pack: &Pack,
        understanding: &Understanding,
        now: dialogs::Time,
    ) -> Result<(), TurnError> {
        let Some(entry) = self.store.entry(&conversation.id)? else {
            return Ok(());
        };
        if !matches!(entry.state, handoff::EntryState::Waiting) {
            return Ok(());
        }
        let tier = entry
            .context
            .customer
            .as_ref()
            .map(|c| c.tier)
            .unwrap_or_default();
        let quiet = Reply {
            text: String::new(),
            buttons: Vec::new(),
            handoff: None,
            orders: Vec::new(),
            understood: true,
            flow: None,
            clarifying: false,
        };
        let decision = handoff::escalate(
            &Signals {
                understanding,
                reply: &quiet,
                not_understood_streak: 0,
                tier,
                recent: &[],
            },
            &self.policy,
        );
        let same_kind = |a: &handoff::Reason, b: &handoff::Reason| {
            std::mem::discriminant(a) == std::mem::discriminant(b)
        };
        let new: Vec<handoff::Reason> = decision
            .reasons
            .into_iter()
            .filter(|r| !matches!(r, handoff::Reason::AskedForHuman))
            .filter(|r| !entry.reasons.iter().any(|old| same_kind(old, r)))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let mut reasons = entry.reasons.clone();
        reasons.extend(new);
        let priority = handoff::priority(&reasons, tier, understanding.anger);
        let mut context = entry.context.clone();
        context.reasons = reasons.clone();
        context.summary =
            summary_labels(pack).summarize(context.customer.as_ref(), &reasons, &context.orders);
        let id = &conversation.id;
        let updated = match entry.kind {
            EntryKind::Queued => self.store.enqueue(id, reasons, priority, context, now),
            EntryKind::Ticket => self.store.file_ticket(id, reasons, priority, context, now),
        };
        let updated = match updated {
            Ok(entry) => entry,
            // An agent took it meanwhile: they read the message themselves.
            Err(handoff::Error::AlreadyWithAgent { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        tracing::info!(conversation = %id, priority = updated.priority, "a waiting shopper's hand-over moved up");
        self.hub.queue_moved();
        Ok(())
    }

    /// What a waiting shopper who writes again is told, when the last message
    /// is a notice of the queue (a system message: queued, ticket, back in
    /// the queue), so once, not for every message: in the live queue their
    /// place (`handoff.waiting`), for a ticket when a person will answer
    /// (`handoff.ticket_noted`, when the pack has it).
    fn still_waiting(
        &self,
        id: &str,
        pack: &Pack,
        (lang, script): Voice,
    ) -> Result<Option<String>, TurnError> {
        let last = self.store.last_message(id)?;
        if last.is_none_or(|m| m.author != Author::System) {
            return Ok(None);
        }
        let Some(entry) = self.store.entry(id)? else {
            return Ok(None);
        };
        if !matches!(entry.state, handoff::EntryState::Waiting) {
            return Ok(None);
        }
        if let (EntryKind::Ticket, Some(answer_by), true) = (
            &entry.kind,
            entry.context.answer_by,
            pack.has_text("handoff.ticket_noted", lang),
        ) {
            let format = pack.say("format.datetime", lang, script, &[]);
            let when = answer_by.format(&format).to_string();
            return Ok(Some(pack.say(
                "handoff.ticket_noted",
                lang,
                script,
                &[("answer_by", when)],
            )));
        }
        self.waiting_notice(pack, (lang, script), &entry).map(Some)
    }

    /// "Still waiting, you are number N" for a waiting `entry`
    /// (`handoff.waiting`), its place counted now.
    fn waiting_notice(
        &self,
        pack: &Pack,
        (lang, script): Voice,
        entry: &handoff::QueueEntry,
    ) -> Result<String, TurnError> {
        let position = self.store.rank(
            entry.priority,
            &entry.waiting_since,
            Some(entry.arrival),
            &entry.conversation_id,
        )?;
        Ok(pack.say(
            "handoff.waiting",
            lang,
            script,
            &[("position", position.to_string())],
        ))
    }

    /// The kind of queue entry a route makes, what the shopper is told
    /// (place and wait in the live queue, or when a person will answer), and
    /// for a ticket that answer time.
    fn route_notice(
        &self,
        pack: &Pack,
        (lang, script): Voice,
        route: &Route,
        position: usize,
        now: dialogs::Time,
    ) -> (EntryKind, String, Option<dialogs::Time>) {
        let format = pack.say("format.datetime", lang, script, &[]);
        let when =
            |t: Option<dialogs::Time>| t.map(|t| t.format(&format).to_string()).unwrap_or_default();
        let minutes = |d: std::time::Duration| d.as_secs().div_ceil(60).max(1).to_string();
        let (kind, key, vars, promised) = match route {
            Route::LiveQueue { eta } => (
                EntryKind::Queued,
                "handoff.queued",
                vec![
                    ("position", position.to_string()),
                    ("minutes", minutes(*eta)),
                ],
                None,
            ),
            Route::Callback { eta } => {
                let target = self.desk.sla().ticket_first_response.max(*eta);
                let answer_by = self.desk.hours().answer_by(now, target);
                (
                    EntryKind::Ticket,
                    "handoff.callback",
                    vec![("minutes", minutes(*eta)), ("answer_by", when(answer_by))],
                    answer_by,
                )
            }
            Route::Ticket {
                opens_at,
                answer_by,
                why: TicketReason::AfterHours,
            } => (
                EntryKind::Ticket,
                "handoff.ticket_after_hours",
                vec![
                    ("opens_at", when(*opens_at)),
                    ("answer_by", when(*answer_by)),
                ],
                *answer_by,
            ),
            Route::Ticket { answer_by, .. } => (
                EntryKind::Ticket,
                "handoff.ticket",
                vec![("answer_by", when(*answer_by))],
                *answer_by,
            ),
        };
        (kind, pack.say(key, lang, script, &vars), promised)
    }

    /// Counts a complaint or an angry turn, per intent and per product of the
    /// orders it is about (the customer's own, the first
    /// [`MAX_ORDER_LOOKUPS`]), for the spike alerts. `shop` is `None` when
    /// it failed this turn: then only the intent counts.
    fn signal_spikes(
        &self,
        shop: Option<&dyn Commerce>,
        customer_id: &str,
        now: dialogs::Time,
        u: &Understanding,
        reply: &Reply,
    ) {
        self.desk.signal(now, &format!("intent:{}", u.intent));
        let Some(shop) = shop else { return };
        let mut ids: Vec<&String> = Vec::new();
        for id in reply.orders.iter().chain(u.slots.order_ids.iter()) {
            if !ids.contains(&id) && ids.len() < MAX_ORDER_LOOKUPS {
                ids.push(id);
            }
        }
        for id in ids {
            match shop.order(id) {
                Ok(Some(order)) if order.customer_id == customer_id => {
                    for item in &order.items {
                        self.desk.signal(now, &format!("sku:{}", item.sku));
                    }
                }
                Ok(_) => {}
                Err(_) => break, // logged by the context's lookups, if any
            }
        }
    }

    /// What the human queue needs: reasons, priority and the context package.
    #[allow(clippy::too_many_arguments)]
    fn hand_over(
        &self,
        shop: Option<&dyn Commerce>,
        conversation: &Conversation,
        customer: Option<dialogs::Customer>,
        decision: &Decision,
        reply: &Reply,
        dialog: &dialogs::DialogState,
        understanding: &Understanding,
        now: dialogs::Time,
    ) -> Result<HandoffRecord, TurnError> {
        let transcript = self.store.messages(&conversation.id, 0)?;
        let orders = match shop {
            Some(shop) => self.orders_mentioned(
                shop,
                conversation,
                &transcript,
                understanding,
                reply,
                dialog,
            ),
            None => Vec::new(),
        };
        let tier = customer.as_ref().map(|c| c.tier).unwrap_or_default();
        // The context's transcript is read fresh when an agent opens it.
        let mut context: Context = handoff::build_context(
            customer,
            &decision.reasons,
            orders,
            Vec::new(),
            &conversation.id,
        );
        let voice = conversation.dialog.voice_for(understanding);
        // The line in the queue, in the pack's words.
        context.summary = summary_labels(&self.pack()).summarize(
            context.customer.as_ref(),
            &decision.reasons,
            &context.orders,
        );
        context.suggested_replies =
            self.suggested_replies(&understanding.intent, voice, &decision.reasons);
        context.notes = reply
            .handoff
            .iter()
            .filter_map(|h| h.note.clone())
            .collect();
        Ok(HandoffRecord {
            kind: EntryKind::Queued,
            reasons: decision.reasons.clone(),
            priority: handoff::priority(&decision.reasons, tier, understanding.anger),
            context,
            now,
        })
    }

    /// The pack's standard replies for the intent of the turn that handed
    /// over, then for a complaint when one is among the reasons, else for
    /// asking for a person.
    fn suggested_replies(
        &self,
        intent: &str,
        (lang, script): Voice,
        reasons: &[handoff::Reason],
    ) -> Vec<String> {
        let pack = self.pack();
        let mut replies = pack.standard_replies(intent, lang, script);
        let complained = reasons
            .iter()
            .any(|r| matches!(r, handoff::Reason::Complaint));
        if complained && intent != self.policy.complaint_intent {
            replies.extend(pack.standard_replies(&self.policy.complaint_intent, lang, script));
        }
        if replies.is_empty() {
            replies = pack.standard_replies(&self.policy.human_intent, lang, script);
        }
        replies
    }

    /// Orders the conversation talked about, as they are now, limited to the
    /// customer's own (privacy holds for agents' context too: a shopper who
    /// pasted someone else's order number does not get it into the package),
    /// at most [`MAX_ORDER_LOOKUPS`]: the order the dialog is about, those
    /// of this turn, then the latest mentioned before.
    fn orders_mentioned(
        &self,
        shop: &dyn Commerce,
        conversation: &Conversation,
        transcript: &[Message],
        understanding: &Understanding,
        reply: &Reply,
        dialog: &dialogs::DialogState,
    ) -> Vec<dialogs::Order> {
        let earlier = transcript
            .iter()
            .rev()
            .filter_map(|m| m.turn.as_ref())
            .flat_map(|turn| turn.slots.order_ids.iter().rev());
        let mut ids: Vec<&String> = Vec::new();
        for id in dialog
            .current_order
            .iter()
            .chain(reply.orders.iter())
            .chain(understanding.slots.order_ids.iter())
            .chain(earlier)
        {
            if ids.len() == MAX_ORDER_LOOKUPS {
                break;
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut orders = Vec::new();
        for id in ids {
            match shop.order(id) {
                Ok(Some(order)) if order.customer_id == conversation.customer_id => {
                    orders.push(order);
                }
                Ok(_) => {}
                // The context helps the agent; a failing shop must not keep
                // the shopper from them (nor make them wait for more timeouts).
                Err(e) => {
                    tracing::warn!(error = %e, "the agent's context lacks the orders the shop could not give");
                    break;
                }
            }
        }
        orders
    }

    fn check_text<'t>(&self, text: &'t str) -> Result<&'t str, TurnError> {
        let text = text.trim();
        // What the matcher will read: zero-width and control characters
        // alone ("\u{200b}\u{200b}") say nothing either.
        if intents::normalize(text).is_empty() {
            return Err(TurnError::EmptyMessage);
        }
        let chars = text.chars().count();
        if chars > self.max_message_chars {
            return Err(TurnError::MessageTooLong {
                chars,
                limit: self.max_message_chars,
            });
        }
        Ok(text)
    }

    pub fn conversation(&self, id: &str) -> Result<Conversation, TurnError> {
        self.store
            .conversation(id)?
            .ok_or_else(|| TurnError::UnknownConversation(id.to_string()))
    }

    /// Messages after `after_seq`.
    pub fn messages(&self, id: &str, after_seq: u64) -> Result<Vec<Message>, TurnError> {
        self.conversation(id)?;
        Ok(self.store.messages(id, after_seq)?)
    }

    /// An agent takes a waiting conversation; the shopper is told.
    pub fn claim(&self, id: &str, agent_id: &str) -> Result<QueueEntry, TurnError> {
        let agent_id = agent(agent_id)?;
        let _turn = self.lock_blocking(id);
        let conversation = self.conversation(id)?;
        // The desk refuses an agent who is away or full before anything is stored.
        let new_seat = self.desk.claimed(agent_id, id)?;
        let entry = match self.store.claim(id, agent_id, self.now()) {
            Ok(entry) => entry,
            Err(e) => {
                // Only the seat this claim took: a second claim of a
                // conversation the agent holds must not free theirs.
                if new_seat {
                    self.desk.released(id, self.now(), None);
                }
                return Err(e.into());
            }
        };
        self.hub.queue_moved();
        let (lang, script) = voice(&conversation);
        let text = self.pack().say(
            "handoff.agent_joined",
            lang,
            script,
            &[("agent", self.agent_name(agent_id))],
        );
        self.publish(id, system_message(self.now(), text))?;
        Ok(entry)
    }

    /// What shoppers are told an agent is called: their name on the roster
    /// (`[[desk.agents]]`'s `name`, or the console's), else their id.
    fn agent_name(&self, agent_id: &str) -> String {
        self.desk
            .agent(agent_id)
            .map(|a| a.name)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| agent_id.to_string())
    }

    /// An agent takes the most urgent waiting conversation they can serve
    /// ([`Desk::pick`]: offered to them, else in their language with their
    /// skill, else in their language). `None` when nothing they can serve
    /// waits.
    pub fn pull(&self, agent_id: &str) -> Result<Option<QueueEntry>, TurnError> {
        let agent_id = agent(agent_id)?;
        self.desk.knows(agent_id)?;
        let waiting = self.store.queue()?;
        let pick = self.desk.pick(agent_id, &waiting, |id| {
            self.conversation(id).ok().map(|c| {
                let intent = c.dialog.recent.last().map(|t| t.intent.clone());
                (intent.unwrap_or_default(), voice(&c).0)
            })
        });
        match pick {
            Some(id) => self.claim(&id, agent_id).map(Some),
            None => Ok(None),
        }
    }

    /// Checks every open entry against the SLA; breaches not reported before
    /// become alerts (and webhook posts). Returns every current breach.
    pub fn check_sla(&self) -> Result<Vec<handoff::Breach>, TurnError> {
        let mut facts = Vec::new();
        for entry in self.store.open_entries()? {
            let transcript = self.store.messages(&entry.conversation_id, 0)?;
            facts.push(handoff::EntryFacts::new(&entry, &transcript));
        }
        let breaches = self
            .desk
            .sla()
            .breaches(self.desk.hours(), &facts, self.now());
        self.desk.report_breaches(breaches.clone());
        Ok(breaches)
    }

    /// Where a handed-over conversation stands: its place while it waits
    /// (1 = next), the expected wait, the kind of entry, and the
    /// conversation's status.
    pub fn place(&self, id: &str) -> Result<Place, TurnError> {
        let conversation = self.conversation(id)?;
        let entry = self.store.entry(id)?;
        let position = match &entry {
            Some(e) if e.state == handoff::EntryState::Waiting => {
                Some(
                    self.store
                        .rank(e.priority, &e.waiting_since, Some(e.arrival), id)?,
                )
            }
            _ => None,
        };
        Ok(self.place_at(conversation, entry.as_ref(), position))
    }

    /// The place of a conversation with `entry` at `position` (while it
    /// waits), with the expected wait ([`Desk::wait`]).
    fn place_at(
        &self,
        conversation: Conversation,
        entry: Option<&QueueEntry>,
        position: Option<usize>,
    ) -> Place {
        let eta_seconds = position
            .zip(entry)
            .and_then(|(position, entry)| {
                let intent = conversation
                    .dialog
                    .recent
                    .last()
                    .map_or("", |t| t.intent.as_str());
                let (now, lang) = (self.now(), voice(&conversation).0);
                self.desk.wait(now, entry, intent, lang, position)
            })
            .map(|wait| wait.as_secs());
        Place {
            eta_seconds,
            status: conversation.status,
            position,
            kind: entry.map(|e| e.kind),
        }
    }

    /// Works out every waiting conversation's place and wait as the queue
    /// is now, offers what an online agent has room for
    /// ([`Desk::offer_waiting`]), and tells the listening shoppers whose
    /// place changed (see [`Hub::tell_places`]) and the agents new offers and
    /// that the queue changed ([`Desk::announce_queue`]). What is told is on disk first.
    /// One scan of a small queue; run by the place watcher when the queue moves.
    pub fn tell_places(&self) -> Result<usize, TurnError> {
        let mut places = Vec::new();
        let mut needs = Vec::new();
        let waiting = self.store.queue()?;
        for (i, entry) in waiting.iter().enumerate() {
            let id = entry.conversation_id.clone();
            let Some(conversation) = self.store.conversation(&id)? else {
                continue;
            };
            let intent = conversation
                .dialog
                .recent
                .last()
                .map_or_else(String::new, |t| t.intent.clone());
            needs.push((id.clone(), intent, voice(&conversation).0));
            let place = self.place_at(conversation, Some(entry), Some(i + 1));
            places.push((id, place));
        }
        // A new entry is read before its turn's flush: tell nothing that
        // is not durable yet.
        self.store.sync()?;
        // What waits while someone could take it (an agent signed in, a
        // seat freed, a ticket filed while nobody was online) is offered.
        self.desk.offer_waiting(&needs);
        self.desk.announce_queue(&waiting);
        Ok(self.hub.tell_places(places, |id| self.place(id).ok()))
    }

    /// An agent writes to the shopper of a conversation they hold.
    pub fn agent_reply(&self, id: &str, agent_id: &str, text: &str) -> Result<Message, TurnError> {
        let agent_id = agent(agent_id)?;
        let text = self.check_text(text)?;
        let _turn = self.lock_blocking(id);
        self.require_holder(id, agent_id)?;
        self.publish(
            id,
            NewMessage {
                at: self.now(),
                author: Author::Agent {
                    agent_id: agent_id.to_string(),
                },
                text: text.to_string(),
                buttons: Vec::new(),
                turn: None,
            },
        )
    }

    /// The agent who holds a conversation passes it to another agent, or
    /// back to the queue (keeping its place) for another skill; the shopper
    /// is told. Returns the entry and, for the queue, who it is offered to.
    pub fn transfer(
        &self,
        id: &str,
        from: &str,
        to: Option<&str>,
        skill: Option<handoff::Skill>,
    ) -> Result<(QueueEntry, Option<String>), TurnError> {
        let from = agent(from)?;
        let _turn = self.lock_blocking(id);
        let conversation = self.require_holder(id, from)?;
        let now = self.now();
        let pack = self.pack();
        let (lang, script) = voice(&conversation);
        match to.map(str::trim).filter(|t| !t.is_empty()) {
            Some(to) => {
                self.desk.reassign(id, from, to, lang, now)?;
                let entry = match self.store.transfer(id, from, Some(to), now) {
                    Ok(entry) => entry,
                    Err(e) => {
                        let _ = self.desk.reassign(id, to, from, lang, now);
                        return Err(e.into());
                    }
                };
                let text = pack.say(
                    "handoff.agent_joined",
                    lang,
                    script,
                    &[("agent", self.agent_name(to))],
                );
                self.publish(id, system_message(now, text))?;
                Ok((entry, None))
            }
            None => {
                let entry = self.store.transfer(id, from, None, now)?;
                self.desk.released(id, now, None);
                self.hub.queue_moved();
                let intent = conversation
                    .dialog
                    .recent
                    .last()
                    .map(|t| t.intent.clone())
                    .unwrap_or_default();
                let offered = self.desk.offer_for(&intent, skill, lang, from);
                if let Some(agent) = &offered {
                    self.desk.offered(id, agent);
                }
                let text = self.waiting_notice(&pack, (lang, script), &entry)?;
                self.publish(id, system_message(now, text))?;
                Ok((entry, offered))
            }
        }
    }

    /// An agent closes their part; the bot serves the conversation again.
    pub fn resolve(&self, id: &str, agent_id: &str) -> Result<Conversation, TurnError> {
        let agent_id = agent(agent_id)?;
        let _turn = self.lock_blocking(id);
        let conversation = self.require_holder(id, agent_id)?;
        let claimed_at = self.store.entry(id)?.and_then(|e| match e.state {
            handoff::EntryState::Claimed { at, .. } => Some(at),
            _ => None,
        });
        self.store.resolve(id, agent_id, self.now())?;
        let handled = claimed_at.and_then(|at| (self.now() - at).to_std().ok());
        self.desk.released(id, self.now(), handled);
        // A seat came free: the waits ahead shorten.
        self.hub.queue_moved();
        let (lang, script) = voice(&conversation);
        let text = self.pack().say("handoff.resolved", lang, script, &[]);
        self.publish(id, system_message(self.now(), text))?;
        self.conversation(id)
    }

    /// Signs an agent in or out, or changes what they take
    /// ([`Desk::update_agent`]). An agent who signs out (offline) hands
    /// back what they hold: each conversation goes back to the queue,
    /// keeping its place, and is offered to someone else (as a transfer to
    /// the queue does; the shopper is told their place). Away keeps them.
    pub fn update_agent(&self, agent_id: &str, update: AgentUpdate) -> Result<Agent, TurnError> {
        let agent_id = agent(agent_id)?;
        if let Some(max) = update
            .max_chats
            .filter(|m| !crate::desk::MAX_CHATS.contains(m))
        {
            return Err(TurnError::MaxChats(max));
        }
        let offline = update.presence == Presence::Offline;
        let agent = self.desk.update_agent(agent_id, update, self.now())?;
        if !offline {
            return Ok(agent);
        }
        // What the store says they hold, and what the desk does (the same,
        // unless an earlier failure left them apart).
        let mut held = agent.active.clone();
        held.extend(
            self.claimed_holds()?
                .into_iter()
                .filter(|(holder, _)| holder == agent_id)
                .map(|(_, id)| id),
        );
        if held.is_empty() {
            return Ok(agent);
        }
        for id in &held {
            self.hand_back(id, agent_id);
        }
        Ok(self.desk.agent(agent_id).unwrap_or(agent))
    }

    /// `(agent, conversation)` for every conversation the store says an
    /// agent holds.
    fn claimed_holds(&self) -> Result<Vec<(String, String)>, TurnError> {
        Ok(self
            .store
            .open_entries()?
            .into_iter()
            .filter_map(|e| match e.state {
                handoff::EntryState::Claimed { agent_id, .. } => {
                    Some((agent_id, e.conversation_id))
                }
                _ => None,
            })
            .collect())
    }

    /// After a start: gives the agents back the conversations the store
    /// says they held ([`Desk::restore`]). Returns how many.
    pub fn restore_holds(&self) -> Result<usize, TurnError> {
        let holds = self.claimed_holds()?;
        let total = holds.len();
        self.desk.restore(holds, self.now());
        Ok(total)
    }

    /// Sends back to the queue the conversations of agents who held them
    /// when the server started and have not signed in within the desk's
    /// `return_after` ([`Desk::overdue_holds`]). Run with the SLA check.
    /// Returns how many went back.
    pub fn return_overdue_holds(&self) -> usize {
        let holds = self.desk.overdue_holds(self.now());
        let mut returned = 0;
        for (agent_id, id) in &holds {
            // Signed in meanwhile: theirs after all.
            if self.desk.presence(agent_id) != Some(Presence::Offline) {
                continue;
            }
            tracing::info!(conversation = %id, agent = %agent_id, "agent did not come back: back to the queue");
            self.hand_back(id, agent_id);
            returned += 1;
        }
        returned
    }

    /// Puts a conversation `agent_id` holds back in the queue, logging a
    /// failure (the conversation then stays with them, as before).
    fn hand_back(&self, id: &str, agent_id: &str) {
        if let Err(e) = self.transfer(id, agent_id, None, None) {
            tracing::error!(conversation = %id, agent = %agent_id, "could not put the conversation back in the queue: {e}");
        }
    }

    /// The context package of a conversation that was handed over.
    pub fn context(&self, id: &str) -> Result<Context, TurnError> {
        self.conversation(id)?;
        self.store
            .context(id)?
            .ok_or_else(|| TurnError::WrongState {
                id: id.to_string(),
                status: "not handed over".into(),
                expected: "handed over",
            })
    }

    fn require_holder(&self, id: &str, agent_id: &str) -> Result<Conversation, TurnError> {
        let conversation = self.conversation(id)?;
        match &conversation.status {
            ConvStatus::WithAgent { agent_id: holder } if holder == agent_id => Ok(conversation),
            other => Err(TurnError::WrongState {
                id: id.to_string(),
                status: status_name(other),
                expected: "held by this agent",
            }),
        }
    }

    /// Appends durably, then tells live listeners.
    fn publish(&self, id: &str, message: NewMessage) -> Result<Message, TurnError> {
        let message = self.store.append(id, message)?;
        self.hub.publish(id, &message);
        Ok(message)
    }
}

/// The language and script a text is said in.
type Voice = (Lang, intents::Script);

/// The situation code of a hand-over because the shop failed.
pub const SHOP_UNAVAILABLE: &str = "shop_unavailable";

/// A turn written but not yet durable.
struct Begun {
    pending: Pending<RecordedTurn>,
    outcome: Unfinished,
}

/// What the answer needs besides the stored messages.
struct Unfinished {
    understanding: Understanding,
    /// Place in the queue, when the turn handed over.
    position: usize,
    /// Where the hand-over went.
    route: Option<Route>,
    offered_to: Option<String>,
    /// The offer was reserved by this turn (not one the conversation had).
    reserved: bool,
    /// The conversation's status when the bot kept quiet (not with the bot).
    quiet: Option<ConvStatus>,
}

fn agent(agent_id: &str) -> Result<&str, TurnError> {
    let agent_id = agent_id.trim();
    if agent_id.is_empty() {
        Err(TurnError::MissingAgent)
    } else {
        Ok(agent_id)
    }
}

fn status_name(status: &ConvStatus) -> String {
    match status {
        ConvStatus::Bot => "with the bot".into(),
        ConvStatus::Queued => "waiting in the queue".into(),
        ConvStatus::WithAgent { agent_id } => format!("held by agent {agent_id}"),
    }
}

/// The language and script the shopper last wrote in (a traditional-Chinese
/// shopper hears system notices in traditional characters too), else the
/// conversation's language.
/// The words of the agents' queue summary from the pack's `summary.*`
/// texts; what a pack leaves out keeps [`SummaryLabels`]' default.
fn summary_labels(pack: &Pack) -> SummaryLabels {
    let mut labels = SummaryLabels::default();
    for (key, text) in pack.summary_texts() {
        let field = match key.as_str() {
            "separator" => &mut labels.separator,
            "vip" => &mut labels.vip,
            "svip" => &mut labels.svip,
            "order" => &mut labels.order,
            "anger" => &mut labels.anger,
            "asked_for_human" => &mut labels.asked_for_human,
            "complaint" => &mut labels.complaint,
            "not_understood" => &mut labels.not_understood,
            "rising_anger" => &mut labels.rising_anger,
            "repeated" => &mut labels.repeated,
            _ => match key.strip_prefix("situation.") {
                Some(code) => labels.situations.entry(code.to_owned()).or_default(),
                None => continue,
            },
        };
        *field = text;
    }
    labels
}

/// The language and script the conversation is in now (the shopper's last
/// words, else the one it opened in): what the shopper is answered in, and
/// so what every desk decision about it (offers, pull, transfer, waits)
/// goes by.
fn voice(conversation: &Conversation) -> (Lang, intents::Script) {
    conversation.dialog.lang.unwrap_or(match conversation.lang {
        Lang::Zh => (Lang::Zh, intents::Script::Simplified),
        Lang::En => (Lang::En, intents::Script::Latin),
    })
}

/// A line the bot says outside any flow ("收到,已补充到工单").
fn bot_message(at: dialogs::Time, text: String) -> NewMessage {
    NewMessage {
        author: Author::Bot,
        ..system_message(at, text)
    }
}

fn system_message(at: dialogs::Time, text: String) -> NewMessage {
    NewMessage {
        at,
        author: Author::System,
        text,
        buttons: Vec::new(),
        turn: None,
    }
}

#[cfg(test)]
mod tests;
