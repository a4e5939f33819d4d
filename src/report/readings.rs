//! One-line readings of a run's saved results ("peak sign-ups 253/s, 90% of runs between 129/s
//! and 770/s; the median run peaks at 19:40 UTC, 21:40 in europe"), so that the rate plot and
//! the report page state their answer in the same words from the same numbers.

use super::format::{duration, human};
use super::series::{SavedRun, SeriesPoint};
use super::summary::HeadlineRow;

/// A headline figure across runs: its median and 90% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
}

impl From<&HeadlineRow> for Spread {
    fn from(h: &HeadlineRow) -> Self {
        Spread {
            median: h.p50,
            p05: h.p05,
            p95: h.p95,
        }
    }
}

/// A regional sign-up limit that the median run reaches (at least 95% of the limit at some
/// output point).
#[derive(Debug, Clone, PartialEq)]
pub struct ReachedLimit {
    pub app: String,
    pub region: String,
    pub limit_per_second: f64,
    /// First and last output points at which the median run is at the limit (hours since the
    /// event began).
    pub from_hours: f64,
    pub to_hours: f64,
}

/// The answer a planner reads off the rate plot for one app.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakReading {
    pub app: String,
    /// Each run's highest sign-up rate (per second), across runs.
    pub peak_rate: Spread,
    /// When the median run's rate (region `all`) is highest, in hours since the event began.
    pub median_peak_hours: f64,
    /// That moment as "19:40 UTC", and in the local time of the region signing up most then
    /// ("21:40 in europe") when the results carry the regions' UTC offsets.
    pub median_peak_utc: String,
    pub median_peak_local: Option<String>,
    /// Each run's longest wait of a new sign-up (seconds), across runs; None when no run queued.
    pub longest_wait: Option<Spread>,
    /// The region where the median run waits longest, if it waits at all.
    pub wait_region: Option<String>,
}

/// "19:40" at `hours` after the event's start shifted by `offset` hours.
fn clock(run: &SavedRun, hours: f64, offset: f64) -> Option<String> {
    let t = super::plot::style::parse_time(&run.summary.event.start)?
        + chrono::Duration::seconds(((hours + offset) * 3600.0).round() as i64);
    Some(t.format("%H:%M").to_string())
}

/// The output point at which the median is highest (the first of equals).
fn median_peak(points: &[SeriesPoint]) -> Option<&SeriesPoint> {
    points
        .iter()
        .fold(None, |best: Option<&SeriesPoint>, p| match best {
            Some(b) if b.p50 >= p.p50 => Some(b),
            _ => Some(p),
        })
}

/// The reading for `app`, or None when the results hold no sign-up rate for it.
pub fn peak_reading(run: &SavedRun, app: &str) -> Option<PeakReading> {
    let s = &run.summary;
    let rate_row = s
        .headline
        .iter()
        .find(|h| h.app == app && h.metric == "registration_rate")?;
    let points = run.series.get(app, "all", "registration_rate")?;
    let peak = median_peak(points)?;
    let at = peak.hours;
    let busiest = s
        .regions
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let p = run
                .series
                .get(app, r, "registration_rate")?
                .iter()
                .find(|p| (p.hours - at).abs() < 1e-9)?;
            Some((i, p.p50))
        })
        .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        });
    let median_peak_local = busiest.and_then(|(i, v)| {
        let offset = *s.utc_offsets.get(i)?;
        (v > 0.0).then(|| clock(run, at, offset).map(|c| format!("{c} in {}", s.regions[i])))?
    });
    let wait_row = s
        .headline
        .iter()
        .find(|h| h.app == app && h.metric == "queue_wait")
        .filter(|h| h.p95 > 0.0);
    let wait_region = s
        .regions
        .iter()
        .filter_map(|r| {
            let longest = run
                .series
                .get(app, r, "queue_wait")?
                .iter()
                .map(|p| p.p50)
                .fold(0.0, f64::max);
            (longest > 0.0).then(|| (longest, r.clone()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r);
    Some(PeakReading {
        app: app.to_string(),
        peak_rate: rate_row.into(),
        median_peak_hours: at,
        median_peak_utc: format!(
            "{} UTC",
            clock(run, at, 0.0).unwrap_or_else(|| format!("{at:+.1} h"))
        ),
        median_peak_local,
        longest_wait: wait_row.map(Spread::from),
        wait_region,
    })
}

fn rate(v: f64) -> String {
    format!("{}/s", human(v))
}

impl PeakReading {
    /// "telegram: peak sign-ups 253/s, 90% of runs between 129/s and 770/s; the median run
    /// peaks at 19:40 UTC (21:40 in europe)".
    pub fn peak_sentence(&self) -> String {
        let r = &self.peak_rate;
        let local = self
            .median_peak_local
            .as_ref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        format!(
            "{}: peak sign-ups {}, 90% of runs between {} and {}; the median run peaks at {}{local}",
            self.app,
            rate(r.median),
            rate(r.p05),
            rate(r.p95),
            self.median_peak_utc
        )
    }

    /// "longest wait 21.5 min (telegram in latin_america), 90% of runs between 1.5 min and
    /// 2.7 h", or "no sign-up waits".
    pub fn wait_sentence(&self) -> String {
        match &self.longest_wait {
            None => format!("{}: no sign-up waits in any run", self.app),
            Some(w) => {
                let place = self
                    .wait_region
                    .as_ref()
                    .map(|r| format!(" (worst in {r})"))
                    .unwrap_or_default();
                format!(
                    "{}: longest wait {}{place}, 90% of runs between {} and {}",
                    self.app,
                    duration(w.median),
                    duration(w.p05),
                    duration(w.p95)
                )
            }
        }
    }
}

/// The regional limits the median run reaches, longest at the limit first.
pub fn reached_limits(run: &SavedRun) -> Vec<ReachedLimit> {
    let s = &run.summary;
    let mut reached: Vec<ReachedLimit> = s
        .apps
        .iter()
        .flat_map(|app| {
            s.regions
                .iter()
                .zip(&app.regional_capacity)
                .filter_map(|(region, &limit)| {
                    let points = run.series.get(&app.name, region, "registration_rate")?;
                    let at: Vec<f64> = points
                        .iter()
                        .filter(|p| limit > 0.0 && p.p50 >= 0.95 * limit)
                        .map(|p| p.hours)
                        .collect();
                    Some(ReachedLimit {
                        app: app.name.clone(),
                        region: region.clone(),
                        limit_per_second: limit,
                        from_hours: *at.first()?,
                        to_hours: *at.last()?,
                    })
                })
        })
        .collect();
    reached.sort_by(|a, b| {
        (b.to_hours - b.from_hours)
            .total_cmp(&(a.to_hours - a.from_hours))
            .then_with(|| a.app.cmp(&b.app))
            .then_with(|| a.region.cmp(&b.region))
    });
    reached
}

/// Which sign-up limit breaks first, from the runs themselves (`summary.json`'s `limits`): the
/// one the median run reaches earliest, else the one most runs reach. "telegram's servers in
/// latin_america (35/s) break first: reached in 97% of runs, the median run at 17:57 UTC (13:57
/// local), 2.3 h after the event began; the earliest 5% of runs by 16:49 UTC". None when no run
/// reaches any limit.
pub fn first_limit_sentence(summary: &crate::report::Summary) -> Option<String> {
    first_limit(summary, false)
}

/// The same, short enough for a plot's answer line: "first to break: telegram's servers in
/// latin_america (35/s), in 97% of runs; the median run at 17:57 UTC, the earliest 5% by 16:49".
pub fn first_limit_line(summary: &crate::report::Summary) -> Option<String> {
    first_limit(summary, true)
}

fn first_limit(summary: &crate::report::Summary, short: bool) -> Option<String> {
    let limit = summary
        .limits
        .iter()
        .filter(|l| l.first_reached_hours[1].is_some())
        .min_by(|a, b| {
            a.first_reached_hours[1]
                .unwrap_or(0.0)
                .total_cmp(&b.first_reached_hours[1].unwrap_or(0.0))
        })
        .or_else(|| {
            summary
                .limits
                .iter()
                .filter(|l| l.share_of_runs > 0.0)
                .max_by(|a, b| a.share_of_runs.total_cmp(&b.share_of_runs))
        })?;
    let place = if limit.region == "all" {
        "in all regions".to_string()
    } else {
        format!("in {}", limit.region)
    };
    let local = limit
        .local_time(1)
        .map(|t| format!(" ({} local)", t.format("%H:%M")))
        .unwrap_or_default();
    let share = format!("{:.0}%", 100.0 * limit.share_of_runs);
    if short {
        let mut out = format!(
            "first to break: {}'s {} {place} ({}), in {share} of runs",
            limit.app,
            limit.kind,
            rate(limit.per_second)
        );
        if let Some(t) = limit.clock(1) {
            out.push_str(&format!("; the median run at {t} UTC"));
        }
        if let Some(t) = limit.clock(0) {
            out.push_str(&format!(", the earliest 5% by {t}"));
        }
        return Some(out);
    }
    let mut out = format!(
        "{}'s {} {place} ({}) break first: reached in {share} of runs",
        limit.app,
        limit.kind,
        rate(limit.per_second)
    );
    match (limit.clock(1), limit.first_reached_hours[1]) {
        (Some(t), Some(h)) => out.push_str(&format!(
            ", the median run at {t} UTC{local}, {h:.1} h after the event began"
        )),
        _ => out.push_str(", fewer than half of them"),
    }
    if let Some(t) = limit.clock(0) {
        out.push_str(&format!("; the earliest 5% of runs by {t} UTC"));
    }
    Some(out)
}

impl ReachedLimit {
    /// "telegram in latin_america at its 35/s limit from 17:40 to 22:15 UTC (4.6 h)".
    pub fn sentence(&self, run: &SavedRun) -> String {
        let at = |h: f64| clock(run, h, 0.0).unwrap_or_else(|| format!("{h:+.1} h"));
        format!(
            "{} in {} at its {} limit from {} to {} UTC ({})",
            self.app,
            self.region,
            rate(self.limit_per_second),
            at(self.from_hours),
            at(self.to_hours),
            duration((self.to_hours - self.from_hours) * 3600.0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(hours: f64, p50: f64) -> SeriesPoint {
        SeriesPoint {
            hours,
            time_utc: String::new(),
            mean: p50,
            p05: p50 * 0.5,
            p25: p50,
            p50,
            p75: p50,
            p95: p50 * 2.0,
        }
    }

    #[test]
    fn the_median_peak_is_the_first_highest_point() {
        let points = [
            point(0.0, 1.0),
            point(1.0, 5.0),
            point(2.0, 5.0),
            point(3.0, 2.0),
        ];
        assert_eq!(median_peak(&points).unwrap().hours, 1.0);
        assert!(median_peak(&[]).is_none());
    }

    #[test]
    fn sentences_name_the_figures_and_their_interval() {
        let reading = PeakReading {
            app: "telegram".into(),
            peak_rate: Spread {
                median: 345.0,
                p05: 127.0,
                p95: 1020.0,
            },
            median_peak_hours: 3.0,
            median_peak_utc: "18:40 UTC".into(),
            median_peak_local: Some("20:40 in europe".into()),
            longest_wait: None,
            wait_region: None,
        };
        assert_eq!(
            reading.peak_sentence(),
            "telegram: peak sign-ups 345/s, 90% of runs between 127/s and 1.02k/s; the median run peaks at 18:40 UTC (20:40 in europe)"
        );
        assert_eq!(
            reading.wait_sentence(),
            "telegram: no sign-up waits in any run"
        );
        let waited = PeakReading {
            longest_wait: Some(Spread {
                median: 1290.0,
                p05: 90.0,
                p95: 9720.0,
            }),
            wait_region: Some("latin_america".into()),
            ..reading
        };
        assert_eq!(
            waited.wait_sentence(),
            "telegram: longest wait 21.5 min (worst in latin_america), 90% of runs between 1.5 min and 2.7 h"
        );
    }
}
