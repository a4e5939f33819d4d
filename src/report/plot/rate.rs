//! `rate`: registrations per second per app against its sign-up capacity, and the wait of a
//! new sign-up, so a planner sees when and for how long the servers saturate.

use super::Figure;
use super::adoption::{app_legend, draw_single_runs, drawn_apps, x_range};
use super::style::{
    Chart, FONT, LEGEND_WIDTH, LegendEntry, LegendKind, TimeAxis, TimeChart, colour, draw_legend,
    draw_median_with_bands, err, fit_text, shade_events, split_legend, time_chart, y_max,
};
use crate::report::format::human;
use crate::report::readings::{PeakReading, ReachedLimit, peak_reading, reached_limits};
use crate::report::series::{SavedRun, SeriesPoint};
use crate::report::summary::AppInfo;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct Rate<'a> {
    pub run: &'a SavedRun,
}

/// The hours in which the median run's rates and waits move: from 2 h before the event (or
/// before the first median above zero, if earlier) to a quarter past the last output point at
/// which a median rate is above 2% of its peak or a median wait above zero (at least 2 h more).
/// The 95th percentile would stretch the axis over a long thin tail, and the answer (the peak,
/// the wait) sits in the medians; a 60-hour axis squeezed it into its first tenth.
fn active_window(rates: &[&[SeriesPoint]], waits: &[&[SeriesPoint]]) -> (f64, f64) {
    let (first, last) = x_range(rates);
    let moving = |s: &&[SeriesPoint]| {
        let peak = s.iter().map(|p| p.p50).fold(0.0, f64::max);
        s.iter()
            .filter(move |p| peak > 0.0 && p.p50 > 0.02 * peak)
            .map(|p| p.hours)
            .collect::<Vec<_>>()
    };
    let busy: Vec<f64> = rates
        .iter()
        .flat_map(moving)
        .chain(
            waits
                .iter()
                .flat_map(|s| s.iter().filter(|p| p.p50 > 0.0).map(|p| p.hours)),
        )
        .collect();
    let from = busy.iter().fold(-2.0f64, |a, &h| a.min(h - 1.0)).max(first);
    let Some(until) = busy.iter().copied().reduce(f64::max) else {
        return ((-2.0f64).max(first), last);
    };
    let to = (until + ((until - from) * 0.25).max(2.0)).min(last);
    if to > from { (from, to) } else { (first, last) }
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
        // (colour, app) for every app drawn; the legend counts the rest.
        let drawn: Vec<_> = drawn_apps(self.run)
            .into_iter()
            .enumerate()
            .map(|(k, i)| (colour(k), i, &s.apps[i]))
            .collect();
        let series_of = |metric: &str| -> Vec<&[SeriesPoint]> {
            drawn
                .iter()
                .filter_map(|(_, _, a)| self.run.series.get(&a.name, "all", metric))
                .collect()
        };
        let rates = series_of("registration_rate");
        let demand = series_of("attempt_rate");
        let waits = series_of("queue_wait");
        let x = active_window(&rates, &waits);
        // The answer first, in words, above the charts (the report page says the same).
        // A panel per reached regional limit (up to three) between the rates and the waits,
        // on its own scale: a 35/s limit under a 2,000/s capacity is a line on the zero axis.
        let reached = reached_limits(self.run);
        let answer = answer_lines(self.run, &drawn, &reached);
        let answer_px = 14 + 26 * answer.len() as u32;
        let (answer_area, charts) = charts.split_vertically(answer_px);
        draw_answer(&answer_area, &answer)?;
        let height = charts.dim_in_pixel().1;
        let (rate_area, rest) = charts.split_vertically(if reached.is_empty() {
            height * 55 / 100
        } else {
            height * 42 / 100
        });
        let (limit_area, wait_area) = if reached.is_empty() {
            (None, rest)
        } else {
            let (l, w) = rest.split_vertically(height * 27 / 100);
            (Some(l), w)
        };
        // The demand's median counts too: where a limit binds it runs above every served run.
        let rate_top = y_max(&rates, 1.0, 1.0).max(median_max(&demand) * 1.08);
        let rate_fmt = |v: &f64| format!("{}/s", human(*v));
        let mut chart = self.chart(
            &rate_area,
            "Registrations per second, all regions (thin dashes: demand; dashed: capacity)",
            "per second",
            x,
            rate_top,
            &rate_fmt,
        )?;
        let mut above = Vec::new();
        for &(c, i, app) in &drawn {
            draw_single_runs(&mut chart, self.run, i, c, "registration_rate")?;
            if let Some(points) = self.run.series.get(&app.name, "all", "registration_rate") {
                draw_median_with_bands(&mut chart, points, c, 1.0, false)?;
            }
            if let Some(points) = self.run.series.get(&app.name, "all", "attempt_rate") {
                draw_demand(&mut chart, points, c)?;
            }
            super::observed::draw_rates(&mut chart, self.run, &app.name, c)?;
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
                // Far above the data: stated as text instead of squashing the curves.
                Some(cap) => above.push((c, format!("{} {}/s", app.name, human(cap)))),
                None => {}
            }
        }
        if !above.is_empty() {
            let plot = chart.plotting_area().strip_coord_spec();
            let mut y = 8;
            let x_px = plot.dim_in_pixel().0.saturating_sub(330) as i32;
            plot.draw(&Text::new(
                "capacity, far above the curves:".to_string(),
                (x_px, y),
                (FONT, 17).into_font().color(&RGBColor(60, 60, 60)),
            ))
            .map_err(err)?;
            for (c, label) in above {
                y += 22;
                plot.draw(&Text::new(
                    label,
                    (x_px + 12, y),
                    (FONT, 17).into_font().color(&c),
                ))
                .map_err(err)?;
            }
        }
        if let Some(area) = &limit_area {
            self.draw_limits(area, &reached, &drawn, x)?;
        }
        let wait_caption = wait_caption(self.run, &drawn);
        let wait_top = y_max(&waits, 1.0 / 60.0, 1.0);
        let wait_fmt = |v: &f64| wait_label(*v, wait_top);
        let mut chart = self.chart(&wait_area, &wait_caption, "minutes", x, wait_top, &wait_fmt)?;
        for &(c, _, app) in &drawn {
            if let Some(points) = self.run.series.get(&app.name, "all", "queue_wait") {
                draw_median_with_bands(&mut chart, points, c, 1.0 / 60.0, false)?;
            }
        }
        let mut entries = app_legend(self.run, "median run");
        entries.push(LegendEntry {
            label: "demand: attempts/s, median run".into(),
            colour: RGBColor(90, 90, 90),
            kind: LegendKind::Faint,
        });
        entries.push(LegendEntry {
            label: "capacity".into(),
            colour: RGBColor(90, 90, 90),
            kind: LegendKind::Dashed,
        });
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
        if reached.len() > LIMIT_PANELS {
            entries.push(LegendEntry {
                label: format!(
                    "{} more regional limits reached (report.html)",
                    reached.len() - LIMIT_PANELS
                ),
                colour: BLACK,
                kind: LegendKind::Note,
            });
        }
        draw_legend(&legend, "Apps", &entries)
    }
}

/// The largest median of some series.
fn median_max(series: &[&[SeriesPoint]]) -> f64 {
    series
        .iter()
        .flat_map(|s| s.iter())
        .map(|p| p.p50)
        .fold(0.0, f64::max)
}

/// The demand (sign-up attempts per second) of the median run as thin dashes of the app's
/// colour: above the served curve wherever a limit holds sign-ups back, on it elsewhere.
fn draw_demand<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    points: &[SeriesPoint],
    c: RGBColor,
) -> Result<(), String> {
    chart
        .draw_series(DashedLineSeries::new(
            points.iter().map(|p| (p.hours, p.p50)),
            5,
            4,
            c.stroke_width(1),
        ))
        .map_err(err)?;
    Ok(())
}

/// At most this many reached regional limits get a panel of their own.
const LIMIT_PANELS: usize = 3;

impl Rate<'_> {
    /// One panel per reached regional limit: the region's median and bands against its limit.
    fn draw_limits<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        reached: &[ReachedLimit],
        drawn: &[(RGBColor, usize, &AppInfo)],
        x: (f64, f64),
    ) -> Result<(), String> {
        let shown = &reached[..reached.len().min(LIMIT_PANELS)];
        let panels = area.split_evenly((1, shown.len()));
        for (limit, panel) in shown.iter().zip(&panels) {
            let Some(points) = self
                .run
                .series
                .get(&limit.app, &limit.region, "registration_rate")
            else {
                continue;
            };
            let c = drawn
                .iter()
                .find(|(_, _, a)| a.name == limit.app)
                .map_or(RGBColor(90, 90, 90), |d| d.0);
            let demand = self
                .run
                .series
                .get(&limit.app, &limit.region, "attempt_rate");
            let top = y_max(&[points], 1.0, 1.0)
                .max(limit.limit_per_second * 1.25)
                .max(demand.map_or(0.0, |d| median_max(&[d]) * 1.08));
            let rate_fmt = |v: &f64| format!("{}/s", human(*v));
            let caption = format!(
                "{} in {}: limit {}/s reached",
                limit.app,
                limit.region,
                human(limit.limit_per_second)
            );
            let mut chart = self.chart(panel, &caption, "per second", x, top, &rate_fmt)?;
            draw_median_with_bands(&mut chart, points, c, 1.0, false)?;
            if let Some(d) = demand {
                draw_demand(&mut chart, d, c)?;
            }
            chart
                .draw_series(DashedLineSeries::new(
                    [(x.0, limit.limit_per_second), (x.1, limit.limit_per_second)],
                    10,
                    6,
                    BLACK.stroke_width(2),
                ))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// The plot's answer in words: the peak of the apps with the highest peaks (two at most), the
/// longest wait, and the regional limit reached longest.
fn answer_lines(
    run: &SavedRun,
    drawn: &[(RGBColor, usize, &AppInfo)],
    reached: &[ReachedLimit],
) -> Vec<(RGBColor, String)> {
    let mut readings: Vec<(RGBColor, PeakReading)> = drawn
        .iter()
        .filter_map(|(c, _, a)| Some((*c, peak_reading(run, &a.name)?)))
        .collect();
    readings.sort_by(|a, b| b.1.peak_rate.median.total_cmp(&a.1.peak_rate.median));
    let mut lines: Vec<(RGBColor, String)> = readings
        .iter()
        .take(2)
        .map(|(c, r)| (*c, r.peak_sentence()))
        .collect();
    if let Some((c, r)) = readings
        .iter()
        .filter(|(_, r)| r.longest_wait.is_some())
        .max_by(|a, b| {
            let w = |r: &PeakReading| r.longest_wait.map_or(0.0, |w| w.median);
            w(&a.1).total_cmp(&w(&b.1))
        })
    {
        lines.push((*c, r.wait_sentence()));
    }
    if let Some(first) = crate::report::readings::first_limit_line(&run.summary) {
        lines.push((BLACK, first));
    } else if let Some(limit) = reached.first() {
        lines.push((BLACK, limit.sentence(run)));
    }
    lines
}

fn draw_answer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[(RGBColor, String)],
) -> Result<(), String> {
    let font = (FONT, 20).into_font();
    let room = area.dim_in_pixel().0.saturating_sub(40);
    for (i, (c, line)) in lines.iter().enumerate() {
        let text = fit_text(area, line, &font, room);
        area.draw(&Text::new(text, (20, 6 + 26 * i as i32), font.color(c)))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{SeriesPoint, active_window, wait_label};

    /// The shipped 2021-10-04 rate plot spanned 60 h while every median moved in the first 10.
    #[test]
    fn the_rate_window_spans_where_the_medians_move() {
        let point = |h: f64| {
            let m = if (0.0..10.0).contains(&h) {
                100.0 * (10.0 - h)
            } else {
                0.0
            };
            SeriesPoint {
                hours: h,
                time_utc: String::new(),
                mean: m,
                p05: 0.0,
                p25: m,
                p50: m,
                p75: m,
                // A long thin tail in the 95th percentile must not stretch the axis.
                p95: m + if h > 0.0 { 5.0 } else { 0.0 },
            }
        };
        let rates: Vec<SeriesPoint> = (-40..=60).map(|h| point(f64::from(h))).collect();
        let waits: Vec<SeriesPoint> = (-40..=60).map(|h| point(f64::from(h) + 100.0)).collect();
        let (from, to) = active_window(&[&rates], &[&waits]);
        assert_eq!(from, -2.0, "two hours before the event");
        assert!((10.0..16.0).contains(&to), "ends at {to}");
    }

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
