//! The team, durable: each agent's profile (name, skills, languages, most
//! concurrent chats) and the measured handling times, in the sled tree
//! `handoff/agents`, so that a restart keeps them.
//!
//! Presence and the conversations an agent holds are not kept: after a
//! restart everybody is offline until their console signs in again (a
//! server that went down cannot know who is still at the desk), and who
//! holds what is in the queue entries.

use std::collections::BTreeSet;

use intents::Lang;
use serde::{Deserialize, Serialize};

use crate::{Agent, Error, HandlingStats, Presence, Skill};

const AGENTS: &str = "handoff/agents";
/// Key prefix of an agent's profile; the handling times have a key of their own.
const PROFILE: &str = "profile/";
const HANDLING: &str = "handling";

/// What is kept of an agent across restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    id: String,
    name: String,
    skills: BTreeSet<Skill>,
    languages: Vec<Lang>,
    max_chats: u32,
}

/// The team's profiles in a database shared with the [`Store`](crate::Store).
/// Writes are rare (an agent changes what they take, a conversation is
/// resolved) and are flushed at once.
#[derive(Debug, Clone)]
pub struct Team {
    tree: sled::Tree,
}

impl Team {
    /// Opens (or creates) the team's tree.
    pub fn open(db: &sled::Db) -> Result<Team, Error> {
        Ok(Team {
            tree: db.open_tree(AGENTS)?,
        })
    }

    /// Every saved agent, by id, offline and holding nothing.
    pub fn agents(&self) -> Result<Vec<Agent>, Error> {
        let mut agents = Vec::new();
        for item in self.tree.scan_prefix(PROFILE) {
            let (key, value) = item?;
            let key = String::from_utf8_lossy(&key).into_owned();
            let p: Profile = serde_json::from_slice(&value).map_err(|e| Error::Corrupt {
                what: "agent profile",
                key,
                reason: e.to_string(),
            })?;
            agents.push(Agent {
                id: p.id,
                name: p.name,
                presence: Presence::Offline,
                skills: p.skills,
                languages: p.languages,
                max_chats: p.max_chats,
                active: BTreeSet::new(),
                idle_since: None,
            });
        }
        Ok(agents)
    }

    /// Saves what the agent takes (not their presence); durable on return.
    pub fn save(&self, agent: &Agent) -> Result<(), Error> {
        let profile = Profile {
            id: agent.id.clone(),
            name: agent.name.clone(),
            skills: agent.skills.clone(),
            languages: agent.languages.clone(),
            max_chats: agent.max_chats,
        };
        let value = serde_json::to_vec(&profile).map_err(|source| Error::Encode {
            what: "agent profile",
            source,
        })?;
        self.tree.insert(format!("{PROFILE}{}", agent.id), value)?;
        self.tree.flush()?;
        Ok(())
    }

    /// The saved handling times, if any.
    pub fn handling(&self) -> Result<Option<HandlingStats>, Error> {
        match self.tree.get(HANDLING)? {
            Some(value) => serde_json::from_slice(&value)
                .map(Some)
                .map_err(|e| Error::Corrupt {
                    what: "handling times",
                    key: HANDLING.to_owned(),
                    reason: e.to_string(),
                }),
            None => Ok(None),
        }
    }

    /// Saves the handling times. Not flushed here: the next flush of the
    /// database takes it (a crash may lose the latest measure, nothing else).
    pub fn save_handling(&self, stats: &HandlingStats) -> Result<(), Error> {
        let value = serde_json::to_vec(stats).map_err(|source| Error::Encode {
            what: "handling times",
            source,
        })?;
        self.tree.insert(HANDLING, value)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn agent(id: &str) -> Agent {
        Agent {
            id: id.to_owned(),
            name: format!("name of {id}"),
            presence: Presence::Online,
            skills: [Skill::Refunds].into_iter().collect(),
            languages: vec![Lang::En],
            max_chats: 2,
            active: ["c1".to_owned()].into_iter().collect(),
            idle_since: None,
        }
    }

    #[test]
    fn profiles_and_handling_times_survive_a_reopen_presence_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut stats = HandlingStats::default();
        stats.record(Duration::from_secs(90));
        {
            let db = sled::open(dir.path()).unwrap();
            let team = Team::open(&db).unwrap();
            team.save(&agent("a2")).unwrap();
            team.save(&agent("a1")).unwrap();
            let mut changed = agent("a1");
            changed.max_chats = 4;
            team.save(&changed).unwrap();
            team.save_handling(&stats).unwrap();
            db.flush().unwrap();
        }
        let db = crate::open_db(dir.path()).unwrap();
        let team = Team::open(&db).unwrap();
        let agents = team.agents().unwrap();
        let ids: Vec<&str> = agents.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2"]);
        assert_eq!(agents[0].max_chats, 4, "the latest profile counts");
        assert_eq!(agents[0].skills, agent("a1").skills);
        assert_eq!(agents[0].languages, vec![Lang::En]);
        assert_eq!(agents[0].presence, Presence::Offline);
        assert!(agents[0].active.is_empty());
        assert_eq!(team.handling().unwrap(), Some(stats));
    }
}
