//! The choice among the engines: the one place that knows every engine, above the trait
//! (`observe`) they implement, so that the trait's module imports none of them.

use super::agents::AgentEngine;
use super::cohort::CohortEngine;
use super::observe::{BuildEngine, Engine};
use crate::model::Behaviour;
use crate::scenario::{EngineKind, Scenario};

impl BuildEngine for EngineKind {
    fn build(&self, scenario: &Scenario, behaviour: &Behaviour) -> Box<dyn Engine> {
        self.build_until(scenario, behaviour, scenario.timeline.steps)
    }
    fn build_until(
        &self,
        scenario: &Scenario,
        behaviour: &Behaviour,
        steps: usize,
    ) -> Box<dyn Engine> {
        match self {
            EngineKind::Cohort => Box::new(CohortEngine::until(scenario, behaviour, steps)),
            // The agent engine builds its network whatever the run's length.
            EngineKind::Agents(settings) => {
                Box::new(AgentEngine::new(scenario, behaviour, settings.clone()))
            }
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
