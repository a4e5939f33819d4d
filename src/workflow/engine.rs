//! The one place that chooses among the engines: the request's engine options over the
//! scenario's own (`simulation.engine`, `[network]`), checked before any work.

use super::{Result, refuse};
pub use crate::model::draw::Sampler;
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

    /// `scenario` with the sampler these options ask for (its own if they name none).
    pub fn sample(&self, mut scenario: crate::scenario::Scenario) -> crate::scenario::Scenario {
        if let Some(s) = self.sampler {
            scenario.sampler = s;
        }
        scenario
    }

    /// The engine these options ask for over the scenario's `scenario`, with the agent engine's
    /// settings checked (refused with what was expected).
    pub fn settle(&self, scenario: EngineKind) -> Result<EngineKind> {
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
