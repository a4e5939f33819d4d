//! `surge tune`: what each setting costs and buys.

use super::args::{EngineArgs, ParameterArgs, ReportArgs, SizeArgs, thread_count};
use super::progress::{Bar, RUNS};
use anyhow::Result;
use std::path::PathBuf;
use surge::report::tune::tune_text;
use surge::workflow::tune::TuneRequest;

#[derive(Debug, clap::Args)]
pub struct TuneArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A reduced grid that runs in under a minute: steps 1, 5, 15 and 60 minutes at 200 runs,
    /// 100 to 10,000 runs (agent engine: 2 to 10 runs at 100,000 users, and 100,000 and
    /// 300,000 simulated users at 4 runs).
    #[arg(long)]
    pub quick: bool,
    /// Recommend the most accurate step size, number of runs (and simulated users) whose
    /// predicted time fits this many seconds on this machine.
    #[arg(long)]
    pub budget: Option<f64>,
    /// Runs at each step size [default: 1,000; --quick 200; agent engine 10, --quick 4].
    #[arg(long)]
    pub runs: Option<u64>,
    /// A headline figure the error is taken over, as in runs.csv's columns; repeat for more
    /// [default: every headline figure of the scenario's first app].
    #[arg(long = "figure")]
    pub figures: Vec<String>,
    /// Master seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores, at most 1024); times are for this many.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Output folder [default: output/<scenario name>-tune/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// No progress lines and no table.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn tune(args: &TuneArgs) -> Result<()> {
    let request = TuneRequest {
        scenario: args.scenario.clone(),
        quick: args.quick,
        budget: args.budget,
        runs: args.runs,
        figures: args.figures.clone(),
        seed: args.seed,
        threads: args.threads,
        parameters: args.parameters.choice(),
        out: args.out.clone(),
        force: args.force,
        engine: args.engine.options(),
        size: args.size.size()?,
    };
    // Tune shows its timings as notes, no bar (each setting is timed, a bar would cost time).
    let result = surge::workflow::tune::tune(&request, &Bar::new(args.quiet, RUNS))?;
    args.report.write(&result.out, args.quiet)?;
    if !args.quiet {
        print!("{}", tune_text(&result.summary));
        println!("results: {}", result.out.display());
    }
    Ok(())
}
