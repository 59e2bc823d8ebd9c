//! The one place that reads the system clock.
//!
//! Everything that compares with "now" (return windows, delivery promises,
//! queue waiting times) takes its instant from a [`Clock`], so that tests and
//! demos can pin it to the fixtures' reference instant with `--now`, start
//! it there and let it run with `--start` (a demo in which SLA timers and
//! handling times move), and tests can move it forward by hand
//! ([`ManualClock`]).

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
    /// Starts at an instant and runs at the machine's pace from there
    /// (`--start`, or `start =` in the config file).
    Running(RunningClock),
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
            Clock::Running(clock) => clock.now(),
        }
    }
}

/// For the start-up log: `system`, `pinned at 2026-11-20T12:00:00+08:00`,
/// `running from …, now …`, `manual at …` (the Debug form shows an
/// `Instant`'s innards).
impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Clock::System => f.write_str("system"),
            Clock::Pinned(t) => write!(f, "pinned at {}", t.to_rfc3339()),
            Clock::Manual(clock) => write!(f, "manual at {}", clock.now().to_rfc3339()),
            Clock::Running(clock) => write!(
                f,
                "running from {}, now {}",
                clock.from.to_rfc3339(),
                clock.now().to_rfc3339()
            ),
        }
    }
}

/// A clock that reads `from` when it is made and then runs forward with the
/// machine's monotonic clock (never backwards, whatever the wall clock does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningClock {
    from: Time,
    began: std::time::Instant,
}

impl RunningClock {
    pub fn starting_at(from: Time) -> RunningClock {
        RunningClock {
            from,
            began: std::time::Instant::now(),
        }
    }

    pub fn now(&self) -> Time {
        let elapsed =
            chrono::Duration::from_std(self.began.elapsed()).unwrap_or(chrono::Duration::MAX);
        self.from.checked_add_signed(elapsed).unwrap_or(self.from)
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

    /// Review 6, finding 17: the start-up log shows the clock readably.
    #[test]
    fn a_clock_displays_readably() {
        let t = parse_instant("2026-11-20T12:00:00+08:00").unwrap();
        assert_eq!(Clock::System.to_string(), "system");
        assert_eq!(
            Clock::Pinned(t).to_string(),
            "pinned at 2026-11-20T12:00:00+08:00"
        );
        let running = Clock::Running(RunningClock::starting_at(t)).to_string();
        assert!(
            running.starts_with("running from 2026-11-20T12:00:00+08:00, now 2026-11-20T12:00:"),
            "{running}"
        );
        assert!(!running.contains("Instant"), "{running}");
    }

    #[test]
    fn a_running_clock_starts_at_its_instant_and_moves_forward() {
        let from = parse_instant("2026-11-20T12:00:00+08:00").unwrap();
        let clock = Clock::Running(RunningClock::starting_at(from));
        let first = clock.now();
        assert!(first >= from && first - from < chrono::Duration::minutes(1));
        assert_eq!(
            first.offset(),
            from.offset(),
            "it keeps the instant's offset"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        let later = clock.now();
        assert!(
            later - first >= chrono::Duration::milliseconds(20),
            "{first} then {later}"
        );
    }

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
