//! Accuracy against cost (`surge tune`): each setting's headline figures, their change against
//! the finest setting of the same dimension and their Monte Carlo error, the settings on the
//! efficient frontier of (time, error), and the most accurate combination that fits a budget.
//!
//! Error of a setting, per figure f: e_f = sqrt(bias_f² + (mcse_f / |mean_f|)²). change_f is the
//! relative change of the mean against the finest setting of the same dimension, with standard
//! error se_f = sqrt(mcse_f² + mcse_finest²) / |mean_finest| (runs share their seeds across
//! settings, so this overstates it); bias_f = max(0, |change_f| - 2 se_f) is the part of the
//! change that Monte Carlo noise does not explain (the discretisation or sampling bias the
//! coarser setting adds), and mcse_f / |mean_f| the relative Monte Carlo error. A setting's
//! error is its largest e_f over the tracked figures.

pub use crate::report::tune::{FigureAt, Recommendation, Setting};

/// Sets each figure's change against the finest setting (`finest`: its index in `settings`).
pub fn set_changes(settings: &mut [Setting], finest: usize) {
    let reference: Vec<(f64, f64)> = settings[finest]
        .figures
        .iter()
        .map(|f| (f.mean, f.mcse))
        .collect();
    for s in settings.iter_mut() {
        for (f, &(r, r_mcse)) in s.figures.iter_mut().zip(&reference) {
            (f.change, f.change_se) = if r == 0.0 {
                (if f.mean == 0.0 { 0.0 } else { 1.0 }, 0.0)
            } else {
                ((f.mean - r) / r.abs(), f.mcse.hypot(r_mcse) / r.abs())
            };
        }
    }
}

/// Whether each setting is on the efficient frontier: no other setting is at least as fast and
/// at least as accurate, and better in one.
pub fn frontier(settings: &[Setting]) -> Vec<bool> {
    settings
        .iter()
        .map(|s| {
            let (e, t) = (s.error().0, s.seconds);
            !settings.iter().any(|o| {
                let (oe, ot) = (o.error().0, o.seconds);
                oe <= e && ot <= t && (oe < e || ot < t)
            })
        })
        .collect()
}

/// Run counts a recommendation may choose.
pub const RUN_CHOICES: [u64; 13] = [
    100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
    1_000_000,
];

/// The most accurate combination of a step setting, a run count and (agents) a size whose
/// predicted time fits `budget` seconds, or None if none does. Prediction: time = seconds per
/// run at the step setting x (agents: the size's time per run against the step dimension's
/// size) x runs; error per figure = sqrt(step bias² + size bias² + (relative mcse at the step
/// setting x sqrt(its runs / runs))²), the worst figure's.
pub fn recommend(steps: &[Setting], agents: &[Setting], budget: f64) -> Option<Recommendation> {
    let reference_agents = agents
        .iter()
        .find(|a| a.figures.iter().all(|f| f.change == 0.0));
    let sizes: Vec<Option<&Setting>> = if agents.is_empty() {
        vec![None]
    } else {
        agents.iter().map(Some).collect()
    };
    let mut best: Option<Recommendation> = None;
    for s in steps {
        let per_run = s.seconds / s.runs.max(1) as f64;
        for size in &sizes {
            let factor = match (size, reference_agents) {
                (Some(a), Some(r)) if r.seconds > 0.0 => {
                    (a.seconds / a.runs.max(1) as f64) / (r.seconds / r.runs.max(1) as f64)
                }
                _ => 1.0,
            };
            for &runs in &RUN_CHOICES {
                let seconds = per_run * factor * runs as f64;
                if seconds > budget {
                    continue;
                }
                let (mut error, mut worst) = (0.0f64, String::new());
                for (i, f) in s.figures.iter().enumerate().filter(|(_, f)| f.tracked) {
                    let size_bias = size.map_or(0.0, |a| a.figures[i].bias());
                    let noise = f.relative_mcse() * (s.runs as f64 / runs as f64).sqrt();
                    let e = (f.bias().powi(2) + size_bias.powi(2) + noise.powi(2)).sqrt();
                    if e > error {
                        (error, worst) = (e, f.figure.clone());
                    }
                }
                if best.as_ref().is_none_or(|b| error < b.predicted_error) {
                    best = Some(Recommendation {
                        step_minutes: s.value,
                        runs,
                        agents: size.map(|a| a.value),
                        predicted_seconds: seconds,
                        predicted_error: error,
                        worst_figure: worst,
                    });
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(
        dimension: &str,
        value: f64,
        runs: u64,
        seconds: f64,
        means: &[(f64, f64)],
    ) -> Setting {
        Setting {
            dimension: dimension.into(),
            value,
            runs,
            seconds,
            figures: means
                .iter()
                .enumerate()
                .map(|(i, &(mean, mcse))| FigureAt {
                    figure: format!("f{i}"),
                    mean,
                    mcse,
                    change: 0.0,
                    change_se: 0.0,
                    tracked: true,
                })
                .collect(),
        }
    }

    #[test]
    fn changes_frontier_and_budget() {
        // Step 1 is finest; 5 is 5% off, 15 is 10% off, 60 20%; relative mcse 1% everywhere,
        // so a change's standard error is 1.41% and its bias |change| - 2.83%.
        let mut steps = vec![
            setting("step_minutes", 1.0, 1000, 10.0, &[(100.0, 1.0)]),
            setting("step_minutes", 5.0, 1000, 2.0, &[(105.0, 1.0)]),
            setting("step_minutes", 60.0, 1000, 1.0, &[(120.0, 1.0)]),
            // Slower and worse than step 5: dominated.
            setting("step_minutes", 15.0, 1000, 3.0, &[(110.0, 1.0)]),
        ];
        set_changes(&mut steps, 0);
        let f = |i: usize| steps[i].figures[0].clone();
        assert!((f(1).change - 0.05).abs() < 1e-12);
        assert!((f(1).change_se - 2f64.sqrt() / 100.0).abs() < 1e-12);
        assert!((f(1).bias() - (0.05 - 2.0 * 2f64.sqrt() / 100.0)).abs() < 1e-12);
        assert_eq!(f(0).bias(), 0.0);
        assert_eq!(frontier(&steps), vec![true, true, true, false]);
        // 10 s: step 1 with 1,000 runs (error 1%) beats step 5 with 5,000 (bias 2.2%).
        let r = recommend(&steps, &[], 10.0).unwrap();
        assert_eq!((r.step_minutes, r.runs), (1.0, 1000));
        assert!((r.predicted_error - 0.01).abs() < 1e-12);
        // 4 s: step 1 with 200 runs (1% x sqrt 5 = 2.24%) just beats step 5 with 2,000 (2.28%).
        let r = recommend(&steps, &[], 4.0).unwrap();
        assert_eq!((r.step_minutes, r.runs), (1.0, 200));
        assert!(recommend(&steps, &[], 0.01).is_none());
        // A 1% change is within the noise: step 5 then costs nothing in accuracy, and 10 s buys
        // it 5,000 runs (error 1% x sqrt(1/5) = 0.45%).
        steps[1].figures[0].mean = 101.0;
        set_changes(&mut steps, 0);
        assert_eq!(steps[1].figures[0].bias(), 0.0);
        let r = recommend(&steps, &[], 10.0).unwrap();
        assert_eq!((r.step_minutes, r.runs), (5.0, 5000));
    }
}
