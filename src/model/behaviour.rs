//! The behavioural parameters every equation of the model takes (docs/MODEL.md §9): a plain
//! domain type; reading and writing parameter files is the scenario layer's (`scenario::params`).

use serde::{Deserialize, Serialize};

/// The behavioural parameters of docs/MODEL.md §Behaviour. Rates are per hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    /// p: spontaneous looking hazard of a user who noticed the event, per hour.
    pub innovation_per_hour: f64,
    /// q: word-of-mouth hazard per unit share of the region's users who already switched, per hour.
    pub word_of_mouth_per_hour: f64,
    /// ν: extra looking hazard at full news coverage, per hour.
    pub news_per_hour: f64,
    /// Time constant of an announced block's news fading after it ends, hours.
    pub news_decay_hours: f64,
    /// Time constant of the urgency growing with time since the outage began, hours (0 = at once).
    pub urgency_hours: f64,
    /// Time constant of looking fading after service returns, hours (docs/MODEL.md §4).
    pub after_hours: f64,
    /// Multiplier on the looking hazard of users who hold a dormant account at an alternative.
    pub dormant_boost: f64,
    /// n: regular contacts through whom a dormant holder is pulled back to her app: the boost
    /// applies as `1 + (dormant_boost - 1)(1 - (1 - C_k)^n)` (docs/MODEL.md §4); 0 = to every
    /// holder, whoever is on the app.
    pub dormant_contacts: f64,
    /// k: how many of those `n` contacts must be on her app before it pulls her back (a
    /// complex contagion's threshold: Centola & Macy 2007): the boost's reach is
    /// `P(Binomial(n, C_k) ≥ k)` (docs/MODEL.md §4); 1 = one contact suffices (the model before).
    /// A whole number from 1 to 10, at most `n`; used only when `n` > 0.
    pub dormant_threshold: f64,
    /// θ: how far a dormant holder's boosted word of mouth is limited to moves to her own app
    /// (the app tells her who joined it; moves elsewhere reach her as anyone's word of mouth):
    /// 0 = every move boosted (the model before), 1 = only moves to her app (docs/MODEL.md §4).
    pub own_app_moves: f64,
    /// T_h: mean time for an affected user to hear of an announced block from the news, hours
    /// (hearing hazard 1/T_h from the announcement); 0 = everyone hears at once (docs/MODEL.md §3).
    pub hearing_hours: f64,
    /// T_d: before an announced block starts, looking is discounted by exp(-(time to the
    /// start)/T_d): people wait for the deadline or doubt it will come, hours; 0 = no waiting
    /// (docs/MODEL.md §4).
    pub deadline_hours: f64,
    /// κ: the shape of waiting for the deadline, the generalized hyperbola
    /// (1 + κ d / T_d)^(-1/κ) of a delay d (Loewenstein & Prelec 1992): 0 = exponential
    /// (exp(-d/T_d)), 1 = hyperbolic (Mazur 1987), above 1 flatter still (docs/MODEL.md §4).
    pub deadline_shape: f64,
    /// γ: the buzz's gain, the looking hazard per unit of the region's recent switching rate
    /// (the branching ratio of the self-exciting surge, docs/MODEL.md §4); 0 = no buzz.
    pub buzz_gain: f64,
    /// T_b: time constant of the buzz's decay, hours.
    pub buzz_hours: f64,
    /// η: the buzz's novelty: a switcher to an app adds `1 + η ψ` to its buzz, `ψ` the share of
    /// the app's users in the region who arrived in the run (docs/MODEL.md §4); 0 = none.
    pub buzz_novelty: f64,
    /// β: weight of the share of contacts already on an app in the choice among apps.
    pub contact_weight: f64,
    /// ω: preference of a dormant-account holder for the app where the account is.
    pub account_affinity: f64,
    /// n: regular contacts per user; each who uses an app makes it known (awareness
    /// `1 - (1 - b_k)(1 - C_k)^n`, docs/MODEL.md §5). Used only where a scenario gives an app's
    /// `known_share`.
    pub known_contacts: f64,
    /// τ: the chance that a switcher also signs up at a second app, chosen as her first was with
    /// her first struck out (docs/MODEL.md §5, "Trying a second app"); 0 = one app each.
    pub trial_share: f64,
    /// Mean time a sign-up attempt waits in a queue before giving up, minutes.
    pub patience_minutes: f64,
}

#[cfg(test)]
impl Behaviour {
    /// Round values with every issue-37 mechanism off, for the model's unit tests.
    pub(crate) fn for_tests() -> Self {
        Behaviour {
            innovation_per_hour: 0.01,
            word_of_mouth_per_hour: 0.1,
            news_per_hour: 0.01,
            news_decay_hours: 4.0,
            urgency_hours: 1.0,
            after_hours: 2.0,
            dormant_boost: 10.0,
            dormant_contacts: 0.0,
            dormant_threshold: 1.0,
            own_app_moves: 0.0,
            hearing_hours: 0.0,
            deadline_hours: 0.0,
            deadline_shape: 0.0,
            buzz_gain: 0.0,
            buzz_hours: 24.0,
            buzz_novelty: 0.0,
            contact_weight: 1.0,
            account_affinity: 5.0,
            known_contacts: 15.0,
            trial_share: 0.0,
            patience_minutes: 30.0,
        }
    }
}
