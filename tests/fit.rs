//! Calibration: a known-answer test (fit figures made from known parameters and get them back),
//! and determinism of `surge fit` across thread counts.

mod common;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use std::path::Path;
use surge::calibrate::abc::Silent;
use surge::calibrate::{AbcSettings, EventSet, fit, load_observations, load_priors};
use surge::scenario::load_params;

#[test]
fn fit_recovers_known_parameters() {
    let base = load_params(Path::new("params/default.toml")).unwrap();
    let priors = load_priors(Path::new("tests/fixtures/priors-small.toml"), &base).unwrap();
    let mut set = load_observations(Path::new("tests/fixtures/observations-small.toml")).unwrap();
    // The truth: values unlike the defaults, inside the priors.
    let mut truth = base.clone();
    truth.set("looking.innovation_per_hour", 0.002);
    truth.set("looking.dormant_boost", 25.0);
    let events = EventSet::new(&set, None).unwrap();
    let made = events.predict(&truth, 77, 0).values;
    for (o, v) in set.observations.iter_mut().zip(&made) {
        (o.low, o.high) = (v * 0.97, v * 1.03);
    }
    let events = EventSet::new(&set, None).unwrap();
    let settings = AbcSettings {
        particles: 150,
        max_generations: 8,
        max_simulations: 20_000,
        seed: 3,
        ..AbcSettings::default()
    };
    let posterior = fit(&events, &priors, &base, &settings, &Silent);
    for (k, name) in posterior.names.iter().enumerate() {
        let (lo, hi) = (posterior.quantile(k, 0.05), posterior.quantile(k, 0.95));
        let t = truth.get(name).unwrap();
        assert!(
            lo <= t && t <= hi,
            "{name}: truth {t} outside 90% interval [{lo}, {hi}]"
        );
        // The data must inform the fit: the interval spans less than a third of the prior's decades.
        let prior = &priors.priors[k];
        let share = (hi / lo).log10() / (prior.high / prior.low).log10();
        assert!(
            share < 0.34,
            "{name}: 90% interval [{lo}, {hi}] covers {share:.2} of the prior"
        );
    }
}

fn fit_into(dir: &Path, threads: &str) {
    Command::cargo_bin("surge")
        .unwrap()
        .args([
            "fit",
            "--observations",
            "tests/fixtures/observations-small.toml",
            "--priors",
            "tests/fixtures/priors-small.toml",
            "--particles",
            "40",
            "--generations",
            "3",
            "--draws",
            "20",
            "--quiet",
            "--threads",
            threads,
            "--out",
        ])
        .arg(dir)
        .arg("--fitted")
        .arg(dir.join("fitted.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains("stopped:"))
        // --generations 3 counts generations after the prior (it once said "after 4").
        .stdout(predicates::str::is_match(r"after [0-3] generations beyond the prior").unwrap())
        // Parameters in plain notation ("43.8", "0.000379"), never "4.3778e1".
        .stdout(predicates::str::is_match(r"\d\.?\d*e-?\d").unwrap().not());
}

#[test]
fn fit_is_identical_on_any_thread_count_and_writes_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    fit_into(&one, "1");
    fit_into(&two, "2");
    for file in ["posterior.csv", "fit.json", "fitted.toml", "timelines.json"] {
        assert_eq!(
            std::fs::read(one.join(file)).unwrap(),
            std::fs::read(two.join(file)).unwrap(),
            "{file}"
        );
    }
    for file in [
        "posterior.png",
        "posterior.svg",
        "observed_vs_predicted.png",
        "observed_vs_predicted.svg",
        "timeline-valid-small.png",
        "timeline-valid-small.svg",
        "timeline-valid-small-long.png",
    ] {
        assert!(one.join(file).is_file(), "{file}");
    }
    // Every event's timeline: a curve per counted figure, with as many points as output intervals.
    let timelines: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("timelines.json")).unwrap()).unwrap();
    let events = timelines.as_array().unwrap();
    assert_eq!(events.len(), 2);
    for e in events {
        let hours = e["hours"].as_array().unwrap().len();
        assert!(hours > 10);
        for c in e["curves"].as_array().unwrap() {
            assert_eq!(c["p50"].as_array().unwrap().len(), hours);
        }
        assert!(!e["figures"].as_array().unwrap().is_empty());
    }
    let fitted = std::fs::read_to_string(one.join("fitted.toml")).unwrap();
    assert!(fitted.contains("# fitted: median"), "{fitted}");
    for comment in fitted.lines().filter(|l| l.starts_with("# fitted:")) {
        assert!(
            !comment.contains("e-") && !comment.contains("e1"),
            "{comment}"
        );
    }
    surge::scenario::load_params(&one.join("fitted.toml"))
        .expect("fitted.toml is a valid parameter file");
    // A run can draw its parameters from the posterior.
    let out = dir.path().join("posterior-run");
    Command::cargo_bin("surge")
        .unwrap()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--runs",
            "10",
            "--quiet",
            "--posterior",
        ])
        .arg(one.join("posterior.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(
        summary.contains("\"kind\": \"posterior\"") && summary.contains("parameter uncertainty")
    );
}

#[test]
fn validate_and_hold_out_need_another_event_to_fit() {
    let dir = tempfile::tempdir().unwrap();
    let markdown = dir.path().join("validation.md");
    let small = [
        "--observations",
        "tests/fixtures/observations-one-event.toml",
        "--quiet",
    ];
    Command::cargo_bin("surge")
        .unwrap()
        .arg("validate")
        .args(small)
        .arg("--markdown")
        .arg(&markdown)
        .arg("--out")
        .arg(dir.path().join("validate"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "needs observations of at least two events",
        ));
    Command::cargo_bin("surge")
        .unwrap()
        .args(["fit", "--hold-out", "valid-small", "--out"])
        .arg(dir.path())
        .args(small)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nothing is left to fit"));
}

#[test]
fn validate_writes_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("validation.md");
    Command::cargo_bin("surge")
        .unwrap()
        .args([
            "validate",
            "--observations",
            "tests/fixtures/observations-small.toml",
            "--priors",
            "tests/fixtures/priors-small.toml",
            "--particles",
            "20",
            "--generations",
            "1",
            "--draws",
            "10",
            "--quiet",
            // A catalogue of figures never fitted (here: of a fitted event, for speed).
            "--catalogue",
            "tests/fixtures/observations-one-event.toml",
            "--markdown",
        ])
        .arg(&md)
        // Timeline plots go to the temporary folder too: tests never write into the repo.
        .arg("--out")
        .arg(dir.path().join("validate"))
        .assert()
        .success();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| role | event | figure | shape | observed |"),
        "{text}"
    );
    for role in [
        "| fitted | valid-small |",
        "| left out | valid-small |",
        "| out of fit | valid-small |",
    ] {
        assert!(text.contains(role), "no `{role}` row in {text}");
    }
    assert!(text.contains("- out of fit: 3 figures;"), "{text}");
    assert!(text.contains("- every event: "), "{text}");
    let plot = dir.path().join("validate/validation.png");
    assert!(
        std::fs::metadata(&plot).is_ok_and(|m| m.len() > 10_000),
        "no plot at {plot:?}"
    );
}

#[test]
fn an_observation_of_a_missing_app_is_refused_with_file_and_line_before_any_fit() {
    for command in [&["fit"][..], &["validate", "--no-catalogue"][..]] {
        Command::cargo_bin("surge")
            .unwrap()
            .args(command)
            .args([
                "--observations",
                "tests/fixtures/observations-bad-app.toml",
                "--quiet",
                "--out",
            ])
            .arg(tempfile::tempdir().unwrap().path())
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "tests/fixtures/observations-bad-app.toml:5: observation `telegram-registrations-24h`",
            ))
            .stderr(predicates::str::contains("has no app `telegrm`"));
    }
}

#[test]
fn validate_refuses_a_missing_catalogue_with_its_name() {
    Command::cargo_bin("surge")
        .unwrap()
        .args([
            "validate",
            "--observations",
            "tests/fixtures/observations-small.toml",
            "--catalogue",
            "tests/fixtures/no-such-catalogue.toml",
            "--quiet",
            "--out",
        ])
        .arg(tempfile::tempdir().unwrap().path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-such-catalogue.toml"));
}

#[test]
fn hold_out_of_an_unknown_event_is_a_clear_error() {
    Command::cargo_bin("surge")
        .unwrap()
        .args(["fit", "--hold-out", "no-such-event", "--quiet", "--out"])
        .arg(tempfile::tempdir().unwrap().path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--hold-out no-such-event: no observation is of that event",
        ));
}

#[test]
fn too_few_predictive_draws_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("surge")
        .unwrap()
        .args(["fit", "--draws", "0", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--draws must be at least 2"));
    assert!(!dir.path().join("out").exists());
}

/// Issue 14: `surge fit --hold-out` overwrote output/fit/posterior.csv, so a later `--posterior`
/// run silently used the hold-out posterior; and `surge fit` overwrote the tracked
/// params/fitted.toml. Now a hold-out fit writes output/fit-holdout-<EVENT>/ and a full fit
/// output/fit/, and neither touches params/ (run in a copy of the inputs).
#[test]
fn fits_write_apart_and_leave_shipped_parameters_alone() {
    let root = tempfile::tempdir().unwrap();
    common::copy_folders(root.path(), &["tests/fixtures", "params"]);
    let shipped = std::fs::read(root.path().join("params/fitted.toml")).unwrap();
    let fit = |extra: &[&str]| {
        Command::cargo_bin("surge")
            .unwrap()
            .current_dir(root.path())
            .args([
                "fit",
                "--observations",
                "tests/fixtures/observations-small.toml",
            ])
            .args([
                "--priors",
                "tests/fixtures/priors-small.toml",
                "--particles",
                "20",
            ])
            .args(["--generations", "1", "--draws", "5", "--quiet"])
            .args(extra)
            .assert()
            .success();
    };
    fit(&[]);
    let full = std::fs::read(root.path().join("output/fit/posterior.csv")).unwrap();
    assert!(root.path().join("output/fit/fitted.toml").is_file());
    fit(&["--hold-out", "valid-small-long"]);
    assert!(
        root.path()
            .join("output/fit-holdout-valid-small-long/posterior.csv")
            .is_file()
    );
    assert_eq!(
        std::fs::read(root.path().join("output/fit/posterior.csv")).unwrap(),
        full,
        "the hold-out fit overwrote the full fit's posterior"
    );
    assert_eq!(
        std::fs::read(root.path().join("params/fitted.toml")).unwrap(),
        shipped,
        "a fit changed the shipped parameters without --write-params"
    );
}

/// An observations file with a bad ratio, or with nothing left to fit, is refused with the
/// file, the key and the line, before any simulation.
#[test]
fn a_ratio_without_its_window_and_a_file_with_nothing_to_fit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let event = std::fs::canonicalize("tests/fixtures/valid-small.toml").unwrap();
    let figure = |extra: &str| {
        format!(
            "[[observation]]\nid = \"x\"\nevent = {:?}\napp = \"telegram\"\ncounts = \"arrivals\"\nwindow_start_hours = [0, 0]\nwindow_hours = 24\n{extra}\nlow = 1.0\nhigh = 2.0\nstatement = \"synthetic\"\nsource = \"tests/fit.rs\"\n",
            event.display().to_string()
        )
    };
    let refused = |name: &str, text: String, expected: &[&str]| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = dir.path().join(format!("{name}.out"));
        let assert = Command::cargo_bin("surge")
            .unwrap()
            .args(["fit", "--quiet", "--observations"])
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        for e in expected {
            assert!(stderr.contains(e), "{name}: {e:?} not in {stderr}");
        }
        assert!(!out.exists(), "{name}: wrote output");
    };
    refused(
        "ratio.toml",
        figure("kind = \"ratio\""),
        &["ratio.toml", "observation[0].kind", "then_hours"],
    );
    refused(
        "then.toml",
        figure("kind = \"about\"\nthen_hours = 48"),
        &["then.toml", "observation[0].kind", "only a ratio"],
    );
    refused(
        "unfitted.toml",
        figure("kind = \"about\"\nfitted = false"),
        &["unfitted.toml", "nothing is left to fit"],
    );
}

#[test]
fn fit_outside_the_checkout_reads_the_shipped_figures_and_priors() {
    // From a folder with no data/ or params/, the defaults are the files shipped with surge: the
    // shipped observations are read (the hold-out is checked against their events), where the
    // working folder's data/observations.toml used to be required.
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("surge")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "fit",
            "--hold-out",
            "no-such-event",
            "--quiet",
            "--out",
            "x",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--hold-out no-such-event: no observation is of that event",
        ))
        .stderr(predicates::str::contains("does not exist").not());
    assert!(!dir.path().join("x").exists());
}

#[test]
fn an_observation_counting_what_the_model_does_not_output_is_refused_with_file_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/observations-small.toml")
        .unwrap()
        .replacen("counts = \"registrations\"", "counts = \"installs\"", 1);
    let file = dir.path().join("obs.toml");
    std::fs::write(&file, text).unwrap();
    Command::cargo_bin("surge")
        .unwrap()
        .args(["fit", "--quiet", "--observations"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "obs.toml:7:1: key `observation[0].counts`",
        ))
        .stderr(predicates::str::contains(
            "expected registrations, arrivals, downloads or attempts",
        ));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_catalogue_figure_without_a_source_is_refused_by_validate() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("data/out-of-fit.toml")).unwrap();
    // The first figure's source emptied (a missing key is refused by the parser as well).
    let at = text.find("\nsource = ").expect("a source key");
    let end = at + 1 + text[at + 1..].find('\n').unwrap();
    let bad = format!("{}\nsource = \"\"{}", &text[..at], &text[end..]);
    // In a copy of the checkout's data and scenarios, whose paths the figures name relatively.
    common::copy_folders(dir.path(), &["data", "scenarios"]);
    let file = dir.path().join("data").join("no-source.toml");
    std::fs::write(&file, bad).unwrap();
    let out = Command::cargo_bin("surge")
        .unwrap()
        .args(["validate", "--quiet", "--catalogue"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--markdown")
        .arg(dir.path().join("v.md"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-source.toml:"), "{stderr}");
    assert!(stderr.contains("source"), "{stderr}");
    assert!(stderr.contains("every figure needs its source"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}
