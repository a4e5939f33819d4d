//! A shard's part of a piece of work on disk, and the checks that let `surge merge` put the
//! parts back together: each part is a folder `shard-<I>-of-<N>` holding a `manifest.json`
//! (what command, on what inputs, which share of the work, by which surge) beside the part's
//! data, and a journal of finished points that survives an interrupted run.

use super::shard::Shard;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The commands whose work splits into shards (named in a manifest as `run`, `sweep`,
/// `sensitivity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShardedCommand {
    Run,
    Sweep,
    Sensitivity,
}

impl ShardedCommand {
    pub fn name(self) -> &'static str {
        match self {
            ShardedCommand::Run => "run",
            ShardedCommand::Sweep => "sweep",
            ShardedCommand::Sensitivity => "sensitivity",
        }
    }
    /// What its units of work are.
    pub fn units(self) -> &'static str {
        match self {
            ShardedCommand::Run => "runs",
            _ => "points",
        }
    }
}

/// What a part is a part of, and which share of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub surge_version: String,
    pub command: ShardedCommand,
    /// Scenario name and file, and the SHA-256 of the file's text.
    pub scenario: String,
    pub scenario_file: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub shard: Shard,
    /// The share of the work this part holds: units `[start, end)` of `total` (runs for `run`,
    /// points for `sweep` and `sensitivity`).
    pub start: u64,
    pub end: u64,
    pub total: u64,
    /// SHA-256 of `plan`: parts merge only with parts of the same plan.
    pub plan_sha256: String,
    /// Everything that decides the results (the command's settings and the hashes of its
    /// input files), so `surge merge` can redo the outputs.
    pub plan: serde_json::Value,
    /// Where the merged outputs go unless `surge merge --out` says otherwise.
    pub out: String,
    /// Whether every unit of the share is done and saved.
    pub complete: bool,
    /// The SHA-256 of every data file of the part, recorded when it is complete; `merge`
    /// refuses a part whose files differ.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest of shard `shard` of `total` units of `command` on `scenario`, complete.
    pub fn new(
        command: ShardedCommand,
        scenario: &crate::scenario::Scenario,
        seed: u64,
        shard: Shard,
        total: u64,
        plan: serde_json::Value,
        out: &Path,
    ) -> Self {
        let range = shard.range(total);
        Manifest {
            surge_version: env!("CARGO_PKG_VERSION").to_string(),
            command,
            scenario: scenario.name.clone(),
            scenario_file: scenario.file.display().to_string(),
            scenario_sha256: scenario.sha256.clone(),
            seed,
            shard,
            start: range.start,
            end: range.end,
            total,
            plan_sha256: plan_hash(&plan),
            plan,
            out: out.display().to_string(),
            complete: true,
            files: Default::default(),
        }
    }

    /// What a finished shard says: its share, where it is, and what to run next.
    pub fn done_message(&self, parts: &Path) -> String {
        format!(
            "shard {}: {} {}..{} of {} written to {}; when every shard is done: surge merge {}",
            self.shard,
            self.command.units(),
            self.start,
            self.end,
            self.total,
            part_folder(parts, self.shard).display(),
            parts.display()
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PartsError {
    #[error("{0} has no shard parts (folders shard-<I>-of-<N> with a manifest.json)")]
    NoParts(PathBuf),
    #[error(
        "{given} is an output folder, not a folder of parts; surge merge wants the folder of parts (by default beside it: surge merge {parts})"
    )]
    OutputNotParts { given: PathBuf, parts: PathBuf },
    #[error("{path}: cannot read the manifest: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("shard {index} of {count} is missing: no {path} (run that shard, then merge again)")]
    Missing {
        index: u64,
        count: u64,
        path: PathBuf,
    },
    #[error("shard {index} appears twice ({first} and {second}); remove one")]
    Duplicate {
        index: u64,
        first: PathBuf,
        second: PathBuf,
    },
    #[error(
        "{path} does not belong with {reference}: {what} differs ({found:?} against {expected:?}); parts of one piece of work must come from the same command, inputs and surge version"
    )]
    Mismatch {
        path: PathBuf,
        reference: PathBuf,
        what: &'static str,
        found: String,
        expected: String,
    },
    #[error("{path} is not finished ({done} of its units saved); run its shard again to finish it")]
    Incomplete { path: PathBuf, done: String },
    #[error(
        "{path} holds another piece of work (plan {found}, not {expected}); use --force to start it over, or another --parts"
    )]
    OtherWork {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{path}: {message}")]
    Damaged { path: PathBuf, message: String },
    #[error("another surge command is writing the part {0}; wait for it or use another --out")]
    Busy(PathBuf),
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> PartsError + '_ {
    |source| PartsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Bytes (a digest) in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a plan's canonical JSON (serde_json keeps map keys sorted).
pub fn plan_hash(plan: &serde_json::Value) -> String {
    sha256_hex(plan.to_string().as_bytes())
}

/// The folder of shard `shard` under `parts`.
pub fn part_folder(parts: &Path, shard: Shard) -> PathBuf {
    parts.join(format!("shard-{}-of-{}", shard.index, shard.count))
}

/// The files a part may hold: its manifest, its journal and its data.
const PART_FILES: [&str; 6] = [
    "manifest.json",
    JOURNAL,
    "runs.csv",
    "summaries.bin",
    "single.bin",
    "engine.json",
];

/// Writes a part's manifest atomically; a complete one records the SHA-256 of each data file.
pub fn write_manifest(folder: &Path, manifest: &Manifest) -> Result<(), PartsError> {
    let path = folder.join("manifest.json");
    let mut manifest = manifest.clone();
    manifest.files.clear();
    if manifest.complete {
        for name in &PART_FILES[1..] {
            let file = folder.join(name);
            if file.is_file() {
                let hash = super::owned::file_sha256(&file).map_err(io(&file))?;
                manifest.files.insert(name.to_string(), hash);
            }
        }
    }
    super::atomic::write_json_pretty(&path, &manifest).map_err(|e| PartsError::Damaged {
        path,
        message: e.to_string(),
    })
}

/// Checks that a complete part's data files are the ones its shard wrote (their recorded
/// SHA-256).
fn verify_files(folder: &Path, m: &Manifest) -> Result<(), PartsError> {
    if m.files.is_empty() && m.start < m.end {
        return Err(PartsError::Damaged {
            path: folder.to_path_buf(),
            message:
                "its manifest records no file hashes (an older surge wrote it); run its shard again"
                    .into(),
        });
    }
    for (name, hash) in &m.files {
        let path = folder.join(name);
        let found = super::owned::file_sha256(&path).map_err(io(&path))?;
        if found != *hash {
            return Err(PartsError::Damaged {
                path,
                message: format!(
                    "changed since its shard wrote it (SHA-256 {} now, {} recorded); run that shard again",
                    &found[..12],
                    &hash[..12.min(hash.len())]
                ),
            });
        }
    }
    Ok(())
}

/// The known files of a part folder that are there, or `None` if it holds anything else (a
/// folder, a link, a file a shard does not write).
fn part_files(folder: &Path) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name();
        let known = PART_FILES.iter().any(|f| name == *f);
        if !known || !entry.file_type().ok()?.is_file() {
            return None;
        }
        found.push(entry.path());
    }
    Some(found)
}

/// Removes the part folder `folder` if it holds only a shard's files; otherwise refuses, naming
/// it, and removes nothing.
fn remove_part(folder: &Path) -> Result<(), PartsError> {
    let Some(files) = part_files(folder) else {
        return Err(PartsError::Damaged {
            path: folder.to_path_buf(),
            message: "holds files a shard does not write, so surge leaves it as it is; use another --parts".into(),
        });
    };
    for f in files {
        std::fs::remove_file(&f).map_err(io(&f))?;
    }
    std::fs::remove_dir(folder).map_err(io(folder))
}

/// After a merge: removes each part that holds only the files its complete manifest records
/// (unchanged), then the folder of parts if that leaves it empty; returns whether the folder
/// is gone. Anything else (a user's file or folder, a changed part) stays where it is, and the
/// working folder is never removed.
pub fn remove_parts(parts: &Path) -> Result<bool, PartsError> {
    for entry in std::fs::read_dir(parts).map_err(io(parts))? {
        let entry = entry.map_err(io(parts))?;
        let path = entry.path();
        let named = entry.file_name().to_string_lossy().starts_with("shard-");
        if !named || !entry.file_type().map_err(io(&path))?.is_dir() {
            continue;
        }
        let (Ok(m), Some(files)) = (read_manifest(&path), part_files(&path)) else {
            continue;
        };
        let listed = files.iter().all(|f| {
            f.file_name().is_some_and(|n| {
                n == "manifest.json" || m.files.contains_key(&*n.to_string_lossy())
            })
        });
        if m.complete && listed && verify_files(&path, &m).is_ok() {
            remove_part(&path)?;
        }
    }
    if super::owned::holds_working_folder(parts) {
        return Ok(false);
    }
    Ok(std::fs::remove_dir(parts).is_ok())
}

pub fn read_manifest(folder: &Path) -> Result<Manifest, PartsError> {
    let path = folder.join("manifest.json");
    let bytes =
        crate::scenario::bounded::read_capped(&path, crate::scenario::bounded::MAX_INPUT_BYTES)
            .map_err(io(&path))?;
    serde_json::from_slice(&bytes).map_err(|e| PartsError::Manifest {
        path,
        message: e.to_string(),
    })
}

/// Opens (or starts) the folder of a part: an existing part of the same plan is kept, so an
/// interrupted shard resumes; one of another plan is refused unless `force`.
pub fn open_part(folder: &Path, manifest: &Manifest, force: bool) -> Result<(), PartsError> {
    if folder.join("manifest.json").is_file() {
        let found = read_manifest(folder);
        match found {
            Ok(m) if m.plan_sha256 == manifest.plan_sha256 && m.shard == manifest.shard => {
                if m.complete {
                    return Ok(());
                }
            }
            Ok(m) if !force => {
                return Err(PartsError::OtherWork {
                    path: folder.to_path_buf(),
                    found: m.plan_sha256[..12].to_string(),
                    expected: manifest.plan_sha256[..12].to_string(),
                });
            }
            Err(e) if !force => return Err(e),
            _ => remove_part(folder)?,
        }
    }
    std::fs::create_dir_all(folder).map_err(io(folder))?;
    let mut started = manifest.clone();
    started.complete = false;
    write_manifest(folder, &started)
}

/// The parts under `parts`, checked to be every shard of one piece of work exactly once, all
/// complete, from the same plan and surge version; in shard order.
pub fn collect_parts(parts: &Path) -> Result<Vec<(PathBuf, Manifest)>, PartsError> {
    let mut found: Vec<(PathBuf, Manifest)> = Vec::new();
    let entries = std::fs::read_dir(parts).map_err(io(parts))?;
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("shard-"))
        })
        .collect();
    folders.sort();
    for folder in folders {
        let m = read_manifest(&folder)?;
        found.push((folder, m));
    }
    let Some((reference, first)) = found.first().cloned() else {
        // Given the results folder instead of its parts: name the folder it wants.
        if parts.join("summary.json").is_file() {
            return Err(PartsError::OutputNotParts {
                given: parts.to_path_buf(),
                parts: PathBuf::from(format!("{}.parts", parts.display())),
            });
        }
        return Err(PartsError::NoParts(parts.to_path_buf()));
    };
    for (path, m) in &found {
        let checks: [(&'static str, String, String); 6] = [
            (
                "the surge version",
                m.surge_version.clone(),
                first.surge_version.clone(),
            ),
            (
                "the command",
                m.command.name().to_string(),
                first.command.name().to_string(),
            ),
            (
                "the scenario file's SHA-256",
                m.scenario_sha256.clone(),
                first.scenario_sha256.clone(),
            ),
            ("the seed", m.seed.to_string(), first.seed.to_string()),
            (
                "the number of shards",
                m.shard.count.to_string(),
                first.shard.count.to_string(),
            ),
            (
                "the plan (settings and input files)",
                m.plan_sha256.clone(),
                first.plan_sha256.clone(),
            ),
        ];
        for (what, found, expected) in checks {
            if found != expected {
                return Err(PartsError::Mismatch {
                    path: path.clone(),
                    reference: reference.clone(),
                    what,
                    found,
                    expected,
                });
            }
        }
    }
    let count = first.shard.count;
    let mut by_index: Vec<Option<(PathBuf, Manifest)>> = vec![None; count as usize];
    for (path, m) in found {
        let slot = &mut by_index[m.shard.index as usize];
        if let Some((first, _)) = slot {
            return Err(PartsError::Duplicate {
                index: m.shard.index,
                first: first.clone(),
                second: path,
            });
        }
        *slot = Some((path, m));
    }
    let mut ordered = Vec::with_capacity(count as usize);
    for (index, part) in by_index.into_iter().enumerate() {
        let index = index as u64;
        let (path, m) = part.ok_or_else(|| PartsError::Missing {
            index,
            count,
            path: part_folder(parts, Shard { index, count }),
        })?;
        let want = Shard { index, count }.range(m.total);
        if (m.start, m.end) != (want.start, want.end) || m.total != first.total {
            return Err(PartsError::Mismatch {
                path,
                reference: reference.clone(),
                what: "the share of the work",
                found: format!("{}..{} of {}", m.start, m.end, m.total),
                expected: format!("{}..{} of {}", want.start, want.end, first.total),
            });
        }
        if !m.complete {
            return Err(PartsError::Incomplete {
                path,
                done: "not all".into(),
            });
        }
        verify_files(&path, &m)?;
        ordered.push((path, m));
    }
    Ok(ordered)
}

/// A part's journal of finished units: one JSON line each, appended and synced as each
/// finishes, so an interrupted shard loses at most the line being written.
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
}

/// The file name of a part's journal.
pub const JOURNAL: &str = "points.jsonl";

impl Journal {
    /// Opens the journal of `folder` for appending, and reads the units already in it (a last
    /// line cut short by a kill is dropped and overwritten).
    pub fn open<T: serde::de::DeserializeOwned>(
        folder: &Path,
    ) -> Result<(Self, Vec<T>), PartsError> {
        let path = folder.join(JOURNAL);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path))?;
        // One writer at a time: a second command on the same part is refused, not interleaved.
        use fs4::fs_std::FileExt;
        if !file.try_lock_exclusive().map_err(io(&path))? {
            return Err(PartsError::Busy(folder.to_path_buf()));
        }
        let text = crate::scenario::bounded::read_text(&path).map_err(io(&path))?;
        let (done, good_bytes) = read_lines(&path, &text, true)?;
        file.set_len(good_bytes as u64).map_err(io(&path))?;
        let mut journal = Journal { path, file };
        use std::io::Seek;
        journal
            .file
            .seek(std::io::SeekFrom::End(0))
            .map_err(io(&journal.path))?;
        Ok((journal, done))
    }

    /// Appends one finished unit and syncs it to disk.
    pub fn append<T: Serialize>(&mut self, unit: &T) -> Result<(), PartsError> {
        let mut line = serde_json::to_vec(unit).map_err(|e| PartsError::Damaged {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(io(&self.path))?;
        self.file.sync_data().map_err(io(&self.path))
    }
}

/// Reads a complete part's journal.
pub fn read_journal<T: serde::de::DeserializeOwned>(folder: &Path) -> Result<Vec<T>, PartsError> {
    let path = folder.join(JOURNAL);
    let text = crate::scenario::bounded::read_text(&path).map_err(io(&path))?;
    Ok(read_lines(&path, &text, false)?.0)
}

/// The units of a journal's text and the length of its whole lines; `lenient`: a last line
/// without its newline (cut short) is dropped rather than refused.
fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    lenient: bool,
) -> Result<(Vec<T>, usize), PartsError> {
    let mut done = Vec::new();
    let mut good = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if !line.ends_with('\n') && lenient {
            break;
        }
        let unit = serde_json::from_str(line.trim_end()).map_err(|e| PartsError::Damaged {
            path: path.to_path_buf(),
            message: format!("line {}: {e}", n + 1),
        })?;
        done.push(unit);
        good += line.len();
    }
    Ok((done, good))
}

#[cfg(test)]
mod journal_tests {
    use super::*;

    /// Two commands on one part used to interleave its journal; the second is refused.
    #[test]
    fn a_second_writer_of_a_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, done) = Journal::open::<u64>(dir.path()).unwrap();
        assert!(done.is_empty());
        first.append(&1u64).unwrap();
        assert!(matches!(
            Journal::open::<u64>(dir.path()),
            Err(PartsError::Busy(_))
        ));
        drop(first);
        let (_, done) = Journal::open::<u64>(dir.path()).unwrap();
        assert_eq!(done, vec![1]);
    }
}
