//! Recording a run: the time series at output points and the headline figures.

use super::observe::{Observed, Observer, RegionCounts};
use crate::scenario::Scenario;
use serde::Serialize;

/// A quantity reported over time, per app and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// New accounts created (cumulative count).
    Registrations,
    /// Dormant accounts back in use (cumulative count).
    Reactivations,
    /// Registrations + reactivations (cumulative count).
    Arrivals,
    /// Registrations per second, averaged over the output interval (peak over steps in headlines).
    RegistrationRate,
    /// Seconds a new sign-up waits, the largest in the output interval.
    QueueWait,
    /// Sign-up attempts that gave up in the queue (cumulative count).
    Abandoned,
    /// Organic registrations from outside the affected population (cumulative count; region `all` only).
    Baseline,
    /// Arrivals still active after 30 days (cumulative count).
    Retained,
    /// Sign-up attempts: everyone who set out to create an account, whether served, still
    /// waiting or given up (registrations + waiting + abandoned; cumulative count). The demand
    /// on the sign-up servers before any limit (docs/MODEL.md §6, "Demand").
    Attempts,
    /// Sign-up attempts per second, averaged over the output interval (peak over steps in
    /// headlines): the rate the servers would have to absorb to serve everyone at once.
    AttemptRate,
    /// Per run and sign-up limit (`engine::limits`), not a time series: 1 if the run reached
    /// the limit, else 0.
    LimitReached,
    /// Hours since the event's start when the run first reached the limit (`limits::NEVER` if
    /// it did not).
    LimitFirstHours,
    /// Hours the run spent at the limit.
    HoursAtLimit,
    /// Longest wait of a new sign-up behind the limit, seconds.
    LimitWait,
}

impl Metric {
    /// Whether every run's value of the metric can only grow over time (a cumulative count):
    /// then so does each of its quantiles across runs (docs/MODEL.md §8).
    pub fn is_cumulative(self) -> bool {
        !matches!(
            self,
            Metric::RegistrationRate | Metric::QueueWait | Metric::AttemptRate
        )
    }

    pub const ALL: [Metric; 10] = [
        Metric::Registrations,
        Metric::Reactivations,
        Metric::Arrivals,
        Metric::RegistrationRate,
        Metric::QueueWait,
        Metric::Abandoned,
        Metric::Baseline,
        Metric::Retained,
        Metric::Attempts,
        Metric::AttemptRate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Registrations => "registrations",
            Metric::Reactivations => "reactivations",
            Metric::Arrivals => "arrivals",
            Metric::RegistrationRate => "registration_rate",
            Metric::QueueWait => "queue_wait",
            Metric::Abandoned => "abandoned",
            Metric::Baseline => "baseline",
            Metric::Retained => "retained",
            Metric::Attempts => "attempts",
            Metric::AttemptRate => "attempt_rate",
            Metric::LimitReached => "reached",
            Metric::LimitFirstHours => "first_reached_hours",
            Metric::HoursAtLimit => "hours_at_limit",
            Metric::LimitWait => "wait_max",
        }
    }

    /// Cumulative count of a region for app `k` (count metrics only).
    fn count(self, region: &RegionCounts, k: usize) -> u64 {
        match self {
            Metric::Registrations => region.registered[k],
            Metric::Reactivations => region.reactivated[k],
            Metric::Arrivals => region.registered[k] + region.reactivated[k],
            Metric::Abandoned => region.abandoned[k],
            Metric::Retained => region.retained[k],
            Metric::Attempts => region.registered[k] + region.waiting[k] + region.abandoned[k],
            Metric::RegistrationRate
            | Metric::QueueWait
            | Metric::Baseline
            | Metric::AttemptRate
            | Metric::LimitReached
            | Metric::LimitFirstHours
            | Metric::HoursAtLimit
            | Metric::LimitWait => 0,
        }
    }
}

/// Where each (app, region, metric) series sits in a run's output. Region slot 0 is `all`.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesLayout {
    pub apps: Vec<String>,
    pub regions: Vec<String>,
}

impl SeriesLayout {
    pub fn new(scenario: &Scenario) -> Self {
        SeriesLayout {
            apps: scenario.apps.iter().map(|a| a.name.clone()).collect(),
            regions: scenario.regions.iter().map(|r| r.name.clone()).collect(),
        }
    }
    /// Number of series per output point.
    pub fn len(&self) -> usize {
        self.apps.len() * (self.regions.len() + 1) * Metric::ALL.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Index of a series; `slot` 0 is the all-regions total, 1 + r is region r.
    pub fn index(&self, app: usize, slot: usize, metric: Metric) -> usize {
        (app * (self.regions.len() + 1) + slot) * Metric::ALL.len() + metric as usize
    }
    /// Name of a region slot.
    pub fn slot_name(&self, slot: usize) -> &str {
        if slot == 0 {
            "all"
        } else {
            &self.regions[slot - 1]
        }
    }
}

/// One headline figure of a run.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineSpec {
    pub app: String,
    #[serde(skip)]
    pub app_index: usize,
    pub metric: Metric,
    /// Counts: within this many hours of the event's start. Rate and wait: the whole horizon (None).
    pub window_hours: Option<f64>,
    #[serde(skip)]
    window_end_step: usize,
    /// A figure of a sign-up limit (index into `limits::limits_of`, and its label such as
    /// `latin_america_servers`), not of the app as a whole.
    #[serde(skip)]
    pub limit: Option<(usize, String)>,
}

/// The figures recorded per run for each sign-up limit, in `LimitTracker::figures`'s order.
pub const LIMIT_METRICS: [Metric; super::limits::LIMIT_FIGURES] = [
    Metric::LimitReached,
    Metric::LimitFirstHours,
    Metric::HoursAtLimit,
    Metric::LimitWait,
];

/// Hours after the event's start at which windowed headline figures are taken.
const WINDOWS: [f64; 2] = [24.0, 72.0];

/// Per step: whether counts are read after it (an output point, the event's start, a headline
/// window's end, or the last step).
pub fn recorded_steps(t: &crate::scenario::Timeline) -> Vec<bool> {
    let mut due: Vec<bool> = (1..=t.steps)
        .map(|end| end.is_multiple_of(t.output_every) || end == t.event_step || end == t.steps)
        .collect();
    for w in WINDOWS {
        let end = t.event_step + (w / t.step_hours).round() as usize;
        if (1..=t.steps).contains(&end) {
            due[end - 1] = true;
        }
    }
    due
}

/// A headline figure's short label, such as `arrivals_24h` or `registration_rate_peak`.
pub fn figure_label(metric: &str, window_hours: Option<f64>) -> String {
    match (window_hours, metric) {
        (Some(w), m) => format!("{m}_{w}h"),
        (None, "queue_wait") => "queue_wait_max".into(),
        (None, m) => format!("{m}_peak"),
    }
}

impl HeadlineSpec {
    /// `app.label`, the column name in `runs.csv` (`app.limit_<region>_<kind>.<figure>` for a
    /// limit's figure).
    pub fn column(&self) -> String {
        match &self.limit {
            Some((_, label)) => format!("{}.limit_{label}.{}", self.app, self.metric.name()),
            None => format!(
                "{}.{}",
                self.app,
                figure_label(self.metric.name(), self.window_hours)
            ),
        }
    }

    /// The headline figures of a scenario: for every app, arrivals, registrations and
    /// reactivations within 24 h and 72 h of the event (where the horizon reaches), abandoned
    /// and retained within 72 h, sign-up attempts within 24 h, peak registration rate (served),
    /// peak attempt rate (demand) and longest queue wait.
    pub fn for_scenario(scenario: &Scenario) -> Vec<HeadlineSpec> {
        let t = &scenario.timeline;
        let mut out = Vec::new();
        for (k, app) in scenario.apps.iter().enumerate() {
            let mut push = |metric, window_hours: Option<f64>| {
                let window_end_step = window_hours.map_or(t.steps, |w| {
                    t.event_step + (w / t.step_hours).round() as usize
                });
                if window_end_step <= t.steps {
                    out.push(HeadlineSpec {
                        app: app.name.clone(),
                        app_index: k,
                        metric,
                        window_hours,
                        window_end_step,
                        limit: None,
                    });
                }
            };
            for metric in [
                Metric::Arrivals,
                Metric::Registrations,
                Metric::Reactivations,
            ] {
                for w in WINDOWS {
                    push(metric, Some(w));
                }
            }
            push(Metric::Abandoned, Some(WINDOWS[1]));
            push(Metric::Retained, Some(WINDOWS[1]));
            push(Metric::Attempts, Some(WINDOWS[0]));
            push(Metric::RegistrationRate, None);
            push(Metric::AttemptRate, None);
            push(Metric::QueueWait, None);
        }
        // Then every sign-up limit's figures (after all apps', so the apps' columns keep their
        // places in runs.csv).
        let regions: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
        for (j, limit) in super::limits::limits_of(scenario).iter().enumerate() {
            for metric in LIMIT_METRICS {
                out.push(HeadlineSpec {
                    app: scenario.apps[limit.app].name.clone(),
                    app_index: limit.app,
                    metric,
                    window_hours: None,
                    window_end_step: t.steps,
                    limit: Some((j, limit.label(&regions))),
                });
            }
        }
        out
    }
}

/// What one run leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// `points × layout.len()` values, point-major.
    pub series: Vec<f64>,
    /// One value per `HeadlineSpec`, in order.
    pub headline: Vec<f64>,
}

/// Observer that fills a `RunOutput`.
pub struct Recorder<'a> {
    layout: &'a SeriesLayout,
    specs: &'a [HeadlineSpec],
    event_step: usize,
    output_every: usize,
    step_seconds: f64,
    /// Per app: cumulative arrivals, registrations, reactivations, abandoned, retained and
    /// attempts when the event starts.
    at_event: Vec<[u64; 6]>,
    /// Per series (app, slot): registrations and attempts at the previous output point.
    prev_registered: Vec<u64>,
    prev_attempts: Vec<u64>,
    /// Per app: attempts (all regions) after the previous step, and the highest attempt rate of
    /// any step.
    last_attempts: Vec<u64>,
    peak_attempt_rate: Vec<f64>,
    /// Per series (app, slot): the longest wait in the current interval.
    max_wait: Vec<f64>,
    /// Per app: the highest registration rate of any step and the longest wait so far.
    peak_rate: Vec<f64>,
    peak_wait: Vec<f64>,
    /// Steps (ends) at which a windowed headline figure is taken, ascending, not yet reached.
    window_ends: Vec<usize>,
    steps: usize,
    limits: super::limits::LimitTracker,
    pub output: RunOutput,
}

const WINDOWED: [Metric; 6] = [
    Metric::Arrivals,
    Metric::Registrations,
    Metric::Reactivations,
    Metric::Abandoned,
    Metric::Retained,
    Metric::Attempts,
];

impl<'a> Recorder<'a> {
    pub fn new(scenario: &Scenario, layout: &'a SeriesLayout, specs: &'a [HeadlineSpec]) -> Self {
        let t = &scenario.timeline;
        let slots = layout.apps.len() * (layout.regions.len() + 1);
        let headline = specs
            .iter()
            .map(|s| {
                if s.window_hours.is_none() {
                    0.0
                } else {
                    f64::NAN
                }
            })
            .collect();
        Recorder {
            layout,
            specs,
            event_step: t.event_step,
            output_every: t.output_every,
            step_seconds: t.step_hours * 3600.0,
            at_event: vec![[0; 6]; layout.apps.len()],
            prev_registered: vec![0; slots],
            prev_attempts: vec![0; slots],
            last_attempts: vec![0; layout.apps.len()],
            peak_attempt_rate: vec![0.0; layout.apps.len()],
            max_wait: vec![0.0; slots],
            peak_rate: vec![0.0; layout.apps.len()],
            peak_wait: vec![0.0; layout.apps.len()],
            window_ends: {
                let mut ends: Vec<usize> = specs
                    .iter()
                    .filter(|s| s.window_hours.is_some())
                    .map(|s| s.window_end_step)
                    .collect();
                ends.sort_unstable();
                ends.dedup();
                ends
            },
            steps: t.steps,
            limits: super::limits::LimitTracker::new(scenario),
            output: RunOutput {
                series: vec![0.0; t.output_points() * layout.len()],
                headline,
            },
        }
    }

    fn totals(state: &Observed, k: usize) -> [u64; 6] {
        WINDOWED.map(|m| state.regions.iter().map(|r| m.count(r, k)).sum())
    }

    fn write_point(&mut self, point: usize, state: &Observed) {
        let n = self.layout.len();
        let interval = self.output_every as f64 * self.step_seconds;
        let row = &mut self.output.series[point * n..(point + 1) * n];
        let (prev, prev_attempts, waits) = (
            &mut self.prev_registered,
            &mut self.prev_attempts,
            &mut self.max_wait,
        );
        let slots = self.layout.regions.len() + 1;
        let metrics = Metric::ALL.len();
        // The layout is (app, slot, metric) in that order, so each (app, slot) fills a run of
        // `metrics` values; region slots first, then their sums into slot 0.
        for k in 0..self.layout.apps.len() {
            let mut total = [0u64; 6];
            for (r, region) in state.regions.iter().enumerate() {
                let counts = WINDOWED.map(|m| m.count(region, k));
                for (t, c) in total.iter_mut().zip(counts) {
                    *t += c;
                }
                let s = k * slots + 1 + r;
                let cells = &mut row[s * metrics..(s + 1) * metrics];
                let previous = Previous {
                    registered: &mut prev[s],
                    attempts: &mut prev_attempts[s],
                    wait: &mut waits[s],
                };
                fill(cells, previous, counts, 0.0, interval);
            }
            let s = k * slots;
            let cells = &mut row[s * metrics..(s + 1) * metrics];
            let baseline = state.baseline[k] as f64;
            let previous = Previous {
                registered: &mut prev[s],
                attempts: &mut prev_attempts[s],
                wait: &mut waits[s],
            };
            fill(cells, previous, total, baseline, interval);
        }
    }
}

/// An (app, slot)'s registrations and attempts at the previous output point and its longest wait
/// since then.
struct Previous<'a> {
    registered: &'a mut u64,
    attempts: &'a mut u64,
    wait: &'a mut f64,
}

/// One (app, slot)'s values at an output point from its counts (arrivals, registered,
/// reactivated, abandoned, retained, attempts: `WINDOWED`'s order) and baseline; `previous`
/// is updated to this point (the wait reset).
fn fill(cells: &mut [f64], previous: Previous, counts: [u64; 6], baseline: f64, interval: f64) {
    let [
        arrivals,
        registered,
        reactivated,
        abandoned,
        retained,
        attempts,
    ] = counts;
    let rate = (registered - *previous.registered) as f64 / interval;
    let attempt_rate = attempts.saturating_sub(*previous.attempts) as f64 / interval;
    *previous.registered = registered;
    *previous.attempts = attempts;
    let wait = previous.wait;
    for metric in Metric::ALL {
        cells[metric as usize] = match metric {
            Metric::Registrations => registered as f64,
            Metric::Reactivations => reactivated as f64,
            Metric::Arrivals => arrivals as f64,
            Metric::RegistrationRate => rate,
            Metric::QueueWait => std::mem::take(wait),
            Metric::Abandoned => abandoned as f64,
            Metric::Baseline => baseline,
            Metric::Retained => retained as f64,
            Metric::Attempts => attempts as f64,
            Metric::AttemptRate => attempt_rate,
            // Not series (never in `Metric::ALL`).
            Metric::LimitReached
            | Metric::LimitFirstHours
            | Metric::HoursAtLimit
            | Metric::LimitWait => 0.0,
        };
    }
}

impl Observer for Recorder<'_> {
    fn after_step(&mut self, step: usize, state: &Observed) {
        let end = step + 1;
        let apps = self.layout.apps.len();
        if end == self.event_step {
            for k in 0..apps {
                self.at_event[k] = Self::totals(state, k);
            }
        }
        // Per step: the longest wait per (app, slot) in this output interval, and the peaks.
        let slots = self.layout.regions.len() + 1;
        for k in 0..apps {
            let mut longest = 0.0f64;
            // Attempts only grow (each is served, waits or gives up): the step's new ones are
            // the difference of the totals, summed in the same pass as the waits.
            let mut attempts = 0u64;
            for (r, region) in state.regions.iter().enumerate() {
                attempts += Metric::Attempts.count(region, k);
                let wait = region.wait_seconds[k];
                if wait > 0.0 {
                    let w = &mut self.max_wait[k * slots + 1 + r];
                    *w = w.max(wait);
                    longest = longest.max(wait);
                }
            }
            let all = &mut self.max_wait[k * slots];
            *all = all.max(longest);
            self.peak_wait[k] = self.peak_wait[k].max(longest);
            let rate = state.served_last_step[k] as f64 / self.step_seconds;
            self.peak_rate[k] = self.peak_rate[k].max(rate);
            let new = attempts.saturating_sub(self.last_attempts[k]);
            self.last_attempts[k] = attempts;
            self.peak_attempt_rate[k] =
                self.peak_attempt_rate[k].max(new as f64 / self.step_seconds);
        }
        self.limits.after_step(end, state);
        if self.window_ends.first() == Some(&end) || end == self.steps {
            for (i, spec) in self.specs.iter().enumerate() {
                let k = spec.app_index;
                let value = &mut self.output.headline[i];
                if let Some((j, _)) = spec.limit {
                    if end == self.steps {
                        let at = LIMIT_METRICS.iter().position(|m| *m == spec.metric);
                        *value = self.limits.figures(j)[at.unwrap_or(0)];
                    }
                    continue;
                }
                match spec.metric {
                    Metric::RegistrationRate => *value = self.peak_rate[k],
                    Metric::AttemptRate => *value = self.peak_attempt_rate[k],
                    Metric::QueueWait => *value = self.peak_wait[k],
                    metric if end == spec.window_end_step => {
                        let j = WINDOWED.iter().position(|m| *m == metric).unwrap_or(0);
                        *value = (Self::totals(state, k)[j] - self.at_event[k][j]) as f64;
                    }
                    _ => {}
                }
            }
            while self.window_ends.first().is_some_and(|&w| w <= end) {
                self.window_ends.remove(0);
            }
        }
        if end.is_multiple_of(self.output_every) {
            self.write_point(end / self.output_every, state);
        }
    }
}
