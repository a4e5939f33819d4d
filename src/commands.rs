//! What each subcommand does: the CLI edge, where library errors become anyhow errors.

use crate::cli::{Command, CompareArgs, RunArgs, SizeArgs};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use surge::engine::{HeadlineSpec, ParameterSource, run_monte_carlo};
use surge::report::compare::{compare_csv, compare_table, compare_text};
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
    let app = match &args.app {
        Some(a) => a.clone(),
        None => runs[0]
            .summary
            .apps
            .first()
            .map(|a| a.name.clone())
            .context("the first run has no apps")?,
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
        match load_scenario(file, None) {
            Ok(s) => println!("ok: {} ({})", file.display(), s.name),
            Err(e) => {
                eprintln!("error: {:#}", anyhow::Error::from(e));
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
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} runs {pos}/{len} [{bar:40}] {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn run(args: &RunArgs) -> Result<()> {
    let scenario = load_scenario(&args.scenario, args.params.as_deref())?;
    let runs = args.runs.unwrap_or(scenario.runs);
    let seed = args.seed.unwrap_or(scenario.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    let (parameters, info) = match &args.posterior {
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
    };
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
    let summary = worker_pool(args.threads)?.install(|| -> Result<Summary> {
        let writing = || format!("writing results to {}", out.display());
        report::atomic::create_folder(&out).with_context(writing)?;
        let specs = HeadlineSpec::for_scenario(&scenario);
        let mut runs_file = RunsFile::create(&out, &specs).with_context(writing)?;
        let bar = progress_bar(runs, args.quiet);
        let mc = run_monte_carlo(
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
            &out,
            &summary,
            &mc,
            runs_file,
            &scenario.timeline,
            spaghetti,
        )
        .with_context(writing)?;
        Ok(summary)
    })?;
    plot(&out, &args.size).with_context(|| format!("drawing plots in {}", out.display()))?;
    if !args.quiet {
        print!("{}", report::headline_table(&summary));
        println!("results: {}", out.display());
    }
    Ok(())
}
