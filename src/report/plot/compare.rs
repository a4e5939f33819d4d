//! `compare`: several scenarios' median lines and bands for one metric of one app on one chart.

use super::Figure;
use super::adoption::x_range;
use super::style::{
    LegendEntry, LegendKind, MOST_DRAWN, TimeAxis, TimeChart, colour, draw_legend,
    draw_median_with_bands, err, split_legend, time_chart, y_max,
};
use crate::report::format::{duration, human};
use crate::report::series::{SavedRun, distinct_labels};
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
        let (x0, x1) = x_range(&series);
        let top = y_max(&series, self.scale(), 1.0);
        let axis = TimeAxis { event_start: None };
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
                caption: "median with 50% and 90% of runs; shaded: each scenario's outage",
                caption_size: 24,
                x_desc: "hours since the event began",
                y_desc: self.y_desc(),
                x: (x0, x1),
                top,
                x_label: &x_label,
                y_label: &y_label,
            },
        )?;
        for (i, run) in self.runs.iter().enumerate() {
            if let Some(d) = run.summary.event.duration_hours {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, 0.0), (d, top)],
                        colour(i).mix(0.07).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        // Past the palette's seven colours, results are told apart by dashed lines as well.
        let dashed = |i: usize| i >= MOST_DRAWN;
        for (i, run) in self.runs.iter().enumerate() {
            if let Some(points) = run.series.get(self.app, "all", self.metric) {
                draw_median_with_bands(&mut chart, points, colour(i), self.scale(), dashed(i))?;
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
