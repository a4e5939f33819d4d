//! A scenario in plain words for the report page: what fails, where, when and for how long,
//! and which apps the users may go to.

use crate::report::summary::{EventInfo, Summary};
use crate::scenario::{EventKind, Scenario};

/// "a, b and c".
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn hours(h: f64) -> String {
    if (h - h.round()).abs() < 1e-9 {
        format!("{h:.0} hours")
    } else {
        format!("{h:.1} hours")
    }
}

fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%A %Y-%m-%d %H:%M UTC").to_string()
}

/// Where an event strikes: every region, or the regions it fails in and how badly.
fn place(scenario: &Scenario, severity: &[f64]) -> String {
    let hit: Vec<(String, f64)> = scenario
        .regions
        .iter()
        .zip(severity)
        .filter(|(_, s)| **s > 0.0)
        .map(|(r, s)| (r.name.clone(), *s))
        .collect();
    let full = hit.iter().all(|(_, s)| (*s - 1.0).abs() < 1e-9);
    if hit.len() == scenario.regions.len() && full {
        return format!("in all {} regions", scenario.regions.len());
    }
    let named: Vec<String> = hit
        .iter()
        .map(|(r, s)| {
            if (*s - 1.0).abs() < 1e-9 {
                r.clone()
            } else {
                format!("{r} ({:.0}% of attempts fail)", s * 100.0)
            }
        })
        .collect();
    format!("in {}", list(&named))
}

fn event_sentence(scenario: &Scenario, e: &crate::scenario::Event) -> String {
    let services = list(&e.services);
    match &e.kind {
        EventKind::Outage {
            duration_hours,
            announced,
            warning_hours,
            uncertain_start_hours,
            expected_hours,
            fallback_share,
        } => {
            let mut s = format!(
                "{} {services} goes down {} from {} for {}",
                if *announced {
                    "An announced block:"
                } else {
                    "An outage:"
                },
                place(scenario, &e.severity),
                when(&e.start),
                hours(*duration_hours)
            );
            if *announced && *warning_hours > 0.0 {
                s.push_str(&format!(
                    ", announced {} before it began",
                    hours(*warning_hours)
                ));
            }
            if let Some(expected) = expected_hours {
                s.push_str(&format!(", announced as lasting {}", hours(*expected)));
            }
            if *uncertain_start_hours > 0.0 {
                s.push_str(&format!(
                    " (expected any time in the {} before it)",
                    hours(*uncertain_start_hours)
                ));
            }
            if *fallback_share > 0.0 {
                s.push_str(&format!(
                    "; {:.0}% of its users reach their contacts on a service of the same family that stays up",
                    fallback_share * 100.0
                ));
            }
            s.push('.');
            s
        }
        EventKind::TrustShock {
            wanting_to_move, ..
        } => format!(
            "A trust shock: from {}, {:.0}% of {services}'s users want to move, pushed by the news as its coverage index rises and fades.",
            when(&e.start),
            wanting_to_move * 100.0
        ),
    }
}

/// The scenario in a few sentences, from its validated form.
pub fn describe(scenario: &Scenario) -> Vec<String> {
    let mut out = vec![event_sentence(scenario, &scenario.event)];
    for e in &scenario.more_events {
        out.push(format!("Then: {}", event_sentence(scenario, e)));
    }
    for o in &scenario.app_outages {
        out.push(format!(
            "Then {} itself goes down ({:.0}% of its service) from {} for {}: its sign-ups stop and would-be users wait, give up or choose again.",
            scenario.apps[o.app].name,
            o.severity * 100.0,
            when(&o.start),
            hours(o.duration_hours)
        ));
    }
    let users: u64 = scenario.regions.iter().map(|r| r.users).sum();
    let apps: Vec<String> = scenario.apps.iter().map(|a| a.name.clone()).collect();
    out.push(format!(
        "The simulation follows {} users of {} in {} regions for {} and counts who arrives at {}, whether the sign-up servers keep up, and who stays.",
        crate::report::format::human(users as f64),
        list(&scenario.event.services),
        scenario.regions.len(),
        hours(scenario.timeline.steps as f64 * scenario.timeline.step_hours),
        list(&apps)
    ));
    out
}

fn info_sentence(e: &EventInfo) -> String {
    match e.duration_hours {
        Some(d) => format!(
            "An outage of {} from {} for {}.",
            list(&e.services),
            e.start,
            hours(d)
        ),
        None => format!("A trust shock on {} from {}.", list(&e.services), e.start),
    }
}

/// The same from what summary.json records, when the scenario file is gone or has changed.
pub fn describe_summary(summary: &Summary) -> Vec<String> {
    let mut out = vec![info_sentence(&summary.event)];
    out.extend(
        summary
            .more_events
            .iter()
            .map(|e| format!("Then: {}", info_sentence(e))),
    );
    let apps: Vec<String> = summary.apps.iter().map(|a| a.name.clone()).collect();
    out.push(format!(
        "Users in {} regions ({}) may go to {}.",
        summary.regions.len(),
        list(&summary.regions),
        list(&apps)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::{describe, list};
    use std::path::Path;

    #[test]
    fn a_threat_says_the_length_announced_and_the_window_it_was_feared_in() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brazil-threat-2015-02.toml");
        let s = crate::scenario::load_scenario(&path, None).unwrap();
        let text = describe(&s).join(" ");
        assert!(
            text.contains("announced 20 hours before it began"),
            "{text}"
        );
        assert!(text.contains("announced as lasting 48 hours"), "{text}");
        assert!(
            text.contains("(expected any time in the 20 hours before it)"),
            "{text}"
        );
    }

    #[test]
    fn lists_read_as_english() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(list(&s(&[])), "");
        assert_eq!(list(&s(&["a"])), "a");
        assert_eq!(list(&s(&["a", "b", "c"])), "a, b and c");
    }
}
