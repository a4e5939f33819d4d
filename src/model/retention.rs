//! Who stays: arrivals still active 30 days after they arrived.

use super::draw::{Draws, binomial};

/// Of `arrivals` new or returning users, how many are still active after 30 days, each with
/// probability `retention_30d` independently.
pub fn retained(rng: &mut impl Draws, arrivals: u64, retention_30d: f64) -> u64 {
    binomial(rng, arrivals, retention_30d)
}
