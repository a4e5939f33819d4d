//! Scenario and parameter keys set from the command line (`surge sweep --vary KEY=...`).
//!
//! A key is a dotted path into the scenario file, with `apps.<name>` and `regions.<name>`
//! picking an entry of those lists by its name (`apps.telegram.retention_30d`,
//! `apps.telegram.capacity_by_region.us_canada`, `event.duration_hours`), or a behavioural
//! parameter's key as in the parameter file (`looking.word_of_mouth_per_hour`, also written
//! `params.looking.word_of_mouth_per_hour`). `apps.<name>.capacity` is an app's whole sign-up
//! capacity per second: with regional capacities, each is scaled so that they sum to it. Scenario values are edited in the file's own text
//! (toml_edit keeps every other line where it was), then the text is validated as any scenario
//! is, so an out-of-range value is refused with the same message and line as in a file.

use super::error::read_input;
use super::params::PARAMETER_NAMES;
use super::{Scenario, ScenarioError, parse_scenario};
use crate::model::Behaviour;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

/// Why a key cannot be set.
#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{file}: key `{key}`: {message}")]
    Key {
        file: PathBuf,
        key: String,
        message: String,
    },
}

/// Where a key's value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Path segments into the scenario file.
    Scenario(Vec<String>),
    /// A behavioural parameter (`looking.…`, `choice.…`, `signup.…`).
    Parameter(&'static str),
    /// `apps.<name>.capacity`: the app's whole sign-up capacity per second; with regional
    /// capacities, every region's scaled so that they sum to it (the regional split kept).
    Capacity(String),
}

/// A scenario file read once, from which scenarios with some keys set are made.
#[derive(Debug, Clone)]
pub struct ScenarioTemplate {
    path: PathBuf,
    text: String,
    params_override: Option<PathBuf>,
    /// The scenario as written (no keys set).
    base: Scenario,
}

/// The tables whose numbers may be set.
const SECTIONS: [&str; 5] = ["simulation", "event", "regions", "apps", "network"];

impl ScenarioTemplate {
    /// Reads and validates the scenario (and its parameter file, or `params_override`).
    pub fn load(path: &Path, params_override: Option<&Path>) -> Result<Self, ScenarioError> {
        Self::parse(path, read_input(path)?, params_override)
    }

    /// [`ScenarioTemplate::load`] for a scenario given as text; `path` names it in errors and
    /// anchors its relative paths (the parameter file) as the file's place would.
    pub fn parse(
        path: &Path,
        text: String,
        params_override: Option<&Path>,
    ) -> Result<Self, ScenarioError> {
        let base = parse_scenario(path, &text, params_override)?;
        Ok(ScenarioTemplate {
            path: path.to_path_buf(),
            text,
            params_override: params_override.map(Path::to_path_buf),
            base,
        })
    }

    /// The template with `simulation.engine` set to `engine` (`cohort` or `agents`), as a
    /// command's `--engine` asks, so that `[network]` keys can be set on a cohort scenario run
    /// with the agent engine (and are refused on an agent scenario run with the cohort engine,
    /// whose `[network]` is dropped).
    pub fn with_engine(&self, engine: &str) -> Result<Self, ScenarioError> {
        let mut doc = self.document();
        if let Some(sim) = doc.get_mut("simulation").and_then(Item::as_table_like_mut) {
            sim.insert("engine", Item::Value(Value::from(engine)));
        }
        if engine == "cohort" {
            doc.as_table_mut().remove("network");
        }
        let text = doc.to_string();
        let mut base = parse_scenario(&self.path, &text, self.params_override.as_deref())?;
        base.sha256.clone_from(&self.base.sha256);
        Ok(ScenarioTemplate {
            path: self.path.clone(),
            text,
            params_override: self.params_override.clone(),
            base,
        })
    }

    /// The scenario as its file gives it.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    fn key_error(&self, key: &str, message: impl Into<String>) -> OverrideError {
        OverrideError::Key {
            file: self.path.clone(),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// Checks that `key` names a number that can be set, and returns its value in the scenario
    /// as written (None if the file leaves it out, so a default or nothing applies).
    pub fn current(&self, key: &str) -> Result<Option<f64>, OverrideError> {
        match self.target(key)? {
            Target::Parameter(name) => Ok(self.base.behaviour.get(name)),
            Target::Scenario(path) => {
                let mut doc = self.document();
                let (slot, given) = self.slot(&mut doc, key, &path)?;
                Ok(given.then(|| number(slot)).flatten())
            }
            Target::Capacity(app) => {
                let mut doc = self.document();
                let table = self.entry(&mut doc, key, "apps", &app)?;
                Ok(capacity_of(table))
            }
        }
    }

    /// The scenario with each `(key, value)` set. Integer keys (runs, seeds, numbers of agents)
    /// take the value rounded to the nearest whole number.
    pub fn with_values(&self, values: &[(String, f64)]) -> Result<Scenario, OverrideError> {
        let mut doc = self.document();
        let mut parameters = Vec::new();
        let mut edited = false;
        for (key, value) in values {
            if !value.is_finite() {
                return Err(self.key_error(key, format!("expected a finite number, found {value}")));
            }
            match self.target(key)? {
                Target::Parameter(name) => parameters.push((name, *value)),
                Target::Scenario(path) => {
                    let (slot, _) = self.slot(&mut doc, key, &path)?;
                    set_number(slot, *value);
                    edited = true;
                }
                Target::Capacity(app) => {
                    let table = self.entry(&mut doc, key, "apps", &app)?;
                    set_capacity(table, *value);
                    edited = true;
                }
            }
        }
        let mut scenario = if edited {
            let text = doc.to_string();
            let mut s = parse_scenario(&self.path, &text, self.params_override.as_deref())?;
            // The point's identity is the file's (its hash says which file), not the edited text.
            s.sha256.clone_from(&self.base.sha256);
            s
        } else {
            self.base.clone()
        };
        set_parameters(&mut scenario.behaviour, &parameters).map_err(|(key, message)| {
            OverrideError::Key {
                file: self.base.params_file.clone(),
                key,
                message,
            }
        })?;
        Ok(scenario)
    }

    fn document(&self) -> DocumentMut {
        // The text parsed when the template was loaded, so it is valid TOML.
        self.text.parse().unwrap_or_default()
    }

    fn target(&self, key: &str) -> Result<Target, OverrideError> {
        let bare = key.strip_prefix("params.").unwrap_or(key);
        if let Some(name) = PARAMETER_NAMES.iter().find(|n| **n == bare) {
            return Ok(Target::Parameter(name));
        }
        let path: Vec<String> = key.split('.').map(str::to_string).collect();
        if key.starts_with("params.") || ["looking", "choice", "signup"].contains(&path[0].as_str())
        {
            return Err(self.key_error(
                key,
                format!(
                    "not a behavioural parameter; expected one of {}",
                    PARAMETER_NAMES.join(", ")
                ),
            ));
        }
        if !SECTIONS.contains(&path[0].as_str())
            || path.len() < 2
            || path.iter().any(String::is_empty)
        {
            return Err(self.key_error(
                key,
                format!(
                    "expected a dotted key under {} (e.g. event.duration_hours, apps.<name>.retention_30d) or a behavioural parameter ({})",
                    SECTIONS.join(", "),
                    PARAMETER_NAMES.join(", ")
                ),
            ));
        }
        if path.len() == 3 && path[0] == "apps" && path[2] == "capacity" {
            return Ok(Target::Capacity(path[1].clone()));
        }
        Ok(Target::Scenario(path))
    }

    /// The entry of list `list` (`apps` or `regions`) named `name`.
    fn entry<'d>(
        &self,
        doc: &'d mut DocumentMut,
        key: &str,
        list: &str,
        name: &str,
    ) -> Result<&'d mut Table, OverrideError> {
        let entries = doc
            .as_table_mut()
            .get_mut(list)
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| self.key_error(key, format!("the scenario has no [[{list}]]")))?;
        let names: Vec<String> = entries
            .iter()
            .filter_map(|t| t.get("name").and_then(Item::as_str).map(str::to_string))
            .collect();
        let Some(i) = names.iter().position(|n| n == name) else {
            return Err(self.key_error(
                key,
                format!(
                    "no {list} named {name:?}; expected one of {}",
                    names.join(", ")
                ),
            ));
        };
        Ok(entries.get_mut(i).expect("the index was found above"))
    }

    /// The value slot of a scenario key in `doc` and whether the file gives it (a key left
    /// out gets a placeholder; the validation that follows refuses keys a scenario cannot have).
    fn slot<'d>(
        &self,
        doc: &'d mut DocumentMut,
        key: &str,
        path: &[String],
    ) -> Result<(&'d mut Item, bool), OverrideError> {
        // `regions.<name>` and `apps.<name>`: the list entry with that name.
        let (mut table, rest): (&mut dyn TableLike, &[String]) =
            if matches!(path[0].as_str(), "regions" | "apps") {
                if path.len() < 3 {
                    return Err(self.key_error(
                        key,
                        format!("expected a key of {}.{} after its name", path[0], path[1]),
                    ));
                }
                (self.entry(doc, key, &path[0], &path[1])?, &path[2..])
            } else {
                (doc.as_table_mut(), path)
            };
        let (last, through) = rest.split_last().expect("keys have at least two segments");
        for segment in through {
            if table.get(segment).is_none() {
                table.insert(segment, Item::Value(Value::InlineTable(Default::default())));
            }
            table = table
                .get_mut(segment)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| {
                    self.key_error(key, format!("`{segment}` is a value, not a table"))
                })?;
        }
        let given = table.get(last).is_some();
        if !given {
            table.insert(last, Item::Value(Value::from(0.0)));
        }
        let slot = table
            .get_mut(last)
            .ok_or_else(|| self.key_error(key, "not inside a table"))?;
        if number(slot).is_none() {
            return Err(self.key_error(key, "expected a key that holds a number"));
        }
        Ok((slot, given))
    }
}

/// An app's whole capacity per second: its regional capacities' sum, or its one capacity, or
/// None (no limit).
fn capacity_of(app: &Table) -> Option<f64> {
    match app.get("capacity_by_region").and_then(Item::as_table_like) {
        Some(t) => Some(t.iter().filter_map(|(_, v)| number(v)).sum()),
        None => app.get("capacity_per_second").and_then(number),
    }
}

/// Sets an app's whole capacity: regional capacities scaled to sum to `value` (split kept),
/// else its one capacity (written if the file gave none).
fn set_capacity(app: &mut Table, value: f64) {
    let total = capacity_of(app).unwrap_or(0.0);
    if let Some(regional) = app
        .get_mut("capacity_by_region")
        .and_then(Item::as_table_like_mut)
        && total > 0.0
    {
        for (_, v) in regional.iter_mut() {
            if let Some(x) = number(v) {
                set_number(v, x * value / total);
            }
        }
        return;
    }
    let slot = app
        .entry("capacity_per_second")
        .or_insert(Item::Value(Value::from(0.0)));
    set_number(slot, value);
}

fn number(item: &Item) -> Option<f64> {
    item.as_float()
        .or_else(|| item.as_integer().map(|i| i as f64))
}

/// Writes `value`: as an integer where the file has an integer (rounded), else as a float.
fn set_number(slot: &mut Item, value: f64) {
    let decor = slot.as_value().map(|v| v.decor().clone());
    let new = if slot.as_integer().is_some() && value.abs() < 9e15 {
        Value::from(value.round() as i64)
    } else {
        Value::from(value)
    };
    *slot = Item::Value(new);
    if let (Some(decor), Some(v)) = (decor, slot.as_value_mut()) {
        *v.decor_mut() = decor;
    }
}

/// Sets behavioural parameters and checks them as a parameter file's values are checked.
pub fn set_parameters(
    behaviour: &mut Behaviour,
    values: &[(&str, f64)],
) -> Result<(), (String, String)> {
    for &(name, value) in values {
        behaviour.set(name, value);
    }
    if values.is_empty() {
        return Ok(());
    }
    behaviour.check()
}

/// Whether a key names a behavioural parameter (set in every posterior sample too).
pub fn is_parameter(key: &str) -> Option<&'static str> {
    let bare = key.strip_prefix("params.").unwrap_or(key);
    PARAMETER_NAMES.iter().find(|n| **n == bare).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Capacity, EventKind};

    fn template() -> ScenarioTemplate {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        ScenarioTemplate::load(&root.join("scenarios/facebook-2021-10-04.toml"), None).unwrap()
    }

    #[test]
    fn keys_set_scenario_values_list_entries_by_name_and_parameters() {
        let t = template();
        assert_eq!(t.current("event.duration_hours").unwrap(), Some(6.1));
        assert_eq!(
            t.current("looking.dormant_boost").unwrap(),
            t.base().behaviour.get("looking.dormant_boost")
        );
        let s = t
            .with_values(&[
                ("event.duration_hours".into(), 3.0),
                ("apps.signal.capacity_per_second".into(), 50.0),
                ("apps.telegram.capacity_by_region.us_canada".into(), 70.0),
                ("regions.europe.users".into(), 1e8),
                ("simulation.runs".into(), 12.4),
                ("params.looking.dormant_boost".into(), 2.5),
            ])
            .unwrap();
        assert!(
            matches!(s.event.kind, EventKind::Outage { duration_hours, .. } if duration_hours == 3.0)
        );
        assert!(matches!(s.apps[1].capacity, Capacity::Global(c) if c == 50.0));
        assert!(matches!(&s.apps[0].capacity, Capacity::PerRegion(c) if c[0] == 70.0));
        assert_eq!(s.regions[1].users, 100_000_000);
        // An integer key takes the nearest whole number.
        assert_eq!(s.runs, 12);
        assert_eq!(s.behaviour.dormant_boost, 2.5);
        // The point keeps the file's identity.
        assert_eq!(s.sha256, t.base().sha256);
        // `apps.<name>.capacity`: the whole capacity; a regional split is kept.
        let telegram: f64 = [25.0, 600.0, 900.0, 35.0, 400.0].iter().sum();
        assert_eq!(t.current("apps.telegram.capacity").unwrap(), Some(telegram));
        assert_eq!(t.current("apps.signal.capacity").unwrap(), Some(300.0));
        let s = t
            .with_values(&[
                ("apps.telegram.capacity".into(), 2.0 * telegram),
                ("apps.signal.capacity".into(), 1000.0),
            ])
            .unwrap();
        assert!(matches!(&s.apps[0].capacity, Capacity::PerRegion(c)
            if (c[0] - 50.0).abs() < 1e-9 && (c[2] - 1800.0).abs() < 1e-9));
        assert!(matches!(s.apps[1].capacity, Capacity::Global(c) if c == 1000.0));
        // Nothing set: the scenario as written.
        assert_eq!(t.with_values(&[]).unwrap().sha256, t.base().sha256);
    }

    #[test]
    fn network_keys_apply_once_the_engine_is_the_agent_engine() {
        let t = template();
        assert!(
            t.with_values(&[("network.mean_degree".into(), 7.0)])
                .is_err()
        );
        let agents = t.with_engine("agents").unwrap();
        let s = agents
            .with_values(&[("network.mean_degree".into(), 7.0)])
            .unwrap();
        assert!(matches!(&s.engine, crate::scenario::EngineKind::Agents(a)
            if a.network.mean_degree == 7.0));
        assert_eq!(s.sha256, t.base().sha256);
        let cohort = agents.with_engine("cohort").unwrap();
        assert!(matches!(
            cohort.base().engine,
            crate::scenario::EngineKind::Cohort
        ));
    }

    #[test]
    fn keys_that_cannot_be_set_say_why() {
        let t = template();
        let says = |key: &str, value: f64, text: &str| {
            let e = t
                .with_values(&[(key.into(), value)])
                .unwrap_err()
                .to_string();
            assert!(e.contains(text), "{key}: {e}");
        };
        says("apps.nope.retention_30d", 0.5, "no apps named \"nope\"");
        says("apps.telegram", 0.5, "after its name");
        says("event.kind", 1.0, "holds a number");
        says("event.nonsense", 1.0, "unknown key");
        says("weather.rain", 1.0, "expected a dotted key");
        says("event.severity", 1.5, "expected a share in [0, 1]");
        says("looking.dormant_boost", 0.0, "expected a number > 0");
        says("event.duration_hours", f64::NAN, "finite");
    }
}
