//! What the benches share: timing one engine run after another, each with the next run's
//! streams, keeping one count of the last step so the work cannot be optimised away.

#![allow(dead_code)] // each bench uses some of these

use criterion::Bencher;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::time::Instant;
use surge::engine::{Engine, Observed, Observer, RunStreams};
use surge::model::btrs;
use surge::model::draw::trace_draws;

struct Last(u64);

impl Observer for Last {
    fn after_step(&mut self, _: usize, counts: &Observed) {
        self.0 = counts.regions[0].registered[0];
    }
}

/// Times `engine`'s runs 1, 2, 3, ... of seed 1.
pub fn time_runs(b: &mut Bencher, engine: &dyn Engine) {
    let mut run = 0;
    b.iter(|| {
        run += 1;
        let mut last = Last(0);
        engine.run(&RunStreams::new(1, black_box(run)), &mut last);
        black_box(last.0)
    })
}

/// Draws Binomial(n, p) for every traced pair with the engine's sampler.
pub fn replay(draws: &[(u64, f64)], rng: &mut Xoshiro256PlusPlus) -> u64 {
    draws.iter().map(|&(n, p)| btrs::sample(rng, n, p)).sum()
}

/// What drawing random numbers costs in one of `engine`'s runs: the run's binomial draws are
/// traced, then the run and a replay of its draws alone are timed `samples` times, interleaved
/// (so both see the same machine load). Returns (draws, median run seconds, median seconds of
/// the draws alone).
pub fn draw_cost(engine: &dyn Engine, samples: u64) -> (usize, f64, f64) {
    let run = |i: u64| {
        let mut last = Last(0);
        engine.run(&RunStreams::new(1, i), &mut last);
        last.0
    };
    let (_, draws) = trace_draws(|| run(0));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let (mut full, mut alone) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let t = Instant::now();
        black_box(run(i));
        full.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(replay(&draws, &mut rng));
        alone.push(t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (draws.len(), median(&mut full), median(&mut alone))
}

/// The two-thread pool the multi-threaded benches measure on (this project's machine has two
/// cores).
pub fn two_threads() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("two threads")
}
