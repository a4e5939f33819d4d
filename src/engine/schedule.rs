//! The drivers of every step of a scenario (`model::drivers` applied to its events, regions and
//! timeline), computed once per scenario and parameter set and shared by the engines.

use crate::model::Behaviour;
use crate::model::drivers::{
    Announcement, Reach, Schedule, exposure, need, notice_rate, outage_drivers, trust_shock_drivers,
};
use crate::model::rhythm::local_hour;
use crate::scenario::{Event, EventKind, Scenario};
use chrono::Timelike;

/// One event's drivers in one step, before regions: looking intensity L, news M, the share of
/// the step inside the outage, and how users learn of it.
#[derive(Debug, Clone, Copy)]
struct Push {
    looking: f64,
    news: f64,
    exposed: f64,
    reach: Reach,
}

impl Default for Push {
    fn default() -> Self {
        Push {
            looking: 0.0,
            news: 0.0,
            exposed: 0.0,
            reach: Reach::Trying,
        }
    }
}

/// The drivers of `event` in a step of `dt` hours starting `step_start` hours after its start.
fn push(event: &Event, b: &Behaviour, step_start: f64, dt: f64) -> Push {
    let tau = step_start + dt / 2.0;
    match &event.kind {
        // From the outage's start, or from its announcement when it had one (then everyone
        // hears of it and may act on what is coming, docs/MODEL.md §4; the exposure of a step
        // before the start is 1).
        EventKind::Outage {
            duration_hours,
            announced,
            warning_hours,
            uncertain_start_hours,
            expected_hours,
            ..
        } if tau >= -warning_hours => {
            let announcement = announced.then_some(Announcement {
                expected_hours: expected_hours.unwrap_or(*duration_hours),
                uncertain_start_hours: *uncertain_start_hours,
            });
            let (l, m) = outage_drivers(b, tau, *duration_hours, announcement);
            Push {
                looking: l,
                news: m,
                exposed: exposure(*duration_hours, step_start, dt),
                reach: if *announced {
                    Reach::Announced {
                        hearing_hours: b.hearing_hours,
                        started: tau >= 0.0,
                    }
                } else {
                    Reach::Trying
                },
            }
        }
        EventKind::TrustShock {
            wanting_to_move,
            coverage,
        } if step_start >= 0.0 => {
            let (l, m) = trust_shock_drivers(*wanting_to_move, coverage.at(tau));
            Push {
                looking: l,
                news: m,
                exposed: 1.0,
                reach: Reach::Trying,
            }
        }
        _ => Push::default(),
    }
}

/// Precomputes the drivers of every step. Step `s` covers hours [s dt, (s+1) dt) after the
/// start; rates are taken at the step's midpoint.
///
/// Several events on the simulated users' services add as independent causes (docs/MODEL.md
/// §4, "Several events"): noticing hazards add, so do the looking intensities `L_i,r`, and the
/// news of a region is `M_r = Σ L_i,r M_i / Σ L_i,r`, so that the looking hazard
/// `L (boost (α + q F) + ν M)` is the sum of each event's. The named shares of news-led
/// switchers mix each event's in proportion to its news-led hazard `L_i,r M_i`. With one event
/// every driver is that event's, unchanged.
pub fn schedule(scenario: &Scenario, behaviour: &Behaviour) -> Schedule {
    schedule_until(scenario, behaviour, scenario.timeline.steps)
}

/// [`schedule`] of the first `steps` steps only (at most the timeline's): for a run that stops
/// early (a fit's event simulated to its last figure, a nowcast's particle to its last reading),
/// whose engine would otherwise compute every step's drivers and read few of them (7% of a fit).
/// Each step's drivers depend on that step alone, so they are those of the whole schedule.
pub fn schedule_until(scenario: &Scenario, behaviour: &Behaviour, steps: usize) -> Schedule {
    let t = &scenario.timeline;
    let steps = steps.min(t.steps);
    let dt = t.step_hours;
    let start_utc_hours = f64::from(t.start.num_seconds_from_midnight()) / 3600.0;
    let events: Vec<&Event> = std::iter::once(&scenario.event)
        .chain(&scenario.more_events)
        .collect();
    // Per event: hours from the simulated start to its start (the first event's is the
    // timeline's event step, used as such so its steps are exactly as they always were).
    let offsets: Vec<f64> = events[1..]
        .iter()
        .map(|e| t.hours_from_start(e.start))
        .collect();
    let needs: Vec<Vec<f64>> = events
        .iter()
        .map(|e| {
            let fallback = match e.kind {
                EventKind::Outage { fallback_share, .. } => Some(fallback_share),
                EventKind::TrustShock { .. } => None,
            };
            scenario
                .regions
                .iter()
                .map(|r| need(r.reachable_elsewhere, fallback))
                .collect()
        })
        .collect();
    let (n_regions, n_apps) = (scenario.regions.len(), scenario.apps.len());
    let names_apps = events.iter().any(|e| !e.named.is_empty());
    // A naming with a reach (an advertisement) reaches every switcher of a region the event
    // touches, whatever led her to look, so its shares are summed over the events unweighted by
    // their news (docs/MODEL.md §5).
    let advertises = events.iter().any(|e| e.advertises());
    let mut advertised_of_event = vec![vec![0.0; n_apps]; events.len()];
    let mut advertised = vec![0.0; n_regions * n_apps];
    let mut out = Schedule::with_capacity(n_regions, steps);
    let mut pushes = vec![Push::default(); events.len()];
    let mut named_of_event = vec![vec![0.0; n_apps]; events.len()];
    let mut named = vec![0.0; n_regions * n_apps];
    let mut up = vec![1.0; n_apps];
    let (mut notice, mut looking, mut news) = (
        vec![0.0; n_regions],
        vec![0.0; n_regions],
        vec![0.0; n_regions],
    );
    for s in 0..steps {
        let utc_hours = start_utc_hours + (s as f64 + 0.5) * dt;
        for (i, e) in events.iter().enumerate() {
            let step_start = match i {
                0 => (s as f64 - t.event_step as f64) * dt,
                _ => s as f64 * dt - offsets[i - 1],
            };
            pushes[i] = push(e, behaviour, step_start, dt);
            if names_apps {
                e.named_shares(step_start + dt / 2.0, &mut named_of_event[i]);
            }
            if advertises {
                e.advertised_shares(step_start + dt / 2.0, &mut advertised_of_event[i]);
            }
        }
        for (r, region) in scenario.regions.iter().enumerate() {
            let share = region.activity[local_hour(utc_hours, region.utc_offset_hours)];
            let (mut nu, mut l, mut lm) = (0.0, 0.0, 0.0);
            for (i, (e, p)) in events.iter().zip(&pushes).enumerate() {
                let severity = e.severity[r];
                nu += notice_rate(severity, p.exposed, share, p.reach);
                // L_r = σ_r · need_r · push (docs/MODEL.md §4).
                let l_i = p.looking * severity * needs[i][r];
                l += l_i;
                lm += l_i * p.news;
            }
            if advertises {
                let shares = &mut advertised[r * n_apps..(r + 1) * n_apps];
                shares.fill(0.0);
                for (e, a) in events.iter().zip(&advertised_of_event) {
                    if e.severity[r] > 0.0 {
                        for (out, x) in shares.iter_mut().zip(a) {
                            *out += x;
                        }
                    }
                }
                // Several advertising events: at most every switcher follows one.
                let total: f64 = shares.iter().sum();
                if total > 1.0 {
                    shares.iter_mut().for_each(|x| *x /= total);
                }
            }
            notice[r] = nu;
            looking[r] = l;
            news[r] = match events.len() {
                1 => pushes[0].news,
                _ if l > 0.0 => lm / l,
                _ => 0.0,
            };
            if names_apps {
                let shares = &mut named[r * n_apps..(r + 1) * n_apps];
                if events.len() == 1 {
                    shares.copy_from_slice(&named_of_event[0]);
                    continue;
                }
                shares.fill(0.0);
                if lm <= 0.0 {
                    continue;
                }
                for (i, (e, p)) in events.iter().zip(&pushes).enumerate() {
                    let weight = p.looking * e.severity[r] * needs[i][r] * p.news / lm;
                    for (out, n) in shares.iter_mut().zip(&named_of_event[i]) {
                        *out += weight * n;
                    }
                }
            }
        }
        out.push(
            notice.iter().copied(),
            looking.iter().copied(),
            news.iter().copied(),
        );
        if names_apps {
            out.push_named(&named);
        }
        if advertises {
            out.push_advertised(&advertised);
        }
        if !scenario.app_outages.is_empty() {
            up.fill(1.0);
            for o in &scenario.app_outages {
                let step_start = s as f64 * dt - t.hours_from_start(o.start);
                up[o.app] *= o.up(step_start, dt);
            }
            out.push_up(&up);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shipped scenario with the hand-set default parameters.
    fn shipped(name: &str) -> Scenario {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::scenario::load_scenario(
            &root.join("scenarios").join(name),
            Some(&root.join("params/default.toml")),
        )
        .unwrap()
    }

    #[test]
    fn need_scales_looking_by_who_cannot_reach_contacts_elsewhere() {
        let mut s = shipped("facebook-2021-10-04.toml");
        for r in &mut s.regions {
            r.reachable_elsewhere = 0.0;
        }
        let step = s.timeline.event_step + 24;
        let full = schedule(&s, &s.behaviour).at(step).looking[0];
        s.regions[0].reachable_elsewhere = 0.75;
        if let EventKind::Outage { fallback_share, .. } = &mut s.event.kind {
            *fallback_share = 0.5;
        }
        let part = schedule(&s, &s.behaviour).at(step).looking[0];
        assert!(full > 0.0);
        assert!((part - full * 0.25 * 0.5).abs() < 1e-12, "{part} vs {full}");
    }

    #[test]
    fn an_announced_block_is_acted_on_from_its_announcement() {
        let s = shipped("country-block-48h.toml");
        let EventKind::Outage { warning_hours, .. } = s.event.kind else {
            panic!("not an outage")
        };
        assert_eq!(warning_hours, 4.0);
        let steps = schedule(&s, &s.behaviour);
        let t = &s.timeline;
        let per_hour = (1.0 / t.step_hours) as usize;
        let announced = t.event_step - 4 * per_hour;
        // Before the announcement nothing happens; from it everyone knows (an infinite noticing
        // hazard) and looks with the urgency of the whole 48 h block ahead, news at full.
        assert_eq!(steps.at(announced - 1).looking[0], 0.0);
        assert_eq!(steps.at(announced - 1).notice_rate[0], 0.0);
        let ahead = -(-48.0 / s.behaviour.urgency_hours).exp_m1();
        for step in (announced..t.event_step).map(|s| steps.at(s)) {
            assert_eq!(step.notice_rate[0], f64::INFINITY);
            assert_eq!(step.news[0], 1.0);
            assert!((step.looking[0] - 0.95 * ahead).abs() < 1e-12);
        }
        assert!(steps.at(t.event_step).looking[0] > 0.0);
    }

    #[test]
    fn trust_shock_push_is_the_surveyed_share_times_coverage() {
        let s = shipped("whatsapp-policy-2021-01.toml");
        let EventKind::TrustShock {
            wanting_to_move,
            coverage,
        } = &s.event.kind
        else {
            panic!("not a trust shock")
        };
        assert_eq!(*wanting_to_move, 0.26);
        let steps = schedule(&s, &s.behaviour);
        let t = &s.timeline;
        assert!(steps.at(t.event_step - 1).looking.iter().all(|&l| l == 0.0));
        let s24 = t.event_step + (24.0 / t.step_hours) as usize;
        let tau = 24.0 + t.step_hours / 2.0;
        let expected = 0.26 * coverage.at(tau);
        for &l in steps.at(s24).looking {
            assert!((l - expected).abs() < 1e-12, "{l} vs {expected}");
        }
        assert_eq!(steps.at(s24).news[0], 1.0);
        // The push builds: it is strongest after the first days.
        let push = |s: usize| steps.at(s).looking[0];
        let peak = (0..t.steps).max_by(|&a, &b| push(a).total_cmp(&push(b)));
        assert!(peak.unwrap() > s24 + (48.0 / t.step_hours) as usize);
    }

    #[test]
    fn coverage_interpolates_and_holds_its_last_value() {
        let c = crate::scenario::Coverage {
            first_hours: 0.0,
            every_hours: 24.0,
            index: vec![0.0, 1.0, 0.5],
        };
        assert_eq!(c.at(-1.0), 0.0);
        assert!((c.at(12.0) - 0.5).abs() < 1e-12);
        assert!((c.at(36.0) - 0.75).abs() < 1e-12);
        assert_eq!(c.at(1000.0), 0.5);
    }

    #[test]
    fn named_shares_are_scheduled_only_when_the_news_names_an_app() {
        let mut s = shipped("whatsapp-policy-2021-01.toml");
        s.event.named.clear();
        assert!(schedule(&s, &s.behaviour).at(0).named(0).is_empty());
        s.event.named = vec![crate::scenario::NamedApp {
            reach: 0.0,
            app: 1,
            share: crate::scenario::Coverage {
                first_hours: 72.0,
                every_hours: 24.0,
                index: vec![0.2, 0.6],
            },
            source: "test".into(),
        }];
        let steps = schedule(&s, &s.behaviour);
        let at = |hours: usize| steps.at(s.timeline.event_step + hours).named(0).to_vec();
        assert_eq!(at(10), vec![0.0, 0.0]);
        // Step 84 is centred on 84.5 h: (84.5 - 72) / 24 of the way from 0.2 to 0.6.
        let expected = 0.2 + 0.4 * (12.5 / 24.0);
        assert!((at(84)[1] - expected).abs() < 1e-12, "{:?}", at(84));
        assert_eq!(at(200), vec![0.0, 0.6]);
    }
}
