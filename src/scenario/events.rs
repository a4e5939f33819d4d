//! `[[events]]`: the events after the first, each on the simulated users' own services (a
//! second outage, a trust shock, a block re-imposed) or on an alternative app (its own outage),
//! checked like `[event]` and placed inside the simulated time (docs/MODEL.md §4, "Several events").

use super::check::{Checker, plain};
use super::domain::{AppOutage, Event, Timeline};
use super::error::ValidationIssue;
use super::named::named_apps;
use super::raw::RawEvent;
use super::validate::{event, parse_time};

/// Validates every `[[events]]` entry: population events (services that are not apps) become
/// [`Event`]s, an outage of apps becomes one [`AppOutage`] per app, in file order.
pub(super) fn more_events(
    c: &Checker,
    raw: &[RawEvent],
    regions: &[&str],
    apps: &[&str],
    users_services: &[String],
    timeline: &Timeline,
) -> Result<(Vec<Event>, Vec<AppOutage>), ValidationIssue> {
    // The names an event may strike: the simulated users' own services (the first event's) and
    // the scenario's apps. Anything else is a typo, never a new service.
    let known: Vec<String> = users_services
        .iter()
        .cloned()
        .chain(apps.iter().map(|a| a.to_string()))
        .collect();
    let mut events = Vec::new();
    let mut outages = Vec::new();
    for (i, ev) in raw.iter().enumerate() {
        let at = format!("events[{i}]");
        let key = |k: &str| format!("{at}.{k}");
        if ev.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(c.issue(
                &key("source"),
                "expected where the event's facts come from (or \"assumed\" and why)",
            ));
        }
        if ev.services.is_empty() {
            return Err(c.issue(
                &key("services"),
                format!(
                    "expected the services the event strikes: the simulated users' services or apps of the scenario ({})",
                    apps.join(", ")
                ),
            ));
        }
        for (j, s) in ev.services.iter().enumerate() {
            if !known.contains(s) {
                let hint = super::locate::closest(s, &known)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(c.issue(
                    &format!("{at}.services[{j}]"),
                    format!(
                        "`{s}` is not a service of this scenario{hint}: expected the simulated users' services ({}) or an app ({})",
                        users_services.join(", "),
                        apps.join(", ")
                    ),
                ));
            }
        }
        let start = parse_time(c, &key("start"), &ev.start)?;
        let from_start = timeline.hours_from_start(start);
        let horizon = timeline.steps as f64 * timeline.step_hours;
        if !(0.0..horizon).contains(&from_start) {
            return Err(c.issue(
                &key("start"),
                format!(
                    "expected a start inside the simulated time ({} to {}), found {} h {} it",
                    timeline.start.format("%Y-%m-%dT%H:%M:%SZ"),
                    timeline
                        .time_at(timeline.steps)
                        .format("%Y-%m-%dT%H:%M:%SZ"),
                    plain(if from_start < 0.0 {
                        -from_start
                    } else {
                        from_start - horizon
                    }),
                    if from_start < 0.0 {
                        "before"
                    } else {
                        "after the end of"
                    }
                ),
            ));
        }
        let on_apps: Vec<usize> = ev
            .services
            .iter()
            .filter_map(|s| apps.iter().position(|a| a == s))
            .collect();
        if on_apps.is_empty() {
            let mut e = event(c, &at, ev, regions, timeline)?;
            e.named = named_apps(c, &at, &ev.named, apps, start, timeline)?;
            events.push(e);
        } else if on_apps.len() < ev.services.len() {
            return Err(c.issue(
                &key("services"),
                "expected either apps of the scenario (an app's own outage) or the simulated users' services, not both in one event",
            ));
        } else {
            let e = event(c, &at, ev, regions, timeline)?;
            let super::EventKind::Outage { duration_hours, .. } = e.kind else {
                return Err(c.issue(
                    &key("kind"),
                    "an event on an app is its outage: expected kind = \"outage\"",
                ));
            };
            let app_only = [
                ("severity_by_region", !ev.severity_by_region.is_empty()),
                ("announced", ev.announced.is_some()),
                ("announced_at", ev.announced_at.is_some()),
                ("may_start_from", ev.may_start_from.is_some()),
                ("expected_hours", ev.expected_hours.is_some()),
                ("fallback_share", ev.fallback_share.is_some()),
                ("named", !ev.named.is_empty()),
            ];
            if let Some((k, _)) = app_only.iter().find(|(_, set)| *set) {
                return Err(c.issue(
                    &key(k),
                    "an app's outage takes kind, services, start, duration_hours, severity and source only",
                ));
            }
            for app in on_apps {
                outages.push(AppOutage {
                    app,
                    start,
                    duration_hours,
                    severity: e.severity[0],
                });
            }
        }
    }
    Ok((events, outages))
}
