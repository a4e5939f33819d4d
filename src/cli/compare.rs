//! `surge compare`: several runs' results on one chart, and a table of their differences.

use super::args::{ReportArgs, SizeArgs};
use anyhow::Result;
use std::path::PathBuf;
use surge::report::compare::compare_text;
use surge::workflow::compare::CompareRequest;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompareMetric {
    Arrivals,
    Registrations,
    Reactivations,
    RegistrationRate,
    QueueWait,
    /// Sign-up attempts (demand before any limit).
    Attempts,
    /// Sign-up attempts per second (demand before any limit).
    AttemptRate,
}

impl CompareMetric {
    pub fn name(self) -> &'static str {
        match self {
            CompareMetric::Arrivals => "arrivals",
            CompareMetric::Registrations => "registrations",
            CompareMetric::Reactivations => "reactivations",
            CompareMetric::RegistrationRate => "registration_rate",
            CompareMetric::QueueWait => "queue_wait",
            CompareMetric::Attempts => "attempts",
            CompareMetric::AttemptRate => "attempt_rate",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Two or more output folders of `surge run`; the first is the reference.
    #[arg(required = true, num_args = 2..)]
    pub dirs: Vec<PathBuf>,
    /// What to draw.
    #[arg(long, value_enum, default_value = "arrivals")]
    pub metric: CompareMetric,
    /// Which app to draw and tabulate [default: the first app of the first run].
    #[arg(long)]
    pub app: Option<String>,
    /// Where to write compare.png, compare.svg, compare.csv and compare.json.
    #[arg(long, default_value = "output/compare")]
    pub out: PathBuf,
    /// Replace an output folder that holds another command's results.
    #[arg(long)]
    pub force: bool,
    /// Print nothing (no table, no summary line).
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn compare(args: &CompareArgs) -> Result<()> {
    let request = CompareRequest {
        dirs: args.dirs.clone(),
        metric: args.metric.name(),
        app: args.app.clone(),
        out: args.out.clone(),
        force: args.force,
        size: args.size.size()?,
    };
    let result = surge::workflow::compare::compare(&request)?;
    args.report.write(&result.out, args.quiet)?;
    if !args.quiet {
        print!("{}", compare_text(&result.rows));
        println!("results: {}", result.out.display());
    }
    Ok(())
}
