//! `run`: a scenario's Monte Carlo runs, written into an output folder that is staged and
//! swapped in whole (summary.json, timeseries.csv, runs.csv, spaghetti.csv and the plots).

use super::engine::EngineOptions;
use super::parameters::ParameterChoice;
use super::parts::{ShardChoice, Sharded};
use super::progress::Progress;
use super::settle::{Common, Settled, settle};
use super::{Context, Result, refuse};
use crate::engine::montecarlo::{Work, run_monte_carlo_part};
use crate::engine::{HeadlineSpec, ParameterSource};
use crate::report::folder::Staging;
use crate::report::plot::{PlotSize, draw_run_plots};
use crate::report::series::SavedRun;
use crate::report::tables::RunsFile;
use crate::report::{self, Summary};
use crate::scenario::{ScenarioTemplate, load_scenario};
use std::path::{Path, PathBuf};

/// What `run` is asked to do; `None` takes the scenario's value.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The scenario file (with `text`: the name its messages use, and where its relative
    /// paths are read from).
    pub scenario: PathBuf,
    /// The scenario's text, when it is not read from `scenario` (another front end's).
    pub text: Option<String>,
    /// What-if values set on the scenario before the run, by key path as `sweep --vary` names
    /// them (`event.duration_hours`, `apps.telegram.capacity`, a behavioural parameter).
    pub values: Vec<(String, f64)>,
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores); the results do not depend on it.
    pub threads: usize,
    pub parameters: ParameterChoice,
    /// Output folder [default: output/<scenario name>/].
    pub out: Option<PathBuf>,
    /// Single runs to keep and draw [default: 5, or the runs if fewer].
    pub spaghetti: Option<usize>,
    /// Replace a folder that holds another scenario's results.
    pub force: bool,
    pub shards: ShardChoice,
    pub engine: EngineOptions,
    pub size: PlotSize,
}

/// What a whole run gives back.
#[derive(Debug)]
pub struct RunResult {
    pub summary: Summary,
    pub out: PathBuf,
}

pub fn run(request: &RunRequest, progress: &dyn Progress) -> Result<Sharded<RunResult>> {
    let scenario = request_scenario(
        &request.scenario,
        request.text.as_deref(),
        &request.values,
        request.parameters.params.as_deref(),
    )?;
    let scenario = request.engine.sample(scenario);
    let engine = request.engine.settle(scenario.engine.clone())?;
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
    } = settle(&scenario, common, "")?;
    let (parameters, info) = request.parameters.source(&scenario)?;
    let spaghetti = spaghetti_count(request.spaghetti, runs)?;
    // One pool of workers (`pool`) for the simulation and the summaries after it, so the thread
    // count bounds every stage.
    let engine_per_run = matches!(parameters, ParameterSource::Samples { .. });
    super::resources::check_memory(
        &scenario,
        &engine,
        spaghetti,
        pool.current_num_threads(),
        engine_per_run,
    )?;
    super::resources::check_disk(&scenario, runs, spaghetti, &out)?;
    let shard = request.shards.shard()?;
    if shard.count > 1 || request.shards.shard.is_some() {
        let note = super::shard::run_shard(
            request,
            &super::shard::RunShard {
                scenario: &scenario,
                engine: &engine,
                parameters: &parameters,
                info: &info,
                runs,
                seed,
                spaghetti,
                out: &out,
                shard,
            },
            &pool,
            progress,
        )?;
        return Ok(Sharded::Part { note });
    }
    // Everything is written into a staging folder beside the output and swapped in whole.
    let staging = Staging::begin(&out, &scenario.name, request.force)?;
    let dir = staging.path().to_path_buf();
    let summary = pool.install(|| {
        write_runs(
            &RunsToWrite {
                dir: &dir,
                out: &out,
                engine: &engine,
                scenario: &scenario,
                parameters: &parameters,
                runs,
                seed,
                spaghetti,
            },
            info,
            &request.values,
            progress,
        )
    })?;
    plot(&dir, request.size).with_context(|| format!("drawing plots for {}", out.display()))?;
    staging.commit()?;
    Ok(Sharded::Whole(RunResult { summary, out }))
}

/// The single runs to keep: as asked (at most `runs`), else 5 or the runs if fewer.
pub(super) fn spaghetti_count(asked: Option<usize>, runs: u64) -> Result<usize> {
    match asked {
        Some(asked) if runs > 0 && asked as u64 > runs => refuse!(
            "--spaghetti {asked} asks for more single runs than --runs {runs}; give at most {runs}"
        ),
        Some(asked) => Ok(asked),
        None => Ok(5usize.min(usize::try_from(runs).unwrap_or(usize::MAX))),
    }
}

/// What [`write_runs`] simulates and where.
pub(super) struct RunsToWrite<'a> {
    /// The staging folder, and the output folder it becomes (for messages).
    pub dir: &'a Path,
    pub out: &'a Path,
    pub engine: &'a dyn crate::engine::BuildEngine,
    pub scenario: &'a crate::scenario::Scenario,
    pub parameters: &'a ParameterSource,
    pub runs: u64,
    pub seed: u64,
    pub spaghetti: usize,
}

/// Simulates the runs on the current pool and writes run's files (summary.json,
/// timeseries.csv, runs.csv, spaghetti.csv, limits.csv; not the plots) into `w.dir`.
pub(super) fn write_runs(
    w: &RunsToWrite,
    info: crate::report::summary::ParametersInfo,
    values: &[(String, f64)],
    progress: &dyn Progress,
) -> Result<Summary> {
    let writing = || format!("writing results for {}", w.out.display());
    let specs = HeadlineSpec::for_scenario(w.scenario);
    let mut runs_file = RunsFile::create(w.dir, &specs).with_context(writing)?;
    progress.start(w.runs);
    let work = Work {
        runs: 0..w.runs,
        seed: w.seed,
        single_runs: w.spaghetti,
        series: true,
    };
    let mc = run_monte_carlo_part(
        w.engine,
        w.scenario,
        w.parameters,
        &work,
        &mut runs_file,
        &|| progress.advance(1),
    )?;
    progress.finish();
    let mut summary = Summary::new(w.scenario, &mc, w.seed, info);
    summary.values = values.to_vec();
    report::write_run(
        w.dir,
        &summary,
        &mc,
        runs_file,
        &w.scenario.timeline,
        w.spaghetti,
    )
    .with_context(writing)?;
    Ok(summary)
}

/// The scenario a request names: its file, or `text` read as if it were that file, with
/// what-if `values` set (by key path, as `sweep --vary` names them).
pub(super) fn request_scenario(
    path: &Path,
    text: Option<&str>,
    values: &[(String, f64)],
    params: Option<&Path>,
) -> Result<crate::scenario::Scenario> {
    if text.is_none() && values.is_empty() {
        return Ok(load_scenario(path, params)?);
    }
    let template = match text {
        Some(text) => ScenarioTemplate::parse(path, text.to_string(), params)?,
        None => ScenarioTemplate::load(path, params)?,
    };
    Ok(template.with_values(values)?)
}

/// Draws every plot of a run's output folder from its saved results; returns the files.
pub fn plot(dir: &Path, size: PlotSize) -> Result<Vec<PathBuf>> {
    let saved = SavedRun::load_for_plots(dir)?;
    Ok(draw_run_plots(&saved, size)?)
}

/// Draws the plots of a finished run's folder again (`surge plot`): all of them are drawn into a
/// private folder first, so a failure leaves the old plots whole, then each replaces its old
/// file in place (only files surge wrote; `report::folder::write_in_place`).
pub fn plot_in_place(dir: &Path, size: PlotSize) -> Result<Vec<PathBuf>> {
    let mut saved = SavedRun::load_for_plots(dir)?;
    let scratch = tempfile::tempdir().context("a private folder for the plots")?;
    saved.dir = scratch.path().to_path_buf();
    let drawn = draw_run_plots(&saved, size)?;
    let mut files = Vec::new();
    for path in &drawn {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        files.push((name, bytes));
    }
    crate::report::folder::write_in_place(dir, &files)?;
    Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
}
