//! `surge nowcast`: conditioning on counts made by the model itself from known parameters (a
//! synthetic truth) narrows the forecast and keeps the truth inside it; the observed-counts file
//! is refused, with file, line and column, before any work; outputs do not depend on threads.

mod common;

use assert_cmd::Command;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;
use surge::calibrate::load_priors;
use surge::calibrate::nowcast::{FitPosterior, NowcastSettings, condition};
use surge::calibrate::observed::parse_observed;
use surge::calibrate::report::read_posterior;
use surge::engine::RunStreams;
use surge::model::Behaviour;
use surge::scenario::{Scenario, load_params, load_scenario};

/// Telegram's registrations (every region and organic) at the end of every step.
fn registrations(s: &Scenario, b: &Behaviour, streams: &RunStreams) -> Vec<f64> {
    let app = s.apps.iter().position(|a| a.name == "telegram").unwrap();
    surge::calibrate::nowcast_check::registrations(&s.engine, s, b, streams, app)
}

/// Median and 90% interval.
fn band(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (q(0.05), q(0.5), q(0.95))
}

/// Five synthetic events drawn from the nowcast's own prior (the fit's smoothed posterior),
/// each observed as a counter read every 15 minutes for 3 hours after the outage starts.
/// Conditioning must keep each truth's 24-hour registrations inside the conditioned 90% band
/// (allowing two misses of five: each misses with probability 0.1 if calibrated, so a
/// calibrated nowcast fails this 0.9% of the time) and make the band clearly narrower than the
/// unconditioned one: the median ratio of widths at most 0.75. Issue 38's target (at most 0.6)
/// is a median over 200 events, which `surge nowcast --evaluate` measures (docs/nowcast.md:
/// 0.47 under session 28's fit); five truths' median spreads too widely to hold it to that
/// line (session 28's five gave 0.36-1.00, median 0.61; nine gave median 0.69), so this test
/// checks the direction with room, and the evaluation checks the target. Five, not three (until
/// issue 37's session 21): a truth in the prior's tail is conditioned into a band wider in
/// users than the prior's, and one such in three decided the average; the median, not the
/// mean, from session 28, for the same reason.
#[test]
fn a_synthetic_event_observed_for_three_hours_is_forecast_tighter_and_inside_the_band() {
    let scenario = load_scenario(Path::new("scenarios/facebook-2021-10-04.toml"), None).unwrap();
    let (samples, weights) = read_posterior(
        Path::new("params/fitted-posterior.csv"),
        &scenario.behaviour,
    )
    .unwrap();
    let priors = load_priors(Path::new("params/priors.toml"), &scenario.behaviour).unwrap();
    let prior = FitPosterior::new(priors, scenario.behaviour.clone(), &samples, &weights).unwrap();
    let t = &scenario.timeline;
    let per_hour = (1.0 / t.step_hours).round() as usize;
    let start = t.event_step;
    let day = start + 24 * per_hour;
    let n = 200;
    let mut inside = 0;
    let mut ratios = Vec::new();
    for truth_index in 0..5u64 {
        let u = prior.draw(&mut Xoshiro256PlusPlus::seed_from_u64(100 + truth_index));
        let truth = registrations(
            &scenario,
            &prior.behaviour(&u),
            &RunStreams::new(4242, truth_index),
        );
        let mut csv = String::from("app,region,metric,since_utc,time_utc,value\n");
        for k in 1..=12 {
            let step = start + k * per_hour / 4;
            csv.push_str(&format!(
                "telegram,all,registrations,{},{},{}\n",
                t.time_at(start).to_rfc3339(),
                t.time_at(step).to_rfc3339(),
                truth[step] - truth[start]
            ));
        }
        let set = parse_observed(Path::new("synthetic.csv"), &csv, &scenario).unwrap();
        let settings = NowcastSettings {
            particles: n,
            seed: 7 + truth_index,
            ..NowcastSettings::default()
        };
        let nowcast = condition(&scenario.engine, &scenario, &set, &prior, &settings).unwrap();
        assert!(nowcast.warning.is_none(), "{:?}", nowcast.warning);
        let conditioned: Vec<f64> = (0..n)
            .map(|i| {
                let streams =
                    nowcast.streams[i].then(RunStreams::new(99, i as u64), nowcast.cut_step);
                let r = registrations(&scenario, &nowcast.samples[i], &streams);
                r[day] - r[start]
            })
            .collect();
        let unconditioned: Vec<f64> = (0..n)
            .map(|i| {
                let u = prior.draw(&mut Xoshiro256PlusPlus::seed_from_u64(10_000 + i as u64));
                let r = registrations(
                    &scenario,
                    &prior.behaviour(&u),
                    &RunStreams::new(98, i as u64),
                );
                r[day] - r[start]
            })
            .collect();
        let (lo, _, hi) = band(conditioned);
        let (ulo, _, uhi) = band(unconditioned);
        let truth_day = truth[day] - truth[start];
        if lo <= truth_day && truth_day <= hi {
            inside += 1;
        }
        ratios.push((hi - lo) / (uhi - ulo));
    }
    eprintln!("inside {inside} of 5; width ratios {ratios:?}");
    assert!(
        inside >= 3,
        "truth inside the conditioned 90% band {inside} of 5 times"
    );
    let (_, median_ratio, _) = band(ratios.clone());
    assert!(
        median_ratio <= 0.75,
        "conditioned band widths over unconditioned: {ratios:?}"
    );
}

/// Runs `surge nowcast` on the shipped Brazil scenario with `observed` and `extra` arguments,
/// which must be refused (exit 2, no panic, no output folder at `out`); gives its message.
fn refused_nowcast(what: &str, observed: &Path, extra: &[&std::ffi::OsStr], out: &Path) -> String {
    let assert = Command::cargo_bin("surge")
        .unwrap()
        .args([
            "nowcast",
            "scenarios/brazil-block-2015-12.toml",
            "--observed",
        ])
        .arg(observed)
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(!out.exists(), "{what}: an output folder was written");
    stderr
}

const HEADER: &str = "app,region,metric,since_utc,time_utc,value,low,high\n";
const SINCE: &str = "2015-12-16T21:00:00Z";

/// Each bad file is refused with exit 2, its path, line and column and the column's name, and
/// leaves no output folder.
#[test]
fn bad_observed_files_are_refused_before_any_work() {
    let row = |app: &str,
               region: &str,
               metric: &str,
               since: &str,
               time: &str,
               value: &str,
               low: &str,
               high: &str| {
        format!("{app},{region},{metric},{since},{time},{value},{low},{high}\n")
    };
    let good_time = "2015-12-17T00:00:00Z";
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "unknown app",
            row(
                "telegarm",
                "all",
                "registrations",
                SINCE,
                good_time,
                "5",
                "",
                "",
            ),
            "2:1",
            "did you mean `telegram`",
        ),
        (
            "unknown region",
            row(
                "telegram",
                "brasil",
                "registrations",
                SINCE,
                good_time,
                "5",
                "",
                "",
            ),
            "2:10",
            "unknown region",
        ),
        (
            "unknown metric",
            row("telegram", "all", "signups", SINCE, good_time, "5", "", ""),
            "2:14",
            "unknown metric",
        ),
        (
            "time before since",
            row(
                "telegram",
                "all",
                "registrations",
                SINCE,
                "2015-12-16T20:30:00Z",
                "5",
                "",
                "",
            ),
            "2:49",
            "is not after since_utc",
        ),
        (
            "after the horizon",
            row(
                "telegram",
                "all",
                "registrations",
                SINCE,
                "2015-12-19T00:00:00Z",
                "5",
                "",
                "",
            ),
            "2:49",
            "after the simulated time",
        ),
        (
            "before the start",
            row(
                "telegram",
                "all",
                "registrations",
                "2015-12-16T10:00:00Z",
                good_time,
                "5",
                "",
                "",
            ),
            "2:28",
            "before the simulated time",
        ),
        (
            "negative",
            row(
                "telegram",
                "all",
                "registrations",
                SINCE,
                good_time,
                "-5",
                "",
                "",
            ),
            "2:70",
            "0 or more",
        ),
        (
            "low above high",
            row(
                "telegram",
                "all",
                "registrations",
                SINCE,
                good_time,
                "5",
                "9",
                "4",
            ),
            "2:72",
            "above high",
        ),
        (
            "decreasing counter",
            row(
                "telegram",
                "all",
                "registrations",
                SINCE,
                "2015-12-16T22:00:00Z",
                "500",
                "",
                "",
            ) + &row(
                "telegram",
                "all",
                "registrations",
                SINCE,
                good_time,
                "400",
                "",
                "",
            ),
            "3:70",
            "cumulative counts cannot decrease",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    // Writes `text` as the observed file, runs a nowcast that must be refused (exit 2, no
    // panic, no output folder) and gives its message.
    let refused = |what: &str, text: &str| -> String {
        let file = dir.path().join("observed.csv");
        std::fs::write(&file, text).unwrap();
        refused_nowcast(what, &file, &[], &dir.path().join("out"))
    };
    for (what, rows, at, message) in cases {
        let stderr = refused(what, &format!("{HEADER}{rows}"));
        assert!(
            stderr.contains(&format!("observed.csv:{at}:")) && stderr.contains(message),
            "{what}: {stderr}"
        );
    }
    for (what, text) in [("empty", ""), ("header only", HEADER)] {
        let stderr = refused(what, text);
        assert!(
            stderr.contains("observed.csv:")
                && (stderr.contains("no rows") || stderr.contains("empty")),
            "{what}: {stderr}"
        );
    }
}

/// A posterior fitted with other priors (here one whose `buzz_gain` lies below the prior given)
/// is refused before any work, naming the sample and the parameter; it once made the nowcast
/// redraw forever, since no draw could fall inside the priors.
#[test]
fn a_posterior_outside_the_priors_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let priors = dir.path().join("priors.toml");
    std::fs::write(
        &priors,
        "[looking.buzz_gain]\ndistribution = \"log_uniform\"\nlow = 1.0\nhigh = 2.0\n",
    )
    .unwrap();
    let stderr = refused_nowcast(
        "a posterior outside the priors",
        Path::new("data/nowcast-brazil-2015-12-3h.csv"),
        &["--priors".as_ref(), priors.as_os_str()],
        &dir.path().join("out"),
    );
    assert!(
        stderr.contains("sample 1 of the fit's posterior has looking.buzz_gain")
            && stderr.contains("outside its prior [1, 2]"),
        "{stderr}"
    );
}

/// The shipped example: the same seed gives byte-identical files on 1 and 2 threads, and
/// nowcast.json says what conditioning did.
#[test]
fn the_shipped_nowcast_is_the_same_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        Command::cargo_bin("surge")
            .unwrap()
            .args([
                "nowcast",
                "scenarios/brazil-block-2015-12.toml",
                "--observed",
                "data/nowcast-brazil-2015-12-3h.csv",
                "--runs",
                "60",
                "--particles",
                "60",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir.path().join(threads))
            .assert()
            .success();
    }
    common::assert_same_results(&dir.path().join("1"), &dir.path().join("2"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("1/nowcast.json")).unwrap()).unwrap();
    assert_eq!(json["particles"], 60);
    assert!(json["effective_sample_size"].as_f64().unwrap() > 1.0);
    assert_eq!(json["rows"].as_array().unwrap().len(), 1);
    // One per fitted parameter.
    let priors = load_priors(
        Path::new("params/priors.toml"),
        &load_params(Path::new("params/default.toml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["parameters"].as_array().unwrap().len(),
        priors.priors.len()
    );
    assert!(json["warning"].is_null());
}
