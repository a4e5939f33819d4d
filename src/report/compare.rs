//! `surge compare`: each headline figure per scenario with its interval and its difference from
//! the first scenario. With the same seed and number of runs, run i of both scenarios used the
//! same random streams (common random numbers; Law & Kelton, *Simulation Modeling and
//! Analysis*, §11.2), so the difference is taken run by run (paired), which removes the shared
//! noise; the unpaired interval (runs matched with other runs) is given beside it.

use super::format::human;
use super::series::{SavedRun, distinct_labels};
use super::stats::spread;
use serde::Serialize;

/// One figure of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    /// `app.figure`, e.g. `telegram.arrivals_24h`.
    pub figure: String,
    pub scenario: String,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    /// This scenario's median less the first scenario's (None for the first): how far apart the
    /// two medians are.
    pub difference_of_medians: Option<f64>,
    /// Median of the run-by-run differences from the first scenario (paired when possible;
    /// None for the first): the typical difference a run makes. With skewed figures the two
    /// differ (the median of differences is not the difference of medians).
    pub diff_median: Option<f64>,
    /// 90% interval of the difference: paired when possible, else unpaired.
    pub diff_p05: Option<f64>,
    pub diff_p95: Option<f64>,
    /// 90% interval of the difference as if the runs were independent.
    pub unpaired_p05: Option<f64>,
    pub unpaired_p95: Option<f64>,
    /// `paired (common random numbers)`, `unpaired`, or `reference` for the first scenario.
    pub interval: String,
}

/// How many shifted matchings make up the unpaired difference distribution.
const UNPAIRED_SHIFTS: usize = 200;

/// The comparison table for every figure present in all runs (only `app`'s if given).
pub fn compare_table(runs: &[SavedRun], app: Option<&str>) -> Vec<CompareRow> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let figures: Vec<&String> = first
        .run_columns
        .iter()
        .filter(|f| app.is_none_or(|a| f.split('.').next() == Some(a)))
        // Limits are compared in their own table (limits.csv of each run), not here: a run
        // that never reaches a limit records its first time as "never" (10^9 h).
        .filter(|f| !f.contains(".limit_"))
        .filter(|f| runs.iter().all(|r| r.run_columns.contains(f)))
        .collect();
    let mut rows = Vec::new();
    for figure in figures {
        let column = |r: &SavedRun| -> Vec<f64> {
            let i = r.run_columns.iter().position(|c| c == figure).unwrap_or(0);
            r.run_values.iter().map(|row| row[i]).collect()
        };
        let reference = column(first);
        let reference_median = spread(&mut reference.clone()).p50;
        let labels = distinct_labels(runs);
        for (j, run) in runs.iter().enumerate() {
            let values = column(run);
            let s = spread(&mut values.clone());
            let mut row = CompareRow {
                figure: figure.clone(),
                scenario: labels[j].clone(),
                median: s.p50,
                p05: s.p05,
                p95: s.p95,
                difference_of_medians: None,
                diff_median: None,
                diff_p05: None,
                diff_p95: None,
                unpaired_p05: None,
                unpaired_p95: None,
                interval: "reference".into(),
            };
            if j > 0 {
                row.difference_of_medians = Some(s.p50 - reference_median);
                let n = values.len().min(reference.len());
                let mut unpaired: Vec<f64> = (1..=UNPAIRED_SHIFTS.min(n.saturating_sub(1)).max(1))
                    .flat_map(|shift| (0..n).map(move |i| (i, (i + shift) % n)))
                    .map(|(i, k)| values[i] - reference[k])
                    .collect();
                let u = spread(&mut unpaired);
                row.unpaired_p05 = Some(u.p05);
                row.unpaired_p95 = Some(u.p95);
                let paired_ok =
                    run.summary.seed == first.summary.seed && values.len() == reference.len();
                let d = if paired_ok {
                    row.interval = "paired (common random numbers)".into();
                    let mut diffs: Vec<f64> =
                        values.iter().zip(&reference).map(|(b, a)| b - a).collect();
                    spread(&mut diffs)
                } else {
                    row.interval = "unpaired".into();
                    u
                };
                row.diff_median = Some(d.p50);
                row.diff_p05 = Some(d.p05);
                row.diff_p95 = Some(d.p95);
            }
            rows.push(row);
        }
    }
    rows
}

/// The table as CSV.
pub fn compare_csv(rows: &[CompareRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The table for the terminal, in human units.
pub fn compare_text(rows: &[CompareRow]) -> String {
    let mut out = format!(
        "{:<34} {:<28} {:>9} {:>22} {:>12} {:>14} {:>24}  {}\n",
        "figure",
        "scenario",
        "median",
        "90% interval",
        "Δ of medians",
        "median Δ/run",
        "Δ/run 90% interval",
        "interval"
    );
    for r in rows {
        let unit = |v: f64| {
            if r.figure.ends_with("_rate_peak") {
                format!("{}/s", human(v))
            } else if r.figure.ends_with("queue_wait_max") {
                super::format::duration(v)
            } else {
                human(v)
            }
        };
        let opt = |v: Option<f64>| v.map_or("-".to_string(), unit);
        out.push_str(&format!(
            "{:<34} {:<28} {:>9} {:>22} {:>12} {:>14} {:>24}  {}\n",
            r.figure,
            r.scenario,
            unit(r.median),
            format!("[{}, {}]", unit(r.p05), unit(r.p95)),
            opt(r.difference_of_medians),
            opt(r.diff_median),
            match (r.diff_p05, r.diff_p95) {
                (Some(a), Some(b)) => format!("[{}, {}]", unit(a), unit(b)),
                _ => "-".into(),
            },
            r.interval
        ));
    }
    out
}
