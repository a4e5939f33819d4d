//! A sweep's results: one finished point (its varied values and every headline figure across
//! its runs), `sweep.csv` (a row per point), and the sweep's `summary.json`.

use super::ScenarioInfo;
use super::tables::number;
use crate::scenario::Vary;
use crate::summary::Spread;
use serde::{Deserialize, Serialize};

/// One finished point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// The point's index in the design.
    pub point: u64,
    /// The value of each varied key, in the order of `--vary`.
    pub values: Vec<f64>,
    /// Every headline figure across the point's runs, in the order of `SweepSummary::figures`.
    pub figures: Vec<Spread>,
}

/// What a sweep ran (written as its `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    pub surge_version: String,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    /// Monte Carlo runs at each point; run i of every point draws from the streams of
    /// (seed, i), so neighbouring points differ by their values, not by their luck (common
    /// random numbers).
    pub runs_per_point: u64,
    /// `grid` or `lhs`.
    pub design: String,
    pub vary: Vec<Vary>,
    pub points: u64,
    /// The headline figures, as `app.figure` (the columns of runs.csv).
    pub figures: Vec<String>,
    /// `fixed` or `posterior`, and the file.
    pub parameters: String,
    pub engine: String,
    pub quantiles: String,
}

/// `sweep.csv`: a row per point in design order, with the varied values and, per headline
/// figure, its mean, Monte Carlo standard error, median and 90% interval.
pub fn sweep_csv(summary: &SweepSummary, points: &[PointResult]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(summary.vary.iter().map(|v| v.key.clone()));
    for f in &summary.figures {
        for stat in ["mean", "mcse", "p05", "p50", "p95"] {
            header.push(format!("{f}.{stat}"));
        }
    }
    w.write_record(&header)?;
    for p in points {
        let mut row = vec![p.point.to_string()];
        // Varied values in full (shortest exact form): they name the point.
        row.extend(p.values.iter().map(|v| format!("{v}")));
        for s in &p.figures {
            row.extend([s.mean, s.mcse, s.p05, s.p50, s.p95].map(number));
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The plotted figure of each point, printed after a sweep.
pub fn sweep_text(summary: &SweepSummary, points: &[PointResult], figure: usize) -> String {
    let fig = &summary.figures[figure];
    let mut text = format!(
        "{} — {} points x {} runs, seed {}: {fig}\n",
        summary.scenario.name, summary.points, summary.runs_per_point, summary.seed
    );
    let keys: Vec<&str> = summary.vary.iter().map(|v| v.key.as_str()).collect();
    text.push_str(&format!(
        "{:>6}  {:<50} {:>10} {:>24}\n",
        "point",
        keys.join(", "),
        "mean",
        "90% interval"
    ));
    for p in points.iter().take(40) {
        let s = &p.figures[figure];
        let values: Vec<String> = p.values.iter().map(|v| super::format::plain3(*v)).collect();
        text.push_str(&format!(
            "{:>6}  {:<50} {:>10} {:>24}\n",
            p.point,
            values.join(", "),
            super::format::human(s.mean),
            format!(
                "[{}, {}]",
                super::format::human(s.p05),
                super::format::human(s.p95)
            )
        ));
    }
    if points.len() > 40 {
        text.push_str(&format!(
            "… {} more points in sweep.csv\n",
            points.len() - 40
        ));
    }
    text
}
