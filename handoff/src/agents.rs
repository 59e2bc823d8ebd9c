//! The people who take over: who is on duty, what they can handle, and who
//! gets the next conversation.
//!
//! A [`Roster`] is plain in-memory data (serialisable as a list of agents,
//! so it can be saved and restored); every change takes `now` from the caller.

use std::collections::BTreeSet;

use dialogs::Time;
use intents::Lang;
use serde::{Deserialize, Serialize};

/// An agent's id, as the store records it in `Claimed { agent_id }`.
pub type AgentId = String;

/// What an agent knows how to handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Skill {
    /// Orders in general: changes, payment, invoices, products.
    Orders,
    /// Parcels: tracking, delays, delivery problems.
    Logistics,
    /// Money back.
    Refunds,
    /// Complaints.
    Complaints,
}

/// Whether an agent takes new conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// Takes new conversations.
    Online,
    /// At the desk but takes none (break, meeting); keeps those they have.
    Away,
    /// Gone.
    Offline,
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// Unique on the roster.
    pub id: AgentId,
    /// Shown to the shopper ("小王 has joined"); empty: the id is shown.
    #[serde(default)]
    pub name: String,
    /// Offline until they say otherwise.
    #[serde(default = "offline")]
    pub presence: Presence,
    /// What they handle (default: every skill).
    #[serde(default = "every_skill")]
    pub skills: BTreeSet<Skill>,
    /// Which languages they chat in (default: zh and en).
    #[serde(default = "both_languages")]
    pub languages: Vec<Lang>,
    /// Conversations they can hold at once (default: [`DEFAULT_MAX_CHATS`]).
    #[serde(default = "default_max_chats")]
    pub max_chats: u32,
    /// The conversations they hold now.
    #[serde(default)]
    pub active: BTreeSet<String>,
    /// When a slot last freed up or they came online; among equally loaded
    /// agents the one idle longest is offered first (never idle counts as longest).
    #[serde(default)]
    pub idle_since: Option<Time>,
}

/// A language as configuration and the API write it.
fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

/// The seats of an agent nobody gave a number.
pub const DEFAULT_MAX_CHATS: u32 = 5;

fn every_skill() -> BTreeSet<Skill> {
    [
        Skill::Orders,
        Skill::Logistics,
        Skill::Refunds,
        Skill::Complaints,
    ]
    .into_iter()
    .collect()
}

fn both_languages() -> Vec<Lang> {
    vec![Lang::Zh, Lang::En]
}

fn default_max_chats() -> u32 {
    DEFAULT_MAX_CHATS
}

impl Agent {
    /// An agent known only by id: every skill, zh and en,
    /// [`DEFAULT_MAX_CHATS`] seats, offline, named by the id.
    pub fn new(id: &str) -> Agent {
        Agent {
            id: id.to_string(),
            name: id.to_string(),
            presence: Presence::Offline,
            skills: every_skill(),
            languages: both_languages(),
            max_chats: DEFAULT_MAX_CHATS,
            active: BTreeSet::new(),
            idle_since: None,
        }
    }
}

fn offline() -> Presence {
    Presence::Offline
}

impl Agent {
    /// Conversations held now.
    pub fn load(&self) -> u32 {
        u32::try_from(self.active.len()).unwrap_or(u32::MAX)
    }

    /// Whether the agent could be offered a conversation with these needs.
    pub fn eligible(&self, needs: &Needs) -> bool {
        self.presence == Presence::Online
            && needs.skill.is_none_or(|s| self.skills.contains(&s))
            && self.languages.contains(&needs.lang)
            && !needs.exclude.contains(&self.id)
    }
}

/// What a conversation needs from an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Needs {
    /// The skill required; `None` takes any agent.
    pub skill: Option<Skill>,
    /// The conversation's language.
    pub lang: Lang,
    /// Agents not to offer (the one a transfer comes from, one who declined).
    #[serde(default)]
    pub exclude: Vec<AgentId>,
}

impl Needs {
    /// A conversation needing `skill`, in `lang`.
    pub fn new(skill: Skill, lang: Lang) -> Needs {
        Needs {
            skill: Some(skill),
            lang,
            exclude: Vec::new(),
        }
    }

    /// The same needs with any skill: the fallback when no agent with the
    /// skill is on duty.
    pub fn any_skill(&self) -> Needs {
        Needs {
            skill: None,
            ..self.clone()
        }
    }
}

/// Seats for a kind of conversation among the agents online.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    /// Conversations the eligible agents can hold at once.
    pub total: u32,
    /// Of those, free now.
    pub free: u32,
}

/// Why the roster refused a change. Ordinary outcomes (two agents racing,
/// a stale console), never panics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    /// The id names nobody on the roster.
    #[error("no agent `{agent_id}` on the roster; add them first")]
    UnknownAgent {
        /// The id asked for.
        agent_id: AgentId,
    },
    /// Offline agents hold no conversations.
    #[error("agent `{agent_id}` is offline; set them online or away first")]
    Offline {
        /// The agent.
        agent_id: AgentId,
    },
    /// The agent is full.
    #[error("agent `{agent_id}` already holds {max_chats} conversations, their maximum; release one or raise max_chats")]
    AtCapacity {
        /// The agent.
        agent_id: AgentId,
        /// Their maximum.
        max_chats: u32,
    },
    /// The agent does not chat in the conversation's language.
    #[error("agent `{agent_id}` does not chat in {}; pick one who does, or send it back to the queue", lang_code(*.lang))]
    Language {
        /// The agent.
        agent_id: AgentId,
        /// The conversation's language.
        lang: Lang,
    },
    /// Another agent holds the conversation.
    #[error(
        "conversation `{conversation_id}` is with agent `{agent_id}`; release or transfer it first"
    )]
    HeldByOther {
        /// The conversation.
        conversation_id: String,
        /// Who holds it.
        agent_id: AgentId,
    },
}

/// The agents of the shop and the conversations they hold. A conversation
/// is held by at most one agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<Agent>", into = "Vec<Agent>")]
pub struct Roster {
    /// Sorted by id, so every choice is deterministic.
    agents: Vec<Agent>,
}

impl From<Vec<Agent>> for Roster {
    /// Agents with the same id: the last one counts.
    fn from(agents: Vec<Agent>) -> Roster {
        let mut roster = Roster::default();
        for agent in agents {
            roster.upsert(agent);
        }
        roster
    }
}

impl From<Roster> for Vec<Agent> {
    fn from(roster: Roster) -> Vec<Agent> {
        roster.agents
    }
}

impl Roster {
    /// Adds an agent, or replaces the one with the same id.
    pub fn upsert(&mut self, agent: Agent) {
        match self.agents.binary_search_by(|a| a.id.cmp(&agent.id)) {
            Ok(i) => self.agents[i] = agent,
            Err(i) => self.agents.insert(i, agent),
        }
    }

    /// Takes an agent off the roster (their conversations are theirs no more).
    pub fn remove(&mut self, agent_id: &str) -> Option<Agent> {
        let i = self.index(agent_id).ok()?;
        Some(self.agents.remove(i))
    }

    /// One agent.
    pub fn agent(&self, agent_id: &str) -> Option<&Agent> {
        self.index(agent_id).ok().map(|i| &self.agents[i])
    }

    /// Every agent, by id.
    pub fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.agents.iter()
    }

    /// The agent holding a conversation.
    pub fn holder(&self, conversation_id: &str) -> Option<&Agent> {
        self.agents
            .iter()
            .find(|a| a.active.contains(conversation_id))
    }

    /// Agents online.
    pub fn online_count(&self) -> usize {
        self.agents
            .iter()
            .filter(|a| a.presence == Presence::Online)
            .count()
    }

    /// Seats for conversations with these needs among eligible agents.
    pub fn seats(&self, needs: &Needs) -> Seats {
        self.agents
            .iter()
            .filter(|a| a.eligible(needs))
            .fold(Seats::default(), |s, a| Seats {
                total: s.total.saturating_add(a.max_chats),
                free: s.free.saturating_add(a.max_chats.saturating_sub(a.load())),
            })
    }

    /// Changes an agent's presence. Coming online starts their idle time.
    /// Going away or offline keeps their conversations: transfer them.
    pub fn set_presence(
        &mut self,
        agent_id: &str,
        presence: Presence,
        now: Time,
    ) -> Result<(), RosterError> {
        let agent = self.agent_mut(agent_id)?;
        if presence == Presence::Online && agent.presence != Presence::Online {
            agent.idle_since = Some(now);
        }
        agent.presence = presence;
        Ok(())
    }

    /// The agent to offer a conversation with these needs: among online,
    /// eligible agents below `max_chats`, the least loaded (load as a share
    /// of their own `max_chats`, so a senior taking 6 fills up alongside a
    /// junior taking 2), then the longest idle, then the smallest id.
    pub fn offer(&self, needs: &Needs) -> Option<AgentId> {
        self.offer_counting(needs, |_| 0)
    }

    /// [`offer`](Roster::offer), each agent's load counting `promised(id)`
    /// more conversations (offers made to them and not yet taken).
    pub fn offer_counting(&self, needs: &Needs, promised: impl Fn(&str) -> u32) -> Option<AgentId> {
        let load = |a: &Agent| a.load().saturating_add(promised(&a.id));
        self.agents
            .iter()
            .filter(|a| a.eligible(needs) && load(a) < a.max_chats)
            .min_by(|a, b| {
                let share_a = u64::from(load(a)) * u64::from(b.max_chats);
                let share_b = u64::from(load(b)) * u64::from(a.max_chats);
                share_a
                    .cmp(&share_b)
                    .then(a.idle_since.cmp(&b.idle_since))
                    .then(a.id.cmp(&b.id))
            })
            .map(|a| a.id.clone())
    }

    /// Gives a conversation to an agent (online or away, below capacity).
    /// Giving it again to the same agent changes nothing.
    pub fn assign(&mut self, agent_id: &str, conversation_id: &str) -> Result<(), RosterError> {
        if let Some(holder) = self.holder(conversation_id) {
            if holder.id == agent_id {
                return Ok(());
            }
            return Err(RosterError::HeldByOther {
                conversation_id: conversation_id.to_owned(),
                agent_id: holder.id.clone(),
            });
        }
        let agent = self.agent_mut(agent_id)?;
        if agent.presence == Presence::Offline {
            return Err(RosterError::Offline {
                agent_id: agent.id.clone(),
            });
        }
        if agent.load() >= agent.max_chats {
            return Err(RosterError::AtCapacity {
                agent_id: agent.id.clone(),
                max_chats: agent.max_chats,
            });
        }
        agent.active.insert(conversation_id.to_owned());
        Ok(())
    }

    /// Records that `agent_id` holds a conversation whatever their presence
    /// and load: what the store says they held when the server started
    /// (their presence is not kept, so they start offline). Only an
    /// unknown agent is refused.
    pub fn restore(&mut self, agent_id: &str, conversation_id: &str) -> Result<(), RosterError> {
        self.agent_mut(agent_id)?
            .active
            .insert(conversation_id.to_owned());
        Ok(())
    }

    /// Frees the conversation's seat; returns who held it.
    pub fn release(&mut self, conversation_id: &str, now: Time) -> Option<AgentId> {
        let agent = self
            .agents
            .iter_mut()
            .find(|a| a.active.contains(conversation_id))?;
        agent.active.remove(conversation_id);
        agent.idle_since = Some(now);
        Some(agent.id.clone())
    }

    /// Hands a conversation to another agent with these needs (the current
    /// holder is never chosen). `None` when nobody can take it: the
    /// conversation then stays where it was.
    pub fn transfer(&mut self, conversation_id: &str, needs: &Needs, now: Time) -> Option<AgentId> {
        let mut needs = needs.clone();
        if let Some(holder) = self.holder(conversation_id) {
            needs.exclude.push(holder.id.clone());
        }
        let to = self.offer(&needs)?;
        self.release(conversation_id, now);
        self.assign(&to, conversation_id).ok()?;
        Some(to)
    }

    fn index(&self, agent_id: &str) -> Result<usize, usize> {
        self.agents
            .binary_search_by(|a| a.id.as_str().cmp(agent_id))
    }

    fn agent_mut(&mut self, agent_id: &str) -> Result<&mut Agent, RosterError> {
        let i = self
            .index(agent_id)
            .map_err(|_| RosterError::UnknownAgent {
                agent_id: agent_id.to_owned(),
            })?;
        Ok(&mut self.agents[i])
    }
}

#[cfg(test)]
#[path = "agents_tests.rs"]
mod tests;
