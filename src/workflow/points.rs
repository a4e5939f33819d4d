//! Design points shared by `sweep`, `sensitivity` and `tune`: a scenario file as a template,
//! each point's scenario, engine and parameters, every point checked before any run, and a
//! point's runs (headline figures only).

use super::engine::EngineOptions;
use super::{Context, Result, refuse};
use crate::engine::montecarlo::{Work, run_monte_carlo_part};
use crate::engine::{HeadlineSpec, MonteCarlo, ParameterSource};
use crate::explore::Vary;
use crate::scenario::EngineKind;
use crate::scenario::{Scenario, ScenarioTemplate, is_parameter, set_parameters};
use std::path::Path;

/// The scenario file as a template for points, with `simulation.engine` set as the request
/// asks (so `network.*` keys can be varied on a cohort scenario run on the agent engine).
pub fn template_for(
    scenario: &Path,
    params: Option<&Path>,
    engine: &EngineOptions,
) -> Result<ScenarioTemplate> {
    let template = ScenarioTemplate::load(scenario, params)?;
    Ok(match engine.engine {
        None => template,
        Some(choice) => template.with_engine(choice.name())?,
    })
}

/// A design point as (key, value) pairs.
pub fn pairs(vary: &[Vary], values: &[f64]) -> Vec<(String, f64)> {
    vary.iter()
        .zip(values)
        .map(|(v, &x)| (v.key.clone(), x))
        .collect()
}

/// The scenario and parameters of one design point; what was asked of every point is checked
/// before any run (`points_checked`), so here it cannot fail on the values.
#[derive(Clone)]
pub struct PointSetup {
    pub scenario: Scenario,
    pub engine: EngineKind,
    pub parameters: ParameterSource,
}

/// The behavioural parameters a point sets, by their names in the parameter file.
fn parameter_overrides(values: &[(String, f64)]) -> Vec<(&str, f64)> {
    values
        .iter()
        .filter_map(|(k, v)| is_parameter(k).map(|name| (name, *v)))
        .collect()
}

/// Makes a design point's scenario, engine and parameters: scenario keys set in the file's
/// text, behavioural parameters set in the parameter file's values and in every posterior
/// sample.
pub fn point_setup(
    template: &ScenarioTemplate,
    engine: &EngineOptions,
    base_parameters: &ParameterSource,
    values: &[(String, f64)],
) -> Result<PointSetup> {
    let scenario = engine.sample(template.with_values(values)?);
    let engine = engine.settle(scenario.engine.clone())?;
    let overrides = parameter_overrides(values);
    let overridden = |samples: &[crate::model::Behaviour]| -> Vec<crate::model::Behaviour> {
        samples
            .iter()
            .map(|s| {
                let mut s = s.clone();
                for &(name, v) in &overrides {
                    s.set(name, v);
                }
                s
            })
            .collect()
    };
    let parameters = match base_parameters {
        ParameterSource::Fixed(_) => ParameterSource::Fixed(scenario.behaviour.clone()),
        ParameterSource::Samples { samples, weights } => ParameterSource::Samples {
            samples: overridden(samples),
            weights: weights.clone(),
        },
        ParameterSource::Conditioned {
            samples,
            streams,
            cut_step,
        } => ParameterSource::Conditioned {
            samples: overridden(samples),
            streams: streams.clone(),
            cut_step: *cut_step,
        },
    };
    Ok(PointSetup {
        scenario,
        engine,
        parameters,
    })
}

/// The headline figures' column names of a scenario (as in runs.csv).
pub fn figure_columns(s: &Scenario) -> Vec<String> {
    HeadlineSpec::for_scenario(s)
        .iter()
        .map(HeadlineSpec::column)
        .collect()
}

/// Refuses a `--figure` the scenario does not have, with the names on offer.
pub fn check_figure(figures: &[String], name: &str) -> Result<()> {
    if !figures.iter().any(|f| f == name) {
        refuse!(
            "--figure {name}: no such headline figure; expected one of {}",
            figures.join(", ")
        );
    }
    Ok(())
}

/// Checks every point of a design before any run: each key exists and holds a number, every
/// point's values are ones the scenario accepts, and every point has the same headline figures.
pub fn points_checked(
    template: &ScenarioTemplate,
    engine: &EngineOptions,
    vary: &[Vary],
    points: &[Vec<f64>],
    flag: &str,
) -> Result<Vec<String>> {
    for v in vary {
        template
            .current(&v.key)
            .with_context(|| format!("{flag} {v}"))?;
    }
    let figures = figure_columns(template.base());
    for (i, values) in points.iter().enumerate() {
        let point = pairs(vary, values);
        let describe = || {
            let at: Vec<String> = point
                .iter()
                .map(|(k, v)| format!("{k} = {}", crate::scenario::check::plain(*v)))
                .collect();
            format!("{flag}: point {i} ({})", at.join(", "))
        };
        let scenario = template.with_values(&point).with_context(describe)?;
        engine
            .settle(scenario.engine.clone())
            .with_context(describe)?;
        let mut b = template.base().behaviour.clone();
        if let Err((key, message)) = set_parameters(&mut b, &parameter_overrides(&point)) {
            refuse!(
                "{}: {}: key `{key}`: {message}",
                describe(),
                template.base().params_file.display()
            );
        }
        if figure_columns(&scenario) != figures {
            refuse!(
                "{}: the scenario's headline figures change with it (the horizon must reach the same windows at every point); narrow the range",
                describe()
            );
        }
    }
    Ok(figures)
}

/// The index of a headline figure by its column name: `asked`, else `default` if the scenario
/// has it, else the first; an `asked` name it lacks is refused with the names on offer.
pub fn figure_index(figures: &[String], asked: Option<&str>, default: &str) -> Result<usize> {
    let find = |name: &str| figures.iter().position(|f| f == name);
    match asked {
        None => Ok(find(default).unwrap_or(0)),
        Some(name) => {
            check_figure(figures, name)?;
            Ok(find(name).unwrap_or(0))
        }
    }
}

/// `runs` runs of a design point, headline figures only.
pub fn headline_runs(
    setup: &PointSetup,
    runs: u64,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Result<MonteCarlo> {
    let work = Work {
        runs: 0..runs,
        seed,
        single_runs: 0,
        series: false,
    };
    Ok(run_monte_carlo_part(
        &setup.engine,
        &setup.scenario,
        &setup.parameters,
        &work,
        &mut (),
        progress,
    )?)
}
