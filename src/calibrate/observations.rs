//! Reported figures (`data/observations.toml`): what was counted, in which window, the
//! interval the statement allows, and where it comes from.

use super::CalibrationError;
use crate::scenario::check::Checker;
use crate::scenario::check::plain;
use crate::scenario::error::read_input;
use crate::scenario::locate::{from_toml, locate};
use crate::scenario::{ScenarioError, ValidationIssue};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default = "default_tolerance_log10")]
    tolerance_log10: f64,
    #[serde(default = "default_tolerance_share")]
    tolerance_share: f64,
    observation: Vec<RawObservation>,
}

fn default_tolerance_log10() -> f64 {
    0.1
}
fn default_tolerance_share() -> f64 {
    0.03
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObservation {
    id: String,
    event: String,
    app: String,
    counts: String,
    #[serde(default)]
    region: Option<String>,
    window_start_hours: [f64; 2],
    window_hours: f64,
    kind: String,
    low: f64,
    high: f64,
    statement: String,
    source: String,
    tolerance_log10: Option<f64>,
    /// The window starts the statement could have chosen among (the period it covers); the
    /// consistency check scores the largest window of this length that starts in it. Defaults
    /// to `window_start_hours`.
    largest_window_starts: Option<[f64; 2]>,
    /// false: the figure is predicted and shown beside the fitted ones, but is not part of the
    /// fit's distance (a check the fit cannot bend the model to meet).
    #[serde(default = "fitted_by_default")]
    fitted: bool,
    /// `ratio` only: the length of the window right after the reference window; the figure is
    /// the app's rate (per hour) in it over its rate in the reference window.
    then_hours: Option<f64>,
}

/// A figure is part of the fit unless its file says `fitted = false`.
pub(crate) fn fitted_by_default() -> bool {
    true
}

/// What a company counted (docs/MODEL.md "Observations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    /// New accounts.
    Registrations,
    /// New accounts plus dormant accounts back in use.
    Arrivals,
    /// App-store installs: new accounts plus organic registrations.
    Downloads,
    /// People who began signing up, served or not ("over a million joined, more waiting"):
    /// every sign-up attempt (registered, waiting or given up) plus organic registrations.
    Attempts,
}

/// Which of the admissible windows a figure is scored on (docs/MODEL.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowRule {
    /// The admissible start whose window comes nearest the reported interval.
    Nearest,
    /// The largest window over every start in the range (a consistency check: a company's
    /// headline is the largest figure it could have stated for that window length).
    Largest,
}

impl Counts {
    /// Every kind of count, in the order files list them.
    pub const ALL: [Counts; 4] = [
        Counts::Registrations,
        Counts::Arrivals,
        Counts::Downloads,
        Counts::Attempts,
    ];

    /// The kind of count a file names (`name`'s inverse).
    pub fn from_name(name: &str) -> Option<Counts> {
        Counts::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The name used in files: registrations, arrivals, downloads or attempts.
    pub fn name(self) -> &'static str {
        match self {
            Counts::Registrations => "registrations",
            Counts::Arrivals => "arrivals",
            Counts::Downloads => "downloads",
            Counts::Attempts => "attempts",
        }
    }
}

/// One reported figure.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    pub id: String,
    /// Line of its `app` key in the observations file (errors found later name it).
    pub line: usize,
    /// Scenario file of the event.
    pub event: PathBuf,
    pub app: String,
    pub counts: Counts,
    /// A region's share of the app's figure, if set.
    pub region: Option<String>,
    /// Range of possible window starts, hours after the event's start.
    pub window_start_hours: [f64; 2],
    pub window_hours: f64,
    /// rounded, lower_bound, interval, about or share; `at_most` for a consistency check.
    pub kind: String,
    pub rule: WindowRule,
    pub low: f64,
    pub high: f64,
    /// How far outside [low, high] (log10 units, or share units for shares) is one unit of distance.
    pub tolerance: f64,
    pub statement: String,
    pub source: String,
    /// Whether the fit's distance includes this figure (`fitted = false` in the file: it is
    /// only predicted, so the comparison with it is a test of the model, docs/MODEL.md §11).
    pub fitted: bool,
    /// A `ratio`: the hours of the window that follows the reference window
    /// (`window_start_hours`, `window_hours`); the figure is the rate in it over the rate in
    /// the reference window ("the influx has only accelerated").
    pub then_hours: Option<f64>,
}

impl Observation {
    pub fn is_share(&self) -> bool {
        self.region.is_some()
    }

    /// A ratio of two rates (dimensionless, compared on a log scale like counts).
    pub fn is_ratio(&self) -> bool {
        self.then_hours.is_some()
    }

    /// A consistency check (scored on the largest window): only a value above `high` is penalised.
    pub fn is_upper_bound(&self) -> bool {
        self.rule == WindowRule::Largest
    }

    /// Distance of a model value from the reported interval, in units of the tolerance:
    /// 0 inside [low, high]; outside, the distance to the nearer end (on a log10 scale for
    /// counts, absolute for shares) divided by the tolerance.
    pub fn distance(&self, value: f64) -> f64 {
        let outside = if self.is_share() {
            (self.low - value).max(value - self.high).max(0.0)
        } else if self.is_upper_bound() {
            (value.max(1.0).log10() - self.high.log10()).max(0.0)
        } else {
            // A count below one user is none; a ratio may be any positive number.
            let floor = if self.is_ratio() { 1e-9 } else { 1.0 };
            let v = value.max(floor).log10();
            (self.low.log10() - v).max(v - self.high.log10()).max(0.0)
        };
        outside / self.tolerance
    }

    /// A single number to show for the reported figure (middle of the interval; geometric for counts).
    pub fn reported(&self) -> f64 {
        if self.is_upper_bound() {
            self.high
        } else if self.is_share() {
            (self.low + self.high) / 2.0
        } else {
            (self.low * self.high).sqrt()
        }
    }
}

/// All observations of a file.
#[derive(Debug, Clone)]
pub struct ObservationSet {
    pub file: PathBuf,
    pub observations: Vec<Observation>,
}

impl ObservationSet {
    /// Whether any observation is part of the fit's distance (else there is nothing to fit).
    pub fn any_fitted(&self) -> bool {
        self.observations.iter().any(|o| o.fitted)
    }

    /// The distinct event scenario files, in first-seen order.
    pub fn events(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        for o in &self.observations {
            if !out.contains(&o.event) {
                out.push(o.event.clone());
            }
        }
        out
    }

    /// The observations of every event except `held_out` (matched by file stem or path).
    pub fn without_event(&self, held_out: &str) -> (ObservationSet, ObservationSet) {
        let matches = |o: &Observation| {
            o.event.file_stem().is_some_and(|s| s == held_out) || o.event.as_os_str() == held_out
        };
        let (out, keep): (Vec<_>, Vec<_>) = self.observations.iter().cloned().partition(matches);
        (
            ObservationSet {
                file: self.file.clone(),
                observations: keep,
            },
            ObservationSet {
                file: self.file.clone(),
                observations: out,
            },
        )
    }
}

fn check_observation(
    c: &Checker,
    i: usize,
    raw: RawObservation,
    dir: &Path,
    tolerances: (f64, f64),
) -> Result<Observation, ValidationIssue> {
    let key = |k: &str| format!("observation[{i}].{k}");
    let Some(counts) = Counts::from_name(&raw.counts) else {
        return Err(c.issue(
            &key("counts"),
            format!(
                "expected registrations, arrivals, downloads or attempts (what the model outputs; docs/MODEL.md §11), found {:?}",
                raw.counts
            ),
        ));
    };
    if raw.source.trim().is_empty() {
        return Err(c.issue(
            &key("source"),
            "every figure needs its source (who stated it, where and when), found an empty one",
        ));
    }
    let kinds = [
        "rounded",
        "lower_bound",
        "interval",
        "about",
        "share",
        "ratio",
    ];
    if !kinds.contains(&raw.kind.as_str()) {
        return Err(c.issue(
            &key("kind"),
            format!("expected one of {}, found {:?}", kinds.join(", "), raw.kind),
        ));
    }
    if (raw.kind == "share") != raw.region.is_some() {
        return Err(c.issue(
            &key("kind"),
            "a `share` needs a `region`, and only a share has one",
        ));
    }
    if (raw.kind == "ratio") != raw.then_hours.is_some() {
        return Err(c.issue(
            &key("kind"),
            "a `ratio` needs `then_hours` (the window after the reference window), and only a ratio has one",
        ));
    }
    if let Some(then) = raw.then_hours {
        c.positive(&key("then_hours"), then)?;
    }
    let [a, b] = raw.window_start_hours;
    c.finite(&key("window_start_hours"), a)?;
    c.finite(&key("window_start_hours"), b)?;
    if a > b {
        return Err(c.issue(
            &key("window_start_hours"),
            format!("expected [earliest, latest], found [{a}, {b}]"),
        ));
    }
    c.positive(&key("window_hours"), raw.window_hours)?;
    let low = c.positive(&key("low"), raw.low)?;
    let high = c.positive(&key("high"), raw.high)?;
    if high < low {
        return Err(c.issue(
            &key("high"),
            format!(
                "expected high >= low ({}), found {}",
                plain(low),
                plain(high)
            ),
        ));
    }
    if raw.kind == "share" {
        c.share(&key("high"), high)?;
    }
    let tolerance = if raw.kind == "share" {
        tolerances.1
    } else {
        raw.tolerance_log10.unwrap_or(tolerances.0)
    };
    c.positive(&key("tolerance_log10"), tolerance)?;
    if let Some([x, y]) = raw.largest_window_starts {
        c.finite(&key("largest_window_starts"), x)?;
        c.finite(&key("largest_window_starts"), y)?;
        if x > y || x > a || y < b {
            return Err(c.issue(
                &key("largest_window_starts"),
                format!("expected [earliest, latest] covering window_start_hours [{a}, {b}], found [{x}, {y}]"),
            ));
        }
        if raw.kind == "share" || raw.kind == "ratio" {
            return Err(c.issue(
                &key("largest_window_starts"),
                "a share or a ratio has no consistency check; give it on the count it is made of",
            ));
        }
    }
    let event = dir.join(&raw.event);
    if !event.is_file() {
        return Err(c.issue(
            &key("event"),
            format!(
                "expected a scenario file (relative to this file), found {:?}: {}",
                raw.event,
                crate::scenario::validate_missing_file("scenario", &event)
            ),
        ));
    }
    Ok(Observation {
        line: locate(c.text, &format!("observation[{i}].app")).0,
        id: raw.id,
        event,
        app: raw.app,
        counts,
        region: raw.region,
        window_start_hours: [a, b],
        window_hours: raw.window_hours,
        kind: raw.kind,
        rule: WindowRule::Nearest,
        low,
        high,
        tolerance,
        statement: raw.statement,
        source: raw.source,
        fitted: raw.fitted,
        then_hours: raw.then_hours,
    })
}

/// The consistency check of a count whose window start is not stated: no window of the same
/// length over the period the statement covers (`period`: window starts, default the figure's
/// own range) may lie above the reported interval.
fn consistency_check(o: &Observation, period: Option<[f64; 2]>) -> Option<Observation> {
    let [a, b] = o.window_start_hours;
    let period = period.or((a < b).then_some([a, b]))?;
    if o.is_share() || o.is_ratio() {
        return None;
    }
    Some(Observation {
        id: format!("{}.largest", o.id),
        kind: "at_most".into(),
        rule: WindowRule::Largest,
        window_start_hours: period,
        low: 0.0,
        statement: format!(
            "consistency: no {} h window from {} h to {} h after the start holds more than the figure allows",
            o.window_hours,
            period[0],
            period[1] + o.window_hours
        ),
        ..o.clone()
    })
}

/// Reads and validates an observations file; event paths are relative to it.
pub fn load_observations(path: &Path) -> Result<ObservationSet, CalibrationError> {
    let text = read_input(path)?;
    let c = Checker { text: &text };
    let invalid = |i| CalibrationError::Scenario(ScenarioError::invalid(path, i));
    let raw: RawFile = from_toml(&text).map_err(invalid)?;
    let tolerances = (
        c.positive("tolerance_log10", raw.tolerance_log10)
            .map_err(invalid)?,
        c.positive("tolerance_share", raw.tolerance_share)
            .map_err(invalid)?,
    );
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut observations = Vec::new();
    for (i, o) in raw.observation.into_iter().enumerate() {
        let period = o.largest_window_starts;
        let checked = check_observation(&c, i, o, dir, tolerances).map_err(invalid)?;
        if observations
            .iter()
            .any(|x: &Observation| x.id == checked.id)
        {
            return Err(invalid(c.issue(
                &format!("observation[{i}].id"),
                format!("id {:?} is used twice", checked.id),
            )));
        }
        let check = consistency_check(&checked, period);
        observations.push(checked);
        observations.extend(check);
    }
    if observations.is_empty() {
        return Err(invalid(
            c.issue("observation", "expected at least one [[observation]]"),
        ));
    }
    Ok(ObservationSet {
        file: path.to_path_buf(),
        observations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_zero_inside_and_log_scaled_outside() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/observations.toml");
        let set = load_observations(&path).unwrap();
        let o = set
            .observations
            .iter()
            .find(|o| o.kind == "rounded")
            .unwrap();
        assert_eq!(o.distance(3_000_000.0), 0.0);
        // A factor of 10 above the top of [2.5M, 3.5M] is 1 log10 unit = 10 tolerances.
        assert!((o.distance(35_000_000.0) - 10.0).abs() < 1e-9);
        let share = set.observations.iter().find(|o| o.is_share()).unwrap();
        assert!((share.distance(share.high + 0.03) - 1.0).abs() < 1e-9);
        assert_eq!(set.events().len(), 4);
    }
}
