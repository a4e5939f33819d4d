//! `timeseries.csv` (tidy: one row per output point, app, region and metric), `runs.csv` (one
//! row per run with its headline figures, written as runs finish) and `spaghetti.csv`.

use super::atomic::{self, WriteError};
use crate::engine::{HeadlineSpec, Metric, MonteCarlo, RunSink};
use crate::report::atomic::Temporary;
use crate::scenario::Timeline;
use rayon::prelude::*;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Formats a value with enough digits for counts in the billions and rates below one.
pub(crate) fn number(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// The tidy time series with the mean and quantiles across runs, read from the streaming
/// summaries (cells in parallel, rows in a fixed order).
/// Written into `out` (the file being written: at 200 regions x 6 apps the table is 140 MB,
/// which need not be held in memory beside the summaries), which it returns.
pub fn write_timeseries_csv<W: std::io::Write>(
    mc: &MonteCarlo,
    timeline: &Timeline,
    out: W,
) -> Result<W, csv::Error> {
    let n = mc.layout.len();
    let points = timeline.output_points();
    let mut cells: Vec<_> = (0..points * n)
        .into_par_iter()
        .map(|i| mc.summaries.series(i))
        .collect();
    monotone_quantiles(&mut cells, mc, points);
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "time_utc", "hours", "app", "region", "metric", "mean", "p05", "p25", "p50", "p75", "p95",
    ])?;
    let slots = mc.layout.regions.len() + 1;
    for p in 0..points {
        let step = p * timeline.output_every;
        let time = timeline
            .time_at(step)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let hours = format!("{:.4}", timeline.hours_since_event(step));
        for (k, app) in mc.layout.apps.iter().enumerate() {
            for slot in 0..slots {
                for metric in Metric::ALL {
                    if metric == Metric::Baseline && slot != 0 {
                        continue;
                    }
                    let s = &cells[p * n + mc.layout.index(k, slot, metric)];
                    let mut row = vec![
                        time.clone(),
                        hours.clone(),
                        app.clone(),
                        mc.layout.slot_name(slot).to_string(),
                    ];
                    row.push(metric.name().to_string());
                    row.extend([s.mean, s.p05, s.p25, s.p50, s.p75, s.p95].map(number));
                    w.write_record(&row)?;
                }
            }
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Makes the sketched quantiles of every cumulative series non-decreasing over time, by a
/// running maximum (docs/MODEL.md §8). Each run's cumulative count only grows, so every exact
/// quantile across runs does too, and a sketch's estimate q̂(t) within a relative ε of q(t)
/// stays within ε after it: max(q̂(t), q̂(t+1)) is at most (1 + ε) q(t) ≤ (1 + ε) q(t+1) and at
/// least q̂(t+1) ≥ (1 - ε) q(t+1). Without it, a median a reader sees could dip (the sketch
/// rounds each time point on its own). Means are exact sums and need nothing.
fn monotone_quantiles(cells: &mut [crate::summary::Spread], mc: &MonteCarlo, points: usize) {
    let n = mc.layout.len();
    let slots = mc.layout.regions.len() + 1;
    for k in 0..mc.layout.apps.len() {
        for slot in 0..slots {
            for metric in Metric::ALL {
                if !metric.is_cumulative() || (metric == Metric::Baseline && slot != 0) {
                    continue;
                }
                let i = mc.layout.index(k, slot, metric);
                for p in 1..points {
                    let before = cells[(p - 1) * n + i];
                    let now = &mut cells[p * n + i];
                    now.p05 = now.p05.max(before.p05);
                    now.p25 = now.p25.max(before.p25);
                    now.p50 = now.p50.max(before.p50);
                    now.p75 = now.p75.max(before.p75);
                    now.p95 = now.p95.max(before.p95);
                }
            }
        }
    }
}

/// `runs.csv`, one row per run (its index and every headline figure), written into a temporary
/// file beside its destination as runs finish and renamed into place by [`RunsFile::finish`];
/// dropped unfinished, it leaves nothing behind.
pub struct RunsFile {
    writer: csv::Writer<BufWriter<Temporary>>,
    path: PathBuf,
}

impl RunsFile {
    pub fn create(dir: &Path, specs: &[HeadlineSpec]) -> Result<Self, WriteError> {
        let path = dir.join("runs.csv");
        let tmp = atomic::temporary_for(&path)?;
        let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, tmp));
        let mut header = vec!["run".to_string()];
        header.extend(specs.iter().map(HeadlineSpec::column));
        writer.write_record(&header).map_err(|e| WriteError::File {
            path: path.clone(),
            source: e.into(),
        })?;
        Ok(RunsFile { writer, path })
    }

    /// Appends rows already formatted as this file formats them (another `runs.csv`'s rows,
    /// without its header): how the parts of a sharded run are put back together.
    pub fn append_rows(&mut self, rows: &[u8]) -> Result<(), WriteError> {
        let err = |source| WriteError::File {
            path: self.path.clone(),
            source,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(rows);
        for record in reader.byte_records() {
            let record = record.map_err(|e| err(e.into()))?;
            self.writer
                .write_byte_record(&record)
                .map_err(|e| err(e.into()))?;
        }
        Ok(())
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(self) -> Result<(), WriteError> {
        let err = |source| WriteError::File {
            path: self.path.clone(),
            source,
        };
        let mut buffered = self.writer.into_inner().map_err(|e| err(e.into_error()))?;
        buffered.flush().map_err(err)?;
        let tmp = buffered.into_inner().map_err(|e| err(e.into_error()))?;
        atomic::persist(tmp, &self.path)
    }
}

impl RunSink for RunsFile {
    fn run_finished(&mut self, run: u64, headline: &[f64]) -> std::io::Result<()> {
        self.writer.write_field(run.to_string())?;
        for &v in headline {
            self.writer.write_field(number(v))?;
        }
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }
}

/// The first `count` runs' own curves (region `all`) for the metrics drawn as faint lines.
pub fn spaghetti_csv(
    mc: &MonteCarlo,
    timeline: &Timeline,
    count: usize,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["run", "hours", "app", "metric", "value"])?;
    let n = mc.layout.len();
    let metrics = [
        Metric::Registrations,
        Metric::Reactivations,
        Metric::Arrivals,
        Metric::RegistrationRate,
    ];
    for (r, series) in mc.single_runs.iter().take(count).enumerate() {
        for (k, app) in mc.layout.apps.iter().enumerate() {
            for metric in metrics {
                for p in 0..timeline.output_points() {
                    let hours = timeline.hours_since_event(p * timeline.output_every);
                    let v = series[p * n + mc.layout.index(k, 0, metric)];
                    w.write_record([
                        r.to_string(),
                        format!("{hours:.4}"),
                        app.clone(),
                        metric.name().into(),
                        number(v),
                    ])?;
                }
            }
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
