//! A user's files (issue 36): a tree of files surge did not write, and every command that
//! writes a folder pointed at it and around it with every folder flag (`--out`, `--parts`,
//! `--force`); after each, every foreign file is still there, byte for byte, and nothing was
//! added (not even a lock file). Then the cases the hostile re-test found, one by one.

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SMALL: &str = "tests/fixtures/valid-small.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn surge(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("surge").unwrap();
    c.current_dir(cwd);
    c
}

/// Every entry below `dir` (files with their bytes, folders and links as markers).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            if kind.is_dir() {
                all.insert(rel, b"<folder>".to_vec());
                stack.push(e.path());
            } else if kind.is_file() {
                all.insert(rel, std::fs::read(e.path()).unwrap());
            } else {
                all.insert(rel, b"<other>".to_vec());
            }
        }
    }
    all
}

/// Fails naming the entries that differ (added, removed or changed), not the whole trees.
fn assert_unchanged(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    let differ: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "{what} changed the user's files: {differ:?}"
    );
}

/// The user's tree: notes, a sub-folder, a stray summary.json beside source code (a folder
/// that merely *looks* like results), and a folder holding a compare.csv beside a thesis.
fn user_tree(base: &Path) -> PathBuf {
    let user = base.join("user");
    for d in ["sub", "src", "thesis"] {
        std::fs::create_dir_all(user.join(d)).unwrap();
    }
    let files: [(&str, &[u8]); 7] = [
        ("notes.txt", b"my notes\n"),
        ("sub/data.csv", b"a,b\n1,2\n"),
        ("summary.json", br#"{"scenario":{"name":"valid-small"}}"#),
        ("src/main.c", b"int main(void) { return 0; }\n"),
        (
            "src/summary.json",
            br#"{"scenario":{"name":"valid-small"}}"#,
        ),
        ("thesis/compare.csv", b"metric\n"),
        ("thesis/thesis.tex", b"\\documentclass{article}\n"),
    ];
    for (name, bytes) in files {
        std::fs::write(user.join(name), bytes).unwrap();
    }
    user
}

/// Surge results to compare (written outside the user's tree), and a sharded run's parts to
/// merge (`base/parts`).
fn results(base: &Path) -> (PathBuf, PathBuf) {
    for i in 0..2 {
        surge(&root())
            .args(["run", SMALL, "--quiet", "--runs", "4", "--shard"])
            .arg(format!("{i}/2"))
            .arg("--out")
            .arg(base.join("merged"))
            .arg("--parts")
            .arg(base.join("parts"))
            .assert()
            .success();
    }
    let (a, b) = (base.join("a"), base.join("b"));
    for (out, runs) in [(&a, "5"), (&b, "6")] {
        surge(&root())
            .args(["run", SMALL, "--quiet", "--runs", runs, "--out"])
            .arg(out)
            .assert()
            .success();
    }
    (a, b)
}

/// Every command that writes a folder, as arguments before `--out TARGET`.
fn commands(a: &Path, b: &Path) -> Vec<Vec<String>> {
    let small = root().join(SMALL).display().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let parts = a.parent().unwrap().join("parts").display().to_string();
    vec![
        s(&["run", &small, "--runs", "3", "--quiet"]),
        s(&["merge", &parts, "--quiet"]),
        s(&[
            "compare",
            &a.display().to_string(),
            &b.display().to_string(),
            "--quiet",
        ]),
        s(&[
            "sweep",
            &small,
            "--vary",
            "event.duration_hours=2:4:2",
            "--runs",
            "2",
            "--quiet",
        ]),
        s(&[
            "sensitivity",
            &small,
            "--method",
            "morris",
            "--samples",
            "2",
            "--runs",
            "2",
            "--range",
            "event.duration_hours=2:10",
            "--range",
            "looking.innovation_per_hour=0.0001:0.01:log",
            "--quiet",
        ]),
        s(&[
            "tune", &small, "--quick", "--quiet", "--width", "600", "--height", "400",
        ]),
        s(&[
            "fit",
            "--observations",
            &root()
                .join("tests/fixtures/observations-small.toml")
                .display()
                .to_string(),
            "--priors",
            &root()
                .join("tests/fixtures/priors-small.toml")
                .display()
                .to_string(),
            "--particles",
            "10",
            "--generations",
            "1",
            "--draws",
            "5",
            "--quiet",
        ]),
    ]
}

#[test]
fn no_command_touches_a_users_files_with_any_folder_flag() {
    let base = tempfile::tempdir().unwrap();
    let user = user_tree(base.path());
    let (a, b) = results(base.path());
    let before = snapshot(&user);
    let targets = [
        user.clone(),
        user.join("sub"),
        user.join("src"),
        user.join("thesis"),
        user.join("."),
        user.join("sub/.."),
    ];
    for args in commands(&a, &b) {
        for target in &targets {
            for force in [false, true] {
                let mut c = surge(&user);
                c.args(&args).arg("--out").arg(target);
                if force {
                    c.arg("--force");
                }
                c.assert().failure().code(2);
                assert_unchanged(
                    &before,
                    &snapshot(&user),
                    &format!("{args:?} --out {} (force {force})", target.display()),
                );
            }
        }
        // The working folder and its parent, named relatively.
        for target in [".", "..", "./", "sub/.."] {
            surge(&user)
                .args(&args)
                .args(["--out", target, "--force"])
                .assert()
                .failure();
            assert_unchanged(
                &before,
                &snapshot(&user),
                &format!("{args:?} --out {target}"),
            );
        }
    }
    // surge plot and surge report add nothing to a folder surge did not write.
    for command in ["plot", "report"] {
        for target in [&user, &user.join("src")] {
            surge(&user).arg(command).arg(target).assert().failure();
            assert_unchanged(
                &before,
                &snapshot(&user),
                &format!("{command} {}", target.display()),
            );
        }
    }
}

#[test]
fn parts_in_a_users_folder_leave_it_whole() {
    let base = tempfile::tempdir().unwrap();
    let user = user_tree(base.path());
    let before = snapshot(&user);
    let small = root().join(SMALL);
    let out = base.path().join("out");
    // --parts DIR holding the user's files: the merge removes its own part, nothing else.
    for (i, parts) in [user.clone(), PathBuf::from(".")].iter().enumerate() {
        for extra in [
            &["sweep", "--vary", "event.duration_hours=2:4:2"][..],
            &[
                "sensitivity",
                "--method",
                "morris",
                "--samples",
                "2",
                "--range",
                "event.duration_hours=2:10",
                "--range",
                "looking.innovation_per_hour=0.0001:0.01:log",
            ][..],
        ] {
            let mut c = surge(&user);
            c.arg(extra[0])
                .arg(&small)
                .args(&extra[1..])
                .args(["--runs", "2", "--quiet", "--force", "--out"])
                .arg(out.join(format!("{}-{i}", extra[0])))
                .arg("--parts")
                .arg(parts);
            c.assert().success();
            assert_unchanged(
                &before,
                &snapshot(&user),
                &format!("{} --parts {}", extra[0], parts.display()),
            );
        }
    }
    assert!(user.is_dir());
}

#[test]
fn a_results_folder_holding_a_users_files_is_refused_with_them_listed() {
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("results");
    let run = |force: bool| {
        let mut c = surge(&root());
        c.args(["run", SMALL, "--runs", "3", "--quiet", "--out"])
            .arg(&out);
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    run(false).success();
    assert!(out.join("surge-manifest.json").is_file());
    // Re-running over its own results is fine.
    run(false).success();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(out.join("sub")).unwrap();
    std::fs::write(out.join("sub/keep.txt"), "mine too").unwrap();
    for force in [false, true] {
        run(force)
            .failure()
            .code(2)
            .stderr(predicate::str::contains("notes.txt"))
            .stderr(predicate::str::contains("sub/"))
            .stderr(predicate::str::contains("surge did not write"));
    }
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(
        std::fs::read(out.join("sub/keep.txt")).unwrap(),
        b"mine too"
    );
    // A results file the user edited is theirs now.
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    std::fs::remove_dir_all(out.join("sub")).unwrap();
    std::fs::write(out.join("runs.csv"), "edited").unwrap();
    run(true).failure().stderr(predicate::str::contains(
        "runs.csv (changed since surge wrote it)",
    ));
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), b"edited");
    // Refusals leave no lock file behind.
    let names: Vec<String> = std::fs::read_dir(base.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["results".to_string()], "left behind: {names:?}");
}

#[test]
fn refused_commands_leave_no_lock_in_the_working_folder() {
    let base = tempfile::tempdir().unwrap();
    let user = user_tree(base.path());
    let before = snapshot(&user);
    for target in ["src", "sub"] {
        surge(&user)
            .args(["run"])
            .arg(root().join(SMALL))
            .args(["--runs", "2", "--quiet", "--out", target])
            .assert()
            .failure();
    }
    assert_unchanged(&before, &snapshot(&user), "run --out src|sub");
}

#[test]
fn output_folders_are_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    surge(&root())
        .args(["run", SMALL, "--runs", "2", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o055, 0o055 & !umask(), "mode {mode:o}");
}

fn umask() -> u32 {
    // SAFETY: umask only sets and returns the process's mask; set it back at once.
    unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old as u32
    }
}

/// `fit --write-params --fitted DIR` with DIR a folder: refused before the fit, and the shipped
/// pair is left as it was (it used to replace the posterior and then fail on fitted.toml).
#[test]
fn a_fit_that_cannot_write_its_pair_writes_neither() {
    let base = tempfile::tempdir().unwrap();
    let params = base.path().join("params");
    std::fs::create_dir(&params).unwrap();
    for f in ["fitted.toml", "fitted-posterior.csv", "default.toml"] {
        std::fs::copy(root().join("params").join(f), params.join(f)).unwrap();
    }
    std::fs::create_dir(base.path().join("folder")).unwrap();
    let before = snapshot(base.path());
    let fixture = |f: &str| root().join("tests/fixtures").join(f);
    surge(base.path())
        .args(["fit", "--write-params", "--quiet", "--particles", "10"])
        .args(["--generations", "1", "--draws", "5", "--out", "fit"])
        .arg("--observations")
        .arg(fixture("observations-small.toml"))
        .arg("--priors")
        .arg(fixture("priors-small.toml"))
        .args(["--fitted", "folder"])
        .assert()
        .failure()
        .code(2)
        .stderr(predicate::str::contains("folder: is not a file"));
    assert_unchanged(&before, &snapshot(base.path()), "fit --fitted folder");
    // A file of the user's at --fitted is not overwritten either.
    std::fs::write(base.path().join("mine.toml"), "# my parameters\n").unwrap();
    let before = snapshot(base.path());
    surge(base.path())
        .args(["fit", "--quiet", "--particles", "10", "--generations", "1"])
        .args(["--draws", "5", "--out", "fit", "--fitted", "mine.toml"])
        .arg("--observations")
        .arg(fixture("observations-small.toml"))
        .arg("--priors")
        .arg(fixture("priors-small.toml"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a file `surge fit` wrote"));
    assert_unchanged(&before, &snapshot(base.path()), "fit --fitted mine.toml");
}

/// A prior bound the parameter file would refuse (1e308) is refused with file, key and line
/// before any work, not written into a fitted.toml that surge then refuses.
#[test]
fn a_prior_beyond_what_a_parameter_file_accepts_is_refused() {
    let base = tempfile::tempdir().unwrap();
    let priors = base.path().join("priors.toml");
    std::fs::write(
        &priors,
        "[looking.dormant_boost]\ndistribution = \"log_uniform\"\nlow = 1.0\nhigh = 1e308\n",
    )
    .unwrap();
    surge(&root())
        .args([
            "fit",
            "--quiet",
            "--observations",
            "tests/fixtures/observations-small.toml",
        ])
        .arg("--priors")
        .arg(&priors)
        .arg("--out")
        .arg(base.path().join("fit"))
        .assert()
        .failure()
        .code(2)
        .stderr(predicate::str::contains("priors.toml:4:"))
        .stderr(predicate::str::contains("looking.dormant_boost.high"));
    assert!(!base.path().join("fit").exists());
}

/// `validate --markdown FILE` replaces only a table validate wrote; the user's file is refused
/// before the fits.
#[test]
fn validate_never_overwrites_a_users_markdown() {
    let base = tempfile::tempdir().unwrap();
    let mine = base.path().join("thesis.md");
    std::fs::write(&mine, "# My thesis\n").unwrap();
    surge(&root())
        .args(["validate", "--no-catalogue", "--quiet"])
        .args(["--observations", "tests/fixtures/observations-small.toml"])
        .args(["--priors", "tests/fixtures/priors-small.toml"])
        .arg("--markdown")
        .arg(&mine)
        .arg("--out")
        .arg(base.path().join("v"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not a table `surge validate` wrote",
        ));
    assert_eq!(std::fs::read(&mine).unwrap(), b"# My thesis\n");
    assert!(!base.path().join("v").exists());
}
