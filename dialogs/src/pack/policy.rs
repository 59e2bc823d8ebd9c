//! Shop policies (`policy.toml`): data the flows and facts compare with.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::parse_toml;
use super::Problem;
use chrono::Datelike;

use crate::{Time, Vars};

/// The policies the engine itself computes with. Every other key of
/// `policy.toml` is only data for templates and conditions, where each value
/// is reachable as `{policy.<section>.<key>}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Policy {
    pub(crate) returns: Returns,
    pub(crate) exchange: Exchange,
    pub(crate) delivery: Delivery,
    pub(crate) refund: RefundTiming,
}

/// The no-reason return.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Returns {
    /// Days after delivery during which goods may be returned without reason.
    pub(crate) window_days: i64,
    /// Categories never returnable without reason (besides `returnable_7d = false`).
    #[serde(default)]
    pub(crate) excluded_categories: Vec<String>,
}

/// Exchanges.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Exchange {
    /// Days after delivery during which goods may be exchanged.
    pub(crate) window_days: i64,
}

/// How parcels are judged from their scans.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Delivery {
    /// A parcel with no scan for this many hours is presumed lost.
    pub(crate) no_scan_lost_hours: i64,
    /// Scan words that mark an exception (damage, refusal…).
    pub(crate) exception_words: Vec<String>,
    /// Scan words that mark the parcel out for delivery.
    pub(crate) out_for_delivery_words: Vec<String>,
}

/// How long refunds take to arrive, by payment method.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RefundTiming {
    /// Payment method id -> business days (e.g. `alipay = "1-3"`).
    pub(crate) business_days: BTreeMap<String, String>,
    /// For methods not listed.
    pub(crate) default_business_days: String,
}

impl Policy {
    /// Parses `policy.toml` into the typed policy and its `policy.*` facts.
    pub(crate) fn parse(file: &str, text: &str) -> Result<(Policy, Vars), Problem> {
        let policy: Policy = parse_toml(file, text)?;
        let table: toml::Table = parse_toml(file, text)?;
        let mut vars = Vars::new();
        flatten("policy.", &table, &mut vars);
        Ok((policy, vars))
    }

    /// Business days for a refund to the given payment method.
    pub(crate) fn refund_days(&self, method: &str) -> &str {
        self.refund
            .business_days
            .get(method)
            .unwrap_or(&self.refund.default_business_days)
    }
}

impl Policy {
    /// When a refund to `method` started at `from` should arrive: the last
    /// of its business days (`"1-3"` is 3), counting Monday to Friday.
    /// Public holidays are not known to the pack and not skipped.
    pub(crate) fn refund_expected_by(&self, method: &str, from: Time) -> Option<Time> {
        let days: u32 = self
            .refund_days(method)
            .rsplit(|c: char| !c.is_ascii_digit())
            .find(|part| !part.is_empty())?
            .parse()
            .ok()?;
        let mut at = from;
        let mut left = days;
        while left > 0 {
            at += chrono::Duration::days(1);
            if at.weekday().num_days_from_monday() < 5 {
                left -= 1;
            }
        }
        Some(at)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Vars) {
    for (key, value) in table {
        let name = format!("{prefix}{key}");
        let text = match value {
            toml::Value::Table(t) => {
                flatten(&format!("{name}."), t, out);
                continue;
            }
            toml::Value::String(s) => s.clone(),
            toml::Value::Float(f) => format!("{f:.2}"),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        out.insert(name, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refunds_arrive_after_the_last_business_day() {
        let (policy, _) =
            Policy::parse("policy.toml", include_str!("../../pack/policy.toml")).unwrap();
        // Friday 20 November 2026
        let from: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
        let by = |method| {
            policy
                .refund_expected_by(method, from)
                .unwrap()
                .date_naive()
                .to_string()
        };
        assert_eq!(by("alipay"), "2026-11-25", "1-3 days: Mon, Tue, Wed");
        assert_eq!(by("credit_card"), "2026-12-01", "5-7 days");
        assert_eq!(by("cash"), "2026-11-27", "default 3-5 days");
    }
}
