//! Durations in configuration files: `"90s"`, `"2m"`, `"1h30m"`, `"2d"`.
//!
//! One format for every duration `handoff` reads, so a merchant never has to
//! remember which setting is in seconds and which in minutes. Whole numbers
//! followed by a unit (`d`, `h`, `m`, `s`), largest unit first, each unit at
//! most once; `"0s"` is zero. Written back in the same canonical form.
//!
//! Used as `#[serde(with = "crate::duration")]` on `std::time::Duration`
//! fields, and by the modules to add a duration to a [`Time`].

use std::time::Duration;

use chrono::{DateTime, TimeDelta};
use dialogs::Time;
use serde::{Deserialize, Deserializer, Serializer};

/// Longest duration accepted: ten years keeps every sum with a `Time` in range.
const MAX_SECS: u64 = 10 * 366 * 86_400;
const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// Reads `"1h30m"`; the error says what is wrong, for a configuration message.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let bad =
        |why: &str| format!("duration `{text}`: {why} (write it like \"90s\", \"2m\", \"1h30m\")");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad("it is empty"));
    }
    let mut secs: u64 = 0;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| bad("a number needs a unit"))?;
        if digits == 0 {
            return Err(bad("expected a number"));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| bad("number too large"))?;
        let unit = rest[digits..].chars().next().unwrap_or(' ');
        let offset = UNITS[next_unit..]
            .iter()
            .position(|(u, _)| *u == unit)
            .ok_or_else(|| bad("units are d, h, m, s, largest first, each once"))?;
        let per = UNITS[next_unit + offset].1;
        next_unit += offset + 1;
        secs = number
            .checked_mul(per)
            .and_then(|s| s.checked_add(secs))
            .filter(|s| *s <= MAX_SECS)
            .ok_or_else(|| bad("longer than ten years"))?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Ok(Duration::from_secs(secs))
}

/// Writes whole seconds canonically: `"1h30m"`, `"0s"`.
pub(crate) fn format(duration: Duration) -> String {
    let mut secs = duration.as_secs();
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, per) in UNITS {
        if secs >= per {
            out.push_str(&format!("{}{unit}", secs / per));
            secs %= per;
        }
    }
    out
}

/// `t + d`, saturating at the end of representable time instead of panicking.
pub(crate) fn after(t: Time, d: Duration) -> Time {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|delta| t.checked_add_signed(delta))
        .unwrap_or_else(|| DateTime::<chrono::Utc>::MAX_UTC.fixed_offset())
}

/// `t - d`, saturating at the start of representable time instead of panicking.
pub(crate) fn before(t: Time, d: Duration) -> Time {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|delta| t.checked_sub_signed(delta))
        .unwrap_or_else(|| DateTime::<chrono::Utc>::MIN_UTC.fixed_offset())
}

/// `later - earlier`, zero when `later` is not later.
pub(crate) fn between(earlier: Time, later: Time) -> Duration {
    (later - earlier).to_std().unwrap_or(Duration::ZERO)
}

/// Writes a duration as configuration does (`"1h30m"`).
pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*d))
}

/// Reads a duration as configuration writes it (`"90s"`, `"2m"`, `"1h30m"`).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_canonical_form() {
        #[rustfmt::skip]
        let cases: &[(&str, Result<u64, &str>, &str)] = &[
            ("90s",     Ok(90),        "1m30s"),
            ("2m",      Ok(120),       "2m"),
            ("1h30m",   Ok(5_400),     "1h30m"),
            ("2d",      Ok(172_800),   "2d"),
            ("1d2h3m4s", Ok(93_784),   "1d2h3m4s"),
            ("0s",      Ok(0),         "0s"),
            (" 5m ",    Ok(300),       "5m"),
            ("",        Err("empty"),  ""),
            ("5",       Err("unit"),   ""),
            ("m",       Err("number"), ""),
            ("5x",      Err("units"),  ""),
            ("30m1h",   Err("units"),  ""),
            ("1m1m",    Err("units"),  ""),
            ("-1m",     Err("number"), ""),
            ("4000d",   Err("ten years"), ""),
            ("99999999999999999999s", Err("too large"), ""),
        ];
        for (text, want, canonical) in cases {
            match (parse(text), want) {
                (Ok(d), Ok(secs)) => {
                    assert_eq!(d.as_secs(), *secs, "{text}");
                    assert_eq!(format(d), *canonical, "{text}");
                }
                (Err(e), Err(part)) => assert!(e.contains(part), "{text}: {e}"),
                (got, _) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn time_arithmetic_saturates() {
        let t = DateTime::parse_from_rfc3339("2026-11-20T23:00:00+08:00").unwrap();
        assert_eq!(
            after(t, Duration::from_secs(60)).to_rfc3339(),
            "2026-11-20T23:01:00+08:00"
        );
        let end = after(t, Duration::from_secs(u64::MAX));
        assert!(end > t);
        assert!(before(t, Duration::from_secs(u64::MAX)) < t);
        assert_eq!(
            before(t, Duration::from_secs(60)).to_rfc3339(),
            "2026-11-20T22:59:00+08:00"
        );
        assert_eq!(between(end, t), Duration::ZERO);
        assert_eq!(
            between(t, after(t, Duration::from_secs(5))),
            Duration::from_secs(5)
        );
    }
}
