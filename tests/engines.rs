//! The seam between engines and everything around them: the Monte Carlo driver, the summaries
//! and the report run any `Engine`. A deterministic mock engine (`engine::mock`) drives the
//! whole pipeline, and its `summary.json` is compared with a snapshot (as hyperfine tests its
//! benchmark pipeline with a mock executor); the cohort engine runs through the same builder.

mod common;

use std::path::Path;
use surge::engine::mock::MockEngine;
use surge::engine::{BuildEngine, Engine, HeadlineSpec, ParameterSource, run_monte_carlo_with};
use surge::model::Behaviour;
use surge::report::summary::ParametersInfo;
use surge::report::{Summary, tables::RunsFile, write_run};
use surge::scenario::EngineKind;
use surge::scenario::{Scenario, load_scenario};

fn scenario() -> Scenario {
    load_scenario(Path::new("tests/fixtures/valid-small.toml"), None).unwrap()
}

fn mock(s: &Scenario, _: &Behaviour) -> Box<dyn Engine> {
    Box::new(MockEngine::new(s))
}

/// Runs `engines` on the small fixture (12 runs, seed 3) on `threads` threads and returns the
/// folder holding summary.json, timeseries.csv and runs.csv.
fn run(engines: &dyn BuildEngine, threads: usize, dir: &Path) {
    let s = scenario();
    let specs = HeadlineSpec::for_scenario(&s);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut runs_file = RunsFile::create(dir, &specs).unwrap();
    let parameters = ParameterSource::Fixed(s.behaviour.clone());
    let mc = pool
        .install(|| {
            run_monte_carlo_with(engines, &s, &parameters, 12, 3, 2, &mut runs_file, &|| {})
        })
        .unwrap();
    let info = ParametersInfo {
        kind: "fixed".into(),
        file: s.params_file.display().to_string(),
        values: Some(s.behaviour.clone()),
        sha256: None,
    };
    let summary = Summary::new(&s, &mc, 3, info);
    write_run(dir, &summary, &mc, runs_file, &s.timeline, 2).unwrap();
}

#[test]
fn mock_engine_summary_matches_its_snapshot_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&two).unwrap();
    run(&mock, 1, &one);
    run(&mock, 2, &two);
    common::assert_same_results(&one, &two);
    let got = std::fs::read_to_string(one.join("summary.json")).unwrap();
    let golden = Path::new("tests/golden/mock-engine-summary.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(golden).expect("golden file (UPDATE_GOLDEN=1 to create)");
    assert_eq!(
        got, want,
        "summary.json differs from the mock engine's snapshot"
    );
    // The mock's figures are known exactly: after the event each step registers scale x (r + 1)
    // new accounts per region at app 0, so 24 h of 10-minute steps over two regions register
    // 144 x 3 x scale, with scale in 1..=4; the runs' extremes must be among those values.
    let summary: serde_json::Value = serde_json::from_str(&got).unwrap();
    assert_eq!(summary["engine"], "custom");
    let rows = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    let header: Vec<&str> = rows.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|c| c.ends_with("registrations_24h"))
        .expect("a registrations_24h column");
    for line in rows.lines().skip(1) {
        let v: f64 = line.split(',').nth(col).unwrap().parse().unwrap();
        let scale = v / (144.0 * 3.0);
        assert!(
            scale.fract() == 0.0 && (1.0..=4.0).contains(&scale),
            "registrations_24h {v} is not 432 x scale"
        );
    }
}

#[test]
fn the_cohort_engine_runs_through_the_same_builder() {
    let dir = tempfile::tempdir().unwrap();
    run(&EngineKind::Cohort, 2, dir.path());
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["engine"], "cohort (chain-binomial)");
    assert_eq!(summary["runs"], 12);
}
