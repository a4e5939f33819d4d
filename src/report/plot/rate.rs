//! `rate`: registrations per second per app against its sign-up capacity, and the wait of a
//! new sign-up, so a planner sees when and for how long the servers saturate.

use super::Figure;
use super::adoption::{app_legend, draw_single_runs, drawn_apps, x_range};
use super::style::{
    Chart, FONT, LEGEND_WIDTH, LegendEntry, LegendKind, TimeAxis, TimeChart, colour, draw_legend,
    draw_median_with_bands, err, shade_events, split_legend, time_chart, y_max,
};
use crate::report::format::human;
use crate::report::series::{SavedRun, SeriesPoint};
use crate::report::summary::AppInfo;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct Rate<'a> {
    pub run: &'a SavedRun,
}

/// From shortly before the event to a few hours after the last sign-up activity.
fn active_window(series: &[&[SeriesPoint]]) -> (f64, f64) {
    let (first, last) = x_range(series);
    let peak = series
        .iter()
        .flat_map(|s| s.iter())
        .map(|p| p.p95)
        .fold(0.0, f64::max);
    let busy_until = series
        .iter()
        .flat_map(|s| s.iter())
        .filter(|p| p.p95 > peak * 0.01)
        .map(|p| p.hours)
        .fold(0.0, f64::max);
    (
        (-2.0f64).max(first),
        (busy_until + 4.0).min(last).max(first + 1.0),
    )
}

impl Rate<'_> {
    fn chart<'b, DB: DrawingBackend>(
        &self,
        area: &'b DrawingArea<DB, Shift>,
        caption: &str,
        y_desc: &str,
        x: (f64, f64),
        top: f64,
        y_fmt: &dyn Fn(&f64) -> String,
    ) -> Result<Chart<'b, DB>, String> {
        let axis = TimeAxis::new(&self.run.summary.event.start);
        let x_label = |h: &f64| axis.label(*h);
        let mut chart = time_chart(
            area,
            &TimeChart {
                caption,
                caption_size: 26,
                x_desc: TimeAxis::DESCRIPTION,
                y_desc,
                x,
                top,
                x_label: &x_label,
                y_label: y_fmt,
            },
        )?;
        shade_events(&mut chart, &self.run.summary, top, &axis)?;
        Ok(chart)
    }
}

/// A wait tick in minutes, with as many decimals as ticks on a chart `top` minutes high need to
/// differ (a 4-minute chart has ticks every half minute: "0.5 min", not "0 min" twice).
fn wait_label(minutes: f64, top: f64) -> String {
    if top < 2.0 {
        format!("{:.0} s", minutes * 60.0)
    } else if top < 10.0 {
        format!("{minutes:.1} min")
    } else {
        format!("{minutes:.0} min")
    }
}

/// The wait panel's caption: the region whose queue waited longest (its `all` wait is the worst
/// region's), for the two apps that waited longest, and how many others queued at all.
fn wait_caption(run: &SavedRun, drawn: &[(RGBColor, usize, &AppInfo)]) -> String {
    let s = &run.summary;
    let mut worst: Vec<(f64, String)> = drawn
        .iter()
        .filter_map(|(_, _, app)| {
            s.regions
                .iter()
                .filter_map(|r| {
                    let points = run.series.get(&app.name, r, "queue_wait")?;
                    let longest = points.iter().map(|p| p.p50).fold(0.0, f64::max);
                    (longest > 0.0).then_some((longest, format!("{} in {r}", app.name)))
                })
                .max_by(|a, b| a.0.total_cmp(&b.0))
        })
        .collect();
    if worst.is_empty() {
        return "Wait of a new sign-up (no queue formed)".to_string();
    }
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    let name_count = if worst.len() > 2 { 1 } else { 2 };
    let named: Vec<&str> = worst
        .iter()
        .take(name_count)
        .map(|w| w.1.as_str())
        .collect();
    let more = match worst.len() - named.len() {
        0 => String::new(),
        n => format!("; {n} more apps queued"),
    };
    format!(
        "Wait of a new sign-up, worst region (longest: {}{more})",
        named.join(", ")
    )
}

impl Figure for Rate<'_> {
    fn name(&self) -> String {
        "rate".into()
    }
    fn title(&self) -> String {
        format!(
            "{}: sign-ups per second against capacity, and the wait",
            self.run.summary.scenario.name
        )
    }
    fn footer(&self) -> String {
        super::run_footer(self.run)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let s = &self.run.summary;
        let (charts, legend) = split_legend(root, LEGEND_WIDTH);
        let panels = charts.split_evenly((2, 1));
        // (colour, app) for every app drawn; the legend counts the rest.
        let drawn: Vec<_> = drawn_apps(self.run)
            .into_iter()
            .enumerate()
            .map(|(k, i)| (colour(k), i, &s.apps[i]))
            .collect();
        let rates: Vec<_> = drawn
            .iter()
            .filter_map(|(_, _, a)| self.run.series.get(&a.name, "all", "registration_rate"))
            .collect();
        let waits: Vec<_> = drawn
            .iter()
            .filter_map(|(_, _, a)| self.run.series.get(&a.name, "all", "queue_wait"))
            .collect();
        let x = active_window(&rates);
        let capacity_max = drawn
            .iter()
            .filter_map(|(_, _, a)| a.capacity_per_second)
            .fold(0.0, f64::max);
        let rate_top = y_max(&rates, 1.0, 1.0)
            .max(capacity_max * 1.1)
            .min(y_max(&rates, 1.0, 1.0) * 4.0);
        let rate_fmt = |v: &f64| format!("{}/s", human(*v));
        let mut chart = self.chart(
            &panels[0],
            "Registrations per second (dashed: capacity)",
            "registrations per second",
            x,
            rate_top,
            &rate_fmt,
        )?;
        let mut off_scale = 0;
        for &(c, i, app) in &drawn {
            draw_single_runs(&mut chart, self.run, i, c, "registration_rate")?;
            if let Some(points) = self.run.series.get(&app.name, "all", "registration_rate") {
                draw_median_with_bands(&mut chart, points, c, 1.0, false)?;
            }
            match app.capacity_per_second {
                Some(cap) if cap <= rate_top => {
                    chart
                        .draw_series(DashedLineSeries::new(
                            [(x.0, cap), (x.1, cap)],
                            14,
                            8,
                            c.stroke_width(2),
                        ))
                        .map_err(err)?;
                }
                // Far above the data: say so at the top edge instead of squashing the curves.
                Some(cap) => {
                    off_scale += 1;
                    let label =
                        format!("↑ {} capacity {}/s, above the chart", app.name, human(cap));
                    let y = rate_top * (1.0 - 0.06 * off_scale as f64);
                    let x_text = x.0 + (x.1 - x.0) * 0.62;
                    chart
                        .draw_series(std::iter::once(Text::new(
                            label,
                            (x_text, y),
                            (FONT, 18).into_font().color(&c),
                        )))
                        .map_err(err)?;
                }
                None => {}
            }
        }
        // Regional limits that the median run reaches (at least 95% of the limit at some output
        // point): drawn as the region's own median rate and its limit; the first few are named on
        // the chart (more would pile up), and the legend counts them all.
        const NAMED_LIMITS: usize = 4;
        let mut saturated = 0;
        for &(c, _, app) in &drawn {
            for (region, &limit) in s.regions.iter().zip(&app.regional_capacity) {
                let Some(points) = self.run.series.get(&app.name, region, "registration_rate")
                else {
                    continue;
                };
                if points.iter().any(|p| p.p50 >= 0.95 * limit) && limit <= rate_top {
                    let line = points.iter().map(|p| (p.hours, p.p50));
                    chart
                        .draw_series(LineSeries::new(line, c.stroke_width(1)))
                        .map_err(err)?;
                    chart
                        .draw_series(DashedLineSeries::new(
                            [(x.0, limit), (x.1, limit)],
                            4,
                            6,
                            c.stroke_width(1),
                        ))
                        .map_err(err)?;
                    if saturated < NAMED_LIMITS {
                        let label =
                            format!("{} {region} limit {}/s, reached", app.name, human(limit));
                        chart
                            .draw_series(std::iter::once(Text::new(
                                label,
                                (x.0 + (x.1 - x.0) * 0.55, limit + rate_top * 0.015),
                                (FONT, 16).into_font().color(&c),
                            )))
                            .map_err(err)?;
                    }
                    saturated += 1;
                }
            }
        }
        let wait_caption = wait_caption(self.run, &drawn);
        let wait_top = y_max(&waits, 1.0 / 60.0, 1.0);
        let wait_fmt = |v: &f64| wait_label(*v, wait_top);
        let mut chart = self.chart(&panels[1], &wait_caption, "minutes", x, wait_top, &wait_fmt)?;
        for &(c, _, app) in &drawn {
            if let Some(points) = self.run.series.get(&app.name, "all", "queue_wait") {
                draw_median_with_bands(&mut chart, points, c, 1.0 / 60.0, false)?;
            }
        }
        let mut entries = app_legend(self.run, "median run");
        entries.push(LegendEntry {
            label: "capacity (all regions)".into(),
            colour: RGBColor(90, 90, 90),
            kind: LegendKind::Dashed,
        });
        if saturated > 0 {
            let label = if saturated == 1 {
                "thin: a region at its limit".to_string()
            } else {
                format!("thin: {saturated} regions at their limits")
            };
            entries.push(LegendEntry {
                label,
                colour: RGBColor(90, 90, 90),
                kind: LegendKind::Faint,
            });
        }
        for &(c, _, app) in &drawn {
            let cap = match (app.capacity_per_second, app.capacity_is_regional) {
                (None, _) => "unlimited".to_string(),
                (Some(c), false) => format!("{}/s", human(c)),
                (Some(c), true) => format!("{}/s (regional sum)", human(c)),
            };
            entries.push(LegendEntry {
                label: format!("{}: {cap}", app.name),
                colour: c,
                kind: LegendKind::Dashed,
            });
        }
        draw_legend(&legend, "Apps", &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::wait_label;

    #[test]
    fn wait_ticks_differ_on_short_charts() {
        let ticks = |top: f64, step: f64| -> Vec<String> {
            (0..=((top / step) as usize))
                .map(|i| wait_label(i as f64 * step, top))
                .collect()
        };
        for (top, step) in [(4.5, 0.5), (1.2, 0.1), (8.0, 1.0), (45.0, 5.0), (9.9, 0.2)] {
            let t = ticks(top, step);
            let mut unique = t.clone();
            unique.dedup();
            assert_eq!(t, unique, "top {top}, step {step}");
        }
    }
}
