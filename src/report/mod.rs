//! Results: statistics across runs, the summary, the time series and per-run tables, the
//! results of sweeps, sensitivity analyses and tuning, the parts of sharded work, and every plot
//! but the fit's, all written atomically into staged output folders.
//!
//! May import: engine, model, scenario, summary (never explore or calibrate, which sit above).

pub mod atomic;
pub mod compare;
pub mod folder;
pub mod format;
pub mod limits;
pub mod owned;
pub mod page;
pub mod parts;
pub mod plot;
pub mod readings;
pub mod sensitivity;
pub mod series;
pub mod shard;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod tables;
pub mod tune;

pub use summary::{HeadlineRow, ScenarioInfo, Summary};

use crate::engine::MonteCarlo;
use crate::scenario::Timeline;
use std::path::Path;

/// Errors while producing output files.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Write(#[from] atomic::WriteError),
    #[error("cannot format a table: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot format summary.json: {0}")]
    Json(#[from] serde_json::Error),
}

/// Writes `timeseries.csv`, `spaghetti.csv` (the first `single_runs` runs' own curves),
/// moves `runs.csv` (written as the runs finished) into place and, last, writes `summary.json`
/// into `dir`, each atomically.
pub fn write_run(
    dir: &Path,
    summary: &Summary,
    mc: &MonteCarlo,
    runs: tables::RunsFile,
    timeline: &Timeline,
    single_runs: usize,
) -> Result<(), ReportError> {
    let path = dir.join("timeseries.csv");
    let file = std::io::BufWriter::new(atomic::temporary_for(&path)?);
    let file = tables::write_timeseries_csv(mc, timeline, file)?;
    let file = file
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    atomic::persist(file, &path)?;
    atomic::write_atomic(
        &dir.join("spaghetti.csv"),
        &tables::spaghetti_csv(mc, timeline, single_runs)?,
    )?;
    runs.finish()?;
    atomic::write_atomic(
        &dir.join("limits.csv"),
        &limits::limits_csv(&summary.limits)?,
    )?;
    crate::report::atomic::write_json_pretty(&dir.join("summary.json"), summary)?;
    Ok(())
}

/// An upper estimate of the bytes `write_run` and the plots put on disk for `runs` runs of
/// `scenario` keeping `single_runs` single runs: runs.csv at 16 bytes per figure per run,
/// timeseries.csv at 160 bytes per row, spaghetti.csv at 48 bytes per value, 4 MB of plots.
pub fn output_bytes_estimate(
    scenario: &crate::scenario::Scenario,
    runs: u64,
    single_runs: usize,
) -> u64 {
    let figures = crate::engine::HeadlineSpec::for_scenario(scenario).len() as u64;
    let points = scenario.timeline.output_points() as u64;
    let apps = scenario.apps.len() as u64;
    let rows = points * apps * (scenario.regions.len() as u64 + 1) * 8;
    let spaghetti = single_runs as u64 * apps * 4 * points;
    runs.saturating_mul(16 * figures + 12) + rows * 160 + spaghetti * 48 + (4 << 20)
}

/// The headline figures as a printable table with 90% intervals.
pub fn headline_table(summary: &Summary) -> String {
    let mut out = format!(
        "{} — {} runs, seed {} ({})\n{:<10} {:<26} {:>10} {:>24} {:>10}\n",
        summary.scenario.name,
        summary.runs,
        summary.seed,
        summary.band,
        "app",
        "figure",
        "median",
        "90% interval",
        "mcse"
    );
    for h in &summary.headline {
        let show = |v: f64| match h.metric.as_str() {
            "queue_wait" => format::duration(v),
            "registration_rate" | "attempt_rate" => format!("{}/s", format::human(v)),
            _ => format::human(v),
        };
        out.push_str(&format!(
            "{:<10} {:<26} {:>10} {:>24} {:>10}\n",
            h.app,
            h.label(),
            show(h.p50),
            format!("[{}, {}]", show(h.p05), show(h.p95)),
            show(h.mcse)
        ));
    }
    out
}
