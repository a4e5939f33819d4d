//! `check`: validates scenario files and asks each the memory question `run` asks, with its
//! defaults (all cores, 5 single runs, an engine per run when a posterior goes with the
//! parameters).

use super::Result;
use super::parameters::posterior_beside;
use crate::scenario::load_scenario;
use std::path::{Path, PathBuf};

/// One file's verdict: the scenario's name, or why it cannot run.
#[derive(Debug)]
pub struct Checked {
    pub file: PathBuf,
    pub verdict: Result<String>,
}

/// Checks every file (all of them, whatever the first gives).
pub fn check(files: &[PathBuf]) -> Vec<Checked> {
    files
        .iter()
        .map(|file| Checked {
            file: file.clone(),
            verdict: check_one(file),
        })
        .collect()
}

fn check_one(file: &Path) -> Result<String> {
    let s = load_scenario(file, None)?;
    let posterior = posterior_beside(&s.params_file).is_file();
    let workers = super::pool::workers(0);
    // An agent scenario's networks too, one per worker thread, as `run` asks.
    super::resources::check_memory(&s, &s.engine, 5, workers, posterior)?;
    Ok(s.name)
}
