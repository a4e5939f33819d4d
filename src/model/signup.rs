//! The sign-up capacity queue: registration attempts above capacity wait first-come
//! first-served, and each waiting attempt gives up at a constant hazard 1 / patience
//! (an M/M/c+M "impatient customers" queue in discrete time; Palm 1957, Garnett et al. 2002).

use super::draw::{Draws, binomial, floor_non_negative};
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
    /// This step's attempts per region of the lane (a buffer reused across steps).
    attempts: Vec<u64>,
}

impl Lane {
    /// One step of this lane's queue, with `attempts` indexed by the scenario's regions (both
    /// engines call it): `false`, and no draw, when nobody waits and nobody arrives; otherwise
    /// the queue's step into `out`, per region of the lane in `self.regions` order, with the
    /// share `up` of the app's service working (1 unless it is down).
    pub fn step(
        &mut self,
        rng: &mut impl Draws,
        attempts: &[u64],
        up: f64,
        dt_hours: f64,
        patience_hours: f64,
        out: &mut QueueStep,
    ) -> bool {
        let idle = self.queue.waiting.iter().all(|&w| w == 0)
            && self.regions.iter().all(|&r| attempts[r] == 0);
        if idle {
            return false;
        }
        self.attempts.clear();
        self.attempts
            .extend(self.regions.iter().map(|&r| attempts[r]));
        self.queue
            .step_up(rng, &self.attempts, up, dt_hours, patience_hours, out);
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
            Lane {
                queue,
                attempts: Vec::with_capacity(regions.len()),
                regions,
            }
        })
        .collect()
}

impl Lane {
    /// Whether anyone waits in this lane's queue.
    pub fn waiting(&self) -> bool {
        self.queue.waiting.iter().any(|&w| w > 0)
    }

    /// Completions per hour the lane can make at most; `None` when nothing limits it.
    pub fn throughput_per_hour(&self) -> Option<f64> {
        self.queue
            .throughput()
            .map(|per_second| per_second * 3600.0)
    }
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

    /// Adds `attempts` (per region) to the queue, lets waiting attempts give up, and serves up
    /// to capacity for `dt_hours`.
    ///
    /// Abandonment follows the queue's fluid solution over the step (docs/MODEL.md §6): with
    /// the step's attempts arriving at a constant rate and the servers working at their limit,
    /// the expected number who give up is exact for any step length, so queues and waits do
    /// not shrink as the step grows (giving every attempt still waiting at the step's end a
    /// whole step's hazard did: a 5-minute step's longest wait was 19% short of a 1-minute
    /// step's). Each attempt present in the step then gives up with that expected share, a
    /// binomial draw per region.
    pub fn step(
        &mut self,
        rng: &mut impl Draws,
        attempts: &[u64],
        dt_hours: f64,
        patience_hours: f64,
        out: &mut QueueStep,
    ) {
        self.step_up(rng, attempts, 1.0, dt_hours, patience_hours, out);
    }

    /// [`SignupQueue::step`] for an app of which only the share `up` works (docs/MODEL.md §6,
    /// "An app that goes down"): its servers and verification codes complete `up` times their
    /// limits, so at `up = 0` nobody is served and the waiting give up at the patience hazard;
    /// an unlimited queue serves everyone unless `up` is 0. The expected wait is the queue over
    /// the rate that works now, or over the full rate while nothing works (the wait once it
    /// works again).
    pub fn step_up(
        &mut self,
        rng: &mut impl Draws,
        attempts: &[u64],
        up: f64,
        dt_hours: f64,
        patience_hours: f64,
        out: &mut QueueStep,
    ) {
        out.served.resize(self.waiting.len(), 0);
        out.abandoned.resize(self.waiting.len(), 0);
        let before: u64 = self.waiting.iter().sum();
        let arriving: u64 = attempts.iter().sum();
        for (w, a) in self.waiting.iter_mut().zip(attempts) {
            *w += a;
        }
        // Each region can complete at most as many sign-ups as its verification codes allow.
        let mut codes_total = None;
        if let Some(codes) = &self.verification {
            let mut sum = 0;
            for ((e, carry), per_second) in self
                .eligible
                .iter_mut()
                .zip(self.verification_carry.iter_mut())
                .zip(codes)
            {
                *e = whole_slots(*per_second * up, dt_hours, carry);
                sum += *e;
            }
            codes_total = Some(sum);
        }
        let mut server_slots = self
            .capacity_per_second
            .map(|rate| whole_slots(rate * up, dt_hours, &mut self.carry));
        let rate = self.throughput();
        if rate.is_none() {
            if up > 0.0 {
                out.served.copy_from_slice(&self.waiting);
                self.waiting.fill(0);
                out.abandoned.fill(0);
                out.wait_seconds = 0.0;
                return;
            }
            server_slots = Some(0);
        }
        // Completions the step can make at most (one of the two limits exists).
        let usable = match (server_slots, codes_total) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or_default(),
        };
        let present = before + arriving;
        let give_up = if present == 0 {
            0.0
        } else {
            (fluid_abandoned(
                before as f64,
                arriving as f64,
                usable as f64,
                dt_hours,
                patience_hours,
            ) / present as f64)
                .clamp(0.0, 1.0)
        };
        for (w, a) in self.waiting.iter_mut().zip(out.abandoned.iter_mut()) {
            *a = binomial(rng, *w, give_up);
            *w -= *a;
        }
        match &self.verification {
            Some(_) => {
                for (e, w) in self.eligible.iter_mut().zip(&self.waiting) {
                    *e = (*e).min(*w);
                }
            }
            None => self.eligible.copy_from_slice(&self.waiting),
        }
        let total: u64 = self.eligible.iter().sum();
        let slots = server_slots.unwrap_or(total);
        if total <= slots {
            out.served.copy_from_slice(&self.eligible);
        } else {
            share_slots(slots, &self.eligible, &mut out.served);
        }
        for (w, s) in self.waiting.iter_mut().zip(&out.served) {
            *w -= s;
        }
        let waiting = self.waiting.iter().sum::<u64>() as f64;
        out.wait_seconds = match rate {
            Some(rate) if up > 0.0 => waiting / (rate * up),
            Some(rate) => waiting / rate,
            None => 0.0,
        };
    }
}

/// Expected attempts that give up within one step of a fluid queue (the fluid limit of the
/// M/M/c+M queue; Whitt 2006, "Fluid models for multiserver queues with abandonments",
/// *Oper. Res.* 54:37): `waiting` at the step's start, `arriving` spread evenly over it,
/// `slots` completions the servers can make in it, each waiting attempt giving up at rate
/// 1/patience.
///
/// In units of one step, with arrival rate λ, service rate c and patience T = patience/dt,
/// the queue follows dQ/dt = λ - c - Q/T while it is not empty, so
/// Q(t) = Q* + (Q₀ - Q*) e^{-t/T} with Q* = (λ - c) T. If it does not empty within the step,
/// the abandoned are Q₀ + λ - c - Q(1) = Q₀ (1 - e^{-1/T}) + (λ - c)(1 - T (1 - e^{-1/T}));
/// if it empties at t_e = T ln(1 + Q₀ / ((c - λ) T)) < 1 (only when λ < c), they are
/// Q₀ - (c - λ) t_e, and nobody gives up after.
fn fluid_abandoned(
    waiting: f64,
    arriving: f64,
    slots: f64,
    dt_hours: f64,
    patience_hours: f64,
) -> f64 {
    if waiting <= 0.0 && arriving <= slots {
        return 0.0;
    }
    let t = patience_hours / dt_hours;
    let excess = arriving - slots;
    if excess < 0.0 {
        let t_empty = t * (waiting / (-excess * t)).ln_1p();
        if t_empty < 1.0 {
            return (waiting + excess * t_empty).max(0.0);
        }
    }
    let lost = -(-1.0 / t).exp_m1(); // 1 - e^{-1/T}
    (waiting * lost + excess * (1.0 - t * lost)).max(0.0)
}

/// Whole completions `per_second` allows in `dt_hours`, with the fraction left over carried
/// in `carry` to the next step, so the limit is exact over time.
fn whole_slots(per_second: f64, dt_hours: f64, carry: &mut f64) -> u64 {
    let slots = per_second * dt_hours * 3600.0 + *carry;
    // The small tolerance keeps 29999.999… (rounding of rate · dt) from losing a slot.
    let whole = floor_non_negative(slots + 1e-9);
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

    /// Euler integration of dQ/dt = λ - c·[Q > 0] - Q/T, the fluid queue, over one step.
    fn integrated(waiting: f64, arriving: f64, slots: f64, patience_steps: f64) -> f64 {
        let (n, mut q, mut lost) = (200_000, waiting, 0.0);
        let h = 1.0 / n as f64;
        for _ in 0..n {
            let served = if q > 0.0 { slots } else { slots.min(arriving) };
            let gone = q / patience_steps * h;
            q = (q + (arriving - served) * h - gone).max(0.0);
            lost += gone;
        }
        lost
    }

    #[test]
    fn abandonment_follows_the_fluid_queue() {
        // (waiting, arriving, slots, patience in steps): overloaded, emptying within the
        // step, draining but not empty, and a step as long as the patience.
        for &(w, a, c, t) in &[
            (1000.0, 3000.0, 1000.0, 2.0),
            (100.0, 500.0, 1000.0, 2.0),
            (5000.0, 500.0, 1000.0, 2.0),
            (0.0, 3000.0, 1000.0, 1.0),
            (2000.0, 0.0, 0.0, 0.5),
        ] {
            let exact = fluid_abandoned(w, a, c, 1.0, t);
            let euler = integrated(w, a, c, t);
            assert!(
                (exact - euler).abs() <= 1e-3 * euler.max(1.0),
                "{w} {a} {c} {t}: {exact} vs {euler}"
            );
        }
        assert_eq!(fluid_abandoned(0.0, 10.0, 20.0, 1.0, 2.0), 0.0);
    }

    #[test]
    fn steady_queue_does_not_depend_on_the_step() {
        // Attempts at twice a 100/s capacity, patience 10 minutes: the queue settles at
        // (λ - c) T = 100/s × 600 s = 60,000 waiting, a 600 s wait, whatever the step. The
        // old rule (a whole step's hazard for everyone still waiting) settled at
        // (λ - c) Δ e^{-Δ/T} / (1 - e^{-Δ/T}): 57,000 at 1-minute steps, 46,200 at 5 and 890
        // at 60.
        for minutes in [1.0, 5.0, 15.0, 60.0] {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
            let mut q = SignupQueue::new(1, Some(100.0));
            let mut step = QueueStep::default();
            let dt = minutes / 60.0;
            let per_step = (200.0 * 3600.0 * dt) as u64;
            for _ in 0..(6.0 / dt) as usize {
                q.step(&mut rng, &[per_step], dt, 10.0 / 60.0, &mut step);
            }
            let relative = (step.wait_seconds - 600.0).abs() / 600.0;
            assert!(
                relative < 0.01,
                "{minutes}-minute steps: {} s",
                step.wait_seconds
            );
        }
    }
}
