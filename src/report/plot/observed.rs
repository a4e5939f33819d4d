//! The observed counts a nowcast was conditioned on (`nowcast.json`), drawn over the
//! forecast's bands: readings of a cumulative count on the adoption plot, the rate between
//! readings on the rate plot.

use super::style::{Chart, LegendEntry, LegendKind, err};
use crate::report::series::{SavedRun, SeriesPoint};
use plotters::prelude::*;

/// One observed row, its times in hours since the event's start.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedMark {
    pub app: String,
    pub region: String,
    pub metric: String,
    pub since_hours: f64,
    pub time_hours: f64,
    pub value: f64,
}

/// The rows of `nowcast.json` in `dir`, if it has one (anything unreadable: none; the nowcast
/// wrote it, and the plots are drawn without the marks rather than not at all).
pub fn load_marks(dir: &std::path::Path, event_start: &str) -> Vec<ObservedMark> {
    let Ok(bytes) = crate::scenario::bounded::read(&dir.join("nowcast.json")) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    let Some(start) = super::style::parse_time(event_start) else {
        return Vec::new();
    };
    let hours = |v: &serde_json::Value| -> Option<f64> {
        let t = super::style::parse_time(v.as_str()?)?;
        Some((t - start).num_milliseconds() as f64 / 3.6e6)
    };
    json["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some(ObservedMark {
                app: r["app"].as_str()?.to_string(),
                region: r["region"].as_str()?.to_string(),
                metric: r["metric"].as_str()?.to_string(),
                since_hours: hours(&r["since_utc"])?,
                time_hours: hours(&r["time_utc"])?,
                value: r["value"].as_f64()?,
            })
        })
        .collect()
}

/// The median of `points` at `hours` (linear between points).
fn median_at(points: &[SeriesPoint], hours: f64) -> f64 {
    let after = points.iter().position(|p| p.hours >= hours);
    match after {
        None => points.last().map_or(0.0, |p| p.p50),
        Some(0) => points[0].p50,
        Some(i) => {
            let (a, b) = (&points[i - 1], &points[i]);
            let f = (hours - a.hours) / (b.hours - a.hours).max(1e-12);
            a.p50 + f * (b.p50 - a.p50)
        }
    }
}

fn marker<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
) -> Result<(), String> {
    chart
        .draw_series(points.iter().map(|&p| Circle::new(p, 6, colour.filled())))
        .map_err(err)?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 6, BLACK.stroke_width(2))),
        )
        .map_err(err)?;
    Ok(())
}

/// The app's organic registrations (the `baseline` series' median) between two times: a
/// company's count includes them, the plotted registrations do not.
fn organic(run: &SavedRun, app: &str, from: f64, to: f64) -> f64 {
    run.series
        .get(app, "all", "baseline")
        .map_or(0.0, |b| median_at(b, to) - median_at(b, from))
}

/// The app's observed registrations (all regions) on the cumulative panel: each reading at its
/// time, less the organic sign-ups in its span, counted from the forecast's median at its
/// `since_utc` (a counter started during the event counts from there).
pub fn draw_cumulative<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    run: &SavedRun,
    app: &str,
    metric: &str,
    colour: RGBColor,
) -> Result<(), String> {
    let Some(points) = run.series.get(app, "all", metric) else {
        return Ok(());
    };
    let marks: Vec<(f64, f64)> = run
        .observed
        .iter()
        .filter(|m| m.app == app && m.region == "all" && m.metric == metric)
        .map(|m| {
            let value = m.value - organic(run, app, m.since_hours, m.time_hours);
            (m.time_hours, median_at(points, m.since_hours) + value)
        })
        .collect();
    marker(chart, marks, colour)
}

/// The app's observed registrations as rates (per second, organic sign-ups taken out as on
/// the cumulative panel): between consecutive readings of a counter, or over a row's own
/// window, drawn at the middle of the span.
pub fn draw_rates<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    run: &SavedRun,
    app: &str,
    colour: RGBColor,
) -> Result<(), String> {
    let mut rows: Vec<&ObservedMark> = run
        .observed
        .iter()
        .filter(|m| m.app == app && m.region == "all" && m.metric == "registrations")
        .collect();
    rows.sort_by(|a, b| {
        a.since_hours
            .total_cmp(&b.since_hours)
            .then(a.time_hours.total_cmp(&b.time_hours))
    });
    let mut marks = Vec::new();
    let mut previous: Option<&ObservedMark> = None;
    for m in rows {
        let (from, before) = match previous {
            Some(p) if p.since_hours == m.since_hours => (p.time_hours, p.value),
            _ => (m.since_hours, 0.0),
        };
        if m.time_hours > from {
            let served = m.value - before - organic(run, app, from, m.time_hours);
            let rate = served / ((m.time_hours - from) * 3600.0);
            marks.push((0.5 * (from + m.time_hours), rate));
        }
        previous = Some(m);
    }
    marker(chart, marks, colour)
}

/// The legend's line for the marks, if the run has any.
pub fn legend(run: &SavedRun) -> Option<LegendEntry> {
    (!run.observed.is_empty()).then(|| LegendEntry {
        label: "observed, less organic".into(),
        colour: RGBColor(90, 90, 90),
        kind: LegendKind::Marker,
    })
}
