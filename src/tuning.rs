//! `surge tune`: what each setting costs and buys. Each dimension (step size, number of runs,
//! simulated users) is varied alone from the scenario's values; each setting's headline
//! figures are compared with the finest setting's, timed, and placed against the others.

use crate::cli::TuneArgs;
use crate::commands::{engine_kind, worker_pool};
use crate::sweeping::{PointSetup, headline_runs, point_setup};
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::time::Instant;
use surge::engine::EngineKind;
use surge::explore::tune::{FigureAt, Recommendation, Setting, frontier, recommend, set_changes};
use surge::report::ScenarioInfo;
use surge::report::atomic::write_atomic;
use surge::report::folder::Staging;
use surge::report::format::{human, plain3};
use surge::report::plot::{PlotSize, TuneChart, render};
use surge::report::tune::{TuneSummary, tune_csv};

/// The settings tried, finest first.
struct Grid {
    steps: Vec<f64>,
    runs_at_each_step: u64,
    runs: Vec<u64>,
    agents: Vec<usize>,
    runs_at_each_size: u64,
}

fn grid(args: &TuneArgs, agents: bool) -> Grid {
    let runs_at_each_step = args.runs.unwrap_or(match (agents, args.quick) {
        (false, false) => 1_000,
        (false, true) => 200,
        (true, false) => 10,
        (true, true) => 4,
    });
    let (runs, sizes) = if args.quick {
        (vec![10_000, 1_000, 100], vec![300_000, 100_000])
    } else {
        (
            vec![100_000, 10_000, 1_000, 100],
            vec![10_000_000, 1_000_000, 100_000],
        )
    };
    Grid {
        steps: vec![1.0, 5.0, 15.0, 60.0],
        runs_at_each_step,
        // The agent engine's runs cost a second or more each: its runs dimension stops at 100.
        runs: match (agents, args.quick) {
            (false, _) => runs,
            (true, false) => vec![100, 30, 10],
            (true, true) => vec![10, 4, 2],
        },
        agents: if agents { sizes } else { Vec::new() },
        runs_at_each_size: runs_at_each_step,
    }
}

pub fn tune_command(args: &TuneArgs) -> Result<()> {
    let template = crate::sweeping::template_for(
        &args.scenario,
        args.parameters.params.as_deref(),
        &args.engine,
    )?;
    let base = template.base().clone();
    let seed = args.seed.unwrap_or(base.seed);
    let engine = engine_kind(&args.engine, base.engine.clone())?;
    let is_agents = matches!(engine, EngineKind::Agents(_));
    if let Some(b) = args.budget
        && !(b.is_finite() && b > 0.0)
    {
        bail!("--budget {b}: expected a number of seconds above 0");
    }
    if args.runs == Some(0) {
        bail!("--runs must be at least 1");
    }
    let size = PlotSize::new(args.size.width, args.size.height)?;
    let (parameters, info) = args.parameters.source(&base)?;
    let g = grid(args, is_agents);
    let pool = worker_pool(args.threads)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-tune", base.name)));
    // Checked before any work: a step that does not fit the scenario is refused now.
    let step_values = |step: f64| {
        // The output interval must be a whole number of steps.
        let output = if (30.0 / step).fract() == 0.0 {
            30.0
        } else {
            step
        };
        vec![
            ("simulation.step_minutes".to_string(), step),
            ("simulation.output_minutes".to_string(), output),
        ]
    };
    let step_setups: Vec<PointSetup> = g
        .steps
        .iter()
        .map(|&s| point_setup(&template, &args.engine, &parameters, &step_values(s)))
        .collect::<Result<_>>()?;
    let with_agents = |setup: &PointSetup, n: usize| -> Result<PointSetup> {
        let EngineKind::Agents(settings) = &setup.engine else {
            bail!("the agent engine's sizes apply to --engine agents only");
        };
        let mut settings = settings.clone();
        settings.agents = n;
        if let Some((key, message)) = settings.problem() {
            bail!("--agents {n}: {key}: {message}");
        }
        Ok(PointSetup {
            scenario: setup.scenario.clone(),
            engine: EngineKind::Agents(settings),
            parameters: setup.parameters.clone(),
        })
    };
    let columns: Vec<String> = surge::engine::HeadlineSpec::for_scenario(&base)
        .iter()
        .map(surge::engine::HeadlineSpec::column)
        .collect();
    let tracked: Vec<String> = if args.figures.is_empty() {
        let prefix = format!("{}.", base.apps[0].name);
        columns
            .iter()
            .filter(|c| c.starts_with(&prefix))
            .cloned()
            .collect()
    } else {
        for f in &args.figures {
            if !columns.contains(f) {
                bail!(
                    "--figure {f}: no such headline figure; expected one of {}",
                    columns.join(", ")
                );
            }
        }
        args.figures.clone()
    };
    let default_step = base.timeline.step_hours * 60.0;
    let default_setup = point_setup(&template, &args.engine, &parameters, &[])?;
    let say = |text: String| {
        if !args.quiet {
            eprintln!("{text}");
        }
    };
    let measure = |dimension: &str, value: f64, setup: &PointSetup, runs: u64| -> Result<Setting> {
        let start = Instant::now();
        let mc = pool.install(|| headline_runs(setup, runs, seed, &|| {}))?;
        let seconds = start.elapsed().as_secs_f64();
        say(format!(
            "  {dimension} = {}: {runs} runs in {seconds:.2} s",
            plain3(value)
        ));
        Ok(Setting {
            dimension: dimension.into(),
            value,
            runs,
            seconds,
            figures: mc
                .specs
                .iter()
                .enumerate()
                .map(|(i, spec)| {
                    let s = mc.summaries.headline(i);
                    FigureAt {
                        figure: spec.column(),
                        mean: s.mean,
                        mcse: s.mcse,
                        change: 0.0,
                        change_se: 0.0,
                        tracked: tracked.contains(&spec.column()),
                    }
                })
                .collect(),
        })
    };
    say(format!("step size ({} runs each):", g.runs_at_each_step));
    // The agent engine's steps and runs are timed at its smallest size: the finest step at ten
    // million users would take hours.
    let at_smallest = |setup: &PointSetup| match g.agents.last() {
        Some(&n) => with_agents(setup, n),
        None => Ok(setup.clone()),
    };
    let mut steps = Vec::new();
    for (&step, setup) in g.steps.iter().zip(&step_setups) {
        steps.push(measure(
            "step_minutes",
            step,
            &at_smallest(setup)?,
            g.runs_at_each_step,
        )?);
    }
    say(format!("runs (step {} minutes):", plain3(default_step)));
    let mut runs = Vec::new();
    let setup = at_smallest(&default_setup)?;
    for &r in &g.runs {
        runs.push(measure("runs", r as f64, &setup, r)?);
    }
    let mut agents = Vec::new();
    if !g.agents.is_empty() {
        say(format!(
            "simulated users ({} runs each):",
            g.runs_at_each_size
        ));
        for &n in &g.agents {
            agents.push(measure(
                "agents",
                n as f64,
                &with_agents(&default_setup, n)?,
                g.runs_at_each_size,
            )?);
        }
    }
    for list in [&mut steps, &mut runs, &mut agents] {
        if !list.is_empty() {
            set_changes(list, 0);
        }
    }
    let mut settings: Vec<Setting> = steps.iter().chain(&runs).chain(&agents).cloned().collect();
    let on_frontier = frontier(&settings);
    let recommendation: Option<Recommendation> =
        args.budget.and_then(|b| recommend(&steps, &agents, b));
    if args.budget.is_some() && recommendation.is_none() {
        say("no setting fits the budget: even the cheapest step's 100 runs take longer".into());
    }
    let summary = TuneSummary {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&base),
        seed,
        engine: format!("{engine:?}"),
        parameters: format!("{} ({})", info.kind, info.file),
        threads: pool.current_num_threads(),
        quick: args.quick,
        scenario_step_minutes: default_step,
        error: "per figure sqrt(bias² + (mcse/|mean|)²), bias = the change against the finest setting of the same dimension less twice its standard error (0 if less); a setting's error is its worst tracked figure's".into(),
        tracked: tracked.clone(),
        budget_seconds: args.budget,
        recommendation: recommendation.clone(),
        frontier: on_frontier.clone(),
        settings: std::mem::take(&mut settings),
    };
    let staging = Staging::begin(&out, &base.name, args.force)?;
    let dir = staging.path();
    write_atomic(&dir.join("tune.csv"), &tune_csv(&summary)?)?;
    let mut json = serde_json::to_vec_pretty(&summary)?;
    json.push(b'\n');
    write_atomic(&dir.join("summary.json"), &json)?;
    render(&TuneChart { summary: &summary }, dir, size)?;
    staging.commit()?;
    if !args.quiet {
        print!("{}", tune_table(&summary));
        println!("results: {}", out.display());
    }
    Ok(())
}

/// One line per setting: its time, its error and the figure behind it, on the frontier or not.
fn tune_table(summary: &TuneSummary) -> String {
    let mut text = format!(
        "{} — accuracy against cost ({} threads; error: worst tracked figure's sqrt(bias² + relative mcse²))\n{:<13} {:>11} {:>8} {:>9} {:>8}  {:<36} {}\n",
        summary.scenario.name,
        summary.threads,
        "dimension",
        "setting",
        "runs",
        "seconds",
        "error",
        "worst figure",
        "frontier"
    );
    for (s, &f) in summary.settings.iter().zip(&summary.frontier) {
        let (error, worst) = s.error();
        text.push_str(&format!(
            "{:<13} {:>11} {:>8} {:>9.2} {:>7.2}%  {:<36} {}\n",
            s.dimension,
            human(s.value),
            s.runs,
            s.seconds,
            100.0 * error,
            worst,
            if f { "*" } else { "" }
        ));
    }
    if let Some(r) = &summary.recommendation {
        let agents = r
            .agents
            .map_or(String::new(), |a| format!(", {} simulated users", human(a)));
        text.push_str(&format!(
            "within {} s: step {} minutes, {} runs{agents}: predicted {:.1} s, error {:.2}% ({})\n",
            plain3(summary.budget_seconds.unwrap_or(0.0)),
            plain3(r.step_minutes),
            r.runs,
            r.predicted_seconds,
            100.0 * r.predicted_error,
            r.worst_figure
        ));
    }
    text
}
