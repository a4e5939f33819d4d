//! How long a step the cohort engine may take: the scenario's fixed step everywhere, or longer
//! steps where nothing moves fast (tau-leaping's step selection; docs/MODEL.md §1, "Steps").
//!
//! The adaptive rule joins whole steps of the scenario's grid (never crossing an output point)
//! and freezes the state over the joined step, as tau-leaping does (Gillespie 2001, J. Chem.
//! Phys. 115:1716). It takes the longest such step in which no propensity is expected to change
//! by more than a fraction `ε` of itself from the moves within it, or by more than one user when
//! that is larger: the bound of Cao, Gillespie & Petzold 2006 (J. Chem. Phys. 124:044109, eq.
//! 33: a change of `max(ε x_i / g_i, 1)` in each species). What changes with time alone (the
//! outage's looking intensity, the news) is not frozen: the joined step uses its drivers summed
//! over the steps it spans.

use serde::{Deserialize, Serialize};

/// The tolerance `ε` of the adaptive rule unless a scenario gives one: Cao, Gillespie & Petzold
/// (2006) use 0.03 in their examples.
pub const DEFAULT_TOLERANCE: f64 = 0.03;

/// The largest tolerance a scenario may give: beyond it a joined step's frozen state is no
/// longer a small change (the method's error is first order in `ε`).
pub const MAX_TOLERANCE: f64 = 0.25;

/// How the cohort engine steps through time. No `Default`: a scenario that names none gets the
/// adaptive rule on the cohort engine and the fixed one on the agent engine
/// (`scenario/validate.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "lowercase")]
pub enum StepRule {
    /// Every step of the scenario's grid (`simulation.step_minutes`).
    Fixed,
    /// Joined steps where no propensity changes by more than `tolerance` of itself.
    Adaptive { tolerance: f64 },
}

impl StepRule {
    /// The name `simulation.step_rule` and `--step-rule` take.
    pub fn name(self) -> &'static str {
        match self {
            StepRule::Fixed => "fixed",
            StepRule::Adaptive { .. } => "adaptive",
        }
    }

    /// The adaptive rule at the default tolerance.
    pub fn adaptive() -> Self {
        StepRule::Adaptive {
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// The rule a name gives, with the default tolerance, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "fixed" => Some(StepRule::Fixed),
            "adaptive" => Some(StepRule::adaptive()),
            _ => None,
        }
    }

    /// This rule with tolerance `tolerance` if it is adaptive (a fixed rule has none).
    pub fn with_tolerance(self, tolerance: f64) -> Self {
        match self {
            StepRule::Fixed => StepRule::Fixed,
            StepRule::Adaptive { .. } => StepRule::Adaptive { tolerance },
        }
    }

    /// Why `tolerance` is not a usable `ε`, if it is not.
    pub fn tolerance_problem(tolerance: f64) -> Option<String> {
        (!(tolerance > 0.0 && tolerance <= MAX_TOLERANCE))
            .then(|| format!("expected a number in (0, {MAX_TOLERANCE}], found {tolerance}"))
    }
}

/// Cao, Gillespie & Petzold's bound for one quantity: whether an expected change `change` in a
/// quantity of size `scale` (users, or a rate's worth of users) stays within `ε` of it, or
/// within one user when that is more.
pub fn within(change: f64, scale: f64, tolerance: f64) -> bool {
    change <= (tolerance * scale).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_the_tolerance_is_bounded() {
        for rule in [StepRule::Fixed, StepRule::from_name("adaptive").unwrap()] {
            assert_eq!(StepRule::from_name(rule.name()), Some(rule));
        }
        assert_eq!(StepRule::from_name("leaping"), None);
        assert!(StepRule::tolerance_problem(0.03).is_none());
        assert!(StepRule::tolerance_problem(0.0).is_some());
        assert!(StepRule::tolerance_problem(0.5).is_some());
        assert!(StepRule::tolerance_problem(f64::NAN).is_some());
        assert_eq!(
            StepRule::Fixed.with_tolerance(0.1),
            StepRule::Fixed,
            "a fixed rule has no tolerance"
        );
    }

    #[test]
    fn a_change_is_within_a_share_of_its_scale_or_one_user() {
        assert!(within(3.0, 100.0, 0.03));
        assert!(!within(3.1, 100.0, 0.03));
        // Below 1/ε users, one user's move is allowed.
        assert!(within(1.0, 10.0, 0.03));
        assert!(!within(1.5, 10.0, 0.03));
    }
}
