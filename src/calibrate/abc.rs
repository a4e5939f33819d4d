//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC).
//!
//! Method: ABC population Monte Carlo of Beaumont, Cornuet, Marin & Robert (2009), "Adaptive
//! approximate Bayesian computation", Biometrika 96:983-990 (the ABC-SMC of Toni et al. 2009,
//! J. R. Soc. Interface 6:187-202, with importance weights): generation 0 samples the prior;
//! generation t resamples the previous particles by weight, perturbs them with a multivariate
//! normal kernel of twice their weighted covariance (in prior space; Filippi et al. 2013,
//! `kernel.rs`), keeps a proposal when its
//! distance is at most ε_t, and weights it by prior / Σ_j w_j K(θ | θ_j). The tolerance ε_t is
//! the `quantile` of the previous generation's distances (Del Moral, Doucet & Jasra 2012).
//!
//! Determinism: proposal i of generation t draws from its own stream (seed, t, i) and is
//! simulated from its own stream; batches are simulated in parallel and accepted in index order,
//! so the posterior is the same on any thread count.

use super::kernel::Kernel;
use super::predict::{EventSet, SimulationClock};
use super::priors::Priors;
use crate::engine::streams::{outside, stream_key};
use crate::model::Behaviour;
use crate::model::draw::weighted_index as pick;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;

/// Knobs of a fit.
#[derive(Debug, Clone, Serialize)]
pub struct AbcSettings {
    /// Particles per generation.
    pub particles: usize,
    pub max_generations: usize,
    /// ε_t = this quantile of the previous generation's distances.
    pub quantile: f64,
    /// Stop when fewer proposals than this are accepted.
    pub min_acceptance: f64,
    /// Stop before a generation would take the total past this many simulations.
    pub max_simulations: usize,
    pub seed: u64,
}

impl Default for AbcSettings {
    fn default() -> Self {
        AbcSettings {
            particles: 300,
            max_generations: 12,
            quantile: 0.5,
            min_acceptance: 0.03,
            max_simulations: 40_000,
            seed: 1,
        }
    }
}

/// Why a fit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Every particle reproduces every figure inside its interval (ε = 0).
    AllFiguresInside,
    /// ε fell by less than 2% from one generation to the next.
    ToleranceConverged,
    MaxGenerations,
    /// Fewer than `min_acceptance` of the proposals were accepted; the last full generation is kept.
    AcceptanceTooLow,
    /// The next generation would exceed `max_simulations`; the last full generation is kept.
    SimulationBudget,
}

impl StopReason {
    /// What the stop means, in words: every reason is a normal end of the fit, not a failure.
    pub fn meaning(self) -> &'static str {
        match self {
            StopReason::AllFiguresInside => "every particle reproduces every figure",
            StopReason::ToleranceConverged => {
                "the tolerance stopped shrinking: the posterior has settled"
            }
            StopReason::MaxGenerations => "the --generations asked for are done",
            StopReason::AcceptanceTooLow => {
                "a normal end: so few proposals are accepted that a tighter tolerance would cost far more simulations than it gains; the last full generation is the posterior"
            }
            StopReason::SimulationBudget => {
                "the --max-simulations budget is spent; the last full generation is the posterior"
            }
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        f.write_str(&s)
    }
}

/// One generation's record.
#[derive(Debug, Clone, Serialize)]
pub struct Generation {
    pub index: usize,
    pub epsilon: f64,
    pub acceptance_rate: f64,
    pub simulations: usize,
}

/// The weighted particles of the last generation.
#[derive(Debug, Clone, Serialize)]
pub struct Posterior {
    pub names: Vec<String>,
    /// Particles in natural units.
    pub particles: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    pub distances: Vec<f64>,
    pub generations: Vec<Generation>,
    pub stop: StopReason,
    pub simulations: usize,
}

impl Posterior {
    /// The accepted particle with the smallest distance (the first of equals): a parameter set
    /// that fits together, unlike the marginal medians, which in a correlated posterior need
    /// not (a minimum-distance estimate; Wolfowitz 1957).
    pub fn closest(&self) -> usize {
        let mut best = 0;
        for (j, d) in self.distances.iter().enumerate() {
            if d.total_cmp(&self.distances[best]).is_lt() {
                best = j;
            }
        }
        best
    }

    /// Weighted quantile of parameter `k` (smallest value whose cumulative weight reaches q).
    pub fn quantile(&self, k: usize, q: f64) -> f64 {
        let mut pairs: Vec<(f64, f64)> = self
            .particles
            .iter()
            .map(|p| p[k])
            .zip(self.weights.iter().copied())
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        let mut acc = 0.0;
        for (v, w) in &pairs {
            acc += w / total;
            if acc >= q - 1e-12 {
                return *v;
            }
        }
        pairs.last().map_or(f64::NAN, |p| p.0)
    }

    /// Index of a particle drawn by weight with a uniform number `r` in [0, 1).
    pub fn pick(&self, r: f64) -> usize {
        pick(&self.weights, r)
    }
}

/// Progress callbacks (the CLI draws a bar; the library prints nothing).
pub trait FitProgress: Sync {
    fn generation_started(&self, index: usize, epsilon: f64, particles: usize);
    fn simulated(&self, accepted: usize);
    fn generation_finished(&self, generation: &Generation);
}

/// No progress output.
pub struct Silent;
impl FitProgress for Silent {
    fn generation_started(&self, _: usize, _: f64, _: usize) {}
    fn simulated(&self, _: usize) {}
    fn generation_finished(&self, _: &Generation) {}
}

struct Population {
    u: Vec<Vec<f64>>,
    weights: Vec<f64>,
    distances: Vec<f64>,
}

/// The order in which early rejection simulates the events, learnt from the batches so far:
/// by cost over the chance of rejecting (the order that minimises the expected cost of a
/// sequence of independent tests any of which may stop it: Mitten 1960, "An analytic solution
/// to the least cost testing sequence problem", J. Industrial Engineering 11:17). The
/// order decides only which events are simulated, never an outcome, so the fit's results do
/// not depend on it. It is learnt from whole batches and from measured times, so it may differ
/// from one run of the fit to the next; the results do not.
struct Rejections {
    /// Events with fitted figures, in the order of the next batch.
    order: Vec<usize>,
}

impl Rejections {
    fn new(events: &EventSet) -> Self {
        Rejections {
            order: events.cheapest_first(),
        }
    }

    /// Reorders for the next batch from this one's outcomes (the position in the order of the
    /// event that rejected each set, if one did): an event's chance of rejecting is counted
    /// among the sets that reached it. An event's cost is its measured mean time a simulation
    /// (`clock`) once every event has one, else the estimate `EventSet::cost` (in steps x
    /// regions x apps: the order of the two must not be mixed). Measured times made the fit
    /// about 3% and `surge validate` about 4% faster than the estimate, which overstates
    /// 2021-10-04 against 2019 (benches/README.md, issue 40, session 21).
    fn learn(
        &mut self,
        events: &EventSet,
        outcomes: impl Iterator<Item = Option<usize>>,
        clock: Option<&SimulationClock>,
    ) {
        let k = self.order.len();
        if k == 0 {
            return;
        }
        let mut reached = vec![0u64; k];
        let mut rejected = vec![0u64; k];
        for outcome in outcomes {
            let last = outcome.unwrap_or(k - 1);
            reached[..=last].iter_mut().for_each(|r| *r += 1);
            if let Some(at) = outcome {
                rejected[at] += 1;
            }
        }
        let measured: Option<Vec<f64>> = clock.and_then(|c| {
            self.order
                .iter()
                .map(|&e| c.mean_seconds(e))
                .collect::<Option<Vec<f64>>>()
        });
        // Cost per rejection, with one rejection and one pass added (no division by zero; an
        // event that never rejects keeps a finite, large ratio).
        let mut keyed: Vec<(f64, usize)> = (0..k)
            .map(|j| {
                let chance = (rejected[j] as f64 + 1.0) / (reached[j] as f64 + 2.0);
                let cost = match &measured {
                    Some(seconds) => seconds[j],
                    None => events.cost(self.order[j]) as f64,
                };
                (cost / chance, self.order[j])
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.order = keyed.into_iter().map(|(_, e)| e).collect();
    }
}

fn rng(seed: u64, generation: usize, index: usize, purpose: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(stream_key(
        seed,
        ((generation as u64) << 32) | index as u64,
        purpose,
    ))
}

/// Fits `priors` to the observations of `events`, other parameters fixed at `base`.
pub fn fit(
    events: &EventSet,
    priors: &Priors,
    base: &Behaviour,
    settings: &AbcSettings,
    progress: &dyn FitProgress,
) -> Posterior {
    let n = settings.particles.max(2);
    let dims = priors.priors.len();
    // Generation 0 needs every distance (its quantile is the next tolerance); later ones only
    // whether a particle is within the tolerance, and the distance of those that are, so a
    // particle is rejected as soon as its cheapest events put it beyond (`distance_within`).
    // Each event's simulations are timed (generation 0 simulates every event for every set), so
    // early rejection orders the events by what they cost on this machine.
    let clock = SimulationClock::new(events.scenarios_len());
    let simulate = |generation: usize, index: usize, u: &[f64], epsilon: f64, order: &[usize]| {
        events.distance_in_order(
            &priors.behaviour(base, u),
            stream_key(settings.seed, generation as u64, outside::ABC_RUNS),
            index as u64,
            epsilon,
            order,
            Some(&clock),
        )
    };
    let mut rejections = Rejections::new(events);
    // Generation 0: the prior.
    progress.generation_started(0, f64::INFINITY, n);
    let draws: Vec<(Vec<f64>, f64)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let u = priors.sample(&mut rng(settings.seed, 0, i, outside::ABC_PRIOR));
            let (d, _) = simulate(0, i, &u, f64::INFINITY, &rejections.order);
            progress.simulated(1);
            (u, d)
        })
        .collect();
    let mut pop = Population {
        u: draws.iter().map(|d| d.0.clone()).collect(),
        distances: draws.iter().map(|d| d.1).collect(),
        weights: vec![1.0 / n as f64; n],
    };
    let mut generations = vec![Generation {
        index: 0,
        epsilon: f64::INFINITY,
        acceptance_rate: 1.0,
        simulations: n,
    }];
    progress.generation_finished(&generations[0]);
    let mut simulations = n;
    let mut epsilon_prev = f64::INFINITY;
    let stop = loop {
        let t = generations.len();
        if pop.distances.iter().all(|&d| d == 0.0) {
            break StopReason::AllFiguresInside;
        }
        if t > settings.max_generations {
            break StopReason::MaxGenerations;
        }
        let mut sorted = pop.distances.clone();
        sorted.sort_by(f64::total_cmp);
        let epsilon = crate::report::stats::quantile_sorted(&sorted, settings.quantile);
        if epsilon > epsilon_prev * 0.98 {
            break StopReason::ToleranceConverged;
        }
        let kernel = Kernel::from_population(&pop.u, &pop.weights, dims);
        progress.generation_started(t, epsilon, n);
        let mut accepted: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n);
        let mut tried = 0;
        let mut outcome = None;
        while accepted.len() < n {
            if simulations + n > settings.max_simulations {
                outcome = Some(StopReason::SimulationBudget);
                break;
            }
            if tried >= n && (accepted.len() as f64) < settings.min_acceptance * tried as f64 {
                outcome = Some(StopReason::AcceptanceTooLow);
                break;
            }
            let order = &rejections.order;
            let batch: Vec<(Vec<f64>, f64, Option<usize>)> = (tried..tried + n)
                .into_par_iter()
                .map(|i| {
                    let mut r = rng(settings.seed, t, i, outside::ABC_PERTURB);
                    let u = perturb(&pop, &kernel, priors, &mut r);
                    let (d, rejected_at) = simulate(t, i, &u, epsilon, order);
                    progress.simulated(usize::from(d <= epsilon));
                    (u, d, rejected_at)
                })
                .collect();
            tried += n;
            simulations += n;
            rejections.learn(events, batch.iter().map(|b| b.2), Some(&clock));
            for (u, d, _) in batch {
                if d <= epsilon && accepted.len() < n {
                    accepted.push((u, d));
                }
            }
        }
        if let Some(reason) = outcome {
            break reason;
        }
        let weights = importance_weights(&pop, &accepted, &kernel);
        pop = Population {
            u: accepted.iter().map(|a| a.0.clone()).collect(),
            distances: accepted.iter().map(|a| a.1).collect(),
            weights,
        };
        let g = Generation {
            index: t,
            epsilon,
            acceptance_rate: n as f64 / tried as f64,
            simulations: tried,
        };
        progress.generation_finished(&g);
        generations.push(g);
        epsilon_prev = epsilon;
    };
    Posterior {
        names: priors.names(),
        particles: pop
            .u
            .iter()
            .map(|u| {
                priors
                    .priors
                    .iter()
                    .zip(u)
                    .map(|(p, &x)| p.to_natural(x))
                    .collect()
            })
            .collect(),
        weights: pop.weights,
        distances: pop.distances,
        generations,
        stop,
        simulations,
    }
}

/// A previous particle picked by weight, moved by the kernel (N(0, Σ)), redrawn until inside the prior.
fn perturb(
    pop: &Population,
    kernel: &Kernel,
    priors: &Priors,
    r: &mut Xoshiro256PlusPlus,
) -> Vec<f64> {
    let mut z = vec![0.0; kernel.dims()];
    for _ in 0..1000 {
        let j = pick(&pop.weights, r.random::<f64>());
        for x in &mut z {
            *x = r.sample::<f64, _>(StandardNormal);
        }
        let u = kernel.step(&pop.u[j], &z);
        if priors.contains(&u) {
            return u;
        }
    }
    pop.u[pick(&pop.weights, r.random::<f64>())].clone()
}

/// w_i ∝ π(θ_i) / Σ_j w_j K(θ_i | θ_j); π is uniform in prior space, K the kernel's normal
/// (its constant, the same for every j, cancels).
fn importance_weights(pop: &Population, accepted: &[(Vec<f64>, f64)], kernel: &Kernel) -> Vec<f64> {
    let raw: Vec<f64> = accepted
        .par_iter()
        .map(|(u, _)| {
            let denom: f64 = pop
                .u
                .iter()
                .zip(&pop.weights)
                .map(|(v, w)| w * (-0.5 * kernel.distance2(u, v)).exp())
                .sum();
            if denom > 0.0 { 1.0 / denom } else { 0.0 }
        })
        .collect();
    let total: f64 = raw.iter().sum();
    if total > 0.0 {
        raw.iter().map(|w| w / total).collect()
    } else {
        vec![1.0 / raw.len() as f64; raw.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order follows cost over the chance of rejecting: an event that rejected every set
    /// that reached it goes before the others, whatever its cost; with no rejection at all the
    /// cheapest stays first.
    #[test]
    fn early_rejection_learns_to_simulate_the_rejecting_event_first() {
        let events = crate::calibrate::predict::tests::shipped_events();
        let mut r = Rejections::new(&events);
        let cheapest = r.order.clone();
        assert_eq!(cheapest.len(), 4);
        let dearest = *cheapest.last().unwrap();
        r.learn(
            &events,
            std::iter::repeat_n(Some(cheapest.len() - 1), 300),
            None,
        );
        assert_eq!(r.order[0], dearest, "{cheapest:?} -> {:?}", r.order);
        let mut r = Rejections::new(&events);
        r.learn(&events, std::iter::repeat_n(None, 300), None);
        assert_eq!(r.order, cheapest);
        // Measured times replace the estimate once every event has one: the estimate's
        // dearest, measured cheapest, goes first when nothing rejects.
        let clock = SimulationClock::new(events.scenarios_len());
        for (rank, &e) in cheapest.iter().enumerate() {
            let seconds = if e == dearest {
                0.001
            } else {
                0.01 * (rank + 1) as f64
            };
            clock.add(e, std::time::Duration::from_secs_f64(seconds));
        }
        let mut r = Rejections::new(&events);
        r.learn(&events, std::iter::repeat_n(None, 300), Some(&clock));
        assert_eq!(r.order[0], dearest, "{:?}", r.order);
        assert_eq!(r.order[1..], cheapest[..cheapest.len() - 1]);
    }
}
