//! Per-run random streams: run i of a seed always draws the same numbers, on any thread count.
//!
//! Each model component draws from its own stream (as in CDC's ixa), and within a run each
//! component gets a fresh stream per time step and unit (region or app), keyed by
//! (seed, run, component, step, unit). Adding a draw in one place therefore shifts nothing else,
//! and two scenarios run with the same seed use the same random numbers for the same region at
//! the same step (common random numbers), which keeps their paired differences tight.
//! Generator: Xoshiro256++ (Blackman & Vigna 2021, a named portable generator from
//! rand_xoshiro), seeded through SplitMix64 mixing.

use crate::model::draw::{Draws, Sampler};
use rand::{SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::convert::Infallible;

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A 64-bit key for the triple (a, b, c).
pub fn stream_key(a: u64, b: u64, c: u64) -> u64 {
    mix(mix(mix(a) ^ b) ^ c)
}

/// The generator of one component's stream at `step` for `unit`.
fn seeded(component_key: u64, step: usize, unit: usize) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(stream_key(component_key, step as u64, unit as u64))
}

/// The random streams drawn outside a run, each a named purpose keyed apart from every run's
/// streams (runs key theirs by run index and [`Component`]). The values are part of every
/// seeded output that uses them: changing one changes those outputs.
pub mod outside {
    /// The tag of every design stream (`explore::design_rng`), with its purposes below.
    pub const DESIGN: u64 = 0x5eed_de51;
    /// A sweep's Latin hypercube.
    pub const SWEEP_POINTS: u64 = 1;
    /// A sensitivity analysis's points (Morris trajectories, Saltelli's matrices).
    pub const SENSITIVITY_POINTS: u64 = 2;
    /// A sensitivity analysis's bootstrap resamples.
    pub const SENSITIVITY_BOOTSTRAP: u64 = 3;
    /// ABC-SMC: the runs of generation g's simulations (`calibrate::abc`).
    pub const ABC_RUNS: u64 = 0x51;
    /// ABC-SMC: the prior's draws.
    pub const ABC_PRIOR: u64 = 0xA;
    /// ABC-SMC: picking and perturbing a particle.
    pub const ABC_PERTURB: u64 = 0xB;
    /// Posterior predictive: which particle a draw takes (`calibrate::report`).
    pub const PREDICTIVE_PICK: u64 = 0xD;
    /// Posterior predictive: the runs of the draws.
    pub const PREDICTIVE_RUNS: u64 = 0xE;
    /// The tag of every nowcast stream (`calibrate::nowcast`), with its purposes below.
    pub const NOWCAST: u64 = 0x0040_ca57;
    /// A nowcast's simulated events up to the cut (keyed by stage and move, then particle).
    pub const NOWCAST_RUNS: u64 = 1;
    /// A nowcast's first draws from the fit's posterior.
    pub const NOWCAST_DRAW: u64 = 2;
    /// A nowcast's resampling.
    pub const NOWCAST_RESAMPLE: u64 = 3;
    /// A nowcast's Metropolis-Hastings proposals and acceptances.
    pub const NOWCAST_MOVE: u64 = 4;
    /// `surge nowcast --evaluate`: its synthetic truths and forecasts (`calibrate::nowcast_check`).
    pub const NOWCAST_CHECK: u64 = 5;
}

/// The model components that draw random numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Notice = 1,
    Looking = 2,
    Choice = 3,
    Signup = 4,
    Retention = 5,
    Baseline = 6,
    Parameters = 7,
    /// The agent engine's contact network and who holds which account on it.
    Network = 8,
}

impl Component {
    const ALL: [Component; COMPONENTS] = [
        Component::Notice,
        Component::Looking,
        Component::Choice,
        Component::Signup,
        Component::Retention,
        Component::Baseline,
        Component::Parameters,
        Component::Network,
    ];

    /// Its place in [`Component::ALL`] (the numbers start at 1).
    fn index(self) -> usize {
        self as usize - 1
    }
}

/// How many components draw random numbers.
const COMPONENTS: usize = 8;

/// The streams of one Monte Carlo run.
#[derive(Debug, Clone, Copy)]
pub struct RunStreams {
    run: u64,
    /// How the run's binomials are drawn (every stream of the run carries it).
    sampler: Sampler,
    /// Per component (by [`Component::index`]): `stream_key(seed, run, component)`, computed
    /// once per run rather than at every step's seeding (the same keys, so the same streams).
    component_keys: [u64; COMPONENTS],
    /// From this step on, another run's keys ([`RunStreams::then`]); `usize::MAX`: never.
    switch_step: usize,
    later_keys: [u64; COMPONENTS],
}

impl RunStreams {
    pub fn new(seed: u64, run: u64) -> Self {
        let component_keys = Component::ALL.map(|c| stream_key(seed, run, c as u64));
        RunStreams {
            run,
            sampler: Sampler::Exact,
            component_keys,
            switch_step: usize::MAX,
            later_keys: component_keys,
        }
    }

    /// These streams before step `from_step` and `later`'s from it on: a run that replays
    /// another's first steps exactly (so reaches the same state at `from_step`) and then goes
    /// its own way. Streams are keyed by step, so the splice moves nothing else. A nowcast
    /// continues each conditioned particle this way (`calibrate::nowcast`). The run index is
    /// `later`'s.
    pub fn then(self, later: RunStreams, from_step: usize) -> Self {
        RunStreams {
            run: later.run,
            sampler: self.sampler,
            component_keys: self.component_keys,
            switch_step: from_step,
            later_keys: later.component_keys,
        }
    }

    /// The key of `component` at `step`.
    #[inline]
    fn key(&self, component: Component, step: usize) -> u64 {
        if step < self.switch_step {
            self.component_keys[component.index()]
        } else {
            self.later_keys[component.index()]
        }
    }

    /// The same streams, their binomials drawn by `sampler` (the engines set their scenario's).
    pub fn sampling(mut self, sampler: Sampler) -> Self {
        self.sampler = sampler;
        self
    }

    /// The run's index.
    pub fn run(&self) -> u64 {
        self.run
    }

    /// The stream of `component` at time step `step` for `unit` (a region or an app index).
    pub fn at(&self, component: Component, step: usize, unit: usize) -> Xoshiro256PlusPlus {
        seeded(self.key(component, step), step, unit)
    }

    /// The same stream as [`RunStreams::at`], seeded only when first drawn from (most steps
    /// of most units draw nothing).
    pub fn lazy(&self, component: Component, step: usize, unit: usize) -> LazyStream {
        LazyStream {
            component_key: self.key(component, step),
            step,
            unit,
            sampler: self.sampler,
            rng: None,
        }
    }

    /// The stream for drawing this run's parameters (posterior runs): always this run's own,
    /// whatever it replays.
    pub fn parameters(&self) -> Xoshiro256PlusPlus {
        seeded(self.later_keys[Component::Parameters.index()], 0, 0)
    }
}

/// A stream that seeds its generator on first use; it draws exactly what [`RunStreams::at`]
/// would.
#[derive(Debug, Clone)]
pub struct LazyStream {
    component_key: u64,
    step: usize,
    unit: usize,
    sampler: Sampler,
    rng: Option<Xoshiro256PlusPlus>,
}

impl LazyStream {
    #[inline]
    fn rng(&mut self) -> &mut Xoshiro256PlusPlus {
        self.rng
            .get_or_insert_with(|| seeded(self.component_key, self.step, self.unit))
    }
}

impl Draws for LazyStream {
    fn sampler(&self) -> Sampler {
        self.sampler
    }
}

impl TryRng for LazyStream {
    type Error = Infallible;
    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.rng().try_next_u32()
    }
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.rng().try_next_u64()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.rng().try_fill_bytes(dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Value-stability: these numbers pin the generator and the seeding; if an upgrade changes
    /// them, every golden output changes too.
    #[test]
    fn streams_are_stable() {
        assert_eq!(stream_key(0, 0, 0), 2_558_736_989_570_252_433);
        let s = RunStreams::new(42, 3);
        assert_eq!(s.at(Component::Notice, 0, 0).next_u64(), PINNED);
    }

    #[test]
    fn every_component_has_its_own_key_slot() {
        for (i, c) in Component::ALL.iter().enumerate() {
            assert_eq!(c.index(), i, "{c:?}");
        }
    }

    #[test]
    fn lazy_streams_draw_what_eager_ones_do() {
        let s = RunStreams::new(9, 4);
        let mut lazy = s.lazy(Component::Choice, 17, 2);
        let mut eager = s.at(Component::Choice, 17, 2);
        for _ in 0..5 {
            assert_eq!(lazy.next_u64(), eager.next_u64());
        }
    }

    const PINNED: u64 = 3_231_693_720_480_181_823;

    #[test]
    fn a_spliced_run_replays_one_run_then_draws_another_s() {
        let (a, b) = (RunStreams::new(5, 1), RunStreams::new(5, 2));
        let spliced = a.then(b, 10);
        for step in [0, 9] {
            assert_eq!(
                spliced.at(Component::Signup, step, 3).next_u64(),
                a.at(Component::Signup, step, 3).next_u64()
            );
        }
        for step in [10, 11, 500] {
            assert_eq!(
                spliced.lazy(Component::Signup, step, 3).next_u64(),
                b.at(Component::Signup, step, 3).next_u64()
            );
        }
        assert_eq!(spliced.run(), 2);
        assert_eq!(spliced.parameters().next_u64(), b.parameters().next_u64());
    }

    #[test]
    fn runs_steps_units_and_components_differ() {
        let s = RunStreams::new(1, 0);
        let draws = [
            s.at(Component::Notice, 0, 0).next_u64(),
            RunStreams::new(1, 1).at(Component::Notice, 0, 0).next_u64(),
            s.at(Component::Looking, 0, 0).next_u64(),
            s.at(Component::Notice, 1, 0).next_u64(),
            s.at(Component::Notice, 0, 1).next_u64(),
        ];
        for i in 0..draws.len() {
            for j in 0..i {
                assert_ne!(draws[i], draws[j]);
            }
        }
    }
}
