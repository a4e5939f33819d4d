//! `surge validate`'s plot: every reported count against its posterior predictive (log-log),
//! one colour per role (fitted, left out, out of fit), with the factor-of-2 band.

use super::Figure;
use super::style::{FONT, colour, err};
use crate::report::format::human;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One reported count and what the model predicted for it (plain data: no calibrate types).
#[derive(Debug, Clone)]
pub struct CheckedFigure {
    /// Index into [`ValidationChart::roles`].
    pub role: usize,
    /// The reported value: the geometric middle of the interval the statement allows.
    pub observed: f64,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
}

pub struct ValidationChart<'a> {
    /// Role names, in legend order.
    pub roles: &'a [&'a str],
    pub figures: &'a [CheckedFigure],
}

impl Figure for ValidationChart<'_> {
    fn name(&self) -> String {
        "validation".into()
    }
    fn title(&self) -> String {
        "reported counts against the posterior predictive".into()
    }
    fn footer(&self) -> String {
        "Dot: predictive median; bar: 90% interval; solid line: equal; dashed: a factor of 2. Counts only (shares and ratios are in the table).".into()
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let l = |v: f64| v.max(1.0).log10();
        let values = self
            .figures
            .iter()
            .flat_map(|f| [f.observed, f.p05, f.p95, f.median]);
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(l(v)), b.max(l(v)))
        });
        let (lo, hi) = if lo.is_finite() {
            ((lo - 0.3).floor(), (hi + 0.3).ceil())
        } else {
            (0.0, 1.0)
        };
        let mut chart = ChartBuilder::on(area)
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("reported (log scale)")
            .y_desc("predicted (log scale)")
            .x_label_formatter(&|x| human(10f64.powf(*x)))
            .y_label_formatter(&|y| human(10f64.powf(*y)))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(err)?;
        let two = 2f64.log10();
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(lo, lo), (hi, hi)],
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
        // Kept inside the plotting area: a factor of 2 above and below the diagonal.
        for line in [
            [(lo, lo + two), (hi - two, hi)],
            [(lo + two, lo), (hi, hi - two)],
        ] {
            chart
                .draw_series(DashedLineSeries::new(
                    line,
                    6,
                    4,
                    RGBColor(120, 120, 120).stroke_width(1),
                ))
                .map_err(err)?;
        }
        for (role, name) in self.roles.iter().enumerate() {
            let c = colour(role);
            let these: Vec<&CheckedFigure> =
                self.figures.iter().filter(|f| f.role == role).collect();
            if these.is_empty() {
                continue;
            }
            chart
                .draw_series(these.iter().map(|f| {
                    PathElement::new(
                        vec![(l(f.observed), l(f.p05)), (l(f.observed), l(f.p95))],
                        c.stroke_width(2),
                    )
                }))
                .map_err(err)?;
            chart
                .draw_series(
                    these
                        .iter()
                        .map(|f| Circle::new((l(f.observed), l(f.median)), 6, c.filled())),
                )
                .map_err(err)?
                .label(format!("{name} ({})", these.len()))
                .legend(move |(x, y)| Circle::new((x + 8, y), 6, c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, 16))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}
