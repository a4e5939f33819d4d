//! `surge sensitivity`: which factor moves each headline figure most, by Morris elementary
//! effects or Sobol indices over the factors' ranges (the priors' by default). Each design
//! point's output is the mean of its runs; points are saved one by one as in a sweep, so the
//! analysis resumes after an interruption and splits into shards.

use crate::cli::{MethodChoice, SensitivityArgs};
use crate::commands::engine_kind;
use crate::sweeping::{
    file_hash, finish_shard, headline_runs, pairs, parts_folder, plan_size, point_setup,
    points_checked, run_part, shard_of, units_of_parts,
};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use surge::engine::ParameterSource;
use surge::explore::{Vary, design_rng, morris, sobol};
use surge::report::ScenarioInfo;
use surge::report::atomic::write_atomic;
use surge::report::folder::Staging;
use surge::report::parts::{Manifest, collect_parts, open_part, part_folder};
use surge::report::plot::{PlotSize, SensitivityChart, render};
use surge::report::sensitivity::{IndexRow, SensitivityPoint, SensitivitySummary, sensitivity_csv};

/// Streams of the design's seed: the points, and the bootstrap.
const DESIGN: u64 = 2;
const BOOTSTRAP: u64 = 3;

/// The design's points in the unit cube, in evaluation order (Morris: trajectory by trajectory).
fn unit_points(summary: &SensitivitySummary) -> Vec<Vec<f64>> {
    let k = summary.factors.len();
    let mut rng = design_rng(summary.seed, DESIGN);
    if summary.method == "sobol" {
        sobol::design(k, summary.samples, &mut rng)
    } else {
        morris::design(k, summary.samples, summary.levels, &mut rng)
            .into_iter()
            .flat_map(|t| t.points)
            .collect()
    }
}

fn natural(factors: &[Vary], unit: &[f64]) -> Vec<f64> {
    factors.iter().zip(unit).map(|(f, &u)| f.at(u)).collect()
}

pub fn sensitivity_command(args: &SensitivityArgs) -> Result<()> {
    let template =
        crate::sweeping::template_for(&args.scenario, args.params.as_deref(), &args.engine)?;
    let base = template.base().clone();
    let seed = args.seed.unwrap_or(base.seed);
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let factors: Vec<Vary> = if args.ranges.is_empty() {
        let priors = surge::calibrate::priors::load_priors(&args.priors, &base.behaviour)?;
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
        args.ranges.clone()
    };
    for (i, f) in factors.iter().enumerate() {
        if f.from >= f.to {
            bail!("--range {f}: expected LOW < HIGH");
        }
        if factors[..i].iter().any(|g| g.key == f.key) {
            bail!("--range {} is given twice", f.key);
        }
    }
    let (method, samples) = match args.method {
        MethodChoice::Morris => ("morris", args.samples.unwrap_or(20)),
        MethodChoice::Sobol => ("sobol", args.samples.unwrap_or(128)),
    };
    if samples < 2 {
        bail!("--samples {samples}: expected at least 2 (trajectories or base rows)");
    }
    if method == "morris" && (args.levels < 2 || !args.levels.is_multiple_of(2)) {
        bail!(
            "--levels {}: expected an even number of at least 2",
            args.levels
        );
    }
    if args.bootstrap == 0 {
        bail!("--bootstrap must be at least 1");
    }
    let size = PlotSize::new(args.size.width, args.size.height)?;
    let mut summary = SensitivitySummary {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&base),
        method: method.into(),
        method_note: if method == "sobol" {
            "Sobol first-order (S1) and total (ST) indices from Saltelli's design (Saltelli et al. 2010) with the Jansen (1999) estimators; N (k + 2) points; factors uniform over their ranges (log ranges uniform in the logarithm); the output at a point is the mean of its runs, every point the same run seeds".into()
        } else {
            "Morris (1991) elementary effects on a p-level grid, per unit of each factor's range (in the logarithm for log ranges); mu* (Campolongo et al. 2007) ranks importance, sigma shows interactions or non-linearity; r (k + 1) points; the output at a point is the mean of its runs, every point the same run seeds".into()
        },
        factors,
        samples,
        levels: args.levels,
        points: 0,
        runs_per_point: args.runs,
        seed,
        bootstrap: args.bootstrap,
        figures: Vec::new(),
        charted: Vec::new(),
        engine: format!("{:?}", engine_kind(&args.engine, base.engine.clone())?),
    };
    let points: Vec<Vec<f64>> = unit_points(&summary)
        .iter()
        .map(|u| natural(&summary.factors, u))
        .collect();
    summary.points = points.len() as u64;
    summary.figures = points_checked(
        &template,
        &args.engine,
        &summary.factors,
        &points,
        "--range",
    )?;
    let app = &base.apps[0].name;
    let wanted: Vec<String> = if args.figures.is_empty() {
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
        args.figures.clone()
    };
    for f in &wanted {
        if !summary.figures.contains(f) {
            bail!(
                "--figure {f}: no such headline figure; expected one of {}",
                summary.figures.join(", ")
            );
        }
    }
    summary.charted = wanted;
    let shard = shard_of(&args.shards)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-{method}", base.name)));
    let parts = parts_folder(&args.shards, &out);
    let plan = serde_json::json!({
        "summary": summary,
        "width": size.width,
        "height": size.height,
        "params_sha256": file_hash(Some(&base.params_file))?,
        "engine_args": format!("{:?}", args.engine),
    });
    let manifest = Manifest::new(
        "sensitivity",
        &base,
        seed,
        shard,
        points.len() as u64,
        plan,
        &out,
    );
    let range = manifest.start..manifest.end;
    let folder = part_folder(&parts, shard);
    open_part(&folder, &manifest, args.force)?;
    // Each point runs with the parameter file's values and the point's factors set.
    let fixed = ParameterSource::Fixed(base.behaviour.clone());
    run_part(
        &folder,
        range.clone(),
        |p: &SensitivityPoint| p.point,
        args.runs,
        args.threads,
        args.quiet,
        |p, progress| {
            let values = pairs(&summary.factors, &points[p as usize]);
            let setup = point_setup(&template, &args.engine, &fixed, &values)?;
            let mc = headline_runs(&setup, args.runs, seed, progress)?;
            Ok(SensitivityPoint {
                point: p,
                means: (0..mc.specs.len())
                    .map(|i| mc.summaries.headline(i).mean)
                    .collect(),
            })
        },
    )?;
    if finish_shard(&folder, &manifest, &parts, args.quiet)? {
        return Ok(());
    }
    let rows = merge_sensitivity(&parts, &out, args.force)?;
    std::fs::remove_dir_all(&parts).with_context(|| format!("removing {}", parts.display()))?;
    if !args.quiet {
        print!("{}", sensitivity_table(&summary, &rows));
        println!("results: {}", out.display());
    }
    Ok(())
}

/// The charted figures' indices as a printed table.
fn sensitivity_table(summary: &SensitivitySummary, rows: &[IndexRow]) -> String {
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
                .map(|(k, v)| format!("{k} {}", surge::report::format::plain3(*v)))
                .collect();
            text.push_str(&format!("  {:<34} {}\n", r.factor, cells.join("  ")));
        }
    }
    text
}

/// The indices of every factor for every figure from the points' outputs.
fn index_rows(summary: &SensitivitySummary, outputs: &[SensitivityPoint]) -> Vec<IndexRow> {
    let k = summary.factors.len();
    let mut rng = design_rng(summary.seed, BOOTSTRAP);
    let mut rows = Vec::new();
    let design = (summary.method == "morris").then(|| {
        morris::design(
            k,
            summary.samples,
            summary.levels,
            &mut design_rng(summary.seed, DESIGN),
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
    rows
}

/// Writes a sensitivity analysis's outputs from its parts into `out`; returns its indices.
pub fn merge_sensitivity(parts: &Path, out: &Path, force: bool) -> Result<Vec<IndexRow>> {
    let found = collect_parts(parts)?;
    let plan = &found[0].1.plan;
    let summary: SensitivitySummary = serde_json::from_value(plan["summary"].clone())
        .context("the parts' plan has no sensitivity summary")?;
    let size = plan_size(plan)?;
    let outputs = units_of_parts(&found, |p: &SensitivityPoint| p.point)?;
    let rows = index_rows(&summary, &outputs);
    let staging = Staging::begin(out, &summary.scenario.name, force)?;
    let dir = staging.path();
    write_atomic(&dir.join("sensitivity.csv"), &sensitivity_csv(&rows)?)?;
    let mut json = serde_json::to_vec_pretty(&summary)?;
    json.push(b'\n');
    write_atomic(&dir.join("summary.json"), &json)?;
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
