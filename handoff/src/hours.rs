//! Service hours: when a person can answer, and by when one will.
//!
//! Hours are wall-clock times in the shop's time zone (an IANA name such as
//! `Asia/Shanghai`), so they stay right across daylight-saving changes: a
//! New York shop that opens at 09:00 opens at 09:00 EST in winter and
//! 09:00 EDT in summer.
//!
//! ```toml
//! tz = "Asia/Shanghai"
//! holidays = ["2026-10-01", "2026-10-02"]     # closed all day
//! [weekly]                                    # a day left out is closed
//! mon = ["09:00-22:00"]
//! fri = ["09:00-12:00", "13:00-02:00"]        # ends before it starts: runs past midnight
//! sun = ["00:00-24:00"]
//! [special_days]                              # own hours, replacing the week's
//! "2026-11-11" = ["00:00-24:00"]
//! ```
//!
//! Without a `weekly` table every day is open 09:00–22:00.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone,
    Utc, Weekday,
};
use chrono_tz::Tz;
use dialogs::Time;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const DAY: u16 = 24 * 60;
/// Days searched past the last holiday or special day: a week with any hours
/// at all opens at least once in that span, even across a DST change.
const QUIET_DAYS: u64 = 15;
/// Days searched at most: targets beyond ten years are not answers.
const MAX_DAYS: u64 = 11 * 366;

/// The shop's opening hours. Pure: every question takes `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessHours {
    /// The time zone the hours are written in.
    pub tz: Tz,
    /// The regular week. At least one day must have hours: otherwise a
    /// ticket could never be answered (the configuration is refused).
    #[serde(deserialize_with = "week_with_hours")]
    pub weekly: Weekly,
    /// Dates closed all day. A holiday wins over a special day on the same date.
    pub holidays: BTreeSet<NaiveDate>,
    /// Dates with their own hours, replacing the week's (`[]` closes the day).
    #[serde(deserialize_with = "special_days_without_overlaps")]
    pub special_days: BTreeMap<NaiveDate, Vec<Opening>>,
}

impl Default for BusinessHours {
    /// Every day 09:00–22:00, Asia/Shanghai.
    fn default() -> BusinessHours {
        BusinessHours {
            tz: chrono_tz::Asia::Shanghai,
            weekly: Weekly::every_day(vec![Opening {
                start: 9 * 60,
                end: 22 * 60,
            }]),
            holidays: BTreeSet::new(),
            special_days: BTreeMap::new(),
        }
    }
}

impl BusinessHours {
    /// Whether the shop is open at `now` (an opening includes its start and
    /// excludes its end: at 22:00 a 09:00–22:00 shop is closed).
    pub fn is_open(&self, now: Time) -> bool {
        self.next_opening(now) == Some(now)
    }

    /// `now` when open, else the next moment the shop opens; in the shop's
    /// time zone. `None` only if the week has no hours at all.
    pub fn next_opening(&self, now: Time) -> Option<Time> {
        self.scan(now, |start, _| Some(start))
    }

    /// When a person will answer something filed at `now`, with a
    /// first-response target of `sla`.
    ///
    /// The target counts **open time only**, as service targets usually do:
    /// with 30 minutes to go, a ticket filed at 21:50 in a shop closing at
    /// 22:00 is due at 09:20 the next morning, and one filed at 23:00 at
    /// 09:30. A zero `sla` gives [`next_opening`](Self::next_opening).
    /// `None` only if the week has no hours at all.
    pub fn answer_by(&self, now: Time, sla: Duration) -> Option<Time> {
        let mut left = TimeDelta::from_std(sla).unwrap_or(TimeDelta::MAX);
        self.scan(now, |start, end| {
            let open = end - start;
            if left <= open {
                Some(start + left)
            } else {
                left -= open;
                None
            }
        })
    }

    /// Visits the open spans from `now` on, in order, without overlap, until
    /// `visit` answers. Stops after [`QUIET_DAYS`] without any opening past
    /// the last holiday or special day, and after [`MAX_DAYS`] in any case.
    fn scan(
        &self,
        now: Time,
        mut visit: impl FnMut(DateTime<Utc>, DateTime<Utc>) -> Option<DateTime<Utc>>,
    ) -> Option<Time> {
        let now = now.with_timezone(&Utc);
        let today = now.with_timezone(&self.tz).date_naive();
        let last_exception = [self.holidays.last(), self.special_days.keys().last()]
            .into_iter()
            .flatten()
            .fold(today, |a, b| a.max(*b));
        let mut give_up = days_after(last_exception, QUIET_DAYS);
        let never = days_after(today, MAX_DAYS);
        let mut cursor = now;
        // An opening lasts at most a day, so one that started two local days
        // ago has ended; starting there also covers DST-shifted starts.
        let mut date = today.checked_sub_days(Days::new(2)).unwrap_or(today);
        while date <= give_up.min(never) {
            for (start, end) in self.spans_on(date) {
                let start = start.max(cursor);
                if end <= start {
                    continue;
                }
                give_up = give_up.max(days_after(date, QUIET_DAYS));
                cursor = end;
                if let Some(at) = visit(start, end) {
                    return Some(at.with_timezone(&self.tz).fixed_offset());
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// The openings that apply on a local date.
    fn openings_on(&self, date: NaiveDate) -> &[Opening] {
        if self.holidays.contains(&date) {
            return &[];
        }
        match self.special_days.get(&date) {
            Some(openings) => openings,
            None => self.weekly.on(date.weekday()),
        }
    }

    /// The date's openings as instants, sorted by start, empty ones dropped.
    fn spans_on(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        let at = |minutes: u16| self.instant(midnight + TimeDelta::minutes(minutes.into()));
        let mut spans: Vec<_> = self
            .openings_on(date)
            .iter()
            .map(|o| (at(o.start), at(o.end)))
            .filter(|(start, end)| start < end)
            .collect();
        spans.sort();
        spans
    }

    /// A wall-clock time in the shop's zone as an instant. A time that
    /// occurs twice (clocks going back) is the first; a time that does not
    /// occur (clocks going forward) is read with the offset in force before
    /// the jump, which lands after it: 02:30 on a spring-forward night in
    /// New York is 03:30 EDT. These are RFC 9557 / Temporal's "compatible" rules.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => {
                let before = self
                    .tz
                    .offset_from_utc_datetime(&(local - TimeDelta::days(1)))
                    .fix();
                (local - TimeDelta::seconds(before.local_minus_utc().into())).and_utc()
            }
        }
    }
}

/// The regular week: each day's openings. A day left out of a configuration
/// file is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weekly {
    pub mon: Vec<Opening>,
    pub tue: Vec<Opening>,
    pub wed: Vec<Opening>,
    pub thu: Vec<Opening>,
    pub fri: Vec<Opening>,
    pub sat: Vec<Opening>,
    pub sun: Vec<Opening>,
}

impl Weekly {
    /// The same openings every day of the week.
    pub fn every_day(openings: Vec<Opening>) -> Weekly {
        Weekly {
            mon: openings.clone(),
            tue: openings.clone(),
            wed: openings.clone(),
            thu: openings.clone(),
            fri: openings.clone(),
            sat: openings.clone(),
            sun: openings,
        }
    }

    /// One weekday's openings.
    pub fn on(&self, day: Weekday) -> &[Opening] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }
}

fn days_after(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// Two openings of one day that overlap (`"09:00-13:00"`, `"12:00-18:00"`),
/// as an error message: most likely a typo, never two meant openings.
fn overlap(day: &str, openings: &[Opening]) -> Option<String> {
    let mut sorted = openings.to_vec();
    sorted.sort();
    sorted.windows(2).find(|w| w[1].start < w[0].end).map(|w| {
        format!(
            "{day}: openings {} and {} overlap (write them as one opening)",
            w[0], w[1]
        )
    })
}

fn special_days_without_overlaps<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<NaiveDate, Vec<Opening>>, D::Error> {
    let days = BTreeMap::<NaiveDate, Vec<Opening>>::deserialize(d)?;
    for (date, openings) in &days {
        if let Some(message) = overlap(&date.to_string(), openings) {
            return Err(serde::de::Error::custom(message));
        }
    }
    Ok(days)
}

fn week_with_hours<'de, D: Deserializer<'de>>(d: D) -> Result<Weekly, D::Error> {
    let week = Weekly::deserialize(d)?;
    let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu];
    let days = days
        .into_iter()
        .chain([Weekday::Fri, Weekday::Sat, Weekday::Sun]);
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    for (day, name) in days.clone().zip(names) {
        if let Some(message) = overlap(name, week.on(day)) {
            return Err(serde::de::Error::custom(message));
        }
    }
    if days.map(|day| week.on(day)).all(<[Opening]>::is_empty) {
        return Err(serde::de::Error::custom(
            "`weekly` has no opening hours on any day, so a ticket could never be answered; \
             give at least one day hours such as [\"09:00-18:00\"]",
        ));
    }
    Ok(week)
}

/// One opening on a day, written `"09:00-22:00"`. An end at or before the
/// start runs past midnight (`"22:00-02:00"`); `"00:00-24:00"` is the whole
/// day. Minute precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Opening {
    /// Minutes after local midnight, below 24 h.
    start: u16,
    /// Minutes after the same midnight, after `start`, at most 24 h after it.
    end: u16,
}

impl FromStr for Opening {
    type Err = String;

    fn from_str(text: &str) -> Result<Opening, String> {
        let bad = |why: &str| format!("opening `{text}`: {why} (write it like \"09:00-22:00\")");
        let minutes = |hhmm: &str| -> Option<u16> {
            let (h, m) = hhmm.trim().split_once(':')?;
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (m < 60 && h * 60 + m <= DAY).then_some(h * 60 + m)
        };
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| bad("expected start-end"))?;
        let start = minutes(start).ok_or_else(|| bad("start is not a time"))?;
        let end = minutes(end).ok_or_else(|| bad("end is not a time"))?;
        if start == DAY {
            return Err(bad("it cannot start at 24:00"));
        }
        match end.cmp(&start) {
            std::cmp::Ordering::Greater => Ok(Opening { start, end }),
            std::cmp::Ordering::Less => Ok(Opening {
                start,
                end: end + DAY,
            }),
            std::cmp::Ordering::Equal => Err(bad(
                "it starts and ends at the same time; write \"00:00-24:00\" for the whole day",
            )),
        }
    }
}

impl fmt::Display for Opening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.end > DAY {
            self.end - DAY
        } else {
            self.end
        };
        let (s, e) = (self.start, end);
        write!(f, "{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
    }
}

impl Serialize for Opening {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Opening {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Opening, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "hours_tests.rs"]
mod tests;
