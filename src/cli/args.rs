//! Argument groups several subcommands share (clap only), and their conversion into the
//! workflow's request types: the one place arguments become settled settings.

use std::path::PathBuf;
use surge::report::plot::PlotSize;
use surge::workflow::engine::{EngineOptions, StepRule};
use surge::workflow::fit::FitSettings;
use surge::workflow::parameters::ParameterChoice;
use surge::workflow::parts::ShardChoice;

/// Splitting the work of a command into shards.
#[derive(Debug, Clone, clap::Args)]
pub struct ShardArgs {
    /// Do only shard I of N (0-based: 0/4 is the first of four) and write it as a part into
    /// --parts, for `surge merge` [default: from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT,
    /// or JOB_COMPLETION_INDEX and SURGE_SHARD_COUNT, if set; else the whole work].
    #[arg(long)]
    pub shard: Option<surge::report::shard::Shard>,
    /// Folder of the shards' parts [default: <out>.parts].
    #[arg(long)]
    pub parts: Option<PathBuf>,
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
    /// How binomial draws are made: `exact` every one from its own distribution; `hybrid`
    /// those with variance n p (1 - p) of at least 10,000 by the normal approximation
    /// (docs/MODEL.md §7, "Samplers") [default: the scenario's simulation.sampler, else exact].
    #[arg(long, value_enum)]
    pub sampler: Option<SamplerChoice>,
    /// How the cohort engine steps through time: `fixed` takes every step of the scenario's
    /// step_minutes; `adaptive` joins steps (never past an output point) where no rate is
    /// expected to change by more than the tolerance within them (docs/MODEL.md §1, "Steps")
    /// [default: the scenario's simulation.step_rule, else adaptive on the cohort engine].
    #[arg(long, value_enum)]
    pub step_rule: Option<StepRuleChoice>,
    /// The adaptive rule's tolerance ε, in (0, 0.25]: the largest expected relative change of a
    /// rate within a joined step; implies --step-rule adaptive [default: the scenario's
    /// simulation.step_tolerance, else 0.03].
    #[arg(long)]
    pub step_tolerance: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StepRuleChoice {
    Fixed,
    Adaptive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplerChoice {
    Exact,
    Hybrid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    Cohort,
    Agents,
}

/// `--report`: also write the folder's report.html.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Also write report.html into the output folder: one self-contained page with the
    /// scenario, the headline table, the plots and their readings (as `surge report OUT_DIR`).
    #[arg(long)]
    pub report: bool,
}

impl ReportArgs {
    /// Writes report.html into the finished output folder `out`, if asked, and says where.
    pub fn write(&self, out: &std::path::Path, quiet: bool) -> anyhow::Result<()> {
        if self.report {
            let path = surge::workflow::report::report(out)?;
            if !quiet {
                println!("report: {}", path.display());
            }
        }
        Ok(())
    }

    /// The same for a command that may have written only a shard's part (then nothing: the
    /// page is made from the merged folder, `surge merge --report`).
    pub fn write_whole<T>(
        &self,
        result: &surge::workflow::parts::Sharded<T>,
        out: impl Fn(&T) -> &std::path::Path,
        quiet: bool,
    ) -> anyhow::Result<()> {
        match result {
            surge::workflow::parts::Sharded::Whole(r) => self.write(out(r), quiet),
            surge::workflow::parts::Sharded::Part { .. } => Ok(()),
        }
    }
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

#[derive(Debug, clap::Args)]
pub struct FitSettingsArgs {
    /// Reported figures to fit [default: data/observations.toml of the working folder if it has
    /// one, else the one shipped with surge].
    #[arg(long)]
    pub observations: Option<PathBuf>,
    /// Priors of the fitted parameters [default: params/priors.toml, found as --observations].
    #[arg(long)]
    pub priors: Option<PathBuf>,
    /// Values of the parameters that are not fitted [default: params/default.toml, found as
    /// --observations].
    #[arg(long)]
    pub params: Option<PathBuf>,
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

use surge::workflow::pool::MAX_THREADS;

/// Parses `--threads`: 0 (all cores) to `MAX_THREADS`.
pub fn thread_count(s: &str) -> Result<usize, String> {
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

impl ShardArgs {
    pub fn choice(&self) -> ShardChoice {
        ShardChoice {
            shard: self.shard,
            parts: self.parts.clone(),
        }
    }
}

impl ParameterArgs {
    pub fn choice(&self) -> ParameterChoice {
        ParameterChoice {
            params: self.params.clone(),
            posterior: self.posterior.clone(),
            fixed: self.fixed_parameters,
        }
    }
}

impl EngineArgs {
    pub fn options(&self) -> EngineOptions {
        EngineOptions {
            engine: self.engine.map(|e| match e {
                EngineChoice::Cohort => surge::workflow::engine::EngineChoice::Cohort,
                EngineChoice::Agents => surge::workflow::engine::EngineChoice::Agents,
            }),
            agents: self.agents,
            mean_degree: self.mean_degree,
            degree_spread: self.degree_spread,
            within_region: self.within_region,
            closure: self.closure,
            homophily: self.homophily,
            independent_accounts: self.independent_accounts,
            sampler: self.sampler.map(|s| match s {
                SamplerChoice::Exact => surge::workflow::engine::Sampler::Exact,
                SamplerChoice::Hybrid => surge::workflow::engine::Sampler::Hybrid,
            }),
            step_rule: self.step_rule.map(|s| match s {
                StepRuleChoice::Fixed => StepRule::Fixed,
                StepRuleChoice::Adaptive => StepRule::adaptive(),
            }),
            step_tolerance: self.step_tolerance,
        }
    }
}

impl SizeArgs {
    /// The plot size, checked before any work.
    pub fn size(&self) -> anyhow::Result<PlotSize> {
        Ok(PlotSize::new(self.width, self.height)?)
    }
}

/// The file given, else the shipped one (the working folder's copy first; `shipped_file`).
pub fn shipped_or(given: &Option<PathBuf>, relative: &str) -> PathBuf {
    given
        .clone()
        .unwrap_or_else(|| surge::scenario::shipped_file(relative))
}

impl FitSettingsArgs {
    pub fn settings(&self) -> FitSettings {
        FitSettings {
            observations: shipped_or(&self.observations, "data/observations.toml"),
            priors: shipped_or(&self.priors, "params/priors.toml"),
            params: shipped_or(&self.params, "params/default.toml"),
            particles: self.particles,
            generations: self.generations,
            max_simulations: self.max_simulations,
            draws: self.draws,
            seed: self.seed,
            threads: self.threads,
            engine: self.engine.options(),
        }
    }
}
