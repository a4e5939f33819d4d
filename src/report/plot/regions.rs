//! `regions`: where each app's arrivals came from, as one stacked bar per app with the share of
//! each region written on it ("38% asia_pacific"), within 72 h of the event (or the horizon).

use super::Figure;
use super::style::{
    FONT, LEGEND_WIDTH, LegendEntry, LegendKind, OTHERS, colour, draw_legend, err, fit_text,
    most_drawn, split_legend,
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
                .replace("nowcast", "particles conditioned on the observed counts")
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
        let per_app: Vec<Vec<f64>> = s.apps.iter().map(|a| self.arrivals(&a.name).0).collect();
        // Up to seven regions in their own colours (those with the most arrivals over all apps),
        // the rest summed into one grey segment: 64 regions' colours could not be told apart.
        let region_totals: Vec<f64> = (0..s.regions.len())
            .map(|r| per_app.iter().map(|v| v[r]).sum())
            .collect();
        let shown = most_drawn(&region_totals);
        let others = s.regions.len() - shown.len();
        // Segments of each bar: (colour, index into `shown` or None for the others).
        let segments: Vec<(RGBColor, Option<usize>)> = (0..shown.len())
            .map(|k| (colour(k), Some(shown[k])))
            .chain((others > 0).then_some((OTHERS, None)))
            .collect();
        // Names to the left of the bars, as wide as the longest needs (at most a quarter of the
        // chart; longer names are cut with an ellipsis), in a font the rows leave room for.
        let (area_w, area_h) = area.dim_in_pixel();
        let row_px = f64::from(area_h.saturating_sub(160)) / n.max(1.0);
        let name_size = (row_px * 0.45).clamp(11.0, 24.0);
        let value_size = (row_px * 0.42).clamp(10.0, 22.0);
        let name_font = (FONT, name_size).into_font();
        let max_name_px = area_w / 4;
        let names: Vec<String> = s
            .apps
            .iter()
            .map(|a| fit_text(&area, &a.name, &name_font, max_name_px))
            .collect();
        let name_px = names
            .iter()
            .filter_map(|t| {
                area.estimate_text_size(t, &TextStyle::from(name_font.clone()))
                    .ok()
            })
            .map(|(w, _)| w)
            .max()
            .unwrap_or(0);
        // Data units left of 0 that hold the names: the bars span 0..100 and the totals 100..112
        // of the plot's width less the names.
        let plot_px = f64::from(area_w.saturating_sub(40)).max(1.0);
        let name_units =
            112.0 * f64::from(name_px + 16) / (plot_px - f64::from(name_px + 16)).max(1.0);
        let mut chart = ChartBuilder::on(&area)
            .caption(
                format!("Share of arrivals by region within {window:.0} h of the event (median run; total at right)"),
                (FONT, 26),
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(0)
            .build_cartesian_2d(-name_units..112.0, 0.0..n)
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
        for (i, values) in per_app.iter().enumerate() {
            let total: f64 = values.iter().sum();
            let y = n - i as f64 - 0.5;
            let (lo, hi) = (y - 0.3, y + 0.3);
            chart
                .draw_series(std::iter::once(Text::new(
                    names[i].clone(),
                    (-name_units * 0.98, y + 0.08),
                    name_font.clone(),
                )))
                .map_err(err)?;
            let shown_sum: f64 = shown.iter().map(|&r| values[r]).sum();
            let mut x = 0.0;
            for &(fill, region) in &segments {
                let v = region.map_or(total - shown_sum, |r| values[r]);
                let share = if total > 0.0 { 100.0 * v / total } else { 0.0 };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x, lo), (x + share, hi)],
                        fill.filled(),
                    )))
                    .map_err(err)?;
                if share >= 6.0 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{share:.0}%"),
                            (x + 0.8, y + 0.06),
                            (FONT, value_size).into_font().color(&text_on(fill)),
                        )))
                        .map_err(err)?;
                }
                x += share;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    human(total),
                    (101.5, y + 0.06),
                    (FONT, value_size).into_font(),
                )))
                .map_err(err)?;
        }
        let entries: Vec<LegendEntry> = segments
            .iter()
            .map(|&(fill, region)| LegendEntry {
                label: region.map_or_else(
                    || format!("{others} other regions"),
                    |r| s.regions[r].clone(),
                ),
                colour: fill,
                kind: LegendKind::Solid,
            })
            .collect();
        draw_legend(&legend, "Regions", &entries)
    }
}
