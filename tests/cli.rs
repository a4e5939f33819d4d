//! The real binary, end to end: checks, bad input, outputs, reproducibility and golden files.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn surge() -> Command {
    Command::cargo_bin("surge").expect("binary builds")
}

/// (fixture, key named in the message, words of the expected message)
const BAD: &[(&str, &str, &str)] = &[
    (
        "unknown-key",
        "apps[0].capacity_per_secnd",
        "did you mean `capacity_per_second`",
    ),
    (
        "share-out-of-range",
        "apps[0].dormant_share.europe",
        "expected a share in [0, 1]",
    ),
    (
        "active-plus-dormant",
        "apps[0].dormant_share.europe",
        "active + dormant must be <= 1",
    ),
    (
        "negative-duration",
        "event.duration_hours",
        "expected a number > 0",
    ),
    (
        "wanting-as-percent",
        "event.wanting_to_move",
        "expected a share in [0, 1], found 26",
    ),
    (
        "coverage-negative",
        "event.coverage.index[1]",
        "expected a number >= 0",
    ),
    (
        "trust-shock-without-coverage",
        "event",
        "a trust_shock needs `coverage`",
    ),
    (
        "fallback-as-percent",
        "event.fallback_share",
        "expected a share in [0, 1], found 10",
    ),
    (
        "verification-unknown-region",
        "apps[0].verification_by_region.asai",
        "did you mean `asia`",
    ),
    (
        "huge-baseline",
        "apps[0].baseline_per_day",
        "expected a number <= 100000000000",
    ),
    (
        "zero-capacity",
        "apps[0].capacity_per_second",
        "expected a number >= 1e-6, found 0",
    ),
    (
        "event-after-horizon",
        "simulation.lead_hours",
        "the event must start inside the horizon",
    ),
    (
        "outage-past-horizon",
        "event.duration_hours",
        "the outage must end inside the horizon",
    ),
    (
        "step-not-dividing",
        "simulation.horizon_hours",
        "must divide the horizon",
    ),
    (
        "nan-value",
        "apps[0].attractiveness",
        "expected a finite number",
    ),
    (
        "too-many-users",
        "regions[1].users",
        "expected a number <= 100000000000",
    ),
    ("unsafe-name", "name", "usable as a folder name"),
    ("syntax-error", "event.severity", "expected nothing"),
    (
        "missing-key",
        "apps[0].retention_30d",
        "missing key `retention_30d`",
    ),
    (
        "missing-simulation",
        "simulation",
        "missing key `simulation`",
    ),
    (
        "start-not-a-datetime",
        "event.start",
        "expected a date-time with its UTC offset, unquoted, such as 2021-10-04T15:39:00Z",
    ),
    (
        "start-quoted",
        "event.start",
        "invalid type: string \"04/10/2021 15:40\", expected a TOML datetime; expected a date-time with its UTC offset",
    ),
    (
        "unknown-region",
        "apps[0].dormant_share.eurpoe",
        "did you mean `europe`",
    ),
    (
        "bad-event-kind",
        "event.kind",
        "expected \"outage\" or \"trust_shock\"",
    ),
    (
        "wrong-type",
        "simulation.horizon_hours",
        "expected a number",
    ),
    (
        "network-degree-above-agents",
        "network.mean_degree",
        "expected fewer contacts than the 50 simulated users",
    ),
    (
        "network-share-out-of-range",
        "network.within_region",
        "expected a number in [0, 1], found 1.5",
    ),
    (
        "unknown-engine",
        "simulation.engine",
        "expected \"cohort\" or \"agents\"",
    ),
    (
        "mixing-row-sum",
        "network.mixing.europe",
        "expected shares that sum to 1, found a sum of 1.1",
    ),
    (
        "capacity-subnormal",
        "apps[0].capacity_per_second",
        "expected a number >= 1e-6, found 1e-320",
    ),
    (
        "announced-without-announced",
        "event.announced_at",
        "only an announced outage (`announced = true`)",
    ),
    (
        "announced-after-start",
        "event.announced_at",
        "the announcement must come before the outage starts",
    ),
    (
        "may-start-after-start",
        "event.may_start_from",
        "expected a time from the announcement to the start (0 to 1 h before the start), found 0.5 h after it",
    ),
    (
        "may-start-without-announcement",
        "event.may_start_from",
        "an uncertain start needs the announcement it follows",
    ),
    (
        "expected-without-announced",
        "event.expected_hours",
        "only an announced outage (`announced = true`) has an announced length",
    ),
    (
        "announced-before-lead",
        "event.announced_at",
        "it is 3 h before the start, but simulation.lead_hours is 1",
    ),
    (
        "events-start-outside",
        "events[0].start",
        "expected a start inside the simulated time (2021-10-04T14:40:00Z to 2021-10-05T16:40:00Z)",
    ),
    (
        "events-app-trust-shock",
        "events[0].kind",
        "an event on an app is its outage",
    ),
    (
        "events-mixed-services",
        "events[0].services",
        "expected either apps of the scenario",
    ),
    (
        "events-unknown-service-signl",
        "events[0].services[0]",
        "`signl` is not a service of this scenario (did you mean `signal`?): expected the simulated users' services (whatsapp) or an app (telegram, signal)",
    ),
    (
        "events-unknown-service-whatsapp",
        "events[0].services[0]",
        "`WhatsApp` is not a service of this scenario (did you mean `whatsapp`?)",
    ),
    (
        "events-unknown-service-whatsap",
        "events[0].services[0]",
        "`whatsap` is not a service of this scenario (did you mean `whatsapp`?)",
    ),
    (
        "events-no-source",
        "events[0].source",
        "expected where the event's facts come from",
    ),
    (
        "sampler-unknown",
        "simulation.sampler",
        "expected \"exact\" or \"hybrid\", found \"fast\"",
    ),
    (
        "named-unknown-app",
        "event.named[0].app",
        "unknown app `signl`; expected one of the scenario's apps: telegram, signal",
    ),
    (
        "named-share-out-of-range",
        "event.named[0].share",
        "expected a share in [0, 1], found 50",
    ),
    (
        "named-shares-sum",
        "event.named",
        "expected shares that sum to at most 1 at every time, found 1.1",
    ),
    (
        "named-after-horizon",
        "event.named[0].shares",
        "the series must end inside the simulated time",
    ),
    (
        "network-without-agents",
        "network",
        "applies to engine = \"agents\" only",
    ),
];

#[test]
fn every_negative_fixture_names_file_key_line_and_expectation() {
    for (name, key, words) in BAD {
        let file = format!("tests/fixtures/bad-{name}.toml");
        let out = surge()
            .args(["check", &file])
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8_lossy(&out);
        assert!(
            err.contains(&format!("{file}:")),
            "{name}: no file in {err}"
        );
        assert!(
            err.contains(&format!("key `{key}`")),
            "{name}: no key in {err}"
        );
        assert!(err.contains(words), "{name}: no expectation in {err}");
        assert!(!err.contains("panicked"), "{name}: panic in {err}");
        let line_col = err
            .split(&format!("{file}:"))
            .nth(1)
            .and_then(|r| r.split(": key").next())
            .unwrap_or("");
        assert!(
            line_col
                .split(':')
                .all(|n| n.parse::<usize>().is_ok_and(|n| n >= 1)),
            "{name}: no line:column in {err}"
        );
    }
}

#[test]
fn bad_scenario_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surge()
        .args([
            "run",
            "tests/fixtures/bad-share-out-of-range.toml",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected a share in [0, 1]"));
    assert!(!out.exists());
}

#[test]
fn shipped_scenarios_are_valid() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    surge().arg("check").args(&files).assert().success();
}

fn run_into(dir: &Path, threads: &str) {
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "40",
            "--seed",
            "11",
            "--threads",
            threads,
            "--out",
        ])
        .arg(dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("arrivals_24h"));
}

#[test]
fn outputs_are_byte_identical_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_into(&one, "1");
    run_into(&two, "2");
    for file in ["summary.json", "timeseries.csv", "runs.csv"] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(!a.is_empty());
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    let leftovers = std::fs::read_dir(&one).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")
    });
    assert_eq!(leftovers.count(), 0);
}

#[test]
fn summary_and_tables_have_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    run_into(dir.path(), "2");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    for key in [
        "surge_version",
        "scenario",
        "seed",
        "runs",
        "engine",
        "parameters",
        "headline",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["scenario"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(summary["runs"], 40);
    let headline = summary["headline"].as_array().unwrap();
    let has = |metric: &str, window: Option<f64>| {
        headline.iter().any(|h| {
            h["app"] == "telegram" && h["metric"] == metric && h["window_hours"].as_f64() == window
        })
    };
    for metric in ["arrivals", "registrations", "reactivations"] {
        assert!(has(metric, Some(24.0)), "{metric} 24 h");
    }
    assert!(has("registration_rate", None) && has("queue_wait", None));
    assert!(
        !has("arrivals", Some(72.0)),
        "the 26 h horizon cannot hold a 72 h window"
    );
    for h in headline {
        assert!(h["p05"].as_f64() <= h["p50"].as_f64() && h["p50"].as_f64() <= h["p95"].as_f64());
    }
    let series = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    let mut lines = series.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_utc,hours,app,region,metric,mean,p05,p25,p50,p75,p95"
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("2021-10-04T14:40:00Z,-1.0000,telegram,all,registrations,"),
        "{first}"
    );
    // 27 points x (all + 2 regions) x 10 metrics, less baseline rows of the 2 regions.
    assert_eq!(series.lines().count() - 1, 27 * (3 * 10 - 2));
    let runs = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 41);
}

/// Golden output: a seeded run's summary is pinned. Regenerate with `UPDATE_GOLDEN=1 cargo test`
/// after an intended change to the model, and say why in the commit.
#[test]
fn seeded_summary_matches_golden() {
    let dir = tempfile::tempdir().unwrap();
    run_into(dir.path(), "2");
    let got = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let golden = Path::new("tests/golden/valid-small-summary.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(golden).expect("golden file (UPDATE_GOLDEN=1 to create)");
    assert_eq!(got, want, "summary.json differs from the golden file");
}

#[test]
fn zero_runs_is_a_clear_error() {
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "0",
            "--quiet",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--runs must be at least 1"));
}

/// Issue 9, bad input: more single runs for the spaghetti plot than runs is refused before any
/// work, and nothing is written.
#[test]
fn spaghetti_above_runs_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "3",
            "--spaghetti",
            "5",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--spaghetti 5 asks for more single runs than --runs 3",
        ));
    assert!(!out.exists());
}

/// Issue 10: a huge `--threads` used to start ~15,000 threads and panic; it is refused (exit 2).
#[test]
fn too_many_threads_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--threads",
            "100000",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at most 1024 threads"));
    assert!(!dir.path().join("out").exists());
}

/// Issue 14: `surge check /dev/zero` read gigabytes; input files are capped at 16 MiB. Since
/// issue 27 a device is refused before it is read at all, and a regular file over the cap still
/// is after 16 MiB.
#[test]
fn endless_input_file_is_refused() {
    surge()
        .args(["check", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a regular file"));
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    surge()
        .arg("check")
        .arg(&big)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 16 MiB"));
}

/// Issue 9: `--runs` beyond what the disk can hold is refused before any work, nothing written.
#[test]
fn runs_beyond_the_disk_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "4294967295",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("runs.csv has a row per run"))
        .stderr(predicate::str::contains("GiB free"));
    assert!(!out.exists());
}

/// Issue 14: 64 regions x 16 apps for 3,000 h at 1-minute steps and outputs passed every check
/// and was killed by the kernel at 24 GB; it is refused up front with the estimate.
#[test]
fn scenario_too_big_for_memory_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let regions: Vec<String> = (0..64).map(|r| format!("r{r}")).collect();
    let mut toml = String::from(
        "name = \"huge\"\nparams = \"PARAMS\"\n[simulation]\nlead_hours = 1\nhorizon_hours = 3000\nstep_minutes = 1\noutput_minutes = 1\nruns = 1\nseed = 1\n[event]\nkind = \"outage\"\nservices = [\"whatsapp\"]\nstart = 2021-10-04T15:40:00Z\nduration_hours = 6\nseverity = 1.0\n",
    )
    .replace(
        "PARAMS",
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("params/default.toml")
            .display()
            .to_string(),
    );
    for r in &regions {
        toml += &format!("[[regions]]\nname = \"{r}\"\nusers = 1_000_000\nutc_offset_hours = 0\n");
    }
    let shares: Vec<String> = regions.iter().map(|r| format!("{r} = 0.01")).collect();
    for a in 0..16 {
        toml += &format!(
            "[[apps]]\nname = \"app{a}\"\nattractiveness = 1.0\nbaseline_per_day = 0\nretention_30d = 0.5\ncapacity_per_second = 100\nactive_share = {{ {s} }}\ndormant_share = {{ {s} }}\n",
            s = shares.join(", ")
        );
    }
    let file = dir.path().join("huge.toml");
    std::fs::write(&file, toml).unwrap();
    // `surge check` asks the same question.
    surge()
        .arg("check")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("GiB of memory"));
    let out = dir.path().join("out");
    surge()
        .arg("run")
        .arg(&file)
        .args(["--runs", "1", "--threads", "1", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("GiB of memory"))
        .stderr(predicate::str::contains("huge.toml"));
    assert!(!out.exists());
}

/// Issue 10: the time series kept counts as f32 (73,009,504 where runs.csv had 73,009,502). With
/// one run, the cumulative arrivals 24 h after the event in timeseries.csv equal runs.csv's
/// arrivals_24h to the unit (nothing arrives before the event).
#[test]
fn counts_are_exact_in_the_time_series() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surge()
        .args([
            "run",
            "scenarios/facebook-2021-10-04.toml",
            "--runs",
            "1",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "telegram.arrivals_24h")
        .unwrap();
    let from_runs: f64 = row[col].parse().unwrap();
    let series = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let at_24h = series
        .lines()
        .find(|l| l.contains(",24.0000,telegram,all,arrivals,"))
        .expect("a point 24 h after the event");
    let mean: f64 = at_24h.split(',').nth(5).unwrap().parse().unwrap();
    assert!(from_runs > 1e7, "{from_runs}");
    assert_eq!(mean, from_runs, "timeseries {mean} vs runs.csv {from_runs}");
}

/// Issue 10: a folder holding another scenario's results is refused unless --force; a file as
/// --out is refused; neither is touched.
#[test]
fn output_folder_of_another_scenario_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |scenario: &str, extra: &[&str]| {
        let mut cmd = surge();
        cmd.args(["run", scenario, "--runs", "2", "--quiet", "--out"])
            .arg(&out)
            .args(extra);
        cmd.assert()
    };
    run("tests/fixtures/valid-small.toml", &[]).success();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    run("tests/fixtures/valid-small-long.toml", &[])
        .code(2)
        .stderr(predicate::str::contains(
            "holds results of scenario `valid-small`",
        ))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    run("tests/fixtures/valid-small-long.toml", &["--force"]).success();
    assert_ne!(std::fs::read(out.join("summary.json")).unwrap(), before);
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file, not a folder"));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Issue 14: posterior rows were not checked (`signup.patience_minutes = -1` gave a 4 h queue,
/// negative and all-zero weights were accepted). Each is refused with the file, row and column,
/// before any output.
#[test]
fn bad_posterior_rows_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "particle,weight,distance,signup.patience_minutes\n0,1,0.1,10\n1,1,0.1,-1\n",
            "row 3: column `signup.patience_minutes`: expected a number > 0",
        ),
        (
            "particle,weight,distance,looking.after_hours\n0,-2,0.1,1\n",
            "row 2: column `weight`: expected a weight >= 0",
        ),
        (
            "particle,weight,distance,looking.after_hours\n0,0,0.1,1\n1,0,0.1,2\n",
            "every weight is 0",
        ),
    ];
    for (i, (csv, message)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("posterior-{i}.csv"));
        std::fs::write(&file, csv).unwrap();
        let out = dir.path().join(format!("out-{i}"));
        surge()
            .args([
                "run",
                "tests/fixtures/valid-small.toml",
                "--runs",
                "2",
                "--quiet",
            ])
            .arg("--posterior")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("posterior-{i}.csv")))
            .stderr(predicate::str::contains(*message));
        assert!(!out.exists());
    }
}

/// Issue 10: a shipped scenario's default run carries parameter uncertainty (each run draws from
/// params/fitted-posterior.csv), and says so in the table header and summary.json;
/// `--fixed-parameters` gives run-to-run noise only, and says that.
#[test]
fn default_bands_carry_parameter_uncertainty() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], out: &Path| {
        surge()
            .args([
                "run",
                "scenarios/whatsapp-2h-worldwide.toml",
                "--runs",
                "40",
                "--out",
            ])
            .arg(out)
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let table = String::from_utf8(run(&[], &a)).unwrap();
    assert!(
        table.contains("draws its parameters from the posterior"),
        "{table}"
    );
    let fixed = String::from_utf8(run(&["--fixed-parameters"], &b)).unwrap();
    assert!(
        fixed.contains("run-to-run (stochastic) variation only"),
        "{fixed}"
    );
    let summary = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
    };
    let (sa, sb) = (summary(&a), summary(&b));
    assert_eq!(sa["parameters"]["kind"], "posterior");
    assert!(
        sa["parameters"]["file"]
            .as_str()
            .unwrap()
            .ends_with("fitted-posterior.csv")
    );
    assert_eq!(sb["parameters"]["kind"], "fixed");
    // Parameter uncertainty makes the 90% interval of arrivals much wider than noise alone.
    let width = |s: &serde_json::Value| {
        let row = s["headline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| {
                h["app"] == "telegram" && h["metric"] == "arrivals" && h["window_hours"] == 24.0
            })
            .unwrap();
        (row["p95"].as_f64().unwrap() - row["p05"].as_f64().unwrap()) / row["p50"].as_f64().unwrap()
    };
    assert!(
        width(&sa) > 10.0 * width(&sb),
        "{} vs {}",
        width(&sa),
        width(&sb)
    );
}

/// Issues 10 and 14: `surge plot` drew invented lines from a header-only timeseries.csv, drew
/// NaN, 1e300 and negative counts without a word, panicked on a spaghetti run of 1e19, and
/// reported bad numbers without their line. Each is refused, naming the file and the line.
#[test]
fn edited_result_files_are_refused_by_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let series = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let spaghetti = std::fs::read_to_string(out.join("spaghetti.csv")).unwrap();
    let header = series.lines().next().unwrap().to_string();
    // Replace the mean (column 6) of the third data row (line 4).
    let with_mean = |value: &str| -> String {
        let mut lines: Vec<String> = series.lines().map(str::to_string).collect();
        let mut cells: Vec<&str> = lines[3].split(',').collect();
        cells[5] = value;
        lines[3] = cells.join(",");
        lines.join("\n") + "\n"
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("timeseries.csv", header + "\n", "has no rows"),
        (
            "timeseries.csv",
            with_mean("NaN"),
            "line 4, column 6: expected a finite number",
        ),
        (
            "timeseries.csv",
            with_mean("oops"),
            "line 4, column 6: expected a finite number, found \"oops\"",
        ),
        (
            "timeseries.csv",
            with_mean("-5"),
            "line 4, column `mean`: expected a count",
        ),
        (
            "timeseries.csv",
            with_mean("1e300"),
            "line 4, column `mean`: expected a count",
        ),
        (
            "spaghetti.csv",
            spaghetti.replacen("\n0,", "\n10000000000000000000,", 1),
            "line 2, column `run`: expected a run number",
        ),
    ];
    for (file, text, message) in cases {
        let copy = dir.path().join(format!("copy-{}", message.len()));
        std::fs::create_dir_all(&copy).unwrap();
        for f in [
            "summary.json",
            "timeseries.csv",
            "spaghetti.csv",
            "runs.csv",
        ] {
            std::fs::copy(out.join(f), copy.join(f)).unwrap();
        }
        std::fs::write(copy.join(file), text).unwrap();
        surge()
            .arg("plot")
            .arg(&copy)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(file))
            .stderr(predicate::str::contains(message));
        assert!(
            !copy.join("adoption.png").exists(),
            "{message}: drew a plot"
        );
    }
}

/// Issue 10: `surge compare` of two runs of one scenario labelled both identically, and results
/// with different apps failed with a message about an `--app` the user never gave.
#[test]
fn compare_tells_results_apart_and_names_missing_apps() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (out, seed) in [(&a, "1"), (&b, "2")] {
        surge()
            .args([
                "run",
                "tests/fixtures/valid-small.toml",
                "--runs",
                "3",
                "--quiet",
            ])
            .args(["--seed", seed, "--out"])
            .arg(out)
            .assert()
            .success();
    }
    let cmp = dir.path().join("cmp");
    surge()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&cmp)
        .assert()
        .success();
    let csv = std::fs::read_to_string(cmp.join("compare.csv")).unwrap();
    assert!(
        csv.contains("valid-small [a]") && csv.contains("valid-small [b]"),
        "{csv}"
    );
    // A result whose only app is another one.
    let text = std::fs::read_to_string("tests/fixtures/valid-small.toml")
        .unwrap()
        .replace("telegram", "signal")
        .replace("name = \"valid-small\"", "name = \"other\"")
        .replace(
            "../../params",
            &format!("{}/params", env!("CARGO_MANIFEST_DIR")),
        );
    let other = dir.path().join("other.toml");
    std::fs::write(&other, text).unwrap();
    let c = dir.path().join("c");
    surge()
        .arg("run")
        .arg(&other)
        .args(["--runs", "3", "--quiet", "--out"])
        .arg(&c)
        .assert()
        .success();
    surge()
        .arg("compare")
        .arg(&a)
        .arg(&c)
        .arg("--out")
        .arg(dir.path().join("cmp2"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no app in common"))
        .stderr(predicate::str::contains("--app").not());
}

/// Issue 10: `run --help` lists every file it writes.
#[test]
fn run_help_lists_every_file_it_writes() {
    let help = surge()
        .args(["run", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    for file in [
        "summary.json",
        "timeseries.csv",
        "runs.csv",
        "spaghetti.csv",
        "adoption.png",
        "rate.png",
        "regions.png",
    ] {
        assert!(help.contains(file), "{file} missing from run --help");
    }
}

/// Issue 14: `.ci/run` and `scripts/readme-images.sh` failed when CARGO_TARGET_DIR was set,
/// because they named target/release/surge; both ask cargo where it builds.
#[test]
fn scripts_ask_cargo_where_the_binary_is() {
    for script in [".ci/run", "scripts/readme-images.sh"] {
        let text = std::fs::read_to_string(script).unwrap();
        assert!(
            text.contains("cargo metadata"),
            "{script} does not ask cargo"
        );
        assert!(
            !text.contains("target/release/surge"),
            "{script} hard-codes target/release/surge"
        );
    }
}

/// Issue 11: an agent run too big for memory is refused before anything is allocated (with the
/// estimate), impossible sizes and agent options without the agent engine are refused, and
/// nothing is written.
#[test]
fn agent_runs_that_cannot_be_met_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--engine",
                "agents",
                "--agents",
                "100000000",
                "--mean-degree",
                "999",
            ],
            "GiB is available",
        ),
        (
            &["--engine", "agents", "--agents", "5"],
            "expected 10 to 100000000",
        ),
        (
            &[
                "--engine",
                "agents",
                "--agents",
                "100",
                "--mean-degree",
                "100",
            ],
            "expected fewer contacts than the 100 simulated users",
        ),
        (
            &["--engine", "agents", "--closure", "0.95"],
            "--closure: expected a number in [0, 0.9]",
        ),
        (&["--agents", "1000"], "apply to the agent engine only"),
    ];
    for (args, words) in cases {
        let assert = surge()
            .args(["run", "tests/fixtures/valid-small.toml", "--quiet", "--out"])
            .arg(&out)
            .args(*args)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote output");
    }
}

/// Issue 11: the agent engine through the real binary: outputs in real-population units, the
/// same files, and byte-identical on 1 and 2 threads.
#[test]
fn agent_runs_are_identical_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        surge()
            .args([
                "run",
                "tests/fixtures/valid-small.toml",
                "--quiet",
                "--runs",
                "6",
            ])
            .args([
                "--engine",
                "agents",
                "--agents",
                "5000",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (one, two) = (run("1"), run("2"));
    common::assert_same_results(&one, &two);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("summary.json")).unwrap()).unwrap();
    assert!(
        summary["engine"]
            .as_str()
            .unwrap()
            .starts_with("agents (5000 simulated users")
    );
    // 130 million users on 5,000 agents: counts come in multiples of about 26,000 users.
    let arrivals = summary["headline"][0]["mean"].as_f64().unwrap();
    assert!(arrivals > 26_000.0, "arrivals {arrivals}");
}

/// Issue 11: `surge check` asks of an agent scenario the memory question `surge run` asks.
#[test]
fn check_refuses_an_agent_scenario_beyond_memory() {
    let assert = surge()
        .args(["check", "tests/fixtures/bad-agents-beyond-memory.toml"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        err.contains("bad-agents-beyond-memory.toml: 100000000 simulated users")
            && err.contains("GiB is available"),
        "{err}"
    );
}

/// `--sampler hybrid` is recorded in summary.json; the exact sampler (the default) leaves the key
/// out, so results made before samplers existed read the same.
#[test]
fn the_sampler_is_recorded_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    for (sampler, recorded) in [("hybrid", Some("hybrid")), ("exact", None)] {
        let out = dir.path().join(sampler);
        surge()
            .args([
                "run",
                "scenarios/facebook-2021-10-04.toml",
                "--runs",
                "4",
                "--quiet",
            ])
            .args(["--sampler", sampler, "--out"])
            .arg(&out)
            .assert()
            .success();
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["sampler"].as_str(), recorded, "{sampler}");
    }
}

/// Issue 27: `surge check` on a FIFO waited forever for a writer; a path that is not a regular
/// file is refused at once.
#[test]
fn check_refuses_a_fifo_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    surge()
        .arg("check")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "is not a regular file (a FIFO, socket or device)",
        ));
    surge()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is a folder; expected a file"));
}

/// Issue 27: `--out /` and `--out .` were refused with "is a file, not a folder"; they say
/// what is wrong instead, and nothing is written.
#[test]
fn out_root_or_working_folder_says_what_is_wrong() {
    for (out, what) in [
        ("/", "is the root folder"),
        (".", "is the working folder itself"),
    ] {
        surge()
            .args([
                "run",
                "scenarios/facebook-2021-10-04.toml",
                "--runs",
                "2",
                "--quiet",
            ])
            .args(["--out", out])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!("--out {out} {what}")));
    }
}

/// Issue 27: `surge merge` has `--quiet`, and given the output folder instead of its parts it
/// names the folder it wants.
#[test]
fn merge_given_the_output_folder_names_the_parts_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    for shard in ["0/2", "1/2"] {
        surge()
            .args([
                "run",
                "scenarios/facebook-2021-10-04.toml",
                "--runs",
                "4",
                "--quiet",
            ])
            .args(["--shard", shard, "--out"])
            .arg(&out)
            .assert()
            .success();
    }
    let parts = dir.path().join("run.parts");
    surge()
        .arg("merge")
        .arg(&parts)
        .arg("--quiet")
        .assert()
        .success()
        .stdout(predicates::str::is_empty());
    surge()
        .arg("merge")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "is an output folder, not a folder of parts; surge merge wants the folder of parts (by default beside it: surge merge {}",
            parts.display()
        )));
}

/// Issue 27: the median of a cumulative count dipped in places (the quantile sketch rounds each
/// time point on its own); every quantile of every cumulative series now never goes down.
#[test]
fn cumulative_quantile_curves_never_go_down() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surge()
        .args([
            "run",
            "tests/fixtures/several-events.toml",
            "--runs",
            "20",
            "--quiet",
        ])
        .args(["--spaghetti", "0", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(out.join("timeseries.csv")).unwrap();
    let mut last: std::collections::BTreeMap<(String, String, String), Vec<f64>> =
        Default::default();
    let cumulative = [
        "registrations",
        "reactivations",
        "arrivals",
        "abandoned",
        "baseline",
        "retained",
    ];
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        if !cumulative.contains(&&row[4]) {
            continue;
        }
        let q: Vec<f64> = (6..11).map(|i| row[i].parse().unwrap()).collect();
        let key = (row[2].to_string(), row[3].to_string(), row[4].to_string());
        if let Some(before) = last.get(&key) {
            for (b, a) in before.iter().zip(&q) {
                assert!(a >= b, "{key:?} at {}: {a} after {b}", &row[0]);
            }
            checked += 1;
        }
        last.insert(key, q);
    }
    assert!(checked > 500, "{checked}");
}

/// Issue 27: completions and a man page generated from the clap definitions; the bash script
/// parses (`bash -n`) and names every subcommand and a late flag, the man page is roff.
#[test]
fn completions_and_man_page_come_from_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = surge().args(["completions", shell]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        for word in ["sweep", "sensitivity", "merge", "sampler"] {
            assert!(text.contains(word), "{shell}: no {word}");
        }
        if shell == "bash" {
            let script = dir.path().join("surge.bash");
            std::fs::write(&script, &text).unwrap();
            let ok = std::process::Command::new("bash")
                .arg("-n")
                .arg(&script)
                .status()
                .unwrap();
            assert!(ok.success(), "the bash completion script does not parse");
        }
    }
    let out = surge().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(page.contains(".TH surge 1"), "{page}");
    assert!(
        page.contains("sweep") && page.contains("completions"),
        "{page}"
    );
    // Every subcommand surge.1 lists has its own page with its flags.
    for (sub, flag) in [
        ("run", "fixed\\-parameters"),
        ("sweep", "vary"),
        ("fit", "particles"),
    ] {
        let out = surge().args(["man", sub]).assert().success();
        let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            page.contains(&format!(".TH surge-{sub} 1")),
            "{sub}: {page}"
        );
        assert!(page.contains(flag), "{sub}: no {flag}");
    }
    surge()
        .args(["man", "rn"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no subcommand `rn`"));
    surge()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

/// Issue 39: a scenario written outside the repository that names no parameters runs with the
/// fitted parameters shipped with surge; without them, the error says how to name a file.
#[test]
fn a_scenario_anywhere_uses_the_shipped_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = std::fs::read_to_string("tests/fixtures/valid-small.toml")
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("params"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("mine.toml"), text).unwrap();
    let out = dir.path().join("out");
    surge()
        .current_dir(dir.path())
        .args(["run", "mine.toml", "--runs", "3", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("params/fitted-posterior.csv");
    assert!(
        summary.contains(&shipped.display().to_string()),
        "not run with the shipped posterior"
    );
    surge()
        .current_dir(dir.path())
        .env("SURGE_PARAMS", dir.path().join("nowhere"))
        .args(["check", "mine.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("key `params`"))
        .stderr(predicates::str::contains(
            "add params = \"path/to/params.toml\"",
        ));
}
