//! How long a step the cohort engine takes under the adaptive rule: the longest join of the
//! grid's steps over which no propensity is expected to change by more than ε of itself
//! (tau-leaping's step selection, Cao, Gillespie & Petzold 2006; docs/MODEL.md §1, "Steps").

use super::{CohortEngine, CohortState, Scratch};
use crate::model::draw::probability;
use crate::model::signup::Lane;
use crate::model::stepping::within;
use crate::model::switching::{boosted_hazard, switched_share};

impl CohortEngine {
    /// How many steps of the grid the step starting at `start` joins under the adaptive rule
    /// (docs/MODEL.md §1, "Steps"; Cao, Gillespie & Petzold 2006): the most, up to the next
    /// recorded step, over which the news, the named apps and the services stay as they are,
    /// no queue waits or forms, and the moves expected from the state frozen at `start` change
    /// no propensity by more than `tolerance` of itself (`stepping::within`): the unaware and
    /// the noticed of every holding (each the base of its own moves), word of mouth `p + qF`,
    /// the contacts' pull `1 + βC`, the known apps and the buzz.
    pub(super) fn leap(
        &self,
        start: usize,
        state: &CohortState,
        lanes: &[Vec<Lane>],
        tolerance: f64,
        scratch: &mut Scratch,
    ) -> usize {
        // Never past the steps whose drivers were computed (binding only after the steps a
        // shortened engine's runs are cut at, `CohortEngine::until`).
        let most = self.reach[start].min(self.horizon - start);
        if most == 1 || lanes.iter().flatten().any(Lane::waiting) {
            return 1;
        }
        // Every bound grows with the step, so the longest step is tried first (most joined
        // steps in a quiet tail are the longest), then the others from the shortest.
        if self.joinable(start, most, state, lanes, tolerance, scratch) {
            return most;
        }
        (2..most)
            .take_while(|&len| self.joinable(start, len, state, lanes, tolerance, scratch))
            .last()
            .unwrap_or(1)
    }

    /// Notes each app's sign-ups attempted or served per step of the grid in the step just taken
    /// (`len` steps long), the busiest so far being what a joined step must stay below.
    pub(super) fn note_peaks(&self, len: usize, state: &CohortState, scratch: &mut Scratch) {
        for (k, peak) in scratch.peak.iter_mut().enumerate() {
            let attempts: u64 = scratch.attempts[k].iter().sum();
            let served = state.counts.served_last_step[k];
            *peak = peak.max(attempts.max(served) as f64 / len as f64);
        }
    }

    /// Whether `len` steps from `start` may be joined (the bounds of [`CohortEngine::leap`]).
    fn joinable(
        &self,
        start: usize,
        len: usize,
        state: &CohortState,
        lanes: &[Vec<Lane>],
        tolerance: f64,
        scratch: &mut Scratch,
    ) -> bool {
        let b = &self.behaviour;
        if !self.drivers.steady(start, len) {
            return false;
        }
        let tau = len as f64 * self.scenario.timeline.step_hours;
        let drivers = self.drivers.over(start, len, &mut scratch.joined);
        // Each bound returns at its first failure (the rest cannot make the step fit).
        for (r, region) in state.regions.iter().enumerate() {
            let users = region.users as f64;
            let switched = switched_share(region.switched(), region.users);
            let buzz = state.buzz.hazard(b, r);
            let noticing = probability(drivers.notice_rate[r], tau);
            if noticing == 0.0 && region.noticed.iter().all(|&n| n == 0) {
                // Nobody can move here (before an event, or a region it spared): every bound
                // below holds with no moves, and its holdings' boosts need not be computed.
                scratch.moving[r] = 0.0;
                continue;
            }
            let via_contacts = b.dormant_contacts > 0.0;
            let (looking, news) = (drivers.looking[r], drivers.news[r]);
            let boosts = self.region_at_start(r, state, scratch.start, &mut scratch.at_start);
            let mut moving = 0.0;
            for (h, &boost) in boosts.iter().enumerate() {
                let unaware = region.unaware[h] as f64;
                let newly = unaware * noticing;
                let noticed = region.noticed[h] as f64 + newly;
                scratch.leap_hazard[h] = 0.0;
                if noticed == 0.0 {
                    continue;
                }
                let hazard = boosted_hazard(b, boost, looking, news, region.moves(h)) + buzz;
                scratch.leap_hazard[h] = hazard;
                let leaving = noticed * probability(hazard, tau);
                if !(within(newly, unaware, tolerance) && within(leaving, noticed, tolerance)) {
                    return false;
                }
                moving += leaving;
            }
            scratch.moving[r] = moving;
            if moving == 0.0 {
                continue;
            }
            // The step's switchers raise F by ΔF = S / N_r and the buzz level B by at most
            // ΔB = (1 + η ψ) S / N_r, so each holding's hazard by L·m·q·ΔF (word of mouth) +
            // γ·ΔB / T_b (the buzz): at most ε of it. The buzz's decay is not frozen (its mean
            // over the step is taken).
            let share = moving / users;
            let buzz_gain = state.buzz.gain_bound(b, r, moving);
            for (h, &boost) in boosts.iter().enumerate() {
                let hazard = scratch.leap_hazard[h];
                if hazard > 0.0 {
                    let mut rise = looking * boost * b.word_of_mouth_per_hour * share
                        + buzz_gain * share / b.buzz_hours;
                    if via_contacts && h > 0 {
                        // The boost's reach 1 - (1 - C)^n rises by at most n·ΔC, ΔC ≤ ΔF.
                        rise += looking
                            * (b.dormant_boost - 1.0)
                            * b.dormant_contacts
                            * share
                            * (b.innovation_per_hour + b.word_of_mouth_per_hour * switched);
                    }
                    if rise > tolerance * hazard {
                        return false;
                    }
                }
            }
            // The contacts' pull 1 + βC and the press-or-contact awareness change by at most
            // β·ΔF and n·ΔF (ΔC ≤ ΔF).
            if !within(moving * b.contact_weight, users, tolerance)
                || (self.press.is_some() && !within(moving * b.known_contacts, users, tolerance))
            {
                return false;
            }
        }
        // No step inside may set a new peak: the peak rates are the busiest single step's, and
        // a joined step spreads its moves evenly. Every app's busiest step so far (sign-ups
        // attempted or served) must lie beyond the step's expected switchers, of all apps, by
        // 4 Poisson standard deviations and one user; an app nobody has tried yet is not held.
        let expected: f64 = scratch.moving.iter().sum::<f64>() / len as f64;
        let ceiling = expected + 4.0 * expected.sqrt() + 1.0;
        if expected > 0.0 && scratch.peak.iter().any(|&p| p > 0.0 && ceiling > p) {
            return false;
        }
        // No queue may form: every lane can serve what may arrive at it. (A switcher who also
        // tries a second app, `choice.trial_share`, still adds at most one sign-up to any one
        // app, so a region's expected switchers bound each app's arrivals from it, as without
        // trials; so do they bound the contact shares' rise above.)
        lanes.iter().flatten().all(|lane| {
            lane.throughput_per_hour().is_none_or(|per_hour| {
                lane.regions.iter().map(|&r| scratch.moving[r]).sum::<f64>() <= per_hour * tau
            })
        })
    }
}
