//! Branch conditions of the flows: a tiny, total expression language.
//!
//! ```text
//! status == shipped|delivered     equal to one of the alternatives
//! refund.status != completed      none of them
//! message ~ 扣了|付过了            contains one of them (both sides read as
//!                                 the matcher reads messages: traditional
//!                                 folded to simplified, lower case)
//! days_late > 0                   numeric comparison (>, >=, <, <=)
//! days_late >= policy.delivery.late_coupon_after_days   a dotted right side names a fact
//! return_open                     the fact is set and not "false"/"0"/""
//! !has_refund                     negation
//! scan == lost && angry           all of several terms
//! ```
//!
//! Facts are strings (see [`crate::Vars`]); a missing fact is never equal to
//! anything and never truthy, so a condition cannot fail at run time.

use crate::Vars;

/// A parsed condition (all terms must hold).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Truthy { fact: String, negated: bool },
    Compare { fact: String, op: Op, value: String },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
}

const OPS: [(&str, Op); 7] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    (">=", Op::Ge),
    ("<=", Op::Le),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("~", Op::Contains),
];

impl Condition {
    /// Parses `text`; the error says what is wrong in merchant's words.
    pub(crate) fn parse(text: &str) -> Result<Condition, String> {
        let terms = text
            .split("&&")
            .map(parse_term)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Condition { terms })
    }

    /// The facts the condition reads: the left sides, and the right sides
    /// that name a fact (dotted).
    pub(crate) fn facts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for term in &self.terms {
            match term {
                Term::Truthy { fact, .. } => out.push(fact.as_str()),
                Term::Compare { fact, value, .. } => {
                    out.push(fact.as_str());
                    if value.contains('.') && is_name(value) {
                        out.push(value.as_str());
                    }
                }
            }
        }
        out
    }

    /// Whether every term holds for these facts.
    pub(crate) fn holds(&self, facts: &Vars) -> bool {
        self.terms.iter().all(|t| t.holds(facts))
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn parse_term(text: &str) -> Result<Term, String> {
    let text = text.trim();
    for (symbol, op) in OPS {
        if let Some((left, right)) = text.split_once(symbol) {
            let (fact, value) = (left.trim(), right.trim());
            if !is_name(fact) {
                return Err(format!("condition `{text}`: `{fact}` is not a fact name"));
            }
            if value.is_empty() {
                return Err(format!("condition `{text}`: nothing to compare with"));
            }
            return Ok(Term::Compare {
                fact: fact.to_string(),
                op,
                value: value.to_string(),
            });
        }
    }
    let (negated, fact) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    if !is_name(fact) {
        return Err(format!(
            "condition `{text}` is not `fact`, `!fact` or `fact <op> value` (ops: == != > >= < <= ~)"
        ));
    }
    Ok(Term::Truthy {
        fact: fact.to_string(),
        negated,
    })
}

impl Term {
    fn holds(&self, facts: &Vars) -> bool {
        match self {
            Term::Truthy { fact, negated } => {
                let set = facts
                    .get(fact)
                    .is_some_and(|v| !matches!(v.as_str(), "" | "false" | "0"));
                set != *negated
            }
            Term::Compare { fact, op, value } => {
                let Some(actual) = facts.get(fact) else {
                    return *op == Op::Ne;
                };
                // A dotted right side (`policy.delivery.x`) names a fact; a
                // plain word is a literal, so `status == delivered` never
                // reads the fact `delivered`.
                let expected = match facts.get(value) {
                    Some(fact) if value.contains('.') => fact.as_str(),
                    _ => value.as_str(),
                };
                match op {
                    Op::Eq => expected.split('|').any(|alt| alt.trim() == actual),
                    Op::Ne => expected.split('|').all(|alt| alt.trim() != actual),
                    // What the shopper wrote, in any script or case: the
                    // phrases are normalised as the matcher's keywords are.
                    Op::Contains => {
                        let actual = intents::normalize(actual);
                        expected
                            .split('|')
                            .map(|alt| intents::normalize(alt.trim()))
                            .any(|alt| !alt.is_empty() && actual.contains(&alt))
                    }
                    _ => match (actual.parse::<f64>(), expected.parse::<f64>()) {
                        (Ok(a), Ok(b)) => match op {
                            Op::Gt => a > b,
                            Op::Ge => a >= b,
                            Op::Lt => a < b,
                            _ => a <= b,
                        },
                        _ => false,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn conditions_evaluate_against_facts() {
        let f = facts(&[
            ("status", "shipped"),
            ("days_late", "2"),
            ("policy.limit", "2"),
            ("shipped", "false"),
            ("has_refund", "false"),
        ]);
        let table = [
            ("status == shipped", true),
            ("status == paid|shipped", true),
            ("status != shipped", false),
            ("days_late > 0", true),
            ("days_late >= policy.limit", true),
            ("days_late >= policy.missing", false),
            ("days_late < 2", false),
            ("has_refund", false),
            ("!has_refund", true),
            ("missing == x", false),
            ("missing != x", true),
            ("missing", false),
            ("status == shipped && days_late > 5", false),
            ("status ~ ship", true),
            ("status ~ paid|hip", true),
            ("status ~ paid", false),
            ("missing ~ x", false),
        ];
        for (text, expected) in table {
            assert_eq!(
                Condition::parse(text).unwrap().holds(&f),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn bad_conditions_are_rejected_with_a_reason() {
        for text in ["status ==", "== shipped", "two words", ""] {
            assert!(Condition::parse(text).is_err(), "{text}");
        }
    }
}
