//! `report.html`: one self-contained page (no network, no external scripts or fonts) that holds
//! what an output folder holds, for a planner to hand on: the scenario in words and as written,
//! the headline table with intervals, the plots inline with a reading each, the band's kind, the
//! parameters and their source, and the command that reproduces it.

mod describe;
mod folder;
pub mod html;
mod nowcast;
mod run;
mod svg;

pub use folder::Kind;

use super::atomic::WriteError;
use super::series::LoadError;
use std::path::{Path, PathBuf};

/// The page's file name inside the output folder.
pub const FILE: &str = "report.html";

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error(
        "{0} is not a surge output folder (it holds no summary.json with timeseries.csv, compare.csv, sweep.csv, sensitivity.csv, tune.csv, fit.json or validation.md)"
    )]
    NotResults(PathBuf),
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Folder(#[from] super::folder::FolderError),
}

/// The page of the output folder `dir`, as text.
pub fn render(dir: &Path) -> Result<String, PageError> {
    if !dir.is_dir() {
        return Err(PageError::NotResults(dir.to_path_buf()));
    }
    if dir.join("summary.json").is_file() && dir.join("timeseries.csv").is_file() {
        return run::run_page(dir);
    }
    match Kind::of(dir) {
        Some(kind) => folder::folder_page(kind, dir),
        None => Err(PageError::NotResults(dir.to_path_buf())),
    }
}

/// Writes `<dir>/report.html` atomically into the results folder `dir` (recorded in its
/// manifest: surge replaces a report.html only if it wrote it); returns its path.
pub fn write(dir: &Path) -> Result<PathBuf, PageError> {
    let html = render(dir)?;
    super::folder::write_in_place(dir, &[(FILE.to_string(), html.into_bytes())])?;
    Ok(dir.join(FILE))
}
