//! Reading saved results back (`timeseries.csv`, `spaghetti.csv`, `runs.csv`, `summary.json`),
//! so plots and comparisons never need to re-run the simulation.

use super::summary::Summary;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One output point of one series, with its quantiles across runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub hours: f64,
    pub time_utc: String,
    pub mean: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// (app, region, metric) → points in time order.
pub type SeriesKey = (String, String, String);

/// Everything `timeseries.csv` holds.
#[derive(Debug, Clone, Default)]
pub struct SeriesTable {
    pub series: BTreeMap<SeriesKey, Vec<SeriesPoint>>,
}

impl SeriesTable {
    pub fn get(&self, app: &str, region: &str, metric: &str) -> Option<&[SeriesPoint]> {
        self.series
            .get(&(app.to_string(), region.to_string(), metric.to_string()))
            .map(Vec::as_slice)
    }
}

/// A few individual runs (region `all`): (app, metric) → one line per run of (hours, value).
pub type Spaghetti = BTreeMap<(String, String), Vec<Vec<(f64, f64)>>>;

/// Errors while reading saved results.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path} (is this a `surge run` output folder?)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    crate::scenario::bounded::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn bad(path: &Path, message: impl std::fmt::Display) -> LoadError {
    LoadError::Format {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

fn records(path: &Path) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), LoadError> {
    let bytes = read(path)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().map_err(|e| bad(path, e))?.clone();
    let rows = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(path, e))?;
    Ok((header, rows))
}

fn column(path: &Path, header: &csv::StringRecord, name: &str) -> Result<usize, LoadError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| bad(path, format!("missing column `{name}`")))
}

/// The line of a row in its file (1 = the header).
fn line_of(row: &csv::StringRecord) -> u64 {
    row.position().map_or(0, |p| p.line())
}

/// Column `i` of `row` as a finite number; the error names the line and the column.
fn number(path: &Path, row: &csv::StringRecord, i: usize) -> Result<f64, LoadError> {
    let text = row.get(i).unwrap_or_default();
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            bad(
                path,
                format!(
                    "line {}, column {}: expected a finite number, found {text:?}",
                    line_of(row),
                    i + 1
                ),
            )
        })
}

/// Largest count or rate a result file may hold (the scenario limits allow 64 regions of 1e11
/// users): anything above was not written by surge.
const MOST: f64 = 1e15;

/// Reads `timeseries.csv`.
pub fn load_series(path: &Path) -> Result<SeriesTable, LoadError> {
    // Streamed row by row, not collected first: at 200 regions x 6 apps the file holds two
    // million rows, and holding them all as records took more memory than the simulation.
    let bytes = read(path)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().map_err(|e| bad(path, e))?.clone();
    let names = [
        "time_utc", "hours", "app", "region", "metric", "mean", "p05", "p25", "p50", "p75", "p95",
    ];
    let idx: Vec<usize> = names
        .iter()
        .map(|n| column(path, &header, n))
        .collect::<Result<_, _>>()?;
    let mut table = SeriesTable::default();
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).map_err(|e| bad(path, e))? {
        let row = &row;
        let text = |i: usize| row.get(idx[i]).unwrap_or_default().to_string();
        // Every metric is a count, a rate or a wait: never negative, never astronomically large.
        let num = |i: usize| {
            let v = number(path, row, idx[i])?;
            if i >= 5 && !(0.0..=MOST).contains(&v) {
                return Err(bad(
                    path,
                    format!(
                        "line {}, column `{}`: expected a count, rate or wait in [0, 1e15], found {v}",
                        line_of(row),
                        names[i]
                    ),
                ));
            }
            Ok(v)
        };
        let point = SeriesPoint {
            time_utc: text(0),
            hours: num(1)?,
            mean: num(5)?,
            p05: num(6)?,
            p25: num(7)?,
            p50: num(8)?,
            p75: num(9)?,
            p95: num(10)?,
        };
        table
            .series
            .entry((text(2), text(3), text(4)))
            .or_default()
            .push(point);
    }
    if table.series.is_empty() {
        return Err(bad(
            path,
            "has no rows (a header only); it is not the output of a finished surge run",
        ));
    }
    Ok(table)
}

/// Reads `spaghetti.csv` (absent in older outputs: then no individual runs are drawn).
pub fn load_spaghetti(path: &Path) -> Result<Spaghetti, LoadError> {
    if !path.exists() {
        return Ok(Spaghetti::new());
    }
    let (header, rows) = records(path)?;
    let [run, hours, app, metric, value] =
        ["run", "hours", "app", "metric", "value"].map(|n| column(path, &header, n));
    let (run, hours, app, metric, value) = (run?, hours?, app?, metric?, value?);
    let mut out = Spaghetti::new();
    for row in &rows {
        let key = (
            row.get(app).unwrap_or_default().to_string(),
            row.get(metric).unwrap_or_default().to_string(),
        );
        let r = number(path, row, run)?;
        // Single runs are numbered from 0 and there is at least one row per run.
        if r.fract() != 0.0 || !(0.0..rows.len() as f64).contains(&r) {
            return Err(bad(
                path,
                format!(
                    "line {}, column `run`: expected a run number from 0 to {}, found {r}",
                    line_of(row),
                    rows.len().saturating_sub(1)
                ),
            ));
        }
        let r = r as usize;
        let lines = out.entry(key).or_default();
        if lines.len() <= r {
            lines.resize(r + 1, Vec::new());
        }
        lines[r].push((number(path, row, hours)?, number(path, row, value)?));
    }
    Ok(out)
}

/// Reads `runs.csv`: column names and one row of values per run.
pub fn load_runs(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>), LoadError> {
    let (header, rows) = records(path)?;
    let names: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
    let values = rows
        .iter()
        .map(|row| (1..=names.len()).map(|i| number(path, row, i)).collect())
        .collect::<Result<_, _>>()?;
    Ok((names, values))
}

/// Reads `summary.json`.
pub fn load_summary(path: &Path) -> Result<Summary, LoadError> {
    let summary: Summary = serde_json::from_slice(&read(path)?).map_err(|e| bad(path, e))?;
    summary.check().map_err(|e| bad(path, e))?;
    Ok(summary)
}

/// All saved results of one `surge run` output folder.
#[derive(Debug, Clone)]
pub struct SavedRun {
    pub dir: PathBuf,
    pub summary: Summary,
    pub series: SeriesTable,
    pub spaghetti: Spaghetti,
    /// `runs.csv`: figure names and one row of values per run.
    pub run_columns: Vec<String>,
    pub run_values: Vec<Vec<f64>>,
    /// A nowcast's observed rows (`nowcast.json`), drawn over the bands; empty for a run.
    pub observed: Vec<crate::report::plot::observed::ObservedMark>,
}

impl SavedRun {
    /// Everything, including every run's row (for comparisons).
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let (run_columns, run_values) = load_runs(&dir.join("runs.csv"))?;
        Ok(SavedRun {
            run_columns,
            run_values,
            ..Self::load_for_plots(dir)?
        })
    }

    /// Everything but `runs.csv`, whose rows grow with the number of runs and no plot of a
    /// single result draws.
    pub fn load_for_plots(dir: &Path) -> Result<Self, LoadError> {
        let summary = load_summary(&dir.join("summary.json"))?;
        Ok(SavedRun {
            run_columns: Vec::new(),
            run_values: Vec::new(),
            dir: dir.to_path_buf(),
            observed: crate::report::plot::observed::load_marks(dir, &summary.event.start),
            summary,
            series: load_series(&dir.join("timeseries.csv"))?,
            spaghetti: load_spaghetti(&dir.join("spaghetti.csv"))?,
        })
    }
}

/// A name for each saved result that tells them apart: the scenario's name, with the folder's
/// name after it when two results are of the same scenario (and the whole path when even the
/// folder names agree).
pub fn distinct_labels(runs: &[SavedRun]) -> Vec<String> {
    let name = |r: &SavedRun| r.summary.scenario.name.clone();
    let folder = |r: &SavedRun| {
        r.dir.file_name().map_or_else(
            || r.dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let count = |f: &dyn Fn(&SavedRun) -> String, r: &SavedRun| {
        runs.iter().filter(|o| f(o) == f(r)).count()
    };
    runs.iter()
        .map(|r| {
            if count(&name, r) == 1 {
                name(r)
            } else if count(&|o: &SavedRun| format!("{} {}", name(o), folder(o)), r) == 1 {
                format!("{} [{}]", name(r), folder(r))
            } else {
                format!("{} [{}]", name(r), r.dir.display())
            }
        })
        .collect()
}
