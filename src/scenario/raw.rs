//! Raw scenario and parameter files exactly as written (serde), before any checks.

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    /// The scenario's name: names its output folder (output/<name>/) and its plots.
    pub name: String,
    /// One line on what the scenario is, shown on the report page.
    #[serde(default)]
    pub description: String,
    /// Behavioural parameter file, relative to the scenario file. If absent:
    /// `../params/fitted.toml` when it exists, else `../params/default.toml`.
    pub params: Option<String>,
    /// The simulated clock, the runs and the engine.
    pub simulation: RawSimulation,
    /// The event (`[event]`): an outage or a trust shock of the services the users rely on.
    pub event: RawEvent,
    /// Further events (`[[events]]`), on the same services or on an alternative app.
    #[serde(default)]
    pub events: Vec<RawEvent>,
    /// The regions (`[[regions]]`), each with its users of the affected services.
    pub regions: Vec<RawRegion>,
    /// The alternative apps (`[[apps]]`) users may go to.
    pub apps: Vec<RawApp>,
    /// The agent engine's contact network (with `simulation.engine = "agents"` only).
    pub network: Option<RawNetwork>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNetwork {
    pub mean_degree: Option<f64>,
    pub degree_spread: Option<f64>,
    pub within_region: Option<f64>,
    pub closure: Option<f64>,
    pub homophily: Option<f64>,
    /// Per region, the region's name -> { other region -> share of random contacts there }.
    pub mixing: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// Whether a user may hold accounts at several apps.
    pub independent_accounts: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulation {
    /// Hours simulated before the event starts.
    #[serde(default)]
    pub lead_hours: f64,
    #[schemars(range(min = 0.0))]
    /// Hours simulated from the event's start.
    pub horizon_hours: f64,
    #[schemars(range(min = 0.0))]
    /// Length of a simulation step in minutes.
    pub step_minutes: f64,
    /// Minutes between two recorded output points (a multiple of the step).
    #[serde(default = "default_output_minutes")]
    pub output_minutes: f64,
    /// Monte Carlo runs (`--runs` overrides it).
    #[serde(default = "default_runs")]
    pub runs: u64,
    /// Master seed; run i uses the stream (seed, i) (`--seed` overrides it).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `cohort` (default) or `agents`.
    #[schemars(extend("enum" = ["cohort", "agents"]))]
    pub engine: Option<String>,
    /// `exact` (default) or `hybrid`.
    #[schemars(extend("enum" = ["exact", "hybrid"]))]
    pub sampler: Option<String>,
    /// `adaptive` (default on the cohort engine): steps joined where nothing moves fast;
    /// `fixed` (the agent engine's only rule): every step of `step_minutes` (docs/MODEL.md §1,
    /// "Steps").
    #[schemars(extend("enum" = ["fixed", "adaptive"]))]
    pub step_rule: Option<String>,
    /// The adaptive rule's tolerance ε: the largest expected relative change of any propensity
    /// within a joined step (default 0.03; in (0, 0.25]).
    pub step_tolerance: Option<f64>,
    /// Simulated users of the agent engine.
    pub agents: Option<u64>,
}

fn default_output_minutes() -> f64 {
    30.0
}
fn default_runs() -> u64 {
    1000
}
fn default_seed() -> u64 {
    20_211_004
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvent {
    /// `outage` or `trust_shock`.
    #[schemars(extend("enum" = ["outage", "trust_shock"]))]
    pub kind: String,
    /// The services that fail (outage) or lose trust (trust shock), or one alternative app
    /// (a further event that takes that app down).
    #[serde(default)]
    pub services: Vec<String>,
    #[schemars(with = "String", extend("format" = "date-time"))]
    /// When the event starts (UTC).
    pub start: toml::value::Datetime,
    /// Outage only.
    pub duration_hours: Option<f64>,
    /// Outage only: share of attempts that fail, for every region without its own value.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub severity: Option<f64>,
    /// Outage only: severity per region name, overriding `severity` there.
    #[serde(default)]
    pub severity_by_region: BTreeMap<String, f64>,
    /// Outage only: its length was known in advance (a court-ordered block), so urgency is full at once.
    pub announced: Option<bool>,
    /// Announced outage only: when the block was announced (in the news), before `start`.
    #[schemars(with = "Option<String>", extend("format" = "date-time"))]
    pub announced_at: Option<toml::value::Datetime>,
    /// Announced outage only: the earliest time people expected the block to come, when its start
    /// was not known ("within 24 hours of receipt"): from the announcement until `start` they
    /// think it may come any time from here on (docs/MODEL.md §4, "An uncertain start").
    #[schemars(with = "Option<String>", extend("format" = "date-time"))]
    pub may_start_from: Option<toml::value::Datetime>,
    /// Announced outage only: the length it was announced with, when that differs from the
    /// length it had (a block cut short, a threat never carried out), hours; default its length.
    pub expected_hours: Option<f64>,
    /// Outage only: share of users who reach their contacts on a service of the family that stays up.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub fallback_share: Option<f64>,
    /// Trust shock only: share of the service's users who want to move (a survey figure).
    #[schemars(range(min = 0.0, max = 1.0))]
    pub wanting_to_move: Option<f64>,
    /// Trust shock only: dated coverage index that drives the push.
    pub coverage: Option<RawCoverage>,
    /// Apps the event's news names, with the share of news-led switchers each takes.
    #[serde(default)]
    pub named: Vec<RawNamed>,
    /// Where the event's facts come from (start, length, severity), or "assumed" and why.
    pub source: Option<String>,
}

/// One app named by the event's news (`[[event.named]]`): a constant `share` (from `from`, if
/// given), or a dated series `shares` from `from` every `every_hours`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNamed {
    pub app: String,
    pub share: Option<f64>,
    #[schemars(with = "Option<String>", extend("format" = "date-time"))]
    pub from: Option<toml::value::Datetime>,
    pub every_hours: Option<f64>,
    pub shares: Option<Vec<f64>>,
    /// Share of the region's users the naming reaches whatever led them to look (an
    /// advertisement, a store's front page); 0 (the default): the news-led alone.
    pub reach: Option<f64>,
    /// Who named the app, where and when (or "assumed" and why).
    pub source: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCoverage {
    /// Date-time of the first point.
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub from: toml::value::Datetime,
    /// Hours between points.
    pub every_hours: f64,
    /// Index values (any scale; scaled so the largest is 1).
    pub index: Vec<f64>,
    /// Where the series comes from, or "assumed" and why.
    pub source: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegion {
    /// The region's name, as the apps' region tables use it.
    pub name: String,
    #[schemars(range(min = 0.0))]
    /// Users of the affected services in the region.
    pub users: f64,
    /// The region's offset from UTC in hours (its activity follows local time).
    pub utc_offset_hours: f64,
    /// 24 shares (local hours 0..23) of users who open a messaging app in that hour; default shape if absent.
    #[schemars(length(min = 24, max = 24))]
    pub activity: Option<Vec<f64>>,
    /// Share of users who reach most contacts on a channel that stays up; 0 if absent.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub reachable_elsewhere: f64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApp {
    /// The app's name.
    pub name: String,
    #[schemars(range(min = 0.0))]
    /// Relative pull of the app on a switcher with no contacts there (docs/MODEL.md §5).
    pub attractiveness: f64,
    /// Registrations the servers take per second, worldwide; unlimited if absent.
    pub capacity_per_second: Option<f64>,
    /// Registrations per second per region (instead of a worldwide capacity).
    #[serde(default)]
    pub capacity_by_region: BTreeMap<String, f64>,
    /// Organic sign-ups per day that would come anyway (outside the affected users).
    #[serde(default)]
    pub baseline_per_day: f64,
    #[schemars(range(min = 0.0, max = 1.0))]
    /// Share of arrivals still active after 30 days.
    pub retention_30d: f64,
    /// Per region name (or `default` for the regions not listed): share of the region's
    /// affected users already active on the app.
    pub active_share: BTreeMap<String, f64>,
    /// The same for users holding a dormant account at the app.
    pub dormant_share: BTreeMap<String, f64>,
    /// Verification codes (SMS) deliverable per second, per region; no limit if absent.
    #[serde(default)]
    pub verification_by_region: BTreeMap<String, f64>,
    /// Per region name (or `default`): share of the region's affected users who know the app
    /// exists from the press and the app stores, apart from contacts who use it (docs/MODEL.md
    /// §5); absent: everyone knows every app.
    #[serde(default)]
    pub known_share: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParams {
    pub looking: RawLooking,
    pub choice: RawChoice,
    pub signup: RawSignup,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLooking {
    pub innovation_per_hour: f64,
    pub word_of_mouth_per_hour: f64,
    pub news_per_hour: f64,
    pub news_decay_hours: f64,
    pub urgency_hours: f64,
    pub after_hours: f64,
    pub dormant_boost: f64,
    /// Regular contacts through whom a dormant holder is pulled back to her app (the boost needs
    /// one of them there); 0 (default) = every holder is boosted.
    #[serde(default)]
    pub dormant_contacts: f64,
    /// How many of those contacts must be on her app before it pulls her back (a whole number,
    /// 1 to 10, at most `dormant_contacts`); 1 (default) = one suffices, the model before.
    #[serde(default = "one")]
    pub dormant_threshold: f64,
    /// How far a holder's boosted word of mouth is limited to moves to her own app (0 to 1); 0
    /// (default) = every move boosted, the model before.
    #[serde(default)]
    pub own_app_moves: f64,
    /// Mean hours to hear of an announced block from the news; 0 (default) = at once.
    #[serde(default)]
    pub hearing_hours: f64,
    /// Time constant of waiting for an announced block's start, hours; 0 (default) = no waiting.
    #[serde(default)]
    pub deadline_hours: f64,
    /// Shape of waiting for the deadline: 0 (default) = exponential, 1 = hyperbolic.
    #[serde(default)]
    pub deadline_shape: f64,
    /// The buzz's gain (branching ratio); 0 (default) = no self-exciting surge.
    #[serde(default)]
    pub buzz_gain: f64,
    /// Time constant of the buzz's decay, hours [default 24].
    #[serde(default = "default_buzz_hours")]
    pub buzz_hours: f64,
    /// The buzz's novelty: a surge that makes an app adds `1 + buzz_novelty` times the buzz of
    /// one it hardly grows; 0 (default) = the same for every app.
    #[serde(default)]
    pub buzz_novelty: f64,
}

/// One contact on her app is enough to pull a dormant holder back (the model before the
/// threshold).
fn one() -> f64 {
    1.0
}

/// A day: a story's attention decays over about a day (Leskovec, Backstrom & Kleinberg 2009,
/// KDD, "Meme-tracking": news phrases peak and fade within a day or two); assumed.
fn default_buzz_hours() -> f64 {
    24.0
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChoice {
    pub contact_weight: f64,
    pub account_affinity: f64,
    /// Regular contacts per user, each of whom makes the app she uses known [default 15].
    #[serde(default = "default_known_contacts")]
    pub known_contacts: f64,
    /// The chance that a switcher also signs up at a second app (0 to 1); 0 (default) = one app
    /// each.
    #[serde(default)]
    pub trial_share: f64,
}

/// Dunbar's "sympathy group", the ~15 people one is in regular contact with (Dunbar 1998;
/// Zhou et al. 2005, Proc. R. Soc. B 272:439); assumed as the number of messaging contacts.
fn default_known_contacts() -> f64 {
    15.0
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSignup {
    pub patience_minutes: f64,
}
