//! `slurm`: the scripts that run a command as a Slurm job array, one shard per task, and merge
//! the parts in a job that starts only when every task has succeeded (`--dependency=afterok`).

use super::{Context, Result, refuse};
use crate::report::shard::MAX_SHARDS;
use std::path::{Path, PathBuf};

/// The most CPUs a task may ask for (more than any node has today).
pub const MAX_CPUS_PER_TASK: u32 = 4096;

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

/// A word quoted for bash (single quotes; a single quote inside becomes '\''). Words reach
/// here only after [`plain`] has refused control characters.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Refuses a value with a control character (a newline would end the script's line and start a
/// command of the caller's choosing on the cluster).
fn plain<'a>(flag: &str, value: &'a str) -> Result<&'a str> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        refuse!(
            "{flag} {value:?}: holds the control character {:?}; expected a value without control characters",
            c
        );
    }
    Ok(value)
}

/// sbatch's `--time` formats (sbatch(1)): "minutes", "minutes:seconds",
/// "hours:minutes:seconds", "days-hours", "days-hours:minutes", "days-hours:minutes:seconds",
/// or UNLIMITED / INFINITE; every field a whole number.
pub fn check_time(time: &str) -> Result<&str> {
    plain("--time", time)?;
    if time == "UNLIMITED" || time == "INFINITE" {
        return Ok(time);
    }
    let digits = |f: &str| !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit());
    let (days, rest) = match time.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, time),
    };
    let fields: Vec<&str> = rest.split(':').collect();
    let fits = match days {
        Some(d) => digits(d) && (1..=3).contains(&fields.len()),
        None => (1..=3).contains(&fields.len()),
    };
    if !fits || !fields.iter().all(|f| digits(f)) {
        refuse!(
            "--time {time:?}: expected one of sbatch's formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds (e.g. 01:00:00 or 2-12)"
        );
    }
    Ok(time)
}

/// A partition name, or a comma-separated list of them: letters, digits, `_`, `-` and `.`.
pub fn check_partition(partition: &str) -> Result<&str> {
    plain("--partition", partition)?;
    let name_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 64
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
    };
    if !partition.split(',').all(name_ok) {
        refuse!(
            "--partition {partition:?}: expected a partition name (letters, digits, _ - .) or a comma-separated list of them"
        );
    }
    Ok(partition)
}

/// A path written into a `#SBATCH` line, which sbatch reads itself (not bash): no control
/// characters, no double quote or backslash, and quoted with double quotes when it holds a
/// space (sbatch's own quoting of directive arguments).
fn directive_path(flag: &str, path: &Path) -> Result<String> {
    let text = path.display().to_string();
    plain(flag, &text)?;
    if text.contains(['"', '\\']) {
        refuse!(
            "{flag} {text:?}: a path with a double quote or backslash cannot be given to sbatch; choose another folder"
        );
    }
    Ok(if text.contains(char::is_whitespace) {
        format!("\"{text}\"")
    } else {
        text
    })
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
    if !(1..=MAX_CPUS_PER_TASK).contains(&request.cpus_per_task) {
        refuse!(
            "--cpus-per-task {}: expected 1 to {MAX_CPUS_PER_TASK}",
            request.cpus_per_task
        );
    }
    let time = check_time(&request.time)?;
    if let Some(p) = &request.partition {
        check_partition(p)?;
    }
    let Some(what) = request.command.first() else {
        refuse!("give the command to shard after --");
    };
    // The job's name and comment carry the command's name: only the commands that shard.
    let what = match what.as_str() {
        "run" | "sweep" | "sensitivity" => what.as_str(),
        other => refuse!("surge slurm shards `run`, `sweep` or `sensitivity`, not {other:?}"),
    };
    for word in &request.command {
        plain("the command after --", word)?;
    }
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
    for (flag, path) in [
        ("--dir", &dir),
        ("--parts", &parts),
        ("--surge", &surge),
        ("the working folder", &workdir),
    ] {
        plain(flag, &path.display().to_string())?;
    }
    let logs = dir.join("logs");
    let logs_directive = directive_path("--dir", &logs.join("x"))?;
    let logs_at = |file: &str| logs_directive.replacen("/x", &format!("/{file}"), 1);
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
         #SBATCH --output={output}\n\
         {partition}\
         set -euo pipefail\n\
         cd {workdir}\n\
         exec {surge} {command} \\\n    --shard \"$((SLURM_ARRAY_TASK_ID - ${{SLURM_ARRAY_TASK_MIN:-0}}))/{n}\" \\\n    --threads \"${{SLURM_CPUS_PER_TASK:-{cpus}}}\" --quiet\n",
        last = n - 1,
        cpus = request.cpus_per_task,
        output = logs_at("shard-%a.out"),
        workdir = quote(&workdir.display().to_string()),
        surge = quote(&surge.display().to_string()),
    );
    let merge = format!(
        "#!/bin/bash\n\
         # Written by `surge slurm`: merges the {n} shards once all have succeeded.\n\
         #SBATCH --job-name=surge-merge\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --time={time}\n\
         #SBATCH --output={output}\n\
         {partition}\
         set -euo pipefail\n\
         cd {workdir}\n\
         exec {surge} merge {parts}\n",
        output = logs_at("merge.out"),
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
    let scripts = [
        ("array.sbatch", array),
        ("merge.sbatch", merge),
        ("submit.sh", submit),
    ];
    // Scripts of the user's own of the same names are refused, not overwritten.
    let files: Vec<(String, Vec<u8>)> = scripts
        .iter()
        .map(|(name, text)| (name.to_string(), text.clone().into_bytes()))
        .collect();
    crate::report::folder::write_owned_files(&dir, &files)?;
    for (name, _) in scripts {
        let path = dir.join(name);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn request(dir: &Path, time: &str, partition: Option<&str>) -> SlurmRequest {
        SlurmRequest {
            tasks: 3,
            dir: dir.to_path_buf(),
            cpus_per_task: 2,
            time: time.into(),
            partition: partition.map(String::from),
            surge: Some(PathBuf::from("/opt/surge")),
            command: vec!["run".into(), "scenarios/x.toml".into()],
            parts: None,
        }
    }

    /// The script's shape: its lines are exactly those of a benign request, each `#SBATCH`
    /// line one of the options surge writes, each other line surge's own.
    fn assert_shape(script: &str, lines: usize) {
        assert_eq!(script.lines().count(), lines, "{script}");
        for line in script.lines() {
            let known = [
                "#!/bin/bash",
                "# Written by `surge slurm`",
                "#SBATCH --job-name=surge-",
                "#SBATCH --array=",
                "#SBATCH --cpus-per-task=",
                "#SBATCH --time=",
                "#SBATCH --output=",
                "#SBATCH --partition=",
                "set -euo pipefail",
                "cd '",
                "exec '",
                "    --shard ",
                "    --threads ",
            ];
            assert!(
                known.iter().any(|k| line.starts_with(k)),
                "unexpected line {line:?}"
            );
        }
    }

    #[test]
    fn sbatch_time_formats_are_accepted_and_others_refused() {
        for ok in [
            "60",
            "30:00",
            "01:00:00",
            "2-12",
            "2-12:30",
            "2-12:30:00",
            "UNLIMITED",
        ] {
            assert!(check_time(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "01:00:00\ntouch X",
            "1h",
            "1:2:3:4",
            "-1",
            "2-",
            "a-1",
            "01:00:00 ",
            "1-2-3",
        ] {
            assert!(check_time(bad).is_err(), "{bad:?}");
        }
        assert!(check_partition("gpu,cpu-long").is_ok());
        for bad in ["", "a b", "x\n#SBATCH --wrap=evil", "p;rm", "a,,b"] {
            assert!(check_partition(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn zero_cpus_and_a_newline_in_the_folder_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut r = request(&tmp.path().join("s"), "01:00:00", None);
        r.cpus_per_task = 0;
        assert!(slurm(&r).is_err());
        let r = request(&tmp.path().join("s\ntouch X"), "01:00:00", None);
        assert!(
            slurm(&r)
                .unwrap_err()
                .to_string()
                .contains("control character")
        );
        // A folder with a space is quoted in the directive sbatch reads.
        let r = request(&tmp.path().join("my jobs"), "01:00:00", Some("gpu"));
        slurm(&r).unwrap();
        let array = std::fs::read_to_string(tmp.path().join("my jobs/array.sbatch")).unwrap();
        assert!(array.contains("#SBATCH --output=\""), "{array}");
    }

    #[test]
    fn a_users_script_of_the_same_name_is_not_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("submit.sh"), "mine").unwrap();
        assert!(slurm(&request(&dir, "01:00:00", None)).is_err());
        assert_eq!(std::fs::read(dir.join("submit.sh")).unwrap(), b"mine");
        assert!(!dir.join("array.sbatch").exists());
        // Its own scripts it writes again.
        std::fs::remove_file(dir.join("submit.sh")).unwrap();
        slurm(&request(&dir, "01:00:00", None)).unwrap();
        slurm(&request(&dir, "02:00:00", None)).unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Hostile values for every flag that reaches a script are refused, or leave the
        /// script's shape as it is: no value adds a line or a directive.
        #[test]
        fn hostile_values_never_add_a_line(
            time in prop_oneof![
                Just("01:00:00".to_string()),
                "[0-9:\\-]{1,12}",
                "\\PC{0,8}[\\n\\r\\t\\x00\\x0b][ -~]{0,12}",
                ".{0,16}",
            ],
            partition in proptest::option::of(prop_oneof![
                "[a-z]{1,8}",
                ".{0,16}",
                "[a-z]{1,4}\\n#SBATCH --wrap=[a-z]{1,6}",
            ]),
            folder in prop_oneof![
                "[a-z]{1,8}",
                "[a-z ]{1,8}",
                ".{1,12}",
                "[a-z]{1,4}\\n[a-z ]{1,6}",
            ],
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let folder = folder.replace(['/', '\0'], "_");
            prop_assume!(!folder.is_empty() && folder != "." && folder != "..");
            let r = request(&tmp.path().join(&folder), &time, partition.as_deref());
            if slurm(&r).is_ok() {
                let dir = tmp.path().join(&folder);
                let extra = usize::from(partition.is_some());
                let array = std::fs::read_to_string(dir.join("array.sbatch")).unwrap();
                assert_shape(&array, 12 + extra);
                let merge = std::fs::read_to_string(dir.join("merge.sbatch")).unwrap();
                assert_shape(&merge, 9 + extra);
            }
        }
    }
}
