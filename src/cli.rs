//! Command-line arguments (clap only; no logic).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "surge",
    version,
    about = "Simulate where people go when the app they rely on goes down"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo simulation and write its results.
    ///
    /// Writes into --out (default output/<scenario name>/), replaced whole when everything is
    /// written: summary.json, timeseries.csv, runs.csv, spaghetti.csv, adoption.png/.svg,
    /// rate.png/.svg and regions.png/.svg; beside the folder, a lock file .<name>.surge-lock.
    Run(RunArgs),
    /// Re-draw every plot of a `surge run` output folder from its saved results
    /// (adoption, rate and regions, .png and .svg, in that folder).
    Plot {
        /// Output folder of `surge run`, e.g. output/facebook-2021-10-04.
        dir: PathBuf,
        #[command(flatten)]
        size: SizeArgs,
    },
    /// Overlay several runs' results on one chart and tabulate their differences.
    Compare(CompareArgs),
    /// Fit the behavioural parameters to the reported figures (ABC-SMC); writes posterior.csv,
    /// fitted.toml, fit.json, timelines.json and the fit plots into --out (default output/fit).
    Fit(FitArgs),
    /// Leave one event out at a time: fit on the others, predict it; writes validation.md,
    /// timelines.json and timeline-<event>.png/.svg into --out (default output/validate).
    Validate(ValidateArgs),
    /// Run a scenario at many values of one or more keys (a grid or a Latin hypercube) and write
    /// sweep.csv, summary.json, sweep.png/.svg and, for two keys on a grid,
    /// sweep-heatmap.png/.svg into --out (default output/<scenario name>-sweep/).
    Sweep(SweepArgs),
    /// Rank the influence of the behavioural parameters (or of any keys) on every headline
    /// figure: Morris elementary effects or Sobol indices; writes sensitivity.csv, summary.json
    /// and sensitivity.png/.svg into --out (default output/<scenario name>-<method>/).
    Sensitivity(SensitivityArgs),
    /// What each setting costs and buys: the headline figures at each step size, number of runs
    /// and (agent engine) number of simulated users, their change against the finest, their
    /// Monte Carlo error and the time taken; writes tune.csv, summary.json and tune.png/.svg
    /// into --out (default output/<scenario name>-tune/).
    Tune(TuneArgs),
    /// Put the parts written by `--shard I/N` together: writes exactly what the command without
    /// --shard writes, into the folder it would have used (or --out).
    Merge(MergeArgs),
    /// Write a Slurm job-array script that runs a command in shards, a merge job that waits for
    /// it (--dependency=afterok), and submit.sh that submits both.
    Slurm(SlurmArgs),
    /// Validate scenario files; exit 0 if all are valid, 2 otherwise.
    Check {
        /// Scenario files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Splitting the work of a command into shards.
#[derive(Debug, Clone, clap::Args)]
pub struct ShardArgs {
    /// Do only shard I of N (0-based: 0/4 is the first of four) and write it as a part into
    /// --parts, for `surge merge` [default: from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT,
    /// or JOB_COMPLETION_INDEX and SURGE_SHARD_COUNT, if set; else the whole work].
    #[arg(long)]
    pub shard: Option<surge::explore::Shard>,
    /// Folder of the shards' parts [default: <out>.parts].
    #[arg(long)]
    pub parts: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignChoice {
    /// Every combination of the keys' values.
    Grid,
    /// A Latin hypercube of --samples points over the keys' ranges.
    Lhs,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML), e.g. scenarios/facebook-2021-10-04.toml.
    pub scenario: PathBuf,
    /// A key to vary and its values: KEY=FROM:TO:STEPS (STEPS values, evenly spaced), with
    /// :log for even spacing in the logarithm. KEY is a scenario key by its path, apps and
    /// regions by name (event.duration_hours, apps.telegram.capacity_by_region.us_canada;
    /// apps.telegram.capacity is the app's whole capacity, a regional split kept), or a
    /// behavioural parameter (looking.word_of_mouth_per_hour). Repeat for more keys.
    #[arg(long = "vary", required = true)]
    pub vary: Vec<surge::explore::Vary>,
    /// How the keys' values are combined.
    #[arg(long, value_enum, default_value = "grid")]
    pub design: DesignChoice,
    /// Points of a Latin hypercube (--design lhs).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Monte Carlo runs at each point [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed: run i of every point uses the stream (seed, i), and a Latin hypercube is
    /// drawn from it [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Headline figure to plot, as in runs.csv's columns (e.g. telegram.arrivals_24h)
    /// [default: the first app's arrivals within 24 h].
    #[arg(long)]
    pub figure: Option<String>,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Output folder [default: output/<scenario name>-sweep/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder or a part that holds other results.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub shards: ShardArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodChoice {
    /// Morris elementary effects: mu*, mu and sigma per factor (cheap screening).
    Morris,
    /// Sobol first-order and total indices (Saltelli sampling, Jansen estimators).
    Sobol,
}

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    #[arg(long, value_enum)]
    pub method: MethodChoice,
    /// Morris: trajectories [default 20]; Sobol: base rows N, N x (factors + 2) points
    /// [default 128].
    #[arg(long)]
    pub samples: Option<usize>,
    /// The factors and their ranges, KEY=LOW:HIGH or KEY=LOW:HIGH:log (any key --vary takes)
    /// [default: the priors of --priors].
    #[arg(long = "range")]
    pub ranges: Vec<surge::explore::Vary>,
    /// Priors whose ranges are the factors when no --range is given.
    #[arg(long, default_value = "params/priors.toml")]
    pub priors: PathBuf,
    /// Monte Carlo runs at each point; the model output is their mean [default: 50].
    #[arg(long, default_value_t = 50)]
    pub runs: u64,
    /// Master seed: the design, the bootstrap and run i of every point (stream (seed, i))
    /// [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Morris grid levels (even).
    #[arg(long, default_value_t = 4)]
    pub levels: usize,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Headline figures to chart (runs.csv's columns) [default: the first app's arrivals in
    /// 24 h, peak registration rate, longest queue wait and retained in 72 h].
    #[arg(long = "figure")]
    pub figures: Vec<String>,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    /// Behavioural parameter file to use instead of the one the scenario names.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Output folder [default: output/<scenario name>-<method>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder or a part that holds other results.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub shards: ShardArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
}

#[derive(Debug, clap::Args)]
pub struct TuneArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A reduced grid that runs in under a minute: steps 1, 5, 15 and 60 minutes at 200 runs,
    /// 100 to 10,000 runs (agent engine: 2 to 10 runs at 100,000 users, and 100,000 and
    /// 300,000 simulated users at 4 runs).
    #[arg(long)]
    pub quick: bool,
    /// Recommend the most accurate step size, number of runs (and simulated users) whose
    /// predicted time fits this many seconds on this machine.
    #[arg(long)]
    pub budget: Option<f64>,
    /// Runs at each step size [default: 1,000; --quick 200; agent engine 10, --quick 4].
    #[arg(long)]
    pub runs: Option<u64>,
    /// A headline figure the error is taken over, as in runs.csv's columns; repeat for more
    /// [default: every headline figure of the scenario's first app].
    #[arg(long = "figure")]
    pub figures: Vec<String>,
    /// Master seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores, at most 1024); times are for this many.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Output folder [default: output/<scenario name>-tune/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// No progress lines and no table.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Folder of the parts (shard-<I>-of-<N> folders), e.g. output/facebook-2021-10-04-sweep.parts.
    pub parts: PathBuf,
    /// Output folder [default: the one the shards were given].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
}

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

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/facebook-2021-10-04.toml.
    pub scenario: PathBuf,
    /// Number of Monte Carlo runs [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed; run i uses the stream (seed, i) [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    /// Output folder [default: output/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no headline table.
    #[arg(long)]
    pub quiet: bool,
    /// How many single runs to save and draw faintly behind the bands [default: 5, or --runs if fewer].
    #[arg(long)]
    pub spaghetti: Option<usize>,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub shards: ShardArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub size: SizeArgs,
}

/// Where the runs' behavioural parameters come from (`surge run`, `sweep`, `tune`).
#[derive(Debug, clap::Args)]
pub struct ParameterArgs {
    /// Behavioural parameter file to use instead of the one the scenario names.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Posterior samples (posterior.csv of `surge fit`): each run draws its parameters from them
    /// (a swept parameter is set in every sample) [default: <parameter file stem>-posterior.csv
    /// beside the scenario's parameter file, if it exists, e.g. params/fitted-posterior.csv].
    #[arg(long, conflicts_with_all = ["params", "fixed_parameters"])]
    pub posterior: Option<PathBuf>,
    /// Every run uses the parameter file's values: bands show run-to-run noise only.
    #[arg(long)]
    pub fixed_parameters: bool,
}

/// Which engine runs the scenario, and the agent engine's size and network.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// `cohort`: counts of users moved by binomial draws (fast, exact for the mean-field model);
    /// `agents`: individual users on a synthetic contact network (docs/MODEL.md §13)
    /// [default: the scenario's simulation.engine, else cohort].
    #[arg(long, value_enum)]
    pub engine: Option<EngineChoice>,
    /// Simulated users for `--engine agents`, split among regions by their users
    /// [default: the scenario's simulation.agents, else 1000000; at most 100000000].
    #[arg(long)]
    pub agents: Option<usize>,
    /// Mean contacts per simulated user [default: the scenario's [network], else 20; 1 to 1000,
    /// and below --agents]. The four below default the same way.
    #[arg(long)]
    pub mean_degree: Option<f64>,
    /// Spread (σ) of the log-normal degree distribution [default: 1; 0 to 3].
    #[arg(long)]
    pub degree_spread: Option<f64>,
    /// Share of contacts inside one's own region [default: 0.9; 0 to 1].
    #[arg(long)]
    pub within_region: Option<f64>,
    /// Share of contacts made by closing triangles, i.e. clustering [default: 0.25; 0 to 0.9].
    #[arg(long)]
    pub closure: Option<f64>,
    /// Share of each app's accounts placed next to other accounts of the app [default: 0.5; 0 to 1].
    #[arg(long)]
    pub homophily: Option<f64>,
    /// Let a simulated user hold accounts at several apps (each app's holders placed among the
    /// users not on it) [default: the scenario's network.independent_accounts, else one at most].
    #[arg(long)]
    pub independent_accounts: bool,
}

impl EngineArgs {
    /// Whether any of the agent engine's options was given.
    pub fn agent_options_given(&self) -> bool {
        self.agents.is_some()
            || self.mean_degree.is_some()
            || self.degree_spread.is_some()
            || self.within_region.is_some()
            || self.closure.is_some()
            || self.homophily.is_some()
            || self.independent_accounts
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    Cohort,
    Agents,
}

#[derive(Debug, clap::Args)]
pub struct SizeArgs {
    /// Plot width in pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Plot height in pixels.
    #[arg(long, default_value_t = 1000)]
    pub height: u32,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompareMetric {
    Arrivals,
    Registrations,
    Reactivations,
    RegistrationRate,
    QueueWait,
}

impl CompareMetric {
    pub fn name(self) -> &'static str {
        match self {
            CompareMetric::Arrivals => "arrivals",
            CompareMetric::Registrations => "registrations",
            CompareMetric::Reactivations => "reactivations",
            CompareMetric::RegistrationRate => "registration_rate",
            CompareMetric::QueueWait => "queue_wait",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Two or more output folders of `surge run`; the first is the reference.
    #[arg(required = true, num_args = 2..)]
    pub dirs: Vec<PathBuf>,
    /// What to draw.
    #[arg(long, value_enum, default_value = "arrivals")]
    pub metric: CompareMetric,
    /// Which app to draw and tabulate [default: the first app of the first run].
    #[arg(long)]
    pub app: Option<String>,
    /// Where to write compare.png, compare.svg and compare.csv.
    #[arg(long, default_value = "output/compare")]
    pub out: PathBuf,
    #[command(flatten)]
    pub size: SizeArgs,
}

#[derive(Debug, clap::Args)]
pub struct FitSettingsArgs {
    /// Reported figures to fit.
    #[arg(long, default_value = "data/observations.toml")]
    pub observations: PathBuf,
    /// Priors of the fitted parameters.
    #[arg(long, default_value = "params/priors.toml")]
    pub priors: PathBuf,
    /// Values of the parameters that are not fitted.
    #[arg(long, default_value = "params/default.toml")]
    pub params: PathBuf,
    /// Particles per generation.
    #[arg(long, default_value_t = 300)]
    pub particles: usize,
    /// Most generations after the prior.
    #[arg(long, default_value_t = 12)]
    pub generations: usize,
    /// Most simulations (each simulates every event once).
    #[arg(long, default_value_t = 40_000)]
    pub max_simulations: usize,
    /// Posterior predictive draws per observation.
    #[arg(long, default_value_t = 200)]
    pub draws: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (0 = all cores, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, clap::Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub settings: FitSettingsArgs,
    /// Leave this event (scenario name, e.g. facebook-2021-10-04) out of the fit and predict it.
    #[arg(long)]
    pub hold_out: Option<String>,
    /// Output folder for posterior.csv, fitted.toml, fit.json and the plots [default: output/fit,
    /// or output/fit-holdout-<EVENT> with --hold-out].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where else to write the fitted parameters (posterior medians) [default: only <out>/fitted.toml].
    #[arg(long, conflicts_with = "hold_out")]
    pub fitted: Option<PathBuf>,
    /// Also replace the shipped params/fitted.toml and params/fitted-posterior.csv, which every
    /// shipped scenario runs with.
    #[arg(long, conflicts_with = "hold_out")]
    pub write_params: bool,
    #[command(flatten)]
    pub size: SizeArgs,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub settings: FitSettingsArgs,
    /// Where to write the validation table [default: <out>/validation.md; the shipped table is
    /// docs/validation.md].
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Figures of events never fitted, predicted from the fit to every event ("out of fit").
    #[arg(long, default_value = "data/out-of-fit.toml")]
    pub catalogue: PathBuf,
    /// Leave the out-of-fit catalogue out.
    #[arg(long)]
    pub no_catalogue: bool,
    /// Output folder for each held-out event's timeline plot (timeline-<event>.png/svg) and timelines.json.
    #[arg(long, default_value = "output/validate")]
    pub out: PathBuf,
    #[command(flatten)]
    pub size: SizeArgs,
}

/// Most worker threads `--threads` accepts: far above any machine surge runs on, and low enough
/// that the operating system can start them all.
pub const MAX_THREADS: usize = 1024;

/// Parses `--threads`: 0 (all cores) to `MAX_THREADS`.
fn thread_count(s: &str) -> Result<usize, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("expected a whole number of threads, found {s:?}"))?;
    if n > MAX_THREADS {
        return Err(format!(
            "at most {MAX_THREADS} threads (0 = all cores), found {n}"
        ));
    }
    Ok(n)
}
