//! `fit`: the behavioural parameters fitted to the reported figures (ABC-SMC), with posterior
//! predictive checks of the fitted figures and, with a held-out event, of that event's;
//! writes posterior.csv, fit.json, fitted.toml, timelines.json and the plots into a staged
//! folder.

use super::engine::EngineOptions;
use super::{Context, Result, refuse};
use crate::calibrate::abc::FitProgress;
use crate::calibrate::plot::{FitPlots, TimelinePlot};
use crate::calibrate::report::{
    FitReport, PredictiveRow, fitted_toml, parameter_rows, posterior_csv, predictive,
};
use crate::calibrate::timeline::EventTimeline;
use crate::calibrate::{
    AbcSettings, EventSet, ObservationSet, Priors, fit as abc_fit, load_observations, load_priors,
};
use crate::model::Behaviour;
use crate::report::atomic::write_atomic;
use crate::report::folder::{Owner, Staging};
use crate::report::plot::{PlotSize, render};
use crate::scenario::load_params;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The parameters and posterior every shipped scenario runs with (`--write-params`).
pub const SHIPPED_FITTED: &str = "params/fitted.toml";
pub const SHIPPED_POSTERIOR: &str = "params/fitted-posterior.csv";

/// The settings `fit` and `validate` share.
#[derive(Debug, Clone)]
pub struct FitSettings {
    /// Reported figures to fit.
    pub observations: PathBuf,
    /// Priors of the fitted parameters.
    pub priors: PathBuf,
    /// Values of the parameters that are not fitted.
    pub params: PathBuf,
    pub particles: usize,
    /// Most generations after the prior.
    pub generations: usize,
    /// Most simulations (each simulates every event once).
    pub max_simulations: usize,
    /// Posterior predictive draws per observation.
    pub draws: usize,
    pub seed: u64,
    /// Worker threads (0 = all cores); the results do not depend on it.
    pub threads: usize,
    pub engine: EngineOptions,
}

/// What `fit` is asked to do.
#[derive(Debug, Clone)]
pub struct FitRequest {
    pub settings: FitSettings,
    /// Leave this event (scenario name) out of the fit and predict it.
    pub hold_out: Option<String>,
    /// Output folder [default: output/fit, or output/fit-holdout-<EVENT>].
    pub out: Option<PathBuf>,
    /// Replace a folder that holds another command's results.
    pub force: bool,
    /// Where else to write the fitted parameters.
    pub fitted: Option<PathBuf>,
    /// Also replace the shipped parameters and posterior.
    pub write_params: bool,
    pub size: PlotSize,
}

/// What a fit gives back.
#[derive(Debug)]
pub struct FitResult {
    pub report: FitReport,
    /// The held-out event's figures, predicted (none without a held-out event).
    pub held: Option<Vec<PredictiveRow>>,
    /// Where the shipped posterior was written (`write_params`).
    pub shipped_posterior: Option<PathBuf>,
    /// Every file the fitted parameters were written to (none with a held-out event).
    pub fitted_files: Vec<PathBuf>,
    pub seconds: f64,
    pub out: PathBuf,
}

/// What both `fit` and `validate` read first.
pub(super) struct Inputs {
    pub base: Behaviour,
    pub priors: Priors,
    pub abc: AbcSettings,
    /// All observations of the observations file.
    pub all: ObservationSet,
}

pub(super) fn inputs(a: &FitSettings) -> Result<Inputs> {
    let base = load_params(&a.params)?;
    let priors = load_priors(&a.priors, &base)?;
    if a.particles < 10 {
        refuse!("--particles must be at least 10, got {}", a.particles);
    }
    if a.draws < 2 {
        refuse!(
            "--draws must be at least 2 (posterior predictive intervals and timelines need them), got {}",
            a.draws
        );
    }
    let abc = AbcSettings {
        particles: a.particles,
        max_generations: a.generations,
        max_simulations: a.max_simulations,
        seed: a.seed,
        ..AbcSettings::default()
    };
    Ok(Inputs {
        base,
        priors,
        abc,
        all: load_observations(&a.observations)?,
    })
}

pub fn fit(request: &FitRequest, progress: &dyn FitProgress) -> Result<FitResult> {
    let a = &request.settings;
    let Inputs {
        base,
        priors,
        abc,
        all,
    } = inputs(a)?;
    let (train, test) = match &request.hold_out {
        Some(event) => {
            let (train, test) = all.without_event(event);
            if test.observations.is_empty() {
                let names: Vec<_> = all
                    .events()
                    .iter()
                    .filter_map(|e| e.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .collect();
                refuse!(
                    "--hold-out {event}: no observation is of that event (events: {})",
                    names.join(", ")
                );
            }
            (train, Some(test))
        }
        None => (all, None),
    };
    if !train.any_fitted() {
        match &request.hold_out {
            Some(event) => refuse!(
                "--hold-out {event}: no other event has an observation with `fitted = true` in {}, so nothing is left to fit",
                a.observations.display()
            ),
            None => refuse!(
                "{}: every observation has `fitted = false`, so nothing is left to fit",
                a.observations.display()
            ),
        }
    }
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| match &request.hold_out {
            Some(event) => PathBuf::from("output").join(format!("fit-holdout-{event}")),
            None => PathBuf::from("output/fit"),
        });
    // The engine options replace each event's own engine, for the fitted and the held-out
    // events alike (both checked before the fit).
    let on_engines = |set: &ObservationSet| -> Result<EventSet> {
        let mut events = EventSet::new(set, Some(&a.params))?;
        events.scenarios = std::mem::take(&mut events.scenarios)
            .into_iter()
            .map(|s| a.engine.sample(s))
            .collect();
        events.engines = events
            .scenarios
            .iter()
            .map(|s| a.engine.settle(s.engine.clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(events)
    };
    let events = on_engines(&train)?;
    let test_events = test.as_ref().map(on_engines).transpose()?;
    // The output folder and every parameter file the fit will write are checked (and the
    // folder locked) before the fit, not after its minutes of work.
    let targets = param_targets(request);
    if request.hold_out.is_none() {
        check_param_targets(&targets)?;
    }
    let staging = Staging::begin_for(&out, Owner::Marker("fit.json"), request.force)?;
    let started = Instant::now();
    let pool = super::pool::worker_pool(a.threads)?;
    let (posterior, fitted, held) = pool.install(|| {
        let posterior = abc_fit(&events, &priors, &base, &abc, progress);
        let fitted = predictive(&events, &posterior, &priors, &base, a.draws, abc.seed);
        let held = test_events
            .as_ref()
            .map(|e| predictive(e, &posterior, &priors, &base, a.draws, abc.seed));
        (posterior, fitted, held)
    });
    let seconds = started.elapsed().as_secs_f64();
    let report = FitReport {
        surge_version: env!("CARGO_PKG_VERSION").into(),
        observations_file: a.observations.display().to_string(),
        priors_file: a.priors.display().to_string(),
        held_out: request.hold_out.clone(),
        settings: abc.clone(),
        stop_reason: posterior.stop,
        simulations: posterior.simulations,
        generations: posterior.generations.clone(),
        parameters: parameter_rows(&posterior, &priors),
        observations: fitted.rows,
    };
    let dir = staging.path();
    let posterior_bytes = posterior_csv(&posterior)?;
    write_atomic(&dir.join("posterior.csv"), &posterior_bytes)?;
    crate::report::atomic::write_json_pretty(&dir.join("fit.json"), &report)?;
    render(
        &FitPlots::Marginals {
            report: &report,
            posterior: &posterior,
        },
        dir,
        request.size,
    )?;
    render(
        &FitPlots::Observations {
            rows: &report.observations,
            title: "fitted figures: observed vs posterior predictive",
        },
        dir,
        request.size,
    )?;
    let mut timelines = fitted.timelines;
    timelines.extend(held.iter().flat_map(|h| h.timelines.iter().cloned()));
    let source = format!("posterior predictive, {} draws", a.draws);
    write_timelines(dir, &[(&timelines, source)], request.size)?;
    let mut result = FitResult {
        report,
        held: None,
        shipped_posterior: None,
        fitted_files: Vec::new(),
        seconds,
        out: out.clone(),
    };
    match held {
        Some(held) => {
            // The held-out event's figures were not in this fit: the table calls them predicted.
            result.held = Some(
                held.rows
                    .into_iter()
                    .map(|r| PredictiveRow { fitted: false, ..r })
                    .collect(),
            );
            staging.commit()?;
        }
        None => {
            let toml = fitted_toml(&result.report, &base);
            // What the fit writes is checked as any parameter file is, before anything is
            // written: surge never ships a parameter file it would then refuse.
            Behaviour::parse(&dir.join("fitted.toml"), &toml)?;
            write_atomic(&dir.join("fitted.toml"), toml.as_bytes())?;
            check_param_targets(&targets)?;
            staging.commit()?;
            result.fitted_files.push(out.join("fitted.toml"));
            let files: Vec<(PathBuf, &[u8])> = targets
                .iter()
                .map(|(path, kind)| {
                    let bytes = match kind {
                        ParamFile::Fitted => toml.as_bytes(),
                        ParamFile::Posterior => &posterior_bytes[..],
                    };
                    (path.clone(), bytes)
                })
                .collect();
            write_together(&files)?;
            for (path, kind) in targets {
                match kind {
                    ParamFile::Fitted => result.fitted_files.push(path),
                    ParamFile::Posterior => result.shipped_posterior = Some(path),
                }
            }
        }
    }
    Ok(result)
}

/// What a parameter file a fit writes holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ParamFile {
    Fitted,
    Posterior,
}

/// The parameter files a fit writes besides its folder: `--fitted`, and with `--write-params`
/// the shipped pair (params/fitted-posterior.csv and params/fitted.toml).
fn param_targets(request: &FitRequest) -> Vec<(PathBuf, ParamFile)> {
    let mut targets: Vec<(PathBuf, ParamFile)> = request
        .fitted
        .iter()
        .map(|p| (p.clone(), ParamFile::Fitted))
        .collect();
    if request.write_params {
        // The working folder's params/ when it has them (surge's checkout), else the shipped ones.
        targets.push((
            crate::scenario::shipped_file(SHIPPED_POSTERIOR),
            ParamFile::Posterior,
        ));
        targets.push((
            crate::scenario::shipped_file(SHIPPED_FITTED),
            ParamFile::Fitted,
        ));
    }
    targets
}

/// Each target must be absent or a file written by `surge fit` (its first line is the one a
/// fit writes): a folder, or a file of the user's, is refused. (A folder that does not exist
/// fails the write of the whole set before any file is replaced: `write_together`.)
fn check_param_targets(targets: &[(PathBuf, ParamFile)]) -> Result<()> {
    for (path, kind) in targets {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            continue;
        };
        if !meta.is_file() {
            refuse!(
                "{}: is not a file (a folder, link or device); expected the path of a parameter file to write",
                path.display()
            );
        }
        let ours = crate::report::owned::replaceable_file(path, |text| match kind {
            ParamFile::Fitted => text.starts_with(FITTED_HEADER),
            ParamFile::Posterior => text.starts_with("particle,weight,distance"),
        });
        if !ours {
            refuse!(
                "{}: is not a file `surge fit` wrote (its first line is not {:?}), so surge leaves it as it is; give another path",
                path.display(),
                match kind {
                    ParamFile::Fitted => FITTED_HEADER,
                    ParamFile::Posterior => "particle,weight,distance,...",
                }
            );
        }
    }
    Ok(())
}

/// The first words of every fitted.toml (`calibrate::report::fitted_toml`).
const FITTED_HEADER: &str = "# Behavioural parameters fitted by `surge fit`";

/// Writes several files as a set: every one is filled in a temporary beside its target first,
/// and only then are they renamed, one after another (a pair such as fitted.toml and its
/// posterior is never left half replaced by a failure to write either).
fn write_together(files: &[(PathBuf, &[u8])]) -> Result<()> {
    use std::io::Write;
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut tmp = crate::report::atomic::temporary_for(path)?;
        tmp.write_all(bytes)
            .with_context(|| format!("writing {}", path.display()))?;
        staged.push((tmp, path));
    }
    for (tmp, path) in staged {
        crate::report::atomic::persist(tmp, path)?;
    }
    Ok(())
}

/// Writes `timelines.json` (every event's timeline of this command, from every set) and one
/// plot per event, each set's plots saying where its timelines come from.
pub(super) fn write_timelines(
    dir: &Path,
    sets: &[(&[EventTimeline], String)],
    size: PlotSize,
) -> Result<()> {
    let all: Vec<&EventTimeline> = sets.iter().flat_map(|(t, _)| t.iter()).collect();
    crate::report::atomic::write_json_pretty(&dir.join("timelines.json"), &all)?;
    for (timelines, source) in sets {
        for timeline in *timelines {
            render(&TimelinePlot { timeline, source }, dir, size)?;
        }
    }
    Ok(())
}
