//! How good a nowcast is (`surge nowcast --evaluate`, docs/nowcast.md): simulation-based
//! calibration on synthetic events drawn from the nowcast's own prior (Talts et al. 2018, in
//! its interval form), scored as the COVID-19 Forecast Hub scores forecasts (coverage of the
//! central 50% and 90% intervals and the weighted interval score, Bracher et al. 2021, PLoS
//! Comput. Biol. 17:e1008618); and the reported events whose early figures can predict their
//! later ones.

use super::nowcast::{FitPosterior, Nowcast, NowcastSettings, condition, cumulative};
use super::observations::Observation;
use super::observed::parse_observed;
use super::predict::Tally;
use crate::engine::streams::{RunStreams, outside, stream_key};
use crate::engine::{BuildEngine, Observed, Observer};
use crate::model::Behaviour;
use crate::report::stats::quantile_sorted;
use crate::scenario::Scenario;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;

/// The quantities forecast: the app's registrations 24 and 72 hours after the event starts,
/// and its peak sign-up rate (per second, over an output interval).
pub const QUANTITIES: [&str; 3] = ["registrations_24h", "registrations_72h", "peak_rate"];

/// Central interval levels of the weighted interval score (the Hub's 23 quantiles: α = 0.02,
/// 0.05, 0.1, ..., 0.9, and the median).
const ALPHAS: [f64; 11] = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// How the calibration runs.
#[derive(Debug, Clone)]
pub struct CalibrationSettings {
    /// Synthetic events drawn from the prior.
    pub events: usize,
    /// Particles of each nowcast (also the forecast runs and the unconditioned runs).
    pub particles: usize,
    /// Hours observed after the event starts.
    pub horizons: Vec<f64>,
    pub seed: u64,
    /// The app whose registrations are observed and forecast.
    pub app: usize,
    /// As `NowcastSettings::prior_proposals`.
    pub prior_proposals: f64,
}

/// One horizon and quantity, over every synthetic event.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub observed_hours: f64,
    pub quantity: &'static str,
    pub coverage_50: f64,
    pub coverage_90: f64,
    /// The unconditioned forecast's 90% coverage: a check of the check (it must be near 0.90
    /// whatever the conditioning does, since the truths come from the same prior).
    pub coverage_90_unconditioned: f64,
    /// Mean weighted interval score, conditioned and not.
    pub wis: f64,
    pub wis_unconditioned: f64,
    /// Median over events of the conditioned 90% band's width over the unconditioned one's.
    pub width_ratio_90: f64,
}

/// The calibration's result.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub events: usize,
    pub particles: usize,
    pub app: String,
    pub scores: Vec<Score>,
    /// Nowcasts that warned that the observations lay outside the particles' reach.
    pub warnings: usize,
}

/// One synthetic event's scores for one horizon and quantity: inside the 50% and 90% bands,
/// the WIS conditioned and not, the 90% width ratio, and inside the unconditioned 90% band.
type EventScore = (bool, bool, f64, f64, f64, bool);

/// The app's cumulative registrations (every region and organic) at every step end.
pub struct Registrations {
    app: usize,
    /// Index 0: before the first step.
    pub at: Vec<f64>,
}

impl Registrations {
    pub fn new(app: usize) -> Self {
        Registrations { app, at: vec![0.0] }
    }
}

impl Observer for Registrations {
    fn after_step(&mut self, _step: usize, c: &Observed) {
        let regions: u64 = c.regions.iter().map(|r| r.registered[self.app]).sum();
        self.at.push((regions + c.baseline[self.app]) as f64);
    }
}

/// One simulated event's [`Registrations`] of app `app`.
pub fn registrations(
    engines: &dyn BuildEngine,
    s: &Scenario,
    b: &Behaviour,
    streams: &RunStreams,
    app: usize,
) -> Vec<f64> {
    let mut r = Registrations::new(app);
    engines.build(s, b).run(streams, &mut r);
    r.at
}

/// The three quantities of one simulated event (NaN where the horizon is too short).
fn quantities(s: &Scenario, r: &[f64]) -> [f64; 3] {
    let t = &s.timeline;
    let per_hour = 1.0 / t.step_hours;
    let start = t.event_step;
    let at = |h: f64| {
        let i = start + (h * per_hour).round() as usize;
        if i < r.len() {
            r[i] - r[start]
        } else {
            f64::NAN
        }
    };
    let every = t.output_every;
    let seconds = every as f64 * t.step_hours * 3600.0;
    let mut peak: f64 = 0.0;
    let mut i = start;
    while i + every < r.len() {
        peak = peak.max((r[i + every] - r[i]) / seconds);
        i += every;
    }
    [at(24.0), at(72.0), peak]
}

/// The weighted interval score of a sorted predictive sample at `y` (Bracher et al. 2021,
/// eq. 2).
pub fn weighted_interval_score(s: &[f64], y: f64) -> f64 {
    let median = quantile_sorted(s, 0.5);
    let mut total = 0.5 * (y - median).abs();
    for a in ALPHAS {
        let (l, u) = (
            quantile_sorted(s, a / 2.0),
            quantile_sorted(s, 1.0 - a / 2.0),
        );
        let interval = (u - l) + (2.0 / a) * (l - y).max(0.0) + (2.0 / a) * (y - u).max(0.0);
        total += a / 2.0 * interval;
    }
    total / (ALPHAS.len() as f64 + 0.5)
}

/// Whether `y` is inside the central `level` interval of the sorted sample, and the interval's
/// width.
fn central(s: &[f64], y: f64, level: f64) -> (bool, f64) {
    let (l, u) = (
        quantile_sorted(s, (1.0 - level) / 2.0),
        quantile_sorted(s, (1.0 + level) / 2.0),
    );
    (l <= y && y <= u, u - l)
}

fn rng(seed: u64, purpose: u64, unit: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(stream_key(
        stream_key(seed, outside::NOWCAST, outside::NOWCAST_CHECK),
        purpose,
        unit,
    ))
}

/// Streams of the check's own runs, by purpose (the truths, the unconditioned forecast, the
/// conditioned forecasts' continuations).
fn run_streams(seed: u64, purpose: u64, run: u64) -> RunStreams {
    RunStreams::new(
        stream_key(
            stream_key(seed, outside::NOWCAST, outside::NOWCAST_CHECK),
            purpose,
            0,
        ),
        run,
    )
}

/// The continuation of every conditioned particle, simulated whole with `observer`.
pub fn continue_particles<O: Observer + Send>(
    engines: &dyn BuildEngine,
    s: &Scenario,
    nowcast: &Nowcast,
    seed: u64,
    make: impl Fn() -> O + Sync,
) -> Vec<O> {
    (0..nowcast.samples.len())
        .into_par_iter()
        .map(|i| {
            let streams = nowcast.streams[i].then(run_streams(seed, 3, i as u64), nowcast.cut_step);
            let mut o = make();
            engines.build(s, &nowcast.samples[i]).run(&streams, &mut o);
            o
        })
        .collect()
}

/// Simulation-based calibration of the nowcast of `scenario`'s app `settings.app`.
pub fn simulation_based_calibration(
    engines: &dyn BuildEngine,
    scenario: &Scenario,
    prior: &FitPosterior,
    settings: &CalibrationSettings,
    progress: &(dyn Fn(usize) + Sync),
) -> Calibration {
    let (n, seed, app) = (settings.particles, settings.seed, settings.app);
    let t = &scenario.timeline;
    // The forecast without observations: the prior predictive, the same for every event.
    let unconditioned: Vec<[f64; 3]> = (0..n as u64)
        .into_par_iter()
        .map(|j| {
            let b = prior.behaviour(&prior.draw(&mut rng(seed, 1, j)));
            quantities(
                scenario,
                &registrations(engines, scenario, &b, &run_streams(seed, 1, j), app),
            )
        })
        .collect();
    // Each quantity's sample, sorted once (the unconditioned one serves every event).
    let column = |v: &[[f64; 3]], q: usize| -> Vec<f64> {
        let mut c: Vec<f64> = v.iter().map(|x| x[q]).collect();
        c.sort_by(f64::total_cmp);
        c
    };
    let unconditioned: Vec<Vec<f64>> = (0..QUANTITIES.len())
        .map(|q| column(&unconditioned, q))
        .collect();
    let mut per: Vec<Vec<EventScore>> =
        vec![Vec::new(); settings.horizons.len() * QUANTITIES.len()];
    let mut warnings = 0;
    for e in 0..settings.events as u64 {
        let truth_b = prior.behaviour(&prior.draw(&mut rng(seed, 2, e)));
        let truth = registrations(engines, scenario, &truth_b, &run_streams(seed, 2, e), app);
        let truth_q = quantities(scenario, &truth);
        for (h_index, &h) in settings.horizons.iter().enumerate() {
            let start = t.event_step;
            let readings = (h * 4.0).round() as usize;
            let per_reading = ((0.25 / t.step_hours).round() as usize).max(1);
            let mut csv = String::from("app,region,metric,since_utc,time_utc,value\n");
            for k in 1..=readings {
                let step = (start + k * per_reading).min(t.steps);
                csv.push_str(&format!(
                    "{},all,registrations,{},{},{}\n",
                    scenario.apps[app].name,
                    t.time_at(start).to_rfc3339(),
                    t.time_at(step).to_rfc3339(),
                    truth[step] - truth[start]
                ));
            }
            let Ok(set) = parse_observed(Path::new("synthetic.csv"), &csv, scenario) else {
                continue;
            };
            let nowcast_settings = NowcastSettings {
                particles: n,
                seed: stream_key(seed, e, h_index as u64),
                prior_proposals: settings.prior_proposals,
                ..NowcastSettings::default()
            };
            let Ok(nowcast) = condition(engines, scenario, &set, prior, &nowcast_settings) else {
                continue;
            };
            if nowcast.warning.is_some() {
                warnings += 1;
            }
            let forecast: Vec<[f64; 3]> = continue_particles(
                engines,
                scenario,
                &nowcast,
                stream_key(seed, e, h_index as u64),
                || Registrations::new(app),
            )
            .iter()
            .map(|r| quantities(scenario, &r.at))
            .collect();
            for q in 0..QUANTITIES.len() {
                let y = truth_q[q];
                if !y.is_finite() {
                    continue;
                }
                let (f, u) = (column(&forecast, q), &unconditioned[q]);
                let (in50, _) = central(&f, y, 0.5);
                let (in90, w) = central(&f, y, 0.9);
                let (u_in90, uw) = central(u, y, 0.9);
                per[h_index * QUANTITIES.len() + q].push((
                    in50,
                    in90,
                    weighted_interval_score(&f, y),
                    weighted_interval_score(u, y),
                    if uw > 0.0 { w / uw } else { f64::NAN },
                    u_in90,
                ));
            }
        }
        progress(e as usize + 1);
    }
    let scores = settings
        .horizons
        .iter()
        .enumerate()
        .flat_map(|(h_index, &h)| {
            let per = &per;
            QUANTITIES.iter().enumerate().filter_map(move |(q, &name)| {
                let rows = &per[h_index * QUANTITIES.len() + q];
                if rows.is_empty() {
                    return None;
                }
                let m = rows.len() as f64;
                let mut ratios: Vec<f64> =
                    rows.iter().map(|r| r.4).filter(|x| x.is_finite()).collect();
                ratios.sort_by(f64::total_cmp);
                Some(Score {
                    observed_hours: h,
                    quantity: name,
                    coverage_50: rows.iter().filter(|r| r.0).count() as f64 / m,
                    coverage_90: rows.iter().filter(|r| r.1).count() as f64 / m,
                    coverage_90_unconditioned: rows.iter().filter(|r| r.5).count() as f64 / m,
                    wis: rows.iter().map(|r| r.2).sum::<f64>() / m,
                    wis_unconditioned: rows.iter().map(|r| r.3).sum::<f64>() / m,
                    width_ratio_90: if ratios.is_empty() {
                        f64::NAN
                    } else {
                        quantile_sorted(&ratios, 0.5)
                    },
                })
            })
        })
        .collect();
    Calibration {
        events: settings.events,
        particles: n,
        app: scenario.apps[app].name.clone(),
        scores,
        warnings,
    }
}

/// A reported figure predicted from an event's earlier ones.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedForecast {
    pub id: String,
    pub low: f64,
    pub high: f64,
    /// Median and 90% interval, conditioned on the earlier figures and not.
    pub conditioned: [f64; 3],
    pub unconditioned: [f64; 3],
    pub covered: bool,
    pub covered_unconditioned: bool,
}

/// One reported event's check.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedCheck {
    pub event: String,
    /// Which fit's posterior was the prior: the fit without this event, or (an event never
    /// fitted) the fit to every event.
    pub posterior: String,
    pub conditioned_on: Vec<String>,
    pub forecasts: Vec<ReportedForecast>,
    pub effective_sample_size: f64,
    pub warning: Option<String>,
}

/// Figures with one fixed window that count something (not a share, ratio or bound).
fn usable(o: &Observation) -> bool {
    !o.is_share()
        && !o.is_ratio()
        && !o.is_upper_bound()
        && o.window_start_hours[0] == o.window_start_hours[1]
        && !o.id.ends_with(".largest")
}

/// The figures of one event that a nowcast can be checked on: those ending first are observed,
/// those ending later predicted. `None` if the event has no such split.
pub fn split(observations: &[Observation]) -> Option<(Vec<Observation>, Vec<Observation>)> {
    let mut figures: Vec<Observation> =
        observations.iter().filter(|o| usable(o)).cloned().collect();
    let end = |o: &Observation| o.window_start_hours[0] + o.window_hours;
    figures.sort_by(|a, b| end(a).total_cmp(&end(b)));
    let first = end(figures.first()?);
    let (early, later): (Vec<_>, Vec<_>) =
        figures.into_iter().partition(|o| end(o) <= first + 1e-9);
    (!later.is_empty()).then_some((early, later))
}

/// Conditions `scenario` on `early` (as approximate figures) and predicts `later`.
#[allow(clippy::too_many_arguments)]
pub fn check_reported(
    engines: &dyn BuildEngine,
    scenario: &Scenario,
    prior: &FitPosterior,
    early: &[Observation],
    later: &[Observation],
    particles: usize,
    seed: u64,
    posterior: &str,
) -> Option<ReportedCheck> {
    let t = &scenario.timeline;
    let app_of = |o: &Observation| scenario.apps.iter().position(|a| a.name == o.app);
    let hours = |o: &Observation| t.event_step as f64 * t.step_hours + o.window_start_hours[0];
    let mut csv = String::from("app,region,metric,since_utc,time_utc,value,low,high\n");
    for o in early {
        let from = hours(o);
        let at =
            |h: f64| t.start + chrono::Duration::milliseconds((h * 3_600_000.0).round() as i64);
        csv.push_str(&format!(
            "{},all,{},{},{},{},{},{}\n",
            o.app,
            o.counts.name(),
            at(from).to_rfc3339(),
            at(from + o.window_hours).to_rfc3339(),
            (o.low * o.high).sqrt(),
            o.low,
            o.high
        ));
    }
    let set = parse_observed(Path::new("early figures"), &csv, scenario).ok()?;
    let settings = NowcastSettings {
        particles,
        seed,
        ..NowcastSettings::default()
    };
    let nowcast = condition(engines, scenario, &set, prior, &settings).ok()?;
    let full = || Tally::until(scenario, t.steps);
    let conditioned = continue_particles(engines, scenario, &nowcast, seed, full);
    let unconditioned: Vec<Tally> = (0..particles as u64)
        .into_par_iter()
        .map(|j| {
            let b = prior.behaviour(&prior.draw(&mut rng(seed, 4, j)));
            let mut tally = full();
            engines
                .build(scenario, &b)
                .run(&run_streams(seed, 4, j), &mut tally);
            tally
        })
        .collect();
    let band = |tallies: &[Tally], o: &Observation, app: usize| -> [f64; 3] {
        let mut v: Vec<f64> = tallies
            .iter()
            .map(|tally| {
                let c = |h: f64| cumulative(tally, scenario, o.counts, app, None, h);
                c(hours(o) + o.window_hours) - c(hours(o))
            })
            .collect();
        v.sort_by(f64::total_cmp);
        [
            quantile_sorted(&v, 0.5),
            quantile_sorted(&v, 0.05),
            quantile_sorted(&v, 0.95),
        ]
    };
    let forecasts = later
        .iter()
        .filter_map(|o| {
            let app = app_of(o)?;
            let c = band(&conditioned, o, app);
            let u = band(&unconditioned, o, app);
            let meets = |b: [f64; 3]| b[1] <= o.high && b[2] >= o.low;
            Some(ReportedForecast {
                id: o.id.clone(),
                low: o.low,
                high: o.high,
                conditioned: c,
                unconditioned: u,
                covered: meets(c),
                covered_unconditioned: meets(u),
            })
        })
        .collect();
    Some(ReportedCheck {
        event: scenario.name.clone(),
        posterior: posterior.to_string(),
        conditioned_on: early.iter().map(|o| o.id.clone()).collect(),
        forecasts,
        effective_sample_size: nowcast.ess,
        warning: nowcast.warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_score_rewards_sharp_forecasts_that_cover() {
        let sharp: Vec<f64> = (0..101).map(|i| 95.0 + i as f64 / 10.0).collect();
        let wide: Vec<f64> = (0..101).map(|i| 50.0 + i as f64).collect();
        assert!(weighted_interval_score(&sharp, 100.0) < weighted_interval_score(&wide, 100.0));
        // A point forecast at the truth scores 0.
        assert_eq!(weighted_interval_score(&[3.0; 5], 3.0), 0.0);
        // Far outside, the sharp forecast is worse than the wide one that still covers.
        assert!(weighted_interval_score(&sharp, 140.0) > weighted_interval_score(&wide, 140.0));
    }
}
