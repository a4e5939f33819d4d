//! The one place a simulating request's common choices become settled settings: its runs, seed,
//! output folder and worker pool, each the request's value or else the scenario's (the folder:
//! the command's default beside the scenario's name).

use super::Result;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// What a request leaves to the scenario when it says `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Common<'a> {
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    pub out: Option<&'a Path>,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// The settled settings.
pub struct Settled {
    /// The request's runs, else the scenario's `simulation.runs`.
    pub runs: u64,
    /// The request's seed, else the scenario's `simulation.seed`.
    pub seed: u64,
    /// The request's folder, else `output/<scenario name><suffix>`.
    pub out: PathBuf,
    pub pool: rayon::ThreadPool,
}

/// The default output folder of a scenario's command: `output/<name><suffix>`.
pub fn default_out(name: &str, suffix: &str) -> PathBuf {
    PathBuf::from("output").join(format!("{name}{suffix}"))
}

/// Settles `common` for `scenario`; `suffix` names the command's folder ("" for `run`,
/// "-sweep", "-tune", "-morris").
pub fn settle(scenario: &Scenario, common: Common, suffix: &str) -> Result<Settled> {
    Ok(Settled {
        runs: common.runs.unwrap_or(scenario.runs),
        seed: common.seed.unwrap_or(scenario.seed),
        out: common
            .out
            .map_or_else(|| default_out(&scenario.name, suffix), Path::to_path_buf),
        pool: super::pool::worker_pool(common.threads)?,
    })
}
