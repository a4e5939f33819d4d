//! A deterministic mock engine: counts that follow a fixed formula of the step, region and app,
//! scaled per run by one number from the run's own streams. It lets the Monte Carlo driver, the
//! summaries and the report be tested end to end apart from any model (a snapshot of
//! `summary.json`, `tests/engines.rs`), as hyperfine tests its benchmark pipeline with a mock
//! executor; and it shows the whole of what an engine must do to plug into surge.

use super::observe::{Engine, Observed, Observer};
use super::streams::{Component, RunStreams};
use crate::scenario::Scenario;
use rand::RngExt;

/// Per step after the event began, region `r` registers `scale · (r + 1) · (k + 1)` new accounts
/// at app `k` and reactivates half as many; waits and abandonment follow from the step; the
/// baseline grows by `k + 1` per step. `scale` is 1 to 4, drawn once per run.
#[derive(Debug, Clone)]
pub struct MockEngine {
    steps: usize,
    event_step: usize,
    regions: usize,
    apps: usize,
}

impl MockEngine {
    pub fn new(scenario: &Scenario) -> Self {
        MockEngine {
            steps: scenario.timeline.steps,
            event_step: scenario.timeline.event_step,
            regions: scenario.regions.len(),
            apps: scenario.apps.len(),
        }
    }
}

impl Engine for MockEngine {
    fn run(&self, streams: &RunStreams, observer: &mut dyn Observer) {
        let scale = 1 + streams.at(Component::Choice, 0, 0).random_range(0..4u64);
        let mut counts = Observed::new(self.regions, self.apps);
        for step in 0..self.steps {
            let active = step >= self.event_step;
            for k in 0..self.apps {
                counts.served_last_step[k] = 0;
                counts.baseline[k] += k as u64 + 1;
                for (r, region) in counts.regions.iter_mut().enumerate() {
                    let new = if active {
                        scale * (r as u64 + 1) * (k as u64 + 1)
                    } else {
                        0
                    };
                    region.registered[k] += new;
                    region.reactivated[k] += new / 2;
                    region.abandoned[k] += new / 4;
                    region.retained[k] = (region.registered[k] + region.reactivated[k]) / 2;
                    region.waiting[k] = new / 3;
                    region.wait_seconds[k] = (new / 3) as f64 * 0.5;
                    counts.served_last_step[k] += new;
                }
            }
            observer.after_step(step, &counts);
        }
    }
}
