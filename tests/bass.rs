//! Statistical check: with rhythm, outage timing, capacity and news switched off, the model is
//! the Bass (1969) diffusion model, and its Monte Carlo mean adoption matches the closed form
//! F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) within 4 standard errors.

mod common;

use surge::engine::{CohortEngine, Engine, Observed, Observer, RunStreams};

/// Adopted share at chosen step ends.
struct Adoption {
    at_steps: Vec<usize>,
    users: f64,
    values: Vec<f64>,
}

impl Observer for Adoption {
    fn after_step(&mut self, step: usize, state: &Observed) {
        if self.at_steps.contains(&(step + 1)) {
            self.values
                .push(state.regions[0].registered[0] as f64 / self.users);
        }
    }
}

fn bass(p: f64, q: f64, t: f64) -> f64 {
    let e = (-(p + q) * t).exp();
    (1.0 - e) / (1.0 + (q / p) * e)
}

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
    let engine = CohortEngine::new(&scenario, &scenario.behaviour);
    let at_steps: Vec<usize> = expected
        .iter()
        .map(|(t, _)| (t / step).round() as usize)
        .collect();
    let mut samples = vec![Vec::new(); expected.len()];
    for run in 0..runs {
        let mut obs = Adoption {
            at_steps: at_steps.clone(),
            users: users as f64,
            values: Vec::new(),
        };
        engine.run(&RunStreams::new(99, run), &mut obs);
        for (i, v) in obs.values.into_iter().enumerate() {
            samples[i].push(v);
        }
    }
    for ((t, f), xs) in expected.iter().zip(&samples) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let se = sd / n.sqrt();
        assert!(
            (mean - f).abs() < 4.0 * se,
            "F({t}): Monte Carlo mean {mean:.6} vs Bass {f:.6}, se {se:.2e}, {:.1} se apart",
            (mean - f).abs() / se
        );
    }
}
