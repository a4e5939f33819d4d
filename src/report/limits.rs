//! `limits.csv` and `summary.json`'s `limits`: for every sign-up limit of a run (an app's
//! servers, globally or per region, and its verification codes per region), the share of runs
//! that reach it, when they first do (the earliest 5% of runs, the median run, the latest 5%;
//! in hours since the event's start, in UTC and in the region's local time), how long it holds
//! and the longest wait behind it. Which limit breaks first is the row with the earliest
//! median first-reached time.

use crate::engine::MonteCarlo;
use crate::engine::limits::NEVER;
use crate::engine::record::Metric;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// One limit across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitRow {
    pub app: String,
    /// A region's name, or `all` for an app-wide limit.
    pub region: String,
    /// `servers` or `codes`.
    pub kind: String,
    pub per_second: f64,
    /// Share of runs that reach the limit at least once.
    pub share_of_runs: f64,
    /// Hours since the event's start at which the earliest 5%, the median and the latest 5% of
    /// runs first reach it (p05, p50, p95); None where fewer runs than that reach it.
    pub first_reached_hours: [Option<f64>; 3],
    /// The same times in UTC (ISO 8601).
    pub first_reached_utc: [Option<String>; 3],
    /// The region's UTC offset (hours), for local times; None for an app-wide limit.
    pub utc_offset_hours: Option<f64>,
    /// Hours at the limit: median and 95th percentile across runs.
    pub hours_at_limit: [f64; 2],
    /// Longest wait behind the limit, seconds: median and 95th percentile across runs.
    pub wait_max_seconds: [f64; 2],
}

impl LimitRow {
    /// The UTC clock (`HH:MM`) at which quantile `i` (0: p05, 1: p50, 2: p95) of runs first
    /// reaches the limit, if that many do.
    pub fn clock(&self, i: usize) -> Option<&str> {
        self.first_reached_utc[i]
            .as_deref()
            .and_then(|t| t.get(11..16))
    }

    /// The same time in the region's local time (None for an app-wide limit).
    pub fn local_time(&self, i: usize) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let t = chrono::DateTime::parse_from_rfc3339(self.first_reached_utc[i].as_deref()?).ok()?;
        let offset = self.utc_offset_hours?;
        Some(t + chrono::TimeDelta::seconds((offset * 3600.0).round() as i64))
    }
}

/// The limits' rows of a Monte Carlo result, in `limits_of` order.
pub fn limit_rows(scenario: &Scenario, mc: &MonteCarlo) -> Vec<LimitRow> {
    let limits = crate::engine::limits::limits_of(scenario);
    let mut rows = Vec::with_capacity(limits.len());
    for (j, limit) in limits.iter().enumerate() {
        let figure = |metric: Metric| {
            mc.specs
                .iter()
                .position(|s| s.metric == metric && s.limit.as_ref().is_some_and(|(i, _)| *i == j))
                .map(|i| mc.summaries.headline(i))
        };
        let (Some(reached), Some(first), Some(hours), Some(wait)) = (
            figure(Metric::LimitReached),
            figure(Metric::LimitFirstHours),
            figure(Metric::HoursAtLimit),
            figure(Metric::LimitWait),
        ) else {
            continue;
        };
        let start = scenario.event.start;
        // Whole minutes: the quantile sketch's 0.012% would otherwise show as stray seconds.
        let when = |h: f64| (h < NEVER / 2.0).then_some((h * 60.0).round() / 60.0);
        let hours_at = [first.p05, first.p50, first.p95].map(when);
        let utc = hours_at.map(|h| {
            h.map(|h| {
                (start + chrono::TimeDelta::seconds((h * 3600.0).round() as i64))
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            })
        });
        rows.push(LimitRow {
            app: scenario.apps[limit.app].name.clone(),
            region: limit
                .region
                .map_or("all".to_string(), |r| scenario.regions[r].name.clone()),
            kind: limit.kind.name().to_string(),
            per_second: limit.per_second,
            share_of_runs: reached.mean,
            first_reached_hours: hours_at,
            first_reached_utc: utc,
            utc_offset_hours: limit.region.map(|r| scenario.regions[r].utc_offset_hours),
            hours_at_limit: [hours.p50, hours.p95],
            wait_max_seconds: [wait.p50, wait.p95],
        });
    }
    rows
}

/// `limits.csv`: one row per limit, earliest median first-reached time first (limits never
/// reached by the median run after, by share of runs reaching them).
pub fn limits_csv(rows: &[LimitRow]) -> Result<Vec<u8>, csv::Error> {
    let mut sorted: Vec<&LimitRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        let key = |r: &LimitRow| r.first_reached_hours[1].unwrap_or(f64::INFINITY);
        key(a)
            .total_cmp(&key(b))
            .then(b.share_of_runs.total_cmp(&a.share_of_runs))
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "app",
        "region",
        "kind",
        "limit_per_second",
        "share_of_runs",
        "first_reached_p05_utc",
        "first_reached_p50_utc",
        "first_reached_p95_utc",
        "first_reached_p50_local",
        "first_reached_p05_hours",
        "first_reached_p50_hours",
        "first_reached_p95_hours",
        "hours_at_limit_p50",
        "hours_at_limit_p95",
        "wait_max_p50_seconds",
        "wait_max_p95_seconds",
    ])?;
    let num = |v: f64| format!("{}", (v * 1000.0).round() / 1000.0);
    for r in sorted {
        let utc = |i: usize| r.first_reached_utc[i].clone().unwrap_or_default();
        let hours = |i: usize| r.first_reached_hours[i].map(num).unwrap_or_default();
        let local_p50 = r
            .local_time(1)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        w.write_record([
            r.app.clone(),
            r.region.clone(),
            r.kind.clone(),
            num(r.per_second),
            num(r.share_of_runs),
            utc(0),
            utc(1),
            utc(2),
            local_p50,
            hours(0),
            hours(1),
            hours(2),
            num(r.hours_at_limit[0]),
            num(r.hours_at_limit[1]),
            num(r.wait_max_seconds[0]),
            num(r.wait_max_seconds[1]),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
