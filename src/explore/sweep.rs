//! Sweep designs: which values each varied key takes (`KEY=FROM:TO:STEPS[:log]`), combined as a
//! full grid or as a Latin hypercube sample (McKay, Beckman & Conover 1979).

pub use crate::scenario::{Vary, VaryError};
use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

/// How the varied keys are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Design {
    /// Every combination of every key's values (first key slowest).
    Grid,
    /// `samples` points, each key's range cut into `samples` equal strata (in the logarithm
    /// for log keys) with one point in each.
    Lhs { samples: usize },
}

/// Most points one design may have.
pub const MAX_POINTS: usize = 10_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DesignError {
    #[error(transparent)]
    Vary(#[from] VaryError),
    #[error("the design has no points: {0}")]
    Empty(String),
    #[error("the design has {0} points, more than the {MAX_POINTS} a sweep may have")]
    TooMany(u128),
    #[error("--vary {0} is given twice")]
    Twice(String),
}

impl Design {
    /// The design's points, each a value per varied key in the order given. A Latin hypercube
    /// draws from `rng`.
    pub fn points(&self, vary: &[Vary], rng: &mut impl Rng) -> Result<Vec<Vec<f64>>, DesignError> {
        if vary.is_empty() {
            return Err(DesignError::Empty(
                "no --vary KEY=FROM:TO:STEPS given".into(),
            ));
        }
        for (i, v) in vary.iter().enumerate() {
            if vary[..i].iter().any(|w| w.key == v.key) {
                return Err(DesignError::Twice(v.key.clone()));
            }
        }
        match *self {
            Design::Grid => {
                if let Some(v) = vary.iter().find(|v| v.steps == 0) {
                    return Err(DesignError::Empty(format!(
                        "--vary {} has no STEPS (a grid needs KEY=FROM:TO:STEPS with STEPS >= 1)",
                        v.key
                    )));
                }
                let total = vary
                    .iter()
                    .fold(1u128, |n, v| n.saturating_mul(v.steps as u128));
                if total > MAX_POINTS as u128 {
                    return Err(DesignError::TooMany(total));
                }
                let mut points = vec![Vec::new()];
                for v in vary {
                    let values = v.grid();
                    points = points
                        .into_iter()
                        .flat_map(|p| {
                            values.iter().map(move |&x| {
                                let mut q = p.clone();
                                q.push(x);
                                q
                            })
                        })
                        .collect();
                }
                Ok(points)
            }
            Design::Lhs { samples } => {
                if samples == 0 {
                    return Err(DesignError::Empty("--samples 0".into()));
                }
                if samples > MAX_POINTS {
                    return Err(DesignError::TooMany(samples as u128));
                }
                let mut points = vec![Vec::with_capacity(vary.len()); samples];
                for v in vary {
                    let mut strata: Vec<usize> = (0..samples).collect();
                    strata.shuffle(rng);
                    for (point, stratum) in points.iter_mut().zip(strata) {
                        let u = (stratum as f64 + rng.random::<f64>()) / samples as f64;
                        point.push(v.at(u));
                    }
                }
                Ok(points)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::design_rng;

    #[test]
    fn keys_parse_with_linear_and_log_spacing() {
        let v: Vary = "event.duration_hours=1:24:4".parse().unwrap();
        let want = [1.0, 1.0 + 23.0 / 3.0, 1.0 + 46.0 / 3.0, 24.0];
        for (got, want) in v.grid().iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        let l: Vary = "apps.telegram.capacity_per_second=10:1000:3:log"
            .parse()
            .unwrap();
        let g = l.grid();
        assert!(
            (g[1] - 100.0).abs() < 1e-9 && g[0] == 10.0 && g[2] == 1000.0,
            "{g:?}"
        );
        for bad in [
            "x",
            "x=1",
            "x=1:2:3:4",
            "=1:2:3",
            "x=a:2:3",
            "x=0:2:3:log",
            "x=1:2:-1",
        ] {
            assert!(bad.parse::<Vary>().is_err(), "{bad}");
        }
    }

    #[test]
    fn grids_and_hypercubes_have_their_points() {
        let a: Vary = "a=0:1:3".parse().unwrap();
        let b: Vary = "b=10:20:2".parse().unwrap();
        let mut rng = design_rng(1, 0);
        let grid = Design::Grid
            .points(&[a.clone(), b.clone()], &mut rng)
            .unwrap();
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[0], vec![0.0, 10.0]);
        assert_eq!(grid[1], vec![0.0, 20.0]);
        assert_eq!(grid[5], vec![1.0, 20.0]);
        // A Latin hypercube puts exactly one point in each stratum of each key.
        let n = 50;
        let lhs = Design::Lhs { samples: n }
            .points(&[a.clone(), b], &mut rng)
            .unwrap();
        for k in 0..2 {
            let mut strata: Vec<usize> = lhs
                .iter()
                .map(|p| {
                    let u = if k == 0 { p[0] } else { (p[1] - 10.0) / 10.0 };
                    (u * n as f64).floor() as usize
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert!(
            Design::Lhs { samples: 0 }
                .points(std::slice::from_ref(&a), &mut rng)
                .is_err()
        );
        assert!(Design::Grid.points(&[], &mut rng).is_err());
        assert!(Design::Grid.points(&[a.clone(), a], &mut rng).is_err());
    }
}
