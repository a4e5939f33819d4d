//! `surge nowcast`: a scenario's forecast conditioned on the counts observed so far.

use super::args::{EngineArgs, ParameterArgs, ReportArgs, SizeArgs, thread_count};
use super::progress::{Bar, RUNS};

/// The progress bar of an evaluation: synthetic events done.
const EVENTS: &str = "{spinner} events {pos}/{len} [{bar:40}] eta {eta}";
use anyhow::Result;
use std::path::PathBuf;
use surge::report;
use surge::workflow::nowcast::NowcastRequest;

#[derive(Debug, clap::Args)]
pub struct NowcastArgs {
    /// Scenario file (TOML), e.g. scenarios/brazil-block-2015-12.toml [with --evaluate, default:
    /// scenarios/facebook-2021-10-04.toml].
    pub scenario: Option<PathBuf>,
    /// Observed counts (CSV with columns app,region,metric,since_utc,time_utc,value and
    /// optionally low,high), e.g. data/nowcast-brazil-2015-12-3h.csv.
    #[arg(long, required_unless_present = "evaluate")]
    pub observed: Option<PathBuf>,
    /// Instead of a nowcast: evaluate the method (simulation-based calibration on synthetic
    /// events of the scenario, and the reported events' early figures predicting their later
    /// ones); writes nowcast.md and evaluation.json into --out (default output/nowcast-evaluate).
    #[arg(long, conflicts_with = "observed")]
    pub evaluate: bool,
    /// --evaluate: synthetic events.
    #[arg(long, default_value_t = 200, requires = "evaluate")]
    pub events: usize,
    /// --evaluate: only the simulation-based calibration (no reported events, so no
    /// leave-one-out fits).
    #[arg(long, requires = "evaluate")]
    pub synthetic_only: bool,
    /// Share of the conditioning's Metropolis-Hastings moves proposed from the fit's posterior
    /// (the rest: a random walk) [default: the method's; for studying the sampler].
    #[arg(long, hide = true)]
    pub prior_proposals: Option<f64>,
    /// --evaluate: also write the table here, e.g. docs/nowcast.md (replaces only a table this
    /// command wrote).
    #[arg(long, requires = "evaluate")]
    pub markdown: Option<PathBuf>,
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
    /// Particles of the sequential Monte Carlo conditioning, at least 10 [default: 400; with
    /// --evaluate, 100].
    #[arg(long)]
    pub particles: Option<usize>,
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
    if args.evaluate {
        return evaluate(args);
    }
    let (Some(scenario), Some(observed)) = (&args.scenario, &args.observed) else {
        anyhow::bail!("a nowcast needs a SCENARIO and --observed FILE.csv (or --evaluate)");
    };
    let request = NowcastRequest {
        scenario: scenario.clone(),
        text: None,
        values: Vec::new(),
        observed: observed.clone(),
        runs: args.runs,
        seed: args.seed,
        threads: args.threads,
        parameters: args.parameters.choice(),
        priors: args.priors.clone(),
        particles: args.particles.unwrap_or(400),
        prior_proposals: args.prior_proposals,
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

fn evaluate(args: &NowcastArgs) -> Result<()> {
    let request = surge::workflow::nowcast_check::EvaluateRequest {
        scenario: args
            .scenario
            .clone()
            .unwrap_or_else(|| surge::scenario::shipped_file("scenarios/facebook-2021-10-04.toml")),
        events: args.events,
        particles: args.particles.unwrap_or(100),
        seed: args.seed.unwrap_or(1),
        threads: args.threads,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("output/nowcast-evaluate")),
        markdown: args.markdown.clone(),
        force: args.force,
        synthetic_only: args.synthetic_only,
        prior_proposals: args.prior_proposals,
    };
    let result = surge::workflow::nowcast_check::evaluate(&request, &Bar::new(args.quiet, EVENTS))?;
    if !args.quiet {
        print!("{}", result.markdown);
        println!(
            "evaluation took {:.1} s; results: {}",
            result.seconds,
            result.out.display()
        );
    }
    Ok(())
}
