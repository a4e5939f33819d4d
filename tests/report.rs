//! report.html through the real binary (issue 27): `surge report OUT_DIR` and `--report` write
//! one self-contained page that holds what the folder holds; the same flags mean the same on
//! every subcommand. (The page in a real browser: tests/browser/check_report.py, run by CI.)

use assert_cmd::Command;
use std::path::Path;

fn surge() -> Command {
    Command::cargo_bin("surge").expect("binary builds")
}

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    surge()
        .args(["run", scenario, "--quiet", "--seed", "5", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Every `src=`/`href=` in the page points inside it (data: URLs), never to the network.
fn assert_self_contained(html: &str) {
    let re = regex::Regex::new(r#"(?i)(src|href)\s*=\s*["']?([^"' >]+)"#).unwrap();
    for c in re.captures_iter(html) {
        let target = &c[2];
        assert!(
            target.starts_with("data:") || target.starts_with('#'),
            "the page refers to {target}"
        );
    }
    for external in ["@import", "url(http", "fonts.googleapis"] {
        assert!(!html.contains(external), "{external}");
    }
}

#[test]
fn run_with_report_writes_a_page_that_holds_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fb");
    run(
        "scenarios/facebook-2021-10-04.toml",
        &out,
        &["--runs", "20", "--report"],
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    assert_self_contained(&html);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    // The headline table: one row per figure of summary.json.
    let table = html
        .split("<table class=\"headline\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("a headline table");
    assert_eq!(
        table.matches("<tr>").count() - 1,
        summary["headline"].as_array().unwrap().len()
    );
    // The three plots inline, each scaled by a viewBox, with its reading.
    assert_eq!(html.matches("<figure><svg").count(), 3);
    assert!(html.contains("telegram: peak sign-ups "));
    assert!(html.contains("90% of runs between"));
    assert!(
        html.contains("at its 35/s limit from"),
        "the reached limit is not read"
    );
    // The scenario in words and as written (its text, escaped), the band's kind, the parameters
    // with their source, and the command that reproduces the run.
    assert!(html.contains("An outage: facebook, whatsapp, instagram and messenger goes down"));
    assert!(html.contains("Monday 2021-10-04 15:39 UTC"));
    let scenario = std::fs::read_to_string("scenarios/facebook-2021-10-04.toml").unwrap();
    let first = scenario.lines().find(|l| l.starts_with("name")).unwrap();
    assert!(
        html.contains(&first.replace('"', "&quot;")),
        "scenario text missing"
    );
    assert!(html.contains("bands carry parameter uncertainty and run-to-run noise"));
    assert!(html.contains("looking.word_of_mouth_per_hour"));
    assert!(
        html.contains(
            "surge run scenarios/facebook-2021-10-04.toml --runs 20 --seed 5 --posterior"
        )
    );
    assert!(html.contains("id=\"explore-data\""));
    // The explorer's data is valid JSON with one entry per app.
    let data = html
        .split("<script type=\"application/json\" id=\"explore-data\">")
        .nth(1)
        .and_then(|t| t.split("</script>").next())
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(data).expect("explorer data is JSON");
    assert_eq!(data["apps"].as_array().unwrap().len(), 3);
}

#[test]
fn report_of_a_folder_is_the_same_as_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run(
        "tests/fixtures/valid-small.toml",
        &out,
        &["--runs", "20", "--report"],
    );
    let with_flag = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    surge()
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), with_flag);
}

#[test]
fn compare_report_reads_the_differences() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run("tests/fixtures/valid-small.toml", &a, &[]);
    run("tests/fixtures/valid-small.toml", &b, &["--runs", "21"]);
    let out = dir.path().join("cmp");
    surge()
        .args([
            "compare",
            "--quiet",
            "--report",
            "--metric",
            "attempt-rate",
            "--out",
        ])
        .arg(&out)
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .stdout("");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("Comparison of runs"));
    // The page names the metric drawn, which only the command line knew before.
    assert!(
        html.contains("The chart draws attempt rate of"),
        "page does not name the metric"
    );
    let what: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(what["metric"], "attempt_rate");
    assert_eq!(what["scenarios"].as_array().unwrap().len(), 2);
    assert!(html.contains("difference"));
    assert!(html.contains("<figure><svg"));
    assert!(html.contains("compare.csv"));
}

#[test]
fn report_of_a_folder_without_results_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    surge()
        .arg("report")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not a surge output folder"))
        .stderr(predicates::str::contains("panicked").not());
    assert!(!dir.path().join("report.html").exists());
}

use predicates::prelude::PredicateBooleanExt;

/// Issue 27: "every subcommand has the same flags for the same things".
#[test]
fn the_same_flags_on_every_subcommand() {
    let help = |command: &str| -> String {
        let out = surge().args([command, "--help"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let has = |text: &str, flag: &str| text.lines().any(|l| l.trim_start().starts_with(flag));
    // Commands that write an output folder.
    for command in [
        "run",
        "compare",
        "fit",
        "validate",
        "sweep",
        "sensitivity",
        "tune",
        "merge",
    ] {
        let text = help(command);
        // --report on every command that writes an output folder, too.
        for flag in ["--out", "--force", "--quiet", "--report"] {
            assert!(has(&text, flag), "surge {command} has no {flag}");
        }
    }
    // Commands that simulate.
    for command in ["run", "fit", "validate", "sweep", "sensitivity", "tune"] {
        let text = help(command);
        for flag in ["--threads", "--seed"] {
            assert!(has(&text, flag), "surge {command} has no {flag}");
        }
    }
    // Commands that only print.
    for command in ["check", "plot", "report"] {
        assert!(
            has(&help(command), "--quiet"),
            "surge {command} has no --quiet"
        );
    }
}

/// `--force` replaces another command's results, never a folder of other files.
#[test]
fn compare_force_replaces_other_results_only() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run("tests/fixtures/valid-small.toml", &a, &[]);
    run("tests/fixtures/valid-small.toml", &b, &["--runs", "21"]);
    let target = dir.path().join("old-run");
    run("tests/fixtures/valid-small.toml", &target, &[]);
    let compare = |force: bool| {
        let mut c = surge();
        c.args(["compare", "--quiet", "--out"])
            .arg(&target)
            .arg(&a)
            .arg(&b);
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    compare(false).failure().stderr(predicates::str::contains(
        "another command's surge results (no compare.csv)",
    ));
    compare(true).success();
    assert!(target.join("compare.csv").is_file());
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("thesis.tex"), "x").unwrap();
    let mut c = surge();
    c.args(["compare", "--quiet", "--force", "--out"])
        .arg(&other)
        .arg(&a)
        .arg(&b);
    c.assert().failure();
    assert!(
        other.join("thesis.tex").is_file(),
        "a folder of other files was replaced"
    );
}

/// A script put into a plot's SVG on disk never reaches the page (issue 36): the SVG is parsed
/// and only drawing elements and attributes are kept, and the page's policy runs only its own
/// script (by hash, no `unsafe-inline`).
#[test]
fn an_svg_with_a_script_put_into_it_is_drawn_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run("tests/fixtures/valid-small.toml", &out, &["--runs", "5"]);
    let svg = out.join("adoption.svg");
    let text = std::fs::read_to_string(&svg).unwrap().replace(
        "</svg>",
        "<script>window.__surge_injected = 1</script><rect width=\"9\" height=\"9\" onclick=\"window.__surge_injected = 2\"/><foreignObject><iframe src=\"http://x\"/></foreignObject></svg>",
    );
    std::fs::write(&svg, text).unwrap();
    surge().arg("report").arg(&out).assert().success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("__surge_injected"));
    assert!(!html.contains("foreignObject"));
    assert!(!html.contains("unsafe-inline'; script-src 'unsafe-inline"));
    assert!(html.contains("script-src 'sha256-"));
    assert!(html.contains("<rect width=\"9\" height=\"9\"/>"));
    assert_self_contained(&html);
}

/// Values read back from a results folder are range-checked like a scenario's: 1e308 hours in
/// summary.json is refused with its key (it used to panic in `TimeDelta::seconds`), and the old
/// plots are left whole.
#[test]
fn a_summary_edited_out_of_range_is_refused_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run("tests/fixtures/valid-small.toml", &out, &["--runs", "5"]);
    let plots = std::fs::read(out.join("adoption.png")).unwrap();
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    for (from, to, key) in [
        (
            "\"duration_hours\": 6.0",
            "\"duration_hours\": 1e308",
            "event.duration_hours",
        ),
        (
            "\"utc_offsets\": [\n    1.0",
            "\"utc_offsets\": [\n    1e308",
            "utc_offsets[0]",
        ),
    ] {
        assert!(summary.contains(from), "{from}");
        std::fs::write(out.join("summary.json"), summary.replace(from, to)).unwrap();
        for command in ["plot", "report"] {
            surge()
                .arg(command)
                .arg(&out)
                .assert()
                .code(2)
                .stderr(predicates::str::contains(key))
                .stderr(predicates::str::contains("panicked").not());
        }
        assert_eq!(std::fs::read(out.join("adoption.png")).unwrap(), plots);
    }
}
