//! `timeseries.csv` (tidy: one row per output point, app, region and metric) and `runs.csv`
//! (one row per run with its headline figures).

use super::stats::spread;
use crate::engine::{Metric, MonteCarlo};
use crate::scenario::Timeline;
use rayon::prelude::*;

/// Formats a value with enough digits for counts in the billions and rates below one.
fn number(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// The tidy time series with quantiles across runs. Quantiles are computed per cell in
/// parallel, then written in a fixed order.
pub fn timeseries_csv(mc: &MonteCarlo, timeline: &Timeline) -> Result<Vec<u8>, csv::Error> {
    let n = mc.layout.len();
    let points = timeline.output_points();
    // Per output point, copy each run's row once (sequential reads), then summarise each cell
    // from a contiguous slice of its values across runs.
    let runs = mc.runs.len();
    let cells: Vec<_> = (0..points)
        .into_par_iter()
        .flat_map_iter(|p| {
            let mut by_cell = vec![0.0f64; n * runs];
            for (r, run) in mc.runs.iter().enumerate() {
                for (c, &v) in run.series[p * n..(p + 1) * n].iter().enumerate() {
                    by_cell[c * runs + r] = f64::from(v);
                }
            }
            let spreads: Vec<_> = by_cell.chunks_mut(runs).map(spread).collect();
            spreads
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
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

/// One row per run: its index and every headline figure.
pub fn runs_csv(mc: &MonteCarlo, labels: &[String]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["run".to_string()];
    header.extend(labels.iter().cloned());
    w.write_record(&header)?;
    for (i, run) in mc.runs.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(run.headline.iter().map(|&v| number(v)));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
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
    for (r, run) in mc.runs.iter().take(count).enumerate() {
        for (k, app) in mc.layout.apps.iter().enumerate() {
            for metric in metrics {
                for p in 0..timeline.output_points() {
                    let hours = timeline.hours_since_event(p * timeline.output_every);
                    let v = f64::from(run.series[p * n + mc.layout.index(k, 0, metric)]);
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
