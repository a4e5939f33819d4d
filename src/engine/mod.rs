//! The engines that move users between states, and the parallel Monte Carlo around them.

pub mod cohort;
pub mod montecarlo;
pub mod record;
pub mod schedule;
pub mod streams;

pub use cohort::{CohortEngine, CohortState, Observer, RegionState};
pub use montecarlo::{
    MAX_RUNS, MonteCarlo, MonteCarloError, ParameterSource, RunOutput, RunSink, memory_estimate,
    run_monte_carlo, simulate_run,
};
pub use record::{HeadlineSpec, Metric, Recorder, SeriesLayout, figure_label};
pub use streams::RunStreams;
