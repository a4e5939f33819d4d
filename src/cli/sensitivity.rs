//! `surge sensitivity`: which factor moves each headline figure most.

use super::args::{EngineArgs, ReportArgs, ShardArgs, SizeArgs, thread_count};
use super::progress::{Bar, POINTS, print_sharded};
use anyhow::Result;
use std::path::PathBuf;
use surge::report::sensitivity::sensitivity_text;
use surge::workflow::sensitivity::{Method, SensitivityRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodChoice {
    /// Morris elementary effects: mu*, mu and sigma per factor (cheap screening).
    Morris,
    /// Sobol first-order and total indices (Saltelli sampling, Jansen estimators).
    Sobol,
}

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    #[arg(long, value_enum)]
    pub method: MethodChoice,
    /// Morris: trajectories [default 20]; Sobol: base rows N, N x (factors + 2) points
    /// [default 128].
    #[arg(long)]
    pub samples: Option<usize>,
    /// The factors and their ranges, KEY=LOW:HIGH or KEY=LOW:HIGH:log (any key --vary takes)
    /// [default: the priors of --priors].
    #[arg(long = "range")]
    pub ranges: Vec<surge::scenario::Vary>,
    /// Priors whose ranges are the factors when no --range is given [default: params/priors.toml
    /// of the working folder if it has one, else the one shipped with surge].
    #[arg(long)]
    pub priors: Option<PathBuf>,
    /// Monte Carlo runs at each point; the model output is their mean.
    #[arg(long, default_value_t = surge::workflow::sensitivity::RUNS_PER_POINT)]
    pub runs: u64,
    /// Master seed: the design, the bootstrap and run i of every point (stream (seed, i))
    /// [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Morris grid levels (even).
    #[arg(long, default_value_t = 4)]
    pub levels: usize,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Headline figures to chart (runs.csv's columns) [default: the first app's arrivals in
    /// 24 h, peak registration rate, longest queue wait and retained in 72 h].
    #[arg(long = "figure")]
    pub figures: Vec<String>,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    /// Behavioural parameter file to use instead of the one the scenario names.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Output folder [default: output/<scenario name>-<method>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder or a part that holds other results.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub shards: ShardArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let request = SensitivityRequest {
        scenario: args.scenario.clone(),
        method: match args.method {
            MethodChoice::Morris => Method::Morris,
            MethodChoice::Sobol => Method::Sobol,
        },
        samples: args.samples,
        ranges: args.ranges.clone(),
        priors: super::args::shipped_or(&args.priors, "params/priors.toml"),
        runs: args.runs,
        seed: args.seed,
        levels: args.levels,
        bootstrap: args.bootstrap,
        figures: args.figures.clone(),
        threads: args.threads,
        params: args.params.clone(),
        out: args.out.clone(),
        force: args.force,
        shards: args.shards.choice(),
        engine: args.engine.options(),
        size: args.size.size()?,
    };
    let result =
        surge::workflow::sensitivity::sensitivity(&request, &Bar::new(args.quiet, POINTS))?;
    args.report
        .write_whole(&result, |r| r.out.as_path(), args.quiet)?;
    print_sharded(args.quiet, result, |r| {
        print!("{}", sensitivity_text(&r.summary, &r.rows));
        println!("results: {}", r.out.display());
    });
    Ok(())
}
