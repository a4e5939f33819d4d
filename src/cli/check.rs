//! `surge check`: validates scenario files; exit 0 if all are valid, 2 otherwise.

use anyhow::{Result, bail};
use std::path::PathBuf;

pub fn check(files: &[PathBuf], quiet: bool) -> Result<()> {
    let mut failed = 0;
    for checked in surge::workflow::check::check(files) {
        match checked.verdict {
            Ok(name) if !quiet => println!("ok: {} ({name})", checked.file.display()),
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: {:#}", anyhow::Error::from(e));
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} scenario files are invalid", files.len());
    }
    Ok(())
}
