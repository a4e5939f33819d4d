//! `tune`: what each setting costs and buys. Each dimension (step size, number of runs,
//! simulated users) is varied alone from the scenario's values; each setting's headline
//! figures are compared with the finest setting's, timed, and placed against the others.

use super::engine::EngineOptions;
use super::engine::Sampler;
use super::parameters::ParameterChoice;
use super::points::{
    PointSetup, check_figure, figure_columns, headline_runs, point_setup, template_for,
};
use super::progress::Progress;
use super::settle::{Common, Settled, settle};
use super::{Result, refuse};
use crate::explore::tune::{FigureAt, Recommendation, Setting, frontier, recommend, set_changes};
use crate::report::ScenarioInfo;
use crate::report::atomic::write_atomic;
use crate::report::folder::Staging;
use crate::report::format::plain3;
use crate::report::plot::{PlotSize, TuneChart, render};
use crate::report::tune::{TuneSummary, tune_csv};
use crate::scenario::EngineKind;
use std::path::PathBuf;
use std::time::Instant;

/// What `tune` is asked to do.
#[derive(Debug, Clone)]
pub struct TuneRequest {
    pub scenario: PathBuf,
    /// A reduced grid that runs in under a minute.
    pub quick: bool,
    /// Recommend the most accurate setting whose predicted time fits this many seconds.
    pub budget: Option<f64>,
    /// Runs at each step size [default: 1,000; quick 200; agent engine 10, quick 4].
    pub runs: Option<u64>,
    /// Headline figures the error is taken over [default: every figure of the first app].
    pub figures: Vec<String>,
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores); the times are for this many.
    pub threads: usize,
    pub parameters: ParameterChoice,
    /// Output folder [default: output/<scenario name>-tune/].
    pub out: Option<PathBuf>,
    pub force: bool,
    pub engine: EngineOptions,
    pub size: PlotSize,
}

/// The tabulated settings and where they were written.
#[derive(Debug)]
pub struct TuneResult {
    pub summary: TuneSummary,
    pub out: PathBuf,
}

/// The settings tried, finest first.
struct Grid {
    steps: Vec<f64>,
    runs_at_each_step: u64,
    runs: Vec<u64>,
    agents: Vec<usize>,
    runs_at_each_size: u64,
}

fn grid(request: &TuneRequest, agents: bool) -> Grid {
    let runs_at_each_step = request.runs.unwrap_or(match (agents, request.quick) {
        (false, false) => 1_000,
        (false, true) => 200,
        (true, false) => 10,
        (true, true) => 4,
    });
    let (runs, sizes) = if request.quick {
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
        runs: match (agents, request.quick) {
            (false, _) => runs,
            (true, false) => vec![100, 30, 10],
            (true, true) => vec![10, 4, 2],
        },
        agents: if agents { sizes } else { Vec::new() },
        runs_at_each_size: runs_at_each_step,
    }
}

/// The values that set a step size (the output interval must be a whole number of steps).
fn step_values(step: f64) -> Vec<(String, f64)> {
    let output = if (30.0 / step).fract() == 0.0 {
        30.0
    } else {
        step
    };
    vec![
        ("simulation.step_minutes".to_string(), step),
        ("simulation.output_minutes".to_string(), output),
    ]
}

/// `setup` on the agent engine with `n` simulated users.
fn with_agents(setup: &PointSetup, n: usize) -> Result<PointSetup> {
    let EngineKind::Agents(settings) = &setup.engine else {
        refuse!("the agent engine's sizes apply to --engine agents only");
    };
    let mut settings = settings.clone();
    settings.agents = n;
    if let Some((key, message)) = settings.problem() {
        refuse!("--agents {n}: {key}: {message}");
    }
    Ok(PointSetup {
        scenario: setup.scenario.clone(),
        engine: EngineKind::Agents(settings),
        parameters: setup.parameters.clone(),
    })
}

pub fn tune(request: &TuneRequest, progress: &dyn Progress) -> Result<TuneResult> {
    let template = template_for(
        &request.scenario,
        request.parameters.params.as_deref(),
        &request.engine,
    )?;
    let base = template.base().clone();
    // Tune's runs are its grid's (below), not the scenario's.
    let common = Common {
        runs: None,
        seed: request.seed,
        out: request.out.as_deref(),
        threads: request.threads,
    };
    let Settled {
        seed, out, pool, ..
    } = settle(&base, common, "-tune")?;
    // Refused before any work if surge may not write its output there (report::folder).
    crate::report::folder::check_replaceable(
        &out,
        crate::report::folder::Owner::Scenario(&base.name),
        request.force,
    )?;
    let engine = request.engine.settle(base.engine.clone())?;
    let is_agents = matches!(engine, EngineKind::Agents(_));
    if let Some(b) = request.budget
        && !(b.is_finite() && b > 0.0)
    {
        refuse!("--budget {b}: expected a number of seconds above 0");
    }
    if request.runs == Some(0) {
        refuse!("--runs must be at least 1");
    }
    let size = request.size;
    let (parameters, info) = request.parameters.source(&base)?;
    let g = grid(request, is_agents);
    // Checked before any work: a step that does not fit the scenario is refused now.
    let step_setups: Vec<PointSetup> = g
        .steps
        .iter()
        .map(|&s| point_setup(&template, &request.engine, &parameters, &step_values(s)))
        .collect::<Result<_>>()?;
    let columns = figure_columns(&base);
    let tracked: Vec<String> = if request.figures.is_empty() {
        let prefix = format!("{}.", base.apps[0].name);
        columns
            .iter()
            .filter(|c| c.starts_with(&prefix))
            .cloned()
            .collect()
    } else {
        for f in &request.figures {
            check_figure(&columns, f)?;
        }
        request.figures.clone()
    };
    let default_step = base.timeline.step_hours * 60.0;
    let default_setup = point_setup(&template, &request.engine, &parameters, &[])?;
    // The agent engine's steps and runs are timed at its smallest size: the finest step at ten
    // million users would take hours.
    let at_smallest = |setup: &PointSetup| match g.agents.last() {
        Some(&n) => with_agents(setup, n),
        None => Ok(setup.clone()),
    };
    // Every setting passes the memory check before any is timed (the finest step's drivers and
    // the largest network are the heaviest).
    let engine_per_run = matches!(parameters, crate::engine::ParameterSource::Samples { .. });
    let workers = pool.current_num_threads();
    let step_setups: Vec<PointSetup> =
        step_setups.iter().map(at_smallest).collect::<Result<_>>()?;
    for s in &step_setups {
        super::resources::check_memory(&s.scenario, &s.engine, 0, workers, engine_per_run)?;
    }
    for &n in &g.agents {
        let s = with_agents(&default_setup, n)?;
        super::resources::check_memory(&s.scenario, &s.engine, 0, workers, engine_per_run)?;
    }
    let measure = |dimension: &str, value: f64, setup: &PointSetup, runs: u64| -> Result<Setting> {
        let start = Instant::now();
        let mc = pool.install(|| headline_runs(setup, runs, seed, &|| {}))?;
        let seconds = start.elapsed().as_secs_f64();
        progress.note(&format!(
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
    progress.note(&format!("step size ({} runs each):", g.runs_at_each_step));
    let mut steps = Vec::new();
    for (&step, setup) in g.steps.iter().zip(&step_setups) {
        steps.push(measure("step_minutes", step, setup, g.runs_at_each_step)?);
    }
    progress.note(&format!("runs (step {} minutes):", plain3(default_step)));
    let mut runs = Vec::new();
    let setup = at_smallest(&default_setup)?;
    for &r in &g.runs {
        runs.push(measure("runs", r as f64, &setup, r)?);
    }
    // The sampler (docs/MODEL.md §7): exact (0) against hybrid (1), at the scenario's step.
    progress.note(&format!(
        "sampler, 0 exact and 1 hybrid ({} runs each):",
        g.runs_at_each_step
    ));
    let mut samplers = Vec::new();
    for (value, sampler) in [(0.0, Sampler::Exact), (1.0, Sampler::Hybrid)] {
        let mut s = setup.clone();
        s.scenario.sampler = sampler;
        samplers.push(measure("sampler", value, &s, g.runs_at_each_step)?);
    }
    let mut agents = Vec::new();
    if !g.agents.is_empty() {
        progress.note(&format!(
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
    for list in [&mut steps, &mut runs, &mut samplers, &mut agents] {
        if !list.is_empty() {
            set_changes(list, 0);
        }
    }
    let mut settings: Vec<Setting> = steps
        .iter()
        .chain(&runs)
        .chain(&samplers)
        .chain(&agents)
        .cloned()
        .collect();
    let on_frontier = frontier(&settings);
    let recommendation: Option<Recommendation> =
        request.budget.and_then(|b| recommend(&steps, &agents, b));
    if request.budget.is_some() && recommendation.is_none() {
        progress.note("no setting fits the budget: even the cheapest step's 100 runs take longer");
    }
    let summary = TuneSummary {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo::of(&base),
        seed,
        engine: format!("{engine:?}"),
        parameters: format!("{} ({})", info.kind, info.file),
        threads: workers,
        quick: request.quick,
        scenario_step_minutes: default_step,
        error: "per figure sqrt(bias² + (mcse/|mean|)²), bias = the change against the finest setting of the same dimension less twice its standard error (0 if less); a setting's error is its worst tracked figure's".into(),
        tracked: tracked.clone(),
        budget_seconds: request.budget,
        recommendation: recommendation.clone(),
        frontier: on_frontier.clone(),
        settings: std::mem::take(&mut settings),
    };
    let staging = Staging::begin(&out, &base.name, request.force)?;
    let dir = staging.path();
    write_atomic(&dir.join("tune.csv"), &tune_csv(&summary)?)?;
    crate::report::atomic::write_json_pretty(&dir.join("summary.json"), &summary)?;
    render(&TuneChart { summary: &summary }, dir, size)?;
    staging.commit()?;
    Ok(TuneResult { summary, out })
}
