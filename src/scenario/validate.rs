//! Validation: raw scenario structs become the domain types of `domain.rs`, or an error that
//! names the key, its line and column, and what was expected.

use super::check::{Checker, plain};
use super::domain::{
    AccountShares, AgentSettings, App, Capacity, Coverage, EngineKind, Event, EventKind,
    NetworkSpec, Region, Scenario, Timeline, hours_between,
};
use super::error::read_input;
use super::error::{ScenarioError, ValidationIssue};
use super::locate::from_toml;
use super::named::named_apps;
use super::params::{Behaviour, load_params};
use super::raw::{
    RawApp, RawCoverage, RawEvent, RawNetwork, RawRegion, RawScenario, RawSimulation,
};
use crate::model::rhythm::DEFAULT_ACTIVITY;
use crate::model::stepping::StepRule;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest sizes accepted, so that a run fits in memory on an ordinary machine.
const MAX_REGIONS: usize = 256;
const MAX_APPS: usize = 16;
const MAX_STEPS: usize = 200_000;
const MAX_USERS: f64 = 1e11;

/// Reads a scenario file and its parameter file (or `params_override`) and validates both.
pub fn load_scenario(
    path: &Path,
    params_override: Option<&Path>,
) -> Result<Scenario, ScenarioError> {
    let text = read_input(path)?;
    parse_scenario(path, &text, params_override)
}

/// Validates a scenario given its text; `path` names it in errors and anchors the params path.
pub fn parse_scenario(
    path: &Path,
    text: &str,
    params_override: Option<&Path>,
) -> Result<Scenario, ScenarioError> {
    let checker = Checker { text };
    let raw: RawScenario = from_toml(text).map_err(|i| ScenarioError::invalid(path, i))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let params_file = match (params_override, &raw.params) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(named)) => dir.join(named),
        (None, None) => default_params_file(dir),
    };
    if params_override.is_none() && !params_file.is_file() {
        let message = if raw.params.is_none() {
            format!(
                "the scenario names no parameter file, and neither {} nor surge's shipped {} exists; add params = \"path/to/params.toml\" (relative to this file), or set SURGE_PARAMS to a folder holding fitted.toml",
                params_file.display(),
                shipped_params_dir().join("fitted.toml").display()
            )
        } else {
            format!(
                "{}; expected params = \"path/to/params.toml\" relative to this file",
                missing_file("parameter file", &params_file)
            )
        };
        return Err(ScenarioError::invalid(
            path,
            checker.issue("params", message),
        ));
    }
    let behaviour = load_params(&params_file)?;
    build(raw, &checker, behaviour)
        .map(|mut s| {
            s.file = path.to_path_buf();
            s.sha256 = hex(&Sha256::digest(text.as_bytes()));
            s.params_file = params_file;
            s
        })
        .map_err(|i| ScenarioError::invalid(path, i))
}

/// Why `path` cannot be read as a file: absent, a folder, or not a regular file.
pub fn missing_file(what: &str, path: &Path) -> String {
    match std::fs::metadata(path) {
        Err(_) => format!("{what} {} does not exist", path.display()),
        Ok(m) if m.is_dir() => format!("{what} {} is a folder; expected a file", path.display()),
        Ok(_) => format!(
            "{what} {} is not a regular file (a FIFO, socket or device); expected a file",
            path.display()
        ),
    }
}

/// The folder of the parameters shipped with surge: `$SURGE_PARAMS` if set, else `params/` of
/// the source tree this binary was built from.
pub fn shipped_params_dir() -> PathBuf {
    std::env::var_os("SURGE_PARAMS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("params"))
}

/// A file surge ships (`data/observations.toml`, `params/priors.toml`, ...), named relative to
/// surge's source tree: the working folder's copy when it has one (surge's own checkout, or a
/// user's edited copy laid out the same way), else the shipped one (`params/...` from
/// [`shipped_params_dir`], anything else from the source tree this binary was built from), so
/// that `surge fit` and `surge validate` run from any folder.
pub fn shipped_file(relative: &str) -> PathBuf {
    let here = PathBuf::from(relative);
    if here.exists() {
        return here;
    }
    match relative.strip_prefix("params/") {
        Some(name) => shipped_params_dir().join(name),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(relative),
    }
}

/// The parameter file a scenario without `params` uses: `../params/` beside the scenario's
/// folder (surge's own layout, `scenarios/` and `params/`), else the parameters shipped with
/// surge (`shipped_params_dir`), so a scenario written anywhere runs with them; in each, the
/// fitted parameters once `surge fit` has written them, the hand-set defaults before.
pub fn default_params_file(scenario_dir: &Path) -> PathBuf {
    let beside = scenario_dir.join("../params");
    for dir in [beside.clone(), shipped_params_dir()] {
        for name in ["fitted.toml", "default.toml"] {
            let file = dir.join(name);
            if file.is_file() {
                return file;
            }
        }
    }
    beside.join("fitted.toml")
}

/// Smallest sign-up or verification limit a scenario may give, per second (one a day is 1.2e-5):
/// a queue's wait is what waits divided by the limit, which a subnormal limit made infinite.
const MIN_LIMIT_PER_SECOND: f64 = 1e-6;
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The most runs one piece of work may have (run indices are counted in 32 bits).
pub const MAX_RUNS: u64 = u32::MAX as u64;

fn build(raw: RawScenario, c: &Checker, behaviour: Behaviour) -> Result<Scenario, ValidationIssue> {
    check_name(c, "name", &raw.name)?;
    let regions = regions(c, &raw.regions)?;
    let names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
    let timeline = timeline(c, &raw.simulation, &raw.event)?;
    let apps = apps(c, &raw.apps, &names)?;
    let app_names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    let mut event = event(c, "event", &raw.event, &names, &timeline)?;
    if let Some(s) = event
        .services
        .iter()
        .find(|s| app_names.contains(&s.as_str()))
    {
        return Err(c.issue(
            "event.services",
            format!(
                "the first event is on the services whose users are simulated, not on an alternative app (`{s}`); put an app's outage in [[events]]"
            ),
        ));
    }
    event.named = named_apps(
        c,
        "event",
        &raw.event.named,
        &app_names,
        event.start,
        &timeline,
    )?;
    let (more_events, app_outages) = super::events::more_events(
        c,
        &raw.events,
        &names,
        &app_names,
        &event.services,
        &timeline,
    )?;
    if raw.simulation.runs == 0 {
        return Err(c.issue("simulation.runs", "expected at least 1 run"));
    }
    if raw.simulation.runs > MAX_RUNS {
        return Err(c.issue(
            "simulation.runs",
            format!(
                "expected at most {MAX_RUNS} runs (the most surge counts), found {}; split the work into shards",
                raw.simulation.runs
            ),
        ));
    }
    let engine = engine(c, &raw.simulation, raw.network.as_ref(), &names)?;
    let sampler = match raw.simulation.sampler.as_deref() {
        None => crate::model::draw::Sampler::Exact,
        Some(name) if let Some(s) = crate::model::draw::Sampler::from_name(name) => s,
        Some(other) => {
            return Err(c.issue(
                "simulation.sampler",
                format!("expected \"exact\" or \"hybrid\", found {other:?}"),
            ));
        }
    };
    let stepping = step_rule(c, &raw.simulation, &engine)?;
    Ok(Scenario {
        engine,
        sampler,
        stepping,
        name: raw.name,
        description: raw.description,
        file: PathBuf::new(),
        sha256: String::new(),
        params_file: PathBuf::new(),
        behaviour,
        timeline,
        event,
        more_events,
        app_outages,
        regions,
        apps,
        runs: raw.simulation.runs,
        seed: raw.simulation.seed,
    })
}

/// `simulation.engine`, `simulation.agents` and `[network]`: the cohort engine unless
/// `engine = "agents"`, whose size and network settings must be ones that can be met.
/// `[network.mixing]`: one table per region naming the share of its random contacts drawn from
/// each region (regions left out get 0); every region needs its row, and every row sums to 1.
fn mixing(
    c: &Checker,
    raw: &BTreeMap<String, BTreeMap<String, f64>>,
    names: &[&str],
) -> Result<Vec<Vec<f64>>, ValidationIssue> {
    let index = |key: &str, name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            c.issue(
                key,
                format!(
                    "unknown region `{name}`; expected one of {}",
                    names.join(", ")
                ),
            )
        })
    };
    let mut rows = vec![None; names.len()];
    for (from, row) in raw {
        let key = format!("network.mixing.{from}");
        let r = index(&key, from)?;
        let mut shares = vec![0.0; names.len()];
        for (to, &share) in row {
            let cell = format!("{key}.{to}");
            shares[index(&cell, to)?] = c.share(&cell, share)?;
        }
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            return Err(c.issue(
                &key,
                format!(
                    "expected shares that sum to 1, found a sum of {}",
                    plain(sum)
                ),
            ));
        }
        rows[r] = Some(shares);
    }
    rows.into_iter()
        .zip(names)
        .map(|(row, name)| {
            row.ok_or_else(|| {
                c.issue(
                    "network.mixing",
                    format!("missing the row of region `{name}`; expected one per region"),
                )
            })
        })
        .collect()
}

fn engine(
    c: &Checker,
    sim: &RawSimulation,
    network: Option<&RawNetwork>,
    names: &[&str],
) -> Result<EngineKind, ValidationIssue> {
    match sim.engine.as_deref() {
        None | Some("cohort") => {
            if sim.agents.is_some() {
                return Err(c.issue(
                    "simulation.agents",
                    "applies to engine = \"agents\" only; set simulation.engine = \"agents\" or remove it",
                ));
            }
            if network.is_some() {
                return Err(c.issue(
                    "network",
                    "applies to engine = \"agents\" only; set simulation.engine = \"agents\" or remove it",
                ));
            }
            Ok(EngineKind::Cohort)
        }
        Some("agents") => {
            let d = AgentSettings::default();
            let none = RawNetwork::default();
            let n = network.unwrap_or(&none);
            let keyed = [
                ("network.mean_degree", n.mean_degree),
                ("network.degree_spread", n.degree_spread),
                ("network.within_region", n.within_region),
                ("network.closure", n.closure),
                ("network.homophily", n.homophily),
            ];
            for (key, value) in keyed {
                if let Some(v) = value {
                    c.finite(key, v)?;
                }
            }
            let settings = AgentSettings {
                agents: usize::try_from(sim.agents.unwrap_or(d.agents as u64))
                    .unwrap_or(usize::MAX),
                network: NetworkSpec {
                    mean_degree: n.mean_degree.unwrap_or(d.network.mean_degree),
                    degree_spread: n.degree_spread.unwrap_or(d.network.degree_spread),
                    within_region: n.within_region.unwrap_or(d.network.within_region),
                    closure: n.closure.unwrap_or(d.network.closure),
                    homophily: n.homophily.unwrap_or(d.network.homophily),
                    mixing: n.mixing.as_ref().map(|m| mixing(c, m, names)).transpose()?,
                    independent_accounts: n
                        .independent_accounts
                        .unwrap_or(d.network.independent_accounts),
                },
            };
            match settings.problem() {
                None => Ok(EngineKind::Agents(settings)),
                Some(("agents", message)) => Err(c.issue("simulation.agents", message)),
                Some((key, message)) => Err(c.issue(&format!("network.{key}"), message)),
            }
        }
        Some(other) => Err(c.issue(
            "simulation.engine",
            format!("expected \"cohort\" or \"agents\", found {other:?}"),
        )),
    }
}

/// A name that is safe as a folder or file name: no separators, no `..`, no control characters.
fn check_name(c: &Checker, key: &str, name: &str) -> Result<(), ValidationIssue> {
    let bad = name.is_empty()
        || name.chars().count() > 100
        || name.starts_with('.')
        || name.chars().any(|ch| {
            ch.is_control() || matches!(ch, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        });
    if bad {
        return Err(c.issue(
            key,
            format!(
                "expected a name usable as a folder name (1-100 characters, not starting with '.', \
                 no path separators or control characters), found {name:?}"
            ),
        ));
    }
    if let Some(ch) = name.chars().find(|&ch| invisible(ch)) {
        return Err(c.issue(
            key,
            format!(
                "{name:?} contains the invisible character U+{:04X}, which would make two names that look alike differ (or reverse how a folder name reads); use visible characters only",
                ch as u32
            ),
        ));
    }
    if let Some(ch) = name.chars().find(|&ch| !drawable(ch)) {
        return Err(c.issue(
            key,
            format!(
                "{name:?} contains {ch:?}, which the plots' font (DejaVu Sans) cannot draw (it would \
                 show as a box); use Latin, Greek or Cyrillic letters, digits and punctuation"
            ),
        ));
    }
    Ok(())
}

/// Unicode format characters that show nothing (Unicode category Cf as names meet it): the
/// bidirectional controls (U+200E/F, U+202A-E, U+2066-9, U+061C), zero-width characters
/// (U+200B-D, U+2060-4, U+FEFF), the soft hyphen (U+00AD) and the variation selectors.
fn invisible(ch: char) -> bool {
    matches!(ch as u32,
        0x00AD | 0x061C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
        | 0x2066..=0x206F | 0xFE00..=0xFE0F | 0xFEFF)
}

/// Whether the font the plots embed (DejaVu Sans, `report::plot::style`) has a glyph for `ch`:
/// names appear in every plot, so a name the font cannot draw is refused rather than drawn as
/// boxes. (CJK and emoji are not in DejaVu; a font that has them is tens of megabytes.)
fn drawable(ch: char) -> bool {
    use ab_glyph::Font;
    static FONT: std::sync::OnceLock<Option<ab_glyph::FontRef<'static>>> =
        std::sync::OnceLock::new();
    FONT.get_or_init(|| ab_glyph::FontRef::try_from_slice(dejavu::sans::regular()).ok())
        .as_ref()
        .is_none_or(|f| f.glyph_id(ch).0 != 0)
}

fn timeline(c: &Checker, sim: &RawSimulation, ev: &RawEvent) -> Result<Timeline, ValidationIssue> {
    let step_minutes = c.positive("simulation.step_minutes", sim.step_minutes)?;
    let horizon = c.positive("simulation.horizon_hours", sim.horizon_hours)?;
    let lead = c.non_negative("simulation.lead_hours", sim.lead_hours)?;
    let output_minutes = c.positive("simulation.output_minutes", sim.output_minutes)?;
    if lead >= horizon {
        return Err(c.issue(
            "simulation.lead_hours",
            format!(
                "the event must start inside the horizon: lead_hours ({}) must be < horizon_hours ({})",
                plain(lead),
                plain(horizon)
            ),
        ));
    }
    let whole = |key: &str, minutes: f64, what: &str| -> Result<usize, ValidationIssue> {
        let n = minutes / step_minutes;
        if n.round() > MAX_STEPS as f64 {
            Err(c.issue(
                key,
                format!(
                    "{} steps is more than the {MAX_STEPS} allowed; use a longer simulation.step_minutes",
                    plain(n.round())
                ),
            ))
        } else if (n - n.round()).abs() > 1e-9 || n.round() < 1.0 && minutes > 0.0 {
            Err(c.issue(
                key,
                format!(
                    "expected a whole number of steps: simulation.step_minutes = {} must divide {what} ({} minutes)",
                    plain(step_minutes),
                    plain(minutes)
                ),
            ))
        } else {
            Ok(n.round() as usize)
        }
    };
    let steps = whole("simulation.horizon_hours", horizon * 60.0, "the horizon")?;
    let event_step = if lead == 0.0 {
        0
    } else {
        whole("simulation.lead_hours", lead * 60.0, "the lead time")?
    };
    let output_every = whole(
        "simulation.output_minutes",
        output_minutes,
        "the output interval",
    )?;
    if steps > MAX_STEPS {
        return Err(c.issue(
            "simulation.horizon_hours",
            format!("{steps} steps is more than the {MAX_STEPS} allowed; use a longer simulation.step_minutes"),
        ));
    }
    if !steps.is_multiple_of(output_every) {
        return Err(c.issue(
            "simulation.output_minutes",
            format!(
                "expected an output interval that divides the horizon ({} hours)",
                plain(horizon)
            ),
        ));
    }
    if event_step >= steps {
        return Err(c.issue(
            "simulation.lead_hours",
            format!("the event must start inside the horizon: lead_hours ({lead}) must be < horizon_hours ({horizon})"),
        ));
    }
    let start = parse_time(c, "event.start", &ev.start)?;
    let lead_ms = (lead * 3_600_000.0).round() as i64;
    Ok(Timeline {
        start: start - chrono::Duration::milliseconds(lead_ms),
        step_hours: step_minutes / 60.0,
        steps,
        event_step,
        output_every,
    })
}

pub(super) fn parse_time(
    c: &Checker,
    key: &str,
    value: &toml::value::Datetime,
) -> Result<DateTime<Utc>, ValidationIssue> {
    DateTime::parse_from_rfc3339(&value.to_string())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            c.issue(
                key,
                format!("expected a date-time with a UTC offset such as 2021-10-04T15:39:00Z, found {value}"),
            )
        })
}

/// Hours from an announced outage's `announced_at` to its start: only for `announced = true`,
/// not after the start, and not before the simulated time begins (`simulation.lead_hours`).
fn warning_hours(
    c: &Checker,
    event_key: &str,
    at: &toml::value::Datetime,
    start: DateTime<Utc>,
    announced: bool,
    timeline: &Timeline,
) -> Result<f64, ValidationIssue> {
    let key = format!("{event_key}.announced_at");
    let key = key.as_str();
    if !announced {
        return Err(c.issue(
            key,
            "only an announced outage (`announced = true`) has an announcement time",
        ));
    }
    let hours = hours_between(parse_time(c, key, at)?, start);
    if hours < 0.0 {
        return Err(c.issue(
            key,
            format!(
                "the announcement must come before the outage starts, found {} h after it",
                plain(-hours)
            ),
        ));
    }
    let lead = timeline.hours_from_start(start);
    if hours > lead + 1e-9 {
        return Err(c.issue(
            key,
            format!(
                "the announcement must lie inside the simulated time: it is {} h before the start, but {} {}",
                plain(hours),
                if event_key == "event" {
                    "simulation.lead_hours is"
                } else {
                    "the simulated time begins before it by"
                },
                plain(lead)
            ),
        ));
    }
    Ok(hours)
}

/// Hours before an announced outage's start from which people expected it (`may_start_from`):
/// only with an announcement time, and between it and the start.
fn uncertain_start_hours(
    c: &Checker,
    event_key: &str,
    from: &toml::value::Datetime,
    start: DateTime<Utc>,
    has_announcement: bool,
    warning_hours: f64,
) -> Result<f64, ValidationIssue> {
    let key = format!("{event_key}.may_start_from");
    let key = key.as_str();
    if !has_announcement {
        return Err(c.issue(
            key,
            "an uncertain start needs the announcement it follows: set `announced = true` and `announced_at`",
        ));
    }
    let hours = hours_between(parse_time(c, key, from)?, start);
    if hours < 0.0 || hours > warning_hours + 1e-9 {
        return Err(c.issue(
            key,
            format!(
                "expected a time from the announcement to the start (0 to {} h before the start), found {} h {} it",
                plain(warning_hours),
                plain(hours.abs()),
                if hours < 0.0 { "after" } else { "before" }
            ),
        ));
    }
    Ok(hours)
}

pub(super) fn event(
    c: &Checker,
    at: &str,
    ev: &RawEvent,
    regions: &[&str],
    timeline: &Timeline,
) -> Result<Event, ValidationIssue> {
    let start = parse_time(c, &format!("{at}.start"), &ev.start)?;
    let severity_for = |default: f64| -> Result<Vec<f64>, ValidationIssue> {
        check_region_keys(
            c,
            &format!("{at}.severity_by_region"),
            &ev.severity_by_region,
            regions,
        )?;
        regions
            .iter()
            .map(|r| match ev.severity_by_region.get(*r) {
                Some(v) => c.share(&format!("{at}.severity_by_region.{r}"), *v),
                None => Ok(default),
            })
            .collect()
    };
    let horizon_after_event =
        timeline.steps as f64 * timeline.step_hours - timeline.hours_from_start(start);
    let (kind, severity) = match ev.kind.as_str() {
        "outage" => {
            let trust_shock_keys = [
                ("wanting_to_move", ev.wanting_to_move.is_some()),
                ("coverage", ev.coverage.is_some()),
            ];
            for (key, set) in trust_shock_keys {
                if set {
                    return Err(c.issue(
                        &format!("{at}.{key}"),
                        "only a trust_shock event takes this key",
                    ));
                }
            }
            let duration = ev
                .duration_hours
                .ok_or_else(|| c.issue(at, "an outage needs `duration_hours`"))?;
            let duration = c.positive(&format!("{at}.duration_hours"), duration)?;
            if duration > horizon_after_event + 1e-9 {
                return Err(c.issue(
                    &format!("{at}.duration_hours"),
                    format!(
                        "the outage must end inside the horizon: it lasts {} h but only {} h are simulated after it starts",
                        plain(duration),
                        plain(horizon_after_event)
                    ),
                ));
            }
            let default = c.share(&format!("{at}.severity"), ev.severity.unwrap_or(1.0))?;
            let fallback_share = c.share(
                &format!("{at}.fallback_share"),
                ev.fallback_share.unwrap_or(0.0),
            )?;
            let announced = ev.announced.unwrap_or(false);
            let warning_hours = match &ev.announced_at {
                None => 0.0,
                Some(when) => warning_hours(c, at, when, start, announced, timeline)?,
            };
            let expected_hours = match ev.expected_hours {
                None => None,
                Some(_) if !announced => {
                    return Err(c.issue(
                        &format!("{at}.expected_hours"),
                        "only an announced outage (`announced = true`) has an announced length",
                    ));
                }
                Some(h) => Some(c.positive(&format!("{at}.expected_hours"), h)?),
            };
            let uncertain_start_hours = match &ev.may_start_from {
                None => 0.0,
                Some(when) => uncertain_start_hours(
                    c,
                    at,
                    when,
                    start,
                    ev.announced_at.is_some(),
                    warning_hours,
                )?,
            };
            (
                EventKind::Outage {
                    duration_hours: duration,
                    announced,
                    warning_hours,
                    uncertain_start_hours,
                    expected_hours,
                    fallback_share,
                },
                severity_for(default)?,
            )
        }
        "trust_shock" => {
            if ev.duration_hours.is_some()
                || ev.severity.is_some()
                || !ev.severity_by_region.is_empty()
                || ev.announced.is_some()
                || ev.announced_at.is_some()
                || ev.may_start_from.is_some()
                || ev.expected_hours.is_some()
                || ev.fallback_share.is_some()
            {
                return Err(c.issue(
                    at,
                    "a trust_shock has no duration_hours, severity, announced or fallback_share; it takes wanting_to_move and coverage",
                ));
            }
            let wanting = ev.wanting_to_move.ok_or_else(|| {
                c.issue(
                    at,
                    "a trust_shock needs `wanting_to_move` (share of users who want to move)",
                )
            })?;
            let coverage = ev.coverage.as_ref().ok_or_else(|| {
                c.issue(
                    at,
                    "a trust_shock needs `coverage` (a dated index of news coverage or search interest)",
                )
            })?;
            (
                EventKind::TrustShock {
                    wanting_to_move: c.share(&format!("{at}.wanting_to_move"), wanting)?,
                    coverage: coverage_series(c, at, coverage, start)?,
                },
                vec![1.0; regions.len()],
            )
        }
        other => {
            return Err(c.issue(
                &format!("{at}.kind"),
                format!("expected \"outage\" or \"trust_shock\", found {other:?}"),
            ));
        }
    };
    Ok(Event {
        kind,
        services: ev.services.clone(),
        start,
        severity,
        named: Vec::new(),
    })
}

/// A trust shock's coverage index: at least two points, each in [0, 10] (1 = the coverage of a
/// worldwide outage at its height, docs/MODEL.md §4), not all zero.
fn coverage_series(
    c: &Checker,
    at: &str,
    raw: &RawCoverage,
    event_start: DateTime<Utc>,
) -> Result<Coverage, ValidationIssue> {
    let from = parse_time(c, &format!("{at}.coverage.from"), &raw.from)?;
    let every = c.positive(&format!("{at}.coverage.every_hours"), raw.every_hours)?;
    if raw.index.len() < 2 {
        return Err(c.issue(
            &format!("{at}.coverage.index"),
            format!("expected at least 2 values, found {}", raw.index.len()),
        ));
    }
    for (i, v) in raw.index.iter().enumerate() {
        let key = format!("{at}.coverage.index[{i}]");
        c.non_negative(&key, *v)?;
        c.at_most(&key, *v, 10.0)?;
    }
    if raw.index.iter().all(|&v| v == 0.0) {
        return Err(c.issue(
            &format!("{at}.coverage.index"),
            "expected at least one value above 0",
        ));
    }
    if raw.source.trim().is_empty() {
        return Err(c.issue(
            &format!("{at}.coverage.source"),
            "expected where the series comes from (or \"assumed\" and why)",
        ));
    }
    Ok(Coverage {
        first_hours: (from - event_start).num_seconds() as f64 / 3600.0,
        every_hours: every,
        index: raw.index.clone(),
    })
}

fn regions(c: &Checker, raw: &[RawRegion]) -> Result<Vec<Region>, ValidationIssue> {
    if raw.is_empty() || raw.len() > MAX_REGIONS {
        return Err(c.issue(
            "regions",
            format!(
                "expected 1 to {MAX_REGIONS} [[regions]], found {}",
                raw.len()
            ),
        ));
    }
    let mut out: Vec<Region> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let key = |k: &str| format!("regions[{i}].{k}");
        check_name(c, &key("name"), &r.name)?;
        // "all" names the sum over regions, "default" the value of regions a table leaves out.
        if r.name == "all" || r.name == DEFAULT_KEY || out.iter().any(|o| o.name == r.name) {
            return Err(c.issue(
                &key("name"),
                format!("region name {:?} is reserved or already used", r.name),
            ));
        }
        let users = c.non_negative(&key("users"), r.users)?;
        let users = c.at_most(&key("users"), users, MAX_USERS)?;
        if users.fract() != 0.0 {
            return Err(c.issue(
                &key("users"),
                format!("expected a whole number of users, found {}", plain(users)),
            ));
        }
        let offset = c.finite(&key("utc_offset_hours"), r.utc_offset_hours)?;
        if !(-12.0..=14.0).contains(&offset) {
            return Err(c.issue(
                &key("utc_offset_hours"),
                format!("expected an offset in [-12, 14], found {}", plain(offset)),
            ));
        }
        let activity = match &r.activity {
            None => DEFAULT_ACTIVITY,
            Some(values) => {
                let mut a = [0.0; 24];
                if values.len() != 24 {
                    return Err(c.issue(
                        &key("activity"),
                        format!("expected 24 hourly shares, found {}", values.len()),
                    ));
                }
                for (h, v) in values.iter().enumerate() {
                    a[h] = c.share(&format!("regions[{i}].activity[{h}]"), *v)?;
                }
                a
            }
        };
        out.push(Region {
            name: r.name.clone(),
            users: users as u64,
            utc_offset_hours: offset,
            activity,
            reachable_elsewhere: c.share(&key("reachable_elsewhere"), r.reachable_elsewhere)?,
        });
    }
    Ok(out)
}

/// Every key of a per-region table must be a region; a close misspelling is named.
/// The key of a region table that gives the value of every region the table leaves out
/// (`active_share = { default = 0.005, europe = 0.15 }`); no region may take this name.
const DEFAULT_KEY: &str = "default";

fn check_region_keys<V>(
    c: &Checker,
    table: &str,
    map: &BTreeMap<String, V>,
    regions: &[&str],
) -> Result<(), ValidationIssue> {
    for k in map.keys() {
        if !regions.contains(&k.as_str()) {
            let best = regions
                .iter()
                .max_by(|a, b| strsim::jaro_winkler(k, a).total_cmp(&strsim::jaro_winkler(k, b)))
                .filter(|b| strsim::jaro_winkler(k, b) > 0.7);
            let hint = best.map_or(String::new(), |b| format!("; did you mean `{b}`?"));
            return Err(c.issue(
                &format!("{table}.{k}"),
                format!(
                    "unknown region `{k}`{hint} (regions: {})",
                    regions.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A value per region from a region table; `default` (checked like the rest) gives the regions
/// the table leaves out, and without it every region must be listed.
fn per_region(
    c: &Checker,
    table: &str,
    map: &BTreeMap<String, f64>,
    regions: &[&str],
    check: impl Fn(&str, f64) -> Result<f64, ValidationIssue>,
) -> Result<Vec<f64>, ValidationIssue> {
    let mut listed = map.clone();
    let default = listed
        .remove(DEFAULT_KEY)
        .map(|v| check(&format!("{table}.{DEFAULT_KEY}"), v))
        .transpose()?;
    check_region_keys(c, table, &listed, regions)?;
    regions
        .iter()
        .map(|r| {
            let key = format!("{table}.{r}");
            match (listed.get(*r), default) {
                (Some(v), _) => check(&key, *v),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(c.issue(
                    table,
                    format!(
                        "missing a value for region `{r}` (list every region, or give `default = ...` for those left out)"
                    ),
                )),
            }
        })
        .collect()
}

fn apps(c: &Checker, raw: &[RawApp], regions: &[&str]) -> Result<Vec<App>, ValidationIssue> {
    if raw.is_empty() || raw.len() > MAX_APPS {
        return Err(c.issue(
            "apps",
            format!("expected 1 to {MAX_APPS} [[apps]], found {}", raw.len()),
        ));
    }
    let mut out: Vec<App> = Vec::with_capacity(raw.len());
    for (i, a) in raw.iter().enumerate() {
        let key = |k: &str| format!("apps[{i}].{k}");
        check_name(c, &key("name"), &a.name)?;
        if a.name == "all" || out.iter().any(|o| o.name == a.name) {
            return Err(c.issue(
                &key("name"),
                format!("app name {:?} is reserved or already used", a.name),
            ));
        }
        let share = |k: &str, v: f64| c.share(k, v);
        let active = per_region(c, &key("active_share"), &a.active_share, regions, share)?;
        let dormant = per_region(c, &key("dormant_share"), &a.dormant_share, regions, share)?;
        let accounts: Vec<AccountShares> = active
            .iter()
            .zip(&dormant)
            .map(|(&active, &dormant)| AccountShares { active, dormant })
            .collect();
        for (r, s) in regions.iter().zip(&accounts) {
            if s.active + s.dormant > 1.0 + 1e-12 {
                return Err(c.issue(
                    &format!("apps[{i}].dormant_share.{r}"),
                    format!(
                        "active + dormant must be <= 1, found {} + {}",
                        s.active, s.dormant
                    ),
                ));
            }
        }
        let baseline = c.non_negative(&key("baseline_per_day"), a.baseline_per_day)?;
        // Poisson draws lose meaning far above any real sign-up count (1e25 used to give 0).
        let baseline = c.at_most(&key("baseline_per_day"), baseline, MAX_USERS)?;
        let baseline_per_second = baseline / 86_400.0;
        let capacity = match (a.capacity_per_second, a.capacity_by_region.is_empty()) {
            (Some(_), false) => {
                return Err(c.issue(
                    &key("capacity_by_region"),
                    "give capacity_per_second or capacity_by_region, not both",
                ));
            }
            (Some(v), true) => {
                let v = c.at_least(&key("capacity_per_second"), v, MIN_LIMIT_PER_SECOND)?;
                if v <= baseline_per_second {
                    return Err(c.issue(
                        &key("capacity_per_second"),
                        format!(
                            "capacity ({}/s) must exceed the baseline registrations ({}/s)",
                            plain(v),
                            plain(baseline_per_second)
                        ),
                    ));
                }
                Capacity::Global(v)
            }
            (None, false) => Capacity::PerRegion(per_region(
                c,
                &key("capacity_by_region"),
                &a.capacity_by_region,
                regions,
                |k, v| c.at_least(k, v, MIN_LIMIT_PER_SECOND),
            )?),
            (None, true) => {
                return Err(c.issue(
                    &format!("apps[{i}]"),
                    "expected capacity_per_second or capacity_by_region",
                ));
            }
        };
        let verification = if a.verification_by_region.is_empty() {
            None
        } else {
            Some(per_region(
                c,
                &key("verification_by_region"),
                &a.verification_by_region,
                regions,
                |k, v| c.at_least(k, v, MIN_LIMIT_PER_SECOND),
            )?)
        };
        let known = if a.known_share.is_empty() {
            None
        } else {
            Some(per_region(
                c,
                &key("known_share"),
                &a.known_share,
                regions,
                share,
            )?)
        };
        out.push(App {
            verification,
            known,
            name: a.name.clone(),
            attractiveness: c.at_most(
                &key("attractiveness"),
                c.positive(&key("attractiveness"), a.attractiveness)?,
                super::params::MAX_WEIGHT,
            )?,
            capacity,
            baseline_per_day: baseline,
            retention_30d: c.share(&key("retention_30d"), a.retention_30d)?,
            accounts,
        });
    }
    let uncertain = out.iter().filter(|a| a.known.is_some()).count();
    if uncertain > crate::model::switching::MAX_UNCERTAIN_APPS {
        let i = raw
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.known_share.is_empty())
            .nth(crate::model::switching::MAX_UNCERTAIN_APPS)
            .map_or(0, |(i, _)| i);
        return Err(c.issue(
            &format!("apps[{i}].known_share"),
            format!(
                "at most {} apps may give known_share (the choice among known apps is exact over every set of them), found {uncertain}",
                crate::model::switching::MAX_UNCERTAIN_APPS
            ),
        ));
    }
    for (ri, r) in regions.iter().enumerate() {
        let held: f64 = out
            .iter()
            .map(|a| a.accounts[ri].active + a.accounts[ri].dormant)
            .sum();
        if held > 1.0 + 1e-9 {
            return Err(c.issue(
                "apps",
                format!(
                    "in region `{r}` the account shares of all apps add up to {held:.3}; each user holds at most one \
                     alternative account in this model, so they must add up to <= 1"
                ),
            ));
        }
    }
    Ok(out)
}

/// `simulation.step_rule` and `step_tolerance`: adaptive on the cohort engine unless the fixed
/// rule is asked for (issue 40: its effect on every shipped scenario's headline means is below
/// a tenth of a 10,000-run Monte Carlo error), fixed on the agent engine, which moves users one
/// by one at the scenario's step.
fn step_rule(
    c: &Checker,
    sim: &super::raw::RawSimulation,
    engine: &EngineKind,
) -> Result<StepRule, ValidationIssue> {
    let rule = match sim.step_rule.as_deref() {
        None if matches!(engine, EngineKind::Agents(_)) => StepRule::Fixed,
        None => StepRule::adaptive(),
        Some(name) if let Some(rule) = StepRule::from_name(name) => rule,
        Some(other) => {
            return Err(c.issue(
                "simulation.step_rule",
                format!("expected \"fixed\" or \"adaptive\", found {other:?}"),
            ));
        }
    };
    if matches!(engine, EngineKind::Agents(_)) && rule != StepRule::Fixed {
        return Err(c.issue(
            "simulation.step_rule",
            "adaptive steps are for the cohort engine; the agent engine takes every step",
        ));
    }
    let Some(tolerance) = sim.step_tolerance else {
        return Ok(rule);
    };
    if let Some(problem) = StepRule::tolerance_problem(tolerance) {
        return Err(c.issue("simulation.step_tolerance", problem));
    }
    if rule == StepRule::Fixed {
        return Err(c.issue(
            "simulation.step_tolerance",
            "a tolerance is for step_rule = \"adaptive\" only (the fixed rule takes every step)",
        ));
    }
    Ok(rule.with_tolerance(tolerance))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: the 100-character limit on names counts characters, not bytes.
    #[test]
    fn names_are_limited_in_characters_not_bytes() {
        let c = Checker { text: "" };
        // Greek: two bytes a character, and drawable.
        let greek: String = "λ".repeat(100);
        assert_eq!(greek.len(), 200);
        assert!(check_name(&c, "name", &greek).is_ok());
        let too_long = check_name(&c, "name", &"λ".repeat(101)).unwrap_err();
        assert!(too_long.message.contains("1-100 characters"));
    }

    /// Issue 14: CJK and emoji drew as boxes in the plots; names the embedded font cannot draw
    /// are refused, naming the character; accented Latin, Greek and Cyrillic pass.
    #[test]
    fn names_the_plot_font_cannot_draw_are_refused() {
        let c = Checker { text: "" };
        for ok in ["São Paulo", "Ελλάδα", "Россия", "côte-d'ivoire 2021"] {
            assert!(check_name(&c, "name", ok).is_ok(), "{ok}");
        }
        for bad in ["名前", "telegram 🚀"] {
            let issue = check_name(&c, "name", bad).unwrap_err();
            assert!(
                issue.message.contains("cannot draw"),
                "{bad}: {}",
                issue.message
            );
        }
    }

    /// Issue 36: a right-to-left override or a zero-width character in a name was accepted and
    /// used in folder names.
    #[test]
    fn invisible_characters_in_names_are_refused() {
        let c = Checker { text: "" };
        for bad in [
            "tele\u{202E}gram",
            "tele\u{200B}gram",
            "\u{FEFF}signal",
            "a\u{2066}b",
        ] {
            let issue = check_name(&c, "name", bad).unwrap_err();
            assert!(
                issue.message.contains("invisible character U+"),
                "{bad:?}: {}",
                issue.message
            );
        }
    }
}
