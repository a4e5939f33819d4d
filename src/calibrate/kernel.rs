//! The ABC-SMC perturbation kernel: a multivariate normal with twice the previous population's
//! weighted covariance, so that proposals follow a correlated posterior along its ridge.
//!
//! Filippi, Barnes, Cornebise & Stumpf (2013), "On optimality of kernels for approximate
//! Bayesian computation using sequential Monte Carlo", Stat. Appl. Genet. Mol. Biol. 12:87-107,
//! §3.3: the multivariate normal kernel with Σ = 2·Cov (the covariance of the previous
//! population) minimises the same divergence the component-wise kernel of Beaumont et al. 2009
//! (Σ = 2·diag(var)) does, over all covariances rather than diagonal ones, and accepts more
//! proposals where parameters trade off against each other. The Cholesky factor comes from
//! nalgebra (already in the tree through statrs).

use nalgebra::{DMatrix, DVector};

/// A normal kernel `K(u | v) ∝ exp(-½ (u - v)ᵀ Σ⁻¹ (u - v))` with `Σ = L Lᵀ`.
#[derive(Debug, Clone)]
pub(crate) struct Kernel {
    /// The lower Cholesky factor `L` of `Σ`.
    lower: DMatrix<f64>,
}

impl Kernel {
    /// Twice the weighted covariance of `points` (rows, each of `dims` coordinates). Where the
    /// covariance is not positive definite (a parameter every particle shares), the component-
    /// wise kernel with each variance floored at 1e-18 (σ = 1e-9, as before) is used instead.
    pub(crate) fn from_population(points: &[Vec<f64>], weights: &[f64], dims: usize) -> Self {
        let mean: Vec<f64> = (0..dims)
            .map(|k| points.iter().zip(weights).map(|(u, w)| u[k] * w).sum())
            .collect();
        // Only the lower triangle: nalgebra's Cholesky reads no more of a symmetric matrix.
        let mut cov = DMatrix::<f64>::zeros(dims, dims);
        for (u, &w) in points.iter().zip(weights) {
            for a in 0..dims {
                for b in 0..=a {
                    cov[(a, b)] += 2.0 * w * (u[a] - mean[a]) * (u[b] - mean[b]);
                }
            }
        }
        let sigma = DVector::from_iterator(dims, (0..dims).map(|k| cov[(k, k)].max(1e-18).sqrt()));
        let lower = cov.cholesky().map(|c| c.l());
        match lower {
            Some(l) if l.diagonal().iter().all(|&d| d > 1e-9) => Kernel { lower: l },
            _ => Kernel {
                lower: DMatrix::from_diagonal(&sigma),
            },
        }
    }

    /// How many parameters the kernel moves.
    pub(crate) fn dims(&self) -> usize {
        self.lower.nrows()
    }

    /// `v + L z` for standard normal `z` (one coordinate each, in order).
    pub(crate) fn step(&self, v: &[f64], z: &[f64]) -> Vec<f64> {
        let moved = &self.lower * DVector::from_column_slice(z);
        v.iter().zip(moved.iter()).map(|(a, b)| a + b).collect()
    }

    /// `(u - v)ᵀ Σ⁻¹ (u - v)`, the squared Mahalanobis distance the kernel's density falls with.
    pub(crate) fn distance2(&self, u: &[f64], v: &[f64]) -> f64 {
        let d = DVector::from_iterator(u.len(), u.iter().zip(v).map(|(a, b)| a - b));
        self.lower
            .solve_lower_triangular(&d)
            .map_or(f64::INFINITY, |y| y.norm_squared())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a line u₁ = u₀ (fully correlated) plus a little noise: the kernel steps along the
    /// line, and its distance is small along it and large across it, where a diagonal kernel of
    /// the same variances cannot tell the two apart.
    #[test]
    fn the_kernel_follows_a_correlated_population() {
        let points: Vec<Vec<f64>> = (0..200)
            .map(|i| {
                let x = i as f64 / 200.0;
                let wobble = if i % 2 == 0 { 0.01 } else { -0.01 };
                vec![x, x + wobble]
            })
            .collect();
        let weights = vec![1.0 / 200.0; 200];
        let k = Kernel::from_population(&points, &weights, 2);
        let along = k.distance2(&[0.6, 0.6], &[0.5, 0.5]);
        let across = k.distance2(&[0.6, 0.4], &[0.5, 0.5]);
        assert!(across > 100.0 * along, "along {along}, across {across}");
        // Σ = L Lᵀ reproduces twice the covariance: var(x) = 1/12 nearly, so Σ₀₀ ≈ 1/6.
        let l = &k.lower;
        let s00 = l[(0, 0)] * l[(0, 0)];
        assert!((s00 - 2.0 * 0.0833).abs() < 0.005, "{s00}");
        // A step with z = (1, 0) moves both coordinates alike (along the line).
        let moved = k.step(&[0.5, 0.5], &[1.0, 0.0]);
        assert!((moved[0] - moved[1]).abs() < 0.01, "{moved:?}");
    }

    /// A parameter every particle shares: the component-wise kernel with σ = 1e-9 for it.
    #[test]
    fn a_degenerate_population_falls_back_to_the_diagonal() {
        let points = vec![vec![0.1, 0.5], vec![0.3, 0.5], vec![0.2, 0.5]];
        let k = Kernel::from_population(&points, &[1.0 / 3.0; 3], 2);
        assert!((k.lower[(1, 1)] - 1e-9).abs() < 1e-15);
        assert_eq!(k.lower[(1, 0)], 0.0);
    }
}
