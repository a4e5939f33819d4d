//! Conditioning a scenario's forecast on the counts observed so far (`surge nowcast`): both
//! the behavioural parameters and the state of the event, by a sequential Monte Carlo sampler.
//!
//! Method: adaptive tempered SMC (Del Moral, Doucet & Jasra 2012, "An adaptive sequential Monte
//! Carlo method for approximate Bayesian computation", Stat. Comput. 22:1009; the tempering
//! schedule chosen so that each stage keeps half the effective sample size, as in Jasra et al.
//! 2011). The target is p0(θ) p(x | θ) L(y | x), where p0 is the fit's posterior (smoothed by a
//! Gaussian kernel density estimate with Silverman's bandwidth, in the priors' space),
//! x the simulated event up to the last observation and L the observation model below. Each
//! stage multiplies the weights by L^(φ' - φ), resamples (systematic resampling, Kitagawa 1996)
//! and moves every particle by Metropolis-Hastings steps that propose new parameters by a
//! random walk (the particles' covariance, its scale adapted between sweeps; Fearnhead & Taylor
//! 2013) and a new simulated event x' ~ p(x | θ'): the particle-marginal move of Andrieu,
//! Doucet & Holenstein 2010 (§2.4), exact for the extended target whatever the simulation's
//! variance. A particle is simulated only to the step of the last observation ("the cut"), and
//! it keeps the random streams of that simulation, so its continuation to the horizon replays
//! them exactly up to the cut and then draws its own (`RunStreams::then`).
//!
//! Observation model (docs/MODEL.md §15):
//! - a reading of a counter (no `low`, `high`): the increase since its previous reading is
//!   negative binomial with the model's increase as its mean and size `k` (variance
//!   μ + μ²/k); readings closer together than one time step are thinned to one a step, because
//!   within a step the model's count is interpolated and carries no more information;
//! - an approximate figure (`low`, `high`): the fit's interval distance d (log10 units outside
//!   the range over 0.1, as in `data/observations.toml`), with likelihood exp(-d²/2).

use super::observations::Counts;
use super::observed::{ObservedRow, ObservedSet};
use super::predict::Tally;
use super::priors::Priors;
use crate::engine::BuildEngine;
use crate::engine::streams::{RunStreams, outside, stream_key};
use crate::model::Behaviour;
use crate::model::draw::weighted_index;
use crate::report::stats::quantile_sorted;
use crate::scenario::Scenario;
use rand::RngExt;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;

/// How the sampler runs.
#[derive(Debug, Clone, PartialEq)]
pub struct NowcastSettings {
    /// Particles (parameter sets with their simulated events up to the cut).
    pub particles: usize,
    pub seed: u64,
    /// Metropolis-Hastings moves of every particle after each resampling.
    pub moves: usize,
    /// Most tempering stages; if reached before φ = 1 the result says so.
    pub max_stages: usize,
    /// The negative binomial's size k for counter readings.
    pub dispersion: f64,
    /// Share of Metropolis-Hastings moves that propose from the fit's posterior instead of a
    /// random walk.
    pub prior_proposals: f64,
}

impl Default for NowcastSettings {
    fn default() -> Self {
        NowcastSettings {
            particles: 400,
            seed: 1,
            moves: 2,
            max_stages: 30,
            dispersion: 10.0,
            prior_proposals: 0.0,
        }
    }
}

/// The fit's posterior as the nowcast's prior: weighted samples in prior space, smoothed.
#[derive(Debug, Clone)]
pub struct FitPosterior {
    pub priors: Priors,
    /// Base parameters (what is not fitted).
    pub base: Behaviour,
    /// Samples in prior space (ln x for log-uniform priors) and their normalised weights.
    pub points: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    /// The smoothing kernel's standard deviation per parameter (prior space).
    kernel_sd: Vec<f64>,
}

impl FitPosterior {
    /// From the fit's samples (`read_posterior`) and its priors; refused when a sample lies
    /// outside the priors (a posterior fitted with other priors, or before a parameter was
    /// added: no draw inside the priors could then be made from it).
    pub fn new(
        priors: Priors,
        base: Behaviour,
        samples: &[Behaviour],
        weights: &[f64],
    ) -> Result<Self, NowcastError> {
        let mut points: Vec<Vec<f64>> = Vec::with_capacity(samples.len());
        for (i, b) in samples.iter().enumerate() {
            let mut point = Vec::with_capacity(priors.priors.len());
            for p in &priors.priors {
                let value = b.get(&p.name).unwrap_or(p.low);
                if !(p.low..=p.high).contains(&value) {
                    return Err(NowcastError::OutsidePriors {
                        sample: i + 1,
                        parameter: p.name.clone(),
                        value,
                        low: p.low,
                        high: p.high,
                    });
                }
                point.push(p.to_prior_space(value));
            }
            points.push(point);
        }
        let total: f64 = weights.iter().sum();
        let weights: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let var = weighted_variance(&points, &weights);
        // A kernel density estimate: Silverman's rule of thumb for d dimensions and the
        // weights' effective sample size (Silverman 1986, eq. 4.14), h = σ (4 / ((d + 2) n))^(1
        // / (d + 4)), floored at 1e-6 of the prior's width so a parameter the fit pinned down
        // still has a proper density. (The fit perturbs by twice the variance, Beaumont et al.
        // 2009; as a density that would widen the posterior threefold.)
        let d = var.len().max(1) as f64;
        let n_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let factor = (4.0 / ((d + 2.0) * n_eff)).powf(1.0 / (d + 4.0));
        let kernel_sd = var
            .iter()
            .zip(&priors.priors)
            .map(|(v, p)| {
                let (a, b) = p.bounds();
                (factor * v.sqrt()).max(1e-6 * (b - a))
            })
            .collect();
        Ok(FitPosterior {
            priors,
            base,
            points,
            weights,
            kernel_sd,
        })
    }

    /// Log density (up to a constant) of the smoothed posterior at `u`; -inf outside the priors.
    pub fn log_density(&self, u: &[f64]) -> f64 {
        if !self.priors.contains(u) {
            return f64::NEG_INFINITY;
        }
        let terms: Vec<f64> = self
            .points
            .iter()
            .zip(&self.weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(p, w)| {
                let q: f64 = p
                    .iter()
                    .zip(u)
                    .zip(&self.kernel_sd)
                    .map(|((a, b), s)| ((a - b) / s).powi(2))
                    .sum();
                w.ln() - 0.5 * q
            })
            .collect();
        log_sum_exp(&terms)
    }

    /// A draw from the smoothed posterior (a sample by weight, moved by the kernel, inside the
    /// priors).
    pub fn draw(&self, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
        loop {
            let j = weighted_index(&self.weights, rng.random::<f64>());
            let u: Vec<f64> = self.points[j]
                .iter()
                .zip(&self.kernel_sd)
                .map(|(x, s)| x + s * normal(rng))
                .collect();
            if self.priors.contains(&u) {
                return u;
            }
        }
    }

    pub fn behaviour(&self, u: &[f64]) -> Behaviour {
        self.priors.behaviour(&self.base, u)
    }
}

/// One particle: parameters, the streams of its simulated event, and how well it fits.
#[derive(Debug, Clone)]
struct Particle {
    u: Vec<f64>,
    streams: RunStreams,
    log_likelihood: f64,
    /// Its value for each observed row (the model's count over the row's own window).
    values: Vec<f64>,
}

/// One tempering stage.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// The likelihood's exponent reached.
    pub phi: f64,
    /// Effective sample size of the stage's weights before resampling.
    pub ess: f64,
    /// Metropolis-Hastings sweeps over every particle, and the share of moves accepted.
    pub moves: usize,
    pub acceptance: f64,
    /// Distinct particles after the moves.
    pub distinct: usize,
}

/// A parameter's 90% interval and median.
#[derive(Debug, Clone, Serialize)]
pub struct Interval {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// A parameter before and after conditioning.
#[derive(Debug, Clone, Serialize)]
pub struct ParameterShift {
    pub name: String,
    pub before: Interval,
    pub after: Interval,
    /// Width of the 90% interval after over before (prior space: log for log-uniform priors).
    pub width_ratio: f64,
}

/// A row as the conditioned particles see it.
#[derive(Debug, Clone, Serialize)]
pub struct RowFit {
    #[serde(flatten)]
    pub row: ObservedRow,
    /// The model's count over the row's window: before conditioning, and after.
    pub before: Interval,
    pub after: Interval,
    /// Whether the observed value (or range) lies outside every unconditioned particle's.
    pub outside_the_model: bool,
}

/// What conditioning found.
#[derive(Debug, Clone)]
pub struct Nowcast {
    /// The conditioned particles' parameters and streams (equally weighted).
    pub samples: Vec<Behaviour>,
    pub streams: Vec<RunStreams>,
    /// The step the particles were simulated to (the last observation's).
    pub cut_step: usize,
    pub stages: Vec<Stage>,
    /// Effective sample size of the final weights (before the last resampling), of the
    /// particles (`samples.len()`).
    pub ess: f64,
    pub parameters: Vec<ParameterShift>,
    pub rows: Vec<RowFit>,
    /// Set when the observations lie outside what the model produces: the particles kept are
    /// then the closest tenth, not a collapsed posterior.
    pub warning: Option<String>,
    /// Prefix simulations run (particles × stages × moves, and the first draw).
    pub simulations: u64,
}

/// Errors of conditioning.
#[derive(Debug, thiserror::Error)]
pub enum NowcastError {
    #[error("--particles must be at least 10")]
    TooFewParticles,
    #[error("the fit's posterior has no samples")]
    EmptyPosterior,
    #[error(
        "sample {sample} of the fit's posterior has {parameter} = {value}, outside its prior [{low}, {high}]: the posterior was fitted with other priors (give those with --priors, or refit with `surge fit`)"
    )]
    OutsidePriors {
        sample: usize,
        parameter: String,
        value: f64,
        low: f64,
        high: f64,
    },
}

/// How far beyond every first-draw particle's value (a factor) an observed value must lie to
/// count as outside what the model produces.
const OUTSIDE_FACTOR: f64 = 2.0;

/// Most Metropolis-Hastings sweeps in a stage.
const MAX_MOVES: u64 = 20;

/// The equally weighted covariance of `points`, with `floor` added to the diagonal.
fn covariance(points: &[Vec<f64>], floor: &[f64]) -> Vec<Vec<f64>> {
    let n = points.len().max(1) as f64;
    let d = floor.len();
    let mean: Vec<f64> = (0..d)
        .map(|k| points.iter().map(|p| p[k]).sum::<f64>() / n)
        .collect();
    (0..d)
        .map(|a| {
            (0..d)
                .map(|b| {
                    let c = points
                        .iter()
                        .map(|p| (p[a] - mean[a]) * (p[b] - mean[b]))
                        .sum::<f64>()
                        / n;
                    if a == b { c + floor[a] } else { c }
                })
                .collect()
        })
        .collect()
}

/// The lower Cholesky factor of a symmetric positive-definite matrix (Golub & Van Loan 2013,
/// Alg. 4.2.1), written here for a matrix of at most a few dozen rows rather than adding a
/// linear-algebra crate; a pivot that is not positive (a degenerate cloud) is replaced by
/// the diagonal's square root with the row's other entries zero.
fn cholesky(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = m.len();
    let mut l = vec![vec![0.0; d]; d];
    for a in 0..d {
        for b in 0..=a {
            let s: f64 = (0..b).map(|k| l[a][k] * l[b][k]).sum();
            if a == b {
                let pivot = m[a][a] - s;
                if pivot > 1e-300 {
                    l[a][a] = pivot.sqrt();
                } else {
                    l[a].iter_mut().for_each(|x| *x = 0.0);
                    l[a][a] = m[a][a].max(1e-300).sqrt();
                }
            } else if l[b][b] > 0.0 {
                l[a][b] = (m[a][b] - s) / l[b][b];
            }
        }
    }
    l
}

/// How many particles differ (resampling copies them; a move makes a copy its own).
fn distinct(particles: &[Particle]) -> usize {
    let mut keys: Vec<(u64, u64)> = particles
        .iter()
        .map(|p| (p.streams.run(), p.log_likelihood.to_bits()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

/// The step whose end is at or after `hours` from the start of the simulated time.
pub fn step_at_or_after(s: &Scenario, hours: f64) -> usize {
    let t = &s.timeline;
    ((hours / t.step_hours - 1e-9).ceil().max(0.0) as usize).min(t.steps)
}

/// The cumulative count of `counts` at `hours` (linear between step ends).
pub(crate) fn cumulative(
    tally: &Tally,
    s: &Scenario,
    counts: Counts,
    app: usize,
    region: Option<usize>,
    hours: f64,
) -> f64 {
    let x = (hours / s.timeline.step_hours).clamp(0.0, s.timeline.steps as f64);
    let i0 = x.floor() as usize;
    let i1 = (i0 + 1).min(s.timeline.steps);
    let f = x - i0 as f64;
    let a = tally.counted(counts, i0, app, region);
    let b = tally.counted(counts, i1, app, region);
    a + f * (b - a)
}

/// The model's count over `row`'s window.
fn row_value(tally: &Tally, s: &Scenario, row: &ObservedRow) -> f64 {
    let at = |h| cumulative(tally, s, row.metric, row.app_index, row.region_index, h);
    at(row.time_hours) - at(row.since_hours)
}

/// The observation model: what the rows say of one simulated event.
struct Likelihood<'a> {
    scenario: &'a Scenario,
    rows: &'a [ObservedRow],
    /// Per counter (indices into `rows`, time order, thinned to one reading a step).
    counters: Vec<Vec<usize>>,
    dispersion: f64,
}

/// Tolerance of an approximate figure, log10 units (the fit's default, `tolerance_log10`).
const TOLERANCE_LOG10: f64 = 0.1;

impl<'a> Likelihood<'a> {
    fn new(scenario: &'a Scenario, set: &'a ObservedSet, dispersion: f64) -> Self {
        let dt = scenario.timeline.step_hours;
        // Counter readings (not approximate figures), thinned to one a time step: a reading
        // is kept when a step or more after the last kept one, and the counter's final reading
        // always is, in place of a kept one less than a step before it.
        let time = |i: usize| set.rows[i].time_hours;
        let counters = set
            .counters()
            .into_iter()
            .map(|group| {
                let exact: Vec<usize> = group
                    .into_iter()
                    .filter(|&i| set.rows[i].interval().is_none())
                    .collect();
                let mut kept: Vec<usize> = Vec::new();
                for (n, &i) in exact.iter().enumerate() {
                    let close = kept.last().is_some_and(|&k| time(i) - time(k) < dt - 1e-9);
                    match kept.last_mut() {
                        Some(last) if close && n + 1 == exact.len() => *last = i,
                        _ if close => {}
                        _ => kept.push(i),
                    }
                }
                kept
            })
            .collect();
        Likelihood {
            scenario,
            rows: &set.rows,
            counters,
            dispersion,
        }
    }

    /// log L(rows | the simulated event in `tally`), and each row's model value.
    fn evaluate(&self, tally: &Tally) -> (f64, Vec<f64>) {
        let s = self.scenario;
        let values: Vec<f64> = self.rows.iter().map(|r| row_value(tally, s, r)).collect();
        let mut ll = 0.0;
        for (row, value) in self.rows.iter().zip(&values) {
            if let Some((low, high)) = row.interval() {
                let v = value.max(1.0).log10();
                let outside = (low.max(1.0).log10() - v)
                    .max(v - high.max(1.0).log10())
                    .max(0.0);
                let d = outside / TOLERANCE_LOG10;
                ll -= 0.5 * d * d;
            }
        }
        for counter in &self.counters {
            let mut previous: Option<&ObservedRow> = None;
            for &i in counter {
                let row = &self.rows[i];
                let at = |h| cumulative(tally, s, row.metric, row.app_index, row.region_index, h);
                let (from_hours, from_value) =
                    previous.map_or((row.since_hours, 0.0), |p| (p.time_hours, p.value));
                let mu = at(row.time_hours) - at(from_hours);
                let y = row.value - from_value;
                ll += negative_binomial_ln(y, mu, self.dispersion);
                previous = Some(row);
            }
        }
        (ll, values)
    }
}

/// ln P(Y = y) of a negative binomial with mean `mu` and size `k` (y may be fractional: the
/// gamma function's continuation). The mean is floored at 1e-3 so a count the model gives no
/// chance is very unlikely rather than impossible.
pub fn negative_binomial_ln(y: f64, mu: f64, k: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    let mu = mu.max(1e-3);
    ln_gamma(y + k) - ln_gamma(k) - ln_gamma(y + 1.0)
        + k * (k / (k + mu)).ln()
        + y * (mu / (k + mu)).ln()
}

/// A standard normal draw.
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    z
}

fn log_sum_exp(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Normalised weights from log weights, and their effective sample size (Kong et al. 1994).
fn normalise(log_w: &[f64]) -> (Vec<f64>, f64) {
    let m = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_w.iter().map(|v| (v - m).exp()).collect();
    let total: f64 = w.iter().sum();
    let w: Vec<f64> = w.iter().map(|v| v / total).collect();
    let ess = 1.0 / w.iter().map(|v| v * v).sum::<f64>();
    (w, ess)
}

/// Systematic resampling (Kitagawa 1996): `n` indices by weight from one uniform draw.
fn systematic(weights: &[f64], n: usize, u: f64) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut cumulative = 0.0;
    let mut i = 0;
    for m in 0..n {
        let target = (m as f64 + u) / n as f64;
        while i + 1 < weights.len() && cumulative + weights[i] < target {
            cumulative += weights[i];
            i += 1;
        }
        out.push(i);
    }
    out
}

fn weighted_variance(points: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let d = points.first().map_or(0, Vec::len);
    (0..d)
        .map(|k| {
            let mean: f64 = points.iter().zip(weights).map(|(p, w)| w * p[k]).sum();
            points
                .iter()
                .zip(weights)
                .map(|(p, w)| w * (p[k] - mean).powi(2))
                .sum()
        })
        .collect()
}

/// Median and 90% interval of equally weighted values (type 7 quantiles, as the summaries').
fn interval(values: &[f64]) -> Interval {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| quantile_sorted(&v, p);
    Interval {
        median: q(0.5),
        low: q(0.05),
        high: q(0.95),
    }
}

/// The random stream of a named purpose of a nowcast (`outside::NOWCAST`), at `stage` and `unit`.
fn rng(seed: u64, purpose: u64, stage: u64, unit: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(stream_key(
        stream_key(seed, outside::NOWCAST, purpose),
        stage,
        unit,
    ))
}

/// Conditions `scenario` on `observed`, starting from `prior`.
pub fn condition(
    engines: &dyn BuildEngine,
    scenario: &Scenario,
    observed: &ObservedSet,
    prior: &FitPosterior,
    settings: &NowcastSettings,
) -> Result<Nowcast, NowcastError> {
    let n = settings.particles;
    if n < 10 {
        return Err(NowcastError::TooFewParticles);
    }
    if prior.points.is_empty() {
        return Err(NowcastError::EmptyPosterior);
    }
    let seed = settings.seed;
    let cut_step = step_at_or_after(scenario, observed.last_hours()).max(1);
    let likelihood = Likelihood::new(scenario, observed, settings.dispersion);
    // One simulated event of `u`, with the streams of (purpose, stage, unit), up to the cut.
    let simulate = |u: Vec<f64>, stage: u64, unit: u64| -> Particle {
        let behaviour = prior.behaviour(&u);
        let engine = engines.build_until(scenario, &behaviour, cut_step);
        let streams = RunStreams::new(
            stream_key(
                stream_key(seed, outside::NOWCAST, outside::NOWCAST_RUNS),
                stage,
                0,
            ),
            unit,
        );
        let mut tally = Tally::until(scenario, cut_step);
        engine.run(&streams, &mut tally);
        let (log_likelihood, values) = likelihood.evaluate(&tally);
        Particle {
            u,
            streams,
            log_likelihood,
            values,
        }
    };
    let mut simulations = n as u64;
    let mut particles: Vec<Particle> = (0..n as u64)
        .into_par_iter()
        .map(|i| {
            simulate(
                prior.draw(&mut rng(seed, outside::NOWCAST_DRAW, 0, i)),
                0,
                i,
            )
        })
        .collect();
    let before_particles = particles.clone();

    // Rows outside what the model produces: the observed value (or range) beyond every
    // unconditioned particle's value for it, by more than a factor of 2.
    let outside_rows: Vec<bool> = observed
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let (lo, hi) = particles
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.values[r]), b.max(p.values[r]))
                });
            let (low, high) = row.interval().unwrap_or((row.value, row.value));
            // Beyond every particle by more than a factor of 2 (OUTSIDE_FACTOR): a value just
            // past the extremes of a few hundred draws is what a calibrated model gives a few
            // times in a hundred, and tempering conditions on it.
            high < lo / OUTSIDE_FACTOR || low > hi * OUTSIDE_FACTOR
        })
        .collect();
    let mut stages = Vec::new();
    let mut warning = None;
    let mut ess_final = n as f64;
    if outside_rows.iter().any(|&o| o) {
        // No particle comes near: tempering would collapse onto the least bad one. Keep the
        // closest tenth instead, equally weighted, and say so.
        let lines: Vec<String> = observed
            .rows
            .iter()
            .zip(&outside_rows)
            .filter(|(_, o)| **o)
            .map(|(r, _)| r.line.to_string())
            .collect();
        warning = Some(format!(
            "the observations on line(s) {} lie outside what the model produces for this scenario (more than twice, or under half, what every one of {n} particles from the fit's posterior gives); the forecast continues the closest tenth of the particles instead of a conditioned posterior: check the scenario's inputs (populations, shares, capacity) against the event",
            lines.join(", ")
        ));
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            particles[b]
                .log_likelihood
                .total_cmp(&particles[a].log_likelihood)
                .then(a.cmp(&b))
        });
        let keep = (n / 10).max(1);
        particles = (0..n).map(|i| particles[order[i % keep]].clone()).collect();
        ess_final = keep as f64;
    } else {
        let mut phi = 0.0;
        for stage in 1..=settings.max_stages as u64 {
            let ll: Vec<f64> = particles.iter().map(|p| p.log_likelihood).collect();
            let ess_at =
                |next: f64| normalise(&ll.iter().map(|l| (next - phi) * l).collect::<Vec<_>>()).1;
            // The next exponent keeps half the particles effective (bisection; Del Moral et
            // al. 2012, §3.3).
            let next = if ess_at(1.0) >= 0.5 * n as f64 {
                1.0
            } else {
                let (mut a, mut b) = (phi, 1.0);
                for _ in 0..50 {
                    let m = 0.5 * (a + b);
                    if ess_at(m) >= 0.5 * n as f64 {
                        a = m
                    } else {
                        b = m
                    }
                }
                a.max(phi + 1e-12)
            };
            let (weights, ess) =
                normalise(&ll.iter().map(|l| (next - phi) * l).collect::<Vec<_>>());
            ess_final = ess;
            let picks = systematic(
                &weights,
                n,
                rng(seed, outside::NOWCAST_RESAMPLE, stage, 0).random::<f64>(),
            );
            particles = picks.iter().map(|&i| particles[i].clone()).collect();
            phi = next;
            // Random-walk proposal with the particles' covariance, scaled by 2.38/sqrt(d)
            // (Roberts & Rosenthal 2001) and adapted between sweeps to the acceptance rate
            // (Fearnhead & Taylor 2013): correlated parameters (the looking rates trade off
            // against each other) would otherwise stall a diagonal walk.
            let points: Vec<Vec<f64>> = particles.iter().map(|p| p.u.clone()).collect();
            let floor: Vec<f64> = prior
                .priors
                .priors
                .iter()
                .map(|p| {
                    let (a, b) = p.bounds();
                    (1e-4 * (b - a)).powi(2)
                })
                .collect();
            let chol = cholesky(&covariance(&points, &floor));
            let d = prior.priors.priors.len().max(1) as f64;
            let mut scale = 2.38 / d.sqrt();
            let mut accepted = 0usize;
            let mut renewed = 0.0;
            let mut m = 0u64;
            // At least `moves` sweeps; more (up to MAX_MOVES) until each particle has moved
            // about once on average and most are distinct: resampling duplicates particles, and
            // a noisy likelihood makes moves stick (Andrieu & Roberts 2009).
            while m < settings.moves as u64
                || (m < MAX_MOVES && (renewed < 1.0 || distinct(&particles) < 4 * n / 5))
            {
                m += 1;
                let key = stage * 1000 + m;
                let moved: Vec<(Particle, bool)> = particles
                    .par_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let mut r = rng(seed, outside::NOWCAST_MOVE, key, i as u64);
                        // A share of the moves propose from the fit's posterior itself (an
                        // independence proposal: the prior's density cancels in the ratio, so
                        // only the likelihood decides); it refreshes parameters the observations
                        // say little about (how long people keep looking after service returns),
                        // which resampling narrows and a local walk is slow to widen again.
                        // (No draw at a share of 0: the random walk's numbers stay as they were.)
                        let from_prior = settings.prior_proposals > 0.0
                            && r.random::<f64>() < settings.prior_proposals;
                        let u: Vec<f64> = if from_prior {
                            prior.draw(&mut r)
                        } else {
                            let z: Vec<f64> = p.u.iter().map(|_| normal(&mut r)).collect();
                            p.u.iter()
                                .enumerate()
                                .map(|(a, x)| {
                                    x + scale * (0..=a).map(|b| chol[a][b] * z[b]).sum::<f64>()
                                })
                                .collect()
                        };
                        let prior_new = prior.log_density(&u);
                        if !prior_new.is_finite() {
                            return (p.clone(), false);
                        }
                        let q = simulate(u, key, i as u64);
                        let prior_ratio = if from_prior {
                            0.0
                        } else {
                            prior_new - prior.log_density(&p.u)
                        };
                        let log_ratio = prior_ratio + phi * (q.log_likelihood - p.log_likelihood);
                        if r.random::<f64>().ln() < log_ratio {
                            (q, true)
                        } else {
                            (p.clone(), false)
                        }
                    })
                    .collect();
                simulations += n as u64;
                let sweep = moved.iter().filter(|(_, a)| *a).count();
                accepted += sweep;
                let rate = sweep as f64 / n as f64;
                renewed += rate;
                if rate < 0.1 {
                    scale *= 0.6;
                } else if rate > 0.4 {
                    scale *= 1.5;
                }
                particles = moved.into_iter().map(|(p, _)| p).collect();
            }
            stages.push(Stage {
                phi,
                ess,
                moves: m as usize,
                acceptance: accepted as f64 / (n as u64 * m.max(1)) as f64,
                distinct: distinct(&particles),
            });
            if phi >= 1.0 {
                break;
            }
        }
        if stages.last().is_some_and(|s| s.phi < 1.0) {
            warning = Some(format!(
                "conditioning stopped after {} stages at exponent {:.3} of 1: the observations are far in the tail of what the fit allows; the bands are too wide",
                stages.len(),
                stages.last().map_or(0.0, |s| s.phi)
            ));
        }
    }

    let parameters = prior
        .priors
        .priors
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let natural =
                |ps: &[Particle]| -> Vec<f64> { ps.iter().map(|x| p.to_natural(x.u[k])).collect() };
            let space = |ps: &[Particle]| -> Vec<f64> { ps.iter().map(|x| x.u[k]).collect() };
            let (b, a) = (
                interval(&space(&before_particles)),
                interval(&space(&particles)),
            );
            ParameterShift {
                name: p.name.clone(),
                before: interval(&natural(&before_particles)),
                after: interval(&natural(&particles)),
                width_ratio: (a.high - a.low) / (b.high - b.low).max(1e-300),
            }
        })
        .collect();
    let rows = observed
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let of = |ps: &[Particle]| -> Vec<f64> { ps.iter().map(|p| p.values[r]).collect() };
            RowFit {
                row: row.clone(),
                before: interval(&of(&before_particles)),
                after: interval(&of(&particles)),
                outside_the_model: outside_rows[r],
            }
        })
        .collect();
    Ok(Nowcast {
        samples: particles.iter().map(|p| prior.behaviour(&p.u)).collect(),
        streams: particles.iter().map(|p| p.streams).collect(),
        cut_step,
        stages,
        ess: ess_final,
        parameters,
        rows,
        warning,
        simulations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_negative_binomial_sums_to_one_and_has_its_mean() {
        let (mu, k) = (7.5, 3.0);
        let p: Vec<f64> = (0..400)
            .map(|y| negative_binomial_ln(y as f64, mu, k).exp())
            .collect();
        let total: f64 = p.iter().sum();
        let mean: f64 = p.iter().enumerate().map(|(y, q)| y as f64 * q).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!((mean - mu).abs() < 1e-6, "{mean}");
    }

    #[test]
    fn cholesky_factors_a_covariance() {
        let m = vec![
            vec![4.0, 2.0, 0.4],
            vec![2.0, 3.0, 0.5],
            vec![0.4, 0.5, 1.0],
        ];
        let l = cholesky(&m);
        for a in 0..3 {
            for b in 0..3 {
                let back: f64 = (0..3).map(|k| l[a][k] * l[b][k]).sum();
                assert!((back - m[a][b]).abs() < 1e-12, "{a} {b}");
            }
        }
    }

    #[test]
    fn systematic_resampling_keeps_expected_counts() {
        let w = [0.1, 0.6, 0.3];
        let picks = systematic(&w, 10, 0.5);
        let count = |i| picks.iter().filter(|&&p| p == i).count();
        assert_eq!((count(0), count(1), count(2)), (1, 6, 3));
    }

    #[test]
    fn effective_sample_size_of_equal_and_degenerate_weights() {
        assert!((normalise(&[0.0; 8]).1 - 8.0).abs() < 1e-12);
        assert!((normalise(&[0.0, -1e9, -1e9]).1 - 1.0).abs() < 1e-12);
    }
}
