//! The one place that reads the system clock.
//!
//! Everything that compares with "now" (return windows, delivery promises,
//! queue waiting times) takes its instant from a [`Clock`], so that tests and
//! demos can pin it to the fixtures' reference instant with `--now`, and
//! tests can move it forward by hand ([`ManualClock`]).

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, FixedOffset, Local};
use dialogs::Time;

/// Where "now" comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// The machine's clock, in its local offset.
    System,
    /// A fixed instant (`--now`, or `now =` in the config file).
    Pinned(Time),
    /// An instant that moves only when its [`ManualClock`] is advanced: for
    /// tests of what time does (SLA timers, handling times), with no sleep.
    Manual(ManualClock),
}

impl Clock {
    /// The current instant according to this clock.
    pub fn now(&self) -> Time {
        match self {
            Clock::System => {
                let local = Local::now();
                local.with_timezone(local.offset())
            }
            Clock::Pinned(t) => *t,
            Clock::Manual(clock) => clock.now(),
        }
    }
}

/// A clock that starts at a given instant and moves forward only when told.
/// Clones share the instant, so a test keeps one and gives the bot another.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<Time>>);

impl ManualClock {
    pub fn starting_at(start: Time) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> Time {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the instant forward by `by` and returns the new one.
    pub fn advance(&self, by: std::time::Duration) -> Time {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += chrono::Duration::from_std(by).expect("a test advances by a sane duration");
        *now
    }
}

/// Two manual clocks are the same clock when they share their instant.
impl PartialEq for ManualClock {
    fn eq(&self, other: &ManualClock) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ManualClock {}

/// Parses an RFC 3339 instant such as `2026-11-20T12:00:00+08:00`.
pub fn parse_instant(text: &str) -> Result<Time, String> {
    DateTime::<FixedOffset>::parse_from_rfc3339(text.trim()).map_err(|e| {
        format!("`{text}` is not an RFC 3339 instant ({e}); example: 2026-11-20T12:00:00+08:00")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_clock_returns_its_instant() {
        let t = parse_instant("2026-11-20T12:00:00+08:00").unwrap();
        assert_eq!(Clock::Pinned(t).now(), t);
    }

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_clones_share_it() {
        let t = parse_instant("2026-11-20T12:00:00+08:00").unwrap();
        let handle = ManualClock::starting_at(t);
        let clock = Clock::Manual(handle.clone());
        assert_eq!(clock.now(), t);
        handle.advance(std::time::Duration::from_secs(121));
        assert_eq!(
            clock.now(),
            parse_instant("2026-11-20T12:02:01+08:00").unwrap()
        );
    }

    #[test]
    fn bad_instant_is_explained() {
        let err = parse_instant("yesterday").unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
    }
}
