//! The anger head's learner: L2-regularised logistic regression, classes
//! weighted to balance, trained by stochastic gradient descent.
//!
//! Anger is rare in most data (13 % of GoEmotions comments, fewer in shop
//! chat) and its cues are weak one by one: a perceptron, which stops
//! learning from a message once it is on the right side, under-uses the many
//! small cues. Logistic loss keeps learning from every message, and the
//! class weights keep the rare class from being drowned. Minimises
//!
//! `λ/2·|w|² + Σ cᵢ·log(1 + exp(−ŷᵢ·w·xᵢ)) / Σ cᵢ`
//!
//! where `ŷ = ±1` and `cᵢ` is `n / (2·n_class)`. Steps are Pegasos-style,
//! `1/(λt)`, with the shrinking kept as one scale factor so that a step
//! costs only the message's inputs; the bias is not regularised. The result
//! is the mean of the weights at the end of each epoch of the second half.

/// Trains on `rows` (message inputs, angry); returns one logit weight per
/// input (`inputs` of them; input `bias` is the constant 1).
pub(crate) fn logistic(
    rows: &[(&[(u32, f32)], bool)],
    inputs: usize,
    bias: usize,
    epochs: usize,
    lambda: f32,
    seed: u64,
) -> Vec<f32> {
    let n = rows.len().max(1) as f64;
    let positives = rows.iter().filter(|r| r.1).count().max(1) as f64;
    let negatives = (n - positives).max(1.0);
    let weight = |angry: bool| {
        if angry {
            n / (2.0 * positives)
        } else {
            n / (2.0 * negatives)
        }
    };
    let lambda = f64::from(lambda.max(1e-9));
    let mut v = vec![0.0f64; inputs];
    let mut b = 0.0f64;
    let mut scale = 1.0f64;
    let mut mean = vec![0.0f64; inputs];
    let mut averaged = 0usize;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = seed.max(1);
    // Pegasos' step 1/(λt), started where the first step is 1.
    let mut t = 1.0 / lambda;
    for epoch in 0..epochs {
        crate::sgd::shuffle(&mut order, &mut rng);
        for &k in &order {
            let (row, angry) = rows[k];
            let eta = 1.0 / (lambda * t);
            t += 1.0;
            let mut z = b;
            for &(input, x) in row {
                if input as usize != bias {
                    z += scale * v[input as usize] * f64::from(x);
                }
            }
            let p = 1.0 / (1.0 + (-z).exp());
            let g = weight(angry) * (p - f64::from(u8::from(angry)));
            scale *= 1.0 - eta * lambda;
            if scale < 1e-9 {
                v.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
            for &(input, x) in row {
                if input as usize != bias {
                    v[input as usize] -= eta * g * f64::from(x) / scale;
                }
            }
            b -= eta * g;
        }
        if epoch >= epochs / 2 {
            for (m, w) in mean.iter_mut().zip(&v) {
                *m += w * scale;
            }
            mean[bias] += b;
            averaged += 1;
        }
    }
    let averaged = averaged.max(1) as f64;
    mean.iter().map(|m| (m / averaged) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_rare_cue_and_a_negative_one() {
        // Inputs: 0 "hate", 1 "love", 2 "the", 3 bias.
        let hate: &[(u32, f32)] = &[(0, 0.7), (2, 0.7), (3, 1.0)];
        let love: &[(u32, f32)] = &[(1, 0.7), (2, 0.7), (3, 1.0)];
        let plain: &[(u32, f32)] = &[(2, 1.0), (3, 1.0)];
        let mut rows = vec![(hate, true); 3];
        rows.extend(vec![(love, false); 10]);
        rows.extend(vec![(plain, false); 20]);
        let w = logistic(&rows, 4, 3, 30, 1e-3, 7);
        assert!(w[0] > 0.5, "{w:?}");
        assert!(w[1] < 0.0, "{w:?}");
        let z = |row: &[(u32, f32)]| row.iter().map(|&(i, x)| w[i as usize] * x).sum::<f32>();
        assert!(z(hate) > 0.0 && z(love) < 0.0 && z(plain) < 0.0, "{w:?}");
    }
}
