//! `sweep`: a scenario at every point of a design, each point's runs in parallel with the other
//! points', saved point by point so an interrupted sweep resumes where it stopped; writes
//! sweep.csv, points.json, summary.json and the sweep plots into a staged folder.

use super::engine::EngineOptions;
use super::parameters::ParameterChoice;
use super::parts::{
    ShardChoice, Sharded, file_hash, finish_shard, plan_size, run_part, units_of_parts,
};
use super::points::{
    figure_index, headline_runs, pairs, point_setup, points_checked, template_for,
};
use super::progress::Progress;
use super::settle::{Common, Settled, settle};
use super::{Context, Result, refuse};
use crate::explore::{Design, Vary, design_rng};
use crate::report::ScenarioInfo;
use crate::report::atomic::write_atomic;
use crate::report::folder::Staging;
use crate::report::parts::{Manifest, ShardedCommand, collect_parts, open_part, part_folder};
use crate::report::plot::{PlotSize, SweepChart, SweepHeatmap, render};
use crate::report::sweep::{PointResult, SweepSummary, sweep_csv};
use std::path::{Path, PathBuf};

/// How the keys' values are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignChoice {
    /// Every combination of the keys' values.
    Grid,
    /// A Latin hypercube of `samples` points over the keys' ranges.
    Lhs,
}

/// What `sweep` is asked to do; `None` takes the scenario's value.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    pub scenario: PathBuf,
    pub vary: Vec<Vary>,
    pub design: DesignChoice,
    pub samples: Option<usize>,
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    /// The headline figure plotted [default: the first app's arrivals within 24 h].
    pub figure: Option<String>,
    pub threads: usize,
    pub parameters: ParameterChoice,
    /// Output folder [default: output/<scenario name>-sweep/].
    pub out: Option<PathBuf>,
    pub force: bool,
    pub shards: ShardChoice,
    pub engine: EngineOptions,
    pub size: PlotSize,
}

/// A whole sweep's results.
#[derive(Debug)]
pub struct SweepResult {
    pub summary: SweepSummary,
    pub points: Vec<PointResult>,
    /// The plotted figure's index in `summary.figures`.
    pub figure: usize,
    pub out: PathBuf,
}

pub fn sweep(request: &SweepRequest, progress: &dyn Progress) -> Result<Sharded<SweepResult>> {
    let template = template_for(
        &request.scenario,
        request.parameters.params.as_deref(),
        &request.engine,
    )?;
    let base = template.base().clone();
    let common = Common {
        runs: request.runs,
        seed: request.seed,
        out: request.out.as_deref(),
        threads: request.threads,
    };
    let Settled {
        runs,
        seed,
        out,
        pool,
    } = settle(&base, common, "-sweep")?;
    if runs == 0 {
        refuse!("--runs must be at least 1");
    }
    let design = match (request.design, request.samples) {
        (DesignChoice::Grid, None) => Design::Grid,
        (DesignChoice::Grid, Some(_)) => {
            refuse!("--samples applies to --design lhs; a grid has STEPS values per key")
        }
        (DesignChoice::Lhs, Some(samples)) => Design::Lhs { samples },
        (DesignChoice::Lhs, None) => {
            refuse!("--design lhs needs --samples N (the number of points)")
        }
    };
    let points = design.points(
        &request.vary,
        &mut design_rng(seed, crate::engine::streams::outside::SWEEP_POINTS),
    )?;
    let figures = points_checked(&template, &request.engine, &request.vary, &points, "--vary")?;
    let first_app = base.apps[0].name.clone();
    let figure = figure_index(
        &figures,
        request.figure.as_deref(),
        &format!("{first_app}.arrivals_24h"),
    )?;
    let size = request.size;
    let (parameters, info) = request.parameters.source(&base)?;
    let engine = request.engine.settle(base.engine.clone())?;
    let engine_per_run = matches!(parameters, crate::engine::ParameterSource::Samples { .. });
    // Each worker simulates one point's runs at a time: the memory `run` would need, headline
    // figures only.
    super::resources::check_memory(
        &base,
        &engine,
        0,
        pool.current_num_threads(),
        engine_per_run,
    )?;
    let shard = request.shards.shard()?;
    let parts = request.shards.parts_folder(&out);
    // Refused before any work if surge may not write its output there (report::folder).
    crate::report::folder::check_replaceable(
        &out,
        crate::report::folder::Owner::Scenario(&base.name),
        request.force,
    )?;
    let summary = SweepSummary {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&base),
        seed,
        runs_per_point: runs,
        design: match design {
            Design::Grid => "grid".into(),
            Design::Lhs { .. } => "lhs".into(),
        },
        vary: request.vary.clone(),
        points: points.len() as u64,
        figures,
        parameters: format!("{} ({})", info.kind, info.file),
        engine: format!("{engine:?}"),
        quantiles: crate::summary::quantile_method(),
    };
    let plan = serde_json::json!({
        "summary": summary,
        "figure": figure,
        "width": size.width,
        "height": size.height,
        "params_sha256": file_hash(Some(&base.params_file))?,
        "posterior_sha256": file_hash(if info.kind == "posterior" { Some(Path::new(&info.file)) } else { None })?,
        "posterior_file": info.file,
        "engine_args": request.engine,
    });
    let manifest = Manifest::new(
        ShardedCommand::Sweep,
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
    run_part(
        &folder,
        range.clone(),
        |r: &PointResult| r.point,
        runs,
        &pool,
        progress,
        |p, advance| {
            let values = &points[p as usize];
            let setup = point_setup(
                &template,
                &request.engine,
                &parameters,
                &pairs(&request.vary, values),
            )?;
            let mc = headline_runs(&setup, runs, seed, advance)?;
            Ok(PointResult {
                point: p,
                values: values.clone(),
                figures: (0..mc.specs.len())
                    .map(|i| mc.summaries.headline(i))
                    .collect(),
            })
        },
    )?;
    if let Some(note) = finish_shard(&folder, &manifest, &parts)? {
        return Ok(Sharded::Part { note });
    }
    let points = merge(&parts, &out, request.force)?;
    // The parts go only if they hold nothing but this work's parts (`remove_parts`).
    crate::report::parts::remove_parts(&parts)?;
    Ok(Sharded::Whole(SweepResult {
        summary,
        points,
        figure,
        out,
    }))
}

/// Writes a sweep's outputs from its parts (all of them, checked) into `out`; returns its points.
pub fn merge(parts: &Path, out: &Path, force: bool) -> Result<Vec<PointResult>> {
    let found = collect_parts(parts)?;
    let plan = &found[0].1.plan;
    super::shard::check_posterior(plan)?;
    let summary: SweepSummary = serde_json::from_value(plan["summary"].clone())
        .context("the parts' plan has no sweep summary")?;
    let figure = plan["figure"].as_u64().unwrap_or(0) as usize;
    let points = units_of_parts(&found, |p: &PointResult| p.point)?;
    write_sweep(out, &summary, &points, figure, plan_size(plan)?, force)?;
    Ok(points)
}

fn write_sweep(
    out: &Path,
    summary: &SweepSummary,
    points: &[PointResult],
    figure: usize,
    size: PlotSize,
    force: bool,
) -> Result<()> {
    let staging = Staging::begin(out, &summary.scenario.name, force)?;
    let dir = staging.path();
    write_atomic(&dir.join("sweep.csv"), &sweep_csv(summary, points)?)?;
    let mut rows = serde_json::to_vec(points)?;
    rows.push(b'\n');
    write_atomic(&dir.join("points.json"), &rows)?;
    crate::report::atomic::write_json_pretty(&dir.join("summary.json"), &summary)?;
    render(
        &SweepChart {
            summary,
            points,
            figure,
        },
        dir,
        size,
    )?;
    if summary.design == "grid" && summary.vary.len() == 2 {
        render(
            &SweepHeatmap {
                summary,
                points,
                figure,
            },
            dir,
            size,
        )?;
    }
    staging.commit()?;
    Ok(())
}
