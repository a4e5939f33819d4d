//! The engines that move users between states, and the parallel Monte Carlo around them.

pub mod cohort;
pub mod montecarlo;
pub mod record;
pub mod streams;

pub use cohort::{CohortEngine, CohortState, Observer, RegionState};
pub use montecarlo::{
    MonteCarlo, MonteCarloError, ParameterSource, RunOutput, run_monte_carlo, simulate_run,
};
pub use record::{HeadlineSpec, Metric, Recorder, SeriesLayout};
pub use streams::RunStreams;
