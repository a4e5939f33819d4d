//! `sensitivity`: per charted headline figure, a panel of horizontal bars, one group per
//! factor: Sobol first-order and total indices, or Morris mu* and sigma, with 95% intervals.

use super::Figure;
use super::style::{FONT, LegendEntry, LegendKind, colour, draw_legend, err, split_legend};
use crate::report::format::human;
use crate::report::sensitivity::{IndexRow, SensitivitySummary};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct SensitivityChart<'a> {
    pub summary: &'a SensitivitySummary,
    pub rows: &'a [IndexRow],
}

/// A measure drawn: its column, its interval's columns if it has one, and its legend label.
type Measure = (
    &'static str,
    Option<(&'static str, &'static str)>,
    &'static str,
);

/// The two measures drawn.
fn measures(method: &str) -> [Measure; 2] {
    if method == "sobol" {
        [
            (
                "first",
                Some(("first_low", "first_high")),
                "first-order index S1",
            ),
            ("total", Some(("total_low", "total_high")), "total index ST"),
        ]
    } else {
        [
            (
                "mu_star",
                Some(("mu_star_low", "mu_star_high")),
                "mu* (mean |effect|)",
            ),
            ("sigma", None, "sigma (spread of effects)"),
        ]
    }
}

fn value(row: &IndexRow, column: &str) -> f64 {
    row.values
        .iter()
        .find(|(k, _)| k == column)
        .map_or(f64::NAN, |(_, v)| *v)
}

impl Figure for SensitivityChart<'_> {
    fn name(&self) -> String {
        "sensitivity".into()
    }
    fn title(&self) -> String {
        let m = if self.summary.method == "sobol" {
            "Sobol indices"
        } else {
            "Morris elementary effects"
        };
        format!("{m}: {}", self.summary.scenario.name)
    }
    fn footer(&self) -> String {
        format!(
            "{} points x {} runs (output: mean of the runs), seed {}. Whiskers: 95% bootstrap intervals ({} resamples).",
            self.summary.points,
            self.summary.runs_per_point,
            self.summary.seed,
            self.summary.bootstrap
        )
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (area, legend) = split_legend(root, 360);
        let charted = &self.summary.charted;
        let cols = if charted.len() > 1 { 2 } else { 1 };
        let rows_n = charted.len().div_ceil(cols);
        let panels = area.split_evenly((rows_n.max(1), cols));
        let factors: Vec<&str> = self
            .summary
            .factors
            .iter()
            .map(|f| f.key.as_str())
            .collect();
        let ms = measures(&self.summary.method);
        for (panel, figure) in panels.iter().zip(charted) {
            let rows: Vec<&IndexRow> = factors
                .iter()
                .filter_map(|f| {
                    self.rows
                        .iter()
                        .find(|r| &r.figure == figure && r.factor == *f)
                })
                .collect();
            let mut lo = 0.0f64;
            let mut hi = if self.summary.method == "sobol" {
                1.0f64
            } else {
                0.0
            };
            for r in &rows {
                for (v, ci, _) in ms {
                    let x = value(r, v);
                    let (a, b) = ci.map_or((x, x), |(l, h)| (value(r, l), value(r, h)));
                    for y in [x, a, b] {
                        if y.is_finite() {
                            lo = lo.min(y);
                            hi = hi.max(y);
                        }
                    }
                }
            }
            if hi <= lo {
                hi = lo + 1.0;
            }
            let n = rows.len() as f64;
            let short = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
            let mut chart = ChartBuilder::on(panel)
                .caption(figure, (FONT, 22))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(190)
                .build_cartesian_2d(lo..hi * 1.05, 0.0..n)
                .map_err(err)?;
            let names: Vec<String> = rows.iter().map(|r| short(&r.factor)).collect();
            let method = self.summary.method.clone();
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(2 * rows.len() + 1)
                .y_label_formatter(&|y| {
                    let i = y.floor() as usize;
                    if (y - y.floor() - 0.5).abs() < 0.26 && i < names.len() {
                        names[rows.len() - 1 - i].clone()
                    } else {
                        String::new()
                    }
                })
                .x_label_formatter(&|x| {
                    if method == "sobol" {
                        format!("{x:.1}")
                    } else {
                        human(*x)
                    }
                })
                .label_style((FONT, 15))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(err)?;
            for (i, r) in rows.iter().enumerate() {
                let y0 = (rows.len() - 1 - i) as f64;
                for (m, (v, ci, _)) in ms.iter().enumerate() {
                    let (top, bottom) = (y0 + 0.85 - 0.35 * m as f64, y0 + 0.55 - 0.35 * m as f64);
                    let x = value(r, v);
                    if !x.is_finite() {
                        continue;
                    }
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(0.0, bottom), (x, top)],
                            colour(m).mix(0.8).filled(),
                        )))
                        .map_err(err)?;
                    if let Some((l, h)) = ci {
                        let (a, b) = (value(r, l), value(r, h));
                        let mid = (top + bottom) / 2.0;
                        if a.is_finite() && b.is_finite() {
                            chart
                                .draw_series(std::iter::once(PathElement::new(
                                    vec![(a, mid), (b, mid)],
                                    BLACK.stroke_width(2),
                                )))
                                .map_err(err)?;
                        }
                    }
                }
            }
        }
        let entries: Vec<LegendEntry> = ms
            .iter()
            .enumerate()
            .map(|(m, (_, _, label))| LegendEntry {
                label: (*label).to_string(),
                colour: colour(m),
                kind: LegendKind::Solid,
            })
            .chain(std::iter::once(LegendEntry {
                label: "black line: 95% interval".into(),
                colour: BLACK,
                kind: LegendKind::Line,
            }))
            .collect();
        draw_legend(&legend, "Measures", &entries)
    }
}
