//! The README's figures are what the commands print (issue 39). Every figure the README quotes
//! from a run sits between `<!-- generated: NAME -->` and `<!-- /generated -->`; this test runs
//! the commands (the shipped scenario at its defaults, seeded) and fails where the README
//! differs. `UPDATE_README=1 cargo test --test readme` (or `scripts/readme-figures.sh`)
//! rewrites those spans instead.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;
use surge::report::Summary;
use surge::report::format::{duration, human};

const SCENARIO: &str = "scenarios/facebook-2021-10-04.toml";
const SCENARIO_24H: &str = "scenarios/facebook-2021-10-04-24h.toml";

fn surge(args: &[&str], out: &Path) -> String {
    let output = Command::cargo_bin("surge")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(output.status.success(), "surge {args:?} failed");
    String::from_utf8(output.stdout).unwrap()
}

fn summary(dir: &Path) -> Summary {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// "332/s (90% of runs between 139/s and 1.35k/s)" for a headline figure.
fn figure(s: &Summary, app: &str, label: &str) -> (f64, f64, f64) {
    let h = s
        .headline
        .iter()
        .find(|h| h.app == app && h.label() == label)
        .unwrap_or_else(|| panic!("no {app}.{label}"));
    (h.p50, h.p05, h.p95)
}

fn rate(v: f64) -> String {
    format!("{}/s", human(v))
}

/// Every generated span, by name, from the commands' outputs.
fn generated() -> BTreeMap<&'static str, String> {
    let dir = tempfile::tempdir().unwrap();
    let (main, fixed, long, cmp) = (
        dir.path().join("main"),
        dir.path().join("fixed"),
        dir.path().join("long"),
        dir.path().join("compare"),
    );
    let printed = surge(&["run", SCENARIO], &main);
    let s = summary(&main);
    let mut out = BTreeMap::new();
    let table: Vec<&str> = printed.lines().take(15).collect();
    out.insert(
        "quick-start-table",
        format!("\n```\n{}\n...\n```\n", table.join("\n")),
    );
    let (p50, p05, p95) = figure(&s, "telegram", "attempt_rate_peak");
    let served = figure(&s, "telegram", "registration_rate_peak").0;
    out.insert(
        "telegram-demand",
        format!(
            "a median peak of {} (90% of runs between {} and {}) to serve everyone at once, against {} served",
            rate(p50),
            rate(p05),
            rate(p95),
            rate(served)
        ),
    );
    let limit = s
        .limits
        .iter()
        .find(|l| l.app == "telegram" && l.region == "latin_america")
        .expect("the Latin America limit");
    let hhmm = |i: usize| limit.clock(i).unwrap_or("never").to_string();
    let signal = s
        .limits
        .iter()
        .find(|l| l.app == "signal")
        .expect("signal's limit");
    out.insert(
        "latin-america-limit",
        format!(
            "in {:.0}% of runs, the median run reaching it at {} UTC and the earliest 5% by {}",
            100.0 * limit.share_of_runs,
            hhmm(1),
            hhmm(0)
        ),
    );
    out.insert(
        "signal-limit",
        format!("in {:.0}% of runs", 100.0 * signal.share_of_runs),
    );
    out.insert(
        "longest-wait",
        duration(figure(&s, "telegram", "queue_wait_max").0),
    );
    let csv = std::fs::read_to_string(main.join("limits.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv
        .lines()
        .take(3)
        .map(|l| l.split(',').take(7).map(String::from).collect())
        .collect();
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(v, w)| format!("{v:<w$}"))
                .collect();
            format!("{}  ...", cells.join("  ").trim_end())
        })
        .collect();
    out.insert(
        "limits-csv",
        format!("\n  ```\n  {}\n  ```\n  ", lines.join("\n  ")),
    );
    let fixed_printed = surge(&["run", SCENARIO, "--fixed-parameters"], &fixed);
    let fixed_line = fixed_printed
        .lines()
        .find(|l| l.starts_with("telegram   arrivals_24h"))
        .unwrap();
    let cells: Vec<&str> = fixed_line.split_whitespace().collect();
    out.insert(
        "fixed-parameters",
        format!(
            "telegram arrivals_24h {} {} {}",
            cells[2], cells[3], cells[4]
        ),
    );
    surge(&["run", SCENARIO_24H, "--quiet"], &long);
    let l = summary(&long);
    let (a6, a24) = (
        figure(&s, "telegram", "arrivals_24h").0,
        figure(&l, "telegram", "arrivals_24h").0,
    );
    out.insert(
        "compare-6h-24h",
        format!(
            "about {:.1} times as many Telegram arrivals as the 6-hour one ({} vs {} in 24 h), and the longest sign-up wait grows from {} to {} (medians)",
            a24 / a6,
            human(a24),
            human(a6),
            duration(figure(&s, "telegram", "queue_wait_max").0),
            duration(figure(&l, "telegram", "queue_wait_max").0)
        ),
    );
    // The validation's summary, as `surge validate --markdown docs/validation.md` wrote it.
    let validation =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md"))
            .unwrap();
    let roles: Vec<&str> = validation
        .lines()
        .skip_while(|l| !l.starts_with("Summary by role"))
        .skip(2)
        .take_while(|l| l.starts_with("- "))
        .map(|l| l.trim_start_matches("- "))
        .collect();
    let fit = validation
        .lines()
        .find_map(|l| l.strip_prefix("- every event: "))
        .expect("docs/validation.md names the fit to every event");
    out.insert(
        "validation-summary",
        format!("{} (the fit to every event: {fit})", roles.join("; ")),
    );
    // The compare command agrees with the two summaries (it reads them).
    let cmp_printed = surge(
        &[
            "compare",
            main.to_str().unwrap(),
            long.to_str().unwrap(),
            "--app",
            "telegram",
        ],
        &cmp,
    );
    assert!(cmp_printed.contains(&human(a24)));
    out
}

const OPEN: &str = "<!-- generated: ";
const CLOSE: &str = "<!-- /generated -->";

#[test]
fn readme_figures_are_what_the_commands_print() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let want = generated();
    let mut fixed = String::new();
    let mut rest = readme.as_str();
    let mut seen = Vec::new();
    let mut stale = Vec::new();
    while let Some(at) = rest.find(OPEN) {
        let name_end = at
            + rest[at..]
                .find(" -->")
                .expect("a span's name ends with -->");
        let name = &rest[at + OPEN.len()..name_end];
        let body_start = name_end + " -->".len();
        let body_end = body_start + rest[body_start..].find(CLOSE).expect("a span is closed");
        let body = &rest[body_start..body_end];
        let expected = want.get(name).unwrap_or_else(|| {
            panic!("README names a generated span `{name}` the test does not make")
        });
        if body != expected {
            stale.push(format!(
                "{name}: README has {body:?}, the commands give {expected:?}"
            ));
        }
        fixed.push_str(&rest[..body_start]);
        fixed.push_str(expected);
        seen.push(name.to_string());
        rest = &rest[body_end..];
    }
    fixed.push_str(rest);
    for name in want.keys() {
        assert!(
            seen.iter().any(|s| s == name),
            "README lost the span `{name}`"
        );
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, fixed).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "the README's figures are stale (UPDATE_README=1 cargo test --test readme rewrites them):\n{}",
        stale.join("\n")
    );
}
