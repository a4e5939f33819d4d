//! A sweep's plots: one headline figure against the first varied key (mean and 90% band, a
//! line per value of the second key), and for two keys on a grid a heatmap of its mean.

use super::Figure;
use super::style::{
    FONT, LegendEntry, LegendKind, MOST_DRAWN, OTHERS, colour, draw_legend, err, split_legend,
};
use crate::report::format::human;
use crate::report::sweep::{PointResult, SweepSummary};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The position of a value on a key's axis (its logarithm for log-spaced keys).
fn axis(log: bool, v: f64) -> f64 {
    if log { v.log10() } else { v }
}

fn axis_label(log: bool, x: f64) -> String {
    human(if log { 10f64.powf(x) } else { x })
}

fn figure_of(summary: &SweepSummary, figure: usize) -> String {
    summary.figures[figure].clone()
}

/// A value of a headline figure in its unit: waits as durations, rates per second.
fn shown(figure: &str, v: f64) -> String {
    if figure.ends_with("queue_wait_max") {
        crate::report::format::duration(v)
    } else if figure.ends_with("_rate_peak") {
        format!("{}/s", human(v))
    } else {
        human(v)
    }
}

fn footer(summary: &SweepSummary) -> String {
    format!(
        "{} points x {} runs, seed {} (every point the same run seeds). Bands: 90% of runs ({} parameters); line: mean.",
        summary.points, summary.runs_per_point, summary.seed, summary.parameters
    )
}

/// A headline figure against the first varied key.
pub struct SweepChart<'a> {
    pub summary: &'a SweepSummary,
    pub points: &'a [PointResult],
    pub figure: usize,
}

impl Figure for SweepChart<'_> {
    fn name(&self) -> String {
        "sweep".into()
    }
    fn title(&self) -> String {
        format!(
            "{} against {}",
            figure_of(self.summary, self.figure),
            self.summary.vary[0].key
        )
    }
    fn footer(&self) -> String {
        footer(self.summary)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (area, legend) = split_legend(root, 420);
        let first = &self.summary.vary[0];
        let f = self.figure;
        let x = |p: &PointResult| axis(first.log, p.values[0]);
        let (mut x0, mut x1) = self
            .points
            .iter()
            .map(x)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater) {
            (x0, x1) = (x0 - 0.5, x0 + 0.5);
        }
        let top = self
            .points
            .iter()
            .map(|p| p.figures[f].p95)
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.05;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(100)
            .build_cartesian_2d(x0..x1, 0.0..top)
            .map_err(err)?;
        let x_desc = if first.log {
            format!("{} (log scale)", first.key)
        } else {
            first.key.clone()
        };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(figure_of(self.summary, f))
            .x_label_formatter(&|v| axis_label(first.log, *v))
            .y_label_formatter(&|v| shown(&self.summary.figures[f], *v))
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        // Grid: one line per combination of the other keys' values; a Latin hypercube's
        // points are scattered, each with its 90% interval.
        let mut entries = Vec::new();
        if self.summary.design == "grid" {
            let mut groups: Vec<(Vec<f64>, Vec<&PointResult>)> = Vec::new();
            for p in self.points {
                let rest = p.values[1..].to_vec();
                match groups.iter_mut().find(|(k, _)| *k == rest) {
                    Some((_, members)) => members.push(p),
                    None => groups.push((rest, vec![p])),
                }
            }
            for (g, (rest, members)) in groups.iter().enumerate() {
                let shown = g < MOST_DRAWN;
                let c = if shown { colour(g) } else { OTHERS };
                let mut outline: Vec<(f64, f64)> =
                    members.iter().map(|p| (x(p), p.figures[f].p95)).collect();
                outline.extend(members.iter().rev().map(|p| (x(p), p.figures[f].p05)));
                if shown {
                    chart
                        .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.15).filled())))
                        .map_err(err)?;
                }
                let line: Vec<(f64, f64)> =
                    members.iter().map(|p| (x(p), p.figures[f].mean)).collect();
                chart
                    .draw_series(LineSeries::new(
                        line.clone(),
                        c.stroke_width(if shown { 3 } else { 1 }),
                    ))
                    .map_err(err)?;
                chart
                    .draw_series(
                        line.iter()
                            .map(|&(a, b)| Circle::new((a, b), 4, c.filled())),
                    )
                    .map_err(err)?;
                if shown {
                    let label = if rest.is_empty() {
                        "mean, 90% of runs".to_string()
                    } else {
                        self.summary.vary[1..]
                            .iter()
                            .zip(rest)
                            .map(|(v, x)| format!("{} = {}", v.key, human(*x)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    entries.push(LegendEntry {
                        label,
                        colour: c,
                        kind: LegendKind::Line,
                    });
                }
            }
            if groups.len() > MOST_DRAWN {
                entries.push(LegendEntry {
                    label: format!(
                        "{} more lines in grey (see sweep.csv)",
                        groups.len() - MOST_DRAWN
                    ),
                    colour: OTHERS,
                    kind: LegendKind::Note,
                });
            }
        } else {
            let c = colour(0);
            for p in self.points {
                let s = &p.figures[f];
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x(p), s.p05), (x(p), s.p95)],
                        c.mix(0.35).stroke_width(1),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Circle::new((x(p), s.mean), 4, c.filled())))
                    .map_err(err)?;
            }
            entries.push(LegendEntry {
                label: "a point: mean and 90% of runs".into(),
                colour: c,
                kind: LegendKind::Line,
            });
            if self.summary.vary.len() > 1 {
                entries.push(LegendEntry {
                    label: "other keys vary too (Latin hypercube)".into(),
                    colour: c,
                    kind: LegendKind::Note,
                });
            }
        }
        draw_legend(&legend, "Points", &entries)
    }
}

/// The mean of a headline figure over two keys of a grid.
pub struct SweepHeatmap<'a> {
    pub summary: &'a SweepSummary,
    pub points: &'a [PointResult],
    pub figure: usize,
}

impl Figure for SweepHeatmap<'_> {
    fn name(&self) -> String {
        "sweep-heatmap".into()
    }
    fn title(&self) -> String {
        format!(
            "Mean {} over two keys",
            figure_of(self.summary, self.figure)
        )
    }
    fn footer(&self) -> String {
        footer(self.summary)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (area, legend) = split_legend(root, 300);
        let (a, b) = (&self.summary.vary[0], &self.summary.vary[1]);
        let (xs, ys) = (a.grid(), b.grid());
        let f = self.figure;
        let (lo, hi) = self
            .points
            .iter()
            .map(|p| p.figures[f].mean)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(v), h.max(v))
            });
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..xs.len() as f64, 0.0..ys.len() as f64)
            .map_err(err)?;
        let tick = |values: &[f64], v: f64| {
            let i = v.floor() as usize;
            if (v - v.floor() - 0.5).abs() < 0.26 && i < values.len() {
                human(values[i])
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(a.key.as_str())
            .y_desc(b.key.as_str())
            .x_labels(2 * xs.len() + 1)
            .y_labels(2 * ys.len() + 1)
            .x_label_formatter(&|v| tick(&xs, *v))
            .y_label_formatter(&|v| tick(&ys, *v))
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .draw()
            .map_err(err)?;
        let scale = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let paint = |v: f64| ViridisRGB::get_color(scale(v));
        let cell_w = area.dim_in_pixel().0 as usize / xs.len().max(1);
        for (n, p) in self.points.iter().enumerate() {
            let (i, j) = (n / ys.len(), n % ys.len());
            let v = p.figures[f].mean;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                    paint(v).filled(),
                )))
                .map_err(err)?;
            if cell_w >= 70 && ys.len() <= 20 {
                let text = if scale(v) > 0.6 { BLACK } else { WHITE };
                chart
                    .draw_series(std::iter::once(Text::new(
                        shown(&self.summary.figures[f], v),
                        (i as f64 + 0.5, j as f64 + 0.5),
                        (FONT, 16).into_font().color(&text).pos(
                            plotters::style::text_anchor::Pos::new(
                                plotters::style::text_anchor::HPos::Center,
                                plotters::style::text_anchor::VPos::Center,
                            ),
                        ),
                    )))
                    .map_err(err)?;
            }
        }
        let entries: Vec<LegendEntry> = (0..5)
            .map(|k| {
                let v = lo + (hi - lo) * f64::from(k) / 4.0;
                let c = paint(v);
                LegendEntry {
                    label: shown(&self.summary.figures[f], v),
                    colour: c,
                    kind: LegendKind::Solid,
                }
            })
            .rev()
            .collect();
        draw_legend(&legend, "Mean", &entries)
    }
}
