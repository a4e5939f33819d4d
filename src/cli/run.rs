//! `surge run`: a scenario's Monte Carlo runs and their results.

use super::args::{EngineArgs, ParameterArgs, ReportArgs, ShardArgs, SizeArgs, thread_count};
use super::progress::{Bar, RUNS, print_sharded};
use anyhow::Result;
use std::path::PathBuf;
use surge::report;
use surge::workflow::run::RunRequest;

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
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Output folder [default: output/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no headline table.
    #[arg(long)]
    pub quiet: bool,
    /// How many single runs to save and draw faintly behind the bands [default: 5, or --runs if fewer].
    #[arg(long)]
    pub spaghetti: Option<usize>,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub shards: ShardArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: &RunArgs) -> Result<()> {
    let request = RunRequest {
        scenario: args.scenario.clone(),
        text: None,
        values: Vec::new(),
        runs: args.runs,
        seed: args.seed,
        threads: args.threads,
        parameters: args.parameters.choice(),
        out: args.out.clone(),
        spaghetti: args.spaghetti,
        force: args.force,
        shards: args.shards.choice(),
        engine: args.engine.options(),
        size: args.size.size()?,
    };
    let result = surge::workflow::run::run(&request, &Bar::new(args.quiet, RUNS))?;
    args.report
        .write_whole(&result, |r| r.out.as_path(), args.quiet)?;
    print_sharded(args.quiet, result, |r| {
        print!("{}", report::headline_table(&r.summary));
        println!("results: {}", r.out.display());
    });
    Ok(())
}
