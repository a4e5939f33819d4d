//! `compare`: several runs' results on one chart, and a table of their differences
//! (compare.csv, compare.json, compare.png/.svg), written into a staged folder.

use super::{Result, refuse};
use crate::report::atomic::write_atomic;
use crate::report::compare::{CompareRow, compare_csv, compare_table};
use crate::report::folder::{Owner, Staging};
use crate::report::plot::{CompareChart, PlotSize, render};
use crate::report::series::{SavedRun, distinct_labels};
use std::path::PathBuf;

/// What `compare` is asked to do.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Two or more output folders of `run`; the first is the reference.
    pub dirs: Vec<PathBuf>,
    /// The series drawn: arrivals, registrations, reactivations, registration_rate, queue_wait.
    pub metric: &'static str,
    /// The app drawn and tabulated [default: the first app of the first run that all have].
    pub app: Option<String>,
    pub out: PathBuf,
    /// Replace a folder that holds another command's results.
    pub force: bool,
    pub size: PlotSize,
}

/// The table of differences, the app it is about, and where it was written.
#[derive(Debug)]
pub struct CompareResult {
    pub rows: Vec<CompareRow>,
    pub app: String,
    pub out: PathBuf,
}

/// compare.json: what was compared (the metric drawn, the app, each scenario's label and
/// folder), so that the report page can say it without the command line.
fn compare_json(runs: &[SavedRun], metric: &str, app: &str) -> Result<Vec<u8>> {
    let labels = distinct_labels(runs);
    let scenarios: Vec<serde_json::Value> = runs
        .iter()
        .zip(&labels)
        .enumerate()
        .map(|(i, (run, label))| {
            serde_json::json!({
                "label": label,
                "role": if i == 0 { "reference" } else { "compared" },
                "folder": run.dir.display().to_string(),
                "runs": run.summary.runs,
                "seed": run.summary.seed,
            })
        })
        .collect();
    let json = serde_json::json!({
        "command": "compare",
        "metric": metric,
        "app": app,
        "scenarios": scenarios,
    });
    let mut bytes = serde_json::to_vec_pretty(&json)?;
    bytes.push(b'\n');
    Ok(bytes)
}

pub fn compare(request: &CompareRequest) -> Result<CompareResult> {
    let runs = request
        .dirs
        .iter()
        .map(|d| SavedRun::load(d))
        .collect::<Result<Vec<_>, _>>()?;
    let has = |run: &SavedRun, app: &str| run.summary.apps.iter().any(|a| a.name == app);
    let app_list = |run: &SavedRun| {
        let names: Vec<_> = run.summary.apps.iter().map(|a| a.name.as_str()).collect();
        format!("{}: {}", run.dir.display(), names.join(", "))
    };
    let app = match &request.app {
        Some(a) => a.clone(),
        // Without an app: the first app of the first result that every result has.
        None => match runs[0]
            .summary
            .apps
            .iter()
            .find(|a| runs.iter().all(|r| has(r, &a.name)))
        {
            Some(a) => a.name.clone(),
            None => refuse!(
                "these results have no app in common, so there is nothing to compare ({})",
                runs.iter().map(app_list).collect::<Vec<_>>().join("; ")
            ),
        },
    };
    for run in &runs {
        if !has(run, &app) {
            let names: Vec<_> = run.summary.apps.iter().map(|a| a.name.as_str()).collect();
            refuse!(
                "--app {app}: {} has no such app (apps: {})",
                run.dir.display(),
                names.join(", ")
            );
        }
    }
    let rows = compare_table(&runs, Some(&app));
    let staging = Staging::begin_for(&request.out, Owner::Marker("compare.csv"), request.force)?;
    let dir = staging.path();
    write_atomic(&dir.join("compare.csv"), &compare_csv(&rows)?)?;
    write_atomic(
        &dir.join("compare.json"),
        &compare_json(&runs, request.metric, &app)?,
    )?;
    let chart = CompareChart {
        runs: &runs,
        metric: request.metric,
        app: &app,
    };
    render(&chart, dir, request.size)?;
    staging.commit()?;
    Ok(CompareResult {
        rows,
        app,
        out: request.out.clone(),
    })
}
