//! `sensitivity`: which factor moves each headline figure most, by Morris elementary effects or
//! Sobol indices over the factors' ranges (the priors' by default). Each design point's output
//! is the mean of its runs; points are saved one by one as in a sweep, so the analysis resumes
//! after an interruption and splits into shards.

use super::engine::EngineOptions;
use super::parts::{
    ShardChoice, Sharded, file_hash, finish_shard, plan_size, run_part, units_of_parts,
};
use super::points::{
    check_figure, headline_runs, pairs, point_setup, points_checked, template_for,
};
use super::progress::Progress;
use super::settle::{Common, Settled, settle};
use super::{Context, Result, refuse};
use crate::engine::ParameterSource;
use crate::engine::streams::outside;
pub use crate::explore::RUNS_PER_POINT;
use crate::explore::{Vary, design_rng, morris, sobol};
use crate::report::ScenarioInfo;
use crate::report::atomic::write_atomic;
use crate::report::folder::Staging;
use crate::report::parts::{Manifest, ShardedCommand, collect_parts, open_part, part_folder};
use crate::report::plot::{PlotSize, SensitivityChart, render};
use crate::report::sensitivity::{IndexRow, SensitivityPoint, SensitivitySummary, sensitivity_csv};
use std::path::{Path, PathBuf};

/// The method of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Morris elementary effects: mu*, mu and sigma per factor (cheap screening).
    Morris,
    /// Sobol first-order and total indices (Saltelli sampling, Jansen estimators).
    Sobol,
}

impl Method {
    /// Its name in summary.json and the default output folder.
    pub fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
    fn of(name: &str) -> Result<Self> {
        match name {
            "morris" => Ok(Method::Morris),
            "sobol" => Ok(Method::Sobol),
            other => refuse!("the parts' plan names an unknown method {other:?}"),
        }
    }
}

/// What `sensitivity` is asked to do.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    pub scenario: PathBuf,
    pub method: Method,
    /// Morris: trajectories [default 20]; Sobol: base rows [default 128].
    pub samples: Option<usize>,
    /// The factors and their ranges [default: the priors of `priors`].
    pub ranges: Vec<Vary>,
    pub priors: PathBuf,
    /// Runs at each point; the output is their mean.
    pub runs: u64,
    pub seed: Option<u64>,
    /// Morris grid levels (even).
    pub levels: usize,
    /// Bootstrap resamples for the 95% intervals.
    pub bootstrap: usize,
    /// Headline figures to chart [default: the first app's arrivals in 24 h, peak registration
    /// rate, longest queue wait and retained in 72 h].
    pub figures: Vec<String>,
    pub threads: usize,
    pub params: Option<PathBuf>,
    /// Output folder [default: output/<scenario name>-<method>/].
    pub out: Option<PathBuf>,
    pub force: bool,
    pub shards: ShardChoice,
    pub engine: EngineOptions,
    pub size: PlotSize,
}

/// A whole analysis's results.
#[derive(Debug)]
pub struct SensitivityResult {
    pub summary: SensitivitySummary,
    pub rows: Vec<IndexRow>,
    pub out: PathBuf,
}

/// The design's points in the unit cube, in evaluation order (Morris: trajectory by trajectory).
fn unit_points(summary: &SensitivitySummary, method: Method) -> Vec<Vec<f64>> {
    let k = summary.factors.len();
    let mut rng = design_rng(summary.seed, outside::SENSITIVITY_POINTS);
    match method {
        Method::Sobol => sobol::design(k, summary.samples, &mut rng),
        Method::Morris => morris::design(k, summary.samples, summary.levels, &mut rng)
            .into_iter()
            .flat_map(|t| t.points)
            .collect(),
    }
}

fn natural(factors: &[Vary], unit: &[f64]) -> Vec<f64> {
    factors.iter().zip(unit).map(|(f, &u)| f.at(u)).collect()
}

pub fn sensitivity(
    request: &SensitivityRequest,
    progress: &dyn Progress,
) -> Result<Sharded<SensitivityResult>> {
    let template = template_for(
        &request.scenario,
        request.params.as_deref(),
        &request.engine,
    )?;
    let base = template.base().clone();
    let common = Common {
        runs: Some(request.runs),
        seed: request.seed,
        out: request.out.as_deref(),
        threads: request.threads,
    };
    let Settled {
        seed, out, pool, ..
    } = settle(&base, common, &format!("-{}", request.method.name()))?;
    if request.runs == 0 {
        refuse!("--runs must be at least 1");
    }
    let factors: Vec<Vary> = if request.ranges.is_empty() {
        let priors = crate::calibrate::priors::load_priors(&request.priors, &base.behaviour)?;
        priors
            .priors
            .iter()
            .map(|p| Vary {
                key: p.name.clone(),
                from: p.low,
                to: p.high,
                steps: 0,
                log: p.log,
            })
            .collect()
    } else {
        request.ranges.clone()
    };
    for (i, f) in factors.iter().enumerate() {
        if f.from >= f.to {
            refuse!("--range {f}: expected LOW < HIGH");
        }
        if factors[..i].iter().any(|g| g.key == f.key) {
            refuse!("--range {} is given twice", f.key);
        }
    }
    let method = request.method;
    let samples = request.samples.unwrap_or(match method {
        Method::Morris => 20,
        Method::Sobol => 128,
    });
    if samples < 2 {
        refuse!("--samples {samples}: expected at least 2 (trajectories or base rows)");
    }
    if method == Method::Morris && (request.levels < 2 || !request.levels.is_multiple_of(2)) {
        refuse!(
            "--levels {}: expected an even number of at least 2",
            request.levels
        );
    }
    if request.bootstrap == 0 {
        refuse!("--bootstrap must be at least 1");
    }
    // The design's size is known before it is drawn: refused here, not after allocating it.
    let k = factors.len();
    let per_sample = match method {
        Method::Sobol => k + 2,
        Method::Morris => k + 1,
    } as u64;
    super::resources::check_design(
        (samples as u64).saturating_mul(per_sample),
        k,
        request.figures.len().max(8),
        request.bootstrap as u64,
    )?;
    let size = request.size;
    let engine = request.engine.settle(base.engine.clone())?;
    super::resources::check_memory(&base, &engine, 0, pool.current_num_threads(), false)?;
    let mut summary = SensitivitySummary {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&base),
        method: method.name().into(),
        method_note: match method {
            Method::Sobol => "Sobol first-order (S1) and total (ST) indices from Saltelli's design (Saltelli et al. 2010) with the Jansen (1999) estimators; N (k + 2) points; factors uniform over their ranges (log ranges uniform in the logarithm); the output at a point is the mean of its runs, every point the same run seeds".into(),
            Method::Morris => "Morris (1991) elementary effects on a p-level grid, per unit of each factor's range (in the logarithm for log ranges); mu* (Campolongo et al. 2007) ranks importance, sigma shows interactions or non-linearity; r (k + 1) points; the output at a point is the mean of its runs, every point the same run seeds".into(),
        },
        factors,
        samples,
        levels: request.levels,
        points: 0,
        runs_per_point: request.runs,
        seed,
        bootstrap: request.bootstrap,
        figures: Vec::new(),
        charted: Vec::new(),
        engine: format!("{engine:?}"),
    };
    let points: Vec<Vec<f64>> = unit_points(&summary, method)
        .iter()
        .map(|u| natural(&summary.factors, u))
        .collect();
    summary.points = points.len() as u64;
    summary.figures = points_checked(
        &template,
        &request.engine,
        &summary.factors,
        &points,
        "--range",
    )?;
    let app = &base.apps[0].name;
    let wanted: Vec<String> = if request.figures.is_empty() {
        [
            "arrivals_24h",
            "registration_rate_peak",
            "queue_wait_max",
            "retained_72h",
        ]
        .iter()
        .map(|f| format!("{app}.{f}"))
        .filter(|f| summary.figures.contains(f))
        .collect()
    } else {
        request.figures.clone()
    };
    for f in &wanted {
        check_figure(&summary.figures, f)?;
    }
    summary.charted = wanted;
    let shard = request.shards.shard()?;
    let parts = request.shards.parts_folder(&out);
    // Refused before any work if surge may not write its output there (report::folder).
    crate::report::folder::check_replaceable(
        &out,
        crate::report::folder::Owner::Scenario(&base.name),
        request.force,
    )?;
    let plan = serde_json::json!({
        "summary": summary,
        "width": size.width,
        "height": size.height,
        "params_sha256": file_hash(Some(&base.params_file))?,
        "engine_args": request.engine,
    });
    let manifest = Manifest::new(
        ShardedCommand::Sensitivity,
        &base,
        seed,
        shard,
        points.len() as u64,
        plan,
        &out,
    );
    let range = manifest.start..manifest.end;
    let folder = part_folder(&parts, shard);
    open_part(&folder, &manifest, request.force)?;
    // Each point runs with the parameter file's values and the point's factors set.
    let fixed = ParameterSource::Fixed(base.behaviour.clone());
    run_part(
        &folder,
        range.clone(),
        |p: &SensitivityPoint| p.point,
        request.runs,
        &pool,
        progress,
        |p, advance| {
            let values = pairs(&summary.factors, &points[p as usize]);
            let setup = point_setup(&template, &request.engine, &fixed, &values)?;
            let mc = headline_runs(&setup, request.runs, seed, advance)?;
            Ok(SensitivityPoint {
                point: p,
                means: (0..mc.specs.len())
                    .map(|i| mc.summaries.headline(i).mean)
                    .collect(),
            })
        },
    )?;
    if let Some(note) = finish_shard(&folder, &manifest, &parts)? {
        return Ok(Sharded::Part { note });
    }
    let rows = merge(&parts, &out, request.force)?;
    // The parts go only if they hold nothing but this work's parts (`remove_parts`).
    crate::report::parts::remove_parts(&parts)?;
    Ok(Sharded::Whole(SensitivityResult { summary, rows, out }))
}

/// The indices of every factor for every figure from the points' outputs.
fn index_rows(summary: &SensitivitySummary, outputs: &[SensitivityPoint]) -> Result<Vec<IndexRow>> {
    let k = summary.factors.len();
    let method = Method::of(&summary.method)?;
    let mut rng = design_rng(summary.seed, outside::SENSITIVITY_BOOTSTRAP);
    let mut rows = Vec::new();
    let design = (method == Method::Morris).then(|| {
        morris::design(
            k,
            summary.samples,
            summary.levels,
            &mut design_rng(summary.seed, outside::SENSITIVITY_POINTS),
        )
    });
    for (fi, figure) in summary.figures.iter().enumerate() {
        let y: Vec<f64> = outputs.iter().map(|p| p.means[fi]).collect();
        let values: Vec<Vec<(String, f64)>> = match &design {
            Some(traj) => {
                let per: Vec<Vec<f64>> = y.chunks(k + 1).map(<[f64]>::to_vec).collect();
                morris::indices(traj, &per, k, summary.bootstrap, &mut rng)
                    .into_iter()
                    .map(|m| {
                        vec![
                            ("mu_star".into(), m.mu_star),
                            ("mu_star_low".into(), m.mu_star_low),
                            ("mu_star_high".into(), m.mu_star_high),
                            ("mu".into(), m.mu),
                            ("sigma".into(), m.sigma),
                        ]
                    })
                    .collect()
            }
            None => sobol::indices(&y, k, summary.bootstrap, &mut rng)
                .into_iter()
                .map(|s| {
                    vec![
                        ("first".into(), s.first),
                        ("first_low".into(), s.first_low),
                        ("first_high".into(), s.first_high),
                        ("total".into(), s.total),
                        ("total_low".into(), s.total_low),
                        ("total_high".into(), s.total_high),
                    ]
                })
                .collect(),
        };
        for (factor, values) in summary.factors.iter().zip(values) {
            rows.push(IndexRow {
                figure: figure.clone(),
                factor: factor.key.clone(),
                values,
            });
        }
    }
    Ok(rows)
}

/// Writes a sensitivity analysis's outputs from its parts into `out`; returns its indices.
pub fn merge(parts: &Path, out: &Path, force: bool) -> Result<Vec<IndexRow>> {
    let found = collect_parts(parts)?;
    let plan = &found[0].1.plan;
    let summary: SensitivitySummary = serde_json::from_value(plan["summary"].clone())
        .context("the parts' plan has no sensitivity summary")?;
    let size = plan_size(plan)?;
    let outputs = units_of_parts(&found, |p: &SensitivityPoint| p.point)?;
    let rows = index_rows(&summary, &outputs)?;
    let staging = Staging::begin(out, &summary.scenario.name, force)?;
    let dir = staging.path();
    write_atomic(&dir.join("sensitivity.csv"), &sensitivity_csv(&rows)?)?;
    crate::report::atomic::write_json_pretty(&dir.join("summary.json"), &summary)?;
    let mut points = serde_json::to_vec(&outputs)?;
    points.push(b'\n');
    write_atomic(&dir.join("points.json"), &points)?;
    render(
        &SensitivityChart {
            summary: &summary,
            rows: &rows,
        },
        dir,
        size,
    )?;
    staging.commit()?;
    Ok(rows)
}
