//! Parallel Monte Carlo: N independent runs on a rayon pool. Run i draws only from the
//! streams of (seed, i), and results are collected in run order, so the output is
//! byte-identical for any thread count.

use super::cohort::CohortEngine;
use super::record::{HeadlineSpec, Recorder, SeriesLayout};
use super::streams::RunStreams;
use crate::model::draw::weighted_index;
use crate::scenario::{Behaviour, Scenario};
use rand::RngExt;
use rayon::prelude::*;

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
}

/// All runs of one scenario.
#[derive(Debug, Clone)]
pub struct MonteCarlo {
    pub layout: SeriesLayout,
    pub specs: Vec<HeadlineSpec>,
    pub runs: Vec<RunOutput>,
}

/// Errors of a Monte Carlo run request.
#[derive(Debug, thiserror::Error)]
pub enum MonteCarloError {
    #[error("--runs must be at least 1")]
    NoRuns,
    #[error(
        "{runs} runs would keep {gib:.1} GiB of time series in memory (limit {limit} GiB); use fewer --runs or a longer simulation.output_minutes"
    )]
    TooLarge { runs: u64, gib: f64, limit: u64 },
    #[error("the posterior file has no samples")]
    EmptyPosterior,
}

/// Memory allowed for the recorded time series of all runs.
const MEMORY_LIMIT_GIB: u64 = 8;

/// Simulates one run of `scenario` with `behaviour`, from the streams of (seed, run).
pub fn simulate_run(
    engine: &CohortEngine,
    layout: &SeriesLayout,
    specs: &[HeadlineSpec],
    seed: u64,
    run: u64,
) -> RunOutput {
    let streams = RunStreams::new(seed, run);
    let mut recorder = Recorder::new(&engine.scenario, layout, specs);
    engine.run(&streams, &mut recorder);
    recorder.output
}

/// Runs `runs` Monte Carlo runs on the current rayon pool (the caller installs one of the size
/// it wants, so one pool bounds the simulation and whatever follows it), calling `progress`
/// after each run finishes.
pub fn run_monte_carlo(
    scenario: &Scenario,
    parameters: &ParameterSource,
    runs: u64,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Result<MonteCarlo, MonteCarloError> {
    if runs == 0 {
        return Err(MonteCarloError::NoRuns);
    }
    let layout = SeriesLayout::new(scenario);
    let specs = HeadlineSpec::for_scenario(scenario);
    let bytes = runs as f64 * (scenario.timeline.output_points() * layout.len() * 4) as f64;
    let gib = bytes / f64::from(1u32 << 30);
    if gib > MEMORY_LIMIT_GIB as f64 {
        return Err(MonteCarloError::TooLarge {
            runs,
            gib,
            limit: MEMORY_LIMIT_GIB,
        });
    }
    /// What a run needs: one shared engine, or samples to build its own from.
    enum Source<'a> {
        Fixed(Box<CohortEngine>),
        Samples(&'a [Behaviour], &'a [f64]),
    }
    let source = match parameters {
        ParameterSource::Fixed(b) => Source::Fixed(Box::new(CohortEngine::new(scenario, b))),
        ParameterSource::Samples { samples, weights }
            if samples.is_empty() || samples.len() != weights.len() =>
        {
            return Err(MonteCarloError::EmptyPosterior);
        }
        ParameterSource::Samples { samples, weights } => Source::Samples(samples, weights),
    };
    let outputs = (0..runs)
        .into_par_iter()
        .map(|run| {
            let output = match &source {
                Source::Fixed(engine) => simulate_run(engine, &layout, &specs, seed, run),
                Source::Samples(samples, weights) => {
                    let mut pick = RunStreams::new(seed, run).parameters();
                    let behaviour = &samples[weighted_index(weights, pick.random::<f64>())];
                    let engine = CohortEngine::new(scenario, behaviour);
                    simulate_run(&engine, &layout, &specs, seed, run)
                }
            };
            progress();
            output
        })
        .collect();
    Ok(MonteCarlo {
        layout,
        specs,
        runs: outputs,
    })
}
