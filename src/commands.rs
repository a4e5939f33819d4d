//! What each subcommand does: the CLI edge, where library errors become anyhow errors.

use crate::cli::{
    Command, CompareArgs, EngineArgs, EngineChoice, ParameterArgs, RunArgs, SizeArgs,
};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use surge::engine::agents::{AgentSettings, agent_bytes};
use surge::engine::network::NetworkSpec;
use surge::engine::{EngineKind, HeadlineSpec, ParameterSource, run_monte_carlo_with};
use surge::report::compare::{compare_csv, compare_table, compare_text};
use surge::report::folder::Staging;
use surge::report::plot::{CompareChart, PlotSize, draw_run_plots, render};
use surge::report::series::SavedRun;
use surge::report::tables::RunsFile;
use surge::report::{self, Summary, summary::ParametersInfo};
use surge::scenario::load_scenario;

pub fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run(args) => run(&args),
        Command::Check { files } => check(&files),
        Command::Plot { dir, size } => plot(&dir, &size).map(|_| ()),
        Command::Compare(args) => compare(&args),
        Command::Fit(args) => crate::fitting::fit_command(&args),
        Command::Validate(args) => crate::fitting::validate_command(&args),
        Command::Sweep(args) => crate::sweeping::sweep_command(&args),
        Command::Sensitivity(args) => crate::sensitivity::sensitivity_command(&args),
        Command::Tune(args) => crate::tuning::tune_command(&args),
        Command::Merge(args) => crate::sharding::merge_command(&args),
        Command::Slurm(args) => crate::slurm::slurm_command(&args),
    }
}

fn plot(dir: &Path, size: &SizeArgs) -> Result<Vec<PathBuf>> {
    let size = PlotSize::new(size.width, size.height)?;
    let saved = SavedRun::load_for_plots(dir)?;
    Ok(draw_run_plots(&saved, size)?)
}

fn compare(args: &CompareArgs) -> Result<()> {
    let size = PlotSize::new(args.size.width, args.size.height)?;
    let runs = args
        .dirs
        .iter()
        .map(|d| SavedRun::load(d))
        .collect::<Result<Vec<_>, _>>()?;
    let has = |run: &SavedRun, app: &str| run.summary.apps.iter().any(|a| a.name == app);
    let app_list = |run: &SavedRun| {
        let names: Vec<_> = run.summary.apps.iter().map(|a| a.name.as_str()).collect();
        format!("{}: {}", run.dir.display(), names.join(", "))
    };
    let app = match &args.app {
        Some(a) => a.clone(),
        // Without --app: the first app of the first result that every result has.
        None => match runs[0]
            .summary
            .apps
            .iter()
            .find(|a| runs.iter().all(|r| has(r, &a.name)))
        {
            Some(a) => a.name.clone(),
            None => bail!(
                "these results have no app in common, so there is nothing to compare ({})",
                runs.iter().map(app_list).collect::<Vec<_>>().join("; ")
            ),
        },
    };
    for run in &runs {
        if !run.summary.apps.iter().any(|a| a.name == app) {
            let names: Vec<_> = run.summary.apps.iter().map(|a| a.name.as_str()).collect();
            bail!(
                "--app {app}: {} has no such app (apps: {})",
                run.dir.display(),
                names.join(", ")
            );
        }
    }
    let rows = compare_table(&runs, Some(&app));
    report::atomic::create_folder(&args.out)?;
    report::atomic::write_atomic(&args.out.join("compare.csv"), &compare_csv(&rows)?)?;
    let chart = CompareChart {
        runs: &runs,
        metric: args.metric.name(),
        app: &app,
    };
    render(&chart, &args.out, size)?;
    print!("{}", compare_text(&rows));
    println!("results: {}", args.out.display());
    Ok(())
}

fn check(files: &[PathBuf]) -> Result<()> {
    let mut failed = 0;
    for file in files {
        // The same memory question `surge run` asks, with its defaults (all cores, 5 single
        // runs, an engine per run when a posterior goes with the parameters).
        let checked = load_scenario(file, None)
            .map_err(anyhow::Error::from)
            .and_then(|s| {
                let posterior = posterior_beside(&s.params_file).is_file();
                let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
                check_memory(&s, 5, workers, posterior)?;
                // An agent scenario's networks too, one per worker thread, as `surge run` asks.
                if let EngineKind::Agents(settings) = &s.engine {
                    check_agent_memory(&s, settings, workers)?;
                }
                Ok(s)
            });
        match checked {
            Ok(s) => println!("ok: {} ({})", file.display(), s.name),
            Err(e) => {
                eprintln!("error: {e:#}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} scenario files are invalid", files.len());
    }
    Ok(())
}

/// A pool of `threads` worker threads (0 = all cores) for everything a command computes.
pub fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .with_context(|| format!("starting {threads} worker threads"))
}

fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    progress_bar_with(
        runs,
        quiet,
        "{spinner} runs {pos}/{len} [{bar:40}] {rate} eta {eta}",
    )
}

/// A progress bar over `runs` runs with the template `template` (terminals only, not `quiet`).
pub fn progress_bar_with(runs: u64, quiet: bool, template: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} runs/s", state.per_sec());
                },
            )
            .progress_chars("=> "),
    );
    bar
}

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

/// Refuses a run whose memory would not fit this machine (`surge check` and `surge run` ask
/// the same question).
fn check_memory(
    scenario: &surge::scenario::Scenario,
    single_runs: usize,
    workers: usize,
    engine_per_run: bool,
) -> Result<()> {
    let memory = surge::engine::memory_estimate(scenario, workers, single_runs, engine_per_run);
    if let Some(available) = available_memory()
        && memory > available
    {
        bail!(
            "{}: a run needs about {:.1} GiB of memory ({workers} worker threads, {} output points x {} series, {single_runs} single runs kept), but {:.1} GiB is available; use a longer simulation.output_minutes, fewer regions or apps, fewer --threads or fewer --spaghetti",
            scenario.file.display(),
            gib(memory),
            scenario.timeline.output_points(),
            surge::engine::SeriesLayout::new(scenario).len(),
            gib(available)
        );
    }
    Ok(())
}

/// Refuses an agent run whose networks (one per worker thread) would not fit this machine,
/// before any of it is allocated.
fn check_agent_memory(
    scenario: &surge::scenario::Scenario,
    settings: &AgentSettings,
    workers: usize,
) -> Result<()> {
    let bytes = agent_bytes(settings, scenario.apps.len()).saturating_mul(workers as u64);
    if let Some(available) = available_memory()
        && bytes > available
    {
        bail!(
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

/// Refuses, before any work, a run whose memory or output files would not fit this machine.
fn check_resources(
    scenario: &surge::scenario::Scenario,
    runs: u64,
    single_runs: usize,
    workers: usize,
    engine_per_run: bool,
    out: &Path,
) -> Result<()> {
    check_memory(scenario, single_runs, workers, engine_per_run)?;
    let folder = existing_folder(out);
    let disk = report::output_bytes_estimate(scenario, runs, single_runs);
    let free = fs4::available_space(&folder)
        .with_context(|| format!("asking how much space {} has", folder.display()))?;
    if disk > free {
        bail!(
            "--runs {runs}: the results would take about {:.1} GiB (runs.csv has a row per run) but {} has {:.1} GiB free; use fewer --runs or another --out",
            gib(disk),
            folder.display(),
            gib(free)
        );
    }
    Ok(())
}

/// The posterior that goes with a parameter file: `X-posterior.csv` beside `X.toml`.
pub fn posterior_beside(params: &Path) -> PathBuf {
    let stem = params.file_stem().unwrap_or_default().to_string_lossy();
    params.with_file_name(format!("{stem}-posterior.csv"))
}

impl ParameterArgs {
    /// Where each run's parameters come from: `--posterior` if given; else the parameter file's
    /// values with `--fixed-parameters`; else the posterior beside the parameter file if there
    /// is one.
    pub fn source(
        &self,
        scenario: &surge::scenario::Scenario,
    ) -> Result<(ParameterSource, ParametersInfo)> {
        let posterior = match &self.posterior {
            Some(file) => Some(file.clone()),
            None if self.fixed_parameters => None,
            None => Some(posterior_beside(&scenario.params_file)).filter(|f| f.is_file()),
        };
        Ok(match &posterior {
            None => (
                ParameterSource::Fixed(scenario.behaviour.clone()),
                ParametersInfo {
                    kind: "fixed".into(),
                    file: scenario.params_file.display().to_string(),
                    values: Some(scenario.behaviour.clone()),
                },
            ),
            Some(file) => {
                let (samples, weights) =
                    surge::calibrate::report::read_posterior(file, &scenario.behaviour)
                        .map_err(anyhow::Error::msg)?;
                (
                    ParameterSource::Samples { samples, weights },
                    ParametersInfo {
                        kind: "posterior".into(),
                        file: file.display().to_string(),
                        values: None,
                    },
                )
            }
        })
    }
}

/// The engine the arguments ask for, over the scenario's own (`simulation.engine`, `[network]`),
/// with the agent engine's settings checked (exit 2 with what was expected, before any work).
pub fn engine_kind(args: &EngineArgs, scenario: EngineKind) -> Result<EngineKind> {
    let base = match (args.engine, scenario) {
        (Some(EngineChoice::Cohort), _) | (None, EngineKind::Cohort) => {
            if args.agent_options_given() {
                bail!(
                    "--agents, --mean-degree, --degree-spread, --within-region, --closure and --homophily apply to the agent engine only (--engine agents, or simulation.engine = \"agents\")"
                );
            }
            return Ok(EngineKind::Cohort);
        }
        (_, EngineKind::Agents(settings)) => settings,
        (Some(EngineChoice::Agents), EngineKind::Cohort) => AgentSettings::default(),
    };
    let b = base.network;
    let settings = AgentSettings {
        agents: args.agents.unwrap_or(base.agents),
        network: NetworkSpec {
            mean_degree: args.mean_degree.unwrap_or(b.mean_degree),
            degree_spread: args.degree_spread.unwrap_or(b.degree_spread),
            within_region: args.within_region.unwrap_or(b.within_region),
            closure: args.closure.unwrap_or(b.closure),
            homophily: args.homophily.unwrap_or(b.homophily),
            mixing: b.mixing.clone(),
            independent_accounts: args.independent_accounts || b.independent_accounts,
        },
    };
    if let Some((key, message)) = settings.problem() {
        bail!("--{}: {message}", key.replace('_', "-"));
    }
    Ok(EngineKind::Agents(settings))
}

fn run(args: &RunArgs) -> Result<()> {
    let scenario = load_scenario(&args.scenario, args.parameters.params.as_deref())?;
    let engine = engine_kind(&args.engine, scenario.engine.clone())?;
    let runs = args.runs.unwrap_or(scenario.runs);
    let seed = args.seed.unwrap_or(scenario.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    let (parameters, info) = args.parameters.source(&scenario)?;
    let spaghetti = match args.spaghetti {
        Some(asked) if runs > 0 && asked as u64 > runs => bail!(
            "--spaghetti {asked} asks for more single runs than --runs {runs}; give at most {runs}"
        ),
        Some(asked) => asked,
        None => 5usize.min(usize::try_from(runs).unwrap_or(usize::MAX)),
    };
    PlotSize::new(args.size.width, args.size.height)?;
    // One pool of --threads workers for the simulation and the summaries after it, so the
    // option bounds every stage.
    let pool = worker_pool(args.threads)?;
    let engine_per_run = matches!(parameters, ParameterSource::Samples { .. });
    check_resources(
        &scenario,
        runs,
        spaghetti,
        pool.current_num_threads(),
        engine_per_run,
        &out,
    )?;
    if let EngineKind::Agents(settings) = &engine {
        check_agent_memory(&scenario, settings, pool.current_num_threads())?;
    }
    let shard = crate::sweeping::shard_of(&args.shards)?;
    if shard.count > 1 || args.shards.shard.is_some() {
        return crate::sharding::run_shard(
            args,
            &crate::sharding::RunShard {
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
        );
    }
    // Everything is written into a staging folder beside --out and swapped in whole at the end.
    let staging = Staging::begin(&out, &scenario.name, args.force)?;
    let dir = staging.path().to_path_buf();
    let summary = pool.install(|| -> Result<Summary> {
        let writing = || format!("writing results for {}", out.display());
        let specs = HeadlineSpec::for_scenario(&scenario);
        let mut runs_file = RunsFile::create(&dir, &specs).with_context(writing)?;
        let bar = progress_bar(runs, args.quiet);
        let mc = run_monte_carlo_with(
            &engine,
            &scenario,
            &parameters,
            runs,
            seed,
            spaghetti,
            &mut runs_file,
            &|| bar.inc(1),
        )?;
        bar.finish_and_clear();
        let summary = Summary::new(&scenario, &mc, seed, info);
        report::write_run(
            &dir,
            &summary,
            &mc,
            runs_file,
            &scenario.timeline,
            spaghetti,
        )
        .with_context(writing)?;
        Ok(summary)
    })?;
    plot(&dir, &args.size).with_context(|| format!("drawing plots for {}", out.display()))?;
    staging.commit()?;
    if !args.quiet {
        print!("{}", report::headline_table(&summary));
        println!("results: {}", out.display());
    }
    Ok(())
}
