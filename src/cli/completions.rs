//! `surge completions SHELL` and `surge man`: a completion script and a man page, generated
//! from the clap definitions (clap_complete, clap_mangen), so they cannot drift from the flags.

use super::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "surge", &mut out);
    out.flush().context("writing the completion script")
}

/// surge's man page, or with `subcommand` that subcommand's (`surge-run(1)`, every flag with
/// its help), as surge.1 refers to them.
pub fn man(subcommand: Option<&str>) -> Result<()> {
    let mut page = Vec::new();
    let command = Cli::command();
    let command = match subcommand {
        None => command,
        Some(name) => {
            let names: Vec<String> = command
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = command.find_subcommand(name) else {
                anyhow::bail!(
                    "surge has no subcommand `{name}`; expected one of {}",
                    names.join(", ")
                );
            };
            // clap names are 'static without its "string" feature; one short name per process.
            sub.clone()
                .name(&*String::leak(format!("surge-{name}")))
                .bin_name(format!("surge {name}"))
        }
    };
    clap_mangen::Man::new(command)
        .render(&mut page)
        .context("rendering the man page")?;
    std::io::stdout()
        .lock()
        .write_all(&page)
        .context("writing the man page")
}
