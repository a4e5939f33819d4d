//! Counts observed during a real event (`surge nowcast --observed FILE.csv`): a sign-up counter
//! read every minute, or a few press figures. Read with a scenario file's care: bounded, every
//! problem named by file, line and column, and checked against the scenario before any work.

use super::observations::Counts;
use crate::scenario::error::read_input;
use crate::scenario::locate::closest;
use crate::scenario::{Scenario, ScenarioError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Most rows a file may hold (three days of a counter read every second minute is 2,160).
pub const MAX_ROWS: usize = 100_000;

/// The columns a file must have, then the two it may have (both or neither).
const REQUIRED: [&str; 6] = ["app", "region", "metric", "since_utc", "time_utc", "value"];
const OPTIONAL: [&str; 2] = ["low", "high"];

/// One observed count: what `counts` counted at `app` in `region` between `since` and `time`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedRow {
    /// Line of the row in its file.
    pub line: usize,
    pub app: String,
    #[serde(skip)]
    pub app_index: usize,
    /// `all`, or a region of the scenario.
    pub region: String,
    #[serde(skip)]
    pub region_index: Option<usize>,
    #[serde(serialize_with = "counts_name")]
    pub metric: Counts,
    pub since_utc: DateTime<Utc>,
    pub time_utc: DateTime<Utc>,
    /// Hours from the start of the simulated time.
    pub since_hours: f64,
    pub time_hours: f64,
    pub value: f64,
    /// An approximate figure's range ("over a million": [1M, 2M]), if given.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Columns of the row's `time_utc` and `value` (errors found across rows name them).
    #[serde(skip)]
    columns: (usize, usize),
}

fn counts_name<S: serde::Serializer>(c: &Counts, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

impl ObservedRow {
    /// The range of an approximate figure, if the row gives one.
    pub fn interval(&self) -> Option<(f64, f64)> {
        self.low.zip(self.high)
    }

    /// The rows that read one counter: same app, region, metric and start.
    fn counter(&self) -> (usize, Option<usize>, &'static str, DateTime<Utc>) {
        (
            self.app_index,
            self.region_index,
            self.metric.name(),
            self.since_utc,
        )
    }
}

/// A checked file of observed counts, in file order.
#[derive(Debug, Clone)]
pub struct ObservedSet {
    pub file: PathBuf,
    pub rows: Vec<ObservedRow>,
}

impl ObservedSet {
    /// Hours from the start of the simulated time to the last observation.
    pub fn last_hours(&self) -> f64 {
        self.rows.iter().map(|r| r.time_hours).fold(0.0, f64::max)
    }

    /// The rows grouped by counter (same app, region, metric and start), as indices into
    /// `rows`, each group in time order: a counter's later readings include its earlier ones.
    pub fn counters(&self) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<_, Vec<usize>> = BTreeMap::new();
        for (i, row) in self.rows.iter().enumerate() {
            groups.entry(row.counter()).or_default().push(i);
        }
        groups
            .into_values()
            .map(|mut g| {
                g.sort_by(|&a, &b| {
                    let (a, b) = (&self.rows[a], &self.rows[b]);
                    a.time_utc.cmp(&b.time_utc).then(a.line.cmp(&b.line))
                });
                g
            })
            .collect()
    }
}

/// A time of a `*_utc` column: RFC 3339 (`2021-10-04T16:39:00Z`, any offset, `T` or a space),
/// or without an offset and seconds optional (`2021-10-04 16:39`), read as UTC (pandas writes
/// `2021-10-04 16:39:00+00:00`).
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let naive = s.strip_suffix('Z').unwrap_or(s);
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(naive, f) {
            return Some(t.and_utc());
        }
    }
    None
}

/// Reads and checks `path` against `scenario`.
pub fn load_observed(path: &Path, scenario: &Scenario) -> Result<ObservedSet, ScenarioError> {
    let text = read_input(path)?;
    parse_observed(path, &text, scenario)
}

/// Checks `text` (the contents of `path`) against `scenario`.
pub fn parse_observed(
    path: &Path,
    text: &str,
    scenario: &Scenario,
) -> Result<ObservedSet, ScenarioError> {
    let bad = |key: &str, line: usize, column: usize, message: String| ScenarioError::Invalid {
        path: path.to_path_buf(),
        key: key.to_string(),
        line,
        column,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| bad("header", 1, 1, format!("not CSV: {e}")))?
        .clone();
    if headers.iter().all(str::is_empty) {
        return Err(bad(
            "header",
            1,
            1,
            format!(
                "the file is empty; expected a header `{},low,high` (low and high optional) and at least one row",
                REQUIRED.join(",")
            ),
        ));
    }
    let known: Vec<String> = REQUIRED
        .iter()
        .chain(&OPTIONAL)
        .map(|s| s.to_string())
        .collect();
    let mut column_of = BTreeMap::new();
    for (i, name) in headers.iter().enumerate() {
        let col = headers.range(i).map_or(1, |r| r.start + 1);
        if !known.iter().any(|k| k == name) {
            let hint =
                closest(name, &known).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            return Err(bad(
                name,
                1,
                col,
                format!(
                    "unknown column{hint}; expected {} and optionally low, high",
                    REQUIRED.join(", ")
                ),
            ));
        }
        if column_of.insert(name.to_string(), i).is_some() {
            return Err(bad(name, 1, col, "the column appears twice".into()));
        }
    }
    for name in REQUIRED {
        if !column_of.contains_key(name) {
            return Err(bad(
                name,
                1,
                1,
                format!(
                    "missing column; the header must name {}",
                    REQUIRED.join(", ")
                ),
            ));
        }
    }
    if column_of.contains_key("low") != column_of.contains_key("high") {
        let (has, lacks) = if column_of.contains_key("low") {
            ("low", "high")
        } else {
            ("high", "low")
        };
        return Err(bad(
            lacks,
            1,
            1,
            format!("a file with a `{has}` column needs `{lacks}` too"),
        ));
    }
    let t = &scenario.timeline;
    let end = t.time_at(t.steps);
    let apps: Vec<String> = scenario.apps.iter().map(|a| a.name.clone()).collect();
    let regions: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            bad("row", line, 1, format!("not a CSV row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if rows.len() == MAX_ROWS {
            return Err(bad("row", line, 1, format!("more than {MAX_ROWS} rows")));
        }
        // Columns are counted in characters from the start of the line: the record's fields
        // are separated by one comma each (csv's ranges are within the record).
        let column = |name: &str| -> usize {
            let i = column_of[name];
            let before: usize = (0..i).map(|j| record.get(j).map_or(0, str::len) + 1).sum();
            before + 1
        };
        let text_of = |name: &str| record.get(column_of[name]).unwrap_or("");
        let err = |name: &str, message: String| bad(name, line, column(name), message);

        let app_name = text_of("app");
        let app_index = apps.iter().position(|a| a == app_name).ok_or_else(|| {
            let hint = closest(app_name, &apps)
                .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            err(
                "app",
                format!(
                    "unknown app {app_name:?}{hint}; the scenario's apps are {}",
                    apps.join(", ")
                ),
            )
        })?;
        let region_name = text_of("region");
        let region_index = if region_name == "all" {
            None
        } else {
            Some(
                regions
                    .iter()
                    .position(|r| r == region_name)
                    .ok_or_else(|| {
                        let hint = closest(region_name, &regions)
                            .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
                        err(
                            "region",
                            format!(
                                "unknown region {region_name:?}{hint}; expected `all` or one of {}",
                                regions.join(", ")
                            ),
                        )
                    })?,
            )
        };
        let metric_name = text_of("metric");
        let metric = Counts::from_name(metric_name).ok_or_else(|| {
            err("metric", format!("unknown metric {metric_name:?}; expected registrations, arrivals, downloads or attempts"))
        })?;
        let time = |name: &str| -> Result<DateTime<Utc>, ScenarioError> {
            let s = text_of(name);
            parse_utc(s).ok_or_else(|| {
                err(
                    name,
                    format!(
                        "expected a date-time such as 2021-10-04T16:39:00Z (or 2021-10-04 16:39, read as UTC), found {s:?}"
                    ),
                )
            })
        };
        let since_utc = time("since_utc")?;
        let time_utc = time("time_utc")?;
        if time_utc <= since_utc {
            return Err(err(
                "time_utc",
                format!(
                    "{time_utc} is not after since_utc {since_utc}: a count covers a time span"
                ),
            ));
        }
        if since_utc < t.start {
            return Err(err(
                "since_utc",
                format!(
                    "{since_utc} is before the simulated time, which starts at {} (simulation.lead_hours)",
                    t.start
                ),
            ));
        }
        if time_utc > end {
            return Err(err(
                "time_utc",
                format!(
                    "{time_utc} is after the simulated time, which ends at {end} (simulation.horizon_hours)"
                ),
            ));
        }
        let number = |name: &str| -> Result<Option<f64>, ScenarioError> {
            let s = text_of(name);
            if s.is_empty() && name != "value" {
                return Ok(None);
            }
            let v: f64 = s
                .parse()
                .map_err(|_| err(name, format!("expected a number, found {s:?}")))?;
            if !v.is_finite() || v < 0.0 {
                return Err(err(
                    name,
                    format!("expected a count of 0 or more, found {s}"),
                ));
            }
            Ok(Some(v))
        };
        let value = number("value")?.unwrap_or(0.0);
        let (low, high) = if column_of.contains_key("low") {
            (number("low")?, number("high")?)
        } else {
            (None, None)
        };
        match (low, high) {
            (Some(l), Some(h)) if l > h => {
                return Err(err("low", format!("low {l} is above high {h}")));
            }
            (Some(l), Some(h)) if value < l || value > h => {
                return Err(err(
                    "value",
                    format!("{value} is outside its own range [{l}, {h}]"),
                ));
            }
            (Some(_), None) => return Err(err("high", "a row with `low` needs `high` too".into())),
            (None, Some(_)) => return Err(err("low", "a row with `high` needs `low` too".into())),
            _ => {}
        }
        rows.push(ObservedRow {
            line,
            app: app_name.to_string(),
            app_index,
            region: region_name.to_string(),
            region_index,
            metric,
            since_utc,
            time_utc,
            since_hours: t.hours_from_start(since_utc),
            time_hours: t.hours_from_start(time_utc),
            value,
            low,
            high,
            columns: (column("time_utc"), column("value")),
        });
    }
    if rows.is_empty() {
        return Err(bad(
            "row",
            2,
            1,
            "the file has a header but no rows; give at least one observed count".into(),
        ));
    }
    let set = ObservedSet {
        file: path.to_path_buf(),
        rows,
    };
    for counter in set.counters() {
        for pair in counter.windows(2) {
            let (a, b) = (&set.rows[pair[0]], &set.rows[pair[1]]);
            if b.time_utc == a.time_utc && b.value != a.value {
                return Err(bad(
                    "time_utc",
                    b.line,
                    b.columns.0,
                    format!(
                        "the same count at the same time as line {} with another value ({} against {})",
                        a.line, b.value, a.value
                    ),
                ));
            }
            if b.value < a.value {
                return Err(bad(
                    "value",
                    b.line,
                    b.columns.1,
                    format!(
                        "{} is below {} at line {}, an earlier reading of the same count since {} (cumulative counts cannot decrease)",
                        b.value, a.value, a.line, a.since_utc
                    ),
                ));
            }
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::parse_utc;

    #[test]
    fn times_are_read_in_the_forms_people_write_them() {
        let t = parse_utc("2021-10-04T16:39:00Z").unwrap();
        for s in [
            "2021-10-04T16:39:00+00:00",
            "2021-10-04 16:39:00+00:00",
            "2021-10-04T18:39:00+02:00",
            "2021-10-04T16:39Z",
            "2021-10-04 16:39",
            "2021-10-04T16:39:00",
        ] {
            assert_eq!(parse_utc(s), Some(t), "{s}");
        }
        assert_eq!(parse_utc("yesterday"), None);
        assert_eq!(parse_utc("2021-10-04"), None);
    }
}
