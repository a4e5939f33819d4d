//! Work split into shards, shared by `run`, `sweep` and `sensitivity`: which shard this is, where
//! the parts go, what a plan hashes, computing a part's points with a journal that survives an
//! interruption, and reading the parts back for `merge`.

use super::progress::Progress;
use super::{Context, Error, Result, refuse};
use crate::report::parts::{Journal, Manifest, read_journal, write_manifest};
use crate::report::plot::PlotSize;
use crate::report::shard::Shard;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A request's share of the work.
#[derive(Debug, Clone, Default)]
pub struct ShardChoice {
    /// Do only this shard and write it as a part [default: from the scheduler's environment
    /// (`Shard::from_env`), else the whole work].
    pub shard: Option<Shard>,
    /// Folder of the shards' parts [default: `<out>.parts`].
    pub parts: Option<PathBuf>,
}

impl ShardChoice {
    /// The shard this invocation does: the request's, else the scheduler's environment, else all.
    pub fn shard(&self) -> Result<Shard> {
        Ok(match self.shard {
            Some(s) => s,
            None => Shard::from_env(|k| std::env::var(k).ok())?.unwrap_or(Shard::WHOLE),
        })
    }

    /// The parts folder: the request's, else `<out>.parts`.
    pub fn parts_folder(&self, out: &Path) -> PathBuf {
        self.parts
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.parts", out.display())))
    }
}

/// What a sharded workflow gives back: its whole result, or a part written for `merge`.
#[derive(Debug)]
pub enum Sharded<T> {
    Whole(T),
    /// One shard of several is done; `note` says where it is and what to run next.
    Part {
        note: String,
    },
}

/// The SHA-256 of a file's bytes, or "none" if there is no file.
pub fn file_hash(path: Option<&Path>) -> Result<String> {
    let Some(path) = path else {
        return Ok("none".into());
    };
    crate::report::owned::file_sha256(path).with_context(|| format!("reading {}", path.display()))
}

/// The plot size a command's plan recorded (its width and height).
pub fn plan_size(plan: &serde_json::Value) -> Result<PlotSize> {
    let side = |key: &str, default: u64| plan[key].as_u64().unwrap_or(default) as u32;
    Ok(PlotSize::new(side("width", 1600), side("height", 1000))?)
}

/// Marks a part complete; for one shard of several, returns what it says (the caller stops
/// there; a whole piece of work goes on to merge its only part).
pub fn finish_shard(folder: &Path, manifest: &Manifest, parts: &Path) -> Result<Option<String>> {
    write_manifest(folder, manifest)?;
    if manifest.shard.count == 1 {
        return Ok(None);
    }
    Ok(Some(manifest.done_message(parts)))
}

/// Computes the points of `range` not yet in the part's journal, in parallel (each point's
/// runs in parallel too, so small points keep every core busy), appending each to the journal
/// as it finishes; `progress` counts runs and says how many points are done.
pub fn run_part<T>(
    folder: &Path,
    range: std::ops::Range<u64>,
    point_of: impl Fn(&T) -> u64,
    runs_per_point: u64,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    compute: impl Fn(u64, &(dyn Fn() + Sync)) -> Result<T> + Sync,
) -> Result<()>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send,
{
    use std::sync::atomic::{AtomicU64, Ordering};
    let (journal, done) = Journal::open::<T>(folder)?;
    let done: std::collections::BTreeSet<u64> = done.iter().map(point_of).collect();
    let pending: Vec<u64> = range.clone().filter(|p| !done.contains(p)).collect();
    progress.start(pending.len() as u64 * runs_per_point);
    let of = range.end - range.start;
    let finished = AtomicU64::new(of - pending.len() as u64);
    progress.status(&format!("points {}/{of}", finished.load(Ordering::Relaxed)));
    let journal = Mutex::new(journal);
    // As many points at a time as there are workers, so that points finish (and are saved)
    // steadily rather than all near the end; each point's runs are parallel too, so the
    // workers stay busy when a point's runs are few.
    let at_once = pool.current_num_threads().max(1);
    pool.install(|| {
        pending.chunks(at_once).try_for_each(|chunk| {
            chunk.par_iter().try_for_each(|&p| -> Result<()> {
                let result = compute(p, &|| progress.advance(1))?;
                journal
                    .lock()
                    .map_err(|_| Error::Refused("a worker failed while saving a point".into()))?
                    .append(&result)?;
                let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                progress.status(&format!("points {n}/{of}"));
                Ok(())
            })
        })
    })?;
    progress.finish();
    Ok(())
}

/// The units (points) the parts hold, once each, in design order: each part's journal must
/// hold exactly its share (duplicate lines, from a shard run twice, count once).
pub fn units_of_parts<T: serde::de::DeserializeOwned>(
    parts: &[(PathBuf, Manifest)],
    point_of: impl Fn(&T) -> u64,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    for (folder, m) in parts {
        let mut rows: Vec<T> = read_journal(folder)?;
        rows.sort_by_key(&point_of);
        rows.dedup_by_key(|r| point_of(r));
        if rows.iter().map(&point_of).ne(m.start..m.end) {
            refuse!(
                "{}: does not hold exactly points {}..{}; run its shard again",
                folder.display(),
                m.start,
                m.end
            );
        }
        all.extend(rows);
    }
    Ok(all)
}
