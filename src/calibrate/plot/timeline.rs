//! `timeline-<event>.png/svg`: an event's posterior predictive curves per hour (median and 90%
//! band, log scale) with every reported figure drawn where it lies in time: the reported
//! interval as a box over its window, as a mean per hour.

use super::super::timeline::EventTimeline;
use crate::report::format::human;
use crate::report::plot::Figure;
use crate::report::plot::style::{
    FONT, LEGEND_WIDTH, LegendEntry, LegendKind, TimeAxis, colour, draw_legend, err, split_legend,
    x_label_count,
};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct TimelinePlot<'a> {
    pub timeline: &'a EventTimeline,
    /// How the curves were made, for the footer (e.g. "posterior predictive, 200 draws").
    pub source: &'a str,
}

impl TimelinePlot<'_> {
    fn curve_colour(&self, app: &str, counts: &str) -> RGBColor {
        let k = self
            .timeline
            .curves
            .iter()
            .position(|c| c.app == app && c.counts == counts)
            .unwrap_or(0);
        colour(k)
    }
}

/// The x label: hours and clock time for short events, the UTC date for events over days.
fn x_label(axis: &TimeAxis, span_hours: f64, hours: f64) -> String {
    match axis.event_start {
        Some(t0) if span_hours > 96.0 => {
            let t = t0 + chrono::Duration::seconds((hours * 3600.0).round() as i64);
            t.format("%b %d %H:%M").to_string()
        }
        _ => axis.label(hours),
    }
}

impl Figure for TimelinePlot<'_> {
    fn name(&self) -> String {
        format!("timeline-{}", self.timeline.event)
    }
    fn title(&self) -> String {
        format!(
            "{}: the model over time against every reported figure",
            self.timeline.event
        )
    }
    fn footer(&self) -> String {
        format!(
            "Lines: median per hour; bands: 90% ({}). Boxes: reported figure ÷ window length; a box spans every window start the statement allows.",
            self.source
        )
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let tl = self.timeline;
        let (data, legend) = split_legend(area, LEGEND_WIDTH + 120);
        let (x0, x1) = (
            tl.hours.first().copied().unwrap_or(0.0),
            tl.hours.last().copied().unwrap_or(1.0),
        );
        let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
        let positive = |v: f64| (v > 0.0).then_some(v);
        let curve_values = tl
            .curves
            .iter()
            .flat_map(|c| c.p05.iter().chain(&c.p95).copied());
        let figure_values = tl
            .figures
            .iter()
            .flat_map(|f| [f.low / f.window_hours, f.high / f.window_hours]);
        let values: Vec<f64> = curve_values
            .chain(figure_values)
            .filter_map(positive)
            .collect();
        let top = values.iter().copied().fold(1.0, f64::max) * 2.0;
        let bottom = values
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
            .min(top / 10.0)
            * 0.5;
        let bottom = if bottom.is_finite() {
            bottom.max(1e-3)
        } else {
            1.0
        };
        let axis = TimeAxis::new(&tl.event_start);
        let span = x1 - x0;
        let mut chart = ChartBuilder::on(&data)
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(110)
            .build_cartesian_2d(x0..x1, (bottom..top).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(if span > 96.0 {
                "UTC date and time"
            } else {
                TimeAxis::DESCRIPTION
            })
            .y_desc("per hour (log scale)")
            .x_label_formatter(&|h| x_label(&axis, span, *h))
            .y_label_formatter(&|v| format!("{}/h", human(*v)))
            .x_labels(x_label_count(data.dim_in_pixel().0).min(8))
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 20))
            // A log axis has many minor lines; only the labelled ones are drawn, so the curves read.
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        if let Some(d) = tl.outage_hours {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, bottom), (d, top)],
                    crate::report::plot::style::OUTAGE.mix(0.16).filled(),
                )))
                .map_err(err)?;
        }
        for (k, c) in tl.curves.iter().enumerate() {
            let col = colour(k);
            let clamp = |v: f64| v.max(bottom);
            let mut outline: Vec<(f64, f64)> = tl
                .hours
                .iter()
                .zip(&c.p95)
                .map(|(&h, &v)| (h, clamp(v)))
                .collect();
            outline.extend(
                tl.hours
                    .iter()
                    .zip(&c.p05)
                    .rev()
                    .map(|(&h, &v)| (h, clamp(v))),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    col.mix(0.18).filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    tl.hours.iter().zip(&c.p50).map(|(&h, &v)| (h, clamp(v))),
                    col.stroke_width(3),
                ))
                .map_err(err)?;
        }
        for f in &tl.figures {
            let col = self.curve_colour(&f.app, &f.counts);
            let (a, b) = (f.starts[0], f.starts[1] + f.window_hours);
            let hi = f.high / f.window_hours;
            if f.upper_bound {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(a, hi), (b, hi)],
                        10,
                        6,
                        col.stroke_width(2),
                    ))
                    .map_err(err)?;
                continue;
            }
            let lo = (f.low / f.window_hours).max(bottom);
            chart
                .draw_series([
                    Rectangle::new([(a, lo), (b, hi)], col.mix(0.22).filled()),
                    Rectangle::new([(a, lo), (b, hi)], col.stroke_width(2)),
                ])
                .map_err(err)?;
        }
        let mut entries: Vec<LegendEntry> = tl
            .curves
            .iter()
            .enumerate()
            .map(|(k, c)| LegendEntry {
                label: format!("{} {} per hour", c.app, c.counts),
                colour: colour(k),
                kind: LegendKind::Line,
            })
            .collect();
        entries.push(LegendEntry {
            label: "90% band".into(),
            colour: RGBColor(120, 120, 120),
            kind: LegendKind::Band,
        });
        entries.push(LegendEntry {
            label: "reported figure (box)".into(),
            colour: RGBColor(120, 120, 120),
            kind: LegendKind::Solid,
        });
        entries.push(LegendEntry {
            label: "largest-window bound".into(),
            colour: RGBColor(120, 120, 120),
            kind: LegendKind::Dashed,
        });
        if tl.outage_hours.is_some() {
            entries.push(LegendEntry {
                label: "outage".into(),
                colour: RGBColor(243, 215, 180),
                kind: LegendKind::Solid,
            });
        }
        draw_legend(&legend, "figures", &entries)
    }
}
