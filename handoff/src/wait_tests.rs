use proptest::prelude::*;

use super::*;

fn min(m: u64) -> Duration {
    Duration::from_secs(60 * m)
}

fn stats(window: usize, minutes: &[u64]) -> HandlingStats {
    let mut stats = HandlingStats {
        window,
        ..HandlingStats::default()
    };
    for m in minutes {
        stats.record(min(*m));
    }
    stats
}

#[test]
fn stats_keep_a_rolling_window() {
    #[rustfmt::skip]
    let cases: &[(usize, &[u64], Duration, Duration, usize)] = &[
        // window, measures (min), mean, p50, len
        (50, &[],                min(5),  min(5),  0),
        (50, &[4],               min(4),  min(4),  1),
        (50, &[2, 4, 12],        min(6),  min(4),  3),
        (50, &[2, 4, 6, 12],     min(6),  min(4),  4),
        // The first two fall out of a window of three.
        (3,  &[60, 60, 2, 4, 12], min(6), min(4),  3),
        (0,  &[7, 3],            min(3),  min(3),  1),
    ];
    for (window, measures, mean, p50, len) in cases {
        let s = stats(*window, measures);
        assert_eq!(
            (s.mean(), s.p50(), s.len()),
            (*mean, *p50, *len),
            "{measures:?} in {window}"
        );
    }
    let mut odd = HandlingStats::default();
    odd.record(Duration::from_secs(1));
    odd.record(Duration::from_secs(2));
    assert_eq!(
        odd.mean(),
        Duration::from_secs(2),
        "rounded up to the second"
    );
}

#[test]
fn a_shrunk_window_applies_to_saved_measures() {
    let mut s = stats(50, &[60, 60, 3]);
    s.window = 1;
    assert_eq!((s.mean(), s.len()), (min(3), 1));
    let saved = serde_json::to_string(&s).unwrap();
    let again: HandlingStats = serde_json::from_str(&saved).unwrap();
    assert_eq!(again, s);
    let config: HandlingStats = toml::from_str("window = 20\nprior = \"4m\"").unwrap();
    assert_eq!(
        (config.window, config.mean(), config.is_empty()),
        (20, min(4), true)
    );
}

#[test]
fn the_wait_grows_with_the_position_and_shrinks_with_seats() {
    let s = stats(50, &[6, 6]);
    let seats = |total, free| Seats { total, free };
    #[rustfmt::skip]
    let cases: &[(usize, Seats, Option<Duration>)] = &[
        (1, seats(0, 0), None),
        (1, seats(3, 1), Some(Duration::ZERO)),
        (2, seats(3, 2), Some(Duration::ZERO)),
        (3, seats(3, 2), Some(min(2))),
        (1, seats(3, 0), Some(min(2))),
        (2, seats(3, 0), Some(min(4))),
        (10, seats(3, 0), Some(min(20))),
        (10, seats(6, 0), Some(min(10))),
        (0, seats(3, 0), Some(min(2))), // 0 is read as the first place
        (1, seats(7, 0), Some(Duration::from_secs(52))), // 360 / 7 = 51.4
    ];
    for (position, seats, want) in cases {
        assert_eq!(
            estimate_wait(*position, *seats, &s),
            *want,
            "#{position} with {seats:?}"
        );
    }
}

#[test]
fn long_waits_offer_a_callback_except_to_angry_and_vip_shoppers() {
    let policy = OverflowPolicy::default();
    #[rustfmt::skip]
    let cases: &[(u64, Tier, f32, Overflow)] = &[
        (4,  Tier::Normal, 0.0, Overflow::Queue),
        (5,  Tier::Normal, 0.0, Overflow::Queue),
        (6,  Tier::Normal, 0.0, Overflow::OfferCallback),
        (6,  Tier::Normal, 0.59, Overflow::OfferCallback),
        (6,  Tier::Normal, 0.6, Overflow::Queue),
        (60, Tier::Normal, 0.9, Overflow::Queue),
        (60, Tier::Vip,    0.0, Overflow::Queue),
        (60, Tier::Svip,   0.0, Overflow::Queue),
        (60, Tier::Normal, f32::NAN, Overflow::OfferCallback),
    ];
    for (wait, tier, anger, want) in cases {
        assert_eq!(
            overflow(min(*wait), &policy, *tier, *anger),
            *want,
            "{wait} min, {tier:?}, {anger}"
        );
    }
    let strict: OverflowPolicy = toml::from_str("max_wait = \"1m\"").unwrap();
    assert_eq!(
        overflow(min(2), &strict, Tier::Normal, 0.0),
        Overflow::OfferCallback
    );
    assert_eq!(strict.anger_threshold, 0.6);
}

proptest! {
    #[test]
    fn more_ahead_never_shortens_more_seats_never_lengthen(
        measures in prop::collection::vec(0u64..7200, 0..60),
        position in 0usize..500,
        total in 1u32..50,
        free_share in 0u32..=100,
    ) {
        let mut s = HandlingStats::default();
        for m in measures {
            s.record(Duration::from_secs(m));
        }
        let free = total * free_share / 100;
        let seats = Seats { total, free };
        let here = estimate_wait(position, seats, &s).unwrap();
        prop_assert!(estimate_wait(position + 1, seats, &s).unwrap() >= here);
        let more = Seats { total: total + 1, free };
        prop_assert!(estimate_wait(position, more, &s).unwrap() <= here);
    }
}
