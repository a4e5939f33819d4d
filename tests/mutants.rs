//! Mutation test (issue 10): every shipped input file, and every file `surge plot` reads, is
//! damaged at random (a number made negative, zero, NaN, infinite, 1e308 or a string; a line
//! deleted or doubled; the file cut short; random bytes inserted). Each mutant must either work
//! with the output's invariants kept, or fail with exit code 2 and a message naming the file,
//! without a panic and without leaving output behind. The seed is fixed, so CI runs the same
//! mutants every time; failures proptest finds are kept in tests/mutants.proptest-regressions.

mod common;

use assert_cmd::Command;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository's input folders, copied so that mutants never touch the real files.
const FOLDERS: [&str; 4] = ["scenarios", "params", "data", "tests/fixtures"];

fn copy_tree(root: &Path) {
    common::copy_folders(root, &FOLDERS);
}

/// A finished `surge run` result (3 runs of the small fixture) to damage for `surge plot`.
fn result_folder() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Under target/tmp (cargo's scratch folder for integration tests), not /tmp: a static
        // is never dropped, so a temporary folder would be left behind by every test run.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("surge-mutants-result-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Command::cargo_bin("surge")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "run",
                "tests/fixtures/valid-small.toml",
                "--runs",
                "3",
                "--quiet",
                "--out",
            ])
            .arg(&dir)
            .assert()
            .success();
        dir
    })
}

/// The file to damage and how `surge` reads it.
#[derive(Debug, Clone, Copy)]
enum Target {
    Scenario(&'static str),
    Params(&'static str),
    Posterior,
    Observations,
    Priors,
    PlotFile(&'static str),
}

impl Target {
    fn path(self) -> &'static str {
        match self {
            Target::Scenario(p) | Target::Params(p) => p,
            Target::Posterior => "params/fitted-posterior.csv",
            Target::Observations => "data/observations.toml",
            Target::Priors => "params/priors.toml",
            Target::PlotFile(f) => f,
        }
    }
}

fn targets() -> Vec<Target> {
    let mut t: Vec<Target> = [
        "scenarios/facebook-2021-10-04.toml",
        "scenarios/whatsapp-policy-2021-01.toml",
        "scenarios/country-block-48h.toml",
        "scenarios/whatsapp-2h-worldwide.toml",
        "scenarios/europe-only-2021-10-04.toml",
    ]
    .map(Target::Scenario)
    .to_vec();
    t.extend(["params/default.toml", "params/fitted.toml"].map(Target::Params));
    t.extend([Target::Posterior, Target::Observations, Target::Priors]);
    t.extend(["timeseries.csv", "spaghetti.csv", "summary.json"].map(Target::PlotFile));
    t
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the n-th number with this text.
    Number(usize, &'static str),
    DeleteLine(usize),
    DoubleLine(usize),
    /// Keep this share of the bytes.
    Truncate(f64),
    /// Insert bytes at this share of the length.
    Bytes(f64, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop::sample::select(vec![
        "-1", "0", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "\"x\"", "[1, 2]", "true",
        "1e-320",
    ]);
    prop_oneof![
        4 => (0usize..400, replacement).prop_map(|(n, r)| Mutation::Number(n, r)),
        1 => (0usize..400).prop_map(Mutation::DeleteLine),
        1 => (0usize..400).prop_map(Mutation::DoubleLine),
        1 => (0.0..1.0f64).prop_map(Mutation::Truncate),
        1 => (0.0..1.0f64, prop::collection::vec(any::<u8>(), 1..6))
            .prop_map(|(at, b)| Mutation::Bytes(at, b)),
    ]
}

/// Byte ranges of the numbers in `text` (runs of digits with signs, dots, exponents, underscores).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b"._eE+-".contains(&bytes[i])) {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

fn apply(text: &[u8], m: &Mutation) -> Vec<u8> {
    let s = String::from_utf8_lossy(text).into_owned();
    let lines: Vec<&str> = s.lines().collect();
    let n_lines = lines.len().max(1);
    match m {
        Mutation::Number(n, r) => {
            let spans = numbers(&s);
            if spans.is_empty() {
                return text.to_vec();
            }
            let (a, b) = spans[n % spans.len()];
            format!("{}{}{}", &s[..a], r, &s[b..]).into_bytes()
        }
        Mutation::DeleteLine(n) => {
            let mut l = lines.clone();
            l.remove(n % n_lines.min(l.len().max(1)));
            (l.join("\n") + "\n").into_bytes()
        }
        Mutation::DoubleLine(n) => {
            let mut l = lines.clone();
            let i = n % n_lines.min(l.len().max(1));
            l.insert(i, lines[i]);
            (l.join("\n") + "\n").into_bytes()
        }
        Mutation::Truncate(share) => text[..(text.len() as f64 * share) as usize].to_vec(),
        Mutation::Bytes(at, bytes) => {
            let i = (text.len() as f64 * at) as usize;
            [&text[..i], bytes.as_slice(), &text[i..]].concat()
        }
    }
}

/// Runs the command that reads `target` (already damaged inside `root`); returns its outcome.
fn run(root: &Path, target: Target, out: &Path) -> std::process::Output {
    let mut cmd = Command::cargo_bin("surge").unwrap();
    // A hang is a failure too (attractiveness = 1e308 once looped forever): no mutant of these
    // small commands takes more than a few seconds.
    cmd.current_dir(root)
        .timeout(std::time::Duration::from_secs(120));
    match target {
        Target::Scenario(p) => cmd
            .args(["run", p, "--runs", "2", "--quiet", "--out"])
            .arg(out),
        Target::Params(p) => cmd
            .args(["run", "scenarios/whatsapp-2h-worldwide.toml", "--params", p])
            .args(["--runs", "2", "--quiet", "--out"])
            .arg(out),
        Target::Posterior => cmd
            .args([
                "run",
                "scenarios/whatsapp-2h-worldwide.toml",
                "--runs",
                "2",
                "--quiet",
            ])
            .arg("--out")
            .arg(out),
        Target::Observations | Target::Priors => cmd
            .args([
                "fit",
                "--particles",
                "10",
                "--generations",
                "1",
                "--draws",
                "2",
            ])
            .args(["--max-simulations", "30", "--quiet", "--out"])
            .arg(out),
        Target::PlotFile(_) => cmd.arg("plot").arg(out),
    };
    cmd.output().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 150,
        rng_seed: RngSeed::Fixed(20_211_004),
        ..ProptestConfig::default()
    })]
    #[test]
    fn every_mutant_works_or_fails_cleanly(which in 0usize..12, m in mutation()) {
        let all = targets();
        let target = all[which % all.len()];
        let root = tempfile::tempdir().unwrap();
        copy_tree(root.path());
        let out = root.path().join("out");
        let file: PathBuf = match target {
            Target::PlotFile(f) => {
                std::fs::create_dir_all(&out).unwrap();
                for entry in std::fs::read_dir(result_folder()).unwrap() {
                    let p = entry.unwrap().path();
                    if p.extension().is_some_and(|e| e == "csv" || e == "json") {
                        std::fs::copy(&p, out.join(p.file_name().unwrap())).unwrap();
                    }
                }
                out.join(f)
            }
            _ => root.path().join(target.path()),
        };
        let damaged = apply(&std::fs::read(&file).unwrap(), &m);
        std::fs::write(&file, &damaged).unwrap();
        let result = run(root.path(), target, &out);
        let stderr = String::from_utf8_lossy(&result.stderr);
        prop_assert!(!stderr.contains("panicked"), "{target:?} {m:?}: panic\n{stderr}");
        match result.status.code() {
            Some(0) => match target {
                Target::PlotFile(_) => prop_assert!(out.join("adoption.png").is_file()),
                Target::Observations | Target::Priors => {
                    prop_assert!(out.join("posterior.csv").is_file() && out.join("fitted.toml").is_file())
                }
                _ => {
                    let summary: serde_json::Value =
                        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
                    prop_assert_eq!(summary["runs"].as_u64(), Some(2));
                    for row in summary["headline"].as_array().unwrap() {
                        for k in ["mean", "p05", "p50", "p95"] {
                            let v = row[k].as_f64().unwrap_or(f64::NAN);
                            prop_assert!(v.is_finite() && v >= 0.0, "{target:?} {m:?}: {row}");
                        }
                    }
                }
            },
            Some(2) => {
                let name = Path::new(target.path()).file_name().unwrap().to_string_lossy().into_owned();
                prop_assert!(stderr.contains(&name), "{target:?} {m:?}: message does not name {name}:\n{stderr}");
                // ... and where in it: a line (path:line:column, "line N", "row N"), or why the
                // whole file cannot be read.
                let located = stderr.contains("line") || stderr.contains("row ")
                    || stderr.contains("cannot read")
                    || stderr.split(&name).nth(1).is_some_and(|rest| {
                        rest.starts_with(':') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
                    });
                prop_assert!(located, "{target:?} {m:?}: message does not say where:\n{stderr}");
                if !matches!(target, Target::PlotFile(_)) {
                    prop_assert!(!out.exists(), "{target:?} {m:?}: output left behind");
                }
            }
            code => prop_assert!(false, "{target:?} {m:?}: exit {code:?} (None: killed after the timeout)\n{stderr}"),
        }
    }
}
