//! Fit plots: posterior marginals (weighted histograms over each prior's range) and reported
//! figures against the posterior predictive (median and 90% interval).

use super::super::abc::Posterior;
use super::super::report::{FitReport, PredictiveRow};
use crate::report::format::human;
use crate::report::plot::Figure;
use crate::report::plot::style::{FONT, colour, err};
use plotters::coord::Shift;
use plotters::prelude::*;

pub enum FitPlots<'a> {
    /// `posterior.png/svg`.
    Marginals {
        report: &'a FitReport,
        posterior: &'a Posterior,
    },
    /// `observed_vs_predicted.png/svg`.
    Observations {
        rows: &'a [PredictiveRow],
        title: &'a str,
    },
}

const BINS: usize = 24;

/// A tick label that stays readable for tiny rates: 0.0004 → "4e-4", 250 → "250".
fn tick(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.01 {
        format!("{v:.0e}")
    } else {
        human(v)
    }
}

fn marginal<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &FitReport,
    posterior: &Posterior,
    k: usize,
) -> Result<(), String> {
    let p = &report.parameters[k];
    let scale = |x: f64| if p.log { x.log10() } else { x };
    let (lo, hi) = (scale(p.low), scale(p.high));
    let mut bins = [0.0; BINS];
    for (particle, w) in posterior.particles.iter().zip(&posterior.weights) {
        let b = (((scale(particle[k]) - lo) / (hi - lo)) * BINS as f64)
            .floor()
            .clamp(0.0, (BINS - 1) as f64) as usize;
        bins[b] += w;
    }
    let top = bins.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(&p.name, (FONT, 20))
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(lo..hi, 0.0..top)
        .map_err(err)?;
    let log = p.log;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(3)
        .x_label_formatter(&|x| {
            if log {
                tick(10f64.powf(*x))
            } else {
                format!("{x:.2}")
            }
        })
        .y_label_formatter(&|y| format!("{y:.2}"))
        .x_desc(if log { "value (log scale)" } else { "value" })
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 14))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(err)?;
    let width = (hi - lo) / BINS as f64;
    chart
        .draw_series(bins.iter().enumerate().map(|(b, &h)| {
            let x = lo + b as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, h)], colour(0).mix(0.6).filled())
        }))
        .map_err(err)?;
    let median = scale(p.median);
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(median, 0.0), (median, top)],
            colour(5).stroke_width(2),
        )))
        .map_err(err)?;
    Ok(())
}

/// Left end of a figure's box: a consistency check (an upper bound) is drawn from just left of
/// the lower of its bound and the prediction, so its box reads "anything up to here".
fn shown_low(r: &PredictiveRow) -> f64 {
    if r.upper_bound {
        0.8 * r.observed_high.min(r.predicted_p05)
    } else {
        r.observed_low
    }
}

/// The scale of one panel of the observed-vs-predicted plot.
#[derive(Clone, Copy, PartialEq)]
enum Panel {
    /// Counts, log scale.
    Counts,
    /// Regional shares, percent.
    Shares,
    /// Ratios of two rates, log scale.
    Ratios,
}

impl Panel {
    fn of(r: &PredictiveRow) -> Panel {
        if r.share {
            Panel::Shares
        } else if r.ratio {
            Panel::Ratios
        } else {
            Panel::Counts
        }
    }
}

fn observations<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[&PredictiveRow],
    panel: Panel,
) -> Result<(), String> {
    if rows.is_empty() {
        return Ok(());
    }
    let t = |v: f64| match panel {
        Panel::Shares => 100.0 * v,
        Panel::Ratios => v.max(1e-3).log10(),
        Panel::Counts => v.max(1.0).log10(),
    };
    let all = rows.iter().flat_map(|r| {
        [
            shown_low(r),
            r.observed_high,
            r.predicted_p05,
            r.predicted_p95,
        ]
    });
    let (mut lo, mut hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(t(v)), b.max(t(v)))
    });
    let pad = ((hi - lo) * 0.08).max(0.1);
    (lo, hi) = (lo - pad, hi + pad);
    let label_room = (hi - lo) * 0.9;
    let n = rows.len() as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(
            match panel {
                Panel::Shares => "regional shares (%)",
                Panel::Ratios => "ratios of rates (log scale)",
                Panel::Counts => "counts (log scale)",
            },
            (FONT, 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(0)
        .build_cartesian_2d((lo - label_room)..hi, 0.0..n)
        .map_err(err)?;
    let left = lo;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(8)
        .x_label_formatter(&|x| {
            if *x < left {
                String::new()
            } else {
                match panel {
                    Panel::Shares => format!("{x:.0}%"),
                    Panel::Ratios => format!("{:.2}x", 10f64.powf(*x)),
                    Panel::Counts => human(10f64.powf(*x)),
                }
            }
        })
        .label_style((FONT, 15))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(err)?;
    for (i, r) in rows.iter().enumerate() {
        let y = n - i as f64 - 0.5;
        chart
            .draw_series(std::iter::once(Text::new(
                if r.fitted {
                    r.id.clone()
                } else {
                    format!("{} (predicted, not fitted)", r.id)
                },
                (lo - label_room * 0.98, y + 0.1),
                (FONT, 15).into_font(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    (t(shown_low(r)), y - 0.25),
                    (
                        t(r.observed_high).max(t(shown_low(r)) + (hi - lo) * 0.004),
                        y + 0.25,
                    ),
                ],
                RGBColor(150, 150, 150).mix(0.6).filled(),
            )))
            .map_err(err)?;
        let c = if r.covered { colour(0) } else { colour(5) };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t(r.predicted_p05), y), (t(r.predicted_p95), y)],
                c.stroke_width(3),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new(
                (t(r.predicted_median), y),
                6,
                c.filled(),
            )))
            .map_err(err)?;
    }
    Ok(())
}

impl Figure for FitPlots<'_> {
    fn name(&self) -> String {
        match self {
            FitPlots::Marginals { .. } => "posterior".into(),
            FitPlots::Observations { .. } => "observed_vs_predicted".into(),
        }
    }
    fn title(&self) -> String {
        match self {
            FitPlots::Marginals { report, .. } => format!(
                "posterior marginals ({} generations, stopped: {})",
                report.generations.len(),
                report.stop_reason
            ),
            FitPlots::Observations { title, .. } => (*title).to_string(),
        }
    }
    fn footer(&self) -> String {
        match self {
            FitPlots::Marginals { .. } => "Bars: posterior weight over each prior's range; red line: posterior median.".into(),
            FitPlots::Observations { .. } => "Grey: the interval the statement allows. Dot and line: posterior predictive median and 90% interval (blue: meets the grey interval; red: misses).".into(),
        }
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            FitPlots::Marginals { report, posterior } => {
                let n = report.parameters.len();
                let cols = n.clamp(1, 3);
                let rows = n.div_ceil(cols);
                let cells = area.split_evenly((rows, cols));
                for (k, cell) in cells.iter().enumerate().take(n) {
                    marginal(cell, report, posterior, k)?;
                }
                Ok(())
            }
            FitPlots::Observations { rows, .. } => {
                // One panel per scale, each as tall as its share of the rows (at least 80 px).
                let mut rest = area.clone();
                let mut left = rows.len().max(1);
                for panel in [Panel::Counts, Panel::Ratios, Panel::Shares] {
                    let these: Vec<&PredictiveRow> =
                        rows.iter().filter(|r| Panel::of(r) == panel).collect();
                    if these.is_empty() {
                        continue;
                    }
                    let height = rest.dim_in_pixel().1;
                    let own = if these.len() == left {
                        height
                    } else {
                        ((height as f64 * these.len() as f64 / left as f64) as u32).max(80)
                    };
                    let (here, below) = rest.split_vertically(own.min(height));
                    observations(&here, &these, panel)?;
                    rest = below;
                    left -= these.len();
                }
                Ok(())
            }
        }
    }
}
