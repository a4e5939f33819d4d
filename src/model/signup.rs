//! The sign-up capacity queue: registration attempts above capacity wait first-come
//! first-served, and each waiting attempt gives up at a constant hazard 1 / patience
//! (an M/M/c+M "impatient customers" queue in discrete time; Palm 1957, Garnett et al. 2002).

use super::draw::{binomial, probability};
use rand::Rng;

/// One queue shared by a set of regions under one capacity.
#[derive(Debug, Clone)]
pub struct SignupQueue {
    /// Attempts waiting, per region of this queue (in the order given at construction).
    pub waiting: Vec<u64>,
    /// Completions per second; `None` for no limit.
    capacity_per_second: Option<f64>,
    /// Fraction of a completion carried to the next step, so capacity is exact over time.
    carry: f64,
}

/// What one step of the queue did, per region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueStep {
    pub served: Vec<u64>,
    pub abandoned: Vec<u64>,
    /// Expected wait (seconds) of an attempt joining now: waiting / capacity.
    pub wait_seconds: f64,
}

impl SignupQueue {
    pub fn new(regions: usize, capacity_per_second: Option<f64>) -> Self {
        SignupQueue {
            waiting: vec![0; regions],
            capacity_per_second,
            carry: 0.0,
        }
    }

    /// Adds `attempts` (per region) to the queue, serves up to capacity for `dt_hours`, then lets
    /// each attempt still waiting give up with probability 1 - exp(-dt / patience).
    pub fn step(
        &mut self,
        rng: &mut impl Rng,
        attempts: &[u64],
        dt_hours: f64,
        patience_hours: f64,
        out: &mut QueueStep,
    ) {
        out.served.resize(self.waiting.len(), 0);
        out.abandoned.resize(self.waiting.len(), 0);
        for (w, a) in self.waiting.iter_mut().zip(attempts) {
            *w += a;
        }
        let total: u64 = self.waiting.iter().sum();
        let Some(rate) = self.capacity_per_second else {
            out.served.copy_from_slice(&self.waiting);
            self.waiting.fill(0);
            out.abandoned.fill(0);
            out.wait_seconds = 0.0;
            return;
        };
        let slots = rate * dt_hours * 3600.0 + self.carry;
        // The small tolerance keeps 29999.999… (rounding of rate · dt) from losing a slot.
        let whole = (slots + 1e-9).floor();
        self.carry = (slots - whole).max(0.0);
        let slots = whole as u64;
        if total <= slots {
            out.served.copy_from_slice(&self.waiting);
            self.waiting.fill(0);
        } else {
            share_slots(slots, &self.waiting, &mut out.served);
            for (w, s) in self.waiting.iter_mut().zip(&out.served) {
                *w -= s;
            }
        }
        let give_up = probability(1.0 / patience_hours, dt_hours);
        for (w, a) in self.waiting.iter_mut().zip(out.abandoned.iter_mut()) {
            *a = binomial(rng, *w, give_up);
            *w -= *a;
        }
        out.wait_seconds = self.waiting.iter().sum::<u64>() as f64 / rate;
    }
}

/// Shares `slots` among regions in proportion to how many wait (first-come first-served with
/// arrivals spread evenly), by the largest-remainder method so the total is exact and the
/// result does not depend on any random draw. Requires `slots < sum(waiting)`.
fn share_slots(slots: u64, waiting: &[u64], out: &mut [u64]) {
    let total: u64 = waiting.iter().sum();
    let mut given = 0;
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(waiting.len());
    for (i, &w) in waiting.iter().enumerate() {
        let exact = u128::from(slots) * u128::from(w);
        out[i] = (exact / u128::from(total)) as u64;
        given += out[i];
        remainders.push((exact % u128::from(total), i));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take((slots - given) as usize) {
        out[i] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn shares_slots_exactly_and_proportionally() {
        let mut out = [0; 3];
        share_slots(10, &[5, 10, 15], &mut out);
        assert_eq!(out.iter().sum::<u64>(), 10);
        assert_eq!(out, [2, 3, 5]);
    }

    #[test]
    fn capacity_limits_throughput_and_builds_wait() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut q = SignupQueue::new(2, Some(100.0));
        let mut step = QueueStep::default();
        // 5-minute step: 30,000 slots; 50,000 attempts.
        q.step(&mut rng, &[20_000, 30_000], 5.0 / 60.0, 1e9, &mut step);
        assert_eq!(step.served.iter().sum::<u64>(), 30_000);
        assert_eq!(
            q.waiting.iter().sum::<u64>(),
            20_000 - step.abandoned.iter().sum::<u64>()
        );
        assert!((step.wait_seconds - 200.0).abs() < 1.0);
    }

    #[test]
    fn fractional_capacity_is_carried() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut q = SignupQueue::new(1, Some(0.001));
        let mut step = QueueStep::default();
        let mut served = 0;
        for _ in 0..100 {
            q.step(&mut rng, &[10], 1.0, 1e12, &mut step);
            served += step.served[0];
        }
        assert_eq!(served, 360);
    }
}
