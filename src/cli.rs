//! Command-line arguments (clap only; no logic).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "surge",
    version,
    about = "Simulate where people go when the app they rely on goes down"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo simulation and write summary.json, timeseries.csv and runs.csv.
    Run(RunArgs),
    /// Validate scenario files; exit 0 if all are valid, 2 otherwise.
    Check {
        /// Scenario files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/facebook-2021-10-04.toml.
    pub scenario: PathBuf,
    /// Number of Monte Carlo runs [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed; run i uses the stream (seed, i) [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Behavioural parameter file to use instead of the one the scenario names.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Output folder [default: output/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no headline table.
    #[arg(long)]
    pub quiet: bool,
}
