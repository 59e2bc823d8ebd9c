//! A multiclass linear SVM (Crammer–Singer) trained by stochastic gradient
//! descent with L2 regularisation (Pegasos steps), averaged over epochs.
//!
//! Minimises `λ/2·|W|² + mean(max(0, 1 + max_{r≠y} w_r·x − w_y·x))`. A step
//! shrinks every weight by `1 − ηλ` (kept as one scale factor, so a step
//! costs only the message's inputs) and, when the margin is violated, moves
//! the true class towards the message and the worst rival away: weights stay
//! sparse, as the perceptron's. The result is the mean of the weights at the
//! end of each epoch of the second half of training, which smooths the last
//! steps' noise.

/// Shuffles `order` in place (Fisher–Yates with xorshift64), the same for
/// the same `rng` state: training is deterministic for a seed. `rng` must
/// not be 0.
pub(crate) fn shuffle(order: &mut [usize], rng: &mut u64) {
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

/// One encoded message: (input index, value) pairs.
pub(crate) type Row = Vec<(u32, f32)>;

/// Trains on `rows` (message, class); returns the weights input-major
/// (`w[input * classes + class]`).
pub(crate) fn svm(
    rows: &[(&Row, usize)],
    inputs: usize,
    classes: usize,
    epochs: usize,
    lambda: f32,
    seed: u64,
) -> Vec<f32> {
    let mut v = vec![0.0f32; inputs * classes];
    let mut scale = 1.0f64;
    let mut mean = vec![0.0f64; inputs * classes];
    let mut averaged = 0usize;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = seed.max(1);
    let lambda = f64::from(lambda);
    // Pegasos' step 1/(λt), started late enough that the first is at most 1
    // and that the first shrinking, by 1 − 1/t, leaves something: from
    // t = 1 (any λ ≥ 1) the scale became 0 and the next step divided by it,
    // which made every weight NaN. Below λ = 0.5 this is t = 1/λ.
    let mut t = (1.0 / lambda).max(2.0);
    let mut z = vec![0.0f32; classes];
    for epoch in 0..epochs {
        shuffle(&mut order, &mut rng);
        for &k in &order {
            let (row, y) = rows[k];
            let eta = 1.0 / (lambda * t);
            t += 1.0;
            z.iter_mut().for_each(|x| *x = 0.0);
            for &(input, x) in row.iter() {
                let base = input as usize * classes;
                for (zc, w) in z.iter_mut().zip(&v[base..base + classes]) {
                    *zc += w * x;
                }
            }
            let s = scale as f32;
            let rival = (0..classes)
                .filter(|&c| c != y)
                .max_by(|&a, &b| z[a].total_cmp(&z[b]));
            scale *= 1.0 - eta * lambda;
            if let Some(r) = rival {
                if s * (z[y] - z[r]) < 1.0 {
                    let step = (eta / scale) as f32;
                    for &(input, x) in row.iter() {
                        let base = input as usize * classes;
                        v[base + y] += step * x;
                        v[base + r] -= step * x;
                    }
                }
            }
            if scale < 1e-6 {
                v.iter_mut().for_each(|w| *w *= scale as f32);
                scale = 1.0;
            }
        }
        if epoch >= epochs / 2 {
            for (m, &w) in mean.iter_mut().zip(&v) {
                *m += f64::from(w) * scale;
            }
            averaged += 1;
        }
    }
    mean.iter()
        .map(|&m| (m / averaged.max(1) as f64) as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes told apart by one input each, and a bias.
    fn rows() -> Vec<Row> {
        vec![vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0), (2, 1.0)]]
    }

    #[test]
    fn learns_two_classes() {
        let rows = rows();
        let labelled: Vec<(&Row, usize)> = vec![(&rows[0], 0), (&rows[1], 1)];
        let w = svm(&labelled, 3, 2, 20, 1e-3, 7);
        assert!(w[0] > w[1] && w[3] > w[2], "{w:?}");
    }

    /// A strong L2 (λ ≥ 1, which `--l2` accepts) gives small weights, not NaN.
    #[test]
    fn a_strong_l2_keeps_the_weights_finite() {
        let rows = rows();
        let labelled: Vec<(&Row, usize)> = vec![(&rows[0], 0), (&rows[1], 1)];
        for lambda in [0.5, 1.0, 3.0, 100.0] {
            let w = svm(&labelled, 3, 2, 10, lambda, 7);
            assert!(w.iter().all(|x| x.is_finite()), "λ {lambda}: {w:?}");
        }
    }
}
