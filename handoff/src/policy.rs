//! When the bot hands a conversation to a human: a pure decision over one
//! turn's signals.

use dialogs::{RecentTurn, Reply, Tier};
use intents::Understanding;
use serde::{Deserialize, Serialize};

/// The merchant's escalation settings. Every field has a default, so a
/// configuration file names only what it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Anger score at or above which an ordinary shopper goes to a human.
    pub anger_threshold: f32,
    /// The same for VIP and SVIP shoppers: lower, they are handed over sooner.
    pub vip_anger_threshold: f32,
    /// Fallback answers in a row after which a human takes over; 0 turns the trigger off.
    pub not_understood_limit: u32,
    /// Intent id (and reply handoff code) meaning "let me talk to a person".
    pub human_intent: String,
    /// Intent id (and reply handoff code) meaning "I want to complain".
    pub complaint_intent: String,
    /// Anger rising over this many turns in a row hands over (below 2 turns it off).
    pub rising_anger_turns: u32,
    /// ...when the last of them reaches at least this score.
    pub rising_anger_min: f32,
    /// The same intent this many turns in a row (asked again and again, so
    /// the answers did not help) hands over (below 2 turns it off).
    pub repeat_limit: u32,
    /// Intents that may repeat freely (greetings, thanks…).
    pub repeat_exempt: Vec<String>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            anger_threshold: 0.6,
            vip_anger_threshold: 0.45,
            not_understood_limit: 3,
            human_intent: "human_agent".to_owned(),
            complaint_intent: "complaint".to_owned(),
            rising_anger_turns: 3,
            rising_anger_min: 0.3,
            repeat_limit: 3,
            repeat_exempt: ["greeting", "thanks", "goodbye", "out_of_scope"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

impl Policy {
    /// The anger threshold that applies to a shopper of `tier`.
    pub fn anger_threshold_for(&self, tier: Tier) -> f32 {
        match tier {
            Tier::Normal => self.anger_threshold,
            Tier::Vip | Tier::Svip => self.vip_anger_threshold,
        }
    }
}

/// What one turn tells the policy.
#[derive(Debug, Clone, Copy)]
pub struct Signals<'a> {
    /// What the matcher made of the shopper's message.
    pub understanding: &'a Understanding,
    /// What the dialog engine answered (it may ask for a handoff itself).
    pub reply: &'a Reply,
    /// Fallback answers in a row, this turn included.
    pub not_understood_streak: u32,
    /// The shopper's membership tier.
    pub tier: Tier,
    /// The last turns' intent and anger, this one included (newest last).
    pub recent: &'a [RecentTurn],
}

/// Scores written as the shortest decimals that read back as the same
/// `f32` ("0.45", not "0.44999998807907104" once a JSON value holds them as
/// `f64`, as the agent API's and `chat --json`'s do).
mod short {
    use serde::Serializer;

    fn widen(x: f32) -> f64 {
        // `f32`'s Display is its shortest round-trip form.
        x.to_string().parse().unwrap_or(f64::from(x))
    }

    pub(super) fn f32<S: Serializer>(x: &f32, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(widen(*x))
    }

    pub(super) fn f32s<S: Serializer>(xs: &[f32], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(|&x| widen(x)))
    }
}

/// Why a conversation goes to a human. Every trigger that fired is recorded,
/// with the values that made it fire, so the agent sees the whole picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The shopper asked for a person.
    AskedForHuman,
    /// The shopper wants to complain.
    Complaint,
    /// The shopper is angry.
    Anger {
        /// The message's anger score.
        #[serde(serialize_with = "short::f32")]
        score: f32,
        /// The threshold it reached (depends on tier).
        #[serde(serialize_with = "short::f32")]
        threshold: f32,
    },
    /// The bot failed to understand several turns in a row.
    NotUnderstood {
        /// How many.
        turns: u32,
    },
    /// Anger rose turn after turn.
    RisingAnger {
        /// The scores of the last turns, oldest first.
        #[serde(serialize_with = "short::f32s")]
        scores: Vec<f32>,
    },
    /// The same question came back turn after turn.
    RepeatedIntent {
        /// The intent.
        intent: String,
        /// How many turns in a row.
        turns: u32,
    },
    /// The content pack hands this situation to a human (lost or damaged parcel…).
    Situation {
        /// The pack's reason code, e.g. `lost_parcel`.
        code: String,
    },
}

/// The outcome of [`escalate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Hand over to a human now.
    pub escalate: bool,
    /// Every trigger that fired; empty when `escalate` is false.
    pub reasons: Vec<Reason>,
}

/// Decides whether this turn goes to a human, and why. Pure.
///
/// Triggers: the shopper asks for a person (intent or the reply's handoff
/// code), a complaint (the intent triggers wait while the reply asks which
/// of two intents was meant: [`Reply::clarifying`]), anger at or above the tier's threshold, too many
/// fallback answers in a row, or the reply asking for a handoff with a
/// situation code.
pub fn escalate(signals: &Signals, policy: &Policy) -> Decision {
    let understanding = signals.understanding;
    let requested = signals.reply.handoff.as_ref().map(|h| h.reason.as_str());
    let mut reasons = Vec::new();

    // While the bot asks which of two intents was meant, the message's
    // intent is a guess: the shopper's choice settles it next turn.
    let intent = (!signals.reply.clarifying).then_some(understanding.intent.as_str());
    let human = policy.human_intent.as_str();
    if intent == Some(human) || requested == Some(human) {
        reasons.push(Reason::AskedForHuman);
    }
    let complaint = policy.complaint_intent.as_str();
    if intent == Some(complaint) || requested == Some(complaint) {
        reasons.push(Reason::Complaint);
    }
    let threshold = policy.anger_threshold_for(signals.tier);
    // A NaN score compares false and so never escalates by itself.
    if understanding.anger >= threshold {
        reasons.push(Reason::Anger {
            score: understanding.anger,
            threshold,
        });
    }
    let limit = policy.not_understood_limit;
    if limit > 0 && signals.not_understood_streak >= limit {
        reasons.push(Reason::NotUnderstood {
            turns: signals.not_understood_streak,
        });
    }
    if let Some(scores) = rising_anger(signals.recent, policy) {
        reasons.push(Reason::RisingAnger { scores });
    }
    if let Some((intent, turns)) = repeated_intent(signals.recent, policy) {
        reasons.push(Reason::RepeatedIntent { intent, turns });
    }
    if let Some(code) = requested.filter(|c| *c != human && *c != complaint) {
        reasons.push(Reason::Situation {
            code: code.to_owned(),
        });
    }
    Decision {
        escalate: !reasons.is_empty(),
        reasons,
    }
}

/// The last `rising_anger_turns` scores when each is higher than the one
/// before and the last reaches `rising_anger_min`.
fn rising_anger(recent: &[RecentTurn], policy: &Policy) -> Option<Vec<f32>> {
    let n = policy.rising_anger_turns as usize;
    if n < 2 || recent.len() < n {
        return None;
    }
    let scores: Vec<f32> = recent[recent.len() - n..].iter().map(|t| t.anger).collect();
    let rising = scores.windows(2).all(|w| w[1] > w[0]);
    let last = *scores.last()?;
    (rising && last >= policy.rising_anger_min).then_some(scores)
}

/// The intent of the last `repeat_limit` turns when they all share it and it
/// is not exempt.
fn repeated_intent(recent: &[RecentTurn], policy: &Policy) -> Option<(String, u32)> {
    let n = policy.repeat_limit as usize;
    if n < 2 || recent.len() < n {
        return None;
    }
    let last = &recent[recent.len() - n..];
    let intent = &last[0].intent;
    let same = last.iter().all(|t| &t.intent == intent);
    (same && !policy.repeat_exempt.iter().any(|e| e == intent))
        .then(|| (intent.clone(), policy.repeat_limit))
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
