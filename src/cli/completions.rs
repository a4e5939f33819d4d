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

pub fn man() -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .context("rendering the man page")?;
    std::io::stdout()
        .lock()
        .write_all(&page)
        .context("writing the man page")
}
