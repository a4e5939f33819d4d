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

/// Largest input file read (scenario, parameters, priors, observations): the shipped ones are a
/// few kilobytes, so 16 MiB is room for any real file and stops `surge check /dev/zero`.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Reads an input file (scenario, parameters, priors, observations) as text, at most
/// `MAX_INPUT_BYTES`.
pub(crate) fn read_input(path: &std::path::Path) -> Result<String, ScenarioError> {
    use std::io::Read;
    let fail = |source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    };
    // Opening a FIFO waits for a writer, and a device may never end: only a regular file is
    // read (checked before opening it).
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(fail(std::io::Error::other(format!(
            "is {what}; expected a file"
        ))));
    }
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(fail(std::io::Error::other(format!(
            "larger than {} MiB, the most an input file may be",
            MAX_INPUT_BYTES >> 20
        ))));
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: {e}"),
        ))
    })
}
