//! `compare`: several scenarios' median lines and bands for one metric of one app on one chart.

use super::Figure;
use super::adoption::x_range;
use super::style::{
    LegendEntry, LegendKind, MOST_DRAWN, TimeAxis, TimeChart, colour, draw_bands, draw_legend,
    draw_median, err, split_legend, time_chart, y_max,
};
use crate::report::format::{duration, human};
use crate::report::series::{SavedRun, SeriesPoint, distinct_labels};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct CompareChart<'a> {
    pub runs: &'a [SavedRun],
    pub metric: &'a str,
    pub app: &'a str,
}

impl CompareChart<'_> {
    /// Values shown in the units of the y axis (waits in minutes).
    fn scale(&self) -> f64 {
        if self.metric == "queue_wait" {
            1.0 / 60.0
        } else {
            1.0
        }
    }
    fn y_desc(&self) -> &'static str {
        match self.metric {
            "registration_rate" => "registrations per second",
            "attempt_rate" => "sign-up attempts per second (demand)",
            "queue_wait" => "minutes a new sign-up waits",
            _ => "users (cumulative)",
        }
    }
}

/// The hours in which the compared medians move: from 2 h before the event (or the start of the
/// series), to a quarter past the last hour at which any median still changes by more than 1% of
/// its largest value (cumulative counts flatten long before the horizon ends).
fn moving_window(series: &[&[SeriesPoint]], (first, last): (f64, f64)) -> (f64, f64) {
    let mut until = f64::NEG_INFINITY;
    for s in series {
        let peak = s.iter().map(|p| p.p50.abs()).fold(0.0, f64::max);
        for w in s.windows(2) {
            if peak > 0.0 && (w[1].p50 - w[0].p50).abs() > 0.01 * peak {
                until = until.max(w[1].hours);
            }
        }
    }
    let from = (-2.0f64).max(first);
    if !until.is_finite() || until <= from {
        return (first, last);
    }
    let to = (until + ((until - from) * 0.25).max(2.0)).min(last);
    (from, to)
}

impl Figure for CompareChart<'_> {
    fn name(&self) -> String {
        "compare".into()
    }
    fn title(&self) -> String {
        format!(
            "{} {}: {} scenarios compared",
            self.app,
            self.metric.replace('_', " "),
            self.runs.len()
        )
    }
    fn footer(&self) -> String {
        let labels = distinct_labels(self.runs);
        let bands: Vec<String> = self
            .runs
            .iter()
            .zip(&labels)
            .map(|(r, label)| format!("{label}: {} runs, seed {}", r.summary.runs, r.summary.seed))
            .collect();
        format!("{}. Bands: 50% and 90% of runs.", bands.join("; "))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (area, legend) = split_legend(root, 420);
        let series: Vec<_> = self
            .runs
            .iter()
            .filter_map(|r| r.series.get(self.app, "all", self.metric))
            .collect();
        let (x0, x1) = moving_window(&series, x_range(&series));
        let top = y_max(&series, self.scale(), 1.0);
        // A UTC clock on the axis when every result's event starts at the same time.
        let starts: Vec<&str> = self
            .runs
            .iter()
            .map(|r| r.summary.event.start.as_str())
            .collect();
        let axis = if starts.windows(2).all(|w| w[0] == w[1]) {
            TimeAxis::new(starts[0])
        } else {
            TimeAxis { event_start: None }
        };
        let metric = self.metric;
        let x_label = |h: &f64| axis.label(*h);
        let y_label = |v: &f64| match metric {
            "registration_rate" | "attempt_rate" => format!("{}/s", human(*v)),
            "queue_wait" => format!("{v:.0} min"),
            _ => human(*v),
        };
        let mut chart = time_chart(
            &area,
            &TimeChart {
                caption: "median with 50% and 90% of runs; bars at the top: each scenario's outage",
                caption_size: 24,
                x_desc: if axis.event_start.is_some() {
                    TimeAxis::DESCRIPTION
                } else {
                    "hours since the event began"
                },
                y_desc: self.y_desc(),
                x: (x0, x1),
                top,
                x_label: &x_label,
                y_label: &y_label,
            },
        )?;
        // Each outage as a bar of its colour along the top, one row per result: full-height
        // shadings of several outages mixed into one unreadable colour where they overlap.
        let row = top * 0.025;
        for (i, run) in self.runs.iter().enumerate() {
            if let Some(d) = run.summary.event.duration_hours {
                let y1 = top - row * i as f64;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y1 - row * 0.8), (d, y1)],
                        colour(i).mix(0.55).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        // Past the palette's seven colours, results are told apart by dashed lines as well.
        let dashed = |i: usize| i >= MOST_DRAWN;
        // Every band first, then every median over them, the first result's widest: where two
        // medians coincide (the same hours before two outages differ) both stay visible.
        for (i, run) in self.runs.iter().enumerate() {
            if let Some(points) = run.series.get(self.app, "all", self.metric) {
                draw_bands(&mut chart, points, colour(i), self.scale())?;
            }
        }
        let widths = |i: usize| if i == 0 { 6 } else { 3 };
        for (i, run) in self.runs.iter().enumerate() {
            if let Some(points) = run.series.get(self.app, "all", self.metric) {
                draw_median(
                    &mut chart,
                    points,
                    colour(i),
                    self.scale(),
                    dashed(i),
                    widths(i),
                )?;
            }
        }
        let labels = distinct_labels(self.runs);
        let entries: Vec<LegendEntry> = self
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let outage = r
                    .summary
                    .event
                    .duration_hours
                    .map_or("trust shock".into(), |d| {
                        format!("outage {}", duration(d * 3600.0))
                    });
                LegendEntry {
                    label: format!("{} ({outage})", labels[i]),
                    colour: colour(i),
                    kind: if dashed(i) {
                        LegendKind::Dashed
                    } else {
                        LegendKind::Line
                    },
                }
            })
            .collect();
        draw_legend(&legend, "Scenarios", &entries)
    }
}
