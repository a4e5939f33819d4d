//! Statistical check: with rhythm, outage timing, capacity and news switched off, the model is
//! the Bass (1969) diffusion model, and its Monte Carlo mean adoption matches the closed form
//! F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) within 4 standard errors.

mod common;

use common::bass_share as bass;

#[test]
fn monte_carlo_mean_matches_bass_closed_form() {
    let (p, q) = (0.03, 0.38);
    // Reference values from ../shared/reported-events.md.
    let expected = [(1.0, 0.035758), (5.0, 0.331199), (10.0, 0.812803)];
    for (t, f) in expected {
        assert!((bass(p, q, t) - f).abs() < 5e-7, "closed form at {t}");
    }
    let (users, step, runs) = (20_000u64, 0.001, 300u64);
    let scenario = common::bass_scenario(users, 10.0, step, common::bass_behaviour(p, q));
    let times: Vec<f64> = expected.iter().map(|(t, _)| *t).collect();
    let means = common::adoption_means(&scenario, users, &times, runs);
    for ((t, f), &(mean, se)) in expected.iter().zip(&means) {
        assert!(
            (mean - f).abs() < 4.0 * se,
            "F({t}): Monte Carlo mean {mean:.6} vs Bass {f:.6}, se {se:.2e}, {:.1} se apart",
            (mean - f).abs() / se
        );
    }
}
