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

/// L(t) and M(t) for an outage at `tau` hours after it began (`duration` long), with the share
/// `coverage` of the step that lies inside the outage. Urgency grows as 1 - exp(-tau / T_u);
/// news rises as 1 - exp(-tau / T_rise) and fades as exp(-(tau - D) / T_decay) afterwards.
fn outage_drivers(b: &Behaviour, tau: f64, duration: f64, coverage: f64) -> (f64, f64) {
    let rise = |t: f64| {
        if b.news_rise_hours == 0.0 {
            1.0
        } else {
            -(-t / b.news_rise_hours).exp_m1()
        }
    };
    let urgency = if b.urgency_hours == 0.0 {
        1.0
    } else {
        -(-tau / b.urgency_hours).exp_m1()
    };
    let news = if tau <= duration {
        rise(tau)
    } else {
        rise(duration) * (-(tau - duration) / b.news_decay_hours).exp()
    };
    (urgency * coverage, news)
}

/// Precomputes the drivers of every step. Step `s` covers hours [s dt, (s+1) dt) after the
/// start; rates are taken at the step's midpoint.
pub fn schedule(scenario: &Scenario, behaviour: &Behaviour) -> Vec<StepDrivers> {
    let t = &scenario.timeline;
    let dt = t.step_hours;
    let start = t.start;
    let start_utc_hours = f64::from(start.num_seconds_from_midnight()) / 3600.0;
    (0..t.steps)
        .map(|s| {
            let step_start = (s as f64 - t.event_step as f64) * dt;
            let tau = step_start + dt / 2.0;
            let utc_hours = start_utc_hours + (s as f64 + 0.5) * dt;
            let (looking, news, exposure) = match scenario.event.kind {
                _ if step_start < 0.0 => (0.0, 0.0, 0.0),
                EventKind::Outage { duration_hours } => {
                    let coverage = ((duration_hours - step_start) / dt).clamp(0.0, 1.0);
                    let (l, m) = outage_drivers(behaviour, tau, duration_hours, coverage);
                    (l, m, coverage)
                }
                EventKind::TrustShock {
                    wanting_to_move,
                    decay_hours,
                } => {
                    // L(t) = w · e^{-τ/T_s}: the surveyed share w of users who want to move
                    // plays the part that urgency plays in an outage (docs/MODEL.md §3).
                    let push = (-tau / decay_hours).exp();
                    (wanting_to_move * push, push, 1.0)
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
                    let share = r.activity[local_hour(utc_hours, r.utc_offset_hours)];
                    severity * exposure * open_hazard(share)
                })
                .collect();
            let looking = scenario
                .event
                .severity
                .iter()
                .map(|sev| looking * sev)
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
            dormant_boost: 10.0,
            contact_weight: 1.0,
            account_affinity: 5.0,
            patience_minutes: 30.0,
        }
    }

    #[test]
    fn looking_stops_when_service_returns_and_news_fades() {
        let b = behaviour();
        let (l_in, m_in) = outage_drivers(&b, 5.9, 6.0, 1.0);
        let (l_out, m_out) = outage_drivers(&b, 8.0, 6.0, 0.0);
        assert!(l_in > 0.99 && l_out == 0.0);
        assert!(m_out < m_in && m_out > 0.0);
        let expected = (1.0 - (-3.0f64).exp()) * (-0.5f64).exp();
        assert!((m_out - expected).abs() < 1e-12);
    }

    #[test]
    fn trust_shock_push_is_the_surveyed_share_fading() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let s = crate::scenario::load_scenario(
            &root.join("scenarios/whatsapp-policy-2021-01.toml"),
            Some(&root.join("params/default.toml")),
        )
        .unwrap();
        let EventKind::TrustShock {
            wanting_to_move,
            decay_hours,
        } = s.event.kind
        else {
            panic!("not a trust shock")
        };
        assert_eq!(wanting_to_move, 0.26);
        let steps = schedule(&s, &s.behaviour);
        let t = &s.timeline;
        assert!(steps[t.event_step - 1].looking.iter().all(|&l| l == 0.0));
        let s24 = t.event_step + (24.0 / t.step_hours) as usize;
        let tau = 24.0 + t.step_hours / 2.0;
        let expected = 0.26 * (-tau / decay_hours).exp();
        for &l in &steps[s24].looking {
            assert!((l - expected).abs() < 1e-12, "{l} vs {expected}");
        }
        assert!((steps[s24].news - (-tau / decay_hours).exp()).abs() < 1e-12);
    }

    #[test]
    fn urgency_grows_with_time_since_the_outage_began() {
        let b = behaviour();
        let (early, _) = outage_drivers(&b, 0.1, 6.0, 1.0);
        let (late, _) = outage_drivers(&b, 3.0, 6.0, 1.0);
        assert!(early < late);
        let instant = Behaviour {
            urgency_hours: 0.0,
            ..b
        };
        assert_eq!(outage_drivers(&instant, 0.0, 6.0, 1.0).0, 1.0);
    }
}
