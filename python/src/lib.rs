//! `surge._surge`: the library's workflows called from Python (the pure-Python package
//! `surge` wraps them in `Scenario`, `run` and `Result`). Errors become `surge.ScenarioError`
//! (a bad scenario, with its file, key and line) or `surge.SurgeError`; long calls release the
//! GIL.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::path::PathBuf;
use surge::report::plot::PlotSize;
use surge::scenario::Vary;
use surge::workflow::engine::{EngineChoice, EngineOptions, Sampler, StepRule};
use surge::workflow::parameters::ParameterChoice;
use surge::workflow::parts::{ShardChoice, Sharded};
use surge::workflow::run::RunRequest;
use surge::workflow::{Error, Silent};

create_exception!(
    _surge,
    SurgeError,
    PyException,
    "A surge workflow could not be done."
);
create_exception!(
    _surge,
    ScenarioError,
    SurgeError,
    "A scenario file or text that is not valid: the message names the file, the key and the line."
);

/// The message as the command line prints it: the error, then each cause.
fn message(e: &Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn to_py(e: Error) -> PyErr {
    let scenario = matches!(e, Error::Scenario(_) | Error::Override(_));
    let text = message(&e);
    if scenario {
        ScenarioError::new_err(text)
    } else {
        SurgeError::new_err(text)
    }
}

/// Validates a scenario (its file, or `text` named by `path`) with what-if `values` set, and
/// returns its name.
#[pyfunction]
#[pyo3(signature = (path, text=None, values=Vec::new()))]
fn check(path: PathBuf, text: Option<String>, values: Vec<(String, f64)>) -> PyResult<String> {
    use surge::scenario::ScenarioTemplate;
    let template = match text {
        Some(t) => ScenarioTemplate::parse(&path, t, None),
        None => ScenarioTemplate::load(&path, None),
    }
    .map_err(|e| to_py(e.into()))?;
    let scenario = template.with_values(&values).map_err(|e| to_py(e.into()))?;
    Ok(scenario.name)
}

/// The value a keyword `key` names, from `parse` (None when not given); an unknown name raises
/// with what was expected.
fn named<T>(
    key: &str,
    name: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> PyResult<Option<T>> {
    name.map(|name| {
        parse(name)
            .ok_or_else(|| SurgeError::new_err(format!("{key}={name:?}: expected {expected}")))
    })
    .transpose()
}

fn engine_options(
    engine: Option<&str>,
    sampler: Option<&str>,
    step_rule: Option<&str>,
) -> PyResult<EngineOptions> {
    let engine_of = |name: &str| match name {
        "cohort" => Some(EngineChoice::Cohort),
        "agents" => Some(EngineChoice::Agents),
        _ => None,
    };
    Ok(EngineOptions {
        engine: named("engine", engine, engine_of, "\"cohort\" or \"agents\"")?,
        sampler: named(
            "sampler",
            sampler,
            Sampler::from_name,
            "\"exact\" or \"hybrid\"",
        )?,
        step_rule: named(
            "step_rule",
            step_rule,
            StepRule::from_name,
            "\"fixed\" or \"adaptive\"",
        )?,
        ..EngineOptions::default()
    })
}

/// Runs a scenario's Monte Carlo runs into the folder `out`, exactly as `surge run` does, and
/// returns the folder. `parameters`: "posterior" (the posterior beside the parameter file, if
/// any), "fixed", a parameter file (.toml) or posterior samples (.csv).
#[pyfunction]
#[pyo3(signature = (path, out, text=None, values=Vec::new(), runs=None, seed=None, threads=0,
    parameters="posterior", engine=None, sampler=None, step_rule=None, spaghetti=None, force=false,
    width=1600, height=1000))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    text: Option<String>,
    values: Vec<(String, f64)>,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    parameters: &str,
    engine: Option<&str>,
    sampler: Option<&str>,
    step_rule: Option<&str>,
    spaghetti: Option<usize>,
    force: bool,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    let parameters = parameter_choice(parameters);
    let request = RunRequest {
        scenario: path,
        text,
        values,
        runs,
        seed,
        threads,
        parameters,
        out: Some(out),
        spaghetti,
        force,
        shards: ShardChoice::default(),
        engine: engine_options(engine, sampler, step_rule)?,
        size: size(width, height)?,
    };
    let result = py.detach(|| surge::workflow::run::run(&request, &Silent));
    Ok(whole(result.map_err(to_py)?)?.out)
}

/// Conditions a scenario on the observed counts in the CSV file `observed` and runs the
/// forecast into the folder `out`, exactly as `surge nowcast` does; returns the folder.
#[pyfunction]
#[pyo3(signature = (path, observed, out, text=None, values=Vec::new(), runs=None, seed=None,
    threads=0, particles=400, parameters="posterior", spaghetti=None, force=false,
    width=1600, height=1000))]
#[allow(clippy::too_many_arguments)]
fn nowcast(
    py: Python<'_>,
    path: PathBuf,
    observed: PathBuf,
    out: PathBuf,
    text: Option<String>,
    values: Vec<(String, f64)>,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    particles: usize,
    parameters: &str,
    spaghetti: Option<usize>,
    force: bool,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    let request = surge::workflow::nowcast::NowcastRequest {
        scenario: path,
        text,
        values,
        observed,
        runs,
        seed,
        threads,
        parameters: parameter_choice(parameters),
        priors: None,
        particles,
        prior_proposals: None,
        out: Some(out),
        spaghetti,
        force,
        engine: engine_options(None, None, None)?,
        size: size(width, height)?,
    };
    let result = py.detach(|| surge::workflow::nowcast::nowcast(&request, &Silent));
    Ok(result.map_err(to_py)?.out)
}

/// "posterior" (the posterior beside the parameter file, if any), "fixed", a parameter file
/// (.toml, its values in every run) or posterior samples (.csv).
fn parameter_choice(parameters: &str) -> ParameterChoice {
    match parameters {
        "posterior" => ParameterChoice::default(),
        "fixed" => ParameterChoice {
            fixed: true,
            ..ParameterChoice::default()
        },
        file if file.ends_with(".csv") => ParameterChoice {
            posterior: Some(PathBuf::from(file)),
            ..ParameterChoice::default()
        },
        file => ParameterChoice {
            params: Some(PathBuf::from(file)),
            fixed: true,
            ..ParameterChoice::default()
        },
    }
}

fn size(width: u32, height: u32) -> PyResult<PlotSize> {
    PlotSize::new(width, height).map_err(|e| SurgeError::new_err(e.to_string()))
}

fn varied(specs: &[String]) -> PyResult<Vec<Vary>> {
    specs
        .iter()
        .map(|v| {
            v.parse::<Vary>()
                .map_err(|e| ScenarioError::new_err(e.to_string()))
        })
        .collect()
}

fn whole<T>(result: Sharded<T>) -> PyResult<T> {
    match result {
        Sharded::Whole(r) => Ok(r),
        Sharded::Part { note } => Err(SurgeError::new_err(note)),
    }
}

/// A sweep (`surge sweep`) into `out`; `vary`: "KEY=FROM:TO:STEPS[:log]" each.
#[pyfunction]
#[pyo3(signature = (path, out, vary, design="grid", samples=None, runs=None, seed=None,
    figure=None, threads=0, parameters="posterior", engine=None, sampler=None, step_rule=None, force=false,
    width=1600, height=1000))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    vary: Vec<String>,
    design: &str,
    samples: Option<usize>,
    runs: Option<u64>,
    seed: Option<u64>,
    figure: Option<String>,
    threads: usize,
    parameters: &str,
    engine: Option<&str>,
    sampler: Option<&str>,
    step_rule: Option<&str>,
    force: bool,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    use surge::workflow::sweep::{DesignChoice, SweepRequest};
    let design = match design {
        "grid" => DesignChoice::Grid,
        "lhs" => DesignChoice::Lhs,
        other => {
            return Err(SurgeError::new_err(format!(
                "design={other:?}: expected \"grid\" or \"lhs\""
            )));
        }
    };
    let request = SweepRequest {
        scenario: path,
        vary: varied(&vary)?,
        design,
        samples,
        runs,
        seed,
        figure,
        threads,
        parameters: parameter_choice(parameters),
        out: Some(out),
        force,
        shards: ShardChoice::default(),
        engine: engine_options(engine, sampler, step_rule)?,
        size: size(width, height)?,
    };
    let result = py.detach(|| surge::workflow::sweep::sweep(&request, &Silent));
    Ok(whole(result.map_err(to_py)?)?.out)
}

/// A sensitivity analysis (`surge sensitivity`) into `out`; `ranges`: "KEY=LOW:HIGH[:log]".
#[pyfunction]
#[pyo3(signature = (path, out, method="morris", samples=None, ranges=Vec::new(),
    priors=PathBuf::from("params/priors.toml"), runs=surge::workflow::sensitivity::RUNS_PER_POINT, seed=None,
    levels=4, bootstrap=1000,
    figures=Vec::new(), threads=0, params=None, engine=None, sampler=None, step_rule=None, force=false,
    width=1600, height=1000))]
#[allow(clippy::too_many_arguments)]
fn sensitivity(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    method: &str,
    samples: Option<usize>,
    ranges: Vec<String>,
    priors: PathBuf,
    runs: u64,
    seed: Option<u64>,
    levels: usize,
    bootstrap: usize,
    figures: Vec<String>,
    threads: usize,
    params: Option<PathBuf>,
    engine: Option<&str>,
    sampler: Option<&str>,
    step_rule: Option<&str>,
    force: bool,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    use surge::workflow::sensitivity::{Method, SensitivityRequest};
    let method = match method {
        "morris" => Method::Morris,
        "sobol" => Method::Sobol,
        other => {
            return Err(SurgeError::new_err(format!(
                "method={other:?}: expected \"morris\" or \"sobol\""
            )));
        }
    };
    let request = SensitivityRequest {
        scenario: path,
        method,
        samples,
        ranges: varied(&ranges)?,
        priors,
        runs,
        seed,
        levels,
        bootstrap,
        figures,
        threads,
        params,
        out: Some(out),
        force,
        shards: ShardChoice::default(),
        engine: engine_options(engine, sampler, step_rule)?,
        size: size(width, height)?,
    };
    let result = py.detach(|| surge::workflow::sensitivity::sensitivity(&request, &Silent));
    Ok(whole(result.map_err(to_py)?)?.out)
}

/// Compares run folders (`surge compare`) into `out`; the first is the reference.
#[pyfunction]
#[pyo3(signature = (dirs, out, metric="arrivals", app=None, width=1600, height=1000))]
fn compare(
    dirs: Vec<PathBuf>,
    out: PathBuf,
    metric: &str,
    app: Option<String>,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    const METRICS: [&str; 5] = [
        "arrivals",
        "registrations",
        "reactivations",
        "registration_rate",
        "queue_wait",
    ];
    let Some(&metric) = METRICS.iter().find(|m| **m == metric) else {
        return Err(SurgeError::new_err(format!(
            "metric={metric:?}: expected one of {}",
            METRICS.join(", ")
        )));
    };
    if dirs.len() < 2 {
        return Err(SurgeError::new_err("compare needs two or more run folders"));
    }
    let request = surge::workflow::compare::CompareRequest {
        dirs,
        metric,
        app,
        out,
        force: false,
        size: size(width, height)?,
    };
    Ok(surge::workflow::compare::compare(&request)
        .map_err(to_py)?
        .out)
}

/// Fits the behavioural parameters (`surge fit`) into `out`; with `hold_out`, leaves that event
/// out and predicts it.
#[pyfunction]
#[pyo3(signature = (out, observations=PathBuf::from("data/observations.toml"),
    priors=PathBuf::from("params/priors.toml"), params=PathBuf::from("params/default.toml"),
    particles=300, generations=12, max_simulations=40_000, draws=200, seed=1, threads=0,
    hold_out=None, width=1600, height=1000))]
#[allow(clippy::too_many_arguments)]
fn fit(
    py: Python<'_>,
    out: PathBuf,
    observations: PathBuf,
    priors: PathBuf,
    params: PathBuf,
    particles: usize,
    generations: usize,
    max_simulations: usize,
    draws: usize,
    seed: u64,
    threads: usize,
    hold_out: Option<String>,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    use surge::workflow::fit::{FitRequest, FitSettings};
    let request = FitRequest {
        settings: FitSettings {
            observations,
            priors,
            params,
            particles,
            generations,
            max_simulations,
            draws,
            seed,
            threads,
            engine: EngineOptions::default(),
        },
        hold_out,
        out: Some(out),
        force: false,
        fitted: None,
        write_params: false,
        size: size(width, height)?,
    };
    let silent = surge::calibrate::abc::Silent;
    let result = py.detach(|| surge::workflow::fit::fit(&request, &silent));
    Ok(result.map_err(to_py)?.out)
}

/// Draws every plot of a run's folder again at `width` x `height`; returns the files.
#[pyfunction]
#[pyo3(signature = (folder, width=1600, height=1000))]
fn plot(folder: PathBuf, width: u32, height: u32) -> PyResult<Vec<PathBuf>> {
    surge::workflow::run::plot_in_place(&folder, size(width, height)?).map_err(to_py)
}

/// Copies the results folder `folder` into `target` whole (staged, then swapped in), by the
/// command line's rule: `target` may hold only results surge wrote, replaced with `force` when
/// they are another scenario's or command's; anything else in it is refused.
#[pyfunction]
#[pyo3(signature = (folder, target, force=false))]
fn save(folder: PathBuf, target: PathBuf, force: bool) -> PyResult<PathBuf> {
    surge::report::folder::copy_results(&folder, &target, force).map_err(|e| to_py(e.into()))?;
    Ok(target)
}

/// Writes the folder's self-contained report.html (as `surge report`); returns its path.
#[pyfunction]
fn report(folder: PathBuf) -> PyResult<PathBuf> {
    surge::workflow::report::report(&folder).map_err(to_py)
}

#[pymodule]
fn _surge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SurgeError", m.py().get_type::<SurgeError>())?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add(
        "RUNS_PER_POINT",
        surge::workflow::sensitivity::RUNS_PER_POINT,
    )?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(nowcast, m)?)?;
    m.add_function(wrap_pyfunction!(plot, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(save, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    Ok(())
}
