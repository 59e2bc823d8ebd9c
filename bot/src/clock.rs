//! The one place that reads the system clock.
//!
//! Everything that compares with "now" (return windows, delivery promises,
//! queue waiting times) takes its instant from a [`Clock`], so that tests and
//! demos can pin it to the fixtures' reference instant with `--now`.

use chrono::{DateTime, FixedOffset, Local};
use dialogs::Time;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The machine's clock, in its local offset.
    System,
    /// A fixed instant (`--now`, or `now =` in the config file).
    Pinned(Time),
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
        }
    }
}

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
    fn bad_instant_is_explained() {
        let err = parse_instant("yesterday").unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
    }
}
