//! Errors for scenario and parameter files: each names the file, the key path, the line
//! and column, and what was expected.

use std::path::PathBuf;

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationIssue {
    /// Dotted key path, e.g. `apps[0].capacity_per_second`.
    pub key: String,
    /// 1-based line and column of the key (or of the enclosing table when the key is missing).
    pub line: usize,
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

/// Everything that can go wrong reading a scenario or parameter file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: key `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        key: String,
        line: usize,
        column: usize,
        message: String,
    },
}

impl ScenarioError {
    pub(crate) fn invalid(path: &std::path::Path, issue: ValidationIssue) -> Self {
        ScenarioError::Invalid {
            path: path.to_path_buf(),
            key: issue.key,
            line: issue.line,
            column: issue.column,
            message: issue.message,
        }
    }
}

pub use super::bounded::MAX_INPUT_BYTES;

/// Reads an input file (scenario, parameters, priors, observations) as text, at most
/// `MAX_INPUT_BYTES` (the bounded reader, `scenario::bounded`).
pub(crate) fn read_input(path: &std::path::Path) -> Result<String, ScenarioError> {
    super::bounded::read_text_capped(path, MAX_INPUT_BYTES).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })
}
