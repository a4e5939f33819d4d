//! What the benches share: timing one engine run after another, each with the next run's
//! streams, keeping one count of the last step so the work cannot be optimised away.

use criterion::Bencher;
use std::hint::black_box;
use surge::engine::{Engine, Observed, Observer, RunStreams};

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
