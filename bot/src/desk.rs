//! The agents' desk at run time: who is on duty, how long chats take, the
//! shop's hours, service targets, overflow, and alerts (spikes of complaints
//! or anger, SLA breaches). The decisions are `handoff`'s pure functions;
//! this module keeps the live state they are asked about.
//!
//! The roster is in memory, its profiles (skills, languages, most chats)
//! and the handling times also on disk ([`handoff::Team`]): agents announce
//! themselves (`PUT /api/agent/agents/{id}`) when their console opens, and a
//! restarted server starts with everybody offline until they do, holding
//! again what the store says they held ([`Desk::restore`]) for
//! `return_after`. Queue entries themselves are durable in the handoff
//! store; nothing here is needed to recover them.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use dialogs::{Tier, Time};
use handoff::{
    Agent, Breach, BreachKind, BusinessHours, Desk as DeskView, EntryKind, HandlingStats, Needs,
    OverflowPolicy, Presence, QueueEntry, Roster, RosterError, Route, Shopper, Skill, SkillRules,
    SlaPolicy, Spike, SpikeDetector, SpikePolicy, Team,
};
use intents::Lang;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::webhook::Webhook;

/// How many alerts the desk keeps for the agents' API.
const KEPT_ALERTS: usize = 200;

/// Desk events a slow console may fall behind by before it is told it lagged.
const EVENTS_CAPACITY: usize = 256;

/// The `[desk]` configuration: every part has defaults (see the README).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskConfig {
    #[serde(default)]
    pub hours: BusinessHours,
    #[serde(default)]
    pub skills: SkillRules,
    #[serde(default)]
    pub sla: SlaPolicy,
    #[serde(default)]
    pub handling: HandlingStats,
    #[serde(default)]
    pub overflow: OverflowPolicy,
    #[serde(default)]
    pub spikes: SpikePolicy,
    /// The team, known before anyone signs in (they start offline).
    #[serde(default)]
    pub agents: Vec<Agent>,
    /// Where alerts (spikes, SLA breaches) are POSTed as JSON, if anywhere.
    #[serde(default)]
    pub webhook: Option<String>,
    /// How long conversations an agent held when the server stopped wait
    /// for that agent to sign in again before they go back to the queue.
    #[serde(default = "default_return_after", with = "handoff::duration")]
    pub return_after: Duration,
}

/// The default of [`DeskConfig::return_after`]: time for a console to
/// reconnect after a restart.
pub const DEFAULT_RETURN_AFTER: Duration = Duration::from_secs(5 * 60);

fn default_return_after() -> Duration {
    DEFAULT_RETURN_AFTER
}

impl Default for DeskConfig {
    fn default() -> DeskConfig {
        DeskConfig {
            hours: BusinessHours::default(),
            skills: SkillRules::default(),
            sla: SlaPolicy::default(),
            handling: HandlingStats::default(),
            overflow: OverflowPolicy::default(),
            spikes: SpikePolicy::default(),
            agents: Vec::new(),
            webhook: None,
            return_after: DEFAULT_RETURN_AFTER,
        }
    }
}

/// What an agent's console says about its agent when it signs in or changes state.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    pub presence: Presence,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub skills: Option<Vec<Skill>>,
    #[serde(default)]
    pub languages: Option<Vec<Lang>>,
    #[serde(default)]
    pub max_chats: Option<u32>,
}

/// Something the agents should look at now.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    /// Complaints or anger about one intent or product well above their baseline.
    Spike(Spike),
    /// A service target was missed (reported once per conversation and
    /// target). Nested, as the breach has a `kind` of its own.
    SlaBreach { breach: Breach },
}

/// What the agents' consoles hear live (`GET /api/agent/events`), each as
/// an SSE event named by its `kind`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeskEvent {
    /// A waiting conversation is offered to `agent_id` first (announced once
    /// its entry is on disk).
    Offer {
        conversation_id: String,
        agent_id: String,
        priority: i64,
        reasons: Vec<handoff::Reason>,
        summary: String,
    },
    /// Someone signed in or out, changed what they take, or took or let go
    /// of a conversation: the roster as it is now.
    Agents { agents: Vec<Agent> },
    /// A new alert (spike, SLA breach).
    Alert { alert: Alert },
    /// What waits changed (read `GET /api/agent/queue` again).
    Queue { waiting: usize },
}

/// Live desk state behind one lock (every operation under it is a few map
/// updates; writes to the store happen after it is let go).
pub struct Desk {
    hours: BusinessHours,
    return_after: Duration,
    skills: SkillRules,
    sla: SlaPolicy,
    overflow: OverflowPolicy,
    state: Mutex<State>,
    webhook: Option<Webhook>,
    events: broadcast::Sender<DeskEvent>,
    /// Where profiles and handling times are kept, if anywhere.
    team: Option<Team>,
    /// Taken by a profile change until it is on disk (see
    /// [`update_agent`](Desk::update_agent)); never while holding `state`.
    profiles: Mutex<()>,
    /// The version of the handling times last saved, taken only around a
    /// save ([`released`](Desk::released)): never while holding `state`.
    handling_saves: Mutex<u64>,
}

impl State {
    /// Offers made to each agent and not taken yet.
    fn promised(&self) -> HashMap<String, u32> {
        let mut promised: HashMap<String, u32> = HashMap::new();
        for agent in self.offers.values() {
            *promised.entry(agent.clone()).or_default() += 1;
        }
        promised
    }
}

struct State {
    /// Breaches already reported, so each is reported once.
    reported: HashSet<(String, BreachKind)>,
    roster: Roster,
    stats: HandlingStats,
    spikes: SpikeDetector,
    alerts: VecDeque<Alert>,
    /// Conversation → the agent it was offered to first.
    offers: HashMap<String, String>,
    /// Offers already announced to their agent.
    announced: HashSet<String>,
    /// The waiting conversations, in order, as last announced.
    waiting: Vec<String>,
    /// Counts the changes of `stats`, so an older copy is never saved over
    /// a newer one.
    stats_version: u64,
    /// Agents who held conversations when the server started and have not
    /// signed in since, with the time their wait began (see
    /// [`Desk::restore`]).
    restored: HashMap<String, Time>,
}

/// The `max_chats` an agent may have, in the configuration and through the API.
pub const MAX_CHATS: std::ops::RangeInclusive<u32> = 1..=100;

impl Desk {
    pub fn new(config: DeskConfig) -> Desk {
        Desk {
            hours: config.hours,
            return_after: config.return_after,
            skills: config.skills,
            sla: config.sla,
            overflow: config.overflow,
            state: Mutex::new(State {
                // A configured agent without a name is shown by their id.
                roster: Roster::from(
                    config
                        .agents
                        .into_iter()
                        .map(|mut a| {
                            if a.name.trim().is_empty() {
                                a.name = a.id.clone();
                            }
                            a
                        })
                        .collect::<Vec<_>>(),
                ),
                stats: config.handling,
                spikes: SpikeDetector::new(config.spikes),
                alerts: VecDeque::new(),
                offers: HashMap::new(),
                announced: HashSet::new(),
                waiting: Vec::new(),
                stats_version: 0,
                reported: HashSet::new(),
                restored: HashMap::new(),
            }),
            webhook: config.webhook.map(Webhook::start),
            events: broadcast::channel(EVENTS_CAPACITY).0,
            team: None,
            profiles: Mutex::new(()),
            handling_saves: Mutex::new(0),
        }
    }

    /// Keeps the agents' profiles and the handling times in `team`, and
    /// starts from what it saved: a profile saved by an agent's console wins
    /// over the configured one, and everybody starts offline. The
    /// configuration's `window` and `prior` win over the saved ones.
    pub fn with_team(mut self, team: Team) -> Result<Desk, handoff::Error> {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        for agent in team.agents()? {
            if let Some(configured) = state.roster.agent(&agent.id) {
                let differs = profile_differences(configured, &agent);
                if !differs.is_empty() {
                    // Otherwise an edit of [[desk.agents]] seems to do nothing.
                    tracing::info!(
                        agent = %agent.id,
                        "the profile saved by the agent's console wins over [[desk.agents]]: {}",
                        differs.join(", ")
                    );
                }
            }
            state.roster.upsert(agent);
        }
        if let Some(mut saved) = team.handling()? {
            saved.window = state.stats.window;
            saved.prior = state.stats.prior;
            state.stats = saved;
        }
        self.team = Some(team);
        Ok(self)
    }
    /// Listens to the desk's events.
    pub fn subscribe(&self) -> broadcast::Receiver<DeskEvent> {
        self.events.subscribe()
    }

    fn announce(&self, event: DeskEvent) {
        // Nobody listening is fine: consoles read the state when they connect.
        let _ = self.events.send(event);
    }

    fn announce_roster(&self, state: &State) {
        if self.events.receiver_count() > 0 {
            let agents = state.roster.agents().cloned().collect();
            self.announce(DeskEvent::Agents { agents });
        }
    }

    /// Announces, for the queue as it is now (`waiting`, in serving order,
    /// already on disk), the offers not announced yet, and that the queue
    /// changed if it did.
    pub fn announce_queue(&self, waiting: &[handoff::QueueEntry]) {
        let mut state = self.lock();
        for entry in waiting {
            let id = &entry.conversation_id;
            let Some(agent_id) = state.offers.get(id).cloned() else {
                continue;
            };
            if state.announced.insert(id.clone()) {
                self.announce(DeskEvent::Offer {
                    conversation_id: id.clone(),
                    agent_id,
                    priority: entry.priority,
                    reasons: entry.reasons.clone(),
                    summary: entry.context.summary.clone(),
                });
            }
        }
        let ids: Vec<String> = waiting.iter().map(|e| e.conversation_id.clone()).collect();
        if ids != state.waiting {
            state.waiting = ids;
            self.announce(DeskEvent::Queue {
                waiting: waiting.len(),
            });
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update leaves the state consistent; a panic elsewhere does not poison it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn hours(&self) -> &BusinessHours {
        &self.hours
    }

    pub fn sla(&self) -> &SlaPolicy {
        &self.sla
    }

    /// Where a conversation that needs a person goes now: live queue,
    /// callback, or ticket.
    pub fn route(
        &self,
        now: Time,
        intent: &str,
        lang: Lang,
        tier: Tier,
        anger: f32,
        position: usize,
    ) -> Route {
        let needs = Needs::new(self.skills.skill_for(intent), lang);
        let state = self.lock();
        handoff::route(
            now,
            &self.view(&state),
            &Shopper {
                needs: &needs,
                tier,
                anger,
                position,
            },
        )
    }

    /// The expected wait of the shopper at `position` (1 = next) for a
    /// conversation about `intent` in `lang`: [`handoff::estimate_wait`] over
    /// the seats online now and the measured handling times, with the same
    /// fallback to any skill as [`route`](Desk::route). `None` when nobody
    /// online could take it.
    pub fn estimate(&self, intent: &str, lang: Lang, position: usize) -> Option<Duration> {
        let needs = Needs::new(self.skills.skill_for(intent), lang);
        let state = self.lock();
        let seats = handoff::seats_for(&state.roster, &needs);
        handoff::estimate_wait(position, seats, &state.stats)
    }

    /// The expected wait at `now` of a waiting `entry` at `position`:
    /// [`estimate`](Desk::estimate) in the live queue; for a ticket,
    /// [`handoff::ticket_wait`], which ends when the shopper was told a
    /// person answers (the entry's `context.answer_by`) unless someone
    /// online can take it sooner.
    pub fn wait(
        &self,
        now: Time,
        entry: &QueueEntry,
        intent: &str,
        lang: Lang,
        position: usize,
    ) -> Option<Duration> {
        match entry.kind {
            EntryKind::Queued => self.estimate(intent, lang, position),
            EntryKind::Ticket => {
                // An entry stored before the promise was kept: the target
                // from its filing, as most tickets were told.
                let promised = entry.context.answer_by.or_else(|| {
                    let target = self.sla.ticket_first_response;
                    self.hours.answer_by(entry.waiting_since, target)
                })?;
                let needs = Needs::new(self.skills.skill_for(intent), lang);
                let state = self.lock();
                handoff::ticket_wait(now, &self.view(&state), &needs, position, promised)
            }
        }
    }

    fn view<'a>(&'a self, state: &'a State) -> DeskView<'a> {
        DeskView {
            hours: &self.hours,
            roster: &state.roster,
            stats: &state.stats,
            sla: &self.sla,
            overflow: &self.overflow,
        }
    }

    /// Signs an agent in or out, or changes what they take.
    ///
    /// A profile change (name, skills, languages, most chats) is kept on
    /// disk before this returns, but the disk flush happens outside the desk
    /// lock: every hand-over asks the desk (route, offer) under that lock,
    /// and a shopper's turn must not wait for an agent's profile to reach
    /// the disk. The roster in memory changes first, so an offer may go by
    /// the new profile a moment before it is durable (and keeps it when the
    /// save fails, which is logged). Profile
    /// changes take `profiles` in turn, from reading the roster to the end
    /// of their save, so the disk ends with the change the roster ended
    /// with; a mere sign-in or out saves nothing and does not wait for them.
    pub fn update_agent(
        &self,
        agent_id: &str,
        update: AgentUpdate,
        now: Time,
    ) -> Result<Agent, RosterError> {
        // Only a profile the console set is kept: saving it on a mere sign-in
        // would freeze the configured one, and the merchant's later edits of
        // `[[desk.agents]]` would be ignored after a restart.
        let sets_profile = update.name.is_some()
            || update.skills.is_some()
            || update.languages.is_some()
            || update.max_chats.is_some();
        let _in_turn =
            sets_profile.then(|| self.profiles.lock().unwrap_or_else(PoisonError::into_inner));
        let (agent, presence) = {
            let mut state = self.lock();
            let mut agent = state
                .roster
                .agent(agent_id)
                .cloned()
                .unwrap_or_else(|| new_agent(agent_id));
            if let Some(name) = update.name {
                agent.name = name;
            }
            if let Some(skills) = update.skills {
                agent.skills = skills.into_iter().collect();
            }
            if let Some(languages) = update.languages {
                agent.languages = languages;
            }
            if let Some(max) = update.max_chats {
                agent.max_chats = max;
            }
            state.roster.upsert(agent);
            let presence = state.roster.set_presence(agent_id, update.presence, now);
            if update.presence != Presence::Offline {
                // Back at the desk: what they held before a restart stays theirs.
                state.restored.remove(agent_id);
            }
            self.announce_roster(&state);
            let agent = state
                .roster
                .agent(agent_id)
                .cloned()
                .expect("just upserted");
            (agent, presence)
        };
        if let Some(team) = self.team.as_ref().filter(|_| sets_profile) {
            // The roster in memory has it either way; a merchant reads why
            // it will not survive a restart in the log.
            if let Err(e) = team.save(&agent) {
                tracing::error!(agent = %agent_id, "agent profile not saved: {e}");
            }
        }
        presence.map(|()| agent)
    }

    pub fn agents(&self) -> Vec<Agent> {
        self.lock().roster.agents().cloned().collect()
    }

    /// An agent's presence, if they are on the roster.
    pub fn presence(&self, agent_id: &str) -> Option<Presence> {
        self.lock().roster.agent(agent_id).map(|a| a.presence)
    }

    /// One agent, as the roster has them now.
    pub fn agent(&self, agent_id: &str) -> Option<Agent> {
        self.lock().roster.agent(agent_id).cloned()
    }

    /// Refuses an id that is not on the roster.
    pub fn knows(&self, agent_id: &str) -> Result<(), RosterError> {
        self.presence(agent_id)
            .map(drop)
            .ok_or_else(|| RosterError::UnknownAgent {
                agent_id: agent_id.to_owned(),
            })
    }

    /// An agent took a conversation. Only an agent on the roster (in the
    /// configuration, or signed in by their console) who is online or away
    /// and has room can: a mistyped id must not become an agent who is
    /// offered shoppers. Says whether the seat is new (`false`: they held
    /// it already), so that a caller undoing a failed claim frees only a
    /// seat this claim took.
    pub fn claimed(&self, agent_id: &str, conversation_id: &str) -> Result<bool, RosterError> {
        let mut state = self.lock();
        let held = state
            .roster
            .holder(conversation_id)
            .is_some_and(|a| a.id == agent_id);
        state.roster.assign(agent_id, conversation_id)?;
        state.offers.remove(conversation_id);
        state.announced.remove(conversation_id);
        self.announce_roster(&state);
        Ok(!held)
    }

    /// Remembers who a waiting conversation was offered to (shown in the
    /// queue). Call it only once the entry is durable: an offer for a write
    /// that failed would stay behind and be announced for a later entry.
    /// It is announced to the agent at the next
    /// [`announce_queue`](Desk::announce_queue) that sees the entry.
    pub fn offered(&self, conversation_id: &str, agent_id: &str) {
        let mut state = self.lock();
        state
            .offers
            .insert(conversation_id.to_string(), agent_id.to_string());
        state.announced.remove(conversation_id);
    }

    /// Offers the waiting conversations (`(id, intent, lang)`, in serving
    /// order) that nobody can take up yet: never offered, or offered to an
    /// agent who is no longer online. Each goes to the least-loaded online
    /// agent with the skill (else any skill) and the language, counting the
    /// offers an agent already has as seats taken, so nobody is offered more
    /// than they have room for. Run as the queue moves (an agent signing in,
    /// a seat freed, a ticket waiting since the shop was closed); the new
    /// offers are announced by the next [`announce_queue`](Desk::announce_queue).
    /// Returns the conversations offered, with their agent.
    pub fn offer_waiting(&self, waiting: &[(String, String, Lang)]) -> Vec<(String, String)> {
        let mut state = self.lock();
        let State {
            roster,
            offers,
            announced,
            ..
        } = &mut *state;
        // Offers of what no longer waits (taken, or a hand-over whose write
        // failed after its seat was reserved) hold no seat.
        let ids: HashSet<&str> = waiting.iter().map(|(id, _, _)| id.as_str()).collect();
        offers.retain(|id, _| ids.contains(id.as_str()));
        announced.retain(|id| ids.contains(id.as_str()));
        let mut promised: HashMap<String, u32> = HashMap::new();
        let mut stale = Vec::new();
        for (id, _, _) in waiting {
            match offers.get(id) {
                Some(agent)
                    if roster
                        .agent(agent)
                        .is_some_and(|a| a.presence == Presence::Online) =>
                {
                    *promised.entry(agent.clone()).or_default() += 1;
                }
                Some(_) => stale.push(id.clone()),
                None => {}
            }
        }
        for id in &stale {
            offers.remove(id);
            announced.remove(id);
        }
        let mut made = Vec::new();
        for (id, intent, lang) in waiting {
            if offers.contains_key(id) {
                continue;
            }
            let needs = Needs::new(self.skills.skill_for(intent), *lang);
            let count = |agent: &str| promised.get(agent).copied().unwrap_or(0);
            let Some(agent) = roster
                .offer_counting(&needs, count)
                .or_else(|| roster.offer_counting(&needs.any_skill(), count))
            else {
                continue;
            };
            *promised.entry(agent.clone()).or_default() += 1;
            offers.insert(id.clone(), agent.clone());
            announced.remove(id);
            made.push((id.clone(), agent));
        }
        made
    }

    /// Who a waiting conversation was offered to, if anyone.
    pub fn offered_to(&self, conversation_id: &str) -> Option<String> {
        self.lock().offers.get(conversation_id).cloned()
    }

    /// The first of `waiting` (already in serving order) that this agent can
    /// serve: offered to them, else the first in their language needing one
    /// of their skills, else the first in their language (as a hand-over
    /// falls back to any skill). Never one in a language they do not chat
    /// in. `about` reads each conversation's intent and language from the
    /// store, so it is asked before the desk lock is taken: a store read can
    /// wait behind a flush, and hand-overs must not wait with it.
    pub fn pick(
        &self,
        agent_id: &str,
        waiting: &[handoff::QueueEntry],
        about: impl Fn(&str) -> Option<(String, Lang)>,
    ) -> Option<String> {
        let about: Vec<Option<(String, Lang)>> =
            waiting.iter().map(|e| about(&e.conversation_id)).collect();
        let state = self.lock();
        let agent = state.roster.agent(agent_id)?;
        let ids = || waiting.iter().map(|e| &e.conversation_id).zip(&about);
        let speaks = |about: &Option<(String, Lang)>| {
            about
                .as_ref()
                .is_some_and(|(_, lang)| agent.languages.contains(lang))
        };
        let skilled = |about: &Option<(String, Lang)>| {
            about
                .as_ref()
                .is_some_and(|(intent, _)| agent.skills.contains(&self.skills.skill_for(intent)))
        };
        ids()
            .find(|(id, _)| state.offers.get(*id).map(String::as_str) == Some(agent_id))
            .or_else(|| ids().find(|(_, a)| speaks(a) && skilled(a)))
            .or_else(|| ids().find(|(_, a)| speaks(a)))
            .map(|(id, _)| id.clone())
    }

    /// Gives back to their agents the conversations the store says they
    /// held when the server started (`(agent, conversation)`): they count
    /// against the agent's seats, and wait for the agent to sign in again
    /// until [`return_after`](DeskConfig::return_after) has passed (see
    /// [`overdue_holds`](Desk::overdue_holds)). An agent the roster does not
    /// know (one who signed in without a profile to keep) is put back on
    /// it, offline, with the defaults, so their console finds them again.
    pub fn restore(&self, holds: Vec<(String, String)>, now: Time) {
        let mut state = self.lock();
        for (agent_id, conversation_id) in holds {
            if state.roster.agent(&agent_id).is_none() {
                state.roster.upsert(new_agent(&agent_id));
            }
            if state.roster.restore(&agent_id, &conversation_id).is_ok() {
                let offline = state
                    .roster
                    .agent(&agent_id)
                    .is_some_and(|a| a.presence == Presence::Offline);
                if offline {
                    state.restored.entry(agent_id).or_insert(now);
                }
            }
        }
        self.announce_roster(&state);
    }

    /// The conversations (`(agent, conversation)`) of agents who held them
    /// when the server started and have not signed in within
    /// `return_after`: the caller sends them back to the queue. Each is
    /// given out once.
    pub fn overdue_holds(&self, now: Time) -> Vec<(String, String)> {
        let mut state = self.lock();
        let wait = chrono::TimeDelta::from_std(self.return_after).unwrap_or(chrono::TimeDelta::MAX);
        let overdue: Vec<String> = state
            .restored
            .iter()
            .filter(|(_, since)| now.signed_duration_since(**since) >= wait)
            .map(|(agent, _)| agent.clone())
            .collect();
        let mut holds = Vec::new();
        for agent_id in overdue {
            state.restored.remove(&agent_id);
            if let Some(agent) = state.roster.agent(&agent_id) {
                holds.extend(agent.active.iter().map(|c| (agent_id.clone(), c.clone())));
            }
        }
        holds.sort();
        holds
    }

    /// A conversation left its agent after `handled` (feeds the wait
    /// estimate). The new handling times are written to the store outside
    /// the desk lock, as profiles are ([`update_agent`](Desk::update_agent)):
    /// a sled write can wait behind a flush, and turns must not wait with it.
    pub fn released(&self, conversation_id: &str, now: Time, handled: Option<Duration>) {
        let stats = {
            let mut state = self.lock();
            state.offers.remove(conversation_id);
            state.announced.remove(conversation_id);
            state.roster.release(conversation_id, now);
            let stats = handled.map(|handled| {
                state.stats.record(handled);
                state.stats_version += 1;
                (state.stats_version, state.stats.clone())
            });
            self.announce_roster(&state);
            stats
        };
        // Saved one at a time, the newest last: a resolve whose copy is
        // older than one already saved has nothing to add.
        if let (Some(team), Some((version, stats))) = (&self.team, stats) {
            let mut saved = self
                .handling_saves
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if *saved < version {
                match team.save_handling(&stats) {
                    Ok(()) => *saved = version,
                    Err(e) => tracing::warn!("handling times not saved: {e}"),
                }
            }
        }
    }

    /// Moves a conversation in `lang` from one agent to another who is
    /// online (or away), speaks `lang` and has room; on refusal the first
    /// agent keeps it. Skills are not asked: the agent passing it on chose.
    pub fn reassign(
        &self,
        conversation_id: &str,
        from: &str,
        to: &str,
        lang: Lang,
        now: Time,
    ) -> Result<(), RosterError> {
        let mut state = self.lock();
        match state.roster.agent(to) {
            None => {
                return Err(RosterError::UnknownAgent {
                    agent_id: to.to_owned(),
                })
            }
            Some(agent) if !agent.languages.contains(&lang) => {
                return Err(RosterError::Language {
                    agent_id: to.to_owned(),
                    lang,
                })
            }
            Some(_) => {}
        }
        state.roster.release(conversation_id, now);
        match state.roster.assign(to, conversation_id) {
            Ok(()) => {
                self.announce_roster(&state);
                Ok(())
            }
            Err(e) => {
                // Back to where it was; the seat it just left is still free.
                let _ = state.roster.assign(from, conversation_id);
                Err(e)
            }
        }
    }

    /// The agent best placed to take a conversation back in the queue: with
    /// `skill` when given (else the intent's), not `exclude`.
    pub fn offer_for(
        &self,
        intent: &str,
        skill: Option<Skill>,
        lang: Lang,
        exclude: &str,
    ) -> Option<String> {
        let mut needs = Needs::new(skill.unwrap_or_else(|| self.skills.skill_for(intent)), lang);
        needs.exclude.push(exclude.to_string());
        let state = self.lock();
        let promised = state.promised();
        let count = |agent: &str| promised.get(agent).copied().unwrap_or(0);
        state.roster.offer_counting(&needs, count)
    }

    /// The agent best placed to take a conversation about `intent` in `lang`,
    /// counting the offers each already has and has not taken as seats
    /// taken (so nobody is offered more than they have room for). Asks
    /// only; the bot's hand-overs use [`reserve_offer`](Desk::reserve_offer).
    #[cfg(test)]
    pub(crate) fn offer(&self, intent: &str, lang: Lang) -> Option<String> {
        let state = self.lock();
        self.choose(&state, intent, lang)
    }

    /// The agent best placed to take a hand-over being written (the
    /// least-loaded online one for its intent and language, offers not taken
    /// counting as seats taken), and the seat held for it at once: hand-overs deciding at the same time (before
    /// either is on disk and [`offered`](Desk::offered)) never both take an
    /// agent's last seat. A conversation already offered to someone online
    /// keeps its offer. A reservation whose write then fails is dropped by
    /// the next [`offer_waiting`](Desk::offer_waiting), which keeps offers
    /// of waiting conversations only.
    ///
    /// Says whether the seat was reserved now (`true`) rather than an
    /// offer kept: only a new one is [withdrawn](Desk::withdraw_offer) when
    /// the hand-over's write fails.
    pub fn reserve_offer(
        &self,
        conversation_id: &str,
        intent: &str,
        lang: Lang,
    ) -> Option<(String, bool)> {
        let mut state = self.lock();
        if let Some(agent) = state.offers.get(conversation_id) {
            let online = state
                .roster
                .agent(agent)
                .is_some_and(|a| a.presence == Presence::Online);
            if online {
                return Some((agent.clone(), false));
            }
        }
        let agent = self.choose(&state, intent, lang)?;
        state
            .offers
            .insert(conversation_id.to_owned(), agent.clone());
        state.announced.remove(conversation_id);
        Some((agent, true))
    }

    /// Drops the offer reserved for a hand-over whose write failed.
    pub fn withdraw_offer(&self, conversation_id: &str) {
        let mut state = self.lock();
        state.offers.remove(conversation_id);
        state.announced.remove(conversation_id);
    }

    /// The least-loaded online agent for `intent` in `lang` (else any skill),
    /// counting offers not taken yet as seats taken.
    fn choose(&self, state: &State, intent: &str, lang: Lang) -> Option<String> {
        let needs = Needs::new(self.skills.skill_for(intent), lang);
        let promised = state.promised();
        let count = |agent: &str| promised.get(agent).copied().unwrap_or(0);
        state
            .roster
            .offer_counting(&needs, count)
            .or_else(|| state.roster.offer_counting(&needs.any_skill(), count))
    }

    /// Counts a complaint or an angry turn about `key` (an intent or a
    /// product) and returns any spike it starts.
    pub fn signal(&self, now: Time, key: &str) -> Vec<Spike> {
        let mut state = self.lock();
        state.spikes.record(now, key);
        let spikes = state.spikes.check(now);
        for s in &spikes {
            tracing::warn!(key = %s.key, count = s.count, usual = s.usual, "spike of complaints or anger");
            self.raise(&mut state, Alert::Spike(s.clone()));
        }
        spikes
    }

    /// Records the breaches among `breaches` not reported before, and
    /// returns them. A conversation's entry that is no longer open should no
    /// longer appear in `breaches`; its report is then forgotten.
    pub fn report_breaches(&self, breaches: Vec<Breach>) -> Vec<Breach> {
        let mut state = self.lock();
        let open: HashSet<(String, BreachKind)> = breaches
            .iter()
            .map(|b| (b.conversation_id.clone(), b.kind))
            .collect();
        state.reported.retain(|k| open.contains(k));
        let mut new = Vec::new();
        for b in breaches {
            if state.reported.insert((b.conversation_id.clone(), b.kind)) {
                tracing::warn!(conversation = %b.conversation_id, kind = ?b.kind, "SLA breached");
                self.raise(&mut state, Alert::SlaBreach { breach: b.clone() });
                new.push(b);
            }
        }
        new
    }

    fn raise(&self, state: &mut State, alert: Alert) {
        if let Some(hook) = &self.webhook {
            hook.send(&alert);
        }
        if state.alerts.len() == KEPT_ALERTS {
            state.alerts.pop_front();
        }
        self.announce(DeskEvent::Alert {
            alert: alert.clone(),
        });
        state.alerts.push_back(alert);
    }

    /// The alerts raised so far, oldest first.
    pub fn alerts(&self) -> Vec<Alert> {
        self.lock().alerts.iter().cloned().collect()
    }
}

/// Checks every open entry against the SLA every `every` until `closing`
/// turns true, so that breaches are raised (and posted to the webhook) as
/// they happen, not only when someone looks at `/api/agent/alerts`. Each
/// breach is still reported once ([`Desk::report_breaches`]). Each round
/// also sends back to the queue what agents who have not signed in since a
/// restart held ([`Bot::return_overdue_holds`](crate::turn::Bot::return_overdue_holds)).
pub async fn watch_sla(
    bot: std::sync::Arc<crate::turn::Bot>,
    every: Duration,
    mut closing: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = closing.wait_for(|closing| *closing) => return,
            _ = tick.tick() => {}
        }
        let bot = bot.clone();
        // The check reads the store (blocking): off the async workers. The
        // same round returns what agents who did not come back held.
        let round = move || {
            bot.return_overdue_holds();
            bot.check_sla()
        };
        match tokio::task::spawn_blocking(round).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("SLA check failed: {e}"),
            Err(e) => tracing::error!("SLA check failed: {e}"),
        }
    }
}

/// How a saved profile differs from the configured one, field by field
/// ("max_chats 6 -> 2").
fn profile_differences(configured: &Agent, saved: &Agent) -> Vec<String> {
    let mut out = Vec::new();
    if configured.name != saved.name {
        out.push(format!("name {:?} -> {:?}", configured.name, saved.name));
    }
    if configured.skills != saved.skills {
        out.push(format!(
            "skills {:?} -> {:?}",
            configured.skills, saved.skills
        ));
    }
    if configured.languages != saved.languages {
        out.push(format!(
            "languages {:?} -> {:?}",
            configured.languages, saved.languages
        ));
    }
    if configured.max_chats != saved.max_chats {
        out.push(format!(
            "max_chats {} -> {}",
            configured.max_chats, saved.max_chats
        ));
    }
    out
}

fn new_agent(agent_id: &str) -> Agent {
    Agent::new(agent_id)
}

#[cfg(test)]
#[path = "desk_tests.rs"]
pub(crate) mod tests;
