//! Sensitivity results: the indices of every factor for every headline figure
//! (`sensitivity.csv`) and what was run (`summary.json`).

use super::ScenarioInfo;
use crate::scenario::Vary;
use serde::{Deserialize, Serialize};

/// The model output at one design point: the mean of every headline figure over its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPoint {
    pub point: u64,
    pub means: Vec<f64>,
}

/// What a sensitivity analysis ran (its `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivitySummary {
    pub surge_version: String,
    pub scenario: ScenarioInfo,
    /// `morris` or `sobol`.
    pub method: String,
    /// How the method was applied, with its references.
    pub method_note: String,
    /// The factors and their ranges (sampled evenly, in the logarithm for log ranges).
    pub factors: Vec<Vary>,
    /// Morris trajectories, or Sobol base rows N.
    pub samples: usize,
    /// Morris grid levels (unused by Sobol).
    pub levels: usize,
    pub points: u64,
    pub runs_per_point: u64,
    pub seed: u64,
    pub bootstrap: usize,
    /// Every headline figure (`app.figure`): the outputs analysed.
    pub figures: Vec<String>,
    /// The figures drawn in sensitivity.png.
    pub charted: Vec<String>,
    pub engine: String,
}

/// One factor's indices for one figure: Morris (mu*, its 95% interval, mu, sigma) or Sobol
/// (first-order and total with 95% intervals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    pub figure: String,
    pub factor: String,
    /// Column name -> value, in the method's column order.
    pub values: Vec<(String, f64)>,
}

/// `sensitivity.csv`: a row per (figure, factor).
pub fn sensitivity_csv(rows: &[IndexRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(first) = rows.first() {
        let mut header = vec!["figure".to_string(), "factor".to_string()];
        header.extend(first.values.iter().map(|(k, _)| k.clone()));
        w.write_record(&header)?;
    }
    for r in rows {
        let mut row = vec![r.figure.clone(), r.factor.clone()];
        row.extend(r.values.iter().map(|(_, v)| format!("{v:.6}")));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The charted figures' indices as a printed table.
pub fn sensitivity_text(summary: &SensitivitySummary, rows: &[IndexRow]) -> String {
    let mut text = format!(
        "{} — {} ({} points x {} runs, seed {})\n",
        summary.scenario.name, summary.method, summary.points, summary.runs_per_point, summary.seed
    );
    for figure in &summary.charted {
        text.push_str(&format!("{figure}\n"));
        for r in rows.iter().filter(|r| &r.figure == figure) {
            let cells: Vec<String> = r
                .values
                .iter()
                .map(|(k, v)| format!("{k} {}", super::format::plain3(*v)))
                .collect();
            text.push_str(&format!("  {:<34} {}\n", r.factor, cells.join("  ")));
        }
    }
    text
}
