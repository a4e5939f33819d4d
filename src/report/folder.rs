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
        "{0} holds another command's surge results (no {1}); use another --out, or --force to replace them"
    )]
    OtherCommand(PathBuf, &'static str),
    #[error(
        "{path} holds {} that surge did not write, so it is left as it is (with --force too): {}; give a new or empty folder, or one that holds only surge's results",
        plural(entries.len()),
        listed(entries)
    )]
    Foreign { path: PathBuf, entries: Vec<String> },
    #[error("another surge command is writing to {0}; wait for it or use another --out")]
    Busy(PathBuf),
    #[error("cannot prepare the output folder {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0} holds no {manifest}, so surge did not write it (or an older surge did) and adds nothing to it; run the command again into a new --out",
        manifest = super::owned::MANIFEST
    )]
    NotSurge(PathBuf),
    #[error(transparent)]
    Owned(#[from] super::owned::OwnedError),
    #[error(transparent)]
    Write(#[from] super::atomic::WriteError),
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

/// The first ten entries, then how many more.
fn listed(entries: &[String]) -> String {
    let mut s = entries
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if entries.len() > 10 {
        s.push_str(&format!(" and {} more", entries.len() - 10));
    }
    s
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
    _lock: FolderLock,
}

/// An exclusive lock on a folder's writers: the file `.<name>.surge-lock` beside it, removed
/// when the lock is released, so no lock file outlives the command that took it.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    file: File,
}

impl FolderLock {
    /// Takes the lock of `target` (whose parent must exist), or `Busy` if another command holds
    /// it. The holder removes the file on release; a waiter that locked a file already removed
    /// (its inode no longer at the path) tries again, so two holders never coexist.
    pub fn take(target: &Path) -> Result<Self, FolderError> {
        let (parent, name) = parent_and_name(target)?;
        let path = parent.join(format!(".{name}.surge-lock"));
        for _ in 0..64 {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(io(&path))?;
            if !file.try_lock_exclusive().map_err(io(&path))? {
                return Err(FolderError::Busy(target.to_path_buf()));
            }
            if same_file(&file, &path) {
                return Ok(FolderLock { path, file });
            }
        }
        Err(FolderError::Busy(target.to_path_buf()))
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still held: a waiter that opened it sees another inode and retries.
        let _ = std::fs::remove_file(&self.path);
        let _ = FileExt::unlock(&self.file);
    }
}

/// The folder a target sits in and its own name; "/", ".", ".." and "x/.." name no folder of
/// their own (they have no file name), nor does the working folder or any folder above it.
fn parent_and_name(target: &Path) -> Result<(PathBuf, String), FolderError> {
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
    Ok((parent, name))
}

/// The file by which each command's output folder is known (`run`, `sweep`, `sensitivity` and
/// `tune`: summary.json; `compare`, `fit`, `validate`).
pub const RESULT_MARKERS: [&str; 5] = [
    "summary.json",
    "compare.csv",
    "fit.json",
    "timelines.json",
    "evaluation.json",
];

/// The scenario name in a result folder's summary.json, if it has one.
fn scenario_of(dir: &Path) -> Option<String> {
    let json: serde_json::Value =
        serde_json::from_slice(&crate::scenario::bounded::read(&dir.join("summary.json")).ok()?)
            .ok()?;
    Some(json.get("scenario")?.get("name")?.as_str()?.to_string())
}

/// Checks that surge may replace `target` as `owner`'s output: absent, empty, or holding only
/// files surge wrote (its manifest's, unchanged); then only `owner`'s results, or with `force`
/// another scenario's or command's. A folder holding anything else is refused, `force` or not.
pub fn check_replaceable(target: &Path, owner: Owner, force: bool) -> Result<(), FolderError> {
    parent_and_name(target)?;
    if super::owned::holds_working_folder(target) {
        return Err(FolderError::NotOwnFolder(
            target.to_path_buf(),
            "the working folder or a folder above it",
        ));
    }
    if !target.exists() {
        return Ok(());
    }
    if !std::fs::symlink_metadata(target)
        .map_err(io(target))?
        .is_dir()
    {
        return Err(FolderError::NotAFolder(target.to_path_buf()));
    }
    let empty = std::fs::read_dir(target)
        .map_err(io(target))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    let entries = super::owned::foreign(target)?;
    if !entries.is_empty() {
        return Err(FolderError::Foreign {
            path: target.to_path_buf(),
            entries,
        });
    }
    if force {
        return Ok(());
    }
    match owner {
        Owner::Scenario(scenario) => match scenario_of(target) {
            Some(found) if found != scenario => Err(FolderError::OtherScenario {
                path: target.to_path_buf(),
                found,
                scenario: scenario.to_string(),
            }),
            Some(_) => Ok(()),
            None => Err(FolderError::OtherCommand(
                target.to_path_buf(),
                "summary.json",
            )),
        },
        Owner::Marker(file) if target.join(file).is_file() => Ok(()),
        Owner::Marker(file) => Err(FolderError::OtherCommand(target.to_path_buf(), file)),
    }
}

impl Staging {
    /// Checks `target` (absent, empty, or this scenario's results; another scenario's only with
    /// `force`), takes its lock, removes staging folders left by killed runs, and makes a new
    /// staging folder beside it.
    pub fn begin(target: &Path, scenario: &str, force: bool) -> Result<Self, FolderError> {
        Self::begin_for(target, Owner::Scenario(scenario), force)
    }

    /// [`Staging::begin`] for any command's results: a folder holding `owner`'s results is
    /// replaced; one holding files surge did not write is refused.
    pub fn begin_for(target: &Path, owner: Owner, force: bool) -> Result<Self, FolderError> {
        let (parent, name) = parent_and_name(target)?;
        if target.exists() && !target.is_dir() {
            return Err(FolderError::NotAFolder(target.to_path_buf()));
        }
        // Refuse before creating anything, so a refused command leaves no trace.
        check_replaceable(target, owner, force)?;
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let lock = FolderLock::take(target)?;
        // Checked again under the lock: another command may have written meanwhile.
        check_replaceable(target, owner, force)?;
        // With the lock held, any staging folder of this target is left over from a killed run.
        let prefix = format!(".{name}.surge-staging-");
        for entry in std::fs::read_dir(&parent).map_err(io(&parent))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let staging = tempfile::Builder::new()
            .prefix(&prefix)
            .permissions(folder_permissions())
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

    /// Records the staged files as surge's (`surge-manifest.json`) and puts the staged folder
    /// in the target's place at once (on Linux one atomic exchange). Of the old folder, only
    /// the files surge wrote are removed: anything put there since the check stays, in the
    /// hidden staging folder beside the target.
    pub fn commit(self) -> Result<(), FolderError> {
        super::owned::record(self.staging.path())?;
        let staged = self.staging.keep();
        if self.target.is_dir() {
            exchange(&staged, &self.target).map_err(io(&self.target))?;
            // The old results are now at the staging path.
            super::owned::remove(&staged)?;
        } else {
            std::fs::rename(&staged, &self.target).map_err(io(&self.target))?;
        }
        Ok(())
    }
}

/// Adds or replaces the files `files` (name, bytes) in `dir`, a folder surge wrote, in place
/// (`surge plot`, `surge report`): see [`write_owned_files`]. A folder without surge's manifest
/// is refused.
pub fn write_in_place(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), FolderError> {
    let dir = dir.canonicalize().map_err(io(dir))?;
    if super::owned::read(&dir).is_none() {
        return Err(FolderError::NotSurge(dir));
    }
    write_owned_files(&dir, files)
}

/// Writes the files `files` (name, bytes) into the existing folder `dir` under its lock, each
/// atomically, and records them in its manifest (started if it has none). A file of that name
/// that surge did not write (not in the manifest, or changed since) is refused before anything
/// is written; other entries of the folder are left alone.
pub fn write_owned_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), FolderError> {
    let dir = dir.canonicalize().map_err(io(dir))?;
    let _lock = FolderLock::take(&dir)?;
    let owned = super::owned::read(&dir).unwrap_or_default();
    let mut entries = Vec::new();
    for (name, _) in files {
        let path = dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let ours = meta.file_type().is_file()
            && owned
                .files
                .get(name)
                .is_some_and(|hash| super::owned::file_sha256(&path).is_ok_and(|h| h == *hash));
        if !ours {
            entries.push(name.clone());
        }
    }
    if !entries.is_empty() {
        return Err(FolderError::Foreign { path: dir, entries });
    }
    for (name, bytes) in files {
        super::atomic::write_atomic(&dir.join(name), bytes)?;
    }
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    super::owned::add(&dir, &names)?;
    Ok(())
}

/// Copies the files of the results folder `src` (top level) into `target` whole, as a command
/// writes its output (`Staging`): `target`'s owner is `src`'s scenario, else its command's
/// result file. The Python package's `save` and `out=`.
pub fn copy_results(src: &Path, target: &Path, force: bool) -> Result<(), FolderError> {
    let scenario = scenario_of(src);
    let owner = match &scenario {
        Some(name) => Owner::Scenario(name),
        None => Owner::Marker(
            RESULT_MARKERS
                .iter()
                .find(|m| src.join(m).is_file())
                .copied()
                .unwrap_or("summary.json"),
        ),
    };
    let staging = Staging::begin_for(target, owner, force)?;
    for entry in std::fs::read_dir(src).map_err(io(src))? {
        let entry = entry.map_err(io(src))?;
        let name = entry.file_name();
        if name == super::owned::MANIFEST || !entry.file_type().map_err(io(src))?.is_file() {
            continue;
        }
        let bytes = crate::scenario::bounded::read(&entry.path()).map_err(io(&entry.path()))?;
        super::atomic::write_atomic(&staging.path().join(&name), &bytes)?;
    }
    staging.commit()
}

/// Output folders are ordinary folders (rwxr-xr-x before the umask), not a temporary folder's
/// private 0700.
#[cfg(unix)]
fn folder_permissions() -> std::fs::Permissions {
    std::os::unix::fs::PermissionsExt::from_mode(0o755)
}

#[cfg(not(unix))]
fn folder_permissions() -> std::fs::Permissions {
    std::fs::metadata(".").map(|m| m.permissions()).unwrap()
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
            Err(FolderError::Foreign { .. })
        ));
    }
}
