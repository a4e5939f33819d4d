//! The sign-up capacity queue: registration attempts above capacity wait first-come
//! first-served, and each waiting attempt gives up at a constant hazard 1 / patience
//! (an M/M/c+M "impatient customers" queue in discrete time; Palm 1957, Garnett et al. 2002).

use super::draw::{binomial, probability};
use rand::Rng;
use serde::Serialize;

/// Registrations an app can complete per second.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// No limit (used for the Bass reduction check).
    Unlimited,
    /// One limit shared by all regions, per second.
    Global(f64),
    /// A limit per region (in region order), per second.
    PerRegion(Vec<f64>),
}

/// A queue and the regions it serves (indices into the scenario's regions).
#[derive(Debug, Clone)]
pub struct Lane {
    pub queue: SignupQueue,
    pub regions: Vec<usize>,
}

impl Lane {
    /// One step of this lane's queue, with `attempts` indexed by the scenario's regions (both
    /// engines call it): `false`, and no draw, when nobody waits and nobody arrives; otherwise
    /// the queue's step into `out`, per region of the lane in `self.regions` order. `scratch`
    /// receives the lane's own attempts (a buffer reused across steps).
    pub fn step(
        &mut self,
        rng: &mut impl Rng,
        attempts: &[u64],
        dt_hours: f64,
        patience_hours: f64,
        scratch: &mut Vec<u64>,
        out: &mut QueueStep,
    ) -> bool {
        let idle = self.queue.waiting.iter().all(|&w| w == 0)
            && self.regions.iter().all(|&r| attempts[r] == 0);
        if idle {
            return false;
        }
        scratch.clear();
        scratch.extend(self.regions.iter().map(|&r| attempts[r]));
        self.queue.step(rng, scratch, dt_hours, patience_hours, out);
        true
    }
}

/// The queues of one app over `regions` regions: one shared by all under no limit or a global
/// one, one per region under regional limits (docs/MODEL.md §6), each with the regions'
/// verification-code limits when the app has them (per region, in region order).
pub fn lanes(capacity: &Capacity, verification: Option<&[f64]>, regions: usize) -> Vec<Lane> {
    let groups: Vec<(Vec<usize>, Option<f64>)> = match capacity {
        Capacity::Unlimited => vec![((0..regions).collect(), None)],
        Capacity::Global(c) => vec![((0..regions).collect(), Some(*c))],
        Capacity::PerRegion(cs) => cs
            .iter()
            .enumerate()
            .map(|(r, c)| (vec![r], Some(*c)))
            .collect(),
    };
    groups
        .into_iter()
        .map(|(regions, capacity)| {
            let mut queue = SignupQueue::new(regions.len(), capacity);
            if let Some(codes) = verification {
                queue = queue.with_verification(regions.iter().map(|&r| codes[r]).collect());
            }
            Lane { queue, regions }
        })
        .collect()
}

/// One queue shared by a set of regions under one capacity.
#[derive(Debug, Clone)]
pub struct SignupQueue {
    /// Attempts waiting, per region of this queue (in the order given at construction).
    pub waiting: Vec<u64>,
    /// Completions per second; `None` for no limit.
    capacity_per_second: Option<f64>,
    /// Fraction of a completion carried to the next step, so capacity is exact over time.
    carry: f64,
    /// Per region of this queue: verification codes deliverable per second (SMS gateways), a
    /// second limit each region's completions must respect; `None` for no such limit.
    verification: Option<Vec<f64>>,
    /// Per region: fraction of a verification slot carried to the next step.
    verification_carry: Vec<f64>,
    /// Per region: completions the verification limit allows this step (scratch).
    eligible: Vec<u64>,
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
            verification: None,
            verification_carry: vec![0.0; regions],
            eligible: vec![0; regions],
        }
    }

    /// Adds a per-region limit on verification codes per second (in this queue's region order).
    pub fn with_verification(mut self, per_second: Vec<f64>) -> Self {
        self.verification = Some(per_second);
        self
    }

    /// Completions per second the queue can reach at most: the servers' capacity, or the sum of
    /// the regions' verification limits if that is lower; `None` if neither limits it.
    fn throughput(&self) -> Option<f64> {
        let codes = self.verification.as_ref().map(|v| v.iter().sum::<f64>());
        match (self.capacity_per_second, codes) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
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
        // Each region can complete at most as many sign-ups as its verification codes allow.
        self.eligible.copy_from_slice(&self.waiting);
        if let Some(codes) = &self.verification {
            for ((e, carry), per_second) in self
                .eligible
                .iter_mut()
                .zip(self.verification_carry.iter_mut())
                .zip(codes)
            {
                *e = (*e).min(whole_slots(*per_second, dt_hours, carry));
            }
        }
        let total: u64 = self.eligible.iter().sum();
        let slots = match self.capacity_per_second {
            None => total,
            Some(rate) => whole_slots(rate, dt_hours, &mut self.carry),
        };
        if total <= slots {
            out.served.copy_from_slice(&self.eligible);
        } else {
            share_slots(slots, &self.eligible, &mut out.served);
        }
        for (w, s) in self.waiting.iter_mut().zip(&out.served) {
            *w -= s;
        }
        let Some(rate) = self.throughput() else {
            out.abandoned.fill(0);
            out.wait_seconds = 0.0;
            return;
        };
        let give_up = probability(1.0 / patience_hours, dt_hours);
        for (w, a) in self.waiting.iter_mut().zip(out.abandoned.iter_mut()) {
            *a = binomial(rng, *w, give_up);
            *w -= *a;
        }
        out.wait_seconds = self.waiting.iter().sum::<u64>() as f64 / rate;
    }
}

/// Whole completions `per_second` allows in `dt_hours`, with the fraction left over carried
/// in `carry` to the next step, so the limit is exact over time.
fn whole_slots(per_second: f64, dt_hours: f64, carry: &mut f64) -> u64 {
    let slots = per_second * dt_hours * 3600.0 + *carry;
    // The small tolerance keeps 29999.999… (rounding of rate · dt) from losing a slot.
    let whole = (slots + 1e-9).floor();
    *carry = (slots - whole).max(0.0);
    whole as u64
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

    #[test]
    fn verification_codes_limit_each_region() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        // Servers could take 1000/s, but region 0's SMS gateway delivers only 10 codes a second.
        let mut q = SignupQueue::new(2, Some(1000.0)).with_verification(vec![10.0, 1000.0]);
        let mut step = QueueStep::default();
        q.step(&mut rng, &[50_000, 50_000], 1.0 / 60.0, 1e9, &mut step);
        assert_eq!(step.served, vec![600, 50_000]);
        // Servers at 100/s bind: 6,000 completions shared among what each region may complete.
        let mut q = SignupQueue::new(2, Some(100.0)).with_verification(vec![10.0, 1000.0]);
        q.step(&mut rng, &[50_000, 50_000], 1.0 / 60.0, 1e9, &mut step);
        assert_eq!(step.served.iter().sum::<u64>(), 6_000);
        assert!(step.served[0] <= 600 && step.served[0] > 0);
        // Unlimited servers: only the codes limit.
        let mut q = SignupQueue::new(1, None).with_verification(vec![2.0]);
        q.step(&mut rng, &[1_000], 1.0 / 60.0, 1e9, &mut step);
        assert_eq!(step.served, vec![120]);
        assert_eq!(q.waiting.iter().sum::<u64>() + step.abandoned[0], 880);
        assert!((step.wait_seconds - q.waiting[0] as f64 / 2.0).abs() < 1e-9);
    }
}
