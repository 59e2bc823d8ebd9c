//! How long a shopper will wait for a person, and whether to offer a
//! callback instead.
//!
//! ```toml
//! [handling]          # HandlingStats: the settings, and the measures when saved
//! window = 50         # the last 50 conversations count
//! prior = "5m"        # assumed handling time before the first measure
//! [overflow]          # OverflowPolicy
//! max_wait = "5m"     # longer than this: offer a callback
//! anger_threshold = 0.6
//! ```

use std::collections::VecDeque;
use std::time::Duration;

use dialogs::Tier;
use serde::{Deserialize, Serialize};

use crate::Seats;

/// Handling times of the last `window` conversations (claim to resolve),
/// as settings plus measures: it can be configured and saved alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HandlingStats {
    /// How many recent conversations count (at least 1).
    pub window: usize,
    /// Assumed handling time until the first one is measured.
    #[serde(with = "crate::duration")]
    pub prior: Duration,
    /// The measures, oldest first, in whole seconds.
    samples: VecDeque<u64>,
}

impl Default for HandlingStats {
    /// The last 50 conversations; 5 minutes assumed before any.
    fn default() -> HandlingStats {
        HandlingStats {
            window: 50,
            prior: Duration::from_secs(5 * 60),
            samples: VecDeque::new(),
        }
    }
}

impl HandlingStats {
    /// Adds one conversation's handling time; the oldest beyond the window drops out.
    pub fn record(&mut self, handled: Duration) {
        self.samples.push_back(handled.as_secs());
        while self.samples.len() > self.window.max(1) {
            self.samples.pop_front();
        }
    }

    /// Measures held (at most `window`).
    pub fn len(&self) -> usize {
        self.samples.len().min(self.window.max(1))
    }

    /// Whether nothing was measured yet.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The mean handling time; `prior` before any measure.
    pub fn mean(&self) -> Duration {
        let recent = self.recent();
        if recent.is_empty() {
            return self.prior;
        }
        let total: u128 = recent.iter().map(|s| u128::from(*s)).sum();
        let mean = total.div_ceil(recent.len() as u128);
        Duration::from_secs(u64::try_from(mean).unwrap_or(u64::MAX))
    }

    /// The median handling time (the lower middle one); `prior` before any measure.
    pub fn p50(&self) -> Duration {
        let mut recent = self.recent();
        if recent.is_empty() {
            return self.prior;
        }
        recent.sort_unstable();
        Duration::from_secs(recent[(recent.len() - 1) / 2])
    }

    /// The measures inside the window (it may have shrunk since they were taken).
    fn recent(&self) -> Vec<u64> {
        let skip = self.samples.len() - self.len();
        self.samples.iter().skip(skip).copied().collect()
    }
}

/// The expected wait of the shopper at `position` in the queue (1 = next)
/// for seats like `seats`; `None` when no seat exists (nobody online can
/// take it).
///
/// A shopper whose position is within the free seats waits nothing. Beyond
/// that, with every seat busy, one frees up every `mean / total` on average
/// (the mean, not the median: the rate at which agents get through work is
/// what counts), so the `k`-th shopper past the free seats waits
/// `k × mean / total`, rounded up to the second.
pub fn estimate_wait(position: usize, seats: Seats, stats: &HandlingStats) -> Option<Duration> {
    if seats.total == 0 {
        return None;
    }
    let free = usize::try_from(seats.free).unwrap_or(usize::MAX);
    let ahead = position.max(1).saturating_sub(free) as u128;
    let secs = (ahead * u128::from(stats.mean().as_secs())).div_ceil(u128::from(seats.total));
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(u64::MAX)))
}

/// When a wait is too long to ask of a shopper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OverflowPolicy {
    /// Longest expected wait before a callback is offered instead (default 5 min).
    #[serde(with = "crate::duration")]
    pub max_wait: Duration,
    /// Anger at or above which the shopper stays in the queue whatever the
    /// wait (default 0.6, as [`Policy::anger_threshold`](crate::Policy)).
    pub anger_threshold: f32,
}

impl Default for OverflowPolicy {
    fn default() -> OverflowPolicy {
        OverflowPolicy {
            max_wait: Duration::from_secs(5 * 60),
            anger_threshold: 0.6,
        }
    }
}

/// What to offer a shopper facing a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Keep them in the live queue.
    Queue,
    /// The wait is long: offer to get back to them instead.
    OfferCallback,
}

/// Queue, or offer a callback when the expected wait exceeds `max_wait`.
/// Angry shoppers (anger at or above the threshold) and VIP or SVIP
/// shoppers are always queued: they are served first, and a callback would
/// read as being sent away.
pub fn overflow(
    estimated_wait: Duration,
    policy: &OverflowPolicy,
    tier: Tier,
    anger: f32,
) -> Overflow {
    let served_first = matches!(tier, Tier::Vip | Tier::Svip) || anger >= policy.anger_threshold;
    if served_first || estimated_wait <= policy.max_wait {
        Overflow::Queue
    } else {
        Overflow::OfferCallback
    }
}

#[cfg(test)]
#[path = "wait_tests.rs"]
mod tests;
