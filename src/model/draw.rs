//! Binomial and multinomial draws that skip the work when the outcome is certain, exactly or,
//! with the hybrid sampler, by the normal approximation where a draw's variance is large.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads now tracing draws: while 0 (always, outside benches), a draw pays one relaxed load.
static TRACING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// When set, every binomial draw's (n, p) is appended here (see [`trace_draws`]).
    static TRACE: RefCell<Option<Vec<(u64, f64)>>> = const { RefCell::new(None) };
}

/// Runs `f` and returns, besides its result, the (n, p) of every binomial draw it made on this
/// thread, in order: the benches replay them to measure what a run's draws alone cost.
pub fn trace_draws<T>(f: impl FnOnce() -> T) -> (T, Vec<(u64, f64)>) {
    TRACE.with(|t| *t.borrow_mut() = Some(Vec::new()));
    TRACING.fetch_add(1, Ordering::Relaxed);
    let out = f();
    TRACING.fetch_sub(1, Ordering::Relaxed);
    let draws = TRACE.with(|t| t.borrow_mut().take()).unwrap_or_default();
    (out, draws)
}

/// How many draws this thread's [`trace_draws`] has recorded so far (0 when not tracing): lets
/// an observer attribute draws to the steps that made them.
pub fn traced_so_far() -> usize {
    TRACE.with(|t| t.borrow().as_ref().map_or(0, Vec::len))
}

/// floor(x) for 0 <= x < 2^63, by truncation: `f64::floor` is a library call on the baseline
/// x86-64 target (no SSE4.1 rounding instruction); in BTRS it took 2.7% of a run (perf).
#[inline]
pub fn floor_non_negative(x: f64) -> f64 {
    debug_assert!((0.0..9.2e18).contains(&x), "{x}");
    (x as u64) as f64
}

/// Probability that an event with constant `rate` (per unit time) happens within `dt`:
/// `1 - exp(-rate dt)`, computed as `-expm1(-rate dt)` so it stays in [0, 1] for tiny rates.
pub fn probability(rate: f64, dt: f64) -> f64 {
    if rate <= 0.0 {
        0.0
    } else {
        (-(-rate * dt).exp_m1()).clamp(0.0, 1.0)
    }
}

/// How binomial draws are made (docs/MODEL.md §7, "Samplers"): `Exact` draws every binomial
/// from its own distribution; `Hybrid` draws those whose variance `n p (1 - p)` is at least
/// [`NORMAL_ABOVE`] from the normal approximation with continuity correction, and the rest
/// exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampler {
    #[default]
    Exact,
    Hybrid,
}

impl Sampler {
    pub fn name(self) -> &'static str {
        match self {
            Sampler::Exact => "exact",
            Sampler::Hybrid => "hybrid",
        }
    }

    /// The sampler a name (`simulation.sampler`, a front end's option) gives, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [Sampler::Exact, Sampler::Hybrid]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// A random stream that knows which sampler its binomials use: the engines' streams carry the
/// scenario's; any other generator draws exactly.
pub trait Draws: Rng {
    fn sampler(&self) -> Sampler {
        Sampler::Exact
    }
}

impl Draws for rand_xoshiro::Xoshiro256PlusPlus {}

/// The variance `n p (1 - p)` from which the hybrid sampler draws a binomial from the normal
/// approximation. By the Berry-Esseen theorem with Shevtsova's (2011) constant 0.4748, the
/// Kolmogorov distance between Binomial(n, p) and its normal approximation is at most
/// 0.4748 (p² + q²) / sqrt(n p q) ≤ 0.4748 / 100 = 0.0047 here; the continuity-corrected
/// rounding keeps the mean within 0.5 of n p and the variance within 1/12 + the clamping's
/// (nil at 100 standard deviations from both ends, since n p q ≥ 10,000 puts n p and n q over
/// 10,000). Every draw this large has a relative spread under 1% of its count.
pub const NORMAL_ABOVE: f64 = 10_000.0;

/// A Binomial(n, p) draw from the normal approximation with continuity correction:
/// floor(n p + sqrt(n p q) Z + 1/2), clamped to [0, n] (Feller 1968, §VII.3).
fn normal_binomial(rng: &mut impl Rng, n: u64, p: f64, variance: f64) -> u64 {
    let z: f64 = rng.sample(StandardNormal);
    let x = n as f64 * p + variance.sqrt() * z + 0.5;
    if x <= 0.0 {
        0
    } else {
        (floor_non_negative(x.min(n as f64)) as u64).min(n)
    }
}

/// Below this many trials a binomial is drawn as that many Bernoulli trials (one uniform each,
/// a few ns each).
const FEW_TRIALS: u64 = 8;

/// One Binomial(n, p) draw (Hörmann's BTRS, or waiting times when n p < 10, see `btrs`; n
/// Bernoulli trials when n is small);
/// no draw at all when n = 0, p <= 0 or p >= 1.
pub fn binomial(rng: &mut impl Draws, n: u64, p: f64) -> u64 {
    debug_assert!(!p.is_nan(), "binomial with probability NaN");
    // A NaN probability (validated inputs cannot produce one) draws nothing: better than a
    // rejection sampler that never accepts.
    if n == 0 || p.is_nan() || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else if n < FEW_TRIALS {
        (0..n).map(|_| u64::from(rng.random::<f64>() < p)).sum()
    } else {
        if rng.sampler() == Sampler::Hybrid {
            let variance = n as f64 * p * (1.0 - p);
            if variance >= NORMAL_ABOVE {
                return normal_binomial(rng, n, p, variance);
            }
        }
        if TRACING.load(Ordering::Relaxed) > 0 {
            TRACE.with(|t| {
                if let Some(draws) = t.borrow_mut().as_mut() {
                    draws.push((n, p));
                }
            });
        }
        super::btrs::sample(rng, n, p)
    }
}

/// One draw of Binomial(n, p) conditioned on being at least 1 (n >= 1, 0 < p < 1), where
/// `lambda = -n ln(1 - p)` is passed in because callers have it. When at least one success is
/// likely (lambda > 1), by rejection (at most 1 / (1 - e^-1) = 1.6 draws on average); otherwise
/// by sequential inversion of the truncated probabilities (Devroye 1986, §X.4), which needs
/// about 1 + lambda / 2 terms.
pub fn binomial_at_least_one(rng: &mut impl Draws, n: u64, p: f64, lambda: f64) -> u64 {
    if lambda > 1.0 {
        loop {
            let k = binomial(rng, n, p);
            if k > 0 {
                return k;
            }
        }
    }
    // P(k) / (1 - P(0)) for k = 1, 2, ...; P(1) = n p (1-p)^(n-1).
    let none = -(-lambda).exp_m1(); // 1 - (1 - p)^n
    let ratio = p / (1.0 - p);
    let mut term = n as f64 * p * ((n as f64 - 1.0) * (-p).ln_1p()).exp() / none;
    let u: f64 = rng.random();
    let mut cumulative = term;
    let mut k = 1u64;
    while u >= cumulative && k < n {
        term *= (n - k) as f64 / (k + 1) as f64 * ratio;
        if term <= 0.0 {
            break;
        }
        k += 1;
        cumulative += term;
    }
    k
}

/// Splits `n` among categories with the given non-negative weights (a multinomial draw), as
/// a chain of conditional binomials: category k gets Binomial(remaining, w_k / sum_{j>=k} w_j).
/// Writes into `out` (same length as `weights`).
pub fn multinomial(rng: &mut impl Draws, n: u64, weights: &[f64], out: &mut [u64]) {
    out.fill(0);
    if n < FEW_TRIALS {
        // A few individuals: each picks a category by inversion (the same distribution).
        for _ in 0..n {
            out[weighted_index(weights, rng.random::<f64>())] += 1;
        }
        return;
    }
    let mut remaining = n;
    let mut rest: f64 = weights.iter().sum();
    // The last category with weight takes what is left, so a category of weight 0 never
    // receives anyone through rounding of `rest`.
    let last = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
    for (k, &w) in weights.iter().enumerate().take(last + 1) {
        if remaining == 0 || rest <= 0.0 {
            break;
        }
        let take = if k == last {
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
    // Rounding left `acc` just short of 1: the last category with weight (never one of weight 0).
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A stream that asks for the hybrid sampler.
    struct Hybrid(Xoshiro256PlusPlus);
    impl rand::TryRng for Hybrid {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            self.0.try_next_u32()
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            self.0.try_next_u64()
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            self.0.try_fill_bytes(dst)
        }
    }
    impl Draws for Hybrid {
        fn sampler(&self) -> Sampler {
            Sampler::Hybrid
        }
    }

    /// Above the threshold the hybrid draw has the binomial's mean and variance (within 4
    /// standard errors over 20,000 draws); below it, it is the exact draw, number for number.
    #[test]
    fn hybrid_draws_keep_mean_and_variance_and_are_exact_below_the_threshold() {
        let (n, p) = (1_000_000u64, 0.3);
        let mut rng = Hybrid(Xoshiro256PlusPlus::seed_from_u64(4));
        let reps = 20_000;
        let xs: Vec<f64> = (0..reps).map(|_| binomial(&mut rng, n, p) as f64).collect();
        let mean = xs.iter().sum::<f64>() / reps as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
        let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
        assert!(
            (mean - m).abs() < 4.0 * (v / reps as f64).sqrt(),
            "mean {mean}"
        );
        // The variance of a sample variance of a near-normal is 2 v^2 / (reps - 1).
        assert!(
            (var - v).abs() < 4.0 * v * (2.0 / reps as f64).sqrt(),
            "var {var}"
        );
        let (mut a, mut b) = (
            Hybrid(Xoshiro256PlusPlus::seed_from_u64(5)),
            Xoshiro256PlusPlus::seed_from_u64(5),
        );
        for _ in 0..1000 {
            // n p q = 7,500 < 10,000: drawn exactly.
            assert_eq!(binomial(&mut a, 30_000, 0.5), binomial(&mut b, 30_000, 0.5));
        }
    }

    #[test]
    fn floor_by_truncation_is_floor() {
        for x in [
            0.0,
            0.25,
            1.0,
            9.999_999,
            10.0,
            1e9 + 0.5,
            3.5e9,
            4.5e15 + 0.5,
        ] {
            assert_eq!(floor_non_negative(x), x.floor(), "{x}");
        }
    }

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

    /// The truncated draw against its exact mean, E[X | X >= 1] = n p / (1 - (1-p)^n), on both
    /// branches (inversion for lambda <= 1, rejection above), within 4 standard errors.
    #[test]
    fn at_least_one_matches_its_exact_mean() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for (n, p) in [
            (3_000_000_000u64, 1e-10f64),
            (1000, 5e-4),
            (50, 0.05),
            (20, 0.3),
        ] {
            let lambda = -(n as f64) * (-p).ln_1p();
            let reps = 20_000;
            let draws: Vec<f64> = (0..reps)
                .map(|_| binomial_at_least_one(&mut rng, n, p, lambda) as f64)
                .collect();
            assert!(draws.iter().all(|&k| k >= 1.0 && k <= n as f64));
            let mean = draws.iter().sum::<f64>() / reps as f64;
            let var = draws.iter().map(|k| (k - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
            let exact = n as f64 * p / -(-lambda).exp_m1();
            let se = (var / reps as f64).sqrt().max(1e-3);
            assert!(
                (mean - exact).abs() < 4.0 * se,
                "n {n} p {p}: {mean} vs {exact}"
            );
        }
    }

    /// Small n takes the Bernoulli and categorical paths: their means match exactly computed
    /// ones within 4 standard errors.
    #[test]
    fn few_trials_match_their_means() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let reps = 40_000;
        let sum: u64 = (0..reps).map(|_| binomial(&mut rng, 5, 0.3)).sum();
        let mean = sum as f64 / reps as f64;
        // Binomial(5, 0.3): mean 1.5, sd sqrt(1.05); SE = 0.00512.
        assert!(
            (mean - 1.5).abs() < 4.0 * (1.05f64 / reps as f64).sqrt(),
            "{mean}"
        );
        let mut out = [0; 3];
        let mut totals = [0u64; 3];
        for _ in 0..reps {
            multinomial(&mut rng, 3, &[1.0, 0.0, 3.0], &mut out);
            assert_eq!(out.iter().sum::<u64>(), 3);
            (0..3).for_each(|k| totals[k] += out[k]);
        }
        // Category 2 has p = 0.75 per individual: mean 2.25 per draw, sd sqrt(3 * 0.1875).
        let mean = totals[2] as f64 / reps as f64;
        assert_eq!(totals[1], 0);
        assert!(
            (mean - 2.25).abs() < 4.0 * (0.5625f64 / reps as f64).sqrt(),
            "{mean}"
        );
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
