//! Sudden surges of complaints or anger about one thing: a product, an
//! intent, a carrier. The merchant hears of a bad batch or a stuck
//! warehouse from the chat before the reviews.
//!
//! ```toml
//! window = "10m"      # the recent span
//! baseline = "1h"     # the span before it, for the usual rate
//! factor = 3.0        # a spike is more than 3 × the usual count for a window
//! min_count = 5       # and at least 5 events
//! ```

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use dialogs::Time;
use serde::{Deserialize, Serialize};

use crate::duration::before;

/// When a count is a spike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpikePolicy {
    /// The recent span counted (default 10 min).
    #[serde(with = "crate::duration")]
    pub window: Duration,
    /// The span before it that sets the usual rate (default 1 h).
    #[serde(with = "crate::duration")]
    pub baseline: Duration,
    /// How many times the usual count makes a spike (default 3).
    pub factor: f64,
    /// Fewest events in the window for a spike (default 5), so that two
    /// complaints after a quiet hour raise nothing.
    pub min_count: usize,
}

impl Default for SpikePolicy {
    fn default() -> SpikePolicy {
        SpikePolicy {
            window: Duration::from_secs(10 * 60),
            baseline: Duration::from_secs(60 * 60),
            factor: 3.0,
            min_count: 5,
        }
    }
}

/// A surge, as an alert event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spike {
    /// What surged: an intent id, a sku…
    pub key: String,
    /// Events in the window.
    pub count: usize,
    /// Events a window usually holds, from the baseline.
    pub usual: f64,
    /// The window counted.
    #[serde(with = "crate::duration")]
    pub window: Duration,
    /// When it was seen.
    pub at: Time,
}

/// Counts events per key over a sliding window and raises each surge
/// once. Plain data: it can be saved and restored (`policy` included;
/// replace it after a restore to apply a new configuration).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpikeDetector {
    /// The thresholds.
    pub policy: SpikePolicy,
    /// Event times per key, oldest first, no older than window + baseline.
    events: BTreeMap<String, VecDeque<Time>>,
    /// Keys alerted and not yet calm.
    alerted: BTreeSet<String>,
}

impl SpikeDetector {
    /// An empty detector.
    pub fn new(policy: SpikePolicy) -> SpikeDetector {
        SpikeDetector {
            policy,
            ..SpikeDetector::default()
        }
    }

    /// Notes one event (a complaint, an angry turn) about `key` at `at`.
    pub fn record(&mut self, at: Time, key: &str) {
        let horizon = self.horizon(at);
        let times = self.events.entry(key.to_owned()).or_default();
        let place = times.partition_point(|t| *t <= at);
        times.insert(place, at);
        while times.front().is_some_and(|t| *t <= horizon) {
            times.pop_front();
        }
    }

    /// The keys that surged by `now` and were not alerted already.
    ///
    /// A key spikes when its count in the last `window` is at least
    /// `min_count` and more than `factor` times the usual count of a window
    /// (the `baseline` span before it, scaled to a window). It is raised
    /// once, then again only after a check found it calm (not spiking).
    /// Events later than `now` wait for a later check.
    pub fn check(&mut self, now: Time) -> Vec<Spike> {
        let policy = &self.policy;
        let recent_from = before(now, policy.window);
        let horizon = self.horizon(now);
        let (window, baseline) = (policy.window.as_secs_f64(), policy.baseline.as_secs_f64());
        let mut spikes = Vec::new();
        self.events.retain(|key, times| {
            while times.front().is_some_and(|t| *t <= horizon) {
                times.pop_front();
            }
            let count = times
                .iter()
                .filter(|t| **t > recent_from && **t <= now)
                .count();
            let earlier = times.iter().filter(|t| **t <= recent_from).count() as f64;
            let usual = earlier * window / baseline.max(1.0);
            let spiking = count >= policy.min_count && count as f64 > policy.factor * usual;
            if !spiking {
                self.alerted.remove(key);
            } else if self.alerted.insert(key.clone()) {
                spikes.push(Spike {
                    key: key.clone(),
                    count,
                    usual,
                    window: policy.window,
                    at: now,
                });
            }
            !times.is_empty()
        });
        spikes
    }

    /// Events at or before this no longer count.
    fn horizon(&self, now: Time) -> Time {
        before(before(now, self.policy.window), self.policy.baseline)
    }
}

#[cfg(test)]
#[path = "spikes_tests.rs"]
mod tests;
