//! `report`: the self-contained report.html of any output folder (docs in report::page).

use super::Result;
use std::path::{Path, PathBuf};

/// Writes `<dir>/report.html` from the folder's saved results; returns its path.
pub fn report(dir: &Path) -> Result<PathBuf> {
    Ok(crate::report::page::write(dir)?)
}
