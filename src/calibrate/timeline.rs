//! Timelines of each event: the posterior predictive curve of every reported kind of figure over
//! the event's days, beside the reported figures in the windows they cover (issue 8's check that
//! a fit matches the shape over time, not only totals in chosen windows).

use super::observations::Observation;
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

/// Where a reported figure lies in time. A count is a box over its window. A ratio ("the influx
/// has only accelerated") is drawn against the count reported for its reference window, if
/// there is one: a box over the window after it, from `low` to `high` times that count's rate.
fn figure(o: &Observation, of_event: &[&Observation]) -> Option<TimelineFigure> {
    let base = TimelineFigure {
        id: o.id.clone(),
        app: o.app.clone(),
        counts: o.counts.name().into(),
        starts: o.window_start_hours,
        window_hours: o.window_hours,
        low: o.low,
        high: o.high,
        upper_bound: o.is_upper_bound(),
    };
    let Some(then) = o.then_hours else {
        return Some(base);
    };
    let reference = of_event.iter().find(|r| {
        !r.is_ratio()
            && !r.is_upper_bound()
            && r.app == o.app
            && r.counts == o.counts
            && r.window_start_hours == o.window_start_hours
            && r.window_hours == o.window_hours
    })?;
    let rate = |count: f64| count / o.window_hours * then;
    let [a, b] = o.window_start_hours;
    Some(TimelineFigure {
        starts: [a + o.window_hours, b + o.window_hours],
        window_hours: then,
        low: o.low * rate(reference.low),
        high: o.high * rate(reference.high),
        ..base
    })
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
            let of_event: Vec<&Observation> = events
                .observations
                .iter()
                .zip(events.event_of())
                .filter(|(o, oe)| *oe == e && !o.is_share())
                .map(|(o, _)| o)
                .collect();
            let figures = of_event
                .iter()
                .filter_map(|o| figure(o, &of_event))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::observations::{Counts, WindowRule};

    fn count(id: &str, then_hours: Option<f64>, low: f64, high: f64) -> Observation {
        Observation {
            line: 1,
            id: id.into(),
            event: "e.toml".into(),
            app: "telegram".into(),
            counts: Counts::Arrivals,
            region: None,
            window_start_hours: [120.0, 144.0],
            window_hours: 72.0,
            kind: if then_hours.is_some() {
                "ratio"
            } else {
                "rounded"
            }
            .into(),
            rule: WindowRule::Nearest,
            low,
            high,
            tolerance: 0.1,
            statement: String::new(),
            source: String::new(),
            fitted: true,
            then_hours,
        }
    }

    /// "25M in 72 h", then "has only accelerated" over the next 48 h: the ratio is drawn over
    /// those 48 h, from the 25M figure's rate (24.5M-25.5M per 72 h) to twice it.
    #[test]
    fn a_ratio_is_drawn_after_its_reference_count() {
        let total = count("total", None, 24.5e6, 25.5e6);
        let ratio = count("accelerated", Some(48.0), 1.0, 2.0);
        let all = [&total, &ratio];
        let f = figure(&ratio, &all).unwrap();
        assert_eq!(f.starts, [192.0, 216.0]);
        assert_eq!(f.window_hours, 48.0);
        assert!((f.low / 48.0 - 24.5e6 / 72.0).abs() < 1e-6);
        assert!((f.high / 48.0 - 2.0 * 25.5e6 / 72.0).abs() < 1e-6);
        // A count is drawn as it is; a ratio without its reference count is not drawn.
        assert_eq!(figure(&total, &all).unwrap().starts, [120.0, 144.0]);
        assert!(figure(&ratio, &[&ratio]).is_none());
    }
}
