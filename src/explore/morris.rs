//! Morris elementary effects (Morris 1991, "Factorial sampling plans for preliminary
//! computational experiments", Technometrics 33(2)), with the absolute-mean measure mu* of
//! Campolongo, Cariboni & Saltelli (2007, Environ. Model. Softw. 22): r random one-at-a-time
//! trajectories on a p-level grid of the unit cube, and per factor the mean of the absolute
//! effects (mu*, its importance), their mean (mu, its sign) and their spread (sigma,
//! interactions and non-linearity), with percentile bootstrap intervals over trajectories.

use super::bootstrap_interval;
use rand::Rng;
use rand::RngExt;
use rand::seq::SliceRandom;

/// One trajectory: k + 1 points of the unit cube, point j + 1 differing from point j in factor
/// `order[j]` only, by `steps[j]` (plus or minus the grid jump).
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub points: Vec<Vec<f64>>,
    pub order: Vec<usize>,
    pub steps: Vec<f64>,
}

/// The jump of a `levels`-level grid: p / (2 (p - 1)), which makes every level equally likely
/// to be visited (Morris 1991).
pub fn jump(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `trajectories` random trajectories over `factors` factors on a `levels`-level grid (levels
/// even, at least 2). Each starts at a random grid point and moves each factor once, in a
/// random order, up by the jump if that stays in the cube and down otherwise.
pub fn design(
    factors: usize,
    trajectories: usize,
    levels: usize,
    rng: &mut impl Rng,
) -> Vec<Trajectory> {
    let delta = jump(levels);
    let grid = (levels - 1) as f64;
    (0..trajectories)
        .map(|_| {
            let mut x: Vec<f64> = (0..factors)
                .map(|_| rng.random_range(0..levels) as f64 / grid)
                .collect();
            let mut order: Vec<usize> = (0..factors).collect();
            order.shuffle(rng);
            let mut points = vec![x.clone()];
            let mut steps = Vec::with_capacity(factors);
            for &i in &order {
                let step = if x[i] + delta <= 1.0 + 1e-12 {
                    delta
                } else {
                    -delta
                };
                // Snapped to the grid, so that rounding never leaves the cube.
                x[i] = ((x[i] + step) * grid).round() / grid;
                steps.push(step);
                points.push(x.clone());
            }
            Trajectory {
                points,
                order,
                steps,
            }
        })
        .collect()
}

/// The Morris measures of one factor for one output.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MorrisIndex {
    /// Mean elementary effect (change in the output per unit of the factor's range).
    pub mu: f64,
    /// Mean absolute elementary effect: the factor's importance.
    pub mu_star: f64,
    /// 95% bootstrap interval of mu*.
    pub mu_star_low: f64,
    pub mu_star_high: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
}

/// The Morris measures per factor from one output's values at every trajectory's points
/// (`outputs[t][j]`: trajectory t, point j).
pub fn indices(
    design: &[Trajectory],
    outputs: &[Vec<f64>],
    factors: usize,
    resamples: usize,
    rng: &mut impl Rng,
) -> Vec<MorrisIndex> {
    // effects[t][i]: trajectory t's elementary effect of factor i.
    let effects: Vec<Vec<f64>> = design
        .iter()
        .zip(outputs)
        .map(|(t, y)| {
            let mut e = vec![f64::NAN; factors];
            for (j, (&i, &step)) in t.order.iter().zip(&t.steps).enumerate() {
                e[i] = (y[j + 1] - y[j]) / step;
            }
            e
        })
        .collect();
    let r = effects.len();
    (0..factors)
        .map(|i| {
            let mean_abs = |pick: &[usize]| {
                pick.iter().map(|&t| effects[t][i].abs()).sum::<f64>() / pick.len() as f64
            };
            let all: Vec<usize> = (0..r).collect();
            let mu = all.iter().map(|&t| effects[t][i]).sum::<f64>() / r as f64;
            let sigma = if r > 1 {
                (all.iter()
                    .map(|&t| (effects[t][i] - mu).powi(2))
                    .sum::<f64>()
                    / (r - 1) as f64)
                    .sqrt()
            } else {
                0.0
            };
            let (lo, hi) = bootstrap_interval(r, resamples, rng, mean_abs);
            MorrisIndex {
                mu,
                mu_star: mean_abs(&all),
                mu_star_low: lo,
                mu_star_high: hi,
                sigma,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::design_rng;

    /// For a linear function every elementary effect of factor i is its coefficient exactly,
    /// so mu = mu* = |a_i| with sigma 0; a factor that does nothing gets 0.
    #[test]
    fn linear_functions_have_their_coefficients_as_effects() {
        let mut rng = design_rng(7, 1);
        let a = [3.0, -1.5, 0.0, 10.0];
        let traj = design(4, 25, 4, &mut rng);
        for t in &traj {
            for p in &t.points {
                assert!(
                    p.iter().all(|&x| (-1e-12..=1.0 + 1e-12).contains(&x)),
                    "{p:?}"
                );
            }
        }
        let f = |x: &[f64]| x.iter().zip(&a).map(|(x, a)| x * a).sum::<f64>();
        let outputs: Vec<Vec<f64>> = traj
            .iter()
            .map(|t| t.points.iter().map(|p| f(p)).collect())
            .collect();
        let idx = indices(&traj, &outputs, 4, 200, &mut rng);
        for (i, m) in idx.iter().enumerate() {
            assert!((m.mu - a[i]).abs() < 1e-9, "{i}: {m:?}");
            assert!((m.mu_star - a[i].abs()).abs() < 1e-9);
            assert!(m.sigma < 1e-9);
        }
    }

    /// x0·x1 interacts: its effects vary between trajectories (sigma > 0), x2 has none.
    #[test]
    fn interactions_show_as_spread() {
        let mut rng = design_rng(8, 1);
        let traj = design(3, 40, 4, &mut rng);
        let outputs: Vec<Vec<f64>> = traj
            .iter()
            .map(|t| t.points.iter().map(|p| p[0] * p[1]).collect())
            .collect();
        let idx = indices(&traj, &outputs, 3, 200, &mut rng);
        assert!(idx[0].sigma > 0.1 && idx[1].sigma > 0.1, "{idx:?}");
        assert_eq!(idx[2].mu_star, 0.0);
        assert!(idx[0].mu_star_low <= idx[0].mu_star && idx[0].mu_star <= idx[0].mu_star_high);
    }
}
