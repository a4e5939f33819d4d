//! Sharded `surge run`, and `surge merge`: a shard runs a contiguous range of the runs and
//! saves its exact summaries, its rows of runs.csv and its single runs as a part; merging the
//! parts gives byte for byte the outputs of the unsharded run (summaries merge exactly, and run
//! i draws from the streams of (seed, i) whichever shard runs it).

use crate::cli::{MergeArgs, RunArgs};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use surge::engine::montecarlo::{Work, run_monte_carlo_part};
use surge::engine::{EngineKind, HeadlineSpec, MonteCarlo, ParameterSource, SeriesLayout};
use surge::explore::Shard;
use surge::report::atomic::write_atomic;
use surge::report::folder::Staging;
use surge::report::parts::{
    Manifest, collect_parts, open_part, part_folder, read_manifest, write_manifest,
};
use surge::report::summary::ParametersInfo;
use surge::report::tables::RunsFile;
use surge::report::{self, Summary};
use surge::scenario::{Scenario, load_scenario};
use surge::summary::RunSummaries;

/// What a run shard needs beyond its arguments (settled by `surge run` before any work).
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
fn run_plan(args: &RunArgs, s: &RunShard) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "scenario_file": s.scenario.file.display().to_string(),
        "params_file": s.scenario.params_file.display().to_string(),
        "params_sha256": crate::sweeping::file_hash(Some(&s.scenario.params_file))?,
        "posterior_sha256": crate::sweeping::file_hash(if s.info.kind == "posterior" { Some(Path::new(&s.info.file)) } else { None })?,
        "parameters": s.info,
        "engine": format!("{:?}", s.engine),
        "runs": s.runs,
        "seed": s.seed,
        "spaghetti": s.spaghetti,
        "width": args.size.width,
        "height": args.size.height,
    }))
}

/// Runs one shard of `surge run` and saves it as a part.
pub fn run_shard(args: &RunArgs, s: &RunShard) -> Result<()> {
    let parts = crate::sweeping::parts_folder(&args.shards, s.out);
    let plan = run_plan(args, s)?;
    let manifest = Manifest::new("run", s.scenario, s.seed, s.shard, s.runs, plan, s.out);
    let range = manifest.start..manifest.end;
    let folder = part_folder(&parts, s.shard);
    open_part(&folder, &manifest, args.force)?;
    if read_manifest(&folder)?.complete {
        println!(
            "shard {}: already complete in {}",
            s.shard,
            folder.display()
        );
        return Ok(());
    }
    if !range.is_empty() {
        let specs = HeadlineSpec::for_scenario(s.scenario);
        let mut rows = RunsFile::create(&folder, &specs)?;
        let bar = crate::commands::progress_bar_with(
            range.end - range.start,
            args.quiet,
            "{spinner} runs {pos}/{len} [{bar:40}] {rate} eta {eta}",
        );
        let work = Work {
            runs: range.clone(),
            seed: s.seed,
            single_runs: s.spaghetti,
            series: true,
        };
        let pool = crate::commands::worker_pool(args.threads)?;
        let mc = pool.install(|| {
            run_monte_carlo_part(
                s.engine,
                s.scenario,
                s.parameters,
                &work,
                &mut rows,
                &|| bar.inc(1),
            )
        })?;
        bar.finish_and_clear();
        rows.finish()?;
        write_atomic(&folder.join("summaries.bin"), &mc.summaries.to_bytes())?;
        write_atomic(
            &folder.join("single.bin"),
            &surge::summary::encode::rows_to_bytes(&mc.single_runs),
        )?;
        let engine = serde_json::json!({ "engine": mc.engine, "report": mc.engine_report });
        write_atomic(&folder.join("engine.json"), &serde_json::to_vec(&engine)?)?;
    }
    write_manifest(&folder, &manifest)?;
    if !args.quiet {
        println!("{}", manifest.done_message(&parts));
    }
    Ok(())
}

/// Puts the parts of a sharded `surge run` together into `out`.
fn merge_run(found: &[(PathBuf, Manifest)], out: &Path, force: bool) -> Result<()> {
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
        .with_context(|| "merging needs the scenario the shards ran, where they found it")?;
    if scenario.sha256 != first.scenario_sha256 {
        bail!(
            "{} has changed since the shards ran (SHA-256 {} now, {} then); run the shards again",
            scenario_file.display(),
            &scenario.sha256[..12],
            &first.scenario_sha256[..12]
        );
    }
    if crate::sweeping::file_hash(Some(&params_file))?
        != plan["params_sha256"].as_str().unwrap_or("")
    {
        bail!(
            "{} has changed since the shards ran; run the shards again",
            params_file.display()
        );
    }
    let info: ParametersInfo = serde_json::from_value(plan["parameters"].clone())?;
    let spaghetti = plan["spaghetti"].as_u64().unwrap_or(0) as usize;
    let size = crate::sweeping::plan_size(plan)?;
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
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
        };
        let part = RunSummaries::from_bytes(&read("summaries.bin")?)
            .with_context(|| format!("{}", folder.join("summaries.bin").display()))?;
        if part.runs() != m.end - m.start || part.series_len() != values {
            bail!(
                "{}: its summaries do not match its manifest",
                folder.display()
            );
        }
        summaries.merge(&part);
        single.extend(
            surge::summary::encode::rows_from_bytes(&read("single.bin")?)
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
    let saved = surge::report::series::SavedRun::load_for_plots(&dir)?;
    surge::report::plot::draw_run_plots(&saved, size)?;
    staging.commit()?;
    print!("{}", report::headline_table(&summary));
    Ok(())
}

pub fn merge_command(args: &MergeArgs) -> Result<()> {
    let found = collect_parts(&args.parts)?;
    let first = &found[0].1;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&first.out));
    match first.command.as_str() {
        "run" => merge_run(&found, &out, args.force)?,
        "sweep" => {
            crate::sweeping::merge_sweep(&args.parts, &out, args.force)?;
        }
        "sensitivity" => {
            crate::sensitivity::merge_sensitivity(&args.parts, &out, args.force)?;
        }
        other => bail!(
            "{}: parts of an unknown command {other:?}",
            args.parts.display()
        ),
    }
    println!(
        "merged {} shards of `surge {}` ({}): results: {}",
        found.len(),
        first.command,
        first.scenario,
        out.display()
    );
    Ok(())
}
