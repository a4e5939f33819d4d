//! `surge sweep`, `surge sensitivity`, shards and `surge merge`, `surge slurm`: the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const SCENARIO: &str = "scenarios/facebook-2021-10-04.toml";
const DURATION: &str = "event.duration_hours=2:10:3";
const CAPACITY: &str = "apps.telegram.capacity_by_region.us_canada=10:1000:2:log";

fn surge() -> Command {
    let mut c = Command::cargo_bin("surge").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Every file of two folders, byte for byte (the same names, the same bytes).
fn assert_same_folders(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut n: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(a), names(b));
    for name in names(a) {
        assert!(
            std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap(),
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn sweep(out: &Path, extra: &[&str]) -> Command {
    let mut c = surge();
    c.args(["sweep", SCENARIO, "--vary", DURATION, "--vary", CAPACITY])
        .args([
            "--runs", "8", "--quiet", "--width", "600", "--height", "400",
        ])
        .arg("--out")
        .arg(out)
        .args(extra);
    c
}

/// Runs the test sweep as `shards` shards into the part folder `parts`.
fn sweep_in_shards(out: &Path, parts: &Path, shards: usize) {
    for i in 0..shards {
        sweep(out, &["--shard", &format!("{i}/{shards}")])
            .arg("--parts")
            .arg(parts)
            .assert()
            .success();
    }
}

#[test]
fn a_two_key_sweep_writes_its_table_and_plots_identically_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    sweep(&one, &["--threads", "1"]).assert().success();
    sweep(&two, &["--threads", "2"]).assert().success();
    assert_same_folders(&one, &two);
    let csv = std::fs::read_to_string(one.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    // A header and 3 x 2 points, first key slowest.
    assert_eq!(lines.len(), 7, "{csv}");
    assert!(lines[0].starts_with(
        "point,event.duration_hours,apps.telegram.capacity_by_region.us_canada,telegram.arrivals_24h.mean,"
    ));
    assert!(
        lines[1].starts_with("0,2,10,") && lines[2].starts_with("1,2,1000,"),
        "{csv}"
    );
    assert!(lines[6].starts_with("5,10,1000,"), "{csv}");
    for plot in [
        "sweep.png",
        "sweep.svg",
        "sweep-heatmap.png",
        "sweep-heatmap.svg",
    ] {
        assert!(one.join(plot).is_file(), "{plot}");
    }
    // The parts folder of an unsharded sweep is gone once the results are in place.
    assert!(!dir.path().join("one.parts").exists());
    // Longer outages bring more arrivals (the same run seeds at every point).
    let mean = |line: &str| line.split(',').nth(3).unwrap().parse::<f64>().unwrap();
    assert!(mean(lines[1]) < mean(lines[3]) && mean(lines[3]) < mean(lines[5]));
}

#[test]
fn shards_merge_into_exactly_the_unsharded_sweep_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    sweep(&whole, &[]).assert().success();
    let parts = dir.path().join("parts");
    sweep_in_shards(&dir.path().join("unused"), &parts, 3);
    let merged = dir.path().join("merged");
    surge()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_same_folders(&whole, &merged);

    // `surge run`: 4 shards of 50 runs, one of them empty-handed of single runs.
    let run = |out: &Path, extra: &[&str]| {
        let mut c = surge();
        c.args([
            "run", SCENARIO, "--runs", "50", "--quiet", "--width", "600", "--height", "400",
        ])
        .arg("--out")
        .arg(out)
        .args(extra);
        c.assert().success();
    };
    let full = dir.path().join("run");
    run(&full, &[]);
    for i in 0..4 {
        run(
            &full.with_extension("sharded"),
            &["--shard", &format!("{i}/4"), "--threads", "1"],
        );
    }
    let run_parts = dir.path().join("run.sharded.parts");
    surge()
        .arg("merge")
        .arg(&run_parts)
        .assert()
        .success()
        .stdout(predicate::str::contains("merged 4 shards of `surge run`"));
    assert_same_folders(&full, &full.with_extension("sharded"));
}

#[test]
fn merge_refuses_missing_duplicate_and_mismatched_parts() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    let shard = |i: u64, n: u64, extra: &[&str]| {
        sweep(&dir.path().join("out"), &["--shard", &format!("{i}/{n}")])
            .arg("--parts")
            .arg(&parts)
            .args(extra)
            .assert()
            .success();
    };
    shard(0, 3, &[]);
    shard(2, 3, &[]);
    let merge = || {
        let mut c = surge();
        c.arg("merge").arg(&parts);
        c
    };
    merge()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shard 1 of 3 is missing"));
    assert!(!dir.path().join("out").exists(), "nothing written");
    shard(1, 3, &[]);
    // A copy of a part under another name.
    let copy = parts.join("shard-1-of-3-copy");
    std::fs::create_dir(&copy).unwrap();
    for f in ["manifest.json", "points.jsonl"] {
        std::fs::copy(parts.join("shard-1-of-3").join(f), copy.join(f)).unwrap();
    }
    merge()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shard 1 appears twice"));
    std::fs::remove_dir_all(&copy).unwrap();
    // A part of another seed.
    std::fs::remove_dir_all(parts.join("shard-2-of-3")).unwrap();
    shard(2, 3, &["--seed", "7"]);
    merge()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the seed differs"));
    // The same shard of other work is refused where it would be written, unless --force.
    sweep(&dir.path().join("out"), &["--shard", "2/3"])
        .arg("--parts")
        .arg(&parts)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds another piece of work"));
    shard(2, 3, &["--force"]);
    merge().assert().success();
    assert!(dir.path().join("out/sweep.csv").is_file());
}

/// A sweep killed part-way leaves its finished points in the part's journal (the last line
/// perhaps cut short); the same command then skips them and ends with the uninterrupted result.
#[test]
fn an_interrupted_sweep_resumes_and_ends_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    sweep(&whole, &[]).assert().success();
    // The journal and manifest an interrupted unsharded sweep leaves: made from a 2-shard run
    // of the same sweep (parts differ from the unsharded part only in their share).
    let made = dir.path().join("made");
    sweep(&dir.path().join("x"), &["--shard", "0/2"])
        .arg("--parts")
        .arg(&made)
        .assert()
        .success();
    let part = made.join("shard-0-of-2");
    let journal = std::fs::read_to_string(part.join("points.jsonl")).unwrap();
    let lines: Vec<&str> = journal.lines().collect();
    assert_eq!(lines.len(), 3);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(part.join("manifest.json")).unwrap()).unwrap();
    manifest["shard"] = serde_json::json!({"index": 0, "count": 1});
    manifest["start"] = 0.into();
    manifest["end"] = 6.into();
    manifest["complete"] = false.into();
    let resumed = dir.path().join("resumed");
    let interrupted = dir.path().join("resumed.parts/shard-0-of-1");
    std::fs::create_dir_all(&interrupted).unwrap();
    std::fs::write(interrupted.join("manifest.json"), manifest.to_string()).unwrap();
    // Two whole points and half of a third.
    let text = format!(
        "{}\n{}\n{}",
        lines[0],
        lines[1],
        &lines[2][..lines[2].len() / 2]
    );
    std::fs::write(interrupted.join("points.jsonl"), text).unwrap();
    sweep(&resumed, &[]).assert().success();
    assert_same_folders(&whole, &resumed);

    // The points found are not run again: a doctored one is kept as it was.
    std::fs::create_dir_all(&interrupted).unwrap();
    std::fs::write(interrupted.join("manifest.json"), manifest.to_string()).unwrap();
    let mut point: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    point["figures"][0]["mean"] = 123456789.0.into();
    std::fs::write(interrupted.join("points.jsonl"), format!("{point}\n")).unwrap();
    sweep(&resumed, &["--force"]).assert().success();
    let csv = std::fs::read_to_string(resumed.join("sweep.csv")).unwrap();
    // Journal lines are in the order points finished: find the doctored point's row.
    let index = point["point"].as_u64().unwrap() as usize;
    let row = csv.lines().nth(1 + index).unwrap();
    assert_eq!(row.split(',').nth(3), Some("123456789.0"), "{row}");
}

#[test]
fn bad_sweeps_are_refused_before_any_run_with_the_key_and_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let refuse = |vary: &str, extra: &[&str], says: &str| {
        surge()
            .args(["sweep", SCENARIO, "--vary", vary, "--runs", "5", "--quiet"])
            .arg("--out")
            .arg(&out)
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
        assert!(!out.exists() && !dir.path().join("out.parts").exists());
    };
    refuse(
        "apps.telegram.retention_30d=0.5:1.5:3",
        &[],
        "expected a share in [0, 1], found 1.5",
    );
    refuse("apps.telegram.capacty=1:2:3", &[], "unknown key `capacty`");
    refuse(
        "apps.telegrm.retention_30d=0.1:0.5:3",
        &[],
        "no apps named \"telegrm\"; expected one of telegram, signal, twitter",
    );
    refuse(
        "event.duration_hours=1:2:0",
        &[],
        "the design has no points",
    );
    refuse(
        "event.duration_hours=1:2",
        &["--design", "lhs"],
        "--design lhs needs --samples N",
    );
    refuse(
        "looking.dormant_boost=-1:2:3",
        &[],
        "key `looking.dormant_boost`: expected a number > 0",
    );
    refuse("looking.nope=1:2:3", &[], "not a behavioural parameter");
    refuse(
        "event.kind=1:2:3",
        &[],
        "expected a key that holds a number",
    );
}

#[test]
fn latin_hypercube_sweeps_are_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &str, seed: &str| {
        surge()
            .args([
                "sweep",
                SCENARIO,
                "--design",
                "lhs",
                "--samples",
                "5",
                "--seed",
                seed,
            ])
            .args([
                "--vary",
                "event.duration_hours=1:12",
                "--vary",
                "looking.word_of_mouth_per_hour=0.001:0.1:log",
            ])
            .args([
                "--runs", "4", "--quiet", "--width", "600", "--height", "400",
            ])
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
        std::fs::read_to_string(dir.path().join(out).join("sweep.csv")).unwrap()
    };
    let (a, b, c) = (run("a", "3"), run("b", "3"), run("c", "4"));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.lines().count(), 6);
}

#[test]
fn sensitivity_ranks_factors_the_same_way_on_any_thread_count_and_in_shards() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &Path| {
        let mut c = surge();
        c.args([
            "sensitivity",
            SCENARIO,
            "--method",
            "sobol",
            "--samples",
            "6",
            "--runs",
            "3",
        ])
        .args([
            "--range",
            "event.duration_hours=2:10",
            "--range",
            "looking.innovation_per_hour=0.0001:0.01:log",
        ])
        .args([
            "--bootstrap",
            "50",
            "--quiet",
            "--width",
            "700",
            "--height",
            "500",
        ])
        .arg("--out")
        .arg(out);
        c
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    args(&one).args(["--threads", "1"]).assert().success();
    args(&two).args(["--threads", "2"]).assert().success();
    assert_same_folders(&one, &two);
    let csv = std::fs::read_to_string(one.join("sensitivity.csv")).unwrap();
    assert!(
        csv.starts_with("figure,factor,first,first_low,first_high,total,total_low,total_high\n")
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("summary.json")).unwrap()).unwrap();
    // 6 rows x (2 factors + 2) points; a row per figure and factor.
    assert_eq!(summary["points"], 24);
    let figures = summary["figures"].as_array().unwrap().len();
    assert_eq!(csv.lines().count(), 1 + 2 * figures);
    assert!(one.join("sensitivity.png").is_file());
    let parts = dir.path().join("p");
    for i in 0..2 {
        args(&dir.path().join("sharded"))
            .args(["--shard", &format!("{i}/2"), "--parts"])
            .arg(&parts)
            .assert()
            .success();
    }
    surge().arg("merge").arg(&parts).assert().success();
    assert_same_folders(&one, &dir.path().join("sharded"));
    // Morris too runs from the priors by default, and a point is the mean of 8 runs
    // (`workflow::sensitivity::RUNS_PER_POINT`) unless `--runs` says otherwise.
    surge()
        .args([
            "sensitivity",
            SCENARIO,
            "--method",
            "morris",
            "--samples",
            "2",
        ])
        .args([
            "--bootstrap",
            "20",
            "--quiet",
            "--width",
            "700",
            "--height",
            "500",
        ])
        .arg("--out")
        .arg(dir.path().join("morris"))
        .assert()
        .success();
    let morris = std::fs::read_to_string(dir.path().join("morris/sensitivity.csv")).unwrap();
    assert!(morris.starts_with("figure,factor,mu_star,mu_star_low,mu_star_high,mu,sigma\n"));
    assert!(morris.contains(",looking.word_of_mouth_per_hour,"));
    let summary = std::fs::read_to_string(dir.path().join("morris/summary.json")).unwrap();
    assert!(summary.contains("\"runs_per_point\": 8,"), "{summary}");
}

#[test]
fn slurm_writes_an_array_and_a_merge_job_that_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("jobs");
    surge()
        .args(["slurm", "--tasks", "4", "--dir"])
        .arg(&jobs)
        .args(["--", "sweep", SCENARIO, "--vary", DURATION])
        .assert()
        .success();
    let array = std::fs::read_to_string(jobs.join("array.sbatch")).unwrap();
    assert!(array.contains("#SBATCH --array=0-3"), "{array}");
    assert!(array.contains("--shard \"$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))/4\""));
    assert!(array.contains("--parts '"), "{array}");
    let merge = std::fs::read_to_string(jobs.join("merge.sbatch")).unwrap();
    assert!(merge.contains(" merge "), "{merge}");
    let submit = std::fs::read_to_string(jobs.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:$array"), "{submit}");
    for (command, says) in [
        (
            vec!["check", SCENARIO],
            "shards `run`, `sweep` or `sensitivity`",
        ),
        (
            vec!["run", SCENARIO, "--shard", "0/2"],
            "must not give --shard",
        ),
        (vec!["sweep", SCENARIO], "the command after --"),
    ] {
        surge()
            .args(["slurm", "--dir"])
            .arg(dir.path().join("refused"))
            .arg("--")
            .args(command)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn network_keys_sweep_on_a_cohort_scenario_run_with_the_agent_engine() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agents");
    let degree_sweep = |engine: &[&str], out: &Path| {
        let mut c = surge();
        c.args(["sweep", SCENARIO])
            .args(engine)
            .args(["--vary", "network.mean_degree=4:12:2", "--runs", "2"])
            .args(["--quiet", "--width", "600", "--height", "400", "--out"])
            .arg(out);
        c
    };
    degree_sweep(&["--engine", "agents", "--agents", "3000"], &out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("Agents"), "{summary}");
    // The cohort engine has no network to vary.
    degree_sweep(&["--engine", "cohort"], &dir.path().join("cohort"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "applies to engine = \"agents\" only",
        ));
}

#[test]
fn merge_refuses_a_part_that_is_not_finished() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    sweep_in_shards(&dir.path().join("out"), &parts, 2);
    // As a shard killed part-way leaves it: its manifest not yet marked complete.
    let manifest = parts.join("shard-1-of-2/manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["complete"] = false.into();
    std::fs::write(&manifest, m.to_string()).unwrap();
    surge()
        .arg("merge")
        .arg(&parts)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not finished"));
    assert!(!dir.path().join("out").exists(), "nothing written");
}
