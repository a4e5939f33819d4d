//! Statistics across Monte Carlo runs: mean, Monte Carlo standard error and quantiles.

use statrs::statistics::Statistics;

pub use crate::summary::Spread;

/// Quantile of sorted data by linear interpolation between order statistics (Hyndman & Fan
/// 1996, type 7, the R and NumPy default). Written here rather than with statrs so one sort
/// serves all five quantiles.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean, MCSE and quantiles of `values` (reordered in place). The sum runs in the given order,
/// so the result depends only on the values and their run order. Quantiles need only the order
/// statistics at a few ranks, so those are found by successive selection (O(n) each) instead of
/// a full sort.
pub fn spread(values: &mut [f64]) -> Spread {
    let n = values.len() as f64;
    // statrs' single-pass moments (Welford), in run order: deterministic for given values.
    let mean = values.iter().mean();
    let var = if values.len() > 1 {
        values.iter().variance()
    } else {
        0.0
    };
    let mcse = (var / n).sqrt();
    const PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
    if values.is_empty() || var == 0.0 {
        let v = values.first().copied().unwrap_or(f64::NAN);
        return Spread {
            mean,
            mcse,
            p05: v,
            p25: v,
            p50: v,
            p75: v,
            p95: v,
        };
    }
    let last = values.len() - 1;
    let mut ranks: Vec<usize> = PROBS
        .iter()
        .flat_map(|q| {
            let h = last as f64 * q;
            [h.floor() as usize, h.ceil() as usize]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    let mut from = 0;
    for &k in &ranks {
        // Everything before `from` is already in place and no larger than what follows.
        values[from..].select_nth_unstable_by(k - from, f64::total_cmp);
        from = k + 1;
    }
    let q = |p: f64| {
        let h = last as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        values[lo] + (h - lo as f64) * (values[hi] - values[lo])
    };
    Spread::from_quantiles(mean, mcse, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_match_numpy() {
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = spread(&mut v);
        // numpy.percentile(range(1, 11), [5, 50, 95]) = 1.45, 5.5, 9.55
        assert!(
            (s.p05 - 1.45).abs() < 1e-12
                && (s.p50 - 5.5).abs() < 1e-12
                && (s.p95 - 9.55).abs() < 1e-12
        );
        assert!((s.mean - 5.5).abs() < 1e-12);
        // sd = 3.02765, mcse = sd / sqrt(10)
        assert!((s.mcse - 3.027_650_354_097_491_7 / 10f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn selection_matches_sorting() {
        let mut v: Vec<f64> = (0..1001)
            .map(|i| f64::from((i * 7919) % 1001) * 0.5)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let s = spread(&mut v);
        for (p, got) in [
            (0.05, s.p05),
            (0.25, s.p25),
            (0.5, s.p50),
            (0.75, s.p75),
            (0.95, s.p95),
        ] {
            assert_eq!(got, quantile_sorted(&sorted, p));
        }
        let mut constant = vec![3.0; 7];
        assert_eq!(spread(&mut constant).p95, 3.0);
    }
}
