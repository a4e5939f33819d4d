//! `surge sweep`: a scenario at every point of a design, each point's runs in parallel with the
//! other points', saved point by point so an interrupted sweep resumes where it stopped.

use crate::cli::{DesignChoice, ShardArgs, SweepArgs};
use crate::commands::{engine_kind, progress_bar_with, worker_pool};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use surge::engine::montecarlo::{Work, run_monte_carlo_part};
use surge::engine::{EngineKind, HeadlineSpec, ParameterSource};
use surge::explore::{Design, Shard, Vary, design_rng};
use surge::report::ScenarioInfo;
use surge::report::folder::Staging;
use surge::report::parts::{
    Journal, Manifest, collect_parts, open_part, part_folder, read_journal, write_manifest,
};
use surge::report::plot::{PlotSize, SweepChart, SweepHeatmap, render};
use surge::report::sweep::{PointResult, SweepSummary, sweep_csv};
use surge::scenario::{Scenario, ScenarioTemplate, is_parameter, set_parameters};

/// The scenario file as a template for points, with `simulation.engine` set as `--engine`
/// asks (so `network.*` keys can be varied on a cohort scenario run with `--engine agents`).
pub fn template_for(
    scenario: &Path,
    params: Option<&Path>,
    engine: &crate::cli::EngineArgs,
) -> Result<ScenarioTemplate> {
    let template = ScenarioTemplate::load(scenario, params)?;
    Ok(match engine.engine {
        None => template,
        Some(crate::cli::EngineChoice::Agents) => template.with_engine("agents")?,
        Some(crate::cli::EngineChoice::Cohort) => template.with_engine("cohort")?,
    })
}

/// The shard this invocation does: `--shard`, else the scheduler's environment, else all.
pub fn shard_of(args: &ShardArgs) -> Result<Shard> {
    Ok(match args.shard {
        Some(s) => s,
        None => Shard::from_env(|k| std::env::var(k).ok())?.unwrap_or(Shard::WHOLE),
    })
}

/// The parts folder: `--parts`, else `<out>.parts`.
pub fn parts_folder(args: &ShardArgs, out: &Path) -> PathBuf {
    args.parts
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.parts", out.display())))
}

/// The SHA-256 of a file's bytes, or "none" if there is no file.
pub fn file_hash(path: Option<&Path>) -> Result<String> {
    let Some(path) = path else {
        return Ok("none".into());
    };
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(surge::report::parts::sha256_hex(&bytes))
}

/// A design point as (key, value) pairs.
pub fn pairs(vary: &[Vary], values: &[f64]) -> Vec<(String, f64)> {
    vary.iter()
        .zip(values)
        .map(|(v, &x)| (v.key.clone(), x))
        .collect()
}

/// The scenario and parameters of one design point; what was asked of every point is checked
/// before any run (`points_checked`), so here it cannot fail on the values.
#[derive(Clone)]
pub struct PointSetup {
    pub scenario: Scenario,
    pub engine: EngineKind,
    pub parameters: ParameterSource,
}

/// Makes a design point's scenario, engine and parameters: scenario keys set in the file's
/// text, behavioural parameters set in the parameter file's values and in every posterior
/// sample.
pub fn point_setup(
    template: &ScenarioTemplate,
    engine_args: &crate::cli::EngineArgs,
    base_parameters: &ParameterSource,
    values: &[(String, f64)],
) -> Result<PointSetup> {
    let scenario = template.with_values(values)?;
    let engine = engine_kind(engine_args, scenario.engine.clone())?;
    let overrides: Vec<(&str, f64)> = values
        .iter()
        .filter_map(|(k, v)| is_parameter(k).map(|name| (name, *v)))
        .collect();
    let parameters = match base_parameters {
        ParameterSource::Fixed(_) => ParameterSource::Fixed(scenario.behaviour.clone()),
        ParameterSource::Samples { samples, weights } => ParameterSource::Samples {
            samples: samples
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    for &(name, v) in &overrides {
                        s.set(name, v);
                    }
                    s
                })
                .collect(),
            weights: weights.clone(),
        },
    };
    Ok(PointSetup {
        scenario,
        engine,
        parameters,
    })
}

/// Checks every point of a design before any run: each key exists and holds a number, every
/// point's values are ones the scenario accepts, and every point has the same headline figures.
pub fn points_checked(
    template: &ScenarioTemplate,
    engine_args: &crate::cli::EngineArgs,
    vary: &[Vary],
    points: &[Vec<f64>],
    flag: &str,
) -> Result<Vec<String>> {
    for v in vary {
        template
            .current(&v.key)
            .with_context(|| format!("{flag} {v}"))?;
    }
    let columns = |s: &Scenario| -> Vec<String> {
        HeadlineSpec::for_scenario(s)
            .iter()
            .map(HeadlineSpec::column)
            .collect()
    };
    let figures = columns(template.base());
    for (i, values) in points.iter().enumerate() {
        let point = pairs(vary, values);
        let describe = || {
            let at: Vec<String> = point.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{flag}: point {i} ({})", at.join(", "))
        };
        let scenario = template.with_values(&point).with_context(describe)?;
        engine_kind(engine_args, scenario.engine.clone()).with_context(describe)?;
        let overrides: Vec<(&str, f64)> = point
            .iter()
            .filter_map(|(k, v)| is_parameter(k).map(|n| (n, *v)))
            .collect();
        let mut b = template.base().behaviour.clone();
        if let Err((key, message)) = set_parameters(&mut b, &overrides) {
            bail!(
                "{}: {}: key `{key}`: {message}",
                describe(),
                template.base().params_file.display()
            );
        }
        if columns(&scenario) != figures {
            bail!(
                "{}: the scenario's headline figures change with it (the horizon must reach the same windows at every point); narrow the range",
                describe()
            );
        }
    }
    Ok(figures)
}

/// The index of a headline figure by its column name: `asked`, else `default` if the scenario
/// has it, else the first; an `asked` name it lacks is refused with the names on offer.
pub fn figure_index(figures: &[String], asked: Option<&str>, default: &str) -> Result<usize> {
    let find = |name: &str| figures.iter().position(|f| f == name);
    match asked {
        None => Ok(find(default).unwrap_or(0)),
        Some(name) => find(name).ok_or_else(|| {
            anyhow::anyhow!(
                "--figure {name}: no such headline figure; expected one of {}",
                figures.join(", ")
            )
        }),
    }
}

pub fn sweep_command(args: &SweepArgs) -> Result<()> {
    let template = template_for(
        &args.scenario,
        args.parameters.params.as_deref(),
        &args.engine,
    )?;
    let base = template.base().clone();
    let runs = args.runs.unwrap_or(base.runs);
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let seed = args.seed.unwrap_or(base.seed);
    let design = match (args.design, args.samples) {
        (DesignChoice::Grid, None) => Design::Grid,
        (DesignChoice::Grid, Some(_)) => {
            bail!("--samples applies to --design lhs; a grid has STEPS values per key")
        }
        (DesignChoice::Lhs, Some(samples)) => Design::Lhs { samples },
        (DesignChoice::Lhs, None) => bail!("--design lhs needs --samples N (the number of points)"),
    };
    let points = design.points(&args.vary, &mut design_rng(seed, 1))?;
    let figures = points_checked(&template, &args.engine, &args.vary, &points, "--vary")?;
    let first_app = base.apps[0].name.clone();
    let figure = figure_index(
        &figures,
        args.figure.as_deref(),
        &format!("{first_app}.arrivals_24h"),
    )?;
    let size = PlotSize::new(args.size.width, args.size.height)?;
    let (parameters, info) = args.parameters.source(&base)?;
    let shard = shard_of(&args.shards)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-sweep", base.name)));
    let parts = parts_folder(&args.shards, &out);
    let summary = SweepSummary {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&base),
        seed,
        runs_per_point: runs,
        design: match design {
            Design::Grid => "grid".into(),
            Design::Lhs { .. } => "lhs".into(),
        },
        vary: args.vary.clone(),
        points: points.len() as u64,
        figures,
        parameters: format!("{} ({})", info.kind, info.file),
        engine: format!("{:?}", engine_kind(&args.engine, base.engine.clone())?),
        quantiles: surge::summary::quantile_method(),
    };
    let plan = serde_json::json!({
        "summary": summary,
        "figure": figure,
        "width": size.width,
        "height": size.height,
        "params_sha256": file_hash(Some(&base.params_file))?,
        "posterior_sha256": file_hash(if info.kind == "posterior" { Some(Path::new(&info.file)) } else { None })?,
        "engine_args": format!("{:?}", args.engine),
    });
    let manifest = Manifest::new("sweep", &base, seed, shard, points.len() as u64, plan, &out);
    let range = manifest.start..manifest.end;
    let folder = part_folder(&parts, shard);
    open_part(&folder, &manifest, args.force)?;
    run_part(
        &folder,
        range.clone(),
        |r: &PointResult| r.point,
        runs,
        args.threads,
        args.quiet,
        |p, progress| {
            let values = &points[p as usize];
            let setup = point_setup(
                &template,
                &args.engine,
                &parameters,
                &pairs(&args.vary, values),
            )?;
            let mc = headline_runs(&setup, runs, seed, progress)?;
            Ok(PointResult {
                point: p,
                values: values.clone(),
                figures: (0..mc.specs.len())
                    .map(|i| mc.summaries.headline(i))
                    .collect(),
            })
        },
    )?;
    if finish_shard(&folder, &manifest, &parts, args.quiet)? {
        return Ok(());
    }
    let points = merge_sweep(&parts, &out, args.force)?;
    std::fs::remove_dir_all(&parts).with_context(|| format!("removing {}", parts.display()))?;
    if !args.quiet {
        print!("{}", sweep_table(&summary, &points, figure));
        println!("results: {}", out.display());
    }
    Ok(())
}

/// Marks a part complete; for one shard of several, says so and what to run next, and returns
/// true (the caller stops there; a whole piece of work goes on to merge its only part).
pub fn finish_shard(folder: &Path, manifest: &Manifest, parts: &Path, quiet: bool) -> Result<bool> {
    write_manifest(folder, manifest)?;
    if manifest.shard.count == 1 {
        return Ok(false);
    }
    if !quiet {
        println!("{}", manifest.done_message(parts));
    }
    Ok(true)
}

/// `runs` runs of a design point, headline figures only.
pub fn headline_runs(
    setup: &PointSetup,
    runs: u64,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Result<surge::engine::MonteCarlo> {
    let work = Work {
        runs: 0..runs,
        seed,
        single_runs: 0,
        series: false,
    };
    Ok(run_monte_carlo_part(
        &setup.engine,
        &setup.scenario,
        &setup.parameters,
        &work,
        &mut (),
        progress,
    )?)
}

/// Computes the points of `range` not yet in the part's journal, in parallel (each point's
/// runs in parallel too, so small points keep every core busy), appending each to the journal
/// as it finishes, with a progress bar of runs done, points done and time remaining.
#[allow(clippy::too_many_arguments)]
pub fn run_part<T>(
    folder: &Path,
    range: std::ops::Range<u64>,
    point_of: impl Fn(&T) -> u64,
    runs_per_point: u64,
    threads: usize,
    quiet: bool,
    compute: impl Fn(u64, &(dyn Fn() + Sync)) -> Result<T> + Sync,
) -> Result<()>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send,
{
    use std::sync::atomic::{AtomicU64, Ordering};
    let (journal, done) = Journal::open::<T>(folder)?;
    let done: std::collections::BTreeSet<u64> = done.iter().map(point_of).collect();
    let pending: Vec<u64> = range.clone().filter(|p| !done.contains(p)).collect();
    let pool = worker_pool(threads)?;
    let bar = progress_bar_with(
        pending.len() as u64 * runs_per_point,
        quiet,
        "{spinner} {msg} · runs {pos}/{len} [{bar:30}] {rate} eta {eta}",
    );
    let of = range.end - range.start;
    let finished = AtomicU64::new(of - pending.len() as u64);
    bar.set_message(format!("points {}/{of}", finished.load(Ordering::Relaxed)));
    let journal = Mutex::new(journal);
    // As many points at a time as there are workers, so that points finish (and are saved)
    // steadily rather than all near the end; each point's runs are parallel too, so the
    // workers stay busy when a point's runs are few.
    let at_once = pool.current_num_threads().max(1);
    pool.install(|| {
        pending.chunks(at_once).try_for_each(|chunk| {
            chunk.par_iter().try_for_each(|&p| -> Result<()> {
                let result = compute(p, &|| bar.inc(1))?;
                journal
                    .lock()
                    .map_err(|_| anyhow::anyhow!("a worker failed while saving a point"))?
                    .append(&result)?;
                let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                bar.set_message(format!("points {n}/{of}"));
                Ok(())
            })
        })
    })?;
    bar.finish_and_clear();
    Ok(())
}

/// The plotted figure of each point, printed after a sweep.
fn sweep_table(summary: &SweepSummary, points: &[PointResult], figure: usize) -> String {
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
        let values: Vec<String> = p
            .values
            .iter()
            .map(|v| surge::report::format::plain3(*v))
            .collect();
        text.push_str(&format!(
            "{:>6}  {:<50} {:>10} {:>24}\n",
            p.point,
            values.join(", "),
            surge::report::format::human(s.mean),
            format!(
                "[{}, {}]",
                surge::report::format::human(s.p05),
                surge::report::format::human(s.p95)
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

/// The units (points) the parts hold, once each, in design order: each part's journal must
/// hold exactly its share (duplicate lines, from a shard run twice, count once).
pub fn units_of_parts<T: serde::de::DeserializeOwned>(
    parts: &[(PathBuf, Manifest)],
    point_of: impl Fn(&T) -> u64,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    for (folder, m) in parts {
        let mut rows: Vec<T> = read_journal(folder)?;
        rows.sort_by_key(&point_of);
        rows.dedup_by_key(|r| point_of(r));
        if rows.iter().map(&point_of).ne(m.start..m.end) {
            bail!(
                "{}: does not hold exactly points {}..{}; run its shard again",
                folder.display(),
                m.start,
                m.end
            );
        }
        all.extend(rows);
    }
    Ok(all)
}

/// The plot size a command's plan recorded (its --width and --height).
pub fn plan_size(plan: &serde_json::Value) -> Result<PlotSize> {
    let side = |key: &str, default: u64| plan[key].as_u64().unwrap_or(default) as u32;
    Ok(PlotSize::new(side("width", 1600), side("height", 1000))?)
}

/// Writes a sweep's outputs from its parts (all of them, checked) into `out`; returns its points.
pub fn merge_sweep(parts: &Path, out: &Path, force: bool) -> Result<Vec<PointResult>> {
    let found = collect_parts(parts)?;
    let plan = &found[0].1.plan;
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
    use surge::report::atomic::write_atomic;
    let staging = Staging::begin(out, &summary.scenario.name, force)?;
    let dir = staging.path();
    write_atomic(&dir.join("sweep.csv"), &sweep_csv(summary, points)?)?;
    let mut rows = serde_json::to_vec(points)?;
    rows.push(b'\n');
    write_atomic(&dir.join("points.json"), &rows)?;
    let mut json = serde_json::to_vec_pretty(summary)?;
    json.push(b'\n');
    write_atomic(&dir.join("summary.json"), &json)?;
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
