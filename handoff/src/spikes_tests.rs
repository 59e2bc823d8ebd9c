use chrono::TimeDelta;

use super::*;

fn at(rfc3339: &str) -> Time {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

/// The pinned clock: checks happen at 12:00.
fn noon() -> Time {
    at("2026-11-20T12:00:00+08:00")
}

/// `baseline` events spread over (10:50, 11:50] and `recent` over (11:50, 12:00].
fn detector(key: &str, baseline: i64, recent: i64) -> SpikeDetector {
    let mut d = SpikeDetector::new(SpikePolicy::default());
    for n in 0..baseline {
        let offset = TimeDelta::seconds(1 + 3600 * n / baseline);
        d.record(noon() - TimeDelta::minutes(70) + offset, key);
    }
    for n in 0..recent {
        d.record(noon() - TimeDelta::seconds(1 + 590 * n / recent), key);
    }
    d
}

/// What, events in the hour before, events in the last 10 min, and the
/// spike expected: (count, usual).
type Case = (&'static str, i64, i64, Option<(usize, f64)>);

#[test]
fn a_spike_is_well_above_the_usual_rate() {
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("quiet",                          6,  3, None),
        ("five against one usual",         6,  5, Some((5, 1.0))),
        ("five against two usual",        12,  5, None),
        ("seven against two usual",       12,  7, Some((7, 2.0))),
        ("exactly three times is not more", 12, 6, None),
        ("out of nowhere",                 0,  5, Some((5, 0.0))),
        ("a few out of nowhere",           0,  4, None),
        ("busy but steady",               60, 10, None),
    ];
    for (what, baseline, recent, want) in cases {
        let got = detector("complaint", *baseline, *recent).check(noon());
        let got: Vec<_> = got.iter().map(|s| (s.count, s.usual)).collect();
        assert_eq!(got, want.iter().copied().collect::<Vec<_>>(), "{what}");
    }
}

#[test]
fn a_surge_is_raised_once_until_it_calms_down() {
    let mut d = detector("SKU-8848", 0, 6);
    d.record(noon(), "complaint");
    let spikes = d.check(noon());
    assert_eq!(spikes.len(), 1);
    assert_eq!(
        (spikes[0].key.as_str(), spikes[0].count, spikes[0].at),
        ("SKU-8848", 6, noon())
    );
    assert_eq!(spikes[0].window, Duration::from_secs(600));

    // Still surging a minute later: no second alert.
    let later = noon() + TimeDelta::minutes(1);
    d.record(later, "SKU-8848");
    assert_eq!(d.check(later), Vec::new());
    // Twenty minutes on the window is empty: calm again.
    assert_eq!(d.check(noon() + TimeDelta::minutes(20)), Vec::new());
    // Hours later, a new surge is a new alert.
    let evening = noon() + TimeDelta::hours(5);
    for n in 0..5 {
        d.record(evening - TimeDelta::minutes(n), "SKU-8848");
    }
    let again = d.check(evening);
    assert_eq!(
        again.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
        ["SKU-8848"]
    );
}

#[test]
fn future_events_wait_and_old_ones_are_forgotten() {
    let mut d = SpikeDetector::new(SpikePolicy::default());
    for n in 0..5 {
        d.record(noon() + TimeDelta::minutes(n), "track_package");
    }
    assert_eq!(
        d.check(noon()),
        Vec::new(),
        "four of them are still to come"
    );
    assert_eq!(d.check(noon() + TimeDelta::minutes(5)).len(), 1);
    d.check(noon() + TimeDelta::hours(3));
    let saved = serde_json::to_value(&d).unwrap();
    assert_eq!(
        saved["events"],
        serde_json::json!({}),
        "nothing kept past window + baseline"
    );
    assert_eq!(saved["policy"]["window"], "10m");
    let restored: SpikeDetector = serde_json::from_value(saved).unwrap();
    assert_eq!(restored, d);
}

#[test]
fn policy_reads_from_configuration() {
    let p: SpikePolicy = toml::from_str("window = \"5m\"\nfactor = 2.5").unwrap();
    assert_eq!(
        (p.window, p.baseline, p.factor, p.min_count),
        (Duration::from_secs(300), Duration::from_secs(3600), 2.5, 5)
    );
    assert!(toml::from_str::<SpikePolicy>("windows = \"5m\"").is_err());
}
