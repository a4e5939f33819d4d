//! `surge tune`: the real binary on a small scenario (one region, one app, 26 hours), so that
//! the quick grid's 10,000 runs take about a second in a debug build.

use assert_cmd::Command;
use predicates::prelude::*;

const SCENARIO: &str = r#"
name = "tune-small"
params = "params.toml"

[simulation]
lead_hours = 1
horizon_hours = 26
step_minutes = 5
output_minutes = 60
runs = 50

[event]
kind = "outage"
services = ["whatsapp"]
start = 2021-10-04T15:00:00Z
duration_hours = 4
severity = 1.0

[[regions]]
name = "world"
users = 10_000_000
utc_offset_hours = 0

[[apps]]
name = "alt"
attractiveness = 1.0
capacity_per_second = 20
retention_30d = 0.5
active_share = { world = 0.05 }
dormant_share = { world = 0.05 }
"#;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SCENARIO).unwrap();
    let params = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("params/fitted.toml");
    std::fs::copy(params, dir.path().join("params.toml")).unwrap();
    dir
}

fn tune(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("surge").unwrap();
    c.current_dir(dir).args([
        "tune",
        "small.toml",
        "--quick",
        "--out",
        "out",
        "--width",
        "700",
        "--height",
        "500",
    ]);
    c
}

#[test]
fn quick_tune_tabulates_every_setting_marks_the_frontier_and_fits_a_budget() {
    let dir = setup();
    tune(dir.path())
        .args(["--budget", "30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("within 30.0 s: step"))
        .stdout(predicate::str::contains("step_minutes"));
    let out = dir.path().join("out");
    for f in ["tune.csv", "summary.json", "tune.png", "tune.svg"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let settings = summary["settings"].as_array().unwrap();
    // Steps 1, 5, 15 and 60 minutes, then 10,000, 1,000 and 100 runs, then the exact (0) and
    // the hybrid (1) sampler.
    let labels: Vec<(String, f64)> = settings
        .iter()
        .map(|s| {
            (
                s["dimension"].as_str().unwrap().to_string(),
                s["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("step_minutes", 1.0),
            ("step_minutes", 5.0),
            ("step_minutes", 15.0),
            ("step_minutes", 60.0),
            ("runs", 10_000.0),
            ("runs", 1_000.0),
            ("runs", 100.0),
            ("sampler", 0.0),
            ("sampler", 1.0)
        ]
        .map(|(d, v)| (d.to_string(), v))
    );
    // The finest setting of each dimension has no change; the Monte Carlo error falls as
    // 1/sqrt(runs): 100 runs' is about sqrt(10) times 1,000 runs' (within 35%).
    let figure = |s: &serde_json::Value, name: &str| {
        s["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["figure"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(figure(&settings[0], "alt.arrivals_24h")["change"], 0.0);
    assert_eq!(figure(&settings[4], "alt.arrivals_24h")["change"], 0.0);
    let ratio = figure(&settings[6], "alt.arrivals_24h")["mcse"]
        .as_f64()
        .unwrap()
        / figure(&settings[5], "alt.arrivals_24h")["mcse"]
            .as_f64()
            .unwrap();
    assert!((ratio / 10f64.sqrt() - 1.0).abs() < 0.35, "{ratio}");
    let frontier = summary["frontier"].as_array().unwrap();
    assert_eq!(frontier.len(), settings.len());
    assert!(frontier.iter().any(|f| f == true));
    let r = &summary["recommendation"];
    assert!(r["predicted_seconds"].as_f64().unwrap() <= 30.0, "{r}");
    let csv = std::fs::read_to_string(out.join("tune.csv")).unwrap();
    assert!(csv.starts_with(
        "dimension,value,runs,seconds,figure,tracked,mean,mcse,change,change_se,bias,error,setting_error,frontier\n"
    ));
}

#[test]
fn tune_refuses_a_bad_budget_or_figure_before_any_run() {
    let dir = setup();
    for (args, says) in [
        (
            vec!["--budget", "0"],
            "expected a number of seconds above 0",
        ),
        (vec!["--figure", "alt.nope"], "no such headline figure"),
        (vec!["--agents", "1000"], "apply to the agent engine only"),
    ] {
        tune(dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
        assert!(!dir.path().join("out").exists());
    }
}
