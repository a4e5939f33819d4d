//! Event drivers per time step: who can notice the event, how urgently the ones who noticed
//! look, and how much news coverage there is. Computed once per scenario and parameter set.

use super::rhythm::{local_hour, open_hazard};
use crate::scenario::{Behaviour, EventKind, Scenario};
use chrono::Timelike;

/// Drivers for one time step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDrivers {
    /// Per region: hazard (per hour) that an unaware user notices the event in this step.
    pub notice_rate: Vec<f64>,
    /// Per region: looking intensity L(t) times the region's severity; multiplies the whole
    /// looking hazard (0 once service returns).
    pub looking: Vec<f64>,
    /// M(t) in [0, 1]: news coverage.
    pub news: f64,
}

/// L(t) and M(t) for an outage at `tau` hours after it began (`duration` long). Urgency is
/// 1 - exp(-E / T_u) with E the cut a user expects: the time it has lasted (tau), or for an
/// `announced` outage the time it still has to run (D - tau); after service returns, looking
/// fades from where it was as exp(-(tau - D) / T_after). News rises as 1 - exp(-tau / T_rise)
/// (at full at once when announced: the story came first) and fades as exp(-(tau - D) / T_decay)
/// afterwards.
fn outage_drivers(b: &Behaviour, tau: f64, duration: f64, announced: bool) -> (f64, f64) {
    let rise = |t: f64| {
        if announced || b.news_rise_hours == 0.0 {
            1.0
        } else {
            -(-t / b.news_rise_hours).exp_m1()
        }
    };
    // Urgency grows with the cut the user expects: for an outage of unknown length, the time it
    // has already lasted (a long outage is expected to go on); for an announced one, the time it
    // still has to run.
    let urgency = |t: f64| {
        let expected = if announced { duration - t } else { t };
        if b.urgency_hours == 0.0 {
            1.0
        } else {
            -(-expected.max(0.0) / b.urgency_hours).exp_m1()
        }
    };
    if tau <= duration {
        (urgency(tau), rise(tau))
    } else {
        let after = tau - duration;
        (
            urgency(duration) * (-after / b.after_hours).exp(),
            rise(duration) * (-after / b.news_decay_hours).exp(),
        )
    }
}

/// Precomputes the drivers of every step. Step `s` covers hours [s dt, (s+1) dt) after the
/// start; rates are taken at the step's midpoint.
pub fn schedule(scenario: &Scenario, behaviour: &Behaviour) -> Vec<StepDrivers> {
    let t = &scenario.timeline;
    let dt = t.step_hours;
    let start = t.start;
    let start_utc_hours = f64::from(start.num_seconds_from_midnight()) / 3600.0;
    // Need: the share of each region's users who cannot reach their contacts another way.
    // Only an outage takes a channel away; a trust shock leaves the service working.
    let need: Vec<f64> = scenario
        .regions
        .iter()
        .map(|r| match scenario.event.kind {
            EventKind::Outage { fallback_share, .. } => {
                (1.0 - r.reachable_elsewhere) * (1.0 - fallback_share)
            }
            EventKind::TrustShock { .. } => 1.0,
        })
        .collect();
    // An announced outage was in the news before it began: everyone affected knows from its
    // first step, whether or not they open the app.
    let told = matches!(
        scenario.event.kind,
        EventKind::Outage {
            announced: true,
            ..
        }
    );
    (0..t.steps)
        .map(|s| {
            let step_start = (s as f64 - t.event_step as f64) * dt;
            let tau = step_start + dt / 2.0;
            let utc_hours = start_utc_hours + (s as f64 + 0.5) * dt;
            let (looking, news, exposure) = match &scenario.event.kind {
                _ if step_start < 0.0 => (0.0, 0.0, 0.0),
                EventKind::Outage {
                    duration_hours,
                    announced,
                    ..
                } => {
                    let exposure = ((duration_hours - step_start) / dt).clamp(0.0, 1.0);
                    let (l, m) = outage_drivers(behaviour, tau, *duration_hours, *announced);
                    (l, m, exposure)
                }
                EventKind::TrustShock {
                    wanting_to_move,
                    coverage,
                } => {
                    // L(t) = w · I(t): the surveyed share w of users who want to move, pushed by
                    // the dated coverage index I (docs/MODEL.md §4). The story is the whole
                    // event, so everyone who looks is led by the news: M = 1 (I enters once).
                    (wanting_to_move * coverage.at(tau), 1.0, 1.0)
                }
            };
            let notice_rate = scenario
                .regions
                .iter()
                .zip(&scenario.event.severity)
                .map(|(r, &severity)| {
                    if exposure == 0.0 || severity == 0.0 {
                        return 0.0;
                    }
                    if told {
                        return f64::INFINITY;
                    }
                    let share = r.activity[local_hour(utc_hours, r.utc_offset_hours)];
                    severity * exposure * open_hazard(share)
                })
                .collect();
            let looking = scenario
                .event
                .severity
                .iter()
                .zip(&need)
                .map(|(sev, need)| looking * sev * need)
                .collect();
            StepDrivers {
                notice_rate,
                looking,
                news,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behaviour() -> Behaviour {
        Behaviour {
            innovation_per_hour: 0.01,
            word_of_mouth_per_hour: 0.1,
            news_per_hour: 0.01,
            news_rise_hours: 2.0,
            news_decay_hours: 4.0,
            urgency_hours: 1.0,
            after_hours: 2.0,
            dormant_boost: 10.0,
            contact_weight: 1.0,
            account_affinity: 5.0,
            patience_minutes: 30.0,
        }
    }

    #[test]
    fn looking_fades_after_service_returns_and_news_fades() {
        let b = behaviour();
        let (l_in, m_in) = outage_drivers(&b, 5.9, 6.0, false);
        let (l_out, m_out) = outage_drivers(&b, 8.0, 6.0, false);
        let end = -(-6.0f64).exp_m1();
        assert!(l_in > 0.99);
        assert!((l_out - end * (-1.0f64).exp()).abs() < 1e-12, "{l_out}");
        assert!(m_out < m_in && m_out > 0.0);
        let expected = (1.0 - (-3.0f64).exp()) * (-0.5f64).exp();
        assert!((m_out - expected).abs() < 1e-12);
        let (long_after, _) = outage_drivers(&b, 60.0, 6.0, false);
        assert!(long_after < 1e-10);
    }

    #[test]
    fn announced_outages_are_urgent_at_once_and_less_so_near_their_end() {
        let b = behaviour();
        assert!(outage_drivers(&b, 0.05, 6.0, false).0 < 0.05);
        let (start, news) = outage_drivers(&b, 0.05, 48.0, true);
        assert!(start > 0.999 && news == 1.0);
        let (near_end, _) = outage_drivers(&b, 47.5, 48.0, true);
        assert!((near_end - -(-0.5f64).exp_m1()).abs() < 1e-12);
    }

    #[test]
    fn need_scales_looking_by_who_cannot_reach_contacts_elsewhere() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut s = crate::scenario::load_scenario(
            &root.join("scenarios/facebook-2021-10-04.toml"),
            Some(&root.join("params/default.toml")),
        )
        .unwrap();
        for r in &mut s.regions {
            r.reachable_elsewhere = 0.0;
        }
        let step = s.timeline.event_step + 24;
        let full = schedule(&s, &s.behaviour)[step].looking[0];
        s.regions[0].reachable_elsewhere = 0.75;
        if let EventKind::Outage { fallback_share, .. } = &mut s.event.kind {
            *fallback_share = 0.5;
        }
        let part = schedule(&s, &s.behaviour)[step].looking[0];
        assert!(full > 0.0);
        assert!((part - full * 0.25 * 0.5).abs() < 1e-12, "{part} vs {full}");
    }

    #[test]
    fn trust_shock_push_is_the_surveyed_share_times_coverage() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let s = crate::scenario::load_scenario(
            &root.join("scenarios/whatsapp-policy-2021-01.toml"),
            Some(&root.join("params/default.toml")),
        )
        .unwrap();
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
        assert!(steps[t.event_step - 1].looking.iter().all(|&l| l == 0.0));
        let s24 = t.event_step + (24.0 / t.step_hours) as usize;
        let tau = 24.0 + t.step_hours / 2.0;
        let expected = 0.26 * coverage.at(tau);
        for &l in &steps[s24].looking {
            assert!((l - expected).abs() < 1e-12, "{l} vs {expected}");
        }
        assert_eq!(steps[s24].news, 1.0);
        // The push builds: it is strongest after the first days.
        let push = |s: usize| steps[s].looking[0];
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
    fn urgency_grows_with_time_since_the_outage_began() {
        let b = behaviour();
        let (early, _) = outage_drivers(&b, 0.1, 6.0, false);
        let (late, _) = outage_drivers(&b, 3.0, 6.0, false);
        assert!(early < late);
        let instant = Behaviour {
            urgency_hours: 0.0,
            ..b
        };
        assert_eq!(outage_drivers(&instant, 0.0, 6.0, false).0, 1.0);
    }
}
