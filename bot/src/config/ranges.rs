//! The configuration file's numbers against the ranges in which they mean
//! something. serde checks types; this checks that `anger_threshold = 6` (an
//! anger score never reaches it, so anger never hands over) or `max_chats =
//! 0` are refused at load, each with its key and the allowed range, rather
//! than quietly turning a trigger off.

use std::fmt;
use std::time::Duration;

use super::FileConfig;
use crate::http::BODY_LIMIT;

/// Turns counted in a row: 0 turns the trigger off; more than this many
/// would never fire in a real chat.
const MAX_TURNS: u32 = 100;

/// Every out-of-range value of `file`, as "`key` = value is outside min to
/// max" lines, in the order of the README's keys.
pub(super) fn out_of_range(file: &FileConfig) -> Vec<String> {
    let mut p = Problems::default();
    if let Some(chars) = file.max_message_chars {
        p.check("max_message_chars", chars, 1, BODY_LIMIT);
    }
    if let Some(ms) = file.shop.as_ref().and_then(|s| s.timeout_ms) {
        // A turn that waits longer on the order system is cut at 30 s anyway.
        p.check("shop.timeout_ms", ms, 1, 30_000);
    }
    if let Some(h) = &file.handoff {
        p.check("handoff.anger_threshold", h.anger_threshold, 0.0, 1.0);
        p.check(
            "handoff.vip_anger_threshold",
            h.vip_anger_threshold,
            0.0,
            1.0,
        );
        p.check(
            "handoff.not_understood_limit",
            h.not_understood_limit,
            0,
            MAX_TURNS,
        );
        p.check(
            "handoff.rising_anger_turns",
            h.rising_anger_turns,
            0,
            MAX_TURNS,
        );
        p.check("handoff.rising_anger_min", h.rising_anger_min, 0.0, 1.0);
        p.check("handoff.repeat_limit", h.repeat_limit, 0, MAX_TURNS);
    }
    if let Some(d) = &file.desk {
        let (second, day) = (secs(1), secs(86_400));
        let sla = &d.sla;
        p.check(
            "desk.sla.first_response",
            secs_of(sla.first_response),
            second,
            secs(30 * 86_400),
        );
        p.check(
            "desk.sla.resolution",
            secs_of(sla.resolution),
            second,
            secs(30 * 86_400),
        );
        p.check(
            "desk.sla.ticket_first_response",
            secs_of(sla.ticket_first_response),
            second,
            secs(30 * 86_400),
        );
        p.check(
            "desk.sla.ticket_resolution",
            secs_of(sla.ticket_resolution),
            second,
            secs(30 * 86_400),
        );
        p.check(
            "desk.overflow.max_wait",
            secs_of(d.overflow.max_wait),
            secs(0),
            day,
        );
        p.check(
            "desk.overflow.anger_threshold",
            d.overflow.anger_threshold,
            0.0,
            1.0,
        );
        p.check("desk.return_after", secs_of(d.return_after), secs(0), day);
        p.check("desk.handling.window", d.handling.window, 1, 10_000);
        p.check(
            "desk.handling.prior",
            secs_of(d.handling.prior),
            second,
            day,
        );
        p.check("desk.spikes.window", secs_of(d.spikes.window), second, day);
        p.check(
            "desk.spikes.baseline",
            secs_of(d.spikes.baseline),
            second,
            secs(30 * 86_400),
        );
        // Below 1 the usual rate itself would be a spike.
        p.check("desk.spikes.factor", d.spikes.factor, 1.0, 1000.0);
        p.check("desk.spikes.min_count", d.spikes.min_count, 1, 100_000);
        for agent in &d.agents {
            p.check(
                &format!("desk.agents[{}].max_chats", agent.id),
                agent.max_chats,
                *crate::desk::MAX_CHATS.start(),
                *crate::desk::MAX_CHATS.end(),
            );
        }
    }
    p.0
}

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// `min <= value <= max`; a NaN is outside every range.
    fn check<T: PartialOrd + fmt::Display>(&mut self, key: &str, value: T, min: T, max: T) {
        if !(min <= value && value <= max) {
            self.0.push(format!(
                "`{key}` = {value} is outside the allowed range {min} to {max}"
            ));
        }
    }
}

/// A duration shown as the file writes it (`"90s"`, `"1h30m"`, `"2d"`).
#[derive(Clone, Copy, PartialEq, PartialOrd)]
struct Secs(u64);

fn secs(n: u64) -> Secs {
    Secs(n)
}

fn secs_of(d: Duration) -> Secs {
    Secs(d.as_secs())
}

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("\"0s\"");
        }
        let mut rest = self.0;
        f.write_str("\"")?;
        for (unit, per) in [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)] {
            if rest >= per {
                write!(f, "{}{unit}", rest / per)?;
                rest %= per;
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        out_of_range(&toml::from_str(text).unwrap())
    }

    #[test]
    fn defaults_and_sensible_values_pass() {
        assert!(problems("").is_empty());
        assert!(out_of_range(&FileConfig {
            handoff: Some(handoff::Policy::default()),
            desk: Some(Default::default()),
            ..Default::default()
        })
        .is_empty());
        assert!(
            problems("[handoff]\nanger_threshold = 1.0\nnot_understood_limit = 0\n").is_empty()
        );
    }

    #[test]
    fn every_out_of_range_number_is_named_with_its_range() {
        #[rustfmt::skip]
        let cases = [
            ("max_message_chars = 0", "`max_message_chars` = 0 is outside the allowed range 1 to 65536"),
            ("[shop]\nurl = \"http://x\"\ntimeout_ms = 600000", "`shop.timeout_ms` = 600000 is outside the allowed range 1 to 30000"),
            ("[handoff]\nanger_threshold = 6", "`handoff.anger_threshold` = 6 is outside the allowed range 0 to 1"),
            ("[handoff]\nvip_anger_threshold = -0.1", "`handoff.vip_anger_threshold` = -0.1 is outside"),
            ("[handoff]\nanger_threshold = nan", "`handoff.anger_threshold` = NaN is outside"),
            ("[handoff]\nrising_anger_min = 1.5", "`handoff.rising_anger_min` = 1.5"),
            ("[handoff]\nrepeat_limit = 1000", "`handoff.repeat_limit` = 1000 is outside the allowed range 0 to 100"),
            ("[handoff]\nnot_understood_limit = 101", "`handoff.not_understood_limit` = 101"),
            ("[handoff]\nrising_anger_turns = 500", "`handoff.rising_anger_turns` = 500"),
            ("[desk.sla]\nfirst_response = \"0s\"", "`desk.sla.first_response` = \"0s\" is outside the allowed range \"1s\" to \"30d\""),
            ("[desk.sla]\nticket_resolution = \"60d\"", "`desk.sla.ticket_resolution` = \"60d\""),
            ("[desk.overflow]\nmax_wait = \"2d\"", "`desk.overflow.max_wait` = \"2d\" is outside the allowed range \"0s\" to \"1d\""),
            ("[desk.overflow]\nanger_threshold = 2.0", "`desk.overflow.anger_threshold` = 2"),
            ("[desk]\nreturn_after = \"2d\"", "`desk.return_after` = \"2d\" is outside the allowed range \"0s\" to \"1d\""),
            ("[desk.handling]\nwindow = 0", "`desk.handling.window` = 0"),
            ("[desk.handling]\nprior = \"0s\"", "`desk.handling.prior` = \"0s\""),
            ("[desk.spikes]\nwindow = \"0s\"", "`desk.spikes.window` = \"0s\""),
            ("[desk.spikes]\nfactor = 0.5", "`desk.spikes.factor` = 0.5 is outside the allowed range 1 to 1000"),
            ("[desk.spikes]\nmin_count = 0", "`desk.spikes.min_count` = 0"),
            ("[[desk.agents]]\nid = \"a1\"\nname = \"x\"\nskills = []\nlanguages = []\nmax_chats = 0", "`desk.agents[a1].max_chats` = 0"),
        ];
        for (text, want) in cases {
            let got = problems(text);
            assert_eq!(got.len(), 1, "{text}: {got:?}");
            assert!(got[0].starts_with(want), "{text}: {}", got[0]);
        }
        assert_eq!(
            problems("[handoff]\nanger_threshold = 6\nvip_anger_threshold = 5\n").len(),
            2,
            "every problem, not the first"
        );
    }
}
