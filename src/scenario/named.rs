//! `[[event.named]]`: the apps an event's news tells people to use, checked against the
//! scenario's apps and horizon (docs/MODEL.md §5, "News that names apps").

use super::check::{Checker, plain};
use super::domain::{Coverage, NamedApp, Timeline};
use super::error::ValidationIssue;
use super::raw::RawNamed;
use chrono::{DateTime, Utc};

/// Validates the named apps: each an app of the scenario (named once), a share or a dated
/// series of shares in [0, 1] inside the simulated time, a source, and shares that sum to at
/// most 1 at every time.
pub(super) fn named_apps(
    c: &Checker,
    at: &str,
    raw: &[RawNamed],
    apps: &[&str],
    event_start: DateTime<Utc>,
    timeline: &Timeline,
) -> Result<Vec<NamedApp>, ValidationIssue> {
    let first = -timeline.hours_from_start(event_start);
    let last = first + timeline.steps as f64 * timeline.step_hours;
    let mut out: Vec<NamedApp> = Vec::with_capacity(raw.len());
    for (i, n) in raw.iter().enumerate() {
        let key = |k: &str| format!("{at}.named[{i}].{k}");
        let app = apps.iter().position(|a| *a == n.app).ok_or_else(|| {
            c.issue(
                &key("app"),
                format!(
                    "unknown app `{}`; expected one of the scenario's apps: {}",
                    n.app,
                    apps.join(", ")
                ),
            )
        })?;
        if out.iter().any(|o| o.app == app) {
            return Err(c.issue(
                &key("app"),
                format!("app `{}` is named twice; give it one entry", n.app),
            ));
        }
        if n.source.trim().is_empty() {
            return Err(c.issue(
                &key("source"),
                "expected who named the app, where and when (or \"assumed\" and why)",
            ));
        }
        let from = match &n.from {
            Some(t) => {
                let at = super::validate::parse_time(c, &key("from"), t)?;
                let hours = (at - event_start).num_seconds() as f64 / 3600.0;
                inside(c, &key("from"), hours, first, last)?;
                Some(hours)
            }
            None => None,
        };
        let share = match (n.share, &n.shares) {
            (Some(s), None) => {
                if n.every_hours.is_some() {
                    return Err(c.issue(
                        &key("every_hours"),
                        "only a dated series `shares` takes `every_hours`",
                    ));
                }
                Coverage {
                    first_hours: from.unwrap_or(first),
                    every_hours: 1.0,
                    index: vec![c.share(&key("share"), s)?],
                }
            }
            (None, Some(series)) => {
                let from = from.ok_or_else(|| {
                    c.issue(&key("shares"), "a dated series of shares needs `from`")
                })?;
                let every = n.every_hours.ok_or_else(|| {
                    c.issue(
                        &key("shares"),
                        "a dated series of shares needs `every_hours`",
                    )
                })?;
                let every = c.positive(&key("every_hours"), every)?;
                if series.is_empty() {
                    return Err(c.issue(&key("shares"), "expected at least 1 value"));
                }
                for (j, v) in series.iter().enumerate() {
                    c.share(&format!("{at}.named[{i}].shares[{j}]"), *v)?;
                }
                let end = from + (series.len() - 1) as f64 * every;
                if end > last + 1e-9 {
                    return Err(c.issue(
                        &key("shares"),
                        format!(
                            "the series must end inside the simulated time: its last point is {} h after the event's start, but the horizon ends {} h after it",
                            plain(end),
                            plain(last)
                        ),
                    ));
                }
                Coverage {
                    first_hours: from,
                    every_hours: every,
                    index: series.clone(),
                }
            }
            _ => {
                return Err(c.issue(
                    &format!("{at}.named[{i}]"),
                    "expected either `share` (one share) or `shares` with `from` and `every_hours` (a dated series)",
                ));
            }
        };
        let reach = match n.reach {
            Some(r) => c.share(&key("reach"), r)?,
            None => 0.0,
        };
        out.push(NamedApp {
            app,
            share,
            reach,
            source: n.source.clone(),
        });
    }
    // Each share is linear between its points, so their sum is largest at one of the points.
    for n in &out {
        for j in 0..n.share.index.len() {
            let tau = n.share.first_hours + j as f64 * n.share.every_hours;
            let sum: f64 = out.iter().map(|m| m.share.at(tau)).sum();
            if sum > 1.0 + 1e-9 {
                return Err(c.issue(
                    &format!("{at}.named"),
                    format!(
                        "expected shares that sum to at most 1 at every time, found {} at {} h after the event's start",
                        plain(sum),
                        plain(tau)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// `hours` (after the event's start) must lie inside the simulated time [`first`, `last`].
fn inside(
    c: &Checker,
    key: &str,
    hours: f64,
    first: f64,
    last: f64,
) -> Result<(), ValidationIssue> {
    if hours < first - 1e-9 || hours > last + 1e-9 {
        return Err(c.issue(
            key,
            format!(
                "expected a time inside the simulated time ({} h to {} h after the event's start), found {} h",
                plain(first),
                plain(last),
                plain(hours)
            ),
        ));
    }
    Ok(())
}
