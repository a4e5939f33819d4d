//! `slurm`: the scripts that run a command as a Slurm job array, one shard per task, and merge
//! the parts in a job that starts only when every task has succeeded (`--dependency=afterok`).

use super::{Context, Result, refuse};
use crate::report::shard::MAX_SHARDS;
use std::path::{Path, PathBuf};

/// Slurm's default MaxArraySize is 1001, so array indices 0..=1000.
pub const SLURM_DEFAULT_MAX_ARRAY: u64 = 1001;

/// What `slurm` is asked to write. The command is checked by the caller (it parses it as
/// surge's command line would, so a typo fails here, not on the cluster).
#[derive(Debug, Clone)]
pub struct SlurmRequest {
    /// Array tasks (shards).
    pub tasks: u64,
    /// Folder for the scripts.
    pub dir: PathBuf,
    pub cpus_per_task: u32,
    /// Time limit per task (sbatch --time).
    pub time: String,
    pub partition: Option<String>,
    /// The surge binary the jobs run [default: the running one].
    pub surge: Option<PathBuf>,
    /// The command to shard and its arguments (`run`, `sweep` or `sensitivity` first).
    pub command: Vec<String>,
    /// The command's own parts folder, if it gives one [default: <dir>/parts].
    pub parts: Option<PathBuf>,
}

/// The scripts written.
#[derive(Debug)]
pub struct SlurmScripts {
    pub dir: PathBuf,
    pub tasks: u64,
    /// A caution worth showing (more tasks than Slurm's default array size).
    pub caution: Option<String>,
}

/// A word quoted for bash (single quotes; a single quote inside becomes '\'').
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn absolute(path: &Path) -> Result<PathBuf> {
    Ok(if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current folder")?
            .join(path)
    })
}

pub fn slurm(request: &SlurmRequest) -> Result<SlurmScripts> {
    let n = request.tasks;
    if n == 0 || n > MAX_SHARDS {
        refuse!("--tasks {n}: expected 1 to {MAX_SHARDS}");
    }
    let Some(what) = request.command.first() else {
        refuse!("give the command to shard after --");
    };
    let caution = (n > SLURM_DEFAULT_MAX_ARRAY).then(|| {
        format!(
            "note: --tasks {n} is above Slurm's default MaxArraySize ({SLURM_DEFAULT_MAX_ARRAY}); each task already runs many runs on its cores, so fewer, larger tasks are usually better"
        )
    });
    let dir = absolute(&request.dir)?;
    let parts = match &request.parts {
        Some(p) => absolute(p)?,
        None => dir.join("parts"),
    };
    let surge = match &request.surge {
        Some(p) => absolute(p)?,
        None => std::env::current_exe().context("finding this surge binary")?,
    };
    let workdir = std::env::current_dir().context("reading the current folder")?;
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let mut words: Vec<String> = request.command.iter().map(|w| quote(w)).collect();
    if request.parts.is_none() {
        words.push("--parts".into());
        words.push(quote(&parts.display().to_string()));
    }
    let command = words.join(" ");
    let partition = request
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
    let array = format!(
        "#!/bin/bash\n\
         # Written by `surge slurm`: shard $SLURM_ARRAY_TASK_ID of {n} of `surge {what}`.\n\
         #SBATCH --job-name=surge-{what}\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --time={time}\n\
         #SBATCH --output={logs}/shard-%a.out\n\
         {partition}\
         set -euo pipefail\n\
         cd {workdir}\n\
         exec {surge} {command} \\\n    --shard \"$((SLURM_ARRAY_TASK_ID - ${{SLURM_ARRAY_TASK_MIN:-0}}))/{n}\" \\\n    --threads \"${{SLURM_CPUS_PER_TASK:-{cpus}}}\" --quiet\n",
        last = n - 1,
        cpus = request.cpus_per_task,
        time = request.time,
        logs = logs.display(),
        workdir = quote(&workdir.display().to_string()),
        surge = quote(&surge.display().to_string()),
    );
    let merge = format!(
        "#!/bin/bash\n\
         # Written by `surge slurm`: merges the {n} shards once all have succeeded.\n\
         #SBATCH --job-name=surge-merge\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --time={time}\n\
         #SBATCH --output={logs}/merge.out\n\
         {partition}\
         set -euo pipefail\n\
         cd {workdir}\n\
         exec {surge} merge {parts}\n",
        time = request.time,
        logs = logs.display(),
        workdir = quote(&workdir.display().to_string()),
        surge = quote(&surge.display().to_string()),
        parts = quote(&parts.display().to_string()),
    );
    let submit = format!(
        "#!/bin/bash\n\
         # Written by `surge slurm`: submits the array, then the merge job that waits for it.\n\
         set -euo pipefail\n\
         array=$(sbatch --parsable {a})\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterok:$array {m})\n\
         merge=${{merge%%;*}}\n\
         echo \"array job $array ({n} tasks), merge job $merge (after every task succeeds)\"\n\
         echo \"$array $merge\" > {ids}\n",
        a = quote(&dir.join("array.sbatch").display().to_string()),
        m = quote(&dir.join("merge.sbatch").display().to_string()),
        ids = quote(&dir.join("job-ids").display().to_string()),
    );
    for (name, text) in [
        ("array.sbatch", array),
        ("merge.sbatch", merge),
        ("submit.sh", submit),
    ] {
        let path = dir.join(name);
        crate::report::atomic::write_atomic(&path, text.as_bytes())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("making {} executable", path.display()))?;
    }
    Ok(SlurmScripts {
        dir,
        tasks: n,
        caution,
    })
}
