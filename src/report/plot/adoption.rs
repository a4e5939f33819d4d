//! `adoption`: cumulative new registrations and reactivated dormant accounts per app, median
//! with 50% and 90% bands, a few individual runs behind them, the outage shaded.

use super::Figure;
use super::style::{
    Chart, LEGEND_WIDTH, LegendEntry, LegendKind, OUTAGE, TimeAxis, TimeChart, colour, draw_legend,
    draw_median_with_bands, err, further_event_label, most_drawn, outage_label, shade_events,
    split_legend, time_chart, y_max,
};
use crate::report::format::human;
use crate::report::series::SavedRun;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct Adoption<'a> {
    pub run: &'a SavedRun,
}

impl Adoption<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        metric: &str,
        caption: &str,
    ) -> Result<(), String> {
        let s = &self.run.summary;
        let axis = TimeAxis::new(&s.event.start);
        let drawn = drawn_apps(self.run);
        let series: Vec<_> = drawn
            .iter()
            .filter_map(|&i| self.run.series.get(&s.apps[i].name, "all", metric))
            .collect();
        // One time range for both panels: where either count moves.
        let both: Vec<_> = drawn
            .iter()
            .flat_map(|&i| {
                ["registrations", "reactivations"]
                    .into_iter()
                    .filter_map(move |m| self.run.series.get(&s.apps[i].name, "all", m))
            })
            .collect();
        let (x0, x1) = active_range(&both);
        let top = y_max(&series, 1.0, 10.0);
        let x_label = |h: &f64| axis.label(*h);
        let y_label = |v: &f64| human(*v);
        let mut chart = time_chart(
            area,
            &TimeChart {
                caption,
                caption_size: 26,
                x_desc: TimeAxis::DESCRIPTION,
                y_desc: "users (cumulative)",
                x: (x0, x1),
                top,
                x_label: &x_label,
                y_label: &y_label,
            },
        )?;
        shade_events(&mut chart, s, top, &axis)?;
        for (k, &i) in drawn.iter().enumerate() {
            draw_single_runs(&mut chart, self.run, i, colour(k), metric)?;
            if let Some(points) = self.run.series.get(&s.apps[i].name, "all", metric) {
                draw_median_with_bands(&mut chart, points, colour(k), 1.0, false)?;
            }
            super::observed::draw_cumulative(
                &mut chart,
                self.run,
                &s.apps[i].name,
                metric,
                colour(k),
            )?;
        }
        Ok(())
    }
}

/// The apps the run plots draw, and in what colour (the k-th drawn gets `colour(k)`): all of
/// them up to seven, else the seven with the most arrivals (median at the last point). The
/// adoption and rate plots choose alike, so an app has one colour in both.
pub fn drawn_apps(run: &SavedRun) -> Vec<usize> {
    let sizes: Vec<f64> = run
        .summary
        .apps
        .iter()
        .map(|a| {
            ["registrations", "reactivations"]
                .iter()
                .filter_map(|m| run.series.get(&a.name, "all", m)?.last().map(|p| p.p50))
                .sum()
        })
        .collect();
    most_drawn(&sizes)
}

/// The saved single runs of app `i` for `metric`, as faint lines in `colour`.
pub fn draw_single_runs<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    run: &SavedRun,
    i: usize,
    colour: RGBColor,
    metric: &str,
) -> Result<(), String> {
    let app = &run.summary.apps[i].name;
    for line in run
        .spaghetti
        .get(&(app.clone(), metric.to_string()))
        .into_iter()
        .flatten()
    {
        chart
            .draw_series(LineSeries::new(
                line.iter().copied(),
                colour.mix(0.35).stroke_width(1),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// The hours in which the cumulative curves move, with a margin: from 2 h before any run's
/// count first passes 0.5% of its final value to a quarter past the last point at which a
/// median is still below 99.5% of its final value (at least 4 h). Long flat stretches before
/// and after (a 40 h lead, a 72 h horizon) would squeeze the surge into a sliver.
pub fn active_range(series: &[&[crate::report::series::SeriesPoint]]) -> (f64, f64) {
    let (first, last) = x_range(series);
    let final_of = |s: &[crate::report::series::SeriesPoint]| s.last().map_or(0.0, |p| p.p95);
    let start = series
        .iter()
        .filter_map(|s| {
            let end = final_of(s);
            s.iter()
                .find(|p| end > 0.0 && p.p95 > 0.005 * end)
                .map(|p| p.hours)
        })
        .fold(f64::INFINITY, f64::min);
    let settled = series
        .iter()
        .filter_map(|s| {
            let end = s.last()?.p50;
            s.iter()
                .rev()
                .find(|p| p.p50 < 0.995 * end)
                .map(|p| p.hours)
        })
        .fold(f64::NEG_INFINITY, f64::max);
    if !start.is_finite() || !settled.is_finite() || settled <= start {
        return (first, last);
    }
    let from = (start - 2.0).max(first);
    let to = (settled + ((settled - from) * 0.25).max(4.0)).min(last);
    if to > from { (from, to) } else { (first, last) }
}

/// The hours covered by the series.
pub fn x_range(series: &[&[crate::report::series::SeriesPoint]]) -> (f64, f64) {
    let first = series
        .iter()
        .filter_map(|s| s.first())
        .map(|p| p.hours)
        .fold(f64::INFINITY, f64::min);
    let last = series
        .iter()
        .filter_map(|s| s.last())
        .map(|p| p.hours)
        .fold(f64::NEG_INFINITY, f64::max);
    if first.is_finite() && last > first {
        (first, last)
    } else {
        (0.0, 1.0)
    }
}

/// Legend entries shared by the run plots: one per drawn app (and how many were left out),
/// then what lines and bands mean.
pub fn app_legend(run: &SavedRun, first_line: &str) -> Vec<LegendEntry> {
    let drawn = drawn_apps(run);
    let mut entries: Vec<LegendEntry> = drawn
        .iter()
        .enumerate()
        .map(|(k, &i)| LegendEntry {
            label: run.summary.apps[i].name.clone(),
            colour: colour(k),
            kind: LegendKind::Line,
        })
        .collect();
    let left_out = run.summary.apps.len() - drawn.len();
    if left_out > 0 {
        entries.push(LegendEntry {
            label: format!("+{left_out} smaller apps, not drawn (see timeseries.csv)"),
            colour: BLACK,
            kind: LegendKind::Note,
        });
    }
    let grey = RGBColor(90, 90, 90);
    entries.push(LegendEntry {
        label: first_line.into(),
        colour: grey,
        kind: LegendKind::Line,
    });
    entries.push(LegendEntry {
        label: "50% of runs".into(),
        colour: grey,
        kind: LegendKind::Band,
    });
    entries.push(LegendEntry {
        label: "90% of runs".into(),
        colour: RGBColor(200, 200, 200),
        kind: LegendKind::Band,
    });
    let runs = run.spaghetti.values().next().map_or(0, Vec::len);
    if runs > 0 {
        entries.push(LegendEntry {
            label: format!("{runs} single runs"),
            colour: grey,
            kind: LegendKind::Faint,
        });
    }
    entries.extend(super::observed::legend(run));
    if let Some(d) = run.summary.event.duration_hours {
        entries.push(LegendEntry {
            label: outage_label(d, &TimeAxis::new(&run.summary.event.start)),
            colour: OUTAGE,
            kind: LegendKind::Band,
        });
    }
    for e in &run.summary.more_events {
        entries.push(LegendEntry {
            label: further_event_label(e),
            colour: OUTAGE,
            kind: LegendKind::Band,
        });
    }
    entries
}

impl Figure for Adoption<'_> {
    fn name(&self) -> String {
        "adoption".into()
    }
    fn title(&self) -> String {
        format!(
            "{}: who arrived on each alternative app",
            self.run.summary.scenario.name
        )
    }
    fn footer(&self) -> String {
        super::run_footer(self.run)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (charts, legend) = split_legend(root, LEGEND_WIDTH);
        let panels = charts.split_evenly((2, 1));
        self.panel(&panels[0], "registrations", "New accounts (registrations)")?;
        self.panel(
            &panels[1],
            "reactivations",
            "Dormant accounts back in use (reactivations)",
        )?;
        draw_legend(&legend, "Apps", &app_legend(self.run, "median run"))
    }
}
