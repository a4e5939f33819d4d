//! Where each run's behavioural parameters come from: a parameter file's values, or samples of
//! a fit's posterior (`surge run`, `sweep`, `tune`).

use super::{Error, Result};
use crate::engine::ParameterSource;
use crate::report::summary::ParametersInfo;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// The request's choice of parameters.
#[derive(Debug, Clone, Default)]
pub struct ParameterChoice {
    /// A parameter file to use instead of the one the scenario names.
    pub params: Option<PathBuf>,
    /// Posterior samples (a fit's posterior.csv): each run draws its parameters from them.
    pub posterior: Option<PathBuf>,
    /// Every run uses the parameter file's values.
    pub fixed: bool,
}

/// The posterior that goes with a parameter file: `X-posterior.csv` beside `X.toml`.
pub fn posterior_beside(params: &Path) -> PathBuf {
    let stem = params.file_stem().unwrap_or_default().to_string_lossy();
    params.with_file_name(format!("{stem}-posterior.csv"))
}

impl ParameterChoice {
    /// Where each run's parameters come from: `posterior` if given; else the parameter file's
    /// values if `fixed`; else the posterior beside the parameter file if there is one.
    pub fn source(&self, scenario: &Scenario) -> Result<(ParameterSource, ParametersInfo)> {
        let posterior = match &self.posterior {
            Some(file) => Some(file.clone()),
            None if self.fixed => None,
            None => Some(posterior_beside(&scenario.params_file)).filter(|f| f.is_file()),
        };
        Ok(match &posterior {
            None => (
                ParameterSource::Fixed(scenario.behaviour.clone()),
                ParametersInfo {
                    kind: "fixed".into(),
                    file: scenario.params_file.display().to_string(),
                    values: Some(scenario.behaviour.clone()),
                    sha256: None,
                },
            ),
            Some(file) => {
                let (samples, weights) =
                    crate::calibrate::report::read_posterior(file, &scenario.behaviour)
                        .map_err(Error::Refused)?;
                (
                    ParameterSource::Samples { samples, weights },
                    ParametersInfo {
                        kind: "posterior".into(),
                        file: file.display().to_string(),
                        values: None,
                        sha256: Some(super::parts::file_hash(Some(file))?),
                    },
                )
            }
        })
    }
}
