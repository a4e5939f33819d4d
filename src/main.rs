//! The `surge` binary: parse arguments, run the command, print errors once and exit 2 on failure.

mod cli;
mod commands;
mod fitting;
mod sensitivity;
mod sharding;
mod slurm;
mod sweeping;
mod tuning;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
