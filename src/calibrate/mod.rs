//! Calibration: fit the behavioural parameters to the surges that were actually reported, with
//! ABC-SMC, check the fit against every figure, and predict events left out of the fit.
//!
//! May import: report (its plotting and atomic writes), engine, model, scenario, summary.

pub mod abc;
mod kernel;
pub mod mechanism;
pub mod nowcast;
pub mod nowcast_check;
pub mod observations;
pub mod observed;
pub mod plot;
pub mod predict;
pub mod priors;
pub mod report;
pub mod timeline;
pub mod validate;

pub use abc::{AbcSettings, FitProgress, Posterior, StopReason, fit};
pub use observations::{Counts, Observation, ObservationSet, load_observations};
pub use predict::{EventSet, Prediction};
pub use priors::{Prior, Priors, load_priors};

/// Errors of calibration inputs.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    #[error("{0}")]
    Invalid(String),
}
