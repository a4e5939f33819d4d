//! The limits a run can hit, and when each run hits them: every sign-up limit of a scenario
//! (an app's servers, globally or per region, and its verification codes per region) and, per
//! run, whether it was reached, when first, for how long, and the longest wait behind it.
//!
//! A limit is *at* its bound in a step when the queue behind it is not empty at the step's end
//! and the step served (within one sign-up, the carried fraction) all the limit allows: the
//! queue did not clear because the limit, not the demand, set the pace. Where a region has both
//! servers and codes, only the lower can be met with a queue, so the binding one is named.

use super::observe::Observed;
use crate::model::signup::Capacity;
use crate::scenario::Scenario;

/// What bounds sign-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The app's sign-up servers (`capacity_per_second` or `capacity_by_region`).
    Servers,
    /// SMS verification codes (`verification_by_region`).
    Codes,
}

impl LimitKind {
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Servers => "servers",
            LimitKind::Codes => "codes",
        }
    }
}

/// One limit: an app's, in one region or all of them (`region` None), per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub app: usize,
    pub region: Option<usize>,
    pub kind: LimitKind,
    pub per_second: f64,
}

impl Limit {
    /// `<region or all>_<kind>`, as figure names and limits.csv name it.
    pub fn label(&self, regions: &[String]) -> String {
        let region = self.region.map_or("all", |r| regions[r].as_str());
        format!("{region}_{}", self.kind.name())
    }
}

/// Every limit of a scenario, app by app: servers (global, or region by region), then codes.
pub fn limits_of(scenario: &Scenario) -> Vec<Limit> {
    let mut out = Vec::new();
    for (k, app) in scenario.apps.iter().enumerate() {
        match &app.capacity {
            Capacity::Unlimited => {}
            Capacity::Global(c) => out.push(Limit {
                app: k,
                region: None,
                kind: LimitKind::Servers,
                per_second: *c,
            }),
            Capacity::PerRegion(cs) => out.extend(cs.iter().enumerate().map(|(r, &c)| Limit {
                app: k,
                region: Some(r),
                kind: LimitKind::Servers,
                per_second: c,
            })),
        }
        if let Some(codes) = &app.verification {
            out.extend(codes.iter().enumerate().map(|(r, &v)| Limit {
                app: k,
                region: Some(r),
                kind: LimitKind::Codes,
                per_second: v,
            }));
        }
    }
    out
}

/// The figures recorded per run and limit.
pub const LIMIT_FIGURES: usize = 4;

/// Hours since the event's start standing for "never reached" in a run's first-reached time:
/// far beyond any horizon, so that quantiles across runs read "never" where fewer runs than the
/// quantile reached the limit (`report` writes them as empty).
pub const NEVER: f64 = 1e9;

/// One run's record of each limit.
#[derive(Debug, Clone)]
pub struct LimitTracker {
    limits: Vec<Limit>,
    step_seconds: f64,
    step_hours: f64,
    event_step: usize,
    /// Per (app, region): registrations after the previous step, and this step's.
    last_registered: Vec<u64>,
    served: Vec<u64>,
    regions: usize,
    /// Per limit: the first step (end) at the limit, steps at it, longest wait behind it (s).
    first: Vec<Option<usize>>,
    steps_at: Vec<u64>,
    longest_wait: Vec<f64>,
}

impl LimitTracker {
    pub fn new(scenario: &Scenario) -> Self {
        let limits = limits_of(scenario);
        let n = limits.len();
        let t = &scenario.timeline;
        LimitTracker {
            limits,
            step_seconds: t.step_hours * 3600.0,
            step_hours: t.step_hours,
            event_step: t.event_step,
            last_registered: vec![0; scenario.apps.len() * scenario.regions.len()],
            served: vec![0; scenario.apps.len() * scenario.regions.len()],
            regions: scenario.regions.len(),
            first: vec![None; n],
            steps_at: vec![0; n],
            longest_wait: vec![0.0; n],
        }
    }

    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    /// After step `end` (1-based): which limits served all they allow with a queue left.
    pub fn after_step(&mut self, end: usize, state: &Observed) {
        if self.limits.is_empty() {
            return;
        }
        let apps = self.last_registered.len() / self.regions.max(1);
        // This step's registrations per (app, region).
        let served = &mut self.served;
        for (r, region) in state.regions.iter().enumerate() {
            for k in 0..apps {
                let i = k * self.regions + r;
                served[i] = region.registered[k].saturating_sub(self.last_registered[i]);
                self.last_registered[i] = region.registered[k];
            }
        }
        for (j, limit) in self.limits.iter().enumerate() {
            let k = limit.app;
            let allowed = limit.per_second * self.step_seconds;
            let (done, waiting, wait) = match limit.region {
                Some(r) => (
                    served[k * self.regions + r],
                    state.regions[r].waiting[k],
                    state.regions[r].wait_seconds[k],
                ),
                None => (
                    (0..self.regions)
                        .map(|r| served[k * self.regions + r])
                        .sum(),
                    state.regions.iter().map(|c| c.waiting[k]).sum(),
                    state
                        .regions
                        .iter()
                        .map(|c| c.wait_seconds[k])
                        .fold(0.0, f64::max),
                ),
            };
            if waiting > 0 && done as f64 + 1.0 >= allowed {
                self.first[j].get_or_insert(end);
                self.steps_at[j] += 1;
            }
            if waiting > 0 {
                self.longest_wait[j] = self.longest_wait[j].max(wait);
            }
        }
    }

    /// The run's figures of limit `j`: reached (0 or 1), first reached (hours since the event's
    /// start, [`NEVER`] if not), hours at the limit, longest wait (seconds).
    pub fn figures(&self, j: usize) -> [f64; LIMIT_FIGURES] {
        let first = self.first[j].map_or(NEVER, |end| {
            (end as f64 - self.event_step as f64) * self.step_hours
        });
        [
            f64::from(u8::from(self.first[j].is_some())),
            first,
            self.steps_at[j] as f64 * self.step_hours,
            self.longest_wait[j],
        ]
    }
}
