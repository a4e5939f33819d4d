//! `surge merge`: puts the parts written by `--shard I/N` together.

use anyhow::Result;
use std::path::PathBuf;
use surge::report;

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Folder of the parts (shard-<I>-of-<N> folders), e.g. output/facebook-2021-10-04-sweep.parts.
    pub parts: PathBuf,
    /// Output folder [default: the one the shards were given].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// Print nothing (no headline table, no summary line).
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub report: super::args::ReportArgs,
}

pub fn merge(args: &MergeArgs) -> Result<()> {
    let merged = surge::workflow::shard::merge(&args.parts, args.out.as_deref(), args.force)?;
    args.report.write(&merged.out, args.quiet)?;
    if args.quiet {
        return Ok(());
    }
    if let Some(summary) = &merged.run {
        print!("{}", report::headline_table(summary));
    }
    println!(
        "merged {} shards of `surge {}` ({}): results: {}",
        merged.shards,
        merged.command.name(),
        merged.scenario,
        merged.out.display()
    );
    Ok(())
}
