//! Binomial and multinomial draws that skip the work when the outcome is certain.

use rand::Rng;
use rand_distr::{Binomial, Distribution};

/// Probability that an event with constant `rate` (per unit time) happens within `dt`:
/// `1 - exp(-rate dt)`, computed as `-expm1(-rate dt)` so it stays in [0, 1] for tiny rates.
pub fn probability(rate: f64, dt: f64) -> f64 {
    if rate <= 0.0 {
        0.0
    } else {
        (-(-rate * dt).exp_m1()).clamp(0.0, 1.0)
    }
}

/// One Binomial(n, p) draw (rand_distr's BTPE/inversion); no draw at all when n = 0, p <= 0 or p >= 1.
pub fn binomial(rng: &mut impl Rng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else {
        // `p` is in (0, 1) here, so construction cannot fail.
        Binomial::new(n, p).map_or(0, |b| b.sample(rng))
    }
}

/// Splits `n` among categories with the given non-negative weights (a multinomial draw), as
/// a chain of conditional binomials: category k gets Binomial(remaining, w_k / sum_{j>=k} w_j).
/// Writes into `out` (same length as `weights`).
pub fn multinomial(rng: &mut impl Rng, n: u64, weights: &[f64], out: &mut [u64]) {
    out.fill(0);
    let mut remaining = n;
    let mut rest: f64 = weights.iter().sum();
    for (k, &w) in weights.iter().enumerate() {
        if remaining == 0 || rest <= 0.0 {
            break;
        }
        let take = if k + 1 == weights.len() {
            remaining
        } else {
            binomial(rng, remaining, w / rest)
        };
        out[k] = take;
        remaining -= take;
        rest -= w;
    }
}

/// The index chosen by a uniform number `r` in [0, 1) when index i has probability
/// `weights[i] / sum(weights)` (inversion of the cumulative weights).
pub fn weighted_index(weights: &[f64], r: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w / total;
        if r < acc {
            return i;
        }
    }
    weights.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn probability_is_a_probability() {
        assert_eq!(probability(0.0, 1.0), 0.0);
        assert!((probability(1e-20, 1.0) - 1e-20).abs() < 1e-30);
        assert_eq!(probability(f64::INFINITY, 1.0), 1.0);
        assert!((probability(2.0, 0.5) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn multinomial_conserves_and_respects_zero_weights() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut out = [0; 4];
        for n in [0, 1, 17, 1_000_000_000] {
            multinomial(&mut rng, n, &[1.0, 0.0, 2.5, 0.5], &mut out);
            assert_eq!(out.iter().sum::<u64>(), n);
            assert_eq!(out[1], 0);
        }
    }

    #[test]
    fn multinomial_mean_matches_weights() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut out = [0; 3];
        let (n, reps) = (1000u64, 2000);
        let mut sum = [0u64; 3];
        for _ in 0..reps {
            multinomial(&mut rng, n, &[1.0, 2.0, 1.0], &mut out);
            for k in 0..3 {
                sum[k] += out[k];
            }
        }
        // Category 1 has p = 0.5: mean 500, sd of the mean sqrt(250 / 2000) = 0.354; 4 SE = 1.41.
        let mean = sum[1] as f64 / reps as f64;
        assert!((mean - 500.0).abs() < 1.42, "mean {mean}");
    }
}
