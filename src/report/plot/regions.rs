//! `regions`: where each app's arrivals came from, as one stacked bar per app with the share of
//! each region written on it ("38% asia_pacific"), within 72 h of the event (or the horizon).

use super::Figure;
use super::style::{
    FONT, LEGEND_WIDTH, LegendEntry, LegendKind, colour, draw_legend, err, split_legend,
};
use crate::report::format::human;
use crate::report::series::SavedRun;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct Regions<'a> {
    pub run: &'a SavedRun,
}

/// Black or white text, whichever reads better on `fill` (relative luminance, ITU-R BT.709).
fn text_on(fill: RGBColor) -> RGBColor {
    let luminance =
        0.2126 * f64::from(fill.0) + 0.7152 * f64::from(fill.1) + 0.0722 * f64::from(fill.2);
    if luminance > 140.0 { BLACK } else { WHITE }
}

/// The window the bars cover: 72 h after the event, or the end of the horizon if sooner.
const WINDOW_HOURS: f64 = 72.0;

impl Regions<'_> {
    /// Median arrivals per region for app `app` at the last point within the window, and that point's hours.
    fn arrivals(&self, app: &str) -> (Vec<f64>, f64) {
        let mut hours = 0.0;
        let values = self
            .run
            .summary
            .regions
            .iter()
            .map(|r| {
                let points = self.run.series.get(app, r, "arrivals").unwrap_or_default();
                let last = points.iter().rev().find(|p| p.hours <= WINDOW_HOURS + 1e-9);
                hours = last.map_or(hours, |p| p.hours);
                last.map_or(0.0, |p| p.p50)
            })
            .collect();
        (values, hours)
    }
}

impl Figure for Regions<'_> {
    fn name(&self) -> String {
        "regions".into()
    }
    fn title(&self) -> String {
        format!(
            "{}: where each app's arrivals came from",
            self.run.summary.scenario.name
        )
    }
    fn footer(&self) -> String {
        // This chart has no bands: it shows each region's median arrivals.
        let s = &self.run.summary;
        format!(
            "{} runs, seed {}. Bars: median arrivals per region across runs ({}).",
            s.runs,
            s.seed,
            s.parameters
                .kind
                .replace("fixed", "fixed parameters")
                .replace("posterior", "parameters drawn from the posterior")
        )
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let s = &self.run.summary;
        let (area, legend) = split_legend(root, LEGEND_WIDTH);
        let n = s.apps.len() as f64;
        let window = s
            .apps
            .first()
            .map_or(WINDOW_HOURS, |a| self.arrivals(&a.name).1);
        let mut chart = ChartBuilder::on(&area)
            .caption(
                format!("Share of arrivals by region within {window:.0} h of the event (median run; total at right)"),
                (FONT, 26),
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(0)
            .build_cartesian_2d(-22.0..112.0, 0.0..n)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc("share of the app's arrivals (%)")
            .x_label_formatter(&|x| {
                if *x < 0.0 || *x > 100.0 {
                    String::new()
                } else {
                    format!("{x:.0}%")
                }
            })
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        for (i, app) in s.apps.iter().enumerate() {
            let (values, _) = self.arrivals(&app.name);
            let total: f64 = values.iter().sum();
            let y = n - i as f64 - 0.5;
            let (lo, hi) = (y - 0.3, y + 0.3);
            chart
                .draw_series(std::iter::once(Text::new(
                    app.name.clone(),
                    (-21.0, y + 0.08),
                    (FONT, 24).into_font(),
                )))
                .map_err(err)?;
            let mut x = 0.0;
            for (r, v) in values.iter().enumerate() {
                let share = if total > 0.0 { 100.0 * v / total } else { 0.0 };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x, lo), (x + share, hi)],
                        colour(r).filled(),
                    )))
                    .map_err(err)?;
                if share >= 6.0 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{share:.0}%"),
                            (x + 0.8, y + 0.06),
                            (FONT, 22).into_font().color(&text_on(colour(r))),
                        )))
                        .map_err(err)?;
                }
                x += share;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    human(total),
                    (101.5, y + 0.06),
                    (FONT, 22).into_font(),
                )))
                .map_err(err)?;
        }
        let entries: Vec<LegendEntry> = s
            .regions
            .iter()
            .enumerate()
            .map(|(r, name)| LegendEntry {
                label: name.clone(),
                colour: colour(r),
                kind: LegendKind::Solid,
            })
            .collect();
        draw_legend(&legend, "Regions", &entries)
    }
}
