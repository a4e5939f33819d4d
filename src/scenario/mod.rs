//! Scenario and parameter files: raw serde structs, then validated domain types.
//!
//! May import: model (the behavioural parameters' names and checks). Nothing else of surge.

pub mod bounded;
pub(crate) mod check;
mod domain;
pub(crate) mod error;
mod events;
pub(crate) mod locate;
mod named;
mod overrides;
mod params;
mod raw;
mod schema;
mod validate;
mod vary;

pub use domain::{
    AccountShares, AgentSettings, App, AppOutage, Capacity, Coverage, EngineKind, Event, EventKind,
    NamedApp, NetworkSpec, Region, Scenario, Timeline,
};
pub use error::{ScenarioError, ValidationIssue};
pub use overrides::{OverrideError, ScenarioTemplate, is_parameter, set_parameters};
pub use params::{PARAMETER_NAMES, load_params};
pub use schema::scenario_schema;
pub use validate::{
    MAX_RUNS, default_params_file, load_scenario, missing_file as validate_missing_file,
    parse_scenario, shipped_file,
};
pub use vary::{Vary, VaryError};
