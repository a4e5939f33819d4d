//! Many scenarios at once: the points of a sweep (grid or Latin hypercube over scenario and
//! parameter keys), the designs and indices of sensitivity analysis (Morris, Sobol), and the
//! accuracy-against-cost arithmetic of `tune`. Pure: no I/O.
//!
//! May import: report (the types its results are written as), engine, model, scenario, summary.

pub mod morris;
pub mod sobol;
pub mod sweep;
pub mod tune;

pub use sweep::{Design, DesignError, Vary};

use crate::engine::streams::{outside, stream_key};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Monte Carlo runs whose mean is the model output at a sensitivity point, unless the user
/// says otherwise (`--runs`). The indices' uncertainty comes from the design's rows, not from
/// the runs: with common random numbers at every point, 8 runs a point moved no Sobol index of
/// 2021-10-04 (1,536 points) by more than 0.01 from its value at 50 runs, and none of Korea
/// 2014's beyond its bootstrap interval; every figure's top three Morris factors stayed the
/// same (benches/README.md, "Sensitivity: runs a point", session 24). 50 until then.
pub const RUNS_PER_POINT: u64 = 8;

/// The generator of a design (sweep samples, sensitivity points, bootstrap resamples): its own
/// stream of the master seed, apart from every run's streams.
pub fn design_rng(seed: u64, purpose: u64) -> Xoshiro256PlusPlus {
    // A tag no run stream uses (runs key their streams by run index and component).
    Xoshiro256PlusPlus::seed_from_u64(stream_key(seed, outside::DESIGN, purpose))
}

/// Percentile bootstrap interval (Efron & Tibshirani 1993, §13.3) of `statistic` over `n`
/// resampled units: `resamples` draws of n indices with replacement, and the 2.5% and 97.5%
/// quantiles (type 7) of the statistic over them.
pub fn bootstrap_interval(
    n: usize,
    resamples: usize,
    rng: &mut impl rand::Rng,
    statistic: impl Fn(&[usize]) -> f64,
) -> (f64, f64) {
    use rand::RngExt;
    let mut values: Vec<f64> = (0..resamples)
        .map(|_| {
            let pick: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            statistic(&pick)
        })
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    values.sort_by(f64::total_cmp);
    let q = |p: f64| crate::report::stats::quantile_sorted(&values, p);
    (q(0.025), q(0.975))
}
