//! `nowcast`: a scenario's forecast conditioned on the counts observed so far, written like a
//! run (summary.json, timeseries.csv, runs.csv, the plots) plus nowcast.json.

use super::engine::EngineOptions;
use super::parameters::ParameterChoice;
use super::progress::Progress;
use super::settle::{Common, Settled, settle};
use super::{Context, Result, refuse};
use crate::calibrate::nowcast::{
    FitPosterior, Nowcast, NowcastSettings, ParameterShift, RowFit, Stage, condition,
};
use crate::calibrate::observed::load_observed;
use crate::calibrate::priors::load_priors;
use crate::engine::ParameterSource;
use crate::report::Summary;
use crate::report::folder::Staging;
use crate::report::plot::PlotSize;
use crate::report::summary::ParametersInfo;
use crate::scenario::shipped_file;
use serde::Serialize;
use std::path::PathBuf;

/// What `nowcast` is asked to do; `None` takes the scenario's value.
#[derive(Debug, Clone)]
pub struct NowcastRequest {
    /// The scenario file (with `text`: the name its messages use, and where its relative
    /// paths are read from).
    pub scenario: PathBuf,
    /// The scenario's text, when it is not read from `scenario` (another front end's).
    pub text: Option<String>,
    /// What-if values set on the scenario first, as `run`'s.
    pub values: Vec<(String, f64)>,
    /// The observed counts (CSV: app, region, metric, since_utc, time_utc, value[, low, high]).
    pub observed: PathBuf,
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    pub threads: usize,
    /// Where the fit's posterior comes from (its samples are the nowcast's prior).
    pub parameters: ParameterChoice,
    /// The priors of the fitted parameters [default: params/priors.toml, as `fit` finds it].
    pub priors: Option<PathBuf>,
    pub particles: usize,
    /// As `NowcastSettings::prior_proposals` [default: its default].
    pub prior_proposals: Option<f64>,
    pub out: Option<PathBuf>,
    pub spaghetti: Option<usize>,
    pub force: bool,
    pub engine: EngineOptions,
    pub size: PlotSize,
}

/// What a nowcast gives back.
#[derive(Debug)]
pub struct NowcastResult {
    pub summary: Summary,
    pub nowcast: NowcastFile,
    pub out: PathBuf,
}

/// nowcast.json: how the conditioning went and what it changed.
#[derive(Debug, Clone, Serialize)]
pub struct NowcastFile {
    pub scenario: String,
    pub observed: String,
    pub method: &'static str,
    pub observation_model: &'static str,
    pub particles: usize,
    /// Effective sample size of the last stage's weights, before its resampling.
    pub effective_sample_size: f64,
    /// The last observation (the cut), UTC, and hours since the event's start.
    pub cut_utc: String,
    pub cut_hours_since_event: f64,
    pub stages: Vec<Stage>,
    /// Simulations to the cut (each a fraction of a whole run).
    pub simulations_to_cut: u64,
    pub parameters: Vec<ParameterShift>,
    pub rows: Vec<RowFit>,
    pub warning: Option<String>,
    pub runs: u64,
    pub seed: u64,
}

const METHOD: &str = "adaptive tempered SMC from the fit's posterior (Del Moral, Doucet & Jasra 2012) with particle-marginal Metropolis-Hastings moves (Andrieu, Doucet & Holenstein 2010); each particle simulated to the last observation, then continued to the horizon";
const OBSERVATION_MODEL: &str = "counter readings: negative binomial increments (mean the model's increase, size 10), thinned to one reading per time step; approximate figures (low, high): the fit's interval distance d in units of 0.1 log10, likelihood exp(-d^2/2)";

pub fn nowcast(request: &NowcastRequest, progress: &dyn Progress) -> Result<NowcastResult> {
    let scenario = super::run::request_scenario(
        &request.scenario,
        request.text.as_deref(),
        &request.values,
        request.parameters.params.as_deref(),
    )?;
    let scenario = request.engine.sample(scenario);
    let engine = request.engine.settle(scenario.engine.clone())?;
    // Every input is read and checked before any work.
    let observed = load_observed(&request.observed, &scenario)?;
    let Settled {
        runs,
        seed,
        out,
        pool,
    } = settle(
        &scenario,
        Common {
            runs: request.runs,
            seed: request.seed,
            out: request.out.as_deref(),
            threads: request.threads,
        },
        "-nowcast",
    )?;
    let (source, info) = request.parameters.source(&scenario)?;
    let ParameterSource::Samples { samples, weights } = source else {
        refuse!(
            "a nowcast starts from a fit's posterior, and {} has no posterior beside it ({}); give --posterior FILE (a fit's posterior.csv)",
            scenario.params_file.display(),
            super::parameters::posterior_beside(&scenario.params_file).display()
        );
    };
    let priors_file = request
        .priors
        .clone()
        .unwrap_or_else(|| shipped_file("params/priors.toml"));
    let priors = load_priors(&priors_file, &scenario.behaviour)?;
    let prior = FitPosterior::new(priors, scenario.behaviour.clone(), &samples, &weights)
        .map_err(|e| super::Error::Refused(e.to_string()))?;
    let spaghetti = super::run::spaghetti_count(request.spaghetti, runs)?;
    let prior_proposals = prior_proposals(request.prior_proposals)?;
    if request.particles < 10 {
        refuse!(
            "--particles {} is too few; give at least 10",
            request.particles
        );
    }
    super::resources::check_memory(
        &scenario,
        &engine,
        spaghetti,
        pool.current_num_threads(),
        true,
    )?;
    super::resources::check_disk(&scenario, runs, spaghetti, &out)?;
    let staging = Staging::begin(&out, &scenario.name, request.force)?;
    let dir = staging.path().to_path_buf();
    let settings = NowcastSettings {
        particles: request.particles,
        seed,
        prior_proposals,
        ..NowcastSettings::default()
    };
    let (summary, file) = pool.install(|| -> Result<(Summary, NowcastFile)> {
        progress.status("conditioning");
        let conditioned: Nowcast = condition(&engine, &scenario, &observed, &prior, &settings)
            .map_err(|e| super::Error::Refused(e.to_string()))?;
        if let Some(w) = &conditioned.warning {
            progress.note(&format!("warning: {w}"));
        }
        progress.status("forecast");
        let parameters = ParameterSource::Conditioned {
            samples: conditioned.samples.clone(),
            streams: conditioned.streams.clone(),
            cut_step: conditioned.cut_step,
        };
        let info = ParametersInfo {
            kind: "nowcast".into(),
            file: info.file.clone(),
            values: None,
            sha256: None,
        };
        let summary = super::run::write_runs(
            &super::run::RunsToWrite {
                dir: &dir,
                out: &out,
                engine: &engine,
                scenario: &scenario,
                parameters: &parameters,
                runs,
                seed,
                spaghetti,
            },
            info,
            &request.values,
            progress,
        )?;
        let writing = || format!("writing results for {}", out.display());
        let t = &scenario.timeline;
        let file = NowcastFile {
            scenario: request.scenario.display().to_string(),
            observed: request.observed.display().to_string(),
            method: METHOD,
            observation_model: OBSERVATION_MODEL,
            particles: conditioned.samples.len(),
            effective_sample_size: conditioned.ess,
            cut_utc: t.time_at(conditioned.cut_step).to_rfc3339(),
            cut_hours_since_event: t.hours_since_event(conditioned.cut_step),
            stages: conditioned.stages.clone(),
            simulations_to_cut: conditioned.simulations,
            parameters: conditioned.parameters.clone(),
            rows: conditioned.rows.clone(),
            warning: conditioned.warning.clone(),
            runs,
            seed,
        };
        crate::report::atomic::write_json_pretty(&dir.join("nowcast.json"), &file)
            .with_context(writing)?;
        Ok((summary, file))
    })?;
    super::run::plot(&dir, request.size)
        .with_context(|| format!("drawing plots for {}", out.display()))?;
    staging.commit()?;
    Ok(NowcastResult {
        summary,
        nowcast: file,
        out,
    })
}

/// The share of moves proposed from the fit's posterior: as asked (0 to 1), else the method's.
pub(super) fn prior_proposals(asked: Option<f64>) -> Result<f64> {
    let share = asked.unwrap_or(NowcastSettings::default().prior_proposals);
    if !(0.0..=1.0).contains(&share) {
        refuse!("--prior-proposals {share} is not a share; give 0 to 1");
    }
    Ok(share)
}
