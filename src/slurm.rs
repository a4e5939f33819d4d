//! `surge slurm`: the scripts that run a command as a Slurm job array, one shard per task, and
//! merge the parts in a job that starts only when every task has succeeded.

use crate::cli::{Cli, Command, SlurmArgs};
use anyhow::{Context, Result, bail};
use clap::Parser;
use std::path::{Path, PathBuf};
use surge::explore::shard::MAX_SHARDS;

/// Slurm's default MaxArraySize is 1001, so array indices 0..=1000.
const SLURM_DEFAULT_MAX_ARRAY: u64 = 1001;

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

pub fn slurm_command(args: &SlurmArgs) -> Result<()> {
    if args.tasks == 0 || args.tasks > MAX_SHARDS {
        bail!("--tasks {}: expected 1 to {MAX_SHARDS}", args.tasks);
    }
    if args.tasks > SLURM_DEFAULT_MAX_ARRAY {
        eprintln!(
            "note: --tasks {} is above Slurm's default MaxArraySize ({SLURM_DEFAULT_MAX_ARRAY}); each task already runs many runs on its cores, so fewer, larger tasks are usually better",
            args.tasks
        );
    }
    // The command is parsed as surge would parse it, so a typo fails here, not on the cluster.
    let mut argv = vec!["surge".to_string()];
    argv.extend(args.command.iter().cloned());
    let parsed =
        Cli::try_parse_from(&argv).map_err(|e| anyhow::anyhow!("the command after --: {e}"))?;
    let shards = match &parsed.command {
        Command::Run(a) => &a.shards,
        Command::Sweep(a) => &a.shards,
        Command::Sensitivity(a) => &a.shards,
        _ => bail!(
            "surge slurm shards `run`, `sweep` or `sensitivity`, not {:?}",
            args.command[0]
        ),
    };
    if shards.shard.is_some() {
        bail!("the command after -- must not give --shard: each array task takes its own");
    }
    let dir = absolute(&args.dir)?;
    let parts = match &shards.parts {
        Some(p) => absolute(p)?,
        None => dir.join("parts"),
    };
    let surge = match &args.surge {
        Some(p) => absolute(p)?,
        None => std::env::current_exe().context("finding this surge binary")?,
    };
    let workdir = std::env::current_dir().context("reading the current folder")?;
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let mut words: Vec<String> = args.command.iter().map(|w| quote(w)).collect();
    if shards.parts.is_none() {
        words.push("--parts".into());
        words.push(quote(&parts.display().to_string()));
    }
    let command = words.join(" ");
    let partition = args
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
    let n = args.tasks;
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
        what = args.command[0],
        last = n - 1,
        cpus = args.cpus_per_task,
        time = args.time,
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
        time = args.time,
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
        surge::report::atomic::write_atomic(&path, text.as_bytes())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("making {} executable", path.display()))?;
    }
    println!(
        "wrote {0}/array.sbatch ({n} tasks), {0}/merge.sbatch and {0}/submit.sh; on the cluster: bash {0}/submit.sh",
        dir.display()
    );
    Ok(())
}
