//! Timelines of each event: the posterior predictive curve of every reported kind of figure over
//! the event's days, beside the reported figures in the windows they cover (issue 8's check that
//! a fit matches the shape over time, not only totals in chosen windows).

use super::predict::{CurveSpec, EventSet};
use crate::report::stats::spread;
use crate::scenario::EventKind;
use serde::{Deserialize, Serialize};

/// One event's timeline (`timelines.json`, and one plot per event).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventTimeline {
    /// Scenario name.
    pub event: String,
    /// The event's start, RFC 3339 (UTC).
    pub event_start: String,
    /// Outage length, hours (none for a trust shock).
    pub outage_hours: Option<f64>,
    /// Hours since the event's start at the middle of each output interval.
    pub hours: Vec<f64>,
    pub curves: Vec<TimelineCurve>,
    pub figures: Vec<TimelineFigure>,
}

/// An app's figure of one kind, per hour: median and 90% posterior predictive interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineCurve {
    pub app: String,
    pub counts: String,
    pub p05: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
}

/// A reported count: its window (a range of admissible starts) and interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineFigure {
    pub id: String,
    pub app: String,
    pub counts: String,
    /// Earliest and latest admissible window start, hours since the event's start.
    pub starts: [f64; 2],
    pub window_hours: f64,
    pub low: f64,
    pub high: f64,
    /// A consistency check (only a value above `high` disagrees).
    pub upper_bound: bool,
}

/// Builds every event's timeline from the curves of `draws` posterior predictive simulations
/// (`draws[i][c]` = curve `c` of `specs` in draw `i`).
pub fn timelines(
    events: &EventSet,
    specs: &[CurveSpec],
    draws: &[Vec<Vec<f64>>],
) -> Vec<EventTimeline> {
    events
        .scenarios
        .iter()
        .enumerate()
        .map(|(e, s)| {
            let hours = events.curve_hours(e);
            let curves = specs
                .iter()
                .enumerate()
                .filter(|(_, c)| c.event == e)
                .map(|(k, c)| {
                    let mut q = (Vec::new(), Vec::new(), Vec::new());
                    for j in 0..hours.len() {
                        let mut v: Vec<f64> = draws.iter().map(|d| d[k][j]).collect();
                        let sp = spread(&mut v);
                        q.0.push(sp.p05);
                        q.1.push(sp.p50);
                        q.2.push(sp.p95);
                    }
                    TimelineCurve {
                        app: c.app_name.clone(),
                        counts: c.counts.name().into(),
                        p05: q.0,
                        p50: q.1,
                        p95: q.2,
                    }
                })
                .collect();
            let figures = events
                .observations
                .iter()
                .zip(events.event_of())
                .filter(|(o, oe)| *oe == e && !o.is_share() && !o.is_ratio())
                .map(|(o, _)| TimelineFigure {
                    id: o.id.clone(),
                    app: o.app.clone(),
                    counts: o.counts.name().into(),
                    starts: o.window_start_hours,
                    window_hours: o.window_hours,
                    low: o.low,
                    high: o.high,
                    upper_bound: o.is_upper_bound(),
                })
                .collect();
            EventTimeline {
                event: s.name.clone(),
                event_start: s
                    .event
                    .start
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                outage_hours: match s.event.kind {
                    EventKind::Outage { duration_hours, .. } => Some(duration_hours),
                    EventKind::TrustShock { .. } => None,
                },
                hours,
                curves,
                figures,
            }
        })
        .collect()
}
