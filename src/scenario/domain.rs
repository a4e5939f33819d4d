//! The validated scenario's domain types: what the engine accepts. Files reach them only through
//! `validate.rs`, which guarantees no negative rate, no share above one and the event inside the
//! simulated horizon. Fields are public so tests can build special cases (the Bass check's
//! unlimited capacity) that no file may ask for.

use super::check::plain;
use super::params::Behaviour;
pub use crate::model::signup::Capacity;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::PathBuf;

/// A checked scenario, ready for the engine.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The engine the scenario runs on (`simulation.engine`, `[network]`).
    pub engine: EngineKind,
    /// How its binomials are drawn (`simulation.sampler`; docs/MODEL.md §7, "Samplers").
    pub sampler: crate::model::draw::Sampler,
    /// How the cohort engine steps through time (`simulation.step_rule`, `step_tolerance`;
    /// docs/MODEL.md §1, "Steps").
    pub stepping: crate::model::stepping::StepRule,
    pub name: String,
    pub description: String,
    pub file: PathBuf,
    /// SHA-256 of the scenario file's bytes, hex.
    pub sha256: String,
    pub params_file: PathBuf,
    pub behaviour: Behaviour,
    pub timeline: Timeline,
    /// The first event (`[event]`): the simulated users are its services' users, and the
    /// timeline and every observation window count hours from its start.
    pub event: Event,
    /// Further events on the same users' services (`[[events]]` whose services are not apps),
    /// in file order: their drivers add to the first's (docs/MODEL.md §4, "Several events").
    pub more_events: Vec<Event>,
    /// Outages of alternative apps (`[[events]]` whose services are apps), in file order.
    pub app_outages: Vec<AppOutage>,
    pub regions: Vec<Region>,
    pub apps: Vec<App>,
    pub runs: u64,
    pub seed: u64,
}

/// The simulated clock: `steps` steps of `step_hours` from `start`; the event starts at `event_step`.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub start: DateTime<Utc>,
    pub step_hours: f64,
    pub steps: usize,
    pub event_step: usize,
    /// Steps between two recorded output points.
    pub output_every: usize,
}

/// Hours from `from` to `to` (negative when `to` is earlier), to the millisecond.
pub fn hours_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 3_600_000.0
}

impl Timeline {
    /// Hours from the start of the simulated time to `at`.
    pub fn hours_from_start(&self, at: DateTime<Utc>) -> f64 {
        hours_between(self.start, at)
    }
    /// Hours since the event's start at the end of step `step` (step 0 ends at one step).
    pub fn hours_since_event(&self, step_end: usize) -> f64 {
        (step_end as f64 - self.event_step as f64) * self.step_hours
    }
    /// Number of recorded output points (including time zero).
    pub fn output_points(&self) -> usize {
        self.steps / self.output_every + 1
    }
    /// UTC time at `steps` steps after the start.
    pub fn time_at(&self, steps: usize) -> DateTime<Utc> {
        let ms = (steps as f64 * self.step_hours * 3_600_000.0).round() as i64;
        self.start + chrono::Duration::milliseconds(ms)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub kind: EventKind,
    pub services: Vec<String>,
    pub start: DateTime<Utc>,
    /// Share of attempts to use the affected services that fail, per region (1 for a trust shock).
    pub severity: Vec<f64>,
    /// Apps the event's news names (docs/MODEL.md §5); empty when it names none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub named: Vec<NamedApp>,
}

/// An app that the event's news tells people to use ("Use Signal"): of the switchers the news
/// led to look, the share `share.at(tau)` take this app, whatever its contacts and
/// attractiveness (docs/MODEL.md §5). The shares of all named apps sum to at most 1 at every
/// time; the rest choose by the usual rule.
#[derive(Debug, Clone, Serialize)]
pub struct NamedApp {
    /// Index into `Scenario::apps`.
    pub app: usize,
    /// The share over hours after the event's start (0 before its first point).
    pub share: Coverage,
    /// ρ: the share of the region's users the naming reaches whatever led them to look (an
    /// advertisement seen by everyone who searched: Gupta 1988's choice effect of a promotion);
    /// of the switchers it reaches and the news did not lead, the share `share` take this app
    /// too. 0: the news-led alone (the model before session 30).
    pub reach: f64,
    /// Who named the app, where and when.
    pub source: String,
}

impl Event {
    /// Writes the named share of every app at `tau` hours after the event's start into `out`
    /// (one per app, in app order; 0 for apps the news does not name).
    pub fn named_shares(&self, tau: f64, out: &mut [f64]) {
        out.fill(0.0);
        for n in &self.named {
            out[n.app] += n.share.at(tau);
        }
    }

    /// Whether any app is named with a reach beyond the news-led (`reach` > 0).
    pub fn advertises(&self) -> bool {
        self.named.iter().any(|n| n.reach > 0.0)
    }

    /// Writes `ρ·s_k(tau)`, the share of switchers the naming reaches and sends to app `k`
    /// whatever led them to look, into `out` (one per app; 0 for apps named without reach).
    pub fn advertised_shares(&self, tau: f64, out: &mut [f64]) {
        out.fill(0.0);
        for n in &self.named {
            out[n.app] += n.reach * n.share.at(tau);
        }
    }
}

/// An alternative app's own outage (Signal's of 2021-01-15 under the load of new users): while it
/// lasts the app completes only the share `1 - severity` of its sign-ups (its queue waits and
/// gives up at the patience hazard); people who look while it is down still choose it by the
/// usual rule and install it (docs/MODEL.md §6, "An app that goes down").
#[derive(Debug, Clone, Serialize)]
pub struct AppOutage {
    /// Index into `Scenario::apps`.
    pub app: usize,
    pub start: DateTime<Utc>,
    pub duration_hours: f64,
    /// Share of the app's service that fails (1 = nothing works).
    pub severity: f64,
}

impl AppOutage {
    /// Share of the app's service that works in a step of `dt` hours starting `step_start`
    /// hours after the outage began: `1 - severity · exposure`.
    pub fn up(&self, step_start: f64, dt: f64) -> f64 {
        let inside = ((step_start + dt).min(self.duration_hours) - step_start.max(0.0)) / dt;
        // Times on the step grid differ from the outage's by rounding only: snap them.
        let inside = match inside {
            x if x < 1e-9 => 0.0,
            x if x > 1.0 - 1e-9 => 1.0,
            x => x,
        };
        1.0 - self.severity * inside
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Outage {
        duration_hours: f64,
        /// Users knew in advance how long it would last (a court-ordered block, a planned
        /// shutdown): urgency is full from the start instead of building up (docs/MODEL.md §4).
        announced: bool,
        /// Hours between the announcement of an announced outage and its start (0 when it was
        /// announced as it began): from the announcement everyone knows and may act on it.
        warning_hours: f64,
        /// Hours before the start from which people expected the block to come, any time
        /// alike, when its start was not known (`may_start_from`; 0: a known start). Never more
        /// than `warning_hours`.
        #[serde(skip_serializing_if = "is_zero")]
        uncertain_start_hours: f64,
        /// The length an announced block was announced with (`expected_hours`), when it differs
        /// from the length it had (cut short, or a threat never carried out); None: its length.
        #[serde(skip_serializing_if = "Option::is_none")]
        expected_hours: Option<f64>,
        /// Share of affected users who can reach their contacts on a service of the same family
        /// that stays up (e.g. Messenger while WhatsApp is down); they need no alternative.
        fallback_share: f64,
    },
    TrustShock {
        wanting_to_move: f64,
        /// News coverage of the event over time, an observed or stated input (docs/MODEL.md §4).
        coverage: Coverage,
    },
}

/// A dated intensity series (a daily index of news coverage or search interest) on the scale
/// where 1 is the coverage of a worldwide outage at its height (docs/MODEL.md §4), read by linear
/// interpolation between points.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Hours after the event's start of the first point.
    pub first_hours: f64,
    /// Hours between points.
    pub every_hours: f64,
    /// Index values (1 = a worldwide outage's coverage at its height).
    pub index: Vec<f64>,
}

impl Coverage {
    /// The index `tau` hours after the event's start: 0 before the first point, the last value
    /// after the last point, linear in between.
    pub fn at(&self, tau: f64) -> f64 {
        let x = (tau - self.first_hours) / self.every_hours;
        if x < 0.0 {
            return 0.0;
        }
        let i = x.floor() as usize;
        match (self.index.get(i), self.index.get(i + 1)) {
            (Some(a), Some(b)) => a + (b - a) * (x - i as f64),
            _ => self.index.last().copied().unwrap_or(0.0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub name: String,
    /// Users of the affected services in the region.
    pub users: u64,
    pub utc_offset_hours: f64,
    /// Share of users who open a messaging app in each local hour 0..23.
    pub activity: [f64; 24],
    /// Share of users who can reach most of their contacts on a channel that an outage of the
    /// affected services leaves working (SMS, iMessage, apps outside the model); they need no
    /// alternative. 0 = everyone depends on the affected services.
    pub reachable_elsewhere: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct App {
    pub name: String,
    pub attractiveness: f64,
    pub capacity: Capacity,
    pub baseline_per_day: f64,
    pub retention_30d: f64,
    /// Account shares per region, in the order of `Scenario::regions`.
    pub accounts: Vec<AccountShares>,
    /// Per region (in region order): verification codes (SMS) that can be delivered per second,
    /// a second limit on registrations besides the servers' capacity; `None` for no such limit.
    pub verification: Option<Vec<f64>>,
    /// Per region (in region order): the share who know the app from the press and the stores,
    /// apart from contacts (docs/MODEL.md §5); `None`: everyone knows it.
    pub known: Option<Vec<f64>>,
}

/// Shares of a region's affected users who already hold an account at an app.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AccountShares {
    pub active: f64,
    pub dormant: f64,
}

/// The engines a scenario can be run with.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub enum EngineKind {
    /// Counts of users moved by binomial draws (`engine/cohort.rs`).
    #[default]
    Cohort,
    /// Individual users on a contact network (`engine/agents.rs`).
    Agents(AgentSettings),
}

/// Size and network of an agent run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentSettings {
    /// Simulated users in all (split among regions in proportion to their users).
    pub agents: usize,
    pub network: NetworkSpec,
}

/// Most simulated users of the agent engine (user indices are 32-bit; 10 million is what the
/// benchmarks measure).
pub const MAX_AGENTS: usize = 100_000_000;

impl AgentSettings {
    /// The first setting that cannot be met, as (key, what was expected): `agents`, or a key of
    /// `[network]`. The scenario file and the command line both check through this.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(10..=MAX_AGENTS).contains(&self.agents) {
            return Some((
                "agents",
                format!(
                    "expected 10 to {MAX_AGENTS} simulated users, found {}",
                    self.agents
                ),
            ));
        }
        let n = &self.network;
        for (key, value, lo, hi) in [
            ("mean_degree", n.mean_degree, 1.0, 1000.0),
            ("degree_spread", n.degree_spread, 0.0, 3.0),
            ("within_region", n.within_region, 0.0, 1.0),
            ("closure", n.closure, 0.0, 0.9),
            ("homophily", n.homophily, 0.0, 1.0),
        ] {
            if !(lo..=hi).contains(&value) {
                return Some((
                    key,
                    format!("expected a number in [{lo}, {hi}], found {}", plain(value)),
                ));
            }
        }
        if n.mean_degree >= self.agents as f64 {
            return Some((
                "mean_degree",
                format!(
                    "expected fewer contacts than the {} simulated users, found {}",
                    self.agents,
                    plain(n.mean_degree)
                ),
            ));
        }
        None
    }
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            agents: 1_000_000,
            network: NetworkSpec::default(),
        }
    }
}

/// How the network is drawn (validated by the scenario layer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkSpec {
    /// Mean number of contacts per user.
    pub mean_degree: f64,
    /// σ of the log-normal degree distribution (heavy tail; 0 = every user the mean degree).
    pub degree_spread: f64,
    /// Share of contacts inside one's own region (1 = regions apart; mixing otherwise
    /// proportional to degree, as a configuration model).
    pub within_region: f64,
    /// Share of each user's contacts made by closing a triangle (friends of friends): 0 for no
    /// clustering beyond chance.
    pub closure: f64,
    /// Share of each app's accounts placed next to accounts already placed (snowball along
    /// contacts, inside the region); the rest are placed at random. 0 = no homophily.
    pub homophily: f64,
    /// Per region (rows, in region order): the shares of its users' random contacts drawn from
    /// each region (columns); every row sums to 1. Replaces `within_region` when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixing: Option<Vec<Vec<f64>>>,
    /// Whether a user may hold accounts at several apps (each app's holders placed among the
    /// users not on that app, so overlaps arise as the shares allow) instead of at most one, as
    /// the cohort engine assumes.
    pub independent_accounts: bool,
}

impl Default for NetworkSpec {
    /// Assumed defaults (docs/MODEL.md §13): 20 contacts on average, σ = 1 (a heavy tail; the
    /// Facebook graph's degrees are close to log-normal, Ugander et al. 2011), 90% of contacts
    /// in one's own region, a quarter of contacts closing triangles, half of accounts clustered.
    fn default() -> Self {
        NetworkSpec {
            mean_degree: 20.0,
            degree_spread: 1.0,
            within_region: 0.9,
            closure: 0.25,
            homophily: 0.5,
            mixing: None,
            independent_accounts: false,
        }
    }
}

/// Whether an optional input was left at its "off" value, so outputs that serialize the scenario
/// stay as they were for scenarios without it.
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}
