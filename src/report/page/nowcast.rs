//! The report page's section on a nowcast (`nowcast.json` beside the summary): what the
//! forecast was conditioned on, how well, and what it changed in the parameters.

use super::html::{Cell, escape, table};
use std::fmt::Write;
use std::path::Path;

/// The section, if the folder holds a nowcast's `nowcast.json`.
pub fn section(dir: &Path) -> Option<String> {
    let bytes = crate::scenario::bounded::read(&dir.join("nowcast.json")).ok()?;
    let n: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let short = |v: f64| crate::report::format::human(v);
    let mut out = String::from("<h2>Conditioned on the observed counts</h2>");
    let _ = write!(
        out,
        "<p>The runs continue {} particles conditioned on the {} rows of <code>{}</code> up to {} ({:+.1} h after the event began). Effective sample size {:.0} of {}, after {} tempering stages. Method: {}. Observation model: {}.</p>",
        n["particles"],
        n["rows"].as_array().map_or(0, Vec::len),
        escape(n["observed"].as_str().unwrap_or("")),
        escape(n["cut_utc"].as_str().unwrap_or("")),
        num(&n["cut_hours_since_event"]),
        num(&n["effective_sample_size"]),
        n["particles"],
        n["stages"].as_array().map_or(0, Vec::len),
        escape(n["method"].as_str().unwrap_or("")),
        escape(n["observation_model"].as_str().unwrap_or("")),
    );
    if let Some(w) = n["warning"].as_str() {
        let _ = write!(
            out,
            "<p class=\"lede\"><strong>Warning:</strong> {}</p>",
            escape(w)
        );
    }
    let interval = |v: &serde_json::Value| {
        format!(
            "{} [{}, {}]",
            short(num(&v["median"])),
            short(num(&v["low"])),
            short(num(&v["high"]))
        )
    };
    let rows: Vec<Vec<Cell>> = n["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            vec![
                Cell::number(r["line"].to_string()),
                Cell::text(format!(
                    "{} {} {}",
                    r["app"].as_str().unwrap_or(""),
                    r["region"].as_str().unwrap_or(""),
                    r["metric"].as_str().unwrap_or("")
                )),
                Cell::text(format!(
                    "{} to {}",
                    r["since_utc"].as_str().unwrap_or(""),
                    r["time_utc"].as_str().unwrap_or("")
                )),
                Cell::number(short(num(&r["value"]))),
                Cell::number(interval(&r["before"])),
                Cell::number(interval(&r["after"])),
            ]
        })
        .collect();
    out.push_str(&table(
        "nowcast-rows",
        &[
            Cell::text("line"),
            Cell::text("count"),
            Cell::text("window (UTC)"),
            Cell::number("observed"),
            Cell::number("model before: median [90%]"),
            Cell::number("after"),
        ],
        &rows,
    ));
    let params: Vec<Vec<Cell>> = n["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let band = |v: &serde_json::Value| {
                format!("[{:.3e}, {:.3e}]", num(&v["low"]), num(&v["high"]))
            };
            vec![
                Cell::text(p["name"].as_str().unwrap_or("")),
                Cell::number(band(&p["before"])),
                Cell::number(band(&p["after"])),
                Cell::number(format!("{:.0}%", 100.0 * num(&p["width_ratio"]))),
            ]
        })
        .collect();
    out.push_str("<p>Each fitted parameter's 90% interval before conditioning (the fit's posterior) and after, and the width after as a share of before (in the priors' space):</p>");
    out.push_str(&table(
        "nowcast-parameters",
        &[
            Cell::text("parameter"),
            Cell::number("before"),
            Cell::number("after"),
            Cell::number("width"),
        ],
        &params,
    ));
    Some(out)
}
