//! `surge nowcast`: a scenario's forecast conditioned on the counts observed so far.

use super::args::{EngineArgs, ParameterArgs, ReportArgs, SizeArgs, thread_count};
use super::progress::{Bar, RUNS};
use anyhow::Result;
use std::path::PathBuf;
use surge::report;
use surge::workflow::nowcast::NowcastRequest;

#[derive(Debug, clap::Args)]
pub struct NowcastArgs {
    /// Scenario file (TOML), e.g. scenarios/facebook-2021-10-04.toml.
    pub scenario: PathBuf,
    /// Observed counts (CSV with columns app,region,metric,since_utc,time_utc,value and
    /// optionally low,high), e.g. data/nowcast-facebook-2021-10-04-3h.csv.
    #[arg(long)]
    pub observed: PathBuf,
    /// Number of forecast runs [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed: the conditioning's streams and run i's continuation (seed, i) [default: the
    /// scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    /// Particles of the sequential Monte Carlo conditioning (at least 10).
    #[arg(long, default_value_t = 400)]
    pub particles: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Priors of the fitted parameters (their bounds) [default: params/priors.toml of the
    /// working folder if it has one, else the one shipped with surge].
    #[arg(long)]
    pub priors: Option<PathBuf>,
    /// Output folder [default: output/<scenario name>-nowcast/].
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
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn nowcast(args: &NowcastArgs) -> Result<()> {
    let request = NowcastRequest {
        scenario: args.scenario.clone(),
        observed: args.observed.clone(),
        runs: args.runs,
        seed: args.seed,
        threads: args.threads,
        parameters: args.parameters.choice(),
        priors: args.priors.clone(),
        particles: args.particles,
        out: args.out.clone(),
        spaghetti: args.spaghetti,
        force: args.force,
        engine: args.engine.options(),
        size: args.size.size()?,
    };
    let result = surge::workflow::nowcast::nowcast(&request, &Bar::new(args.quiet, RUNS))?;
    args.report.write(&result.out, args.quiet)?;
    if let Some(w) = &result.nowcast.warning {
        eprintln!("warning: {w}");
    }
    if !args.quiet {
        let n = &result.nowcast;
        println!(
            "conditioned on {} observed rows to {} ({:+.1} h): {} particles, effective sample size {:.0}, {} stages",
            n.rows.len(),
            n.cut_utc,
            n.cut_hours_since_event,
            n.particles,
            n.effective_sample_size,
            n.stages.len()
        );
        for p in &n.parameters {
            println!(
                "  {:<34} 90% interval [{:.3e}, {:.3e}] -> [{:.3e}, {:.3e}] ({:.0}% as wide)",
                p.name,
                p.before.low,
                p.before.high,
                p.after.low,
                p.after.high,
                100.0 * p.width_ratio
            );
        }
        print!("{}", report::headline_table(&result.summary));
        println!("results: {}", result.out.display());
    }
    Ok(())
}
