//! Organic (baseline) registrations that an app gets on an ordinary day, reported apart from the surge.

use rand::Rng;
use rand_distr::{Distribution, Poisson};

/// Organic registrations within `hours`: Poisson with mean `per_day · hours / 24`.
pub fn organic_registrations(rng: &mut impl Rng, per_day: f64, hours: f64) -> u64 {
    let mean = per_day * hours / 24.0;
    if mean <= 0.0 {
        return 0;
    }
    // A valid mean (finite, > 0, far below rand_distr's limit of ~1.8e16) cannot fail.
    Poisson::new(mean).map_or(0, |p| p.sample(rng) as u64)
}
