//! Variance-based sensitivity: Sobol first-order and total indices (Sobol 1993; 2001) from
//! Saltelli's sampling scheme (Saltelli 2002; Saltelli et al. 2010, "Variance based sensitivity
//! analysis of model output", Comput. Phys. Commun. 181) with the Jansen (1999) estimators of
//! Saltelli et al. 2010, Table 2:
//!
//! - V_i  = V(Y) - 1/(2N) Σ_j (f(B)_j - f(A_B^i)_j)²  (first order, S_i = V_i / V(Y))
//! - V_Ti = 1/(2N) Σ_j (f(A)_j - f(A_B^i)_j)²         (total, S_Ti = V_Ti / V(Y))
//!
//! where A and B are N x k matrices of independent uniform points of the unit cube and A_B^i
//! is A with its column i taken from B: N (k + 2) model runs in all. V(Y) is the variance of
//! f(A) and f(B) together. Intervals: percentile bootstrap over the N rows. The points are
//! pseudo-random (Xoshiro256++) rather than quasi-random: simpler, unbiased, and the bootstrap
//! intervals say how many rows are enough.

use super::bootstrap_interval;
use rand::Rng;
use rand::RngExt;

/// The points of a Saltelli design in evaluation order: for each row j, A_j, B_j, then A_B^i
/// for i = 0..k, so `factors + 2` points per row.
pub fn design(factors: usize, rows: usize, rng: &mut impl Rng) -> Vec<Vec<f64>> {
    let mut points = Vec::with_capacity(rows * (factors + 2));
    for _ in 0..rows {
        let a: Vec<f64> = (0..factors).map(|_| rng.random::<f64>()).collect();
        let b: Vec<f64> = (0..factors).map(|_| rng.random::<f64>()).collect();
        points.push(a.clone());
        points.push(b.clone());
        for i in 0..factors {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
    }
    points
}

/// Sobol indices of one factor for one output, with 95% bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    pub first: f64,
    pub first_low: f64,
    pub first_high: f64,
    pub total: f64,
    pub total_low: f64,
    pub total_high: f64,
}

/// The indices per factor from one output's values at the design's points (in its order).
pub fn indices(
    outputs: &[f64],
    factors: usize,
    resamples: usize,
    rng: &mut impl Rng,
) -> Vec<SobolIndex> {
    let width = factors + 2;
    let rows = outputs.len() / width;
    let f = |j: usize, col: usize| outputs[j * width + col];
    let variance = |pick: &[usize]| {
        let n = 2.0 * pick.len() as f64;
        let mean = pick.iter().map(|&j| f(j, 0) + f(j, 1)).sum::<f64>() / n;
        pick.iter()
            .map(|&j| (f(j, 0) - mean).powi(2) + (f(j, 1) - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0)
    };
    let first = |i: usize, pick: &[usize]| {
        let v = variance(pick);
        let d = pick
            .iter()
            .map(|&j| (f(j, 1) - f(j, 2 + i)).powi(2))
            .sum::<f64>()
            / (2.0 * pick.len() as f64);
        (v - d) / v
    };
    let total = |i: usize, pick: &[usize]| {
        let d = pick
            .iter()
            .map(|&j| (f(j, 0) - f(j, 2 + i)).powi(2))
            .sum::<f64>()
            / (2.0 * pick.len() as f64);
        d / variance(pick)
    };
    let all: Vec<usize> = (0..rows).collect();
    (0..factors)
        .map(|i| {
            let (first_low, first_high) = bootstrap_interval(rows, resamples, rng, |p| first(i, p));
            let (total_low, total_high) = bootstrap_interval(rows, resamples, rng, |p| total(i, p));
            SobolIndex {
                first: first(i, &all),
                first_low,
                first_high,
                total: total(i, &all),
                total_low,
                total_high,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::design_rng;
    use std::f64::consts::PI;

    /// The Ishigami function (Ishigami & Homma 1990), the standard test of Sobol estimators:
    /// f = sin x1 + a sin² x2 + b x3⁴ sin x1 on [-π, π]³, a = 7, b = 0.1, whose indices are
    /// known exactly: S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
    #[test]
    fn ishigami_indices_are_recovered_within_their_intervals() {
        let mut rng = design_rng(2021, 2);
        let rows = 8192;
        let points = design(3, rows, &mut rng);
        let (a, b) = (7.0, 0.1);
        let y: Vec<f64> = points
            .iter()
            .map(|p| {
                let x: Vec<f64> = p.iter().map(|u| -PI + 2.0 * PI * u).collect();
                x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
            })
            .collect();
        let idx = indices(&y, 3, 300, &mut rng);
        let want_first = [0.3139, 0.4424, 0.0];
        let want_total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let s = idx[i];
            // Within the interval widened by a quarter of its width (the interval is 95%, and
            // six of them are checked), and within 0.05 absolutely.
            let slack = |lo: f64, hi: f64| 0.25 * (hi - lo);
            assert!(
                s.first_low - slack(s.first_low, s.first_high) <= want_first[i]
                    && want_first[i] <= s.first_high + slack(s.first_low, s.first_high)
                    && (s.first - want_first[i]).abs() < 0.05,
                "S{}: {s:?}",
                i + 1
            );
            assert!(
                s.total_low - slack(s.total_low, s.total_high) <= want_total[i]
                    && want_total[i] <= s.total_high + slack(s.total_low, s.total_high)
                    && (s.total - want_total[i]).abs() < 0.05,
                "ST{}: {s:?}",
                i + 1
            );
        }
    }
}
