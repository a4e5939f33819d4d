//! `tune`: each setting's error against its time (both on log scales), a colour per dimension,
//! the efficient frontier joined and ringed, and the budget if one was given.

use super::Figure;
use super::style::{FONT, LegendEntry, LegendKind, colour, draw_legend, err, split_legend};
use crate::report::format::human;
use crate::report::tune::TuneSummary;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct TuneChart<'a> {
    pub summary: &'a TuneSummary,
}

const DIMENSIONS: [(&str, &str); 4] = [
    ("step_minutes", "step size (minutes)"),
    ("runs", "number of runs"),
    ("agents", "simulated users"),
    ("sampler", "sampler (exact, hybrid)"),
];

impl Figure for TuneChart<'_> {
    fn name(&self) -> String {
        "tune".into()
    }
    fn title(&self) -> String {
        format!("Accuracy against cost: {}", self.summary.scenario.name)
    }
    fn footer(&self) -> String {
        format!(
            "Error: worst tracked figure's sqrt(bias² + relative mcse²); bias: change against the finest setting beyond its noise. Times on {} threads. Ringed: the efficient frontier.",
            self.summary.threads
        )
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (area, legend) = split_legend(root, 380);
        let points: Vec<(f64, f64)> = self
            .summary
            .settings
            .iter()
            .map(|s| (s.seconds.max(1e-4), s.error().0.max(1e-6)))
            .collect();
        let bound = |f: fn(&(f64, f64)) -> f64, lo: bool| {
            let v = points.iter().map(f);
            if lo {
                v.fold(f64::INFINITY, f64::min)
            } else {
                v.fold(f64::NEG_INFINITY, f64::max)
            }
        };
        let mut x0 = bound(|p| p.0, true) / 2.0;
        let mut x1 = bound(|p| p.0, false) * 2.0;
        if let Some(b) = self.summary.budget_seconds {
            x0 = x0.min(b / 2.0);
            x1 = x1.max(b * 2.0);
        }
        let (y0, y1) = (bound(|p| p.1, true) / 2.0, bound(|p| p.1, false) * 2.0);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(100)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("seconds (log scale)")
            .y_desc("error (log scale)")
            .x_label_formatter(&|v| format!("{} s", human(*v)))
            .y_label_formatter(&|v| format!("{}%", human(100.0 * v)))
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        let mut frontier: Vec<(f64, f64)> = points
            .iter()
            .zip(&self.summary.frontier)
            .filter(|(_, f)| **f)
            .map(|(p, _)| *p)
            .collect();
        frontier.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(frontier.clone(), BLACK.stroke_width(1)))
            .map_err(err)?;
        chart
            .draw_series(
                frontier
                    .iter()
                    .map(|&p| Circle::new(p, 11, BLACK.stroke_width(2))),
            )
            .map_err(err)?;
        let mut entries = Vec::new();
        for (d, (dimension, label)) in DIMENSIONS.iter().enumerate() {
            let mut any = false;
            for (s, &p) in self.summary.settings.iter().zip(&points) {
                if s.dimension != *dimension {
                    continue;
                }
                any = true;
                chart
                    .draw_series(std::iter::once(Circle::new(p, 6, colour(d).filled())))
                    .map_err(err)?;
                let text = match *dimension {
                    "step_minutes" => format!("{} min", human(s.value)),
                    "runs" => format!("{} runs", human(s.value)),
                    "sampler" if s.value > 0.5 => "hybrid".to_string(),
                    "sampler" => "exact".to_string(),
                    _ => format!("{} users", human(s.value)),
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (p.0 * 1.08, p.1 * 1.08),
                        (FONT, 15).into_font().color(&colour(d)),
                    )))
                    .map_err(err)?;
            }
            if any {
                entries.push(LegendEntry {
                    label: (*label).to_string(),
                    colour: colour(d),
                    kind: LegendKind::Solid,
                });
            }
        }
        entries.push(LegendEntry {
            label: "efficient frontier".into(),
            colour: BLACK,
            kind: LegendKind::Line,
        });
        if let Some(b) = self.summary.budget_seconds {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(b, y0), (b, y1)],
                    RED.stroke_width(2),
                )))
                .map_err(err)?;
            entries.push(LegendEntry {
                label: format!("budget {} s", human(b)),
                colour: RED,
                kind: LegendKind::Line,
            });
        }
        if let Some(r) = &self.summary.recommendation {
            let agents = r
                .agents
                .map_or(String::new(), |a| format!(", {} users", human(a)));
            entries.push(LegendEntry {
                label: format!(
                    "within budget: step {} min, {} runs{agents}",
                    human(r.step_minutes),
                    human(r.runs as f64)
                ),
                colour: RED,
                kind: LegendKind::Note,
            });
            entries.push(LegendEntry {
                label: format!(
                    "(predicted {} s, error {}%)",
                    human(r.predicted_seconds),
                    human(100.0 * r.predicted_error)
                ),
                colour: RED,
                kind: LegendKind::Note,
            });
        }
        draw_legend(&legend, "Settings", &entries)
    }
}
