//! `surge slurm`: a Slurm job array that runs a command in shards, and its merge job.

use super::{Cli, Command};
use anyhow::{Result, bail};
use clap::Parser;
use std::path::PathBuf;
use surge::workflow::slurm::SlurmRequest;

#[derive(Debug, clap::Args)]
pub struct SlurmArgs {
    /// Array tasks (shards); each runs its share with every core it is given.
    #[arg(long, default_value_t = 4)]
    pub tasks: u64,
    /// Folder for the scripts [default: slurm/].
    #[arg(long, default_value = "slurm")]
    pub dir: PathBuf,
    /// CPUs per task (sbatch --cpus-per-task).
    #[arg(long, default_value_t = 2)]
    pub cpus_per_task: u32,
    /// Time limit per task (sbatch --time).
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// Partition (sbatch --partition) [default: the cluster's].
    #[arg(long)]
    pub partition: Option<String>,
    /// The surge binary the jobs run [default: this one].
    #[arg(long)]
    pub surge: Option<PathBuf>,
    /// The command to shard, with its arguments: run, sweep or sensitivity, e.g.
    /// `-- sweep scenarios/facebook-2021-10-04.toml --vary event.duration_hours=2:12:6`.
    #[arg(last = true, required = true, num_args = 1..)]
    pub command: Vec<String>,
}

pub fn slurm(args: &SlurmArgs) -> Result<()> {
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
    let request = SlurmRequest {
        tasks: args.tasks,
        dir: args.dir.clone(),
        cpus_per_task: args.cpus_per_task,
        time: args.time.clone(),
        partition: args.partition.clone(),
        surge: args.surge.clone(),
        command: args.command.clone(),
        parts: shards.parts.clone(),
    };
    let scripts = surge::workflow::slurm::slurm(&request)?;
    if let Some(caution) = &scripts.caution {
        eprintln!("{caution}");
    }
    println!(
        "wrote {0}/array.sbatch ({1} tasks), {0}/merge.sbatch and {0}/submit.sh; on the cluster: bash {0}/submit.sh",
        scripts.dir.display(),
        scripts.tasks
    );
    Ok(())
}
