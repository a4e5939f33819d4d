//! Behavioural parameters shared across events (`params/*.toml`), validated.

use super::check::Checker;
use super::error::ScenarioError;
use super::locate::from_toml;
use super::raw::RawParams;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The behavioural parameters of docs/MODEL.md §Behaviour. Rates are per hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    /// p: spontaneous looking hazard of a user who noticed the event, per hour.
    pub innovation_per_hour: f64,
    /// q: word-of-mouth hazard per unit share of the region's users who already switched, per hour.
    pub word_of_mouth_per_hour: f64,
    /// ν: extra looking hazard at full news coverage, per hour.
    pub news_per_hour: f64,
    /// Time constant of news coverage building up during the event, hours.
    pub news_rise_hours: f64,
    /// Time constant of news coverage fading after the event, hours.
    pub news_decay_hours: f64,
    /// Time constant of the urgency growing with time since the outage began, hours (0 = at once).
    pub urgency_hours: f64,
    /// Multiplier on the looking hazard of users who hold a dormant account at an alternative.
    pub dormant_boost: f64,
    /// β: weight of the share of contacts already on an app in the choice among apps.
    pub contact_weight: f64,
    /// ω: preference of a dormant-account holder for the app where the account is.
    pub account_affinity: f64,
    /// Mean time a sign-up attempt waits in a queue before giving up, minutes.
    pub patience_minutes: f64,
}

impl Behaviour {
    fn from_raw(raw: RawParams, c: &Checker) -> Result<Self, super::ValidationIssue> {
        let l = &raw.looking;
        Ok(Behaviour {
            innovation_per_hour: c
                .non_negative("looking.innovation_per_hour", l.innovation_per_hour)?,
            word_of_mouth_per_hour: c
                .non_negative("looking.word_of_mouth_per_hour", l.word_of_mouth_per_hour)?,
            news_per_hour: c.non_negative("looking.news_per_hour", l.news_per_hour)?,
            news_rise_hours: c.non_negative("looking.news_rise_hours", l.news_rise_hours)?,
            news_decay_hours: c.positive("looking.news_decay_hours", l.news_decay_hours)?,
            urgency_hours: c.non_negative("looking.urgency_hours", l.urgency_hours)?,
            dormant_boost: c.positive("looking.dormant_boost", l.dormant_boost)?,
            contact_weight: c.non_negative("choice.contact_weight", raw.choice.contact_weight)?,
            account_affinity: c.positive("choice.account_affinity", raw.choice.account_affinity)?,
            patience_minutes: c.positive("signup.patience_minutes", raw.signup.patience_minutes)?,
        })
    }

    /// Parses and validates a parameter file's text.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ScenarioError> {
        let checker = Checker { text };
        from_toml::<RawParams>(text)
            .and_then(|raw| Behaviour::from_raw(raw, &checker))
            .map_err(|issue| ScenarioError::invalid(path, issue))
    }
}

/// Reads and validates a behavioural parameter file.
pub fn load_params(path: &Path) -> Result<Behaviour, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Behaviour::parse(path, &text)
}
