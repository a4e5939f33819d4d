//! Output folders that are whole: a run's files are written into a hidden staging folder beside
//! the target and swapped in at once, so a reader sees the old results or the new ones, never a
//! mix; a lock keeps two runs from writing the same folder at the same time.

use fs4::fs_std::FileExt;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Why an output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("--out {0} is a file, not a folder")]
    NotAFolder(PathBuf),
    #[error(
        "--out {0} is {1}: surge replaces its output folder whole, so give a folder of its own inside it (e.g. --out output/my-run)"
    )]
    NotOwnFolder(PathBuf, &'static str),
    #[error(
        "{path} holds results of scenario `{found}`, not `{scenario}`; use another --out, or --force to replace them"
    )]
    OtherScenario {
        path: PathBuf,
        found: String,
        scenario: String,
    },
    #[error(
        "{0} holds files that are not surge results (no {1}); surge replaces its output folder whole, so give an empty or new --out"
    )]
    NotResults(PathBuf, &'static str),
    #[error("another surge command is writing to {0}; wait for it or use another --out")]
    Busy(PathBuf),
    #[error("cannot prepare the output folder {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FolderError + '_ {
    |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Whose results an output folder holds, so that only a command's own results are replaced.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// A scenario's results (summary.json names it): `run`, `sweep`, `sensitivity`, `tune`.
    Scenario(&'a str),
    /// A command whose folder holds this file and no summary.json (`fit`: fit.json;
    /// `validate`: timelines.json; `compare`: compare.csv).
    Marker(&'static str),
}

/// A run's output folder while it is being written.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: tempfile::TempDir,
    _lock: File,
}

/// The files by which each command's output folder is known: with `--force`, a folder holding
/// any of them (another command's results) may be replaced; one holding none never is.
pub const RESULT_MARKERS: [&str; 4] = ["summary.json", "compare.csv", "fit.json", "timelines.json"];

fn holds_surge_results(dir: &Path) -> bool {
    RESULT_MARKERS.iter().any(|f| dir.join(f).is_file())
}

/// The scenario name in a result folder's summary.json, if it has one.
fn scenario_of(dir: &Path) -> Option<String> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).ok()?).ok()?;
    Some(json.get("scenario")?.get("name")?.as_str()?.to_string())
}

impl Staging {
    /// Checks `target` (absent, empty, or this scenario's results; another scenario's only with
    /// `force`), takes its lock, removes staging folders left by killed runs, and makes a new
    /// staging folder beside it.
    pub fn begin(target: &Path, scenario: &str, force: bool) -> Result<Self, FolderError> {
        Self::begin_for(target, Owner::Scenario(scenario), force)
    }

    /// [`Staging::begin`] for any command's results: a folder holding `owner`'s results is
    /// replaced; one holding other files is refused.
    pub fn begin_for(target: &Path, owner: Owner, force: bool) -> Result<Self, FolderError> {
        // "/", ".", ".." and "x/.." name no folder of their own (they have no file name).
        let name = match target.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => {
                let what = if target.has_root() && target.parent().is_none() {
                    "the root folder"
                } else if target
                    .components()
                    .all(|c| c == std::path::Component::CurDir)
                {
                    "the working folder itself"
                } else {
                    "a folder above another (it ends in ..)"
                };
                return Err(FolderError::NotOwnFolder(target.to_path_buf(), what));
            }
        };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if target.exists() && !target.is_dir() {
            return Err(FolderError::NotAFolder(target.to_path_buf()));
        }
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let lock_path = parent.join(format!(".{name}.surge-lock"));
        let lock = File::create(&lock_path).map_err(io(&lock_path))?;
        if !lock.try_lock_exclusive().map_err(io(&lock_path))? {
            return Err(FolderError::Busy(target.to_path_buf()));
        }
        if target.is_dir() {
            let empty = std::fs::read_dir(target)
                .map_err(io(target))?
                .next()
                .is_none();
            match owner {
                Owner::Scenario(scenario) => match scenario_of(target) {
                    Some(found) if found != scenario && !force => {
                        return Err(FolderError::OtherScenario {
                            path: target.to_path_buf(),
                            found,
                            scenario: scenario.to_string(),
                        });
                    }
                    None if !(empty || force && holds_surge_results(target)) => {
                        return Err(FolderError::NotResults(
                            target.to_path_buf(),
                            "summary.json",
                        ));
                    }
                    _ => {}
                },
                Owner::Marker(file) => {
                    let replaceable =
                        target.join(file).is_file() || (force && holds_surge_results(target));
                    if !empty && !replaceable {
                        return Err(FolderError::NotResults(target.to_path_buf(), file));
                    }
                }
            }
        }
        // With the lock held, any staging folder of this target is left over from a killed run.
        let prefix = format!(".{name}.surge-staging-");
        for entry in std::fs::read_dir(&parent).map_err(io(&parent))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let staging = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        Ok(Staging {
            target: target.to_path_buf(),
            staging,
            _lock: lock,
        })
    }

    /// Where the files go until `commit`.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// Puts the staged folder in the target's place at once (on Linux one atomic exchange; the
    /// old results end up in the staging folder, which is then removed).
    pub fn commit(self) -> Result<(), FolderError> {
        let staged = self.staging.path().to_path_buf();
        if self.target.is_dir() {
            exchange(&staged, &self.target).map_err(io(&self.target))?;
            // The old results are now at the staging path; the TempDir removes them.
            drop(self.staging);
        } else {
            let staged = self.staging.keep();
            std::fs::rename(&staged, &self.target).map_err(io(&self.target))?;
        }
        Ok(())
    }
}

/// Swaps two folders atomically (Linux renameat2 with RENAME_EXCHANGE).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Elsewhere: two renames (the old folder moves aside, the new one in; a kill between them
/// leaves the old results in the hidden `.old` folder beside the target).
#[cfg(not(target_os = "linux"))]
fn exchange(staged: &Path, target: &Path) -> std::io::Result<()> {
    let aside = staged.with_extension("old");
    std::fs::rename(target, &aside)?;
    std::fs::rename(staged, target)?;
    std::fs::rename(&aside, staged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_whole_folders_and_refuses_what_it_must() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let s = Staging::begin(&out, "a", false).unwrap();
        std::fs::write(
            s.path().join("summary.json"),
            r#"{"scenario":{"name":"a"}}"#,
        )
        .unwrap();
        std::fs::write(s.path().join("runs.csv"), "old").unwrap();
        // A second writer of the same folder is refused while the first holds it.
        assert!(matches!(
            Staging::begin(&out, "a", false),
            Err(FolderError::Busy(_))
        ));
        s.commit().unwrap();
        let s = Staging::begin(&out, "a", false).unwrap();
        std::fs::write(
            s.path().join("summary.json"),
            r#"{"scenario":{"name":"a"}}"#,
        )
        .unwrap();
        s.commit().unwrap();
        // The new folder replaced the old one whole: no runs.csv from the first.
        assert!(!out.join("runs.csv").exists());
        assert!(matches!(
            Staging::begin(&out, "b", false),
            Err(FolderError::OtherScenario { .. })
        ));
        assert!(Staging::begin(&out, "b", true).is_ok());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains("staging")), "{names:?}");
        // A run killed before its commit (no destructors run, as with kill -9) leaves the old
        // results untouched, and the next run removes its staging folder.
        let before = std::fs::read(out.join("summary.json")).unwrap();
        let killed = Staging::begin(&out, "a", false).unwrap();
        std::fs::write(killed.path().join("runs.csv"), "half").unwrap();
        let left = killed.path().to_path_buf();
        // The kernel releases a dead process's lock; its staging folder stays.
        let Staging { staging, _lock, .. } = killed;
        drop(_lock);
        std::mem::forget(staging);
        assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
        assert!(!out.join("runs.csv").exists());
        assert!(left.exists());
        drop(Staging::begin(&out, "a", false).unwrap());
        assert!(!left.exists());
        let other = dir.path().join("mine");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "keep").unwrap();
        assert!(matches!(
            Staging::begin(&other, "a", true),
            Err(FolderError::NotResults(..))
        ));
    }
}
