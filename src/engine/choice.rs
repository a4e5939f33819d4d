//! The choice among the engines: the one place that knows every engine, above the trait
//! (`observe`) they implement, so that the trait's module imports none of them.

use super::agents::AgentEngine;
use super::cohort::CohortEngine;
use super::observe::{BuildEngine, Engine};
use crate::model::Behaviour;
use crate::scenario::{EngineKind, Scenario};

impl BuildEngine for EngineKind {
    fn build(&self, scenario: &Scenario, behaviour: &Behaviour) -> Box<dyn Engine> {
        match self {
            EngineKind::Cohort => Box::new(CohortEngine::new(scenario, behaviour)),
            EngineKind::Agents(settings) => {
                Box::new(AgentEngine::new(scenario, behaviour, settings.clone()))
            }
        }
    }
    fn build_until(
        &self,
        scenario: &Scenario,
        behaviour: &Behaviour,
        steps: usize,
    ) -> Box<dyn Engine> {
        match self {
            EngineKind::Cohort => Box::new(CohortEngine::until(scenario, behaviour, steps)),
            EngineKind::Agents(_) => self.build(scenario, behaviour),
        }
    }
    fn describe(&self) -> String {
        match self {
            EngineKind::Cohort => "cohort (chain-binomial)".into(),
            EngineKind::Agents(a) => format!(
                "agents ({} simulated users; contact network: mean degree {}, degree spread {}, {} within region, closure {}, homophily {})",
                a.agents,
                a.network.mean_degree,
                a.network.degree_spread,
                a.network.within_region,
                a.network.closure,
                a.network.homophily
            ),
        }
    }
}
