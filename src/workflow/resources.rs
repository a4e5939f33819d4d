//! Resource checks every simulating workflow passes before any work: the memory a run holds,
//! the networks of the agent engine (one per worker) and the space its files take.

use super::{Context, Result, refuse};
use crate::engine::agents::agent_bytes;
use crate::scenario::Scenario;
use crate::scenario::{AgentSettings, EngineKind};
use std::path::{Path, PathBuf};

/// Memory this machine can still give (Linux: MemAvailable), if known.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The nearest folder of `path` (itself or an ancestor) that exists.
fn existing_folder(path: &Path) -> PathBuf {
    let mut p = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    loop {
        if p.is_dir() {
            return p.to_path_buf();
        }
        match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => p = parent,
            _ => return PathBuf::from("."),
        }
    }
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 30)
}

/// Refuses a run whose memory would not fit this machine (`surge check` and every simulating
/// command ask the same question), and an agent run whose networks would not.
pub fn check_memory(
    scenario: &Scenario,
    engine: &EngineKind,
    single_runs: usize,
    workers: usize,
    engine_per_run: bool,
) -> Result<()> {
    let memory = crate::engine::memory_estimate(scenario, workers, single_runs, engine_per_run);
    if let Some(available) = available_memory()
        && memory > available
    {
        refuse!(
            "{}: a run needs about {:.1} GiB of memory ({workers} worker threads, {} output points x {} series, {single_runs} single runs kept), but {:.1} GiB is available; use a longer simulation.output_minutes, fewer regions or apps, fewer --threads or fewer --spaghetti",
            scenario.file.display(),
            gib(memory),
            scenario.timeline.output_points(),
            crate::engine::SeriesLayout::new(scenario).len(),
            gib(available)
        );
    }
    if let EngineKind::Agents(settings) = engine {
        check_agent_memory(scenario, settings, workers)?;
    }
    Ok(())
}

/// Refuses an agent run whose networks (one per worker thread) would not fit this machine,
/// before any of it is allocated.
fn check_agent_memory(scenario: &Scenario, settings: &AgentSettings, workers: usize) -> Result<()> {
    let bytes = agent_bytes(settings, scenario.apps.len()).saturating_mul(workers as u64);
    if let Some(available) = available_memory()
        && bytes > available
    {
        refuse!(
            "{}: {} simulated users: {workers} worker threads each build a network of about {:.1} GiB ({:.1} GiB in all), but {:.1} GiB is available; use fewer --agents (simulation.agents), a smaller --mean-degree (network.mean_degree) or fewer --threads",
            scenario.file.display(),
            settings.agents,
            gib(bytes / workers as u64),
            gib(bytes),
            gib(available)
        );
    }
    Ok(())
}

/// Refuses, before any work, a run whose output files would not fit the folder `out` goes in.
pub fn check_disk(scenario: &Scenario, runs: u64, single_runs: usize, out: &Path) -> Result<()> {
    let folder = existing_folder(out);
    let disk = crate::report::output_bytes_estimate(scenario, runs, single_runs);
    let free = fs4::available_space(&folder)
        .with_context(|| format!("asking how much space {} has", folder.display()))?;
    if disk > free {
        refuse!(
            "--runs {runs}: the results would take about {:.1} GiB (runs.csv has a row per run) but {} has {:.1} GiB free; use fewer --runs or another --out",
            gib(disk),
            folder.display(),
            gib(free)
        );
    }
    Ok(())
}

/// The most points a sensitivity design may have: 10 million points is weeks of runs on any
/// machine; more is a typo (`--samples 1000000000`), refused before the design is drawn.
pub const MAX_DESIGN_POINTS: u64 = 10_000_000;

/// The most bootstrap resamples: a 95% interval settles long before 100,000.
pub const MAX_BOOTSTRAP: u64 = 100_000;

/// Refuses a sensitivity analysis whose design or bootstrap would not fit, before any work:
/// `points` design points of `factors` values each, `figures` outputs per point, `bootstrap`
/// resamples of every index.
pub fn check_design(points: u64, factors: usize, figures: usize, bootstrap: u64) -> Result<()> {
    if points > MAX_DESIGN_POINTS {
        refuse!(
            "the design has {points} points, more than the {MAX_DESIGN_POINTS} surge draws; use fewer --samples or fewer --range factors"
        );
    }
    if bootstrap > MAX_BOOTSTRAP {
        refuse!(
            "--bootstrap {bootstrap}: expected at most {MAX_BOOTSTRAP} resamples (a 95% interval settles long before)"
        );
    }
    // The design and its outputs (f64 each, twice over while they are copied), and every
    // resample's indices.
    let bytes = points as f64 * (factors + figures + 1) as f64 * 8.0 * 2.0
        + bootstrap as f64 * factors as f64 * figures.max(1) as f64 * 8.0 * 4.0;
    if let Some(available) = available_memory()
        && bytes > available as f64
    {
        refuse!(
            "the design ({points} points) and its bootstrap ({bootstrap} resamples) need about {:.1} GiB of memory, but {:.1} GiB is available; use fewer --samples or --bootstrap",
            bytes / f64::from(1u32 << 30),
            gib(available)
        );
    }
    Ok(())
}
