//! Scenario and parameter files: raw serde structs, then validated domain types.

pub(crate) mod check;
mod error;
pub(crate) mod locate;
mod params;
mod raw;
mod validate;

pub use error::{ScenarioError, ValidationIssue};
pub use params::{Behaviour, load_params};
pub use validate::{
    AccountShares, App, Capacity, Event, EventKind, Region, Scenario, Timeline, load_scenario,
    parse_scenario,
};
