//! `surge sweep`: a scenario at every point of a design.

use super::args::{EngineArgs, ParameterArgs, ReportArgs, ShardArgs, SizeArgs, thread_count};
use super::progress::{Bar, POINTS, print_sharded};
use anyhow::Result;
use std::path::PathBuf;
use surge::report::sweep::sweep_text;
use surge::workflow::sweep::SweepRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignChoice {
    /// Every combination of the keys' values.
    Grid,
    /// A Latin hypercube of --samples points over the keys' ranges.
    Lhs,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML), e.g. scenarios/facebook-2021-10-04.toml.
    pub scenario: PathBuf,
    /// A key to vary and its values: KEY=FROM:TO:STEPS (STEPS values, evenly spaced), with
    /// :log for even spacing in the logarithm. KEY is a scenario key by its path, apps and
    /// regions by name (event.duration_hours, apps.telegram.capacity_by_region.us_canada;
    /// apps.telegram.capacity is the app's whole capacity, a regional split kept), or a
    /// behavioural parameter (looking.word_of_mouth_per_hour). Repeat for more keys.
    #[arg(long = "vary", required = true)]
    pub vary: Vec<surge::scenario::Vary>,
    /// How the keys' values are combined.
    #[arg(long, value_enum, default_value = "grid")]
    pub design: DesignChoice,
    /// Points of a Latin hypercube (--design lhs).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Monte Carlo runs at each point [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed: run i of every point uses the stream (seed, i), and a Latin hypercube is
    /// drawn from it [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Headline figure to plot, as in runs.csv's columns (e.g. telegram.arrivals_24h)
    /// [default: the first app's arrivals within 24 h].
    #[arg(long)]
    pub figure: Option<String>,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Output folder [default: output/<scenario name>-sweep/].
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

pub fn sweep(args: &SweepArgs) -> Result<()> {
    let request = SweepRequest {
        scenario: args.scenario.clone(),
        vary: args.vary.clone(),
        design: match args.design {
            DesignChoice::Grid => surge::workflow::sweep::DesignChoice::Grid,
            DesignChoice::Lhs => surge::workflow::sweep::DesignChoice::Lhs,
        },
        samples: args.samples,
        runs: args.runs,
        seed: args.seed,
        figure: args.figure.clone(),
        threads: args.threads,
        parameters: args.parameters.choice(),
        out: args.out.clone(),
        force: args.force,
        shards: args.shards.choice(),
        engine: args.engine.options(),
        size: args.size.size()?,
    };
    let result = surge::workflow::sweep::sweep(&request, &Bar::new(args.quiet, POINTS))?;
    args.report
        .write_whole(&result, |r| r.out.as_path(), args.quiet)?;
    print_sharded(args.quiet, result, |r| {
        print!("{}", sweep_text(&r.summary, &r.points, r.figure));
        println!("results: {}", r.out.display());
    });
    Ok(())
}
