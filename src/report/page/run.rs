//! The report page of a `surge run` output folder: the scenario in words and as written, the
//! headline table, the plots with their readings, an explorer, the parameters and their source,
//! and what reproduces the run.

use super::PageError;
use super::describe::{describe, describe_summary, list};
use super::html::{Cell, escape, facts, figure, inline_svg, page, table};
use crate::report::format::{duration, human};
use crate::report::plot::style::colour;
use crate::report::readings::{peak_reading, reached_limits};
use crate::report::series::SavedRun;
use crate::report::summary::{HeadlineRow, Summary};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The scenario file as it was run: its text when the file named in summary.json still has
/// the recorded SHA-256, else why not.
pub enum ScenarioText {
    Same(String),
    Changed(PathBuf),
    Missing(PathBuf),
}

pub fn scenario_text(summary: &Summary) -> ScenarioText {
    let path = PathBuf::from(&summary.scenario.file);
    match crate::scenario::bounded::read_capped(&path, crate::scenario::bounded::MAX_INPUT_BYTES) {
        Err(_) => ScenarioText::Missing(path),
        Ok(bytes) => {
            if crate::report::parts::sha256_hex(&bytes) == summary.scenario.sha256 {
                ScenarioText::Same(String::from_utf8_lossy(&bytes).into_owned())
            } else {
                ScenarioText::Changed(path)
            }
        }
    }
}

/// What a headline figure counts, in words.
fn counts(h: &HeadlineRow) -> String {
    let window = h
        .window_hours
        .map(|w| format!(" within {w:.0} h of the event's start"))
        .unwrap_or_default();
    match h.metric.as_str() {
        "registrations" => format!("new accounts created{window}"),
        "reactivations" => format!("dormant accounts back in use{window}"),
        "arrivals" => format!("new accounts and returning dormant ones{window}"),
        "abandoned" => format!("sign-up attempts that gave up waiting in the queue{window}"),
        "retained" => format!("arrivals still active 30 days later (of those{window})"),
        "registration_rate" => {
            "each run's highest rate of sign-ups served per second (over steps)".into()
        }
        "attempt_rate" => {
            "each run's highest rate of sign-up attempts per second (over steps): the demand before any limit".into()
        }
        "attempts" => format!("people who set out to create an account, served or not{window}"),
        "queue_wait" => "each run's longest wait of a new sign-up".into(),
        "baseline" => format!("organic sign-ups that would have come anyway{window}"),
        other => other.replace('_', " "),
    }
}

fn show(metric: &str, v: f64) -> String {
    match metric {
        "queue_wait" => duration(v),
        "registration_rate" | "attempt_rate" => format!("{}/s", human(v)),
        _ => human(v),
    }
}

fn headline(summary: &Summary) -> String {
    let headers = [
        Cell::text("app"),
        Cell::text("figure"),
        Cell::text("what it counts"),
        Cell::number("median"),
        Cell::number("90% of runs"),
        Cell::number("mean ± MCSE"),
    ];
    let rows: Vec<Vec<Cell>> = summary
        .headline
        .iter()
        .map(|h| {
            let m = h.metric.as_str();
            vec![
                Cell::text(&h.app),
                Cell::text(h.label()),
                Cell::text(counts(h)),
                Cell::number(show(m, h.p50)),
                Cell::number(format!("{} to {}", show(m, h.p05), show(m, h.p95))),
                Cell::number(format!("{} ± {}", show(m, h.mean), show(m, h.mcse))),
            ]
        })
        .collect();
    table("headline", &headers, &rows)
}

/// The apps in order of their median arrivals within 24 h (or the first window recorded).
fn apps_by_size(summary: &Summary) -> Vec<&HeadlineRow> {
    let mut rows: Vec<&HeadlineRow> = summary
        .headline
        .iter()
        .filter(|h| h.metric == "arrivals")
        .collect();
    let first_window = rows.first().and_then(|h| h.window_hours);
    rows.retain(|h| h.window_hours == first_window);
    rows.sort_by(|a, b| b.p50.total_cmp(&a.p50).then_with(|| a.app.cmp(&b.app)));
    rows
}

fn adoption_readings(summary: &Summary) -> Vec<String> {
    apps_by_size(summary)
        .into_iter()
        .take(3)
        .map(|h| {
            let new = summary
                .headline
                .iter()
                .find(|r| {
                    r.app == h.app
                        && r.metric == "registrations"
                        && r.window_hours == h.window_hours
                })
                .map(|r| format!("; {} of them new accounts", human(r.p50)))
                .unwrap_or_default();
            format!(
                "{}: {} arrivals within {:.0} h (median), 90% of runs between {} and {}{new}",
                h.app,
                human(h.p50),
                h.window_hours.unwrap_or(0.0),
                human(h.p05),
                human(h.p95)
            )
        })
        .collect()
}

fn rate_readings(run: &SavedRun) -> Vec<String> {
    let mut out: Vec<String> = apps_by_size(&run.summary)
        .into_iter()
        .take(3)
        .filter_map(|h| peak_reading(run, &h.app))
        .flat_map(|r| [r.peak_sentence(), r.wait_sentence()])
        .collect();
    // Which limit breaks first leads the limits' readings (from the runs, limits.csv).
    if let Some(first) = crate::report::readings::first_limit_sentence(&run.summary) {
        out.insert(out.len().min(1), first);
    }
    out.extend(reached_limits(run).iter().map(|l| l.sentence(run)));
    out
}

/// The sign-up limits table (limits.csv as the page shows it).
fn limits_table(summary: &Summary) -> String {
    let rows: Vec<Vec<Cell>> = summary
        .limits
        .iter()
        .map(|l| {
            let t = |i: usize| {
                l.clock(i)
                    .map_or("never".to_string(), |t| format!("{t} UTC"))
            };
            vec![
                Cell::text(&l.app),
                Cell::text(&l.region),
                Cell::text(&l.kind),
                Cell::number(format!("{}/s", human(l.per_second))),
                Cell::number(format!("{:.0}%", 100.0 * l.share_of_runs)),
                Cell::number(t(0)),
                Cell::number(t(1)),
                Cell::number(t(2)),
                Cell::number(format!("{:.1} h", l.hours_at_limit[0])),
                Cell::number(duration(l.wait_max_seconds[0])),
            ]
        })
        .collect();
    table(
        "limits",
        &[
            Cell::text("app"),
            Cell::text("region"),
            Cell::text("limit"),
            Cell::number("per second"),
            Cell::number("runs reaching it"),
            Cell::number("first reached: earliest 5%"),
            Cell::number("median run"),
            Cell::number("latest 5%"),
            Cell::number("hours at it (median)"),
            Cell::number("longest wait (median)"),
        ],
        &rows,
    )
}

/// Where the largest app's arrivals came from: each region's share of the medians at the end.
fn region_readings(run: &SavedRun) -> Vec<String> {
    let Some(top) = apps_by_size(&run.summary).first().map(|h| h.app.clone()) else {
        return Vec::new();
    };
    let mut shares: Vec<(String, f64)> = run
        .summary
        .regions
        .iter()
        .filter_map(|r| {
            let last = run.series.get(&top, r, "arrivals")?.last()?;
            Some((r.clone(), last.p50))
        })
        .collect();
    let total: f64 = shares.iter().map(|s| s.1).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let named: Vec<String> = shares
        .iter()
        .take(3)
        .map(|(r, v)| format!("{r} {:.0}%", 100.0 * v / total))
        .collect();
    vec![format!(
        "{top}'s arrivals by region (medians at the end of the horizon): {}",
        list(&named)
    )]
}

/// Numbers for the explorer, at four significant figures (the page stays small).
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let text = format!("{v:.3e}");
    text.parse::<f64>()
        .map_or_else(|_| "0".into(), |x| format!("{x}"))
}

/// The explorer's data: region `all`, each app's median and 90% band of five metrics.
fn explore_data(run: &SavedRun) -> Option<String> {
    const METRICS: [(&str, &str, &str); 5] = [
        ("arrivals", "Arrivals (cumulative)", ""),
        ("registrations", "New accounts (cumulative)", ""),
        (
            "reactivations",
            "Dormant accounts back in use (cumulative)",
            "",
        ),
        ("registration_rate", "Registrations per second", "/s"),
        ("queue_wait", "Wait of a new sign-up", ""),
    ];
    let s = &run.summary;
    let all = run.series.get(&s.apps.first()?.name, "all", "arrivals")?;
    // From 2 h before the event: the lead-in before it is flat.
    let skip = all
        .iter()
        .take_while(|p| p.hours < -2.0)
        .count()
        .min(all.len().saturating_sub(2));
    let first = &all[skip..];
    let hours: Vec<String> = first.iter().map(|p| short(p.hours)).collect();
    let times: Vec<String> = first
        .iter()
        .map(|p| format!("\"{}\"", escape(&p.time_utc)))
        .collect();
    let mut apps = Vec::new();
    for (k, app) in s.apps.iter().enumerate() {
        let c = colour(k);
        let mut series = Vec::new();
        for (key, _, _) in METRICS {
            let points = run.series.get(&app.name, "all", key)?;
            if points.len() != all.len() {
                return None;
            }
            let points = &points[skip..];
            let col = |f: &dyn Fn(&crate::report::series::SeriesPoint) -> f64| {
                points
                    .iter()
                    .map(|p| short(f(p)))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            series.push(format!(
                "\"{key}\":{{\"p05\":[{}],\"p50\":[{}],\"p95\":[{}]}}",
                col(&|p| p.p05),
                col(&|p| p.p50),
                col(&|p| p.p95)
            ));
        }
        apps.push(format!(
            "{{\"name\":\"{}\",\"colour\":\"#{:02x}{:02x}{:02x}\",\"series\":{{{}}}}}",
            escape(&app.name),
            c.0,
            c.1,
            c.2,
            series.join(",")
        ));
    }
    let metrics: Vec<String> = METRICS
        .iter()
        .map(|(k, l, u)| format!("{{\"key\":\"{k}\",\"label\":\"{l}\",\"unit\":\"{u}\"}}"))
        .collect();
    Some(format!(
        "{{\"hours\":[{}],\"times\":[{}],\"metrics\":[{}],\"apps\":[{}]}}",
        hours.join(","),
        times.join(","),
        metrics.join(","),
        apps.join(",")
    ))
}

/// Weighted 5%, 50% and 95% quantiles of each column of a posterior.csv (columns after
/// `particle`, `weight`, `distance`).
fn posterior_rows(bytes: &[u8]) -> Option<Vec<Vec<Cell>>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = reader.headers().ok()?.iter().map(String::from).collect();
    let weight = headers.iter().position(|h| h == "weight")?;
    let records: Vec<Vec<f64>> = reader
        .records()
        .filter_map(|r| r.ok()?.iter().map(|v| v.parse().ok()).collect())
        .collect();
    let rows = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !matches!(h.as_str(), "particle" | "weight" | "distance"))
        .map(|(j, h)| {
            let mut pairs: Vec<(f64, f64)> = records.iter().map(|r| (r[j], r[weight])).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let total: f64 = pairs.iter().map(|p| p.1).sum();
            let q = |level: f64| {
                let mut seen = 0.0;
                for &(v, w) in &pairs {
                    seen += w;
                    if seen >= level * total {
                        return v;
                    }
                }
                pairs.last().map_or(f64::NAN, |p| p.0)
            };
            vec![
                Cell::text(h),
                Cell::number(crate::report::format::plain3(q(0.5))),
                Cell::number(format!(
                    "{} to {}",
                    crate::report::format::plain3(q(0.05)),
                    crate::report::format::plain3(q(0.95))
                )),
            ]
        })
        .collect();
    Some(rows)
}

/// The bytes of `path` if they have the recorded SHA-256 (a file of the same name found from
/// another working folder, or changed since, is not this run's).
fn verified(path: &Path, sha256: Option<&str>) -> Option<Vec<u8>> {
    let bytes =
        crate::scenario::bounded::read_capped(path, crate::scenario::bounded::MAX_INPUT_BYTES)
            .ok()?;
    (crate::report::parts::sha256_hex(&bytes) == sha256?).then_some(bytes)
}

fn parameters(summary: &Summary, params_text: Option<(PathBuf, String)>) -> String {
    let p = &summary.parameters;
    let mut out = String::new();
    if p.kind == "posterior" {
        let _ = write!(
            out,
            "<p>Each run draws its behavioural parameters from the posterior in <code>{}</code>: weighted particles of <code>surge fit</code> (ABC-SMC on the reported figures in data/observations.toml; docs/MODEL.md §11). Their weighted median and 90% interval:</p>",
            escape(&p.file)
        );
        match verified(Path::new(&p.file), p.sha256.as_deref()).and_then(|b| posterior_rows(&b)) {
            Some(rows) => out.push_str(&table(
                "parameters",
                &[
                    Cell::text("parameter"),
                    Cell::number("median"),
                    Cell::number("90% interval"),
                ],
                &rows,
            )),
            None => out.push_str("<p class=\"muted\">(the posterior file cannot be read here, or is not the one these runs drew from: its SHA-256 is not the one recorded, so its table is left out)</p>"),
        }
    } else {
        let _ = write!(
            out,
            "<p>Every run uses the same parameters, from <code>{}</code>:</p>",
            escape(&p.file)
        );
        if let Some(values) = p.values.as_ref().and_then(|v| serde_json::to_value(v).ok()) {
            let mut rows = Vec::new();
            flatten("", &values, &mut rows);
            out.push_str(&table(
                "parameters",
                &[Cell::text("parameter"), Cell::number("value")],
                &rows,
            ));
        }
    }
    if let Some((path, text)) = params_text {
        let _ = write!(
            out,
            "<details><summary>The parameter file <code>{}</code>, with the source of every value</summary><pre>{}</pre></details>",
            escape(&path.display().to_string()),
            escape(&text)
        );
    }
    out
}

fn flatten(prefix: &str, value: &serde_json::Value, rows: &mut Vec<Vec<Cell>>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, rows);
            }
        }
        serde_json::Value::Number(n) => rows.push(vec![
            Cell::text(prefix),
            Cell::number(crate::report::format::plain3(
                n.as_f64().unwrap_or(f64::NAN),
            )),
        ]),
        other => rows.push(vec![Cell::text(prefix), Cell::number(other.to_string())]),
    }
}

/// The command that makes this folder again.
fn command(summary: &Summary) -> String {
    let mut cmd = format!(
        "surge run {} --runs {} --seed {}",
        summary.scenario.file, summary.runs, summary.seed
    );
    match summary.parameters.kind.as_str() {
        "posterior" => {
            let _ = write!(cmd, " --posterior {}", summary.parameters.file);
        }
        "nowcast" => {
            // The observed file is named in nowcast.json beside the summary.
            cmd = cmd.replacen("surge run", "surge nowcast", 1);
            let _ = write!(
                cmd,
                " --observed OBSERVED.csv --posterior {} (OBSERVED.csv: nowcast.json's `observed`)",
                summary.parameters.file
            );
        }
        _ => {
            let _ = write!(
                cmd,
                " --params {} --fixed-parameters",
                summary.parameters.file
            );
        }
    }
    if summary.engine.starts_with("agent") {
        cmd.push_str(" --engine agents");
        if let Some(users) = summary
            .network
            .as_ref()
            .and_then(|n| n.get("simulated_users"))
            .and_then(serde_json::Value::as_u64)
        {
            let _ = write!(cmd, " --agents {users}");
        }
    }
    if summary.sampler != crate::model::draw::Sampler::Exact {
        cmd.push_str(" --sampler hybrid");
    }
    cmd
}

fn folder_files(dir: &Path) -> String {
    let mut names: Vec<(String, u64)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let meta = e.metadata().ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            (meta.is_file()
                && !name.starts_with('.')
                && name != "report.html"
                && name != crate::report::owned::MANIFEST)
                .then_some((name, meta.len()))
        })
        .collect();
    names.sort();
    let rows: Vec<Vec<Cell>> = names
        .into_iter()
        .map(|(n, size)| {
            vec![
                Cell::text(n),
                Cell::number(format!("{} bytes", human(size as f64))),
            ]
        })
        .collect();
    table("files", &[Cell::text("file"), Cell::number("size")], &rows)
}

/// The page of a run's output folder.
pub fn run_page(dir: &Path) -> Result<String, PageError> {
    let run = SavedRun::load_for_plots(dir)?;
    let s = &run.summary;
    let text = scenario_text(s);
    let scenario = match &text {
        ScenarioText::Same(_) => {
            crate::scenario::load_scenario(Path::new(&s.scenario.file), None).ok()
        }
        _ => None,
    };
    let mut body = format!("<header><h1>{}</h1>", escape(&s.scenario.name));
    let sentences = scenario
        .as_ref()
        .map_or_else(|| describe_summary(s), describe);
    let _ = write!(
        body,
        "<p class=\"lede\">{}</p>",
        escape(&sentences.join(" "))
    );
    if let Some(description) = scenario.as_ref().map(|sc| sc.description.trim())
        && !description.is_empty()
    {
        let _ = write!(body, "<p class=\"muted\">{}</p>", escape(description));
    }
    body.push_str("</header>");
    // The answer first: what a reader takes away, before the tables and plots behind it.
    let adoption = adoption_readings(s);
    let rates = rate_readings(&run);
    body.push_str("<h2>In brief</h2><ul class=\"brief\">");
    for line in adoption.iter().take(2).chain(rates.iter().take(2)) {
        let _ = write!(body, "<li>{}</li>", escape(line));
    }
    body.push_str("</ul>");
    body.push_str("<h2>Headline figures</h2>");
    let _ = write!(
        body,
        "<p>Across {} Monte Carlo runs. {}.</p>",
        s.runs,
        escape(&capitalise(&s.band))
    );
    body.push_str(&headline(s));
    if let Some(section) = super::nowcast::section(dir) {
        body.push_str(&section);
    }
    if !s.limits.is_empty() {
        body.push_str("<h2>Sign-up limits</h2><p>Every limit of the scenario, from the runs themselves (limits.csv): the share of runs that reach it, when they first do, how long it holds and the longest wait behind it. A limit is reached in a step when its queue does not clear and the step served all the limit allows.</p>");
        if let Some(first) = crate::report::readings::first_limit_sentence(s) {
            let _ = write!(
                body,
                "<p class=\"lede\">{}.</p>",
                escape(&capitalise(&first))
            );
        }
        body.push_str(&limits_table(s));
    }
    body.push_str("<h2>Plots</h2>");
    let plots: [(&str, &str, Vec<String>); 3] = [
        (
            "adoption",
            "Who arrived on each alternative app",
            adoption_readings(s),
        ),
        (
            "rate",
            "Sign-ups per second against capacity, and the wait",
            rate_readings(&run),
        ),
        (
            "regions",
            "Where the arrivals came from",
            region_readings(&run),
        ),
    ];
    let curves = format!(
        "Bands: {}. Lines: the median run; thin lines: single runs.",
        s.band
    );
    // The regions chart has bars and no bands: its note says so, not the curves' one.
    let bars = "Bars: each region's median arrivals across runs, as shares of the app's total.";
    for (name, title, readings) in plots {
        let note = if name == "regions" {
            bars
        } else {
            curves.as_str()
        };
        let path = dir.join(format!("{name}.svg"));
        let svg = crate::scenario::bounded::read_text(&path)
            .ok()
            .and_then(|t| inline_svg(&t, title));
        match svg {
            Some(svg) => body.push_str(&figure(&svg, &readings, note)),
            None => {
                let _ = write!(
                    body,
                    "<p class=\"muted\">{name}.svg is missing: run <code>surge plot {}</code> first.</p>",
                    escape(&dir.display().to_string())
                );
            }
        }
    }
    if let Some(data) = explore_data(&run) {
        body.push_str("<div class=\"js-only\"><h2>Explore</h2><div id=\"explore\"><div class=\"controls\"><label>figure <select></select></label><span class=\"apps\"></span></div><svg viewBox=\"0 0 1000 420\" role=\"img\" aria-label=\"explorer chart\"></svg><div class=\"readout muted\">Move the pointer over the chart to read the median and the 90% band of every shown app.</div></div></div>");
        let _ = write!(
            body,
            "<script type=\"application/json\" id=\"explore-data\">{data}</script>"
        );
        body.push_str("<noscript><p class=\"muted\">With scripts on, an explorer here reads values off the curves and shows or hides apps.</p></noscript>");
    }
    body.push_str("<h2>Parameters and their source</h2>");
    let params_text = scenario.as_ref().and_then(|sc| {
        Some((
            sc.params_file.clone(),
            crate::scenario::bounded::read_text_capped(
                &sc.params_file,
                crate::scenario::bounded::MAX_INPUT_BYTES,
            )
            .ok()?,
        ))
    });
    body.push_str(&parameters(s, params_text));
    body.push_str("<h2>Reproduce</h2>");
    if !s.values.is_empty() {
        let set: Vec<String> = s.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let _ = write!(
            body,
            "<p><strong>What-if values set on the scenario before the run</strong> (from a front end such as Python's <code>Scenario.with_values</code>; the command below runs the file without them): {}</p>",
            escape(&set.join(", "))
        );
    }
    body.push_str(&facts(&[
        ("command".into(), command(s)),
        ("seed".into(), s.seed.to_string()),
        ("runs".into(), s.runs.to_string()),
        ("engine".into(), s.engine.clone()),
        ("surge version".into(), s.surge_version.clone()),
        ("scenario file".into(), s.scenario.file.clone()),
        ("scenario SHA-256".into(), s.scenario.sha256.clone()),
        ("quantiles".into(), s.quantiles.clone()),
    ]));
    body.push_str(
        "<p class=\"muted\">The same scenario, seed and runs give byte-identical results on any number of threads.</p>",
    );
    body.push_str("<h2>Scenario file</h2>");
    match text {
        ScenarioText::Same(t) => {
            let _ = write!(
                body,
                "<details open><summary><code>{}</code> as run</summary><pre>{}</pre></details>",
                escape(&s.scenario.file),
                escape(&t)
            );
        }
        ScenarioText::Changed(p) => {
            let _ = write!(
                body,
                "<p><code>{}</code> has changed since this run (its SHA-256 differs), so it is not shown.</p>",
                escape(&p.display().to_string())
            );
        }
        ScenarioText::Missing(p) => {
            let _ = write!(
                body,
                "<p><code>{}</code> cannot be read from here, so it is not shown.</p>",
                escape(&p.display().to_string())
            );
        }
    }
    body.push_str("<h2>Files in this folder</h2>");
    body.push_str(&folder_files(dir));
    Ok(page(&format!("surge: {}", s.scenario.name), &body))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn explorer_numbers_keep_four_figures() {
        assert_eq!(short(62533631.73170875), "62530000");
        assert_eq!(short(0.000123456), "0.0001235");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(-2.5), "-2.5");
    }
}
