//! Binomial variates by Hörmann's BTRS ("The generation of binomial random variates", J. Stat.
//! Comput. Simul. 46, 1993: transformed rejection with squeeze) for n·p >= 10, and by inversion
//! below that (BINV: Kachitvichyanukul & Schmeiser, "Binomial random variate generation",
//! Commun. ACM 31, 1988), one uniform and about n·p + 1 multiplications; counting geometric
//! waiting times (Devroye 1986, §X.4), used until session 7, took a logarithm per success and
//! cost about 123 ns a draw at means 1-10 on 2021-10-04, twice a BTRS draw; inversion costs
//! about one (`cargo run --release --example draw_costs`, benches/README.md). The engine draws
//! a binomial with new parameters almost every time, and BTRS needs no table and a set-up of a
//! few operations, where rand_distr's BTPE spends about a third of each draw on its set-up; the
//! same algorithm is what TensorFlow and JAX use. Exact up to floating point (the log-factorial tail uses Stirling's
//! series to its 1/k^5 term, error below 1e-12 for k >= 10, and a table below).

use super::draw::floor_non_negative;
use rand::{Rng, RngExt};

/// log(k!) - [ (k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2 ]: the tail of Stirling's series.
fn stirling_tail(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_29,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_19,
        0.013_876_128_823_070_75,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_1,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
    ];
    if k <= 9.0 {
        return TABLE[k as usize];
    }
    // One division: x/12 - x^3/360 + x^5/1260 with x = 1 / (k + 1), evaluated as
    // x (1/12 - x^2 (1/360 - x^2 / 1260)).
    let x = 1.0 / (k + 1.0);
    let x2 = x * x;
    x * (1.0 / 12.0 - x2 * (1.0 / 360.0 - x2 * (1.0 / 1260.0)))
}

/// The parts of BTRS's acceptance test that only proposals the squeeze did not accept need,
/// for mode `m`: log f(m)'s share of the bound, alpha and p / (1 - p). Out of line and cold, so
/// that the compiler does not compute them (four divisions and a logarithm) ahead of the
/// squeeze, which accepts most proposals without them.
#[cold]
#[inline(never)]
fn bound_at_mode(nf: f64, m: f64, p: f64, spq: f64, b: f64) -> (f64, f64, f64) {
    let alpha = (2.83 + 5.1 / b) * spq;
    let r = p / (1.0 - p);
    let at_mode = (m + 0.5) * ((m + 1.0) / (r * (nf - m + 1.0))).ln()
        + stirling_tail(m)
        + stirling_tail(nf - m);
    (at_mode, alpha, r)
}

/// Binomial(n, p) for 0 < p <= 0.5 and n p < 10, by inversion (BINV): walk the probabilities
/// P(0) = (1-p)^n, P(x) = P(x-1) ((n+1) s / x - s) with s = p / (1-p), until they exceed one
/// uniform. If rounding leaves the uniform above every probability (a chance below about 1e-15),
/// the draw starts again with a new uniform, which keeps the distribution exact.
fn by_inversion(rng: &mut impl Rng, n: u64, p: f64) -> u64 {
    let s = p / (1.0 - p);
    let a = (n as f64 + 1.0) * s;
    let first = (n as f64 * (-p).ln_1p()).exp();
    loop {
        let mut u: f64 = rng.random();
        let (mut x, mut r) = (0u64, first);
        loop {
            if u < r {
                return x;
            }
            u -= r;
            x += 1;
            if x > n {
                break;
            }
            r *= a / x as f64 - s;
            if r <= 0.0 {
                break;
            }
        }
    }
}

/// Binomial(n, p) for 0 < p <= 0.5 and n p >= 10 (BTRS).
fn btrs(rng: &mut impl Rng, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let spq = (nf * p * (1.0 - p)).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 / b;
    let m = floor_non_negative((nf + 1.0) * p);
    // The rest of the set-up (`bound_at_mode`), made once per draw and only when a proposal
    // reaches the bound: the squeeze below accepts a share v_r of the proposals with
    // us >= 0.07 (from about 40% of all proposals at a mean of 10 to 79% at large means)
    // without it.
    let mut rest = None;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v = rng.random::<f64>();
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + c;
        // floor(x) outside [0, n] exactly when x is outside [0, n + 1).
        if !(0.0..nf + 1.0).contains(&x) {
            continue;
        }
        let k = floor_non_negative(x);
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        let (at_mode, alpha, r) = *rest.get_or_insert_with(|| bound_at_mode(nf, m, p, spq, b));
        let v = (v * alpha / (a / (us * us) + b)).ln();
        // log f(k) / f(m), written with ratios (as Hörmann and TensorFlow do) so that nothing
        // of the size of log n! is subtracted; the middle ratio is near 1, hence ln_1p.
        let bound = at_mode
            + (nf + 1.0) * ((k - m) / (nf - k + 1.0)).ln_1p()
            + (k + 0.5) * (r * (nf - k + 1.0) / (k + 1.0)).ln()
            - stirling_tail(k)
            - stirling_tail(nf - k);
        if v <= bound {
            return k as u64;
        }
    }
}

/// log(k!) by Stirling's series with its tail (exact table below 10).
#[cfg(test)]
fn log_factorial(k: f64) -> f64 {
    const HALF_LOG_2PI: f64 = 0.918_938_533_204_672_8;
    (k + 0.5) * (k + 1.0).ln() - (k + 1.0) + HALF_LOG_2PI + stirling_tail(k)
}

/// One Binomial(n, p) draw for n >= 1 and 0 < p < 1.
pub fn sample(rng: &mut impl Rng, n: u64, p: f64) -> u64 {
    if p > 0.5 {
        return n - sample(rng, n, 1.0 - p);
    }
    if n as f64 * p < 10.0 {
        by_inversion(rng, n, p)
    } else {
        btrs(rng, n, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn log_factorial_is_exact_enough() {
        let mut exact = 0.0f64;
        for k in 0..200u32 {
            if k > 0 {
                exact += f64::from(k).ln();
            }
            let got = log_factorial(f64::from(k));
            assert!(
                (got - exact).abs() < 1e-10 * exact.max(1.0),
                "{k}: {got} vs {exact}"
            );
        }
    }

    /// Mean and variance against n p and n p (1 - p) within 4.5 standard errors, on both branches,
    /// on both sides of p = 1/2, from tiny to huge n.
    #[test]
    fn mean_and_variance_match() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
        let cases = [
            (20u64, 0.1f64),
            (30, 0.3),
            (100, 0.5),
            (1000, 0.02),
            (5000, 0.9),
            (3_000_000_000, 1e-9),
            (3_000_000_000, 2e-4),
            (700_000, 0.45),
        ];
        for (n, p) in cases {
            let reps = 50_000;
            let draws: Vec<f64> = (0..reps).map(|_| sample(&mut rng, n, p) as f64).collect();
            assert!(draws.iter().all(|&k| k >= 0.0 && k <= n as f64));
            let mean = draws.iter().sum::<f64>() / reps as f64;
            let var = draws.iter().map(|k| (k - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!(
                (mean - m).abs() < 4.5 * (v / reps as f64).sqrt(),
                "n {n} p {p}: mean {mean} vs {m}"
            );
            // Var of the sample variance ~ 2 v^2 / reps (normal approximation).
            assert!(
                (var - v).abs() < 4.5 * v * (2.0 / reps as f64).sqrt(),
                "n {n} p {p}: var {var} vs {v}"
            );
        }
    }

    /// Chi-square of 200,000 draws of Binomial(n, p) over the values 0..=60 whose expected
    /// count is at least 20; returns (statistic, cells).
    fn chi_square(n: u64, p: f64, seed: u64) -> (f64, usize) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let reps = 200_000u32;
        let mut counts = [0u32; 61];
        for _ in 0..reps {
            let k = sample(&mut rng, n, p) as usize;
            if k <= 60 {
                counts[k] += 1;
            }
        }
        let nf = n as f64;
        let (mut chi2, mut cells) = (0.0, 0);
        for (k, &count) in counts.iter().enumerate() {
            let kf = k as f64;
            let pmf = (log_factorial(nf) - log_factorial(kf) - log_factorial(nf - kf)
                + kf * p.ln()
                + (nf - kf) * (-p).ln_1p())
            .exp();
            let expected = pmf * f64::from(reps);
            if expected >= 20.0 {
                chi2 += (f64::from(count) - expected).powi(2) / expected;
                cells += 1;
            }
        }
        (chi2, cells)
    }

    /// The whole distribution on both branches: BTRS at n = 40, p = 0.35 (n p = 14, about 22
    /// cells; the 99.9% point of chi-square with 21 degrees of freedom is 46.8), and inversion at
    /// n = 60, p = 0.08 and n = 3e9, p = 1.5e-9 (n p = 4.8 and 4.5, about 12 cells; 99.9% point
    /// with 11 degrees of freedom 31.3).
    #[test]
    fn distribution_passes_chi_square() {
        for (n, p, seed, min_cells, limit) in [
            (40u64, 0.35f64, 23u64, 18usize, 46.8f64),
            (60, 0.08, 29, 9, 31.3),
            (3_000_000_000, 1.5e-9, 31, 9, 31.3),
        ] {
            let (chi2, cells) = chi_square(n, p, seed);
            assert!(cells >= min_cells, "n {n} p {p}: {cells} cells");
            assert!(
                chi2 < limit,
                "n {n} p {p}: chi-square {chi2} over {cells} cells"
            );
        }
    }
}
