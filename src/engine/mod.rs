//! The engines that move users between states, and the parallel Monte Carlo around them.

pub mod agents;
pub mod cohort;
pub mod mock;
pub mod montecarlo;
pub mod network;
pub mod observe;
pub mod record;
pub mod schedule;
pub mod streams;

pub use cohort::{CohortEngine, CohortState, RegionState};
pub use montecarlo::{
    MAX_RUNS, MonteCarlo, MonteCarloError, ParameterSource, RunOutput, RunSink, memory_estimate,
    run_monte_carlo, run_monte_carlo_with, simulate_run,
};
pub use observe::{BuildEngine, Engine, EngineKind, Observed, Observer, RegionCounts};
pub use record::{HeadlineSpec, Metric, Recorder, SeriesLayout, figure_label};
pub use streams::RunStreams;
