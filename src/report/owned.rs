//! What surge owns in a folder: every folder it writes holds `surge-manifest.json`, the names and
//! SHA-256 of the files it wrote there, and surge replaces or removes only what that manifest
//! lists with the bytes it lists. Anything else (a user's notes, a file changed since, a link, a
//! folder surge did not make) is foreign: a folder holding it is never replaced or removed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest's file name inside a folder surge wrote.
pub const MANIFEST: &str = "surge-manifest.json";

/// The manifest is small (a name and a hash per file); a larger one is not surge's.
const MANIFEST_CAP: u64 = 16 << 20;

/// The files surge wrote in a folder, by path relative to it (`/`-separated), with their
/// SHA-256; `folders` are the subfolders it made.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owned {
    pub surge_version: String,
    pub files: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OwnedError {
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] super::atomic::WriteError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> OwnedError + '_ {
    |source| OwnedError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The SHA-256 of a file, read in blocks (result files can be large).
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    // sha2 0.11 has no io::Write; hash in blocks.
    let mut file = crate::scenario::bounded::open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    Ok(super::parts::hex(&hasher.finalize()))
}

/// The manifest of `dir`, if it holds a readable one (a regular file under the cap that parses).
pub fn read(dir: &Path) -> Option<Owned> {
    let path = dir.join(MANIFEST);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.file_type().is_file() || meta.len() > MANIFEST_CAP {
        return None;
    }
    serde_json::from_slice(&std::fs::read(&path).ok()?).ok()
}

/// Every entry below `dir` (not following links), as relative `/`-separated paths: files and
/// anything that is neither file nor folder in `files`, folders in `folders`; sorted.
fn walk(dir: &Path) -> Result<(Vec<String>, Vec<String>), OwnedError> {
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        for entry in std::fs::read_dir(&path).map_err(io(&path))? {
            let entry = entry.map_err(io(&path))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(io(&entry.path()))?;
            if kind.is_dir() {
                folders.push(rel.clone());
                stack.push((entry.path(), rel));
            } else {
                files.push(rel);
            }
        }
    }
    files.sort();
    folders.sort();
    Ok((files, folders))
}

/// Records every file below `dir` as surge's (a folder it has just written whole, e.g. a staging
/// folder before its commit): writes `dir/surge-manifest.json`.
pub fn record(dir: &Path) -> Result<(), OwnedError> {
    let (files, folders) = walk(dir)?;
    let mut owned = Owned {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        files: BTreeMap::new(),
        folders,
    };
    for rel in files.into_iter().filter(|f| f != MANIFEST) {
        let path = dir.join(&rel);
        let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
        if meta.file_type().is_file() {
            owned
                .files
                .insert(rel, file_sha256(&path).map_err(io(&path))?);
        }
    }
    super::atomic::write_json_pretty(&dir.join(MANIFEST), &owned)?;
    Ok(())
}

/// Adds (or updates) the files `names` (relative to `dir`), just written by surge, to `dir`'s
/// manifest, e.g. plots drawn again or report.html. `dir` must already be surge's.
pub fn add(dir: &Path, names: &[String]) -> Result<(), OwnedError> {
    let mut owned = read(dir).unwrap_or_else(|| Owned {
        surge_version: env!("CARGO_PKG_VERSION").to_string(),
        ..Owned::default()
    });
    for rel in names {
        let path = dir.join(rel);
        owned
            .files
            .insert(rel.clone(), file_sha256(&path).map_err(io(&path))?);
    }
    super::atomic::write_json_pretty(&dir.join(MANIFEST), &owned)?;
    Ok(())
}

/// The entries below `dir` that surge did not write (not in its manifest, or changed since),
/// each with why; empty when surge may replace or remove the whole folder. Without a manifest,
/// every entry is foreign.
pub fn foreign(dir: &Path) -> Result<Vec<String>, OwnedError> {
    let owned = read(dir);
    let (files, folders) = walk(dir)?;
    let mut found = Vec::new();
    let Some(owned) = owned else {
        // Name the top-level entries only: they are what the user sees.
        let mut top: Vec<String> = files
            .iter()
            .chain(&folders)
            .filter(|rel| !rel.contains('/'))
            .cloned()
            .collect();
        top.sort();
        return Ok(top);
    };
    for rel in files.iter().filter(|f| *f != MANIFEST) {
        let path = dir.join(rel);
        let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
        match owned.files.get(rel) {
            None => found.push(rel.clone()),
            Some(_) if !meta.file_type().is_file() => {
                found.push(format!("{rel} (not a regular file)"))
            }
            Some(hash) => {
                if file_sha256(&path).map_err(io(&path))? != *hash {
                    found.push(format!("{rel} (changed since surge wrote it)"));
                }
            }
        }
    }
    for rel in &folders {
        let listed = owned.folders.contains(rel);
        let holds_owned = owned
            .files
            .keys()
            .any(|f| f.starts_with(&format!("{rel}/")));
        if !listed && !holds_owned {
            found.push(format!("{rel}/"));
        }
    }
    found.sort();
    Ok(found)
}

/// Removes what surge wrote in `dir` (the files its manifest lists, with their recorded bytes,
/// the manifest, the folders it made once empty, and `dir` itself once empty); leaves anything
/// else where it is. Returns whether `dir` is gone.
pub fn remove(dir: &Path) -> Result<bool, OwnedError> {
    let Some(owned) = read(dir) else {
        return Ok(false);
    };
    for (rel, hash) in &owned.files {
        let path = dir.join(rel);
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        if is_file && file_sha256(&path).is_ok_and(|h| h == *hash) {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    let _ = std::fs::remove_file(dir.join(MANIFEST));
    // Deepest folders first; `remove_dir` removes only empty ones.
    let mut folders: Vec<&String> = owned.folders.iter().collect();
    folders.sort_by_key(|f| std::cmp::Reverse(f.matches('/').count()));
    for rel in folders {
        let _ = std::fs::remove_dir(dir.join(rel));
    }
    Ok(std::fs::remove_dir(dir).is_ok())
}

/// Whether surge may replace the single file `path` that a command writes outside any results
/// folder (`fit --fitted`, `validate --markdown`): absent, or a regular file whose text
/// `is_ours` recognises as that command's (by the first lines it writes). Such files carry no
/// manifest of their own, so their content says who wrote them.
pub fn replaceable_file(path: &Path, is_ours: impl Fn(&str) -> bool) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return true;
    };
    meta.is_file()
        && crate::scenario::bounded::read_text_capped(
            path,
            crate::scenario::bounded::MAX_INPUT_BYTES,
        )
        .is_ok_and(|t| is_ours(&t))
}

/// Whether `path` is the working folder or one of its parents (never a target of surge's).
pub fn holds_working_folder(path: &Path) -> bool {
    let (Ok(target), Ok(cwd)) = (path.canonicalize(), std::env::current_dir()) else {
        return false;
    };
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    cwd.starts_with(&target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recorded_unchanged_files_are_surge_s() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("summary.json"), "{}").unwrap();
        std::fs::write(d.join("sub/part.bin"), "x").unwrap();
        record(d).unwrap();
        assert!(foreign(d).unwrap().is_empty());
        std::fs::write(d.join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(d.join("mine")).unwrap();
        std::fs::write(d.join("summary.json"), "{\"edited\":1}").unwrap();
        assert_eq!(
            foreign(d).unwrap(),
            vec![
                "mine/".to_string(),
                "notes.txt".into(),
                "summary.json (changed since surge wrote it)".into()
            ]
        );
        // Removing takes only the unchanged recorded files; the rest stays byte for byte.
        assert!(!remove(d).unwrap());
        assert_eq!(std::fs::read(d.join("notes.txt")).unwrap(), b"mine");
        assert_eq!(
            std::fs::read(d.join("summary.json")).unwrap(),
            b"{\"edited\":1}"
        );
        assert!(!d.join("sub").exists());
        assert!(d.join("mine").is_dir());
    }

    #[test]
    fn a_folder_without_manifest_is_all_foreign() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summary.json"), "{}").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.c"), "int main;").unwrap();
        assert_eq!(
            foreign(dir.path()).unwrap(),
            vec!["src".to_string(), "summary.json".into()]
        );
        assert!(!remove(dir.path()).unwrap());
        assert!(dir.path().join("src/main.c").is_file());
    }

    #[test]
    fn the_working_folder_and_its_parents_hold_it() {
        let cwd = std::env::current_dir().unwrap();
        assert!(holds_working_folder(&cwd));
        assert!(holds_working_folder(Path::new(".")));
        assert!(holds_working_folder(Path::new("..")));
        assert!(holds_working_folder(Path::new("/")));
        let dir = tempfile::tempdir().unwrap();
        assert!(!holds_working_folder(dir.path()));
    }
}
