//! Who an agent serves first.

use dialogs::Tier;

use crate::Reason;

/// Points per unit of anger: an anger of 0.8 is worth 80.
const ANGER: f32 = 100.0;
const VIP: i64 = 50;
const SVIP: i64 = 80;
const COMPLAINT: i64 = 40;
const SITUATION: i64 = 30;
/// On top of the anger points, for anger that crossed the policy threshold.
const ANGRY: i64 = 20;
const ASKED_FOR_HUMAN: i64 = 10;
const NOT_UNDERSTOOD: i64 = 10;

/// A queue entry's priority: higher is served first.
///
/// Points add up: anger (0–100, plus 20 once it crossed the threshold), tier
/// (VIP 50, SVIP 80), complaint 40, a pack situation such as a lost parcel
/// 30, asking for a person or not being understood 10. A furious ordinary
/// shopper thus comes before a calm VIP, and a furious VIP before both.
/// `anger` outside [0, 1] is clamped; NaN counts as 0. The anger recorded in
/// an [`Reason::Anger`] counts when it is higher than `anger`.
pub fn priority(reasons: &[Reason], tier: Tier, anger: f32) -> i64 {
    let recorded = reasons.iter().filter_map(|r| match r {
        Reason::Anger { score, .. } => Some(*score),
        _ => None,
    });
    let anger = recorded.fold(anger, f32::max);
    let anger = if anger.is_nan() {
        0.0
    } else {
        anger.clamp(0.0, 1.0)
    };
    let mut points = (anger * ANGER).round() as i64;
    points += match tier {
        Tier::Normal => 0,
        Tier::Vip => VIP,
        Tier::Svip => SVIP,
    };
    // Each kind of reason counts once, however often it was recorded.
    let mut seen = [false; 7];
    for reason in reasons {
        let (slot, value) = match reason {
            Reason::AskedForHuman => (0, ASKED_FOR_HUMAN),
            Reason::Complaint => (1, COMPLAINT),
            Reason::Anger { .. } => (2, ANGRY),
            Reason::NotUnderstood { .. } => (3, NOT_UNDERSTOOD),
            Reason::Situation { .. } => (4, SITUATION),
            Reason::RisingAnger { .. } => (5, ANGRY),
            Reason::RepeatedIntent { .. } => (6, NOT_UNDERSTOOD),
        };
        if !std::mem::replace(&mut seen[slot], true) {
            points += value;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn angry(score: f32) -> Reason {
        Reason::Anger {
            score,
            threshold: 0.6,
        }
    }

    #[test]
    fn cases_come_out_in_the_intended_order() {
        // From most to least urgent.
        #[rustfmt::skip]
        let ranked: Vec<(&str, Vec<Reason>, Tier, f32)> = vec![
            ("furious svip complaint", vec![Reason::Complaint, angry(0.95)], Tier::Svip,   0.95),
            ("furious vip complaint",  vec![Reason::Complaint, angry(0.95)], Tier::Vip,    0.95),
            ("furious complaint",      vec![Reason::Complaint, angry(0.95)], Tier::Normal, 0.95),
            ("angry shopper",          vec![angry(0.8)],                     Tier::Normal, 0.8),
            ("calm svip asks",         vec![Reason::AskedForHuman],          Tier::Svip,   0.0),
            ("calm vip asks",          vec![Reason::AskedForHuman],          Tier::Vip,    0.0),
            ("calm complaint",         vec![Reason::Complaint],              Tier::Normal, 0.0),
            ("lost parcel",            vec![Reason::Situation { code: "lost_parcel".into() }], Tier::Normal, 0.0),
            ("calm shopper asks",      vec![Reason::AskedForHuman],          Tier::Normal, 0.0),
        ];
        for pair in ranked.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (pa, pb) = (priority(&a.1, a.2, a.3), priority(&b.1, b.2, b.3));
            assert!(pa > pb, "{} ({pa}) should outrank {} ({pb})", a.0, b.0);
        }
    }

    #[test]
    fn more_anger_never_lowers_priority() {
        let mut last = i64::MIN;
        for step in 0..=20 {
            let p = priority(&[Reason::AskedForHuman], Tier::Normal, step as f32 / 20.0);
            assert!(p >= last);
            last = p;
        }
    }

    #[test]
    fn tier_alone_orders_svip_vip_normal() {
        let r = [Reason::AskedForHuman];
        let (n, v, s) = (
            priority(&r, Tier::Normal, 0.3),
            priority(&r, Tier::Vip, 0.3),
            priority(&r, Tier::Svip, 0.3),
        );
        assert!(s > v && v > n);
    }

    #[test]
    fn odd_anger_values_are_tamed_and_duplicates_count_once() {
        let r = [Reason::Complaint];
        assert_eq!(
            priority(&r, Tier::Normal, f32::NAN),
            priority(&r, Tier::Normal, 0.0)
        );
        assert_eq!(
            priority(&r, Tier::Normal, 7.0),
            priority(&r, Tier::Normal, 1.0)
        );
        assert_eq!(
            priority(&r, Tier::Normal, -1.0),
            priority(&r, Tier::Normal, 0.0)
        );
        let twice = [Reason::Complaint, Reason::Complaint];
        assert_eq!(
            priority(&twice, Tier::Normal, 0.0),
            priority(&r, Tier::Normal, 0.0)
        );
        assert_eq!(
            priority(&[angry(0.9)], Tier::Normal, 0.0),
            priority(&[angry(0.9)], Tier::Normal, 0.9)
        );
    }
}
