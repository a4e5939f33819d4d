//! `nowcast --evaluate`: simulation-based calibration of the nowcast on a scenario and the
//! reported events' early-to-late checks, written as a table (nowcast.md) and evaluation.json.

use super::progress::Progress;
use super::{Result, refuse};
use crate::calibrate::abc::{AbcSettings, fit};
use crate::calibrate::nowcast::FitPosterior;
use crate::calibrate::nowcast_check::{
    Calibration, CalibrationSettings, QUANTITIES, ReportedCheck, check_reported,
    simulation_based_calibration, split,
};
use crate::calibrate::report::read_posterior;
use crate::calibrate::{EventSet, ObservationSet, load_observations, load_priors};
use crate::report::atomic::{write_atomic, write_json_pretty};
use crate::report::folder::{Owner, Staging};
use crate::scenario::{load_params, load_scenario, shipped_file};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `nowcast --evaluate` is asked to do.
#[derive(Debug, Clone)]
pub struct EvaluateRequest {
    /// The scenario of the simulation-based calibration.
    pub scenario: PathBuf,
    pub events: usize,
    pub particles: usize,
    pub seed: u64,
    pub threads: usize,
    pub out: PathBuf,
    /// Also write the table here (replaces only a table this command wrote).
    pub markdown: Option<PathBuf>,
    pub force: bool,
    /// Only the simulation-based calibration (no reported events, no leave-one-out fits).
    pub synthetic_only: bool,
    /// As `NowcastSettings::prior_proposals` [default: its default].
    pub prior_proposals: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub scenario: String,
    pub calibration: Calibration,
    pub reported: Vec<ReportedCheck>,
}

/// What the evaluation gives back.
#[derive(Debug)]
pub struct EvaluateResult {
    pub evaluation: Evaluation,
    pub markdown: String,
    pub out: PathBuf,
    /// Wall time, seconds (printed, not written: the files depend on the seed alone).
    pub seconds: f64,
}

const TITLE: &str = "# Nowcast evaluation\n";

pub fn evaluate(request: &EvaluateRequest, progress: &dyn Progress) -> Result<EvaluateResult> {
    let started = Instant::now();
    if request.events < 1 || request.particles < 10 {
        refuse!("--events must be at least 1 and --particles at least 10");
    }
    let prior_proposals = super::nowcast::prior_proposals(request.prior_proposals)?;
    if let Some(file) = &request.markdown
        && file.parent() != Some(request.out.as_path())
        && !crate::report::owned::replaceable_file(file, |t| {
            t.starts_with(TITLE) && t.contains("Regenerate with `surge nowcast --evaluate")
        })
    {
        refuse!(
            "--markdown {}: is not a table `surge nowcast --evaluate` wrote, so surge leaves it as it is; give another path",
            file.display()
        );
    }
    let scenario = load_scenario(&request.scenario, None)?;
    let engine = scenario.engine.clone();
    let posterior_file = super::parameters::posterior_beside(&scenario.params_file);
    let (samples, weights) =
        read_posterior(&posterior_file, &scenario.behaviour).map_err(super::Error::Refused)?;
    let priors_file = shipped_file("params/priors.toml");
    let priors = load_priors(&priors_file, &scenario.behaviour)?;
    let prior = FitPosterior::new(
        priors.clone(),
        scenario.behaviour.clone(),
        &samples,
        &weights,
    )
    .map_err(refused)?;
    let fitted = load_observations(&shipped_file("data/observations.toml"))?;
    let catalogue = load_observations(&shipped_file("data/out-of-fit.toml"))?;
    let base_file = shipped_file("params/default.toml");
    let base = load_params(&base_file)?;
    let staging = Staging::begin_for(
        &request.out,
        Owner::Marker("evaluation.json"),
        request.force,
    )?;
    let pool = super::pool::worker_pool(request.threads)?;
    let evaluation = pool.install(|| -> Result<Evaluation> {
        progress.status("simulation-based calibration");
        progress.start(request.events as u64);
        let settings = CalibrationSettings {
            events: request.events,
            particles: request.particles,
            horizons: vec![1.0, 3.0, 6.0],
            seed: request.seed,
            app: 0,
            prior_proposals,
        };
        let calibration =
            simulation_based_calibration(&engine, &scenario, &prior, &settings, &|_| {
                progress.advance(1)
            });
        progress.finish();
        let mut reported = Vec::new();
        let sets: &[(&ObservationSet, bool)] = if request.synthetic_only {
            &[]
        } else {
            &[(&fitted, true), (&catalogue, false)]
        };
        for &(set, in_fit) in sets {
            for event in set.events() {
                let name = event
                    .file_stem()
                    .map_or(String::new(), |s| s.to_string_lossy().into_owned());
                let of_event: Vec<_> = set
                    .observations
                    .iter()
                    .filter(|o| o.event == event)
                    .cloned()
                    .collect();
                let Some((early, later)) = split(&of_event) else {
                    continue;
                };
                progress.status(&format!("reported: {name}"));
                let s = load_scenario(&event, None)?;
                let (prior, label) = if in_fit {
                    (
                        leave_out(&fitted, &name, &base_file, &priors, &base, &s, request.seed)?,
                        "the fit without this event",
                    )
                } else {
                    (
                        FitPosterior::new(priors.clone(), s.behaviour.clone(), &samples, &weights)
                            .map_err(refused)?,
                        "the fit to every event (this event is never fitted)",
                    )
                };
                if let Some(check) = check_reported(
                    &s.engine,
                    &s,
                    &prior,
                    &early,
                    &later,
                    request.particles.max(200),
                    request.seed,
                    label,
                ) {
                    reported.push(check);
                }
            }
        }
        Ok(Evaluation {
            scenario: request.scenario.display().to_string(),
            calibration,
            reported,
        })
    })?;
    let markdown = markdown(request, &evaluation);
    let dir = staging.path().to_path_buf();
    write_json_pretty(&dir.join("evaluation.json"), &evaluation)?;
    write_atomic(&dir.join("nowcast.md"), markdown.as_bytes())?;
    staging.commit()?;
    if let Some(file) = &request.markdown {
        write_atomic(file, markdown.as_bytes())?;
    }
    Ok(EvaluateResult {
        evaluation,
        markdown,
        out: request.out.clone(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The fit to every reported event but `name`, as the nowcast's prior for `scenario`.
fn leave_out(
    set: &ObservationSet,
    name: &str,
    params: &Path,
    priors: &crate::calibrate::Priors,
    base: &crate::model::Behaviour,
    scenario: &crate::scenario::Scenario,
    seed: u64,
) -> Result<FitPosterior> {
    let (train, _) = set.without_event(name);
    let events = EventSet::new(&train, Some(params))?;
    let settings = AbcSettings {
        seed,
        ..AbcSettings::default()
    };
    let posterior = fit(
        &events,
        priors,
        base,
        &settings,
        &crate::calibrate::abc::Silent,
    );
    let samples: Vec<_> = posterior
        .particles
        .iter()
        .map(|x| {
            let u: Vec<f64> = priors
                .priors
                .iter()
                .zip(x)
                .map(|(p, v)| p.to_prior_space(*v))
                .collect();
            priors.behaviour(&scenario.behaviour, &u)
        })
        .collect();
    FitPosterior::new(
        priors.clone(),
        scenario.behaviour.clone(),
        &samples,
        &posterior.weights,
    )
    .map_err(refused)
}

/// A posterior the nowcast cannot start from, as a refusal that says why.
fn refused(e: crate::calibrate::nowcast::NowcastError) -> super::Error {
    super::Error::Refused(e.to_string())
}

fn number(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        "-".into()
    } else if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

fn markdown(request: &EvaluateRequest, e: &Evaluation) -> String {
    let c = &e.calibration;
    let mut m = String::from(TITLE);
    let _ = writeln!(
        m,
        "\nRegenerate with `surge nowcast --evaluate {} --events {} --particles {} --seed {}{} --markdown docs/nowcast.md`.\n",
        request.scenario.display(),
        request.events,
        request.particles,
        request.seed,
        if request.synthetic_only {
            " --synthetic-only"
        } else {
            ""
        }
    );
    let _ = writeln!(
        m,
        "## 1. Simulation-based calibration\n\n{} synthetic events of `{}` (outage and inputs as in the scenario; parameters drawn from the nowcast's prior, the fit's smoothed posterior; each a seeded run). Each is observed as a counter of {}'s registrations (organic included) every 15 minutes for the first 1, 3 and 6 hours after the event starts, and nowcast with {} particles; the forecast is the particles' continuations. The unconditioned forecast is {} runs with parameters from the same prior. Scores (Bracher et al. 2021): coverage of the central 50% and 90% intervals (nominal 0.50 and 0.90), the unconditioned forecast's 90% coverage (a check of the check: the truths come from its own prior, so it is near 0.90 up to sampling error, about 2 points with 200 events, and a {}-sample interval's own shortfall, about 1-2 points), mean weighted interval score (WIS; lower is better) of the forecast and of the unconditioned one, and the median over events of the conditioned 90% band's width over the unconditioned one's. {} of {} nowcasts warned that the observations lay outside the particles' reach.\n",
        c.events,
        e.scenario,
        c.app,
        c.particles,
        c.particles,
        c.particles,
        c.warnings,
        c.events * 3
    );
    m.push_str("| observed | quantity | 50% coverage | 90% coverage | 90% coverage unconditioned | WIS | WIS unconditioned | WIS ratio | 90% width ratio |\n|---|---|---|---|---|---|---|---|---|\n");
    for s in &c.scores {
        let _ = writeln!(
            m,
            "| {} h | {} | {:.2} | {:.2} | {:.2} | {} | {} | {:.2} | {:.2} |",
            s.observed_hours,
            s.quantity,
            s.coverage_50,
            s.coverage_90,
            s.coverage_90_unconditioned,
            number(s.wis),
            number(s.wis_unconditioned),
            s.wis / s.wis_unconditioned,
            s.width_ratio_90
        );
    }
    let calibrated = c
        .scores
        .iter()
        .filter(|s| (s.coverage_50 - 0.5).abs() <= 0.05 && (s.coverage_90 - 0.9).abs() <= 0.05)
        .count();
    let better = c
        .scores
        .iter()
        .filter(|s| s.wis < s.wis_unconditioned)
        .count();
    let _ = writeln!(
        m,
        "\nTargets (issue 38): both coverages within 5 points of nominal in {calibrated} of {} rows; the WIS beats the unconditioned forecast in {better} of {} rows.",
        c.scores.len(),
        c.scores.len()
    );
    if let Some(s) = c
        .scores
        .iter()
        .find(|s| s.observed_hours == 3.0 && s.quantity == QUANTITIES[0])
    {
        let _ = writeln!(
            m,
            "With 3 hours observed, the 90% band of the 24-hour registrations is {:.2} of the unconditioned one's width (median over events; target at most 0.6).",
            s.width_ratio_90
        );
    }
    m.push_str("\n## 2. Reported events: early figures predict the later ones\n\nFor every reported event whose figures end at different times (`data/observations.toml`, `data/out-of-fit.toml`; one fixed window, counts only), the figures that end first are observed (as approximate figures, their reported range) and the later ones predicted. The prior is the fit without the event (a fitted event) or the fit to every event (one never fitted).\n\n| event | observed | predicted figure | reported | conditioned median [90%] | covered | unconditioned median [90%] | covered |\n|---|---|---|---|---|---|---|---|\n");
    for r in &e.reported {
        for f in &r.forecasts {
            let _ = writeln!(
                m,
                "| {} | {} | {} | [{}, {}] | {} [{}, {}] | {} | {} [{}, {}] | {} |",
                r.event,
                r.conditioned_on.join(", "),
                f.id,
                number(f.low),
                number(f.high),
                number(f.conditioned[0]),
                number(f.conditioned[1]),
                number(f.conditioned[2]),
                if f.covered { "yes" } else { "no" },
                number(f.unconditioned[0]),
                number(f.unconditioned[1]),
                number(f.unconditioned[2]),
                if f.covered_unconditioned { "yes" } else { "no" }
            );
        }
    }
    for r in &e.reported {
        let _ = writeln!(
            m,
            "\n- {}: prior {}; effective sample size {:.0}{}",
            r.event,
            r.posterior,
            r.effective_sample_size,
            r.warning
                .as_ref()
                .map_or(String::new(), |w| format!("; warning: {w}"))
        );
    }
    m
}
