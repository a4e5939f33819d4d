//! The one place that chooses among the engines: the request's engine options over the
//! scenario's own (`simulation.engine`, `[network]`), checked before any work.

use super::{Result, refuse};
pub use crate::model::draw::Sampler;
pub use crate::model::stepping::StepRule;
use crate::scenario::{AgentSettings, EngineKind, NetworkSpec};

/// Which engine a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    Cohort,
    Agents,
}

impl EngineChoice {
    /// The name `simulation.engine` takes.
    pub fn name(self) -> &'static str {
        match self {
            EngineChoice::Cohort => "cohort",
            EngineChoice::Agents => "agents",
        }
    }
}

/// The engine options of a request; `None` keeps the scenario's value. Serialised (by field
/// name, not by its Debug text) into the plan that shards of one piece of work must share.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EngineOptions {
    pub engine: Option<EngineChoice>,
    pub agents: Option<usize>,
    pub mean_degree: Option<f64>,
    pub degree_spread: Option<f64>,
    pub within_region: Option<f64>,
    pub closure: Option<f64>,
    pub homophily: Option<f64>,
    pub independent_accounts: bool,
    /// How binomials are drawn [default: the scenario's `simulation.sampler`, else exact].
    pub sampler: Option<Sampler>,
    /// How the cohort engine steps [default: the scenario's `simulation.step_rule`, else adaptive on the cohort engine].
    pub step_rule: Option<StepRule>,
    /// The adaptive rule's tolerance ε [default: the scenario's, else 0.03]; asks for the
    /// adaptive rule unless `step_rule` names the fixed one, which is refused.
    pub step_tolerance: Option<f64>,
}

impl EngineOptions {
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

    /// `scenario` with the sampler and the step rule these options ask for (its own if they
    /// name none; the options are checked by [`EngineOptions::settle`]).
    pub fn sample(&self, mut scenario: crate::scenario::Scenario) -> crate::scenario::Scenario {
        if let Some(s) = self.sampler {
            scenario.sampler = s;
        }
        if let Some(rule) = self.step_rule
            && rule.name() != scenario.stepping.name()
        {
            scenario.stepping = rule;
        }
        if let Some(tolerance) = self.step_tolerance {
            let rule = self.step_rule.unwrap_or(StepRule::Adaptive { tolerance });
            scenario.stepping = rule.with_tolerance(tolerance);
        }
        scenario
    }

    /// Why the step options cannot be used, if they cannot.
    fn step_problem(&self) -> Option<String> {
        if let Some(tolerance) = self.step_tolerance {
            if let Some(problem) = StepRule::tolerance_problem(tolerance) {
                return Some(format!("--step-tolerance: {problem}"));
            }
            if self.step_rule == Some(StepRule::Fixed) {
                return Some(
                    "--step-tolerance is for --step-rule adaptive (the fixed rule takes every step)"
                        .into(),
                );
            }
        }
        None
    }

    /// The engine these options ask for over the scenario's `scenario`, with the agent engine's
    /// settings checked (refused with what was expected).
    pub fn settle(&self, scenario: EngineKind) -> Result<EngineKind> {
        if let Some(problem) = self.step_problem() {
            refuse!("{problem}");
        }
        let adaptive = self.step_tolerance.is_some()
            || matches!(self.step_rule, Some(StepRule::Adaptive { .. }));
        if adaptive
            && (self.engine == Some(EngineChoice::Agents)
                || (self.engine.is_none() && matches!(scenario, EngineKind::Agents(_))))
        {
            refuse!(
                "--step-rule adaptive and --step-tolerance are for the cohort engine; the agent engine takes every step"
            );
        }
        let base = match (self.engine, scenario) {
            (Some(EngineChoice::Cohort), _) | (None, EngineKind::Cohort) => {
                if self.agent_options_given() {
                    refuse!(
                        "--agents, --mean-degree, --degree-spread, --within-region, --closure and --homophily apply to the agent engine only (--engine agents, or simulation.engine = \"agents\")"
                    );
                }
                return Ok(EngineKind::Cohort);
            }
            (_, EngineKind::Agents(settings)) => settings,
            (Some(EngineChoice::Agents), EngineKind::Cohort) => AgentSettings::default(),
        };
        let b = base.network;
        let settings = AgentSettings {
            agents: self.agents.unwrap_or(base.agents),
            network: NetworkSpec {
                mean_degree: self.mean_degree.unwrap_or(b.mean_degree),
                degree_spread: self.degree_spread.unwrap_or(b.degree_spread),
                within_region: self.within_region.unwrap_or(b.within_region),
                closure: self.closure.unwrap_or(b.closure),
                homophily: self.homophily.unwrap_or(b.homophily),
                mixing: b.mixing.clone(),
                independent_accounts: self.independent_accounts || b.independent_accounts,
            },
        };
        if let Some((key, message)) = settings.problem() {
            refuse!("--{}: {message}", key.replace('_', "-"));
        }
        Ok(EngineKind::Agents(settings))
    }
}
