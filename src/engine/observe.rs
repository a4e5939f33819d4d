//! What an engine shows while it runs, and the one trait every engine implements. Observers
//! (the recorder, the fit's tally, the tests) see only [`Observed`]: the counts the outputs are
//! made of, per region and app, and nothing of how an engine keeps its population (cohorts of
//! counts, or individual users).

use super::streams::RunStreams;
use crate::model::Behaviour;
use crate::scenario::Scenario;

/// One region's observable counts, each per app (cumulative unless said otherwise).
#[derive(Debug, PartialEq)]
pub struct RegionCounts {
    /// New accounts created.
    pub registered: Vec<u64>,
    /// Dormant accounts back in use.
    pub reactivated: Vec<u64>,
    /// Sign-up attempts that gave up in the queue.
    pub abandoned: Vec<u64>,
    /// Arrivals still active after 30 days (a subset of registered + reactivated), current at
    /// the steps whose counts are recorded (`record::recorded_steps`); between them the newest
    /// arrivals are not yet drawn.
    pub retained: Vec<u64>,
    /// Sign-up attempts waiting now.
    pub waiting: Vec<u64>,
    /// Expected wait of a sign-up joining now, seconds.
    pub wait_seconds: Vec<f64>,
}

/// Written out so that `clone_from` copies into the buffers it has: the adaptive rule copies the
/// counts before every joined step, and the derived `clone_from` allocated six vectors a region
/// each time (8% of a run at 200 regions, `perf`).
impl Clone for RegionCounts {
    fn clone(&self) -> Self {
        RegionCounts {
            registered: self.registered.clone(),
            reactivated: self.reactivated.clone(),
            abandoned: self.abandoned.clone(),
            retained: self.retained.clone(),
            waiting: self.waiting.clone(),
            wait_seconds: self.wait_seconds.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.registered.clone_from(&source.registered);
        self.reactivated.clone_from(&source.reactivated);
        self.abandoned.clone_from(&source.abandoned);
        self.retained.clone_from(&source.retained);
        self.waiting.clone_from(&source.waiting);
        self.wait_seconds.clone_from(&source.wait_seconds);
    }
}

impl RegionCounts {
    /// All zero, for `apps` apps.
    pub fn new(apps: usize) -> Self {
        RegionCounts {
            registered: vec![0; apps],
            reactivated: vec![0; apps],
            abandoned: vec![0; apps],
            retained: vec![0; apps],
            waiting: vec![0; apps],
            wait_seconds: vec![0.0; apps],
        }
    }
}

/// Everything an observer sees after a step.
#[derive(Debug, PartialEq)]
pub struct Observed {
    pub regions: Vec<RegionCounts>,
    /// Per app: organic registrations so far (from outside the affected population).
    pub baseline: Vec<u64>,
    /// Per app: registrations completed in the last step (all regions).
    pub served_last_step: Vec<u64>,
}

/// `clone_from` into the buffers it has (see [`RegionCounts`]' `Clone`).
impl Clone for Observed {
    fn clone(&self) -> Self {
        Observed {
            regions: self.regions.clone(),
            baseline: self.baseline.clone(),
            served_last_step: self.served_last_step.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.regions.clone_from(&source.regions);
        self.baseline.clone_from(&source.baseline);
        self.served_last_step.clone_from(&source.served_last_step);
    }
}

impl Observed {
    /// All zero, for `regions` regions and `apps` apps.
    pub fn new(regions: usize, apps: usize) -> Self {
        Observed {
            regions: vec![RegionCounts::new(apps); regions],
            baseline: vec![0; apps],
            served_last_step: vec![0; apps],
        }
    }
}

impl Observed {
    /// The counts `part` steps into a joined step of `whole` steps that went from `before` to
    /// `after` (the adaptive rule, docs/MODEL.md §1): a tau-leap freezes the rates over its
    /// step, so its moves are spread evenly over it and each cumulative count lies on the line
    /// between its ends (rounded toward the start). The queue's wait is the step's; retention
    /// and organic sign-ups change only at recorded steps, which end joined steps, so they are
    /// `before`'s until the end and `after`'s at it. Registrations of the last step are the
    /// joined step's spread evenly.
    pub fn between(&mut self, before: &Observed, after: &Observed, part: u64, whole: u64) {
        // Counts and parts are far below 2^64 / 2^16 (a joined step spans at most an output
        // interval), so u64 arithmetic is exact; i128 division cost 6% of a run.
        let line = |a: u64, b: u64| {
            if b >= a {
                a + (b - a) * part / whole
            } else {
                a - (a - b) * part / whole
            }
        };
        for ((out, b), a) in self
            .regions
            .iter_mut()
            .zip(&before.regions)
            .zip(&after.regions)
        {
            for k in 0..out.registered.len() {
                out.registered[k] = line(b.registered[k], a.registered[k]);
                out.reactivated[k] = line(b.reactivated[k], a.reactivated[k]);
                out.abandoned[k] = line(b.abandoned[k], a.abandoned[k]);
                out.waiting[k] = line(b.waiting[k], a.waiting[k]);
                out.retained[k] = if part == whole { a } else { b }.retained[k];
                out.wait_seconds[k] = a.wait_seconds[k];
            }
        }
        self.baseline
            .copy_from_slice(&if part == whole { after } else { before }.baseline);
        for (out, &total) in self
            .served_last_step
            .iter_mut()
            .zip(&after.served_last_step)
        {
            *out = total * part / whole - total * (part - 1) / whole;
        }
    }
}

/// Called after every step with the counts at its end (`step` counts from 0).
pub trait Observer {
    fn after_step(&mut self, step: usize, counts: &Observed);

    /// Whether the run should go on after the step just observed (false: the engine stops
    /// there). A nowcast's conditioning needs a run only up to the last observation.
    fn wants_more(&self) -> bool {
        true
    }
}

/// A simulation engine for one scenario and parameter set: the Monte Carlo driver, the
/// summaries and `surge fit` call engines only through this.
pub trait Engine: Send + Sync {
    /// Simulates one run, drawing only from `streams` (those of the master seed and the run's
    /// index), and calls `observer` after every step of the scenario's timeline, until the
    /// observer wants no more.
    fn run(&self, streams: &RunStreams, observer: &mut dyn Observer);

    /// What the engine has to say about its first run beyond the counts (the agent engine: the
    /// network it drew), for `summary.json`; `None` for most engines. Read after run 0 ended.
    fn report(&self) -> Option<serde_json::Value> {
        None
    }
}

/// Builds an engine for a scenario and parameter set (once per run when each run draws its own
/// parameters). Implemented by [`EngineKind`] and by any `Fn(&Scenario, &Behaviour) -> Box<dyn
/// Engine>`, so tests can drive the Monte Carlo with a mock engine.
pub trait BuildEngine: Sync {
    fn build(&self, scenario: &Scenario, behaviour: &Behaviour) -> Box<dyn Engine>;
    /// An engine for runs whose observer wants nothing after step `steps - 1`: the same runs as
    /// [`BuildEngine::build`]'s, built with less work where an engine can (the cohort engine
    /// computes its drivers only that far).
    fn build_until(
        &self,
        scenario: &Scenario,
        behaviour: &Behaviour,
        _steps: usize,
    ) -> Box<dyn Engine> {
        self.build(scenario, behaviour)
    }
    /// How `summary.json` names the engine.
    fn describe(&self) -> String;
}

impl<F> BuildEngine for F
where
    F: Fn(&Scenario, &Behaviour) -> Box<dyn Engine> + Sync,
{
    fn build(&self, scenario: &Scenario, behaviour: &Behaviour) -> Box<dyn Engine> {
        self(scenario, behaviour)
    }
    fn describe(&self) -> String {
        "custom".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `clone_from` gives an equal copy and keeps the buffers it had (no allocation per joined
    /// step); `clone` is an equal copy too.
    #[test]
    fn counts_are_copied_into_the_buffers_already_there() {
        let mut source = Observed::new(3, 2);
        source.regions[2].registered[1] = 7;
        source.regions[1].wait_seconds[0] = 1.5;
        source.baseline[1] = 4;
        source.served_last_step[0] = 9;
        let mut copy = Observed::new(3, 2);
        let buffers: Vec<*const u64> = copy.regions.iter().map(|r| r.registered.as_ptr()).collect();
        let regions = copy.regions.as_ptr();
        copy.clone_from(&source);
        assert_eq!(copy, source);
        assert_eq!(copy.regions.as_ptr(), regions);
        let after: Vec<*const u64> = copy.regions.iter().map(|r| r.registered.as_ptr()).collect();
        assert_eq!(after, buffers);
        assert_eq!(source.clone(), source);
    }

    #[test]
    fn a_joined_step_is_spread_evenly_and_sums_to_its_ends() {
        let mut before = Observed::new(1, 1);
        let mut after = Observed::new(1, 1);
        before.regions[0].registered[0] = 10;
        after.regions[0].registered[0] = 17;
        after.regions[0].waiting[0] = 5;
        before.regions[0].waiting[0] = 9;
        after.served_last_step[0] = 7;
        after.regions[0].retained[0] = 3;
        let mut seen = Observed::new(1, 1);
        let mut served = 0;
        let mut last = 10;
        for part in 1..=3 {
            seen.between(&before, &after, part, 3);
            let r = &seen.regions[0];
            assert!(r.registered[0] >= last);
            last = r.registered[0];
            served += seen.served_last_step[0];
            let retained = if part == 3 { 3 } else { 0 };
            assert_eq!(
                r.retained[0], retained,
                "retention is drawn at the joined step's end"
            );
        }
        assert_eq!(seen.regions[0].registered[0], 17);
        assert_eq!(seen.regions[0].waiting[0], 5);
        assert_eq!(served, 7, "the joined step's registrations, all of them");
        seen.between(&before, &after, 1, 3);
        assert_eq!(seen.regions[0].registered[0], 12);
        assert_eq!(seen.regions[0].waiting[0], 8, "rounded toward the start");
    }
}
