//! The report page of the other output folders (compare, sweep, sensitivity, tune, fit,
//! validate): what was done (from the folder's JSON), what it found in words, every plot inline
//! and every table, so the page holds what the folder holds.

use super::PageError;
use super::describe::list;
use super::html::{Cell, escape, facts, figure, inline_svg, page, table};
use crate::report::format::human;
use std::fmt::Write;
use std::path::Path;

/// What kind of output folder a page is made for, by the file each command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Compare,
    Sweep,
    Sensitivity,
    Tune,
    Fit,
    Validate,
}

impl Kind {
    pub fn of(dir: &Path) -> Option<Kind> {
        let has = |f: &str| dir.join(f).is_file();
        [
            ("compare.csv", Kind::Compare),
            ("sweep.csv", Kind::Sweep),
            ("sensitivity.csv", Kind::Sensitivity),
            ("tune.csv", Kind::Tune),
            ("fit.json", Kind::Fit),
            ("validation.md", Kind::Validate),
        ]
        .into_iter()
        .find(|(f, _)| has(f))
        .map(|(_, k)| k)
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Compare => "Comparison of runs",
            Kind::Sweep => "Sweep",
            Kind::Sensitivity => "Sensitivity analysis",
            Kind::Tune => "Settings: what each costs and buys",
            Kind::Fit => "Fit to the reported figures",
            Kind::Validate => "Validation against reported figures",
        }
    }

    /// The JSON file that says what was done, and the CSV tables to show.
    fn files(self) -> (Option<&'static str>, &'static [&'static str]) {
        match self {
            Kind::Compare => (Some("compare.json"), &["compare.csv"]),
            Kind::Sweep => (Some("summary.json"), &["sweep.csv"]),
            Kind::Sensitivity => (Some("summary.json"), &["sensitivity.csv"]),
            Kind::Tune => (Some("summary.json"), &["tune.csv"]),
            Kind::Fit => (Some("fit.json"), &[]),
            Kind::Validate => (None, &[]),
        }
    }
}

/// Most rows a table shows; the CSV file has them all.
const MOST_ROWS: usize = 300;

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(match n.as_f64() {
            Some(x) if n.is_f64() => crate::report::format::plain3(x),
            _ => n.to_string(),
        }),
        serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        serde_json::Value::Null => Some("-".into()),
        _ => None,
    }
}

/// A JSON document as facts (scalars, flat objects, lists of scalars) and tables (lists of
/// flat objects).
fn json_sections(value: &serde_json::Value) -> String {
    let Some(map) = value.as_object() else {
        return String::new();
    };
    let mut pairs = Vec::new();
    let mut tables = String::new();
    for (key, v) in map {
        if let Some(s) = scalar(v) {
            pairs.push((key.clone(), s));
            continue;
        }
        match v {
            serde_json::Value::Object(inner) => {
                for (k, x) in inner {
                    let text = scalar(x).unwrap_or_else(|| x.to_string());
                    pairs.push((format!("{key}.{k}"), text));
                }
            }
            serde_json::Value::Array(items) if items.iter().all(|i| scalar(i).is_some()) => {
                let texts: Vec<String> = items.iter().filter_map(scalar).collect();
                pairs.push((key.clone(), texts.join(", ")));
            }
            serde_json::Value::Array(items) => {
                let mut columns: Vec<String> = Vec::new();
                for item in items.iter().filter_map(|i| i.as_object()) {
                    for k in item.keys() {
                        if !columns.contains(k) {
                            columns.push(k.clone());
                        }
                    }
                }
                let rows: Vec<Vec<Cell>> = items
                    .iter()
                    .take(MOST_ROWS)
                    .filter_map(|i| i.as_object())
                    .map(|item| {
                        columns
                            .iter()
                            .map(|c| {
                                let v = item.get(c).unwrap_or(&serde_json::Value::Null);
                                let text = scalar(v).unwrap_or_else(|| v.to_string());
                                if v.is_number() {
                                    Cell::number(text)
                                } else {
                                    Cell::text(text)
                                }
                            })
                            .collect()
                    })
                    .collect();
                let headers: Vec<Cell> = columns.iter().map(Cell::text).collect();
                let _ = write!(tables, "<h3>{}</h3>", escape(key));
                tables.push_str(&table(key, &headers, &rows));
            }
            _ => {}
        }
    }
    facts(&pairs) + &tables
}

/// A CSV file as a table; a wide one (over 12 columns) keeps its medians and key columns.
fn csv_table(path: &Path) -> Option<String> {
    let mut reader = csv::Reader::from_reader(std::io::Cursor::new(
        crate::scenario::bounded::read(path).ok()?,
    ));
    let headers: Vec<String> = reader.headers().ok()?.iter().map(String::from).collect();
    let wide = headers.len() > 12;
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&j| {
            !wide
                || ![".mean", ".mcse", ".p05", ".p95"]
                    .iter()
                    .any(|s| headers[j].ends_with(s))
        })
        .collect();
    let records: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
    let rows: Vec<Vec<Cell>> = records
        .iter()
        .take(MOST_ROWS)
        .map(|r| {
            keep.iter()
                .map(|&j| {
                    let v = r.get(j).unwrap_or("");
                    match v.parse::<f64>() {
                        Ok(x) => Cell::number(crate::report::format::plain3(x)),
                        Err(_) => Cell::text(v),
                    }
                })
                .collect()
        })
        .collect();
    let name = path.file_name()?.to_string_lossy().into_owned();
    let mut note = String::new();
    if wide {
        note.push_str("Medians only; ");
    }
    if records.len() > MOST_ROWS {
        let _ = write!(note, "the first {MOST_ROWS} of {} rows; ", records.len());
    }
    let headers: Vec<Cell> = keep.iter().map(|&j| Cell::text(&headers[j])).collect();
    Some(format!(
        "<h3>{}</h3><p class=\"muted\">{}every value is in {}.</p>{}",
        escape(&name),
        escape(&note),
        escape(&name),
        table(&name, &headers, &rows)
    ))
}

/// A Markdown file's headings, paragraphs, lists and tables (what validation.md uses).
fn markdown(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with('|') {
            let mut rows = vec![trimmed.to_string()];
            while let Some(next) = lines.peek().filter(|l| l.trim().starts_with('|')) {
                rows.push(next.trim().to_string());
                lines.next();
            }
            let cells = |row: &str| -> Vec<String> {
                row.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect()
            };
            let headers: Vec<Cell> = cells(&rows[0]).into_iter().map(Cell::text).collect();
            let body: Vec<Vec<Cell>> = rows
                .iter()
                .skip(2)
                .map(|r| cells(r).into_iter().map(Cell::text).collect())
                .collect();
            out.push_str(&table("markdown", &headers, &body));
        } else if let Some(h) = trimmed.strip_prefix('#') {
            let _ = write!(out, "<h3>{}</h3>", escape(h.trim_start_matches('#').trim()));
        } else if trimmed.starts_with("![") {
            // The picture is inlined with the plots.
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            let _ = write!(out, "<p>• {}</p>", escape(&item.replace("**", "")));
        } else if !trimmed.is_empty() {
            let _ = write!(out, "<p>{}</p>", escape(&trimmed.replace("**", "")));
        }
    }
    out
}

/// What the folder found, in a few sentences.
fn readings(kind: Kind, dir: &Path) -> Vec<String> {
    let json = |f: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&crate::scenario::bounded::read(&dir.join(f)).ok()?).ok()
    };
    match kind {
        Kind::Compare => {
            let Ok(mut reader) = crate::scenario::bounded::read(&dir.join("compare.csv"))
                .map(|b| csv::Reader::from_reader(std::io::Cursor::new(b)))
            else {
                return Vec::new();
            };
            let mut out = Vec::new();
            // What the chart draws (compare.json; folders of earlier versions have none).
            if let Some(what) = json("compare.json") {
                let labels: Vec<String> = what["scenarios"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .filter_map(|x| x["label"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(format!(
                    "The chart draws {} of {} over time for {} (the first is the reference); the table compares every headline figure of {}",
                    what["metric"].as_str().unwrap_or("?").replace('_', " "),
                    what["app"].as_str().unwrap_or("?"),
                    labels.join(", "),
                    what["app"].as_str().unwrap_or("?"),
                ));
            }
            let Ok(headers) = reader.headers().cloned() else {
                return Vec::new();
            };
            let at = |name: &str| headers.iter().position(|h| h == name);
            let (Some(figure_at), Some(scenario_at), Some(interval_at)) =
                (at("figure"), at("scenario"), at("interval"))
            else {
                return Vec::new();
            };
            let mut reference: Option<(String, String, f64)> = None;
            for r in reader.records().filter_map(Result::ok) {
                let get = |j: Option<usize>| j.and_then(|j| r.get(j)).unwrap_or("").to_string();
                let num = |name: &str| get(at(name)).parse::<f64>().unwrap_or(f64::NAN);
                if get(Some(interval_at)) == "reference" {
                    reference = Some((get(Some(figure_at)), get(Some(scenario_at)), num("median")));
                } else if let Some((figure, name, median)) = &reference
                    && *figure == get(Some(figure_at))
                    && out.len() < 7
                {
                    out.push(format!(
                        "{figure}: {} {} against {name} {}; difference of medians {}, median of run-by-run differences {} (90% interval {} to {}, {})",
                        get(Some(scenario_at)),
                        human(num("median")),
                        human(*median),
                        human(num("difference_of_medians")),
                        human(num("diff_median")),
                        human(num("diff_p05")),
                        human(num("diff_p95")),
                        get(Some(interval_at))
                    ));
                }
            }
            out
        }
        Kind::Fit => {
            let Some(fit) = json("fit.json") else {
                return Vec::new();
            };
            let observations = fit["observations"].as_array().cloned().unwrap_or_default();
            let fitted: Vec<_> = observations
                .iter()
                .filter(|o| o["fitted"] == true)
                .collect();
            let covered = fitted.iter().filter(|o| o["covered"] == true).count();
            let within2 = fitted
                .iter()
                .filter(|o| o["log10_error"].as_f64().is_some_and(|e| e.abs() <= 0.301))
                .count();
            vec![format!(
                "{covered} of {} fitted figures inside the posterior predictive 90% interval; {within2} with the median within a factor of 2 ({} simulations, stopped by {})",
                fitted.len(),
                fit["simulations"],
                fit["stop_reason"].as_str().unwrap_or("?")
            )]
        }
        Kind::Validate => crate::scenario::bounded::read_text(&dir.join("validation.md"))
            .map(|t| {
                t.lines()
                    .skip_while(|l| !l.starts_with("Summary by role"))
                    .skip(1)
                    .take_while(|l| !l.trim().is_empty() || l.is_empty())
                    .filter_map(|l| l.strip_prefix("- ").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        Kind::Sweep | Kind::Sensitivity | Kind::Tune => {
            let Some(summary) = json("summary.json") else {
                return Vec::new();
            };
            let name = summary["scenario"]["name"]
                .as_str()
                .unwrap_or("?")
                .to_string();
            let figures: Vec<String> = summary["figures"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .take(4)
                        .collect()
                })
                .unwrap_or_default();
            vec![format!(
                "{} of {name}; figures {}{}",
                kind.title(),
                list(&figures),
                if summary["figures"].as_array().is_some_and(|f| f.len() > 4) {
                    " and more (in the table)"
                } else {
                    ""
                }
            )]
        }
    }
}

/// The page of a non-run output folder.
pub fn folder_page(kind: Kind, dir: &Path) -> Result<String, PageError> {
    let name = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut body = format!(
        "<header><h1>{}</h1><p class=\"lede\">{}</p></header>",
        escape(kind.title()),
        escape(&name)
    );
    let found = readings(kind, dir);
    if !found.is_empty() {
        body.push_str("<h2>What it found</h2>");
        for r in &found {
            let _ = write!(body, "<p><strong>{}</strong></p>", escape(r));
        }
    }
    let (json_file, tables) = kind.files();
    let mut svgs: Vec<_> = std::fs::read_dir(dir)
        .map_err(|source| PageError::Read {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    svgs.sort();
    if !svgs.is_empty() {
        body.push_str("<h2>Plots</h2>");
    }
    for path in &svgs {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(svg) = crate::scenario::bounded::read_text(path)
            .ok()
            .and_then(|t| inline_svg(&t, &stem))
        {
            body.push_str(&figure(
                &svg,
                &[],
                &format!("{stem}.svg (and .png) in this folder"),
            ));
        }
    }
    if kind == Kind::Validate
        && let Ok(text) = crate::scenario::bounded::read_text(&dir.join("validation.md"))
    {
        body.push_str("<h2>validation.md</h2>");
        body.push_str(&markdown(&text));
    }
    if !tables.is_empty() {
        body.push_str("<h2>Tables</h2>");
        for t in tables {
            if let Some(html) = csv_table(&dir.join(t)) {
                body.push_str(&html);
            }
        }
    }
    if let Some(f) = json_file
        && let Some(value) = crate::scenario::bounded::read(&dir.join(f))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
    {
        let _ = write!(body, "<h2>What was done ({f})</h2>");
        body.push_str(&json_sections(&value));
    }
    Ok(page(&format!("surge: {} ({name})", kind.title()), &body))
}

#[cfg(test)]
mod tests {
    use super::markdown;

    #[test]
    fn markdown_tables_become_tables() {
        let html = markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | <2> |\n\n- **fitted**: 20\n");
        assert!(html.contains("<h3>Title</h3>"));
        assert!(html.contains("<th>a</th><th>b</th>"));
        assert!(html.contains("<td>1</td><td>&lt;2&gt;</td>"));
        assert!(html.contains("<p>• fitted: 20</p>"));
    }
}
