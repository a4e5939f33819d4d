//! The engines that move users between states, and the parallel Monte Carlo around them: the
//! trait every engine implements and what an observer sees (`observe`, which imports no engine),
//! the cohort and agent engines, the choice among them (`choice`), the per-run random streams
//! and the recorder of each run's series and headline figures.
//!
//! May import: model, scenario, summary.

pub mod agents;
mod choice;
pub mod cohort;
pub mod limits;
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
pub use observe::{BuildEngine, Engine, Observed, Observer, RegionCounts};
pub use record::{HeadlineSpec, Metric, Recorder, SeriesLayout, figure_label};
pub use streams::RunStreams;
