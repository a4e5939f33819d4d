//! `surge plot`: re-draws every plot of a run's output folder from its saved results.

use super::args::SizeArgs;
use anyhow::Result;
use std::path::Path;

pub fn plot(dir: &Path, size: &SizeArgs, quiet: bool) -> Result<()> {
    let written = surge::workflow::run::plot_in_place(dir, size.size()?)?;
    if !quiet {
        for file in written {
            println!("{}", file.display());
        }
    }
    Ok(())
}
