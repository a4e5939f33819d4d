//! The hybrid sampler against the exact one (docs/MODEL.md §7, "Samplers"): on 2021-10-04 at
//! full scale (billions of users, and apps with small counts beside them) every headline
//! figure's mean agrees within 4 standard errors and its p05, p50 and p95 within 5 (the
//! standard error of a quantile taken as a normal's, sd sqrt(q(1-q)/n) / phi(z_q)); a scenario
//! whose draws are all small gives byte-identical results under both; the Bass closed form
//! holds under both at 100 million users; and the same seed gives the same numbers on 1 and 2
//! threads under the hybrid sampler.

mod common;

use surge::engine::{CohortEngine, Engine, MonteCarlo, Observed, Observer, RunStreams};
use surge::model::draw::Sampler;
use surge::scenario::Scenario;

fn runs_of(s: &Scenario, sampler: Sampler, runs: u64, threads: usize) -> MonteCarlo {
    let mut s = s.clone();
    s.sampler = sampler;
    common::runs_on(&s, runs, threads)
}

#[test]
fn hybrid_agrees_with_exact_on_every_headline_figure_at_full_scale() {
    let s = common::load("scenarios/facebook-2021-10-04.toml");
    let n = 400;
    let (exact, hybrid) = (
        runs_of(&s, Sampler::Exact, n, 2),
        runs_of(&s, Sampler::Hybrid, n, 2),
    );
    common::assert_headlines_agree(&exact, &hybrid, n, 1e-9, ("exact", "hybrid"));
}

#[test]
fn hybrid_is_exact_where_every_draw_is_small() {
    // 20,000 users: no draw's variance reaches 10,000, so no draw is approximated.
    let s = common::bass_scenario(20_000, 10.0, 0.1, common::bass_behaviour(0.03, 0.38));
    let (exact, hybrid) = (
        runs_of(&s, Sampler::Exact, 200, 2),
        runs_of(&s, Sampler::Hybrid, 200, 2),
    );
    assert_eq!(exact.summaries.to_bytes(), hybrid.summaries.to_bytes());
}

/// The Bass check of tests/bass.rs at 100 million users, where the hybrid sampler approximates
/// most draws: both samplers' mean adoption is the closed form's within 4 standard errors plus
/// 5e-4, the bias of the 0.001 h step (tests/bass.rs passes within 4 standard errors of
/// 1.6e-4 at 20,000 users with it).
#[test]
fn bass_holds_under_both_samplers_at_a_hundred_million_users() {
    let (p, q) = (0.03, 0.38);
    let bass = |t: f64| {
        let e = (-(p + q) * t).exp();
        (1.0 - e) / (1.0 + (q / p) * e)
    };
    let (users, step, runs) = (100_000_000u64, 0.001, 20u64);
    let mut s = common::bass_scenario(users, 10.0, step, common::bass_behaviour(p, q));
    let mut means = Vec::new();
    for sampler in [Sampler::Exact, Sampler::Hybrid] {
        s.sampler = sampler;
        let engine = CohortEngine::new(&s, &s.behaviour);
        for t in [1.0, 5.0, 10.0] {
            let at = (t / step).round() as usize;
            let xs: Vec<f64> = (0..runs)
                .map(|run| {
                    let mut share = Share {
                        at,
                        users: users as f64,
                        value: 0.0,
                    };
                    engine.run(&RunStreams::new(99, run), &mut share);
                    share.value
                })
                .collect();
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let f = bass(t);
            means.push(mean);
            assert!(
                (mean - f).abs() < 4.0 * sd / n.sqrt() + 5e-4,
                "{sampler:?}: F({t}) {mean:.6} against {f:.6}"
            );
        }
    }
    // The hybrid sampler approximated draws here (its means are not the exact ones).
    assert_ne!(means[..3], means[3..]);
}

/// The adopted share at the end of step `at`.
struct Share {
    at: usize,
    users: f64,
    value: f64,
}

impl Observer for Share {
    fn after_step(&mut self, step: usize, state: &Observed) {
        if step + 1 == self.at {
            self.value = state.regions[0].registered[0] as f64 / self.users;
        }
    }
}

#[test]
fn hybrid_runs_are_the_same_on_any_thread_count() {
    let s = common::load("scenarios/facebook-2021-10-04.toml");
    let (one, two) = (
        runs_of(&s, Sampler::Hybrid, 40, 1),
        runs_of(&s, Sampler::Hybrid, 40, 2),
    );
    assert_eq!(one.summaries.to_bytes(), two.summaries.to_bytes());
}
