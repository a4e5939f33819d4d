//! The cohort engine: a chain-binomial model that moves *counts* of users between states each
//! time step with binomial and multinomial draws (Reed-Frost style; Abbey 1952), so billions of
//! users are simulated exactly and stochastically without one draw per user.
//!
//! The behaviour (hazards, choice, queue, retention) lives in `crate::model`; this file only
//! keeps the counts and calls it.

use super::observe::{Engine, Observed, Observer};
use super::record::recorded_steps;
use super::schedule::schedule_until;
use super::streams::{Component, RunStreams};
use crate::model::Behaviour;
use crate::model::baseline::organic_registrations;
use crate::model::buzz::{Buzz, follow_news_and_buzz};
use crate::model::draw::{binomial, binomial_at_least_one, probability};
use crate::model::drivers::{JoinedDrivers, Schedule};
use crate::model::retention::retained;
use crate::model::signup::{Lane, QueueStep, lanes};
use crate::model::stepping::StepRule;

mod leap;
use crate::model::switching::{
    Arrival, Holding, Moves, arrival, awareness, boosted_hazard, choice_weights, choose,
    consider_known, contact_share, holding_boost, news_led_share, switched_share, switchers,
    try_another,
};
use crate::scenario::Scenario;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

/// How one region's affected users stand, beyond what observers see (`Observed`). Holdings are
/// indexed 0 = no account, 1 + k = dormant account at app k.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionState {
    pub users: u64,
    /// Users already active on each app (they keep using it; not arrivals).
    pub active: Vec<u64>,
    /// Have not noticed the event, per holding.
    pub unaware: Vec<u64>,
    /// Noticed the event and may look for an alternative, per holding.
    pub noticed: Vec<u64>,
    /// Those who have chosen each app so far (first choices; `F_k` = chose[k] / users).
    pub chose: Vec<u64>,
    /// Second apps tried so far (`try_another`): each is one more account, at an app other
    /// than the trier's first choice, in the queue, registered, back or given up.
    pub tried: u64,
}

impl RegionState {
    /// Everyone who has chosen an alternative so far (F = switched / users).
    pub fn switched(&self) -> u64 {
        self.chose.iter().sum()
    }

    /// The moves of others that a user of holding `h` (0 none, 1 + k dormant at k) hears of as
    /// word of mouth: everyone who switched, and those who chose her own app (docs/MODEL.md §4).
    pub fn moves(&self, h: usize) -> Moves {
        let all = switched_share(self.switched(), self.users);
        match Holding::from_index(h) {
            Holding::None => Moves::of_all(all),
            Holding::Dormant(k) => Moves {
                all,
                to_own: switched_share(self.chose[k], self.users),
            },
        }
    }
}

/// The whole population at one moment: the hidden states and the observable counts.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortState {
    pub regions: Vec<RegionState>,
    pub counts: Observed,
    /// The migration as news (`model::buzz`); unused when `buzz_gain` is 0.
    pub buzz: Buzz,
}

impl CohortState {
    /// Accounts of region `r`'s users, each in exactly one state: its users (one each), plus
    /// the second apps they tried (`RegionState::tried`) at every step.
    pub fn accounted(&self, r: usize) -> u64 {
        let sum = |v: &[u64]| v.iter().sum::<u64>();
        let (region, counts) = (&self.regions[r], &self.counts.regions[r]);
        sum(&region.unaware)
            + sum(&region.noticed)
            + sum(&region.active)
            + sum(&counts.waiting)
            + sum(&counts.registered)
            + sum(&counts.reactivated)
            + sum(&counts.abandoned)
    }
}

/// Region `r`'s contact shares `C_k` (`contact_share`: its users on each app, active, registered
/// or back) into `out`, one per app.
fn contact_shares(r: usize, state: &CohortState, out: &mut [f64]) {
    let (region, counts) = (&state.regions[r], &state.counts.regions[r]);
    for (k, c) in out.iter_mut().enumerate() {
        *c = contact_share(
            region.active[k],
            counts.registered[k],
            counts.reactivated[k],
            region.users,
        );
    }
}

/// Per region, per app: the share who know each app from the press (1 where an app gives no
/// `known_share`), or None when no app gives one (then nobody's choice is restricted).
pub fn press_awareness(scenario: &Scenario) -> Option<Vec<Vec<f64>>> {
    if scenario.apps.iter().all(|a| a.known.is_none()) {
        return None;
    }
    Some(
        (0..scenario.regions.len())
            .map(|r| {
                scenario
                    .apps
                    .iter()
                    .map(|a| a.known.as_ref().map_or(1.0, |k| k[r]))
                    .collect()
            })
            .collect(),
    )
}

/// Everything about a scenario that does not change between runs.
#[derive(Debug, Clone)]
pub struct CohortEngine {
    pub scenario: Scenario,
    pub behaviour: Behaviour,
    drivers: Schedule,
    attractiveness: Vec<f64>,
    /// Per region, per app: the share who know the app from the press (`known_share`; 1 for an
    /// app that gives none); None when every app is known to everyone (docs/MODEL.md §5).
    press: Option<Vec<Vec<f64>>>,
    /// Per step: whether counts are recorded after it, so retention must be drawn by then.
    retention_due: Vec<bool>,
    /// Per step: the most steps a joined step starting there may take (to the next step whose
    /// counts are recorded, which a joined step never crosses).
    reach: Vec<usize>,
    /// Steps whose drivers were computed: the timeline's, or fewer for a run that stops early
    /// ([`CohortEngine::until`]); the engine never steps past them.
    horizon: usize,
}

impl CohortEngine {
    pub fn new(scenario: &Scenario, behaviour: &Behaviour) -> Self {
        Self::until(scenario, behaviour, scenario.timeline.steps)
    }

    /// An engine for runs that stop after step `steps - 1` (their observer wants no more): its
    /// drivers are computed only as far as a step starting before that may reach (to the next
    /// recorded step), so such runs are step for step those of [`CohortEngine::new`].
    pub fn until(scenario: &Scenario, behaviour: &Behaviour, steps: usize) -> Self {
        let retention_due = recorded_steps(&scenario.timeline);
        let mut reach = vec![1; retention_due.len()];
        for s in (0..retention_due.len().saturating_sub(1)).rev() {
            if !retention_due[s] {
                reach[s] = reach[s + 1] + 1;
            }
        }
        let all = scenario.timeline.steps;
        // A step starting at s <= steps - 1 ends at the first recorded step from s on, at
        // most the first recorded step from steps - 1 on.
        let horizon = match steps.min(all) {
            0 => 0,
            n => (n - 1 + reach[n - 1]).min(all),
        };
        CohortEngine {
            drivers: schedule_until(scenario, behaviour, horizon),
            attractiveness: scenario.apps.iter().map(|a| a.attractiveness).collect(),
            press: press_awareness(scenario),
            retention_due,
            reach,
            horizon,
            scenario: scenario.clone(),
            behaviour: behaviour.clone(),
        }
    }

    /// The state before the first step: account holders split by the scenario's shares
    /// (rounded down; the remainder holds no account), everyone unaware.
    pub fn initial_state(&self) -> CohortState {
        let apps = &self.scenario.apps;
        let regions: Vec<RegionState> = self
            .scenario
            .regions
            .iter()
            .enumerate()
            .map(|(r, region)| {
                let n = region.users;
                let count = |share: f64| ((n as f64) * share).floor() as u64;
                let active: Vec<u64> = apps.iter().map(|a| count(a.accounts[r].active)).collect();
                let dormant: Vec<u64> = apps.iter().map(|a| count(a.accounts[r].dormant)).collect();
                let held: u64 = active.iter().sum::<u64>() + dormant.iter().sum::<u64>();
                let mut unaware = vec![n.saturating_sub(held)];
                unaware.extend(dormant);
                RegionState {
                    users: n,
                    active,
                    noticed: vec![0; apps.len() + 1],
                    unaware,
                    chose: vec![0; apps.len()],
                    tried: 0,
                }
            })
            .collect();
        CohortState {
            counts: Observed::new(regions.len(), apps.len()),
            buzz: Buzz::new(regions.iter().map(|r| r.users), apps.len(), |r, k| {
                apps[k].accounts[r].active
            }),
            regions,
        }
    }

    /// Every app's sign-up queues (`model::signup::lanes`).
    fn lanes(&self) -> Vec<Vec<Lane>> {
        let n_regions = self.scenario.regions.len();
        self.scenario
            .apps
            .iter()
            .map(|app| lanes(&app.capacity, app.verification.as_deref(), n_regions))
            .collect()
    }

    /// Simulates one run with its own streams, calling `inspect` after every step with the whole
    /// state, hidden counts included (for tests of the cohort engine itself, such as
    /// conservation); observers of outputs use [`Engine::run`]. Under the adaptive rule it is
    /// called at the end of each joined step (with that step's last index).
    pub fn run_inspecting(
        &self,
        streams: &RunStreams,
        inspect: &mut dyn FnMut(usize, &CohortState),
    ) {
        self.run_while(streams, &mut |step, state, _, ended| {
            if ended {
                inspect(step, state);
            }
            true
        });
    }

    /// Runs until `on_step` answers false. `on_step(step, state, seen, ended)` is called for
    /// every step of the scenario's grid with the counts observers see after it: the state's
    /// own after a step taken alone; for the steps of a joined step, the counts spread over it
    /// (`Observed::between`), `ended` only at its last, where the state is current.
    fn run_while(
        &self,
        streams: &RunStreams,
        on_step: &mut dyn FnMut(usize, &CohortState, &Observed, bool) -> bool,
    ) {
        // The scenario decides how the run's binomials are drawn (docs/MODEL.md §7).
        let streams = &streams.sampling(self.scenario.sampler);
        let mut state = self.initial_state();
        let mut lanes = self.lanes();
        let mut scratch = Scratch::new(self.scenario.apps.len(), self.scenario.regions.len());
        let steps = self.horizon;
        let mut start = 0;
        while start < steps {
            scratch.start = start;
            let len = match self.scenario.stepping {
                StepRule::Fixed => 1,
                StepRule::Adaptive { tolerance } => {
                    self.leap(start, &state, &lanes, tolerance, &mut scratch)
                }
            };
            if len > 1 {
                scratch.before.clone_from(&state.counts);
            }
            self.step(start, len, &mut state, &mut lanes, streams, &mut scratch);
            if self.scenario.stepping != StepRule::Fixed {
                self.note_peaks(len, &state, &mut scratch);
            }
            if len == 1 {
                if !on_step(start, &state, &state.counts, true) {
                    return;
                }
            } else {
                for part in 1..=len {
                    scratch.between.between(
                        &scratch.before,
                        &state.counts,
                        part as u64,
                        len as u64,
                    );
                    if !on_step(start + part - 1, &state, &scratch.between, part == len) {
                        return;
                    }
                }
            }
            start += len;
        }
    }

    /// Steps `step..step + len` of the grid as one step (`len` is 1 under the fixed rule): its
    /// draws are keyed by its first step, its drivers joined (`Schedule::over`).
    fn step(
        &self,
        step: usize,
        len: usize,
        state: &mut CohortState,
        lanes: &mut [Vec<Lane>],
        streams: &RunStreams,
        scratch: &mut Scratch,
    ) {
        let dt = self.scenario.timeline.step_hours * len as f64;
        let mut joined = std::mem::take(&mut scratch.joined);
        let drivers = self.drivers.over(step, len, &mut joined);
        for attempts in &mut scratch.attempts {
            attempts.fill(0);
        }
        let buzzing = self.behaviour.buzz_gain > 0.0;
        // The buzz decays as e^{-t/T_b} between switches, a known course: a joined step takes
        // the mean of the levels its steps would have had, (1/m) Σ_j e^{-j Δt/T_b}.
        let buzz_decay = if len == 1 || !buzzing {
            1.0
        } else {
            let one = (-self.scenario.timeline.step_hours / self.behaviour.buzz_hours).exp();
            (1.0 - one.powi(len as i32)) / (len as f64 * (1.0 - one))
        };
        for r in 0..state.regions.len() {
            let notice_p = probability(drivers.notice_rate[r], dt);
            scratch.buzz_hazard = state.buzz.hazard(&self.behaviour, r) * buzz_decay;
            if notice_p == 0.0 && drivers.looking[r] <= 0.0 && scratch.buzz_hazard == 0.0 {
                scratch.quiet[r] = None;
                continue;
            }
            if scratch.buzz_hazard > 0.0 {
                state.buzz.shares(r, &mut scratch.buzz_shares);
            }
            scratch.named.clear();
            scratch.named.extend_from_slice(drivers.named(r));
            scratch.advertised.clear();
            scratch.advertised.extend_from_slice(drivers.advertised(r));
            scratch.news = drivers.news[r];
            let mut looking_rng = streams.lazy(Component::Looking, step, r);
            let mut choice_rng = streams.lazy(Component::Choice, step, r);
            let (looking, news) = (drivers.looking[r], drivers.news[r]);
            // The contact shares as the step began (each holder's boost, and what `settle`'s
            // choices read) and the boosts they give.
            let boosts = self.region_at_start(r, state, scratch.start, &mut scratch.at_start);
            // One boost per holding (the unaware's: none, then a dormant account at each app).
            for (h, &boost) in boosts.iter().enumerate() {
                // Adding a buzz hazard of 0 leaves the hazard exactly as it was.
                let moves = state.regions[r].moves(h);
                scratch.hazard[h] = boosted_hazard(&self.behaviour, boost, looking, news, moves)
                    + scratch.buzz_hazard;
            }
            scratch.looking = drivers.looking[r];
            if notice_p > 0.0 {
                scratch.quiet[r] = None;
                let mut notice_rng = streams.lazy(Component::Notice, step, r);
                for h in 0..state.regions[r].unaware.len() {
                    let region = &mut state.regions[r];
                    let newly = binomial(&mut notice_rng, region.unaware[h], notice_p);
                    region.unaware[h] -= newly;
                    region.noticed[h] += newly;
                    let moving =
                        switchers(&mut looking_rng, region.noticed[h], scratch.hazard[h], dt);
                    self.settle(r, h, moving, state, &mut choice_rng, scratch);
                }
                continue;
            }
            // Nobody notices in this step, so only the noticed can move, and until someone does
            // every hazard is known in advance. The region therefore advances to its next switch
            // in one draw: with lambda_h = N_h h_h dt (N_h noticed holders of h, hazard h_h),
            // no one switches in a step with probability exp(-sum_h lambda_h), so the first step
            // with a switch is where the running sum of lambdas passes an Exp(1) budget (the
            // discrete form of the next-reaction method; Gibson & Bruck 2000). In that step the
            // holdings draw conditioned on at least one switch among them. Exact, and most steps
            // after service returns cost a few multiplications instead of four binomial draws.
            let lambda = |h: usize, state: &CohortState, scratch: &Scratch| {
                state.regions[r].noticed[h] as f64 * scratch.hazard[h] * dt
            };
            let mut total = 0.0;
            for h in (0..scratch.hazard.len()).rev() {
                total += lambda(h, state, scratch);
                scratch.lambda_from[h] = total;
            }
            if total <= 0.0 {
                continue;
            }
            let budget = scratch.quiet[r].get_or_insert_with(|| Exp1.sample(&mut looking_rng));
            if *budget > total {
                *budget -= total;
                continue;
            }
            scratch.quiet[r] = None;
            let mut pending = true;
            for h in 0..scratch.hazard.len() {
                // Holding h has not moved yet this step, so its lambda is as summed above.
                let (noticed, lambda) = (state.regions[r].noticed[h], lambda(h, state, scratch));
                if lambda <= 0.0 {
                    continue;
                }
                let p = probability(scratch.hazard[h], dt);
                let moving = if !pending {
                    binomial(&mut looking_rng, noticed, p)
                } else {
                    // P(some switch here | some switch in holdings h..) = (1 - e^-l_h) / (1 - e^-L_h).
                    let first = (-lambda).exp_m1() / (-scratch.lambda_from[h]).exp_m1();
                    if looking_rng.random::<f64>() < first {
                        pending = false;
                        binomial_at_least_one(&mut looking_rng, noticed, p, lambda)
                    } else {
                        0
                    }
                };
                self.settle(r, h, moving, state, &mut choice_rng, scratch);
            }
        }
        if buzzing {
            state.buzz.end_step(&self.behaviour, dt);
        }
        self.serve(step, len, &drivers, state, lanes, streams, scratch, dt);
        scratch.joined = joined;
        let (every, last) = (self.scenario.timeline.output_every, step + len - 1);
        if (last + 1).is_multiple_of(every) {
            let base_dt = self.scenario.timeline.step_hours;
            for (k, app) in self.scenario.apps.iter().enumerate() {
                state.counts.baseline[k] += organic_registrations(
                    &mut streams.lazy(Component::Baseline, last, k),
                    app.baseline_per_day * self.drivers.up_over(last + 1 - every..=last, k),
                    every as f64 * base_dt,
                );
            }
        }
    }

    /// Region `r`'s contact shares and holding boosts (`holding_boost`) for the step starting
    /// at `start`, computed once into `at_start[r]`: the adaptive rule's candidate steps and the
    /// step taken all read the state as it began, which no candidate changes (the boost's
    /// `exp_m1` and `ln_1p` were 6% of a run when each read recomputed them).
    pub(super) fn region_at_start<'a>(
        &self,
        r: usize,
        state: &CohortState,
        start: usize,
        at_start: &'a mut [AtStart],
    ) -> &'a [f64] {
        let cache = &mut at_start[r];
        if cache.step != Some(start) {
            contact_shares(r, state, &mut cache.contacts);
            for (h, boost) in cache.boosts.iter_mut().enumerate() {
                *boost = holding_boost(&self.behaviour, Holding::from_index(h), &cache.contacts);
            }
            cache.step = Some(start);
        }
        &at_start[r].boosts
    }

    /// `moving` noticed holders of holding `h` in region `r` choose an alternative: dormant
    /// holders returning to their own app arrive at once, everyone else joins the sign-up queue.
    fn settle(
        &self,
        r: usize,
        h: usize,
        moving: u64,
        state: &mut CohortState,
        choice_rng: &mut impl crate::model::draw::Draws,
        scratch: &mut Scratch,
    ) {
        if moving == 0 {
            return;
        }
        // The shares as the step began: `step` computed them (`region_at_start`) before any
        // move of the region.
        debug_assert_eq!(scratch.at_start[r].step, Some(scratch.start));
        let contacts = &scratch.at_start[r].contacts;
        let (region, counts) = (&mut state.regions[r], &mut state.counts.regions[r]);
        choice_weights(
            &self.behaviour,
            Holding::from_index(h),
            &self.attractiveness,
            contacts,
            &mut scratch.weights,
        );
        if let Some(press) = &self.press {
            // Who knows each app: her own dormant app, else the press or a contact using it.
            for (k, known) in scratch.known.iter_mut().enumerate() {
                *known = if Holding::from_index(h) == Holding::Dormant(k) {
                    1.0
                } else {
                    awareness(press[r][k], contacts[k], self.behaviour.known_contacts)
                };
            }
            consider_known(&mut scratch.weights, &scratch.known);
        }
        if scratch.buzz_hazard > 0.0 || !scratch.named.is_empty() || !scratch.advertised.is_empty()
        {
            // The news and the buzz lead their shares of the hazard to the apps they name.
            let hazard = scratch.hazard[h];
            follow_news_and_buzz(
                &mut scratch.weights,
                &scratch.named,
                news_led_share(&self.behaviour, scratch.looking, scratch.news, hazard),
                &scratch.buzz_shares,
                scratch.buzz_hazard / hazard,
                &scratch.advertised,
                &mut scratch.led_shares,
            );
        }
        region.noticed[h] -= moving;
        choose(choice_rng, moving, &scratch.weights, &mut scratch.chosen);
        for (chose, &n) in region.chose.iter_mut().zip(&scratch.chosen) {
            *chose += n;
        }
        if self.behaviour.buzz_gain > 0.0 {
            for (k, &n) in scratch.chosen.iter().enumerate() {
                state.buzz.record(r, k, n);
            }
        }
        let holding = Holding::from_index(h);
        let (arrivals, attempts) = (&mut scratch.arrivals, &mut scratch.attempts);
        route(holding, r, &scratch.chosen, counts, arrivals, attempts);
        if self.behaviour.trial_share > 0.0 {
            // Some also try a second app (docs/MODEL.md §5): a second account of the same user.
            scratch.tried.fill(0);
            try_another(
                choice_rng,
                self.behaviour.trial_share,
                &scratch.weights,
                &scratch.chosen,
                &mut scratch.others,
                &mut scratch.split,
                &mut scratch.tried,
            );
            region.tried += scratch.tried.iter().sum::<u64>();
            let (arrivals, attempts) = (&mut scratch.arrivals, &mut scratch.attempts);
            route(holding, r, &scratch.tried, counts, arrivals, attempts);
        }
    }

    /// Runs every app's sign-up queues, and at the steps whose counts are recorded draws who of
    /// the arrivals since the last such step will stay (one binomial for the whole stretch: a
    /// sum of binomials with the same probability is binomial).
    #[allow(clippy::too_many_arguments)]
    fn serve(
        &self,
        step: usize,
        len: usize,
        drivers: &crate::model::drivers::StepDrivers,
        state: &mut CohortState,
        lanes: &mut [Vec<Lane>],
        streams: &RunStreams,
        scratch: &mut Scratch,
        dt: f64,
    ) {
        let patience = self.behaviour.patience_minutes / 60.0;
        for (k, app) in self.scenario.apps.iter().enumerate() {
            state.counts.served_last_step[k] = 0;
            let mut signup_rng = streams.lazy(Component::Signup, step, k);
            for lane in &mut lanes[k] {
                let stepped = lane.step(
                    &mut signup_rng,
                    &scratch.attempts[k],
                    drivers.up(k),
                    dt,
                    patience,
                    &mut scratch.queue_step,
                );
                if !stepped {
                    for &r in &lane.regions {
                        state.counts.regions[r].wait_seconds[k] = 0.0;
                    }
                    continue;
                }
                for (i, &r) in lane.regions.iter().enumerate() {
                    let region = &mut state.counts.regions[r];
                    let served = scratch.queue_step.served[i];
                    region.registered[k] += served;
                    region.abandoned[k] += scratch.queue_step.abandoned[i];
                    region.waiting[k] = lane.queue.waiting[i];
                    region.wait_seconds[k] = scratch.queue_step.wait_seconds;
                    state.counts.served_last_step[k] += served;
                    scratch.arrivals[k][r] += served;
                }
            }
            if self.retention_due[step + len - 1] {
                let mut retention_rng = streams.lazy(Component::Retention, step, k);
                for (r, region) in state.counts.regions.iter_mut().enumerate() {
                    let arrivals = std::mem::take(&mut scratch.arrivals[k][r]);
                    region.retained[k] += retained(&mut retention_rng, arrivals, app.retention_30d);
                }
            }
        }
    }
}

impl Engine for CohortEngine {
    fn run(&self, streams: &RunStreams, observer: &mut dyn Observer) {
        self.run_while(streams, &mut |step, _, seen, _| {
            observer.after_step(step, seen);
            observer.wants_more()
        });
    }
}

/// Sends region `r`'s switchers of `holding` on, `to[k]` of them to app `k`: a dormant holder
/// back at her own app arrives at once (`reactivated`, `arrivals`), everyone else joins that
/// app's sign-up queue (`attempts`; both per app, per region).
fn route(
    holding: Holding,
    r: usize,
    to: &[u64],
    counts: &mut super::observe::RegionCounts,
    arrivals: &mut [Vec<u64>],
    attempts: &mut [Vec<u64>],
) {
    for (k, &n) in to.iter().enumerate() {
        match arrival(holding, k) {
            Arrival::Reactivation => {
                counts.reactivated[k] += n;
                arrivals[k][r] += n;
            }
            Arrival::SignUp => attempts[k][r] += n,
        }
    }
}

/// Buffers reused across steps so the hot loop does not allocate.
struct Scratch {
    /// Per app: the chance that the switchers being settled know it.
    known: Vec<f64>,
    weights: Vec<f64>,
    chosen: Vec<u64>,
    /// Per app: the switchers being settled who try it as their second app, and `try_another`'s
    /// scratch.
    tried: Vec<u64>,
    others: Vec<f64>,
    split: Vec<u64>,
    /// Per app, per region: sign-up attempts this step.
    attempts: Vec<Vec<u64>>,
    /// Per app, per region: arrivals this step (reactivations, then registrations as served).
    arrivals: Vec<Vec<u64>>,
    queue_step: QueueStep,
    /// Per holding: this step's looking hazard, and the sum of expected switches (lambdas) from
    /// this holding on.
    hazard: Vec<f64>,
    lambda_from: Vec<f64>,
    /// The first step of the step under way (joined or not) and, per region, what is read of
    /// the state as it began (`CohortEngine::region_at_start`).
    start: usize,
    at_start: Vec<AtStart>,
    /// Per region: what is left of the Exp(1) budget of the current stretch without noticing
    /// (None when no stretch is under way).
    quiet: Vec<Option<f64>>,
    /// This step's named shares per app (empty when the news names none), its news coverage
    /// and the current region's looking intensity: what the news-led share of a holding's
    /// switchers is computed from when some of them move (docs/MODEL.md §5).
    named: Vec<f64>,
    /// This step's advertised shares per app (`Σ ρ·s_k`; empty when no app is named with a
    /// reach).
    advertised: Vec<f64>,
    news: f64,
    looking: f64,
    /// The current region's buzz hazard and each app's share of its buzz, and the combined
    /// named shares of the news and the buzz (`model::buzz`).
    buzz_hazard: f64,
    buzz_shares: Vec<f64>,
    led_shares: Vec<f64>,
    /// The adaptive rule's joined drivers, the counts before a joined step and the counts shown
    /// for the steps inside it, and per region the switchers a candidate step expects.
    joined: JoinedDrivers,
    before: Observed,
    between: Observed,
    moving: Vec<f64>,
    /// Per holding: a candidate joined step's hazard (`CohortEngine::joinable`).
    leap_hazard: Vec<f64>,
    /// Per app: the most sign-ups attempted or served in one step of the grid so far.
    peak: Vec<f64>,
}

/// A region's contact shares (per app) and holding boosts (per holding) as the step starting
/// at `step` began.
#[derive(Clone)]
pub(super) struct AtStart {
    step: Option<usize>,
    contacts: Vec<f64>,
    boosts: Vec<f64>,
}

impl Scratch {
    fn new(apps: usize, regions: usize) -> Self {
        Scratch {
            known: vec![1.0; apps],
            weights: vec![0.0; apps],
            chosen: vec![0; apps],
            tried: vec![0; apps],
            others: vec![0.0; apps],
            split: vec![0; apps],
            attempts: vec![vec![0; regions]; apps],
            arrivals: vec![vec![0; regions]; apps],
            queue_step: QueueStep::default(),
            hazard: vec![0.0; apps + 1],
            lambda_from: vec![0.0; apps + 1],
            quiet: vec![None; regions],
            start: 0,
            at_start: vec![
                AtStart {
                    step: None,
                    contacts: vec![0.0; apps],
                    boosts: vec![0.0; apps + 1],
                };
                regions
            ],
            named: Vec::with_capacity(apps),
            advertised: Vec::with_capacity(apps),
            news: 0.0,
            looking: 0.0,
            buzz_hazard: 0.0,
            buzz_shares: vec![0.0; apps],
            led_shares: vec![0.0; apps],
            joined: JoinedDrivers::default(),
            leap_hazard: vec![0.0; apps + 1],
            peak: vec![0.0; apps],
            before: Observed::new(regions, apps),
            between: Observed::new(regions, apps),
            moving: vec![0.0; regions],
        }
    }
}
