//! `surge._surge`: the library's workflows called from Python (the pure-Python package
//! `surge` wraps them in `Scenario`, `run` and `Result`). Errors become `surge.ScenarioError`
//! (a bad scenario, with its file, key and line) or `surge.SurgeError`; long calls release the
//! GIL.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::path::PathBuf;
use surge::report::plot::PlotSize;
use surge::workflow::engine::{EngineChoice, EngineOptions, Sampler};
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

fn engine_options(engine: Option<&str>, sampler: Option<&str>) -> PyResult<EngineOptions> {
    let engine = match engine {
        None => None,
        Some("cohort") => Some(EngineChoice::Cohort),
        Some("agents") => Some(EngineChoice::Agents),
        Some(other) => {
            return Err(SurgeError::new_err(format!(
                "engine={other:?}: expected \"cohort\" or \"agents\""
            )));
        }
    };
    let sampler = match sampler {
        None => None,
        Some("exact") => Some(Sampler::Exact),
        Some("hybrid") => Some(Sampler::Hybrid),
        Some(other) => {
            return Err(SurgeError::new_err(format!(
                "sampler={other:?}: expected \"exact\" or \"hybrid\""
            )));
        }
    };
    Ok(EngineOptions {
        engine,
        sampler,
        ..EngineOptions::default()
    })
}

/// Runs a scenario's Monte Carlo runs into the folder `out`, exactly as `surge run` does, and
/// returns the folder. `parameters`: "posterior" (the posterior beside the parameter file, if
/// any), "fixed", a parameter file (.toml) or posterior samples (.csv).
#[pyfunction]
#[pyo3(signature = (path, out, text=None, values=Vec::new(), runs=None, seed=None, threads=0,
    parameters="posterior", engine=None, sampler=None, spaghetti=None, force=false,
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
    spaghetti: Option<usize>,
    force: bool,
    width: u32,
    height: u32,
) -> PyResult<PathBuf> {
    let parameters = match parameters {
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
    };
    let size = PlotSize::new(width, height).map_err(|e| SurgeError::new_err(e.to_string()))?;
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
        engine: engine_options(engine, sampler)?,
        size,
    };
    let result = py.detach(|| surge::workflow::run::run(&request, &Silent));
    match result.map_err(to_py)? {
        Sharded::Whole(r) => Ok(r.out),
        Sharded::Part { note } => Err(SurgeError::new_err(note)),
    }
}

/// Draws every plot of a run's folder again at `width` x `height`; returns the files.
#[pyfunction]
#[pyo3(signature = (folder, width=1600, height=1000))]
fn plot(folder: PathBuf, width: u32, height: u32) -> PyResult<Vec<PathBuf>> {
    let size = PlotSize::new(width, height).map_err(|e| SurgeError::new_err(e.to_string()))?;
    surge::workflow::run::plot(&folder, size).map_err(to_py)
}

#[pymodule]
fn _surge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SurgeError", m.py().get_type::<SurgeError>())?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(plot, m)?)?;
    Ok(())
}
