//! The softmax of a head's scores, and the `exp` it spends its time in.

/// Softmax of `logits / temperature`, in place.
///
/// A class more than 30 below the best (after the temperature) gets 0
/// rather than `exp(-30)` ≈ 1e-13.
///
/// Logits that overflowed (a model file with weights near `f32::MAX`: each
/// weight is finite, their sum is not) are clamped to finite values first,
/// so that probabilities stay probabilities rather than `NaN`.
///
/// With 151 classes (CLINC150) this was a fifth of a classify: libm's
/// `expf` is a call per class and the running sum a chain of dependent
/// adds. Here [`exp_neg`] is branch-free and the sum runs in eight lanes,
/// so the compiler vectorises the loop; probabilities differ from libm's by
/// a few units in the last place.
pub(crate) fn softmax(values: &mut [f32], temperature: f32) {
    const LANES: usize = 8;
    let (mut max, finite) = max_and_finite::<LANES>(values);
    if !finite {
        for v in values.iter_mut() {
            *v = if v.is_nan() {
                -f32::MAX
            } else {
                v.clamp(-f32::MAX, f32::MAX)
            };
        }
        max = values.iter().copied().fold(-f32::MAX, f32::max);
    }
    let floor = max - 30.0 * temperature;
    // Without a branch (the class below the floor is masked to 0), so that
    // the loop below vectorises.
    let e = |v: f32| {
        let e = exp_neg(((v - max) / temperature).max(-87.0));
        let keep = u32::from(v >= floor).wrapping_neg();
        f32::from_bits(e.to_bits() & keep)
    };
    let mut lanes = [0.0f32; LANES];
    let mut chunks = values.chunks_exact_mut(LANES);
    for chunk in &mut chunks {
        for (v, lane) in chunk.iter_mut().zip(&mut lanes) {
            *v = e(*v);
            *lane += *v;
        }
    }
    let mut total: f32 = lanes.iter().sum();
    for v in chunks.into_remainder() {
        *v = e(*v);
        total += *v;
    }
    for v in values.iter_mut() {
        *v /= total;
    }
}

/// The greatest of `values` (`-inf` for none) and whether all are finite,
/// in `L` lanes so that the loop vectorises (one running `max` was a
/// dependent chain with a NaN check per class). When all are finite the
/// maximum is the same number whatever the order (up to the sign of a zero,
/// which changes no probability: `v - 0.0` and `v - -0.0` differ only for a
/// zero `v`, whose `exp` is 1 either way).
fn max_and_finite<const L: usize>(values: &[f32]) -> (f32, bool) {
    let mut top = [f32::NEG_INFINITY; L];
    let mut bad = [0u32; L];
    let mut chunks = values.chunks_exact(L);
    for chunk in &mut chunks {
        for k in 0..L {
            top[k] = top[k].max(chunk[k]);
            bad[k] |= u32::from(!chunk[k].is_finite());
        }
    }
    let mut max = top.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut any_bad = bad.iter().fold(0, |any, &b| any | b);
    for &v in chunks.remainder() {
        max = max.max(v);
        any_bad |= u32::from(!v.is_finite());
    }
    (max, any_bad == 0)
}

/// `e^x` for `x` in `[-87, 0]`, within about 2 units in the last place:
/// `x = n ln 2 + r` with `|r| ≤ ln 2 / 2` (Cody and Waite's two-part `ln 2`),
/// `e^r` by its Taylor polynomial to degree 7, `2^n` put in the exponent
/// bits. No branch and no call, so a loop over classes vectorises.
fn exp_neg(x: f32) -> f32 {
    // 1.5 * 2^23: adding it rounds to an integer, kept in the low bits.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let k = x * std::f32::consts::LOG2_E + ROUND;
    let n = k - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.0 / 5040.0;
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        1.0 / 2.0,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    let n = (k.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    p * f32::from_bits(((n + 127) << 23) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_neg_is_within_a_few_ulp_of_exp() {
        let mut worst = 0.0f64;
        for i in 0..=870_000 {
            let x = -(i as f32) * 1e-4;
            let exact = f64::from(x).exp();
            let error = (f64::from(exp_neg(x)) - exact).abs() / exact;
            worst = worst.max(error);
        }
        // An ulp of f32 is 2^-23 ≈ 1.2e-7 relative, at most.
        assert!(worst < 3.0e-7, "worst relative error {worst:e}");
        assert_eq!(exp_neg(0.0), 1.0);
    }

    #[test]
    fn max_in_lanes_is_the_max() {
        for n in [0, 1, 7, 8, 9, 27, 151] {
            let mut v: Vec<f32> = (0..n).map(|i| ((i * 53) % 17) as f32 * 0.7 - 5.0).collect();
            let sequential = |v: &[f32]| {
                v.iter().fold((f32::NEG_INFINITY, true), |(m, ok), &x| {
                    (m.max(x), ok && x.is_finite())
                })
            };
            assert_eq!(max_and_finite::<8>(&v), sequential(&v), "{n}");
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                if let Some(x) = v.get_mut(n / 2) {
                    *x = bad;
                    assert!(!max_and_finite::<8>(&v).1, "{n} {bad}");
                }
            }
        }
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_the_order() {
        for n in [1, 3, 8, 9, 27, 151] {
            let mut z: Vec<f32> = (0..n).map(|i| ((i * 37) % 11) as f32 * 0.3 - 1.0).collect();
            let order = z.clone();
            softmax(&mut z, 0.2);
            let total: f32 = z.iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "{n}: {total}");
            for i in 0..n {
                for j in 0..n {
                    if order[i] < order[j] {
                        assert!(z[i] <= z[j]);
                    }
                }
                let exact = (order.iter().map(|&o| (f64::from(o - order[i]) / 0.2).exp()))
                    .sum::<f64>()
                    .recip();
                assert!((f64::from(z[i]) - exact).abs() < 1e-6, "{n} {i}");
            }
        }
        let mut far = [0.0, -100.0, f32::NAN, f32::INFINITY];
        softmax(&mut far, 1.0);
        assert_eq!(far, [0.0, 0.0, 0.0, 1.0]);
    }
}
