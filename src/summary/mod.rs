//! Streaming, mergeable summaries of Monte Carlo runs: each run's output is folded in as soon
//! as it finishes and then dropped, so memory does not grow with the number of runs, and the
//! summaries of disjoint run ranges merge into exactly (bit for bit) the summary of their union,
//! in any order and on any number of threads.
//!
//! May import: nothing of surge.

pub mod encode;
pub mod sketch;
pub mod tally;

use serde::{Deserialize, Serialize};
pub use tally::Tally;

/// Summary of one quantity across runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    /// Monte Carlo standard error of the mean: sample sd / sqrt(runs).
    pub mcse: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Spread {
    /// A spread from its mean, MCSE and a quantile function (probability -> value).
    pub fn from_quantiles(mean: f64, mcse: f64, q: impl Fn(f64) -> f64) -> Self {
        Spread {
            mean,
            mcse,
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        }
    }

    /// The spread of no values.
    pub fn nan() -> Self {
        Spread {
            mean: f64::NAN,
            mcse: f64::NAN,
            p05: f64::NAN,
            p25: f64::NAN,
            p50: f64::NAN,
            p75: f64::NAN,
            p95: f64::NAN,
        }
    }
}

/// Mantissa bits of the time series' sketches: 0.78% relative error, 64 buckets per doubling
/// (tens of thousands of series values, so memory matters: with the posterior's spread a cell
/// spans many doublings, and 7 bits took 300 MB at 10,000 runs of 2021-10-04 against 174 MB at
/// 6; 0.78% is far below the sampling error of a p05 or p95 of a thousand runs).
pub const SERIES_BITS: u32 = 6;

/// Mantissa bits of the headline figures' sketches: 0.012% relative error, finer than the
/// run-to-run spread of a fixed-parameter run (a few of these per app, so memory is no concern).
pub const HEADLINE_BITS: u32 = 12;

/// How the quantiles in the outputs were computed (written into summary.json).
pub fn quantile_method() -> String {
    format!(
        "DDSketch (Masson, Rim & Lee 2019) with log-linear buckets: each quantile is within \
         {:.3}% (headline figures) or {:.2}% (timeseries.csv) of the exact type-7 quantile of the \
         same runs, and exact when all runs agree; means and standard errors are exact",
        100.0 * sketch::relative_error(HEADLINE_BITS),
        100.0 * sketch::relative_error(SERIES_BITS)
    )
}

/// Every series cell (output point x series) and every headline figure, over the runs so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummaries {
    runs: u64,
    series: Vec<Tally>,
    headline: Vec<Tally>,
}

impl RunSummaries {
    /// Empty summaries for runs that record `series_values` values per run (points x series)
    /// and `headline` headline figures.
    pub fn new(series_values: usize, headline: usize) -> Self {
        RunSummaries {
            runs: 0,
            series: vec![Tally::new(SERIES_BITS); series_values],
            headline: vec![Tally::new(HEADLINE_BITS); headline],
        }
    }

    /// Folds in one run: its series (point-major) and its headline figures.
    pub fn add(&mut self, series: &[f64], headline: &[f64]) {
        debug_assert_eq!(series.len(), self.series.len());
        debug_assert_eq!(headline.len(), self.headline.len());
        for (t, &v) in self.series.iter_mut().zip(series) {
            t.add(v);
        }
        for (t, &v) in self.headline.iter_mut().zip(headline) {
            t.add(v);
        }
        self.runs += 1;
    }

    /// Adds the runs summarised in `other` (disjoint from these).
    pub fn merge(&mut self, other: &RunSummaries) {
        for (a, b) in self.series.iter_mut().zip(&other.series) {
            a.merge(b);
        }
        for (a, b) in self.headline.iter_mut().zip(&other.headline) {
            a.merge(b);
        }
        self.runs += other.runs;
    }

    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The spread of series value `index` (point * series + series index).
    pub fn series(&self, index: usize) -> Spread {
        self.series[index].spread(self.runs)
    }

    /// The spread of headline figure `i`.
    pub fn headline(&self, i: usize) -> Spread {
        self.headline[i].spread(self.runs)
    }

    /// Number of series values per run.
    pub fn series_len(&self) -> usize {
        self.series.len()
    }
}

/// Runs folded into the series summaries in blocks rather than one at a time, at most. 128, not
/// 32 (until session 23): each cell's sketch is brought into cache once a block, and at
/// 2021-10-04 (37,000 cells, 28 MB a block) the larger block made 4,000 runs 7% faster for
/// 60 MB more (benches/README.md, issue 40 session 23).
pub const BLOCK_RUNS: usize = 128;

/// Bytes a worker's block of pending series may take: at 200 regions x 6 apps a run has two
/// million series values, and 32 runs pending took 512 MB a worker (1,000 runs on 2 threads:
/// 1.97 GB and 62 s with 32 runs a block, 1.14 GB and 72 s with 4, 1.04 GB and 92 s with 1).
const BLOCK_BYTES: usize = 64 << 20;

/// Runs in a block of runs with `series_values` series values each: [`BLOCK_RUNS`], or fewer
/// (at least one) where that many would take more than 64 MiB.
pub fn block_runs(series_values: usize) -> usize {
    (BLOCK_BYTES / (8 * series_values.max(1))).clamp(1, BLOCK_RUNS)
}

/// A worker's summaries that take runs one at a time but fold their series [`block_runs`] runs
/// at a time, cell by cell. Folding a run alone touches every cell's sketch once (tens of thousands
/// of them, tens of MB when parameters vary from run to run), one cache miss per value; a block
/// touches each sketch up to `BLOCK_RUNS` times in a row. The summaries are the same: tallies add
/// integers and bucket counts, so the order of folding changes nothing (`tests/summaries.rs`).
#[derive(Debug, Clone)]
pub struct BlockedSummaries {
    summaries: RunSummaries,
    /// The block's series, run-major: `pending[run * cells + cell]`.
    pending: Vec<f64>,
    pending_runs: usize,
    /// Runs per block ([`block_runs`]).
    block: usize,
}

impl BlockedSummaries {
    pub fn new(series_values: usize, headline: usize) -> Self {
        let block = block_runs(series_values);
        BlockedSummaries {
            summaries: RunSummaries::new(series_values, headline),
            pending: Vec::with_capacity(series_values * block),
            pending_runs: 0,
            block,
        }
    }

    /// Takes one run: its headline figures at once, its series with the block.
    pub fn add(&mut self, series: &[f64], headline: &[f64]) {
        debug_assert_eq!(series.len(), self.summaries.series.len());
        debug_assert_eq!(headline.len(), self.summaries.headline.len());
        for (t, &v) in self.summaries.headline.iter_mut().zip(headline) {
            t.add(v);
        }
        self.pending.extend_from_slice(series);
        self.pending_runs += 1;
        self.summaries.runs += 1;
        if self.pending_runs == self.block {
            self.fold();
        }
    }

    fn fold(&mut self) {
        let cells = self.summaries.series.len();
        for (cell, tally) in self.summaries.series.iter_mut().enumerate() {
            for run in 0..self.pending_runs {
                tally.add(self.pending[run * cells + cell]);
            }
        }
        self.pending.clear();
        self.pending_runs = 0;
    }

    /// The summaries of every run taken.
    pub fn finish(mut self) -> RunSummaries {
        self.fold();
        self.summaries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of any size, or none, give the summaries of folding run by run.
    #[test]
    fn blocks_shrink_for_long_series_and_never_vanish() {
        assert_eq!(block_runs(37_000), BLOCK_RUNS);
        assert_eq!(block_runs(2_000_000), 4);
        assert_eq!(block_runs(20_000_000), 1);
        assert!(block_runs(0) >= 1);
    }

    #[test]
    fn blocked_folding_equals_run_by_run() {
        let (cells, heads) = (37, 3);
        let value = |run: usize, cell: usize| ((run * 7919 + cell * 104_729) % 1000) as f64 * 1.5;
        for runs in [0, 1, BLOCK_RUNS - 1, BLOCK_RUNS, 3 * BLOCK_RUNS + 5] {
            let mut plain = RunSummaries::new(cells, heads);
            let mut blocked = BlockedSummaries::new(cells, heads);
            for run in 0..runs {
                let series: Vec<f64> = (0..cells).map(|c| value(run, c)).collect();
                let headline: Vec<f64> = (0..heads).map(|h| value(run, h + 1000)).collect();
                plain.add(&series, &headline);
                blocked.add(&series, &headline);
            }
            assert_eq!(blocked.finish(), plain, "{runs} runs");
        }
    }
}
