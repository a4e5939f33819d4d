//! `summary.json`: what was run (scenario, seed, runs, parameters) and the headline figures.
//! Plots and comparisons read only this struct and the time series.

use crate::engine::{Metric, MonteCarlo, figure_label};
use crate::model::Behaviour;
use crate::model::draw::Sampler;
use crate::model::stepping::StepRule;

fn is_exact(s: &Sampler) -> bool {
    *s == Sampler::Exact
}
use crate::scenario::{Capacity, EventKind, Scenario};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub sha256: String,
}

impl ScenarioInfo {
    /// A scenario's name, file and the SHA-256 of its text.
    pub fn of(scenario: &Scenario) -> Self {
        ScenarioInfo {
            name: scenario.name.clone(),
            file: scenario.file.display().to_string(),
            sha256: scenario.sha256.clone(),
        }
    }
}

/// The event as plots need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInfo {
    pub kind: String,
    pub services: Vec<String>,
    /// ISO 8601, UTC.
    pub start: String,
    /// Outage length in hours (None for a trust shock).
    pub duration_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppInfo {
    pub name: String,
    /// Sign-up capacity per second for the whole app (sum over regions), None if unlimited.
    pub capacity_per_second: Option<f64>,
    /// True when the capacity is a set of regional limits (the total is their sum).
    #[serde(default)]
    pub capacity_is_regional: bool,
    /// The regional limits per second, in the order of `regions` (empty unless regional).
    #[serde(default)]
    pub regional_capacity: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParametersInfo {
    /// `fixed` (every run the same) or `posterior` (each run draws a sample).
    pub kind: String,
    pub file: String,
    /// The parameters (for `fixed`).
    pub values: Option<Behaviour>,
    /// The SHA-256 of the posterior file the runs drew from (for `posterior`): the report shows
    /// its table only from a file that still has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One headline figure across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineRow {
    pub app: String,
    pub metric: String,
    /// Counts within this many hours of the event's start; None for peak rate and longest wait.
    pub window_hours: Option<f64>,
    pub mean: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    /// Monte Carlo standard error of the mean.
    pub mcse: f64,
}

impl HeadlineRow {
    /// A short label such as `arrivals_24h` or `registration_rate_peak`.
    pub fn label(&self) -> String {
        figure_label(&self.metric, self.window_hours)
    }
}

/// The ranges a results folder's values are read back in, as a scenario's are checked: a
/// `summary.json` edited to hold 1e308 hours is refused with its key, not drawn into a panic.
impl Summary {
    pub fn check(&self) -> Result<(), String> {
        let within = |key: &str, v: f64, lo: f64, hi: f64| -> Result<(), String> {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "key `{key}`: expected a number in [{}, {}], found {}",
                    crate::scenario::check::plain(lo),
                    crate::scenario::check::plain(hi),
                    crate::scenario::check::plain(v)
                ))
            }
        };
        if self.runs == 0 || self.runs > crate::scenario::MAX_RUNS {
            return Err(format!(
                "key `runs`: expected 1 to {}, found {}",
                crate::scenario::MAX_RUNS,
                self.runs
            ));
        }
        within("step_hours", self.step_hours, 1e-6, 1e6)?;
        if !self.utc_offsets.is_empty() && self.utc_offsets.len() != self.regions.len() {
            return Err(format!(
                "key `utc_offsets`: expected one per region ({}), found {}",
                self.regions.len(),
                self.utc_offsets.len()
            ));
        }
        for (i, &o) in self.utc_offsets.iter().enumerate() {
            within(&format!("utc_offsets[{i}]"), o, -12.0, 14.0)?;
        }
        let events = std::iter::once(("event".to_string(), &self.event)).chain(
            self.more_events
                .iter()
                .enumerate()
                .map(|(i, e)| (format!("more_events[{i}]"), e)),
        );
        for (key, e) in events {
            if chrono::DateTime::parse_from_rfc3339(&e.start).is_err() {
                return Err(format!(
                    "key `{key}.start`: expected a date-time such as 2021-10-04T15:39:00Z, found {:?}",
                    e.start
                ));
            }
            if let Some(d) = e.duration_hours {
                within(&format!("{key}.duration_hours"), d, 0.0, 1e6)?;
            }
        }
        for (i, a) in self.apps.iter().enumerate() {
            if let Some(c) = a.capacity_per_second {
                within(&format!("apps[{i}].capacity_per_second"), c, 0.0, f64::MAX)?;
            }
            for (r, &c) in a.regional_capacity.iter().enumerate() {
                within(
                    &format!("apps[{i}].regional_capacity[{r}]"),
                    c,
                    0.0,
                    f64::MAX,
                )?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub surge_version: String,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub runs: u64,
    pub engine: String,
    /// How the binomials were drawn: absent for the exact sampler (the default), `"hybrid"`
    /// for the normal approximation above a variance of 10,000 (docs/MODEL.md §7).
    #[serde(default, skip_serializing_if = "is_exact")]
    pub sampler: Sampler,
    /// How the cohort engine stepped through time: `{"rule": "adaptive", "tolerance": ε}` for
    /// joined steps (the default), `{"rule": "fixed"}` for every step; absent for the agent
    /// engine, which always takes every step (docs/MODEL.md §1, "Steps").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<StepRule>,
    /// The agent engine's network as run 0 drew it (realised degree, clustering, mixing and the
    /// assortativity of each app's accounts); absent for the cohort engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<serde_json::Value>,
    /// What-if values set on the scenario before the run (by key path, as `sweep --vary` names
    /// them), when a front end set any (Python's `Scenario.with_values`); absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, f64)>,
    /// What the 90% intervals carry.
    pub band: String,
    /// How the quantiles (here and in timeseries.csv) were computed, with their error bound.
    #[serde(default)]
    pub quantiles: String,
    pub parameters: ParametersInfo,
    pub event: EventInfo,
    /// The events after the first (`[[events]]`), apps' own outages among them (services are
    /// then the app), in file order; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_events: Vec<EventInfo>,
    pub apps: Vec<AppInfo>,
    pub regions: Vec<String>,
    /// Each region's offset from UTC in hours, in the order of `regions`, so that readings can
    /// give local times ("19:40 UTC, 21:40 in europe"); absent in results of older versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub utc_offsets: Vec<f64>,
    pub step_hours: f64,
    pub headline: Vec<HeadlineRow>,
    /// Every sign-up limit across runs (`limits.csv`; `report::limits`); absent when the
    /// scenario has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<super::limits::LimitRow>,
}

impl Summary {
    pub fn new(
        scenario: &Scenario,
        mc: &MonteCarlo,
        seed: u64,
        parameters: ParametersInfo,
    ) -> Self {
        let headline = mc
            .specs
            .iter()
            .enumerate()
            .filter(|(_, spec)| spec.limit.is_none())
            .map(|(i, spec)| {
                let s = mc.summaries.headline(i);
                HeadlineRow {
                    app: spec.app.clone(),
                    metric: spec.metric.name().to_string(),
                    window_hours: spec.window_hours,
                    mean: s.mean,
                    p05: s.p05,
                    p50: s.p50,
                    p95: s.p95,
                    mcse: s.mcse,
                }
            })
            .collect();
        let band = if parameters.kind == "posterior" {
            "90% of runs; each run draws its parameters from the posterior, so bands carry parameter uncertainty and run-to-run noise"
        } else if parameters.kind == "nowcast" {
            "90% of runs; each continues a particle conditioned on the observed counts (nowcast.json)"
        } else {
            "90% of runs with fixed parameters: run-to-run (stochastic) variation only"
        };
        let time = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let info = |e: &crate::scenario::Event| {
            let (kind, duration_hours) = match e.kind {
                EventKind::Outage { duration_hours, .. } => ("outage", Some(duration_hours)),
                EventKind::TrustShock { .. } => ("trust_shock", None),
            };
            EventInfo {
                kind: kind.to_string(),
                services: e.services.clone(),
                start: time(&e.start),
                duration_hours,
            }
        };
        let more_events = scenario
            .more_events
            .iter()
            .map(info)
            .chain(scenario.app_outages.iter().map(|o| EventInfo {
                kind: "outage".to_string(),
                services: vec![scenario.apps[o.app].name.clone()],
                start: time(&o.start),
                duration_hours: Some(o.duration_hours),
            }))
            .collect();
        Summary {
            surge_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: ScenarioInfo::of(scenario),
            seed,
            runs: mc.summaries.runs(),
            quantiles: crate::summary::quantile_method(),
            engine: mc.engine.clone(),
            sampler: scenario.sampler,
            steps: mc.engine.starts_with("cohort").then_some(scenario.stepping),
            network: mc.engine_report.clone(),
            values: Vec::new(),
            band: band.to_string(),
            parameters,
            event: info(&scenario.event),
            more_events,
            apps: scenario
                .apps
                .iter()
                .map(|a| AppInfo {
                    name: a.name.clone(),
                    capacity_per_second: match &a.capacity {
                        Capacity::Unlimited => None,
                        Capacity::Global(c) => Some(*c),
                        Capacity::PerRegion(cs) => Some(cs.iter().sum()),
                    },
                    capacity_is_regional: matches!(a.capacity, Capacity::PerRegion(_)),
                    regional_capacity: match &a.capacity {
                        Capacity::PerRegion(cs) => cs.clone(),
                        _ => Vec::new(),
                    },
                })
                .collect(),
            regions: scenario.regions.iter().map(|r| r.name.clone()).collect(),
            utc_offsets: scenario
                .regions
                .iter()
                .map(|r| r.utc_offset_hours)
                .collect(),
            step_hours: scenario.timeline.step_hours,
            headline,
            limits: super::limits::limit_rows(scenario, mc),
        }
    }

    /// Headline row for (app, metric, window), if present.
    pub fn find(
        &self,
        app: &str,
        metric: Metric,
        window_hours: Option<f64>,
    ) -> Option<&HeadlineRow> {
        self.headline
            .iter()
            .find(|h| h.app == app && h.metric == metric.name() && h.window_hours == window_hours)
    }
}
