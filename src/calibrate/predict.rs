//! Model values for reported figures: simulate each event once with a parameter set and read
//! off what each observation counted, in its window.

use super::CalibrationError;
use super::observations::{Counts, Observation, ObservationSet};
use crate::engine::{CohortEngine, CohortState, Observer, RunStreams};
use crate::scenario::{Behaviour, Scenario, load_scenario};

/// The events the observations refer to, loaded once.
#[derive(Debug, Clone)]
pub struct EventSet {
    pub scenarios: Vec<Scenario>,
    pub observations: Vec<Observation>,
    /// Per observation: (event index, app index, region index if a share).
    index: Vec<(usize, usize, Option<usize>)>,
}

/// What one parameter set gives for every observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Model value per observation (at the admissible window start nearest the figure).
    pub values: Vec<f64>,
    /// Distance per observation, in tolerance units.
    pub distances: Vec<f64>,
    /// sqrt of the sum of squared distances.
    pub total: f64,
}

/// Cumulative counts at every step end (index 0 = before the first step).
struct Tally {
    apps: usize,
    regions: usize,
    /// Per step: per app, per region, registered and reactivated; then per app baseline.
    /// All-region totals are summed when read.
    rows: Vec<u64>,
}

impl Tally {
    fn new(apps: usize, regions: usize, steps: usize) -> Self {
        let mut t = Tally {
            apps,
            regions,
            rows: Vec::new(),
        };
        t.rows.resize((steps + 1) * t.width(), 0);
        t
    }
    fn width(&self) -> usize {
        self.apps * (self.regions * 2 + 1)
    }
    fn at(&self, step: usize, app: usize, region: usize, reactivated: bool) -> u64 {
        self.rows
            [step * self.width() + (app * self.regions + region) * 2 + usize::from(reactivated)]
    }
    fn baseline(&self, step: usize, app: usize) -> u64 {
        self.rows[step * self.width() + self.apps * self.regions * 2 + app]
    }
}

impl Observer for Tally {
    fn after_step(&mut self, step: usize, state: &CohortState) {
        let w = self.width();
        let row = &mut self.rows[(step + 1) * w..(step + 2) * w];
        for k in 0..self.apps {
            for (r, region) in state.regions.iter().enumerate() {
                let at = (k * self.regions + r) * 2;
                row[at] = region.registered[k];
                row[at + 1] = region.reactivated[k];
            }
            row[self.apps * self.regions * 2 + k] = state.baseline[k];
        }
    }
}

impl EventSet {
    /// Loads the scenarios the observations name (with `base` parameters) and checks that every
    /// observation's app, region and windows exist in its event.
    pub fn new(
        set: &ObservationSet,
        params: Option<&std::path::Path>,
    ) -> Result<Self, CalibrationError> {
        let events = set.events();
        let scenarios = events
            .iter()
            .map(|e| load_scenario(e, params))
            .collect::<Result<Vec<_>, _>>()?;
        let mut index = Vec::new();
        for o in &set.observations {
            let e = events.iter().position(|p| *p == o.event).unwrap_or(0);
            let s = &scenarios[e];
            let bad = |what: String| {
                CalibrationError::Invalid(format!(
                    "{}: observation `{}`: {what}",
                    set.file.display(),
                    o.id
                ))
            };
            let app = s
                .apps
                .iter()
                .position(|a| a.name == o.app)
                .ok_or_else(|| bad(format!("{} has no app `{}`", o.event.display(), o.app)))?;
            let region = match &o.region {
                None => None,
                Some(r) => Some(
                    s.regions
                        .iter()
                        .position(|x| &x.name == r)
                        .ok_or_else(|| bad(format!("{} has no region `{r}`", o.event.display())))?,
                ),
            };
            for start in o.window_start_hours {
                let (i0, i1) = window(s, start, o.window_hours);
                if i0 < 0 || i1 > s.timeline.steps as i64 {
                    return Err(bad(format!(
                        "the window from {start} h for {} h does not fit the simulated time of {}",
                        o.window_hours,
                        o.event.display()
                    )));
                }
            }
            index.push((e, app, region));
        }
        Ok(EventSet {
            scenarios,
            observations: set.observations.clone(),
            index,
        })
    }

    /// Simulates every event once with `behaviour` (run `run` of `seed`) and scores every observation.
    pub fn predict(&self, behaviour: &Behaviour, seed: u64, run: u64) -> Prediction {
        let tallies: Vec<Tally> = self
            .scenarios
            .iter()
            .enumerate()
            .map(|(e, s)| {
                let engine = CohortEngine::new(s, behaviour);
                let mut tally = Tally::new(s.apps.len(), s.regions.len(), s.timeline.steps);
                let streams = RunStreams::new(seed, run.wrapping_mul(31).wrapping_add(e as u64));
                engine.run(&streams, &mut tally);
                tally
            })
            .collect();
        let mut values = Vec::with_capacity(self.observations.len());
        let mut distances = Vec::with_capacity(self.observations.len());
        for (o, &(e, app, region)) in self.observations.iter().zip(&self.index) {
            let s = &self.scenarios[e];
            let tally = &tallies[e];
            let [a, b] = o.window_start_hours;
            let starts = if a == b { 1 } else { 13 };
            let best = (0..starts)
                .map(|k| {
                    let start = if starts == 1 {
                        a
                    } else {
                        a + (b - a) * k as f64 / 12.0
                    };
                    let v = value(o, tally, window(s, start, o.window_hours), app, region);
                    (o.distance(v), v)
                })
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .unwrap_or((f64::INFINITY, f64::NAN));
            distances.push(best.0);
            values.push(best.1);
        }
        let total = distances.iter().map(|d| d * d).sum::<f64>().sqrt();
        Prediction {
            values,
            distances,
            total,
        }
    }
}

/// Step indices (start, end) of a window `start` hours after the event, `length` hours long.
fn window(s: &Scenario, start: f64, length: f64) -> (i64, i64) {
    let dt = s.timeline.step_hours;
    let i0 = s.timeline.event_step as i64 + (start / dt).round() as i64;
    (i0, i0 + (length / dt).round() as i64)
}

fn value(
    o: &Observation,
    t: &Tally,
    (i0, i1): (i64, i64),
    app: usize,
    region: Option<usize>,
) -> f64 {
    let (i0, i1) = (i0.max(0) as usize, i1.max(0) as usize);
    let gain = |r: usize, reactivated: bool| {
        (t.at(i1, app, r, reactivated) - t.at(i0, app, r, reactivated)) as f64
    };
    let count = |regions: std::ops::Range<usize>| -> f64 {
        let reg: f64 = regions.clone().map(|r| gain(r, false)).sum();
        match o.counts {
            Counts::Registrations => reg,
            Counts::Arrivals => reg + regions.map(|r| gain(r, true)).sum::<f64>(),
            Counts::Downloads => reg + (t.baseline(i1, app) - t.baseline(i0, app)) as f64,
        }
    };
    let all = count(0..t.regions);
    match region {
        Some(r) if all > 0.0 => count(r..r + 1) / all,
        Some(_) => 0.0,
        None => all,
    }
}
