use proptest::prelude::*;

use super::*;

fn at(rfc3339: &str) -> Time {
    DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

fn hours(toml_text: &str) -> BusinessHours {
    toml::from_str(toml_text).unwrap()
}

/// Shanghai; weekdays 09–18, Friday also 20:00–02:00, Saturday closed,
/// Sunday 10–16; the October holidays; Singles' Day open around the clock.
const SHOP: &str = r#"
    tz = "Asia/Shanghai"
    holidays = ["2026-10-01", "2026-10-02", "2026-10-03"]
    [weekly]
    mon = ["09:00-18:00"]
    tue = ["09:00-18:00"]
    wed = ["09:00-18:00"]
    thu = ["09:00-18:00"]
    fri = ["09:00-18:00", "20:00-02:00"]
    sun = ["10:00-16:00"]
    [special_days]
    "2026-11-11" = ["00:00-24:00"]
"#;

/// (now, open?, next opening)
fn check(hours: &BusinessHours, cases: &[(&str, bool, &str)]) {
    for (now, open, next) in cases {
        let now = at(now);
        assert_eq!(hours.is_open(now), *open, "is_open at {now}");
        let got = hours.next_opening(now).expect("opens again");
        assert_eq!(got, at(next), "next opening after {now}: got {got}");
        assert_eq!(
            got.offset(),
            at(next).offset(),
            "written in the shop's zone"
        );
    }
}

#[test]
fn default_is_every_day_nine_to_ten_in_shanghai() {
    #[rustfmt::skip]
    check(&BusinessHours::default(), &[
        ("2026-11-20T10:00:00+08:00", true,  "2026-11-20T10:00:00+08:00"),
        ("2026-11-20T09:00:00+08:00", true,  "2026-11-20T09:00:00+08:00"),
        ("2026-11-20T08:59:59+08:00", false, "2026-11-20T09:00:00+08:00"),
        ("2026-11-20T22:00:00+08:00", false, "2026-11-21T09:00:00+08:00"),
        ("2026-11-20T23:00:00+08:00", false, "2026-11-21T09:00:00+08:00"),
        // The same instant written in UTC.
        ("2026-11-20T15:00:00+00:00", false, "2026-11-21T09:00:00+08:00"),
        ("2026-11-21T00:30:00+08:00", false, "2026-11-21T09:00:00+08:00"),
    ]);
}

#[test]
fn overnight_weekend_holiday_and_special_days() {
    #[rustfmt::skip]
    check(&hours(SHOP), &[
        // Friday night runs past midnight into Saturday.
        ("2026-11-20T19:00:00+08:00", false, "2026-11-20T20:00:00+08:00"),
        ("2026-11-20T23:30:00+08:00", true,  "2026-11-20T23:30:00+08:00"),
        ("2026-11-21T01:59:00+08:00", true,  "2026-11-21T01:59:00+08:00"),
        // Saturday is closed: next is Sunday 10:00, then Monday 09:00.
        ("2026-11-21T02:00:00+08:00", false, "2026-11-22T10:00:00+08:00"),
        ("2026-11-21T12:00:00+08:00", false, "2026-11-22T10:00:00+08:00"),
        ("2026-11-22T16:00:00+08:00", false, "2026-11-23T09:00:00+08:00"),
        // A run of holidays (Thu–Sat): Friday night is gone too.
        ("2026-09-30T18:00:00+08:00", false, "2026-10-04T10:00:00+08:00"),
        ("2026-10-03T01:00:00+08:00", false, "2026-10-04T10:00:00+08:00"),
        // The Friday before the holidays still runs into Saturday the 26th.
        ("2026-09-26T01:00:00+08:00", true,  "2026-09-26T01:00:00+08:00"),
        // A special day replaces Wednesday's hours.
        ("2026-11-10T23:00:00+08:00", false, "2026-11-11T00:00:00+08:00"),
        ("2026-11-11T03:00:00+08:00", true,  "2026-11-11T03:00:00+08:00"),
        ("2026-11-11T23:59:00+08:00", true,  "2026-11-11T23:59:00+08:00"),
        ("2026-11-12T08:00:00+08:00", false, "2026-11-12T09:00:00+08:00"),
    ]);
}

#[test]
fn new_york_hours_follow_daylight_saving() {
    let ny = hours(
        "tz = \"America/New_York\"\n[weekly]\nsat = [\"09:00-17:00\"]\nsun = [\"09:00-17:00\"]",
    );
    #[rustfmt::skip]
    check(&ny, &[
        // Clocks go forward on Sunday 8 March 2026: 09:00 is EDT (-04:00), not 10:00.
        ("2026-03-07T18:00:00-05:00", false, "2026-03-08T09:00:00-04:00"),
        // And back on Sunday 1 November: 09:00 is EST (-05:00).
        ("2026-10-31T18:00:00-04:00", false, "2026-11-01T09:00:00-05:00"),
        ("2026-11-01T08:30:00-05:00", false, "2026-11-01T09:00:00-05:00"),
    ]);
    // An opening inside the skipped hour starts when the clocks land.
    let gap = hours("tz = \"America/New_York\"\n[weekly]\nsun = [\"02:30-04:00\"]");
    #[rustfmt::skip]
    check(&gap, &[
        ("2026-03-08T00:00:00-05:00", false, "2026-03-08T03:30:00-04:00"),
        ("2026-03-08T03:45:00-04:00", true,  "2026-03-08T03:45:00-04:00"),
    ]);
    // An opening starting in the repeated hour starts at its first occurrence,
    // and 01:30 EDT to 03:00 EST is two and a half hours of open time.
    let fold = hours("tz = \"America/New_York\"\n[weekly]\nsun = [\"01:30-03:00\"]");
    let now = at("2026-11-01T00:00:00-04:00");
    assert_eq!(
        fold.next_opening(now),
        Some(at("2026-11-01T01:30:00-04:00"))
    );
    let two_h = Duration::from_secs(2 * 3600);
    assert_eq!(
        fold.answer_by(now, two_h),
        Some(at("2026-11-01T02:30:00-05:00"))
    );
    assert_eq!(
        fold.answer_by(now, two_h * 2),
        Some(at("2026-11-08T03:00:00-05:00"))
    );
}

#[test]
fn answer_by_counts_open_time_only() {
    let min = |m: u64| Duration::from_secs(60 * m);
    let default = BusinessHours::default();
    let shop = hours(SHOP);
    #[rustfmt::skip]
    let cases: &[(&BusinessHours, &str, Duration, &str)] = &[
        (&default, "2026-11-20T10:00:00+08:00", min(30),  "2026-11-20T10:30:00+08:00"),
        (&default, "2026-11-20T21:50:00+08:00", min(30),  "2026-11-21T09:20:00+08:00"),
        (&default, "2026-11-20T23:00:00+08:00", min(30),  "2026-11-21T09:30:00+08:00"),
        (&default, "2026-11-20T23:00:00+08:00", min(0),   "2026-11-21T09:00:00+08:00"),
        (&default, "2026-11-20T09:00:00+08:00", min(14 * 60), "2026-11-21T10:00:00+08:00"),
        (&default, "2026-11-20T22:00:00+08:00", min(13 * 60), "2026-11-21T22:00:00+08:00"),
        // Friday 17:50 + 1 h: 10 min before six, 50 min of the night opening.
        (&shop,    "2026-11-20T17:50:00+08:00", min(60),  "2026-11-20T20:50:00+08:00"),
        // Saturday: nothing until Sunday.
        (&shop,    "2026-11-21T03:00:00+08:00", min(30),  "2026-11-22T10:30:00+08:00"),
        // Over the holidays.
        (&shop,    "2026-09-30T17:30:00+08:00", min(60),  "2026-10-04T10:30:00+08:00"),
    ];
    for (hours, now, sla, want) in cases {
        assert_eq!(
            hours.answer_by(at(now), *sla),
            Some(at(want)),
            "{now} + {sla:?}"
        );
    }
}

#[test]
fn configuration_reads_and_round_trips() {
    assert_eq!(hours(""), BusinessHours::default());
    let shop = hours(SHOP);
    assert_eq!(shop.weekly.sat, Vec::new(), "a day left out is closed");
    assert_eq!(shop.weekly.fri[1].to_string(), "20:00-02:00");
    let again: BusinessHours = toml::from_str(&toml::to_string(&shop).unwrap()).unwrap();
    assert_eq!(again, shop);
    let json = serde_json::to_value(BusinessHours::default()).unwrap();
    assert_eq!(json["tz"], "Asia/Shanghai");
    assert_eq!(json["weekly"]["mon"][0], "09:00-22:00");
}

#[test]
fn bad_configuration_says_what_is_wrong() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("tz = \"Mars/Olympus\"",                      "Mars/Olympus"),
        ("[weekly]\nmon = [\"9-18\"]",                 "opening `9-18`"),
        ("[weekly]\nmon = [\"09:00-25:00\"]",          "end is not a time"),
        ("[weekly]\nmon = [\"24:00-02:00\"]",          "cannot start at 24:00"),
        ("[weekly]\nmon = [\"09:00-09:00\"]",          "00:00-24:00"),
        ("[weekly]\nmon = [\"09:60-10:00\"]",          "start is not a time"),
        ("[weekly]\nmon = []",                         "no opening hours on any day"),
        ("[weekly]\nmonday = [\"09:00-18:00\"]",       "monday"),
        ("holidays = [\"2026-13-01\"]",                "input is out of range"),
        ("[weekly]\nmon = [\"09:00-13:00\", \"12:00-18:00\"]", "mon: openings 09:00-13:00 and 12:00-18:00 overlap"),
        ("[special_days]\n\"2026-11-11\" = [\"00:00-24:00\", \"20:00-22:00\"]", "2026-11-11: openings 00:00-24:00 and 20:00-22:00 overlap"),
    ];
    for (text, part) in cases {
        let err = toml::from_str::<BusinessHours>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains(part), "{text}: {err}");
    }
    assert_eq!(
        "00:00-24:00".parse::<Opening>().unwrap().to_string(),
        "00:00-24:00"
    );
    assert_eq!(
        "22:00-00:00".parse::<Opening>().unwrap().to_string(),
        "22:00-24:00"
    );
}

#[test]
fn a_week_without_hours_never_opens_and_search_is_bounded() {
    let closed = BusinessHours {
        weekly: Weekly::default(),
        ..BusinessHours::default()
    };
    let now = at("2026-11-20T10:00:00+08:00");
    assert!(!closed.is_open(now));
    assert_eq!(closed.next_opening(now), None);
    assert_eq!(closed.answer_by(now, Duration::ZERO), None);
    // Open around the clock, an absurd target gives up instead of counting for ever.
    let always = BusinessHours {
        weekly: Weekly::every_day(vec!["00:00-24:00".parse().unwrap()]),
        ..BusinessHours::default()
    };
    assert_eq!(always.answer_by(now, Duration::MAX), None);
    let year = Duration::from_secs(365 * 86_400);
    assert_eq!(
        always.answer_by(now, year),
        Some(at("2027-11-20T10:00:00+08:00"))
    );
}

fn any_hours() -> impl Strategy<Value = BusinessHours> {
    let zones = prop::sample::select(vec![
        chrono_tz::Asia::Shanghai,
        chrono_tz::America::New_York,
        chrono_tz::Europe::London,
        chrono_tz::Australia::Lord_Howe, // a half-hour DST shift
    ]);
    let opening = (0u16..96, 1u16..=96).prop_map(|(start, len)| Opening {
        start: start * 15,
        end: start * 15 + len * 15,
    });
    let day = prop::collection::vec(opening, 0..3);
    let days = prop::collection::vec(day, 7);
    let holidays = prop::collection::btree_set(0u64..400, 0..40);
    (zones, days, holidays)
        .prop_filter("some hours", |(_, days, _)| {
            days.iter().any(|d| !d.is_empty())
        })
        .prop_map(|(tz, days, holidays)| {
            let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let mut d = days.into_iter();
            let mut next = || d.next().unwrap();
            BusinessHours {
                tz,
                weekly: Weekly {
                    mon: next(),
                    tue: next(),
                    wed: next(),
                    thu: next(),
                    fri: next(),
                    sat: next(),
                    sun: next(),
                },
                holidays: holidays.into_iter().map(|n| days_after(first, n)).collect(),
                special_days: BTreeMap::new(),
            }
        })
}

proptest! {
    #[test]
    fn next_opening_is_open_and_not_before_now(
        hours in any_hours(),
        secs in 0i64..(400 * 86_400),
        sla in 0u64..(3 * 86_400),
    ) {
        let now = at("2026-01-01T00:00:00+08:00") + TimeDelta::seconds(secs);
        let next = hours.next_opening(now).expect("a week with hours opens again");
        prop_assert!(next >= now);
        prop_assert!(hours.is_open(next), "{next} should be open");
        prop_assert_eq!(hours.is_open(now), next == now);
        let due = hours.answer_by(now, Duration::from_secs(sla)).expect("answered");
        prop_assert!(due >= next);
    }
}
