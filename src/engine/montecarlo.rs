//! Parallel Monte Carlo: N independent runs on a rayon pool. Run i draws only from the
//! streams of (seed, i); each run is folded into its worker's summaries as soon as it finishes
//! and then dropped (summaries merge exactly, in any order), and per-run rows go to a sink in
//! run order. So memory does not grow with the number of runs, and the output is byte-identical
//! for any thread count.

use super::observe::{BuildEngine, Engine};
use super::record::{HeadlineSpec, Recorder, SeriesLayout};
use super::streams::RunStreams;
use crate::model::Behaviour;
use crate::model::draw::weighted_index;
use crate::scenario::Scenario;
use crate::summary::{BlockedSummaries, RunSummaries, block_runs};
use rand::RngExt;
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::OnceLock;
use thread_local::ThreadLocal;

pub use super::record::RunOutput;

/// Where each run's behavioural parameters come from.
#[derive(Debug, Clone)]
pub enum ParameterSource {
    /// Every run uses the same parameters.
    Fixed(Behaviour),
    /// Each run draws one parameter set from these (posterior samples), with probability
    /// proportional to its weight.
    Samples {
        samples: Vec<Behaviour>,
        weights: Vec<f64>,
    },
    /// Each run continues a particle conditioned on observed counts (`surge nowcast`): run j
    /// takes particle j mod n with its parameters, replays the particle's streams before
    /// `cut_step` (so reaches its state there exactly) and draws its own, (seed, j), after.
    Conditioned {
        samples: Vec<Behaviour>,
        streams: Vec<RunStreams>,
        cut_step: usize,
    },
}

/// The summaries of all runs of one scenario.
#[derive(Debug, Clone)]
pub struct MonteCarlo {
    /// The engine that ran, as `summary.json` names it.
    pub engine: String,
    /// What the engine reported of run 0 (`Engine::report`), if anything.
    pub engine_report: Option<serde_json::Value>,
    pub layout: SeriesLayout,
    pub specs: Vec<HeadlineSpec>,
    pub summaries: RunSummaries,
    /// The first runs' own series (point-major, as in `RunOutput`), in run order: the faint
    /// lines of the plots.
    pub single_runs: Vec<Vec<f64>>,
}

/// Receives each run's headline figures in run order, as runs finish (`runs.csv`).
pub trait RunSink {
    fn run_finished(&mut self, run: u64, headline: &[f64]) -> std::io::Result<()>;
}

/// A sink that keeps nothing.
impl RunSink for () {
    fn run_finished(&mut self, _: u64, _: &[f64]) -> std::io::Result<()> {
        Ok(())
    }
}

/// Errors of a Monte Carlo run request.
#[derive(Debug, thiserror::Error)]
pub enum MonteCarloError {
    #[error("--runs must be at least 1")]
    NoRuns,
    #[error("--runs {runs} is more than surge counts ({max}); split the work into shards")]
    TooManyRuns { runs: u64, max: u64 },
    #[error("the posterior file has no samples")]
    EmptyPosterior,
    #[error("cannot write a run's row: {0}")]
    Sink(#[from] std::io::Error),
}

/// Most runs one summary counts (its sketches keep 32-bit counts).
pub const MAX_RUNS: u64 = crate::scenario::MAX_RUNS;

/// Runs simulated between two hand-overs to the sink: bounds the rows held in memory.
const BATCH: u64 = 4096;

/// What a run request will hold in memory at once, in bytes, with `workers` threads: each
/// worker's summaries (a tally per series value and headline figure: 112 bytes plus its
/// sketch's buckets, assumed 512 of 4 bytes: 10,000 posterior runs of 2021-10-04 peak at 199 MB
/// with 128-run blocks, 138 MB with 32, against 45 MB with fixed parameters, benches/README.md),
/// each worker's run in flight (its
/// series and recorder), the engines' per-step drivers (one per worker when each run draws its
/// own parameters), a batch of headline rows, and the
/// single runs kept for plots.
pub fn memory_estimate(
    scenario: &Scenario,
    workers: usize,
    single_runs: usize,
    engine_per_run: bool,
) -> u64 {
    let values = (scenario.timeline.output_points() * SeriesLayout::new(scenario).len()) as u64;
    let headline = HeadlineSpec::for_scenario(scenario).len() as u64;
    let tally = 112 + 512 * 4;
    let drivers = (scenario.timeline.steps * (2 * scenario.regions.len() + 4) * 8) as u64;
    let engines = if engine_per_run { workers as u64 } else { 1 };
    // Summaries, the run in flight, and the block of runs not yet folded (f64 each).
    let block = block_runs(values as usize) as u64;
    let per_worker = (values + headline) * tally + values * 4 + values * block * 8;
    workers as u64 * per_worker
        + engines * drivers
        + BATCH * headline * 8
        + single_runs as u64 * values * 4
}

/// Simulates one run of `scenario` with `behaviour`, from the streams of (seed, run).
pub fn simulate_run(
    engine: &dyn Engine,
    scenario: &Scenario,
    layout: &SeriesLayout,
    specs: &[HeadlineSpec],
    seed: u64,
    run: u64,
) -> RunOutput {
    simulate_with_streams(engine, scenario, layout, specs, &RunStreams::new(seed, run))
}

/// Simulates one run of `scenario` drawing from `streams`.
fn simulate_with_streams(
    engine: &dyn Engine,
    scenario: &Scenario,
    layout: &SeriesLayout,
    specs: &[HeadlineSpec],
    streams: &RunStreams,
) -> RunOutput {
    let mut recorder = Recorder::new(scenario, layout, specs);
    engine.run(streams, &mut recorder);
    recorder.output
}

/// Runs `runs` Monte Carlo runs of `scenario` on its own engine (`simulation.engine`) on the
/// current rayon pool (the caller installs one of the size it wants, so one pool bounds the
/// simulation and whatever follows it). Keeps the series of the first `single_runs` runs, hands
/// every run's headline figures to `sink` in run order, and calls `progress` after each run
/// finishes. [`run_monte_carlo_with`] takes the engine, [`run_monte_carlo_part`] (the one the
/// others call) any share of the runs as a [`Work`].
pub fn run_monte_carlo(
    scenario: &Scenario,
    parameters: &ParameterSource,
    runs: u64,
    seed: u64,
    single_runs: usize,
    sink: &mut dyn RunSink,
    progress: &(dyn Fn() + Sync),
) -> Result<MonteCarlo, MonteCarloError> {
    run_monte_carlo_with(
        &scenario.engine,
        scenario,
        parameters,
        runs,
        seed,
        single_runs,
        sink,
        progress,
    )
}

/// [`run_monte_carlo`] with the engines `engines` builds.
#[allow(clippy::too_many_arguments)]
pub fn run_monte_carlo_with(
    engines: &dyn BuildEngine,
    scenario: &Scenario,
    parameters: &ParameterSource,
    runs: u64,
    seed: u64,
    single_runs: usize,
    sink: &mut dyn RunSink,
    progress: &(dyn Fn() + Sync),
) -> Result<MonteCarlo, MonteCarloError> {
    let work = Work {
        runs: 0..runs,
        seed,
        single_runs,
        series: true,
    };
    run_monte_carlo_part(engines, scenario, parameters, &work, sink, progress)
}

/// Which runs a Monte Carlo request simulates, and what it keeps of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// Run indices: all runs of a request, or a shard's share of them (run i always draws from
    /// the streams of (seed, i), so the shards of a request run exactly its runs).
    pub runs: std::ops::Range<u64>,
    pub seed: u64,
    /// Runs below this index keep their own series (the plots' faint lines).
    pub single_runs: usize,
    /// Whether to summarise the time series (false: headline figures only, as a sweep needs).
    pub series: bool,
}

/// Simulates the runs of `work`: [`run_monte_carlo_with`] for any range of run indices, with
/// or without the time series' summaries.
pub fn run_monte_carlo_part(
    engines: &dyn BuildEngine,
    scenario: &Scenario,
    parameters: &ParameterSource,
    work: &Work,
    sink: &mut dyn RunSink,
    progress: &(dyn Fn() + Sync),
) -> Result<MonteCarlo, MonteCarloError> {
    let Work {
        runs: range,
        seed,
        single_runs,
        series: keep_series,
    } = work.clone();
    if range.is_empty() {
        return Err(MonteCarloError::NoRuns);
    }
    if range.end > MAX_RUNS {
        return Err(MonteCarloError::TooManyRuns {
            runs: range.end,
            max: MAX_RUNS,
        });
    }
    let layout = SeriesLayout::new(scenario);
    let specs = HeadlineSpec::for_scenario(scenario);
    /// What a run needs: one shared engine, or samples to build its own from.
    enum Source<'a> {
        Fixed(Box<dyn Engine>),
        Samples(&'a [Behaviour], &'a [f64]),
        Conditioned(&'a [Behaviour], &'a [RunStreams], usize),
    }
    let source = match parameters {
        ParameterSource::Fixed(b) => Source::Fixed(engines.build(scenario, b)),
        ParameterSource::Samples { samples, weights }
            if samples.is_empty() || samples.len() != weights.len() =>
        {
            return Err(MonteCarloError::EmptyPosterior);
        }
        ParameterSource::Samples { samples, weights } => Source::Samples(samples, weights),
        ParameterSource::Conditioned {
            samples, streams, ..
        } if samples.is_empty() || samples.len() != streams.len() => {
            return Err(MonteCarloError::EmptyPosterior);
        }
        ParameterSource::Conditioned {
            samples,
            streams,
            cut_step,
        } => Source::Conditioned(samples, streams, *cut_step),
    };
    let values = if keep_series {
        scenario.timeline.output_points() * layout.len()
    } else {
        0
    };
    let report: OnceLock<Option<serde_json::Value>> = OnceLock::new();
    let empty = || RefCell::new(BlockedSummaries::new(values, specs.len()));
    let workers: ThreadLocal<RefCell<BlockedSummaries>> = ThreadLocal::new();
    let keep = single_runs as u64;
    let mut single = Vec::with_capacity(single_runs.min((range.end - range.start) as usize));
    let mut first = range.start;
    while first < range.end {
        let last = (first + BATCH).min(range.end);
        let rows: Vec<(Vec<f64>, Option<Vec<f64>>)> = (first..last)
            .into_par_iter()
            .map(|run| {
                let output = match &source {
                    Source::Fixed(engine) => {
                        let output =
                            simulate_run(engine.as_ref(), scenario, &layout, &specs, seed, run);
                        if run == range.start {
                            let _ = report.set(engine.report());
                        }
                        output
                    }
                    Source::Samples(samples, weights) => {
                        let mut pick = RunStreams::new(seed, run).parameters();
                        let behaviour = &samples[weighted_index(weights, pick.random::<f64>())];
                        let engine = engines.build(scenario, behaviour);
                        let output =
                            simulate_run(engine.as_ref(), scenario, &layout, &specs, seed, run);
                        if run == range.start {
                            let _ = report.set(engine.report());
                        }
                        output
                    }
                    Source::Conditioned(samples, streams, cut) => {
                        let i = (run % samples.len() as u64) as usize;
                        let engine = engines.build(scenario, &samples[i]);
                        let own = streams[i].then(RunStreams::new(seed, run), *cut);
                        let output =
                            simulate_with_streams(engine.as_ref(), scenario, &layout, &specs, &own);
                        if run == range.start {
                            let _ = report.set(engine.report());
                        }
                        output
                    }
                };
                workers.get_or(empty).borrow_mut().add(
                    if keep_series { &output.series } else { &[] },
                    &output.headline,
                );
                progress();
                let series = (run < keep).then_some(output.series);
                (output.headline, series)
            })
            .collect();
        for (i, (headline, series)) in rows.into_iter().enumerate() {
            sink.run_finished(first + i as u64, &headline)?;
            single.extend(series);
        }
        first = last;
    }
    // Merged into the first worker's summaries rather than a fresh copy: one worker's worth of
    // tallies less at the peak (a tally per series value: 2 million of them at 200 regions x 6
    // apps). Tallies add integers and bucket counts, so the merge's order changes no output.
    let mut merged: Option<RunSummaries> = None;
    for worker in workers {
        let part = worker.into_inner().finish();
        match &mut merged {
            Some(summaries) => summaries.merge(&part),
            None => merged = Some(part),
        }
    }
    let summaries = merged.unwrap_or_else(|| RunSummaries::new(values, specs.len()));
    Ok(MonteCarlo {
        engine: engines.describe(),
        engine_report: report.into_inner().flatten(),
        layout,
        specs,
        summaries,
        single_runs: single,
    })
}
