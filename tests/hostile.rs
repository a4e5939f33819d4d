//! The hostile re-test's findings that are not about whose files a folder holds (issue 36):
//! resource estimates before work, checked parts at merge, one writer per journal.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const SMALL: &str = "tests/fixtures/valid-small.toml";

fn surge() -> Command {
    let mut c = Command::cargo_bin("surge").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// `--samples 1000000000` used to abort allocating 192 GB, and `--bootstrap 1000000000000` ran on
/// and grew: both are refused at once, writing nothing.
#[test]
fn absurd_sensitivity_sizes_are_refused_before_work() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, words) in [
        (&["--samples", "1000000000"][..], "more than the 10000000"),
        (
            &["--bootstrap", "1000000000000"][..],
            "expected at most 100000",
        ),
    ] {
        surge()
            .args(["sensitivity", SMALL, "--method", "sobol", "--quiet"])
            .args(["--range", "event.duration_hours=2:10"])
            .args(extra)
            .arg("--out")
            .arg(dir.path().join("s"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(words));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Runs `shards` shards of a small run into `parts`.
fn run_in_shards(out: &Path, parts: &Path, shards: usize, posterior: Option<&Path>) {
    for i in 0..shards {
        let mut c = surge();
        c.args(["run", SMALL, "--runs", "6", "--quiet", "--shard"])
            .arg(format!("{i}/{shards}"))
            .arg("--out")
            .arg(out)
            .arg("--parts")
            .arg(parts);
        if let Some(p) = posterior {
            c.arg("--posterior").arg(p);
        }
        c.assert().success();
    }
}

/// `surge merge PARTS --out OUT`, expected to be refused (exit 2).
fn merge_refused(parts: &Path, out: &Path) -> assert_cmd::assert::Assert {
    surge()
        .arg("merge")
        .arg(parts)
        .arg("--out")
        .arg(out)
        .assert()
        .code(2)
}

/// A part whose summaries.bin was replaced by another part's used to merge into wrong figures
/// (12.7M instead of 15.7M); each part's manifest now records its files' SHA-256.
#[test]
fn merge_refuses_a_part_whose_data_was_swapped() {
    let dir = tempfile::tempdir().unwrap();
    let (out, parts) = (dir.path().join("out"), dir.path().join("parts"));
    run_in_shards(&out, &parts, 2, None);
    let (a, b): (PathBuf, PathBuf) = (
        parts.join("shard-0-of-2/summaries.bin"),
        parts.join("shard-1-of-2/summaries.bin"),
    );
    std::fs::copy(&b, &a).unwrap();
    merge_refused(&parts, &out)
        .stderr(predicate::str::contains("summaries.bin"))
        .stderr(predicate::str::contains("changed since its shard wrote it"));
    assert!(!out.exists());
}

/// A posterior changed after the shards ran is refused at merge (its hash is in the plan).
#[test]
fn merge_refuses_a_posterior_changed_since_the_shards_ran() {
    let dir = tempfile::tempdir().unwrap();
    let posterior = dir.path().join("posterior.csv");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("params/fitted-posterior.csv");
    std::fs::copy(&shipped, &posterior).unwrap();
    let (out, parts) = (dir.path().join("out"), dir.path().join("parts"));
    run_in_shards(&out, &parts, 2, Some(&posterior));
    let text = std::fs::read_to_string(&posterior).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.truncate(lines.len() - 1);
    std::fs::write(&posterior, lines.join("\n") + "\n").unwrap();
    merge_refused(&parts, &out)
        .stderr(predicate::str::contains("has changed since the shards ran"));
}
