//! The agent engine: individual users on a contact network (`engine::network`), each with a
//! region and an account state per app, whose looking and choice use *their own* contacts'
//! shares (the cohort engine uses the region's average). Every equation is the model's
//! (`crate::model`): noticing, the looking hazard, choice weights, routing, the sign-up queue,
//! retention. Each simulated user stands for (region's users / region's agents) real users, and
//! every output is in real-population units.
//!
//! Users are never all visited in a step: per region and holding, the number who notice is one
//! binomial draw and which ones a uniform pick from the unaware; the looking hazard, which
//! differs per user through her contacts, is sampled by thinning (Lewis & Shedler 1979): a
//! binomial number of candidates at the hazard's upper bound (word of mouth at F = 1), each
//! kept with probability p_i / p_max, which is exact for independent users. Contact counts
//! change at the end of the step, so shares are as they stood when it began (as in the cohort
//! engine).

use super::network::{Network, build};
use super::observe::{Engine, Observed, Observer};
use super::record::recorded_steps;
use super::schedule::schedule;
use super::streams::{Component, RunStreams};
use crate::model::Behaviour;
use crate::model::baseline::organic_registrations;
use crate::model::buzz::{Buzz, follow_news_and_buzz};
use crate::model::draw::{binomial, probability, weighted_index};
use crate::model::drivers::Schedule;
use crate::model::retention::retained;
use crate::model::signup::{Capacity, Lane, QueueStep, lanes};
use crate::model::switching::{
    Arrival, Holding, Moves, arrival_at, boosted_hazard, choice_weights_with, consider_known,
    looking_hazard, news_led_share, try_another_one,
};
use crate::scenario::AgentSettings;
use crate::scenario::Scenario;
use rand::{Rng, RngExt};
use rayon::prelude::*;
use std::collections::VecDeque;

/// Bytes an agent run holds at its peak (the network while it is built, plus each user's state),
/// for the memory check before any allocation: per user 2 (region) + 4 (account masks) + 2 per
/// app (contacts on each app) + 2 per app (contacts who chose each app) + 4 (group lists) + 16
/// (row offsets, twice while built); per contact 4, twice while the rows are merged, plus 4 for
/// its half of an edge-list entry.
pub fn agent_bytes(settings: &AgentSettings, apps: usize) -> u64 {
    let n = settings.agents as u64;
    let contacts = (settings.network.mean_degree * settings.agents as f64 * 1.05) as u64;
    n * (2 + 4 + 4 * apps as u64 + 4 + 16) + contacts * (4 * 2 + 4)
}

pub struct AgentEngine {
    scenario: Scenario,
    behaviour: Behaviour,
    settings: AgentSettings,
    drivers: Schedule,
    attractiveness: Vec<f64>,
    retention_due: Vec<bool>,
    /// Agents per region, and real users per agent in each region.
    agents: Vec<usize>,
    weight: Vec<f64>,
    /// Run 0's network, as `report` gives it.
    first_network: std::sync::OnceLock<serde_json::Value>,
}

impl AgentEngine {
    pub fn new(scenario: &Scenario, behaviour: &Behaviour, settings: AgentSettings) -> Self {
        let total: f64 = scenario.regions.iter().map(|r| r.users as f64).sum();
        let agents: Vec<usize> = scenario
            .regions
            .iter()
            .map(|r| {
                let share = r.users as f64 / total.max(1.0);
                ((settings.agents as f64 * share).round() as usize).max(usize::from(r.users > 0))
            })
            .collect();
        let weight = scenario
            .regions
            .iter()
            .zip(&agents)
            .map(|(r, &n)| r.users as f64 / n.max(1) as f64)
            .collect();
        AgentEngine {
            drivers: schedule(scenario, behaviour),
            attractiveness: scenario.apps.iter().map(|a| a.attractiveness).collect(),
            retention_due: recorded_steps(&scenario.timeline),
            scenario: scenario.clone(),
            behaviour: behaviour.clone(),
            settings,
            agents,
            weight,
            first_network: std::sync::OnceLock::new(),
        }
    }

    /// Simulated users per region (in proportion to the region's users).
    pub fn agents_per_region(&self) -> &[usize] {
        &self.agents
    }

    /// Real users per agent, averaged over the users (capacities are shared by regions).
    fn mean_weight(&self) -> f64 {
        let users: f64 = self.scenario.regions.iter().map(|r| r.users as f64).sum();
        users / self.agents.iter().sum::<usize>().max(1) as f64
    }
}

/// Which apps each user holds an account at, as bit masks (app k is bit k; at most 16 apps).
#[derive(Debug, Clone)]
pub struct Accounts {
    pub active: Vec<u16>,
    pub dormant: Vec<u16>,
}

impl Accounts {
    /// The apps user `i` holds an account at, active or dormant (app k is bit k).
    pub fn held(&self, i: usize) -> u16 {
        self.active[i] | self.dormant[i]
    }

    /// Whether user `i` holds an account (active or dormant) at app `k`.
    pub fn holds(&self, i: usize, k: usize) -> bool {
        self.held(i) & (1 << k) != 0
    }
}

/// Places each region's accounts on the network: for app k, `active` and `dormant` holders in
/// the scenario's shares; a share `homophily` of them in balls grown breadth first along
/// contacts inside the region (each ball from a random seed, every contact of a holder offered
/// the app in turn), the rest at random. With `independent` accounts a user may hold accounts
/// at several apps (each app's holders are placed among the users not on that app); otherwise
/// only users holding nothing are eligible, as the cohort engine assumes.
pub fn place_accounts(
    scenario: &Scenario,
    network: &Network,
    agents: &[usize],
    homophily: f64,
    independent: bool,
    streams: &RunStreams,
) -> Accounts {
    let users_total = network.users();
    let mut accounts = Accounts {
        active: vec![0; users_total],
        dormant: vec![0; users_total],
    };
    let mut first = 0usize;
    for (r, &n) in agents.iter().enumerate() {
        let mut rng = streams.at(Component::Network, 3, r);
        let users = first..first + n;
        for (k, app) in scenario.apps.iter().enumerate() {
            // Holders of app k whose contacts are still to be offered the app (breadth first).
            let mut frontier: VecDeque<u32> = VecDeque::new();
            let shares = app.accounts[r];
            for (share, active) in [(shares.active, true), (shares.dormant, false)] {
                let target = (share * n as f64).floor() as usize;
                let clustered = (homophily * target as f64).round() as usize;
                let mut done = 0;
                let mut tries = 0usize;
                let place = |i: usize, accounts: &mut Accounts, done: &mut usize| {
                    let eligible = users.contains(&i)
                        && if independent {
                            !accounts.holds(i, k)
                        } else {
                            accounts.held(i) == 0
                        };
                    if eligible {
                        let mask = if active {
                            &mut accounts.active
                        } else {
                            &mut accounts.dormant
                        };
                        mask[i] |= 1 << k;
                        *done += 1;
                    }
                    eligible
                };
                // Clustered: balls grown breadth first along contacts inside the region, each
                // from a seed drawn at random, every contact of a holder offered in turn.
                while done < clustered && tries < 64 * n + 64 {
                    let Some(m) = frontier.pop_front() else {
                        let seed = rng.random_range(users.clone());
                        tries += 1;
                        if place(seed, &mut accounts, &mut done) {
                            frontier.push_back(seed as u32);
                        }
                        continue;
                    };
                    let row = network.of(m as usize);
                    let offset = if row.is_empty() {
                        0
                    } else {
                        rng.random_range(0..row.len())
                    };
                    for t in 0..row.len() {
                        if done >= clustered {
                            break;
                        }
                        let j = row[(offset + t) % row.len()] as usize;
                        tries += 1;
                        if place(j, &mut accounts, &mut done) {
                            frontier.push_back(j as u32);
                        }
                    }
                }
                // The rest at random among the eligible.
                while done < target && tries < 64 * n + 64 {
                    let i = rng.random_range(users.clone());
                    tries += 1;
                    place(i, &mut accounts, &mut done);
                }
            }
        }
        first += n;
    }
    accounts
}

/// Newman's (2003) assortativity coefficient of holding an account (active or dormant) at each
/// of the first `apps` apps, over the network's contacts: 1 when contacts always share the
/// attribute, 0 when they mix at random: `r = (Σ_c e_cc - Σ_c a_c²) / (1 - Σ_c a_c²)` over the two
/// classes (holder or not), with `e_cc` the share of contact pairs both in class c and `a_c` the
/// share of ends in c.
///
/// One pass over the contacts for every app: a row's holders of app k are counted from each
/// contact's mask (`active | dormant`, read once), and the row's own holding decides whether they
/// are pairs of holders or mixed pairs. An app at a time read two masks per contact and app (18%
/// of a 10-million-agent run, `perf`).
pub fn membership_assortativity(network: &Network, accounts: &Accounts, apps: usize) -> Vec<f64> {
    let held: Vec<u16> = (0..network.users()).map(|i| accounts.held(i)).collect();
    // Scenarios hold at most 16 apps (`scenario::validate`), one bit each.
    debug_assert!(apps <= 16, "{apps} apps");
    // Per app (both ends holders, one end a holder), and the contacts counted; integer counts,
    // so the sums do not depend on the threads.
    let zero = || ([0u64; 16], [0u64; 16], 0u64);
    let (both, one, total) = (0..network.users())
        .into_par_iter()
        .fold(zero, |(mut both, mut one, total), i| {
            let row = network.of(i);
            // A fixed number of lanes, so the compiler unrolls the count (a loop to `apps` was
            // 7% of the run); 4 cover every shipped scenario.
            let holders = if apps <= 4 {
                row_holders::<4>(row, &held)
            } else {
                row_holders::<16>(row, &held)
            };
            let own = held[i];
            for k in 0..apps {
                let h = u64::from(holders[k]);
                if (own >> k) & 1 == 1 {
                    both[k] += h;
                    one[k] += row.len() as u64 - h;
                } else {
                    one[k] += h;
                }
            }
            (both, one, total + row.len() as u64)
        })
        .reduce(zero, |a, b| {
            let add = |x: [u64; 16], y: [u64; 16]| std::array::from_fn(|k| x[k] + y[k]);
            (add(a.0, b.0), add(a.1, b.1), a.2 + b.2)
        });
    (0..apps)
        .map(|k| assortativity(both[k] as f64, one[k] as f64, total as f64))
        .collect()
}

/// Per app (the first `L`), how many of `row`'s contacts hold an account there.
fn row_holders<const L: usize>(row: &[u32], held: &[u16]) -> [u32; 16] {
    let mut holders = [0u32; 16];
    for &j in row {
        let m = held[j as usize];
        for (k, h) in holders.iter_mut().enumerate().take(L) {
            *h += u32::from((m >> k) & 1);
        }
    }
    holders
}

/// Newman's coefficient from the counts of holder-holder and mixed contact pairs (each pair
/// counted from both ends) among `total`.
fn assortativity(both: f64, one: f64, total: f64) -> f64 {
    if total == 0.0 {
        return 0.0;
    }
    let e11 = both / total;
    let e00 = (total - both - one) / total;
    let a1 = (2.0 * both + one) / (2.0 * total);
    let a0 = 1.0 - a1;
    let expected = a1 * a1 + a0 * a0;
    if expected >= 1.0 {
        0.0
    } else {
        (e11 + e00 - expected) / (1.0 - expected)
    }
}

/// Removes and returns a uniformly chosen element (order is not kept).
fn take_random(list: &mut Vec<u32>, rng: &mut impl Rng) -> u32 {
    let i = rng.random_range(0..list.len());
    list.swap_remove(i)
}

impl AgentEngine {
    /// What a run's network came out as, with the bytes it took and the assortativity of each
    /// app's accounts (docs/MODEL.md §13).
    fn describe(
        &self,
        network: &Network,
        accounts: &Accounts,
        streams: &RunStreams,
    ) -> serde_json::Value {
        let mut rng = streams.at(Component::Network, 9, 0);
        let stats = network.stats(&mut rng, 2000);
        let apps = &self.scenario.apps;
        let assortativity: serde_json::Map<String, serde_json::Value> = apps
            .iter()
            .zip(membership_assortativity(network, accounts, apps.len()))
            .map(|(a, r)| (a.name.clone(), serde_json::json!((r * 1e4).round() / 1e4)))
            .collect();
        let round = |x: f64| (x * 1e4).round() / 1e4;
        serde_json::json!({
            "run": 0,
            "simulated_users": stats.users,
            "users_per_simulated_user": round(self.mean_weight()),
            "mean_degree": round(stats.mean_degree),
            "clustering": round(stats.clustering),
            "clustering_method": "mean local clustering coefficient (Watts & Strogatz 1998) of 2,000 users drawn at random",
            "within_region": round(stats.within_region),
            "account_assortativity": assortativity,
            "assortativity_method": "Newman (2003) for holding an account (active or dormant) at the app, over all contacts",
            "bytes": network.bytes(),
        })
    }
}

impl Engine for AgentEngine {
    fn report(&self) -> Option<serde_json::Value> {
        self.first_network.get().cloned()
    }

    fn run(&self, streams: &RunStreams, observer: &mut dyn Observer) {
        let s = &self.scenario;
        // The scenario decides how the run's binomials are drawn (docs/MODEL.md §7).
        let streams = &streams.sampling(s.sampler);
        let (apps, regions) = (s.apps.len(), s.regions.len());
        let network = build(&self.settings.network, &self.agents, streams);
        let accounts = place_accounts(
            s,
            &network,
            &self.agents,
            self.settings.network.homophily,
            self.settings.network.independent_accounts,
            streams,
        );
        let n = network.users();
        if streams.run() == 0 {
            let _ = self
                .first_network
                .set(self.describe(&network, &accounts, streams));
        }
        // Per region and holding group (0 none, 1 + k dormant at k, k the first app where the
        // user holds a dormant account): who is unaware, who noticed. Users active on any
        // alternative do not look (as in the cohort engine).
        let mut unaware: Vec<Vec<Vec<u32>>> = vec![vec![Vec::new(); apps + 1]; regions];
        let mut noticed: Vec<Vec<Vec<u32>>> = vec![vec![Vec::new(); apps + 1]; regions];
        // Per user: contacts who chose each app (their sum: contacts who switched), and contacts
        // on each app.
        let mut chose_app = vec![0u16; n * apps];
        let mut on_app = vec![0u16; n * apps];
        for i in 0..n {
            let r = network.region[i] as usize;
            let active = accounts.active[i];
            if active == 0 {
                let dormant = accounts.dormant[i];
                let g = if dormant == 0 {
                    0
                } else {
                    1 + dormant.trailing_zeros() as usize
                };
                unaware[r][g].push(i as u32);
                continue;
            }
            for k in (0..apps).filter(|&k| active & (1 << k) != 0) {
                tell_contacts(&network, i, &mut on_app, apps, k);
            }
        }
        let capacity_scale = 1.0 / self.mean_weight();
        let mut lanes: Vec<Vec<Lane>> = s
            .apps
            .iter()
            .map(|app| {
                let capacity = match &app.capacity {
                    Capacity::Unlimited => Capacity::Unlimited,
                    Capacity::Global(c) => Capacity::Global(c * capacity_scale),
                    Capacity::PerRegion(cs) => {
                        Capacity::PerRegion(cs.iter().map(|c| c * capacity_scale).collect())
                    }
                };
                let codes: Option<Vec<f64>> = app
                    .verification
                    .as_ref()
                    .map(|v| v.iter().map(|c| c * capacity_scale).collect());
                lanes(&capacity, codes.as_deref(), regions)
            })
            .collect();
        // Per region and app: who waits, in order of arrival.
        let mut queues: Vec<Vec<VecDeque<u32>>> = vec![vec![VecDeque::new(); apps]; regions];
        // Agent-unit counts per region and app.
        let mut registered = vec![vec![0u64; apps]; regions];
        let mut reactivated = vec![vec![0u64; apps]; regions];
        let mut abandoned = vec![vec![0u64; apps]; regions];
        let mut retained_agents = vec![vec![0u64; apps]; regions];
        let mut arrivals_since = vec![vec![0u64; apps]; regions];
        let mut counts = Observed::new(regions, apps);
        let b = &self.behaviour;
        let dt = s.timeline.step_hours;
        let patience = b.patience_minutes / 60.0;
        let (mut weights, mut others) = (vec![0.0; apps], vec![0.0; apps]);
        let mut contact_shares = vec![0.0; apps];
        let press = crate::engine::cohort::press_awareness(&self.scenario);
        let mut known = vec![1.0; apps];
        // The migration as news (model::buzz), in shares of each region's agents.
        let mut buzz = Buzz::new(
            self.agents_per_region().iter().map(|&n| n as u64),
            apps,
            |r, k| s.apps[k].accounts[r].active,
        );
        let (mut buzz_shares, mut led_shares) = (vec![0.0; apps], vec![0.0; apps]);
        let mut attempts = vec![vec![0u64; regions]; apps];
        let mut queue_step = QueueStep::default();
        // This step's moves, applied to the contact counts when it ends: who chose an app, and
        // who arrived at which app.
        let mut chose: Vec<(u32, usize)> = Vec::new();
        let mut arrived: Vec<(u32, usize)> = Vec::new();
        for step in 0..s.timeline.steps {
            let drivers = self.drivers.at(step);
            for a in &mut attempts {
                a.fill(0);
            }
            for r in 0..regions {
                let notice_p = probability(drivers.notice_rate[r], dt);
                let looking = drivers.looking[r];
                let news = drivers.news[r];
                let buzz_hazard = buzz.hazard(b, r);
                if notice_p == 0.0 && looking <= 0.0 && buzz_hazard == 0.0 {
                    continue;
                }
                if buzz_hazard > 0.0 {
                    buzz.shares(r, &mut buzz_shares);
                }
                let mut notice_rng = streams.at(Component::Notice, step, r);
                let mut looking_rng = streams.at(Component::Looking, step, r);
                let mut choice_rng = streams.at(Component::Choice, step, r);
                for g in 0..=apps {
                    let newly = binomial(&mut notice_rng, unaware[r][g].len() as u64, notice_p);
                    for _ in 0..newly {
                        let i = take_random(&mut unaware[r][g], &mut notice_rng);
                        noticed[r][g].push(i);
                    }
                    let h = Holding::from_index(g);
                    // Every contact moved, to her own app: the most word of mouth can be.
                    let most = Moves {
                        all: 1.0,
                        to_own: 1.0,
                    };
                    let bound = looking_hazard(b, h, looking, news, most) + buzz_hazard;
                    let p_max = probability(bound, dt);
                    if p_max <= 0.0 || noticed[r][g].is_empty() {
                        continue;
                    }
                    let candidates = binomial(&mut looking_rng, noticed[r][g].len() as u64, p_max);
                    // Candidates are drawn to the end of the list (a partial shuffle); those who
                    // start looking are removed, the others stay noticed.
                    let len = noticed[r][g].len();
                    for t in 0..candidates as usize {
                        let last = len - 1 - t;
                        let pick = looking_rng.random_range(0..=last);
                        noticed[r][g].swap(pick, last);
                    }
                    let mut at = len - candidates as usize;
                    while at < noticed[r][g].len() {
                        let i = noticed[r][g][at] as usize;
                        let row = network.of(i);
                        let degree = row.len().max(1) as f64;
                        let row_chose = &chose_app[i * apps..(i + 1) * apps];
                        let switched: u32 = row_chose.iter().map(|&c| u32::from(c)).sum();
                        let f = f64::from(switched) / degree;
                        let moves = match h {
                            Holding::None => Moves::of_all(f),
                            Holding::Dormant(k) => Moves {
                                all: f,
                                to_own: f64::from(row_chose[k]) / degree,
                            },
                        };
                        // When the boost needs contacts, a holder is pulled back to her app
                        // only if at least `dormant_threshold` of her own contacts use it
                        // (docs/MODEL.md §4, §13).
                        let hazard = match h {
                            Holding::Dormant(k)
                                if b.dormant_contacts > 0.0
                                    && f64::from(on_app[i * apps + k]) < b.dormant_threshold =>
                            {
                                boosted_hazard(b, 1.0, looking, news, moves)
                            }
                            _ => looking_hazard(b, h, looking, news, moves),
                        } + buzz_hazard;
                        let p = probability(hazard, dt);
                        if looking_rng.random::<f64>() * p_max < p {
                            for (k, c) in contact_shares.iter_mut().enumerate() {
                                *c = f64::from(on_app[i * apps + k]) / degree;
                            }
                            let dormant = accounts.dormant[i];
                            choice_weights_with(
                                b,
                                |k| dormant & (1 << k) != 0,
                                &self.attractiveness,
                                &contact_shares,
                                &mut weights,
                            );
                            if let Some(press) = &press {
                                // She knows her dormant apps, and any app a contact of hers
                                // uses; the others from the press (docs/MODEL.md §5, §13).
                                for (k, known) in known.iter_mut().enumerate() {
                                    *known = if dormant & (1 << k) != 0 || on_app[i * apps + k] > 0
                                    {
                                        1.0
                                    } else {
                                        press[r][k]
                                    };
                                }
                                consider_known(&mut weights, &known);
                            }
                            let named = drivers.named(r);
                            let advertised = drivers.advertised(r);
                            if buzz_hazard > 0.0 || !named.is_empty() || !advertised.is_empty() {
                                follow_news_and_buzz(
                                    &mut weights,
                                    named,
                                    news_led_share(b, looking, news, hazard),
                                    &buzz_shares,
                                    buzz_hazard / hazard,
                                    advertised,
                                    &mut led_shares,
                                );
                            }
                            noticed[r][g].swap_remove(at);
                            let k = weighted_index(&weights, choice_rng.random::<f64>());
                            chose.push((i as u32, k));
                            if b.buzz_gain > 0.0 {
                                buzz.record(r, k, 1);
                            }
                            // She may try a second app as well (docs/MODEL.md §5).
                            let second = try_another_one(
                                &mut choice_rng,
                                b.trial_share,
                                &weights,
                                k,
                                &mut others,
                            );
                            for k in std::iter::once(k).chain(second) {
                                match arrival_at(dormant & (1 << k) != 0) {
                                    Arrival::Reactivation => {
                                        reactivated[r][k] += 1;
                                        arrivals_since[r][k] += 1;
                                        arrived.push((i as u32, k));
                                    }
                                    Arrival::SignUp => {
                                        queues[r][k].push_back(i as u32);
                                        attempts[k][r] += 1;
                                    }
                                }
                            }
                            // swap_remove moved the last candidate here: it is looked at next.
                        } else {
                            at += 1;
                        }
                    }
                }
            }
            if b.buzz_gain > 0.0 {
                buzz.end_step(b, dt);
            }
            // Sign-up queues (the model's, in agent units: capacities divided by the weight).
            for k in 0..apps {
                counts.served_last_step[k] = 0;
                let mut signup_rng = streams.at(Component::Signup, step, k);
                for lane in &mut lanes[k] {
                    let stepped = lane.step(
                        &mut signup_rng,
                        &attempts[k],
                        drivers.up(k),
                        dt,
                        patience,
                        &mut queue_step,
                    );
                    if !stepped {
                        for &r in &lane.regions {
                            counts.regions[r].wait_seconds[k] = 0.0;
                        }
                        continue;
                    }
                    for (li, &r) in lane.regions.iter().enumerate() {
                        let queue = &mut queues[r][k];
                        for _ in 0..queue_step.served[li] {
                            if let Some(i) = queue.pop_front() {
                                arrived.push((i, k));
                            }
                        }
                        for _ in 0..queue_step.abandoned[li] {
                            if queue.is_empty() {
                                break;
                            }
                            let at = signup_rng.random_range(0..queue.len());
                            // `remove` keeps the others in their order (first come, first served).
                            queue.remove(at);
                        }
                        registered[r][k] += queue_step.served[li];
                        abandoned[r][k] += queue_step.abandoned[li];
                        arrivals_since[r][k] += queue_step.served[li];
                        let w = self.weight[r];
                        counts.regions[r].wait_seconds[k] = queue_step.wait_seconds;
                        counts.served_last_step[k] += real(queue_step.served[li], w);
                    }
                }
                if self.retention_due[step] {
                    let mut retention_rng = streams.at(Component::Retention, step, k);
                    for r in 0..regions {
                        let due = std::mem::take(&mut arrivals_since[r][k]);
                        retained_agents[r][k] +=
                            retained(&mut retention_rng, due, s.apps[k].retention_30d);
                    }
                }
            }
            // Contacts see this step's moves from the next step on.
            for &(i, k) in &chose {
                tell_contacts(&network, i as usize, &mut chose_app, apps, k);
            }
            for &(i, k) in &arrived {
                tell_contacts(&network, i as usize, &mut on_app, apps, k);
            }
            chose.clear();
            arrived.clear();
            let every = s.timeline.output_every;
            if (step + 1).is_multiple_of(every) {
                for (k, app) in s.apps.iter().enumerate() {
                    counts.baseline[k] += organic_registrations(
                        &mut streams.at(Component::Baseline, step, k),
                        app.baseline_per_day * self.drivers.up_over(step + 1 - every..=step, k),
                        every as f64 * dt,
                    );
                }
            }
            for r in 0..regions {
                let w = self.weight[r];
                let c = &mut counts.regions[r];
                for k in 0..apps {
                    c.registered[k] = real(registered[r][k], w);
                    c.reactivated[k] = real(reactivated[r][k], w);
                    c.abandoned[k] = real(abandoned[r][k], w);
                    c.retained[k] = real(retained_agents[r][k], w);
                    c.waiting[k] = real(queues[r][k].len() as u64, w);
                }
            }
            observer.after_step(step, &counts);
            if !observer.wants_more() {
                break;
            }
        }
    }
}

/// Adds 1 to counter `k` (of `stride` per user) of each of user `i`'s contacts: how a user's
/// contacts learn that she switched, arrived at an app, or was on it from the start.
fn tell_contacts(network: &Network, i: usize, counters: &mut [u16], stride: usize, k: usize) {
    for &j in network.of(i) {
        let c = &mut counters[j as usize * stride + k];
        *c = c.saturating_add(1);
    }
}

/// Agents in real-population units.
fn real(agents: u64, weight: f64) -> u64 {
    (agents as f64 * weight).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::NetworkSpec;
    use std::path::Path;

    /// Newman's coefficient by hand: two triangles joined by one edge; app 0 held by the first
    /// triangle (holders meet holders but once), app 1 by every other user, app 2 by nobody. The
    /// one pass for every app gives each app's coefficient from its own pair counts.
    #[test]
    fn assortativity_of_every_app_in_one_pass_matches_the_counts_by_hand() {
        let rows: [&[u32]; 6] = [&[1, 2], &[0, 2], &[0, 1, 3], &[2, 4, 5], &[3, 5], &[3, 4]];
        let mut network = Network {
            offsets: vec![0],
            contacts: Vec::new(),
            region: vec![0; 6],
        };
        for row in rows {
            network.contacts.extend_from_slice(row);
            network.offsets.push(network.contacts.len() as u64);
        }
        let accounts = Accounts {
            active: vec![0b011, 0b001, 0b011, 0, 0b010, 0],
            dormant: vec![0, 0b010, 0, 0b010, 0, 0b010],
        };
        let r = membership_assortativity(&network, &accounts, 3);
        // App 0: 14 ends; holder pairs 6 (three edges from both ends), mixed 2 (edge 2-3).
        let expected0 = assortativity(6.0, 2.0, 14.0);
        // App 1: every user holds it (0, 1, 2 via dormant or active; 3, 4, 5 too): all pairs
        // are holders, a_1 = 1, so no mixing to measure: 0.
        assert_eq!(r, vec![expected0, 0.0, 0.0]);
        // More than 4 apps take the 16-lane count: the same coefficients.
        assert_eq!(
            membership_assortativity(&network, &accounts, 5),
            vec![expected0, 0.0, 0.0, 0.0, 0.0]
        );
        // The first triangle against the second: far more alike than random.
        assert!(expected0 > 0.6, "{expected0}");
        // Against the formula: e11 = 6/14, e00 = 6/14, a1 = 7/14.
        let (e, a) = (12.0 / 14.0, 0.5f64);
        let by_hand = (e - (a * a + a * a)) / (1.0 - (a * a + a * a));
        assert!((expected0 - by_hand).abs() < 1e-12);
    }

    /// Each app keeps its share of holders in each region; exclusive accounts never overlap,
    /// independent ones overlap about as often as the shares' product says.
    #[test]
    fn accounts_keep_their_shares_and_overlap_only_when_independent() {
        let s = crate::scenario::load_scenario(
            Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scenarios/facebook-2021-10-04.toml"
            )),
            Some(Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/params/default.toml"
            ))),
        )
        .unwrap();
        let settings = AgentSettings {
            agents: 200_000,
            network: NetworkSpec::default(),
        };
        let engine = AgentEngine::new(&s, &s.behaviour, settings.clone());
        let sizes = engine.agents_per_region().to_vec();
        let streams = RunStreams::new(3, 0);
        let network = build(&settings.network, &sizes, &streams);
        let count = |a: &Accounts, k: usize, active: bool| {
            let mask = if active { &a.active } else { &a.dormant };
            mask.iter().filter(|&&m| m & (1 << k) != 0).count()
        };
        for independent in [false, true] {
            let a = place_accounts(&s, &network, &sizes, 0.5, independent, &streams);
            for (k, app) in s.apps.iter().enumerate() {
                let expected: usize = sizes
                    .iter()
                    .enumerate()
                    .map(|(r, &n)| (app.accounts[r].active * n as f64).floor() as usize)
                    .sum();
                assert_eq!(count(&a, k, true), expected, "{} active", app.name);
            }
            let several = (0..network.users())
                .filter(|&i| (a.active[i] | a.dormant[i]).count_ones() > 1)
                .count();
            if independent {
                // Telegram alone holds about 20% and Signal and Twitter about 10% between them.
                assert!(
                    several > network.users() / 100,
                    "{several} users with several accounts"
                );
            } else {
                assert_eq!(several, 0);
            }
        }
    }
}
