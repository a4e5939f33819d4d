//! The command line: clap types (shared argument groups in `args`), one file per subcommand
//! that turns its arguments into a workflow request, calls the workflow (`surge::workflow`) and
//! prints what it gives back. No simulation logic lives here.
//!
//! May import: surge::workflow and the library types its requests and results carry, clap,
//! indicatif and anyhow (errors become anyhow only here, at the edge).

pub mod args;
mod check;
mod compare;
mod completions;
mod fit;
mod merge;
mod nowcast;
mod plot;
mod progress;
mod run;
mod sensitivity;
mod slurm;
mod sweep;
mod tune;
mod validate;

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
    /// Run a scenario's Monte Carlo simulation and write its results.
    ///
    /// Writes into --out (default output/<scenario name>/), replaced whole when everything is
    /// written: summary.json, timeseries.csv, runs.csv, spaghetti.csv, adoption.png/.svg,
    /// rate.png/.svg and regions.png/.svg; beside the folder, a lock file .<name>.surge-lock.
    Run(run::RunArgs),
    /// Condition a scenario's forecast on the counts observed so far in a real event (a sign-up
    /// counter, press figures) and run it to the horizon: writes what `run` writes plus
    /// nowcast.json (effective sample size, each parameter's interval before and after, the
    /// rows used) into --out (default output/<scenario name>-nowcast/).
    Nowcast(nowcast::NowcastArgs),
    /// Re-draw every plot of a `surge run` output folder from its saved results
    /// (adoption, rate and regions, .png and .svg, in that folder).
    Plot {
        /// Output folder of `surge run`, e.g. output/facebook-2021-10-04.
        dir: PathBuf,
        #[command(flatten)]
        size: args::SizeArgs,
        /// Print nothing (else the files written).
        #[arg(long)]
        quiet: bool,
    },
    /// Write report.html into an output folder (of run, compare, sweep, sensitivity, tune, fit
    /// or validate): one self-contained page to hand on, with the scenario, the headline table,
    /// every plot inline with its reading, the parameters and the command that reproduces it.
    Report {
        /// The output folder, e.g. output/facebook-2021-10-04.
        dir: PathBuf,
        /// Print nothing (else the page's path).
        #[arg(long)]
        quiet: bool,
    },
    /// Overlay several runs' results on one chart and tabulate their differences.
    Compare(compare::CompareArgs),
    /// Fit the behavioural parameters to the reported figures (ABC-SMC); writes posterior.csv,
    /// fitted.toml, fit.json, timelines.json and the fit plots into --out (default output/fit).
    Fit(fit::FitArgs),
    /// Leave one event out at a time: fit on the others, predict it; writes validation.md,
    /// timelines.json and timeline-<event>.png/.svg into --out (default output/validate).
    Validate(validate::ValidateArgs),
    /// Run a scenario at many values of one or more keys (a grid or a Latin hypercube) and write
    /// sweep.csv, summary.json, sweep.png/.svg and, for two keys on a grid,
    /// sweep-heatmap.png/.svg into --out (default output/<scenario name>-sweep/).
    Sweep(sweep::SweepArgs),
    /// Rank the influence of the behavioural parameters (or of any keys) on every headline
    /// figure: Morris elementary effects or Sobol indices; writes sensitivity.csv, summary.json
    /// and sensitivity.png/.svg into --out (default output/<scenario name>-<method>/).
    Sensitivity(sensitivity::SensitivityArgs),
    /// What each setting costs and buys: the headline figures at each step size, number of runs
    /// and (agent engine) number of simulated users, their change against the finest, their
    /// Monte Carlo error and the time taken; writes tune.csv, summary.json and tune.png/.svg
    /// into --out (default output/<scenario name>-tune/).
    Tune(tune::TuneArgs),
    /// Put the parts written by `--shard I/N` together: writes exactly what the command without
    /// --shard writes, into the folder it would have used (or --out).
    Merge(merge::MergeArgs),
    /// Write a Slurm job-array script that runs a command in shards, a merge job that waits for
    /// it (--dependency=afterok), and submit.sh that submits both.
    Slurm(slurm::SlurmArgs),
    /// Print a shell completion script for surge (bash, zsh, fish, elvish or powershell), e.g.
    /// `surge completions bash > ~/.local/share/bash-completion/completions/surge`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print surge's man page (roff), e.g. `surge man > ~/.local/share/man/man1/surge.1`; with a
    /// subcommand, that subcommand's page with every flag (`surge man run > .../surge-run.1`).
    Man {
        /// A subcommand (run, sweep, fit, ...) [default: surge's own page].
        subcommand: Option<String>,
    },
    /// Print the JSON Schema of the scenario format (the one checked in as
    /// docs/scenario.schema.json), for editors that complete and check TOML as one types.
    Schema,
    /// Validate scenario files; exit 0 if all are valid, 2 otherwise.
    Check {
        /// Scenario files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print only the errors.
        #[arg(long)]
        quiet: bool,
    },
}

/// Runs the command.
pub fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run(args) => run::run(&args),
        Command::Nowcast(args) => nowcast::nowcast(&args),
        Command::Check { files, quiet } => check::check(&files, quiet),
        Command::Plot { dir, size, quiet } => plot::plot(&dir, &size, quiet),
        Command::Report { dir, quiet } => {
            let path = surge::workflow::report::report(&dir)?;
            if !quiet {
                println!("report: {}", path.display());
            }
            Ok(())
        }
        Command::Compare(args) => compare::compare(&args),
        Command::Fit(args) => fit::fit(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Tune(args) => tune::tune(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Slurm(args) => slurm::slurm(&args),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { subcommand } => completions::man(subcommand.as_deref()),
        Command::Schema => {
            print!("{}", surge::scenario::scenario_schema());
            Ok(())
        }
    }
}
