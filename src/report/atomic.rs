//! Atomic file output: fill a file that has no name yet in the target folder, then give it the
//! target's name in one rename, so a killed run never leaves a half-written result or a stray
//! temporary file behind.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot create output folder {path}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {path} as JSON")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    |source| WriteError::File {
        path: path.to_path_buf(),
        source,
    }
}

/// Prefix and suffix of the named temporaries (the fallback where unnamed files are not
/// supported, and the instant between linking and renaming on Linux).
const PREFIX: &str = ".surge-";
const SUFFIX: &str = ".tmp";

/// A file being filled for `path`: unnamed while it is written where the system allows it, so
/// a `kill -9` before [`persist`] leaves nothing in the folder; dropped unpersisted, it is gone.
pub struct Temporary {
    inner: Inner,
}

enum Inner {
    /// Linux `O_TMPFILE`: an inode in the target's folder with no name until it is linked.
    #[cfg(target_os = "linux")]
    Unnamed { file: File, dir: PathBuf },
    /// A named temporary file (removed on drop, but left behind by a kill).
    Named(NamedTempFile),
}

impl Temporary {
    fn file(&self) -> &File {
        match &self.inner {
            #[cfg(target_os = "linux")]
            Inner::Unnamed { file, .. } => file,
            Inner::Named(tmp) => tmp.as_file(),
        }
    }
}

impl Write for Temporary {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A temporary file in the folder of `path`, to be filled and then [`persist`]ed as `path`.
pub fn temporary_for(path: &Path) -> Result<Temporary, WriteError> {
    let dir = folder_of(path);
    #[cfg(target_os = "linux")]
    if let Some(file) = unnamed_in(dir) {
        return Ok(Temporary {
            inner: Inner::Unnamed {
                file,
                dir: dir.to_path_buf(),
            },
        });
    }
    named_in(dir)
        .map(|tmp| Temporary {
            inner: Inner::Named(tmp),
        })
        .map_err(file_error(path))
}

fn named_in(dir: &Path) -> std::io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(PREFIX).suffix(SUFFIX);
    // Results are ordinary files (rw-r--r--), not the private 0600 of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir)
}

/// `open(dir, O_TMPFILE)`: `None` where the file system does not support it (then a named
/// temporary is used). See open(2), "O_TMPFILE".
#[cfg(target_os = "linux")]
fn unnamed_in(dir: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .mode(0o644)
        .open(dir)
        .ok()
}

/// Syncs a filled temporary file and renames it to `path`.
pub fn persist(tmp: Temporary, path: &Path) -> Result<(), WriteError> {
    tmp.file().sync_all().map_err(file_error(path))?;
    match tmp.inner {
        #[cfg(target_os = "linux")]
        Inner::Unnamed { file, dir } => {
            link_and_rename(&file, &dir, path).map_err(file_error(path))
        }
        Inner::Named(tmp) => tmp
            .persist(path)
            .map(drop)
            .map_err(|e| file_error(path)(e.error)),
    }
}

/// Gives an unnamed file a temporary name (`linkat` through `/proc/self/fd`, as open(2)
/// describes for `O_TMPFILE`; a link cannot replace an existing file) and renames that over
/// `path` at once. Only a kill in the instant between the two leaves a named temporary.
#[cfg(target_os = "linux")]
fn link_and_rename(file: &File, dir: &Path, path: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let proc_path = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    for attempt in 0..64u32 {
        let name = dir.join(format!(
            "{PREFIX}{}-{}-{attempt}{SUFFIX}",
            std::process::id(),
            unique()
        ));
        let c_name = CString::new(name.as_os_str().as_bytes())?;
        // SAFETY: both paths are NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                libc::AT_FDCWD,
                c_name.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                continue;
            }
            return Err(e);
        }
        return std::fs::rename(&name, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&name);
        });
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "no free temporary name",
    ))
}

/// A number that differs between calls in one process (the name only has to be unused).
#[cfg(target_os = "linux")]
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
/// Writes `value` as pretty JSON with a final newline, atomically (every JSON file surge writes
/// for people to read: summary.json, fit.json, timelines.json, manifests).
pub fn write_json_pretty(path: &Path, value: &impl serde::Serialize) -> Result<(), WriteError> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|source| WriteError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    json.push(b'\n');
    write_atomic(path, &json)
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut tmp = temporary_for(path)?;
    tmp.write_all(bytes).map_err(file_error(path))?;
    persist(tmp, path)
}

/// Creates the output folder (and its parents).
pub fn create_folder(path: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(path).map_err(|source| WriteError::Folder {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o644, 0o644, "results are readable by all: {mode:o}");
        }
    }

    /// A kill during writing runs no destructor: `mem::forget` stands in for `kill -9`.
    /// Nothing may be left beside the target, and the earlier result stays whole.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_killed_before_rename_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fitted.toml");
        write_atomic(&path, b"old").unwrap();
        let mut tmp = temporary_for(&path).unwrap();
        tmp.write_all(b"half of the new").unwrap();
        std::mem::forget(tmp);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("fitted.toml")]);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
    }
}
