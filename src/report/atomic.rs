//! Atomic file output: write a temporary file in the target folder, then rename it into place,
//! so a killed run never leaves a half-written result.

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
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    |source| WriteError::File {
        path: path.to_path_buf(),
        source,
    }
}

/// A temporary file in the folder of `path`, to be filled and then [`persist`]ed as `path`
/// (removed if dropped first).
pub fn temporary_for(path: &Path) -> Result<NamedTempFile, WriteError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".surge-").suffix(".tmp");
    // Results are ordinary files (rw-r--r--), not the private 0600 of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir).map_err(file_error(path))
}

/// Syncs a filled temporary file and renames it to `path`.
pub fn persist(tmp: NamedTempFile, path: &Path) -> Result<(), WriteError> {
    tmp.as_file().sync_all().map_err(file_error(path))?;
    tmp.persist(path).map_err(|e| file_error(path)(e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
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
    }
}
