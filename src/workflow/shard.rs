//! Sharded `run`, and `merge`: a shard runs a contiguous range of the runs and saves its exact
//! summaries, its rows of runs.csv and its single runs as a part; merging the parts gives byte
//! for byte the outputs of the unsharded run (summaries merge exactly, and run i draws from the
//! streams of (seed, i) whichever shard runs it). Merging a sweep's or a sensitivity
//! analysis's parts is theirs (`sweep::merge`, `sensitivity::merge`).

use super::parts::{file_hash, plan_size};
use super::progress::Progress;
use super::run::RunRequest;
use super::{Context, Result, refuse};
use crate::engine::montecarlo::{Work, run_monte_carlo_part};
use crate::engine::{HeadlineSpec, MonteCarlo, ParameterSource, SeriesLayout};
use crate::report::atomic::write_atomic;
use crate::report::folder::Staging;
use crate::report::parts::{
    Manifest, ShardedCommand, collect_parts, open_part, part_folder, read_manifest, write_manifest,
};
use crate::report::shard::Shard;
use crate::report::summary::ParametersInfo;
use crate::report::tables::RunsFile;
use crate::report::{self, Summary};
use crate::scenario::EngineKind;
use crate::scenario::{Scenario, load_scenario};
use crate::summary::RunSummaries;
use std::path::{Path, PathBuf};

/// What a run shard needs beyond its request (settled by `run` before any work).
pub struct RunShard<'a> {
    pub scenario: &'a Scenario,
    pub engine: &'a EngineKind,
    pub parameters: &'a ParameterSource,
    pub info: &'a ParametersInfo,
    pub runs: u64,
    pub seed: u64,
    pub spaghetti: usize,
    pub out: &'a Path,
    pub shard: Shard,
}

/// The plan of a sharded run: everything its outputs depend on.
fn run_plan(request: &RunRequest, s: &RunShard) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "scenario_file": s.scenario.file.display().to_string(),
        "params_file": s.scenario.params_file.display().to_string(),
        "params_sha256": file_hash(Some(&s.scenario.params_file))?,
        "posterior_sha256": file_hash(if s.info.kind == "posterior" { Some(Path::new(&s.info.file)) } else { None })?,
        "posterior_file": s.info.file,
        "parameters": s.info,
        "engine": s.engine,
        "runs": s.runs,
        "seed": s.seed,
        "spaghetti": s.spaghetti,
        "width": request.size.width,
        "height": request.size.height,
    }))
}

/// Runs one shard of `run` and saves it as a part; returns what the shard says.
pub fn run_shard(
    request: &RunRequest,
    s: &RunShard,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<String> {
    let parts = request.shards.parts_folder(s.out);
    let plan = run_plan(request, s)?;
    let manifest = Manifest::new(
        ShardedCommand::Run,
        s.scenario,
        s.seed,
        s.shard,
        s.runs,
        plan,
        s.out,
    );
    let range = manifest.start..manifest.end;
    let folder = part_folder(&parts, s.shard);
    open_part(&folder, &manifest, request.force)?;
    if read_manifest(&folder)?.complete {
        return Ok(format!(
            "shard {}: already complete in {}",
            s.shard,
            folder.display()
        ));
    }
    if !range.is_empty() {
        let specs = HeadlineSpec::for_scenario(s.scenario);
        let mut rows = RunsFile::create(&folder, &specs)?;
        progress.start(range.end - range.start);
        let work = Work {
            runs: range.clone(),
            seed: s.seed,
            single_runs: s.spaghetti,
            series: true,
        };
        let mc = pool.install(|| {
            run_monte_carlo_part(
                s.engine,
                s.scenario,
                s.parameters,
                &work,
                &mut rows,
                &|| progress.advance(1),
            )
        })?;
        progress.finish();
        rows.finish()?;
        write_atomic(&folder.join("summaries.bin"), &mc.summaries.to_bytes())?;
        write_atomic(
            &folder.join("single.bin"),
            &crate::summary::encode::rows_to_bytes(&mc.single_runs),
        )?;
        let engine = serde_json::json!({ "engine": mc.engine, "report": mc.engine_report });
        write_atomic(&folder.join("engine.json"), &serde_json::to_vec(&engine)?)?;
    }
    write_manifest(&folder, &manifest)?;
    Ok(manifest.done_message(&parts))
}

/// What `merge` put together.
#[derive(Debug)]
pub struct Merged {
    pub command: ShardedCommand,
    pub shards: usize,
    pub scenario: String,
    pub out: PathBuf,
    /// A merged run's summary (its headline table).
    pub run: Option<Summary>,
}

/// Puts the parts in `parts` together into `out` [default: the folder the shards were given].
pub fn merge(parts: &Path, out: Option<&Path>, force: bool) -> Result<Merged> {
    let found = collect_parts(parts)?;
    let first = &found[0].1;
    check_posterior(&first.plan)?;
    let out = out.map_or_else(|| PathBuf::from(&first.out), Path::to_path_buf);
    let run = match first.command {
        ShardedCommand::Run => Some(merge_run(&found, &out, force)?),
        ShardedCommand::Sweep => {
            super::sweep::merge(parts, &out, force)?;
            None
        }
        ShardedCommand::Sensitivity => {
            super::sensitivity::merge(parts, &out, force)?;
            None
        }
    };
    Ok(Merged {
        command: first.command,
        shards: found.len(),
        scenario: first.scenario.clone(),
        out,
        run,
    })
}

/// Refuses to merge parts whose posterior file has changed since the shards ran (its SHA-256
/// is in the plan): the merged results would name a posterior they were not drawn from.
pub fn check_posterior(plan: &serde_json::Value) -> Result<()> {
    let (Some(hash), Some(file)) = (
        plan["posterior_sha256"].as_str(),
        plan["posterior_file"].as_str(),
    ) else {
        return Ok(());
    };
    if hash == "none" {
        return Ok(());
    }
    let now = file_hash(Some(Path::new(file)))?;
    if now != hash {
        refuse!(
            "{file} has changed since the shards ran (SHA-256 {} now, {} then); run the shards again",
            &now[..12],
            &hash[..12.min(hash.len())]
        );
    }
    Ok(())
}

/// Puts the parts of a sharded `run` together into `out`.
fn merge_run(found: &[(PathBuf, Manifest)], out: &Path, force: bool) -> Result<Summary> {
    let first = &found[0].1;
    let plan = &first.plan;
    let text = |k: &str| {
        plan[k]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("the parts' plan has no {k}"))
    };
    let scenario_file = PathBuf::from(text("scenario_file")?);
    let params_file = PathBuf::from(text("params_file")?);
    let scenario = load_scenario(&scenario_file, Some(&params_file))
        .context("merging needs the scenario the shards ran, where they found it")?;
    if scenario.sha256 != first.scenario_sha256 {
        refuse!(
            "{} has changed since the shards ran (SHA-256 {} now, {} then); run the shards again",
            scenario_file.display(),
            &scenario.sha256[..12],
            &first.scenario_sha256[..12]
        );
    }
    if file_hash(Some(&params_file))? != plan["params_sha256"].as_str().unwrap_or("") {
        refuse!(
            "{} has changed since the shards ran; run the shards again",
            params_file.display()
        );
    }
    let info: ParametersInfo = serde_json::from_value(plan["parameters"].clone())?;
    let spaghetti = plan["spaghetti"].as_u64().unwrap_or(0) as usize;
    let size = plan_size(plan)?;
    let layout = SeriesLayout::new(&scenario);
    let specs = HeadlineSpec::for_scenario(&scenario);
    let values = scenario.timeline.output_points() * layout.len();
    let mut summaries = RunSummaries::new(values, specs.len());
    let mut single = Vec::new();
    let mut engine = String::new();
    let mut engine_report = None;
    let staging = Staging::begin(out, &scenario.name, force)?;
    let dir = staging.path().to_path_buf();
    let mut rows = RunsFile::create(&dir, &specs)?;
    for (folder, m) in found {
        if m.start == m.end {
            continue;
        }
        let read = |name: &str| {
            let path = folder.join(name);
            crate::scenario::bounded::read(&path)
                .with_context(|| format!("reading {}", path.display()))
        };
        let part = RunSummaries::from_bytes(&read("summaries.bin")?)
            .with_context(|| format!("{}", folder.join("summaries.bin").display()))?;
        if part.runs() != m.end - m.start || part.series_len() != values {
            refuse!(
                "{}: its summaries do not match its manifest",
                folder.display()
            );
        }
        summaries.merge(&part);
        single.extend(
            crate::summary::encode::rows_from_bytes(&read("single.bin")?)
                .with_context(|| format!("{}", folder.join("single.bin").display()))?,
        );
        let e: serde_json::Value = serde_json::from_slice(&read("engine.json")?)?;
        if engine.is_empty() {
            engine = e["engine"].as_str().unwrap_or("").to_string();
            engine_report = Some(e["report"].clone()).filter(|r| !r.is_null());
        }
        let csv = read("runs.csv")?;
        let body = csv
            .iter()
            .position(|&b| b == b'\n')
            .map_or(&csv[..0], |i| &csv[i + 1..]);
        rows.append_rows(body)?;
    }
    single.truncate(spaghetti);
    let mc = MonteCarlo {
        engine,
        engine_report,
        layout,
        specs,
        summaries,
        single_runs: single,
    };
    let summary = Summary::new(&scenario, &mc, first.seed, info);
    report::write_run(&dir, &summary, &mc, rows, &scenario.timeline, spaghetti)?;
    super::run::plot(&dir, size)?;
    staging.commit()?;
    Ok(summary)
}
