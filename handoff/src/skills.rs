//! Which team a conversation needs, from the shopper's intent.
//!
//! ```toml
//! complaints = ["complaint"]
//! refunds = ["refund_*"]                       # `*` at the end: any intent starting so
//! logistics = ["track_package", "delivery_*"]
//! ```
//!
//! Rules are checked complaints, refunds, logistics in that order; an intent
//! no rule names goes to orders.

use serde::{Deserialize, Serialize};

use crate::Skill;

/// Intent patterns per skill; a list left out of a configuration file keeps
/// its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkillRules {
    /// Intents for the complaints team.
    pub complaints: Vec<String>,
    /// Intents for the refunds team.
    pub refunds: Vec<String>,
    /// Intents for the logistics team.
    pub logistics: Vec<String>,
}

impl Default for SkillRules {
    fn default() -> SkillRules {
        let owned = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        SkillRules {
            complaints: owned(&["complaint"]),
            refunds: owned(&["refund_*"]),
            logistics: owned(&["track_package", "delivery_*"]),
        }
    }
}

impl SkillRules {
    /// The skill a conversation about `intent` needs.
    pub fn skill_for(&self, intent: &str) -> Skill {
        let matches = |patterns: &[String]| patterns.iter().any(|p| matches(p, intent));
        if matches(&self.complaints) {
            Skill::Complaints
        } else if matches(&self.refunds) {
            Skill::Refunds
        } else if matches(&self.logistics) {
            Skill::Logistics
        } else {
            Skill::Orders
        }
    }

    /// The patterns that match none of `intents` (the content pack's), with
    /// their skill: a typo such as `refnd_*` would route nothing, silently.
    pub fn unmatched<'a, I>(&self, intents: I) -> Vec<(Skill, &str)>
    where
        I: IntoIterator<Item = &'a str>,
    {
        let intents: Vec<&str> = intents.into_iter().collect();
        [
            (Skill::Complaints, &self.complaints),
            (Skill::Refunds, &self.refunds),
            (Skill::Logistics, &self.logistics),
        ]
        .into_iter()
        .flat_map(|(skill, patterns)| patterns.iter().map(move |p| (skill, p.as_str())))
        .filter(|(_, p)| !intents.iter().any(|i| matches(p, i)))
        .collect()
    }
}

/// Whether `pattern` (an intent id, or a prefix ending in `*`) names `intent`.
fn matches(pattern: &str, intent: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => intent.starts_with(prefix),
        None => intent == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_map_to_teams() {
        let rules = SkillRules::default();
        #[rustfmt::skip]
        let cases = [
            ("complaint",        Skill::Complaints),
            ("refund_status",    Skill::Refunds),
            ("refund_amount",    Skill::Refunds),
            ("track_package",    Skill::Logistics),
            ("delivery_delay",   Skill::Logistics),
            ("delivery_problem", Skill::Logistics),
            ("order_status",     Skill::Orders),
            ("human_agent",      Skill::Orders),
            ("out_of_scope",     Skill::Orders),
            ("",                 Skill::Orders),
        ];
        for (intent, skill) in cases {
            assert_eq!(rules.skill_for(intent), skill, "{intent}");
        }
    }

    #[test]
    fn rules_come_from_configuration() {
        let rules: SkillRules =
            toml::from_str("refunds = [\"refund_*\", \"return_request\"]").unwrap();
        assert_eq!(rules.skill_for("return_request"), Skill::Refunds);
        assert_eq!(
            rules.skill_for("complaint"),
            Skill::Complaints,
            "default kept"
        );
        assert!(toml::from_str::<SkillRules>("refund = []").is_err());
    }

    #[test]
    fn patterns_that_match_no_intent_are_found() {
        let rules: SkillRules =
            toml::from_str("refunds = [\"refnd_*\", \"refund_status\"]\nlogistics = [\"track\"]")
                .unwrap();
        let intents = [
            "complaint",
            "refund_status",
            "track_package",
            "delivery_delay",
        ];
        assert_eq!(
            rules.unmatched(intents),
            [(Skill::Refunds, "refnd_*"), (Skill::Logistics, "track")]
        );
        assert!(SkillRules::default().unmatched(intents).is_empty());
    }
}
