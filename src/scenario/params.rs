//! Behavioural parameter files (`params/*.toml`): parsed, validated into the model's
//! [`Behaviour`], and written back.

use super::check::Checker;
use super::error::ScenarioError;
use super::error::read_input;
use super::locate::from_toml;
use super::raw::RawParams;
pub use crate::model::Behaviour;
use std::path::Path;

/// Largest hazard per hour, time constant (hours, or minutes of patience) and weight (boost,
/// contact weight, affinity, attractiveness) a file may give.
pub const MAX_RATE: f64 = 1e6;
pub const MAX_HOURS: f64 = 1e6;
pub const MAX_WEIGHT: f64 = 1e6;
/// Largest shape of waiting for the deadline: (1 + κ d / T_d)^(-1/κ) at κ = 100 is nearly flat
/// (people hardly wait at all); beyond it the form adds nothing.
pub const MAX_DEADLINE_SHAPE: f64 = 100.0;
/// Largest threshold of contacts on a holder's app (`looking.dormant_threshold`): beyond a
/// handful the pull would need much of her circle there, which no source describes.
pub const MAX_DORMANT_THRESHOLD: f64 = 10.0;

/// `looking.dormant_threshold`: a whole number of contacts from 1 to
/// [`MAX_DORMANT_THRESHOLD`], and, where the boost goes through contacts (`dormant_contacts` >
/// 0), no more than she has (`P(Binomial(n, C) ≥ k)` needs `k ≤ n`).
fn dormant_threshold(
    c: &Checker,
    threshold: f64,
    contacts: f64,
) -> Result<f64, super::ValidationIssue> {
    let key = "looking.dormant_threshold";
    let k = c.at_least(key, threshold, 1.0)?;
    let k = c.at_most(key, k, MAX_DORMANT_THRESHOLD)?;
    let plain = super::check::plain;
    let refuse =
        |expected: String| Err(c.issue(key, format!("expected {expected}, found {}", plain(k))));
    if k.fract() != 0.0 {
        return refuse(format!(
            "a whole number of contacts (1 to {})",
            plain(MAX_DORMANT_THRESHOLD)
        ));
    }
    if contacts > 0.0 && k > contacts {
        return refuse(format!(
            "at most looking.dormant_contacts ({})",
            plain(contacts)
        ));
    }
    Ok(k)
}

impl Behaviour {
    fn from_raw(raw: RawParams, c: &Checker) -> Result<Self, super::ValidationIssue> {
        // Upper bounds far beyond any plausible value keep every product of hazards and weights
        // finite (1e308 once made the choice weights infinite and their shares NaN).
        // `zero_ok`: whether 0 is allowed (>= 0) or the value must be > 0.
        let bounded = |key: &str, v: f64, zero_ok: bool, max: f64| {
            let v = if zero_ok {
                c.non_negative(key, v)?
            } else {
                c.positive(key, v)?
            };
            c.at_most(key, v, max)
        };
        let (l, ch, s) = (&raw.looking, &raw.choice, &raw.signup);
        Ok(Behaviour {
            innovation_per_hour: bounded(
                "looking.innovation_per_hour",
                l.innovation_per_hour,
                true,
                MAX_RATE,
            )?,
            word_of_mouth_per_hour: bounded(
                "looking.word_of_mouth_per_hour",
                l.word_of_mouth_per_hour,
                true,
                MAX_RATE,
            )?,
            news_per_hour: bounded("looking.news_per_hour", l.news_per_hour, true, MAX_RATE)?,
            news_decay_hours: bounded(
                "looking.news_decay_hours",
                l.news_decay_hours,
                false,
                MAX_HOURS,
            )?,
            urgency_hours: bounded("looking.urgency_hours", l.urgency_hours, true, MAX_HOURS)?,
            after_hours: bounded("looking.after_hours", l.after_hours, false, MAX_HOURS)?,
            dormant_boost: bounded("looking.dormant_boost", l.dormant_boost, false, MAX_WEIGHT)?,
            dormant_contacts: bounded(
                "looking.dormant_contacts",
                l.dormant_contacts,
                true,
                MAX_WEIGHT,
            )?,
            dormant_threshold: dormant_threshold(c, l.dormant_threshold, l.dormant_contacts)?,
            // A share: of the moves elsewhere, how much the boost leaves out.
            own_app_moves: bounded("looking.own_app_moves", l.own_app_moves, true, 1.0)?,
            hearing_hours: bounded("looking.hearing_hours", l.hearing_hours, true, MAX_HOURS)?,
            deadline_hours: bounded("looking.deadline_hours", l.deadline_hours, true, MAX_HOURS)?,
            deadline_shape: bounded(
                "looking.deadline_shape",
                l.deadline_shape,
                true,
                MAX_DEADLINE_SHAPE,
            )?,
            buzz_gain: bounded("looking.buzz_gain", l.buzz_gain, true, MAX_WEIGHT)?,
            buzz_hours: bounded("looking.buzz_hours", l.buzz_hours, false, MAX_HOURS)?,
            buzz_novelty: bounded("looking.buzz_novelty", l.buzz_novelty, true, MAX_WEIGHT)?,
            contact_weight: bounded("choice.contact_weight", ch.contact_weight, true, MAX_WEIGHT)?,
            account_affinity: bounded(
                "choice.account_affinity",
                ch.account_affinity,
                false,
                MAX_WEIGHT,
            )?,
            known_contacts: bounded("choice.known_contacts", ch.known_contacts, true, MAX_WEIGHT)?,
            // A probability: a switcher tries a second app or not.
            trial_share: bounded("choice.trial_share", ch.trial_share, true, 1.0)?,
            patience_minutes: bounded(
                "signup.patience_minutes",
                s.patience_minutes,
                false,
                MAX_HOURS,
            )?,
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
    let text = read_input(path)?;
    Behaviour::parse(path, &text)
}

/// Names of the behavioural parameters, as in the parameter file's keys (`table.key`).
pub const PARAMETER_NAMES: [&str; 21] = [
    "looking.innovation_per_hour",
    "looking.word_of_mouth_per_hour",
    "looking.news_per_hour",
    "looking.news_decay_hours",
    "looking.urgency_hours",
    "looking.after_hours",
    "looking.dormant_boost",
    "looking.dormant_contacts",
    "looking.dormant_threshold",
    "looking.own_app_moves",
    "looking.hearing_hours",
    "looking.deadline_hours",
    "looking.deadline_shape",
    "looking.buzz_gain",
    "looking.buzz_hours",
    "looking.buzz_novelty",
    "choice.contact_weight",
    "choice.account_affinity",
    "choice.known_contacts",
    "choice.trial_share",
    "signup.patience_minutes",
];

impl Behaviour {
    fn field(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "looking.innovation_per_hour" => &mut self.innovation_per_hour,
            "looking.word_of_mouth_per_hour" => &mut self.word_of_mouth_per_hour,
            "looking.news_per_hour" => &mut self.news_per_hour,
            "looking.news_decay_hours" => &mut self.news_decay_hours,
            "looking.urgency_hours" => &mut self.urgency_hours,
            "looking.after_hours" => &mut self.after_hours,
            "looking.dormant_boost" => &mut self.dormant_boost,
            "looking.dormant_contacts" => &mut self.dormant_contacts,
            "looking.dormant_threshold" => &mut self.dormant_threshold,
            "looking.own_app_moves" => &mut self.own_app_moves,
            "looking.hearing_hours" => &mut self.hearing_hours,
            "looking.deadline_hours" => &mut self.deadline_hours,
            "looking.deadline_shape" => &mut self.deadline_shape,
            "looking.buzz_gain" => &mut self.buzz_gain,
            "looking.buzz_hours" => &mut self.buzz_hours,
            "looking.buzz_novelty" => &mut self.buzz_novelty,
            "choice.known_contacts" => &mut self.known_contacts,
            "choice.trial_share" => &mut self.trial_share,
            "choice.contact_weight" => &mut self.contact_weight,
            "choice.account_affinity" => &mut self.account_affinity,
            "signup.patience_minutes" => &mut self.patience_minutes,
            _ => return None,
        })
    }

    /// The value of a parameter by its file key, e.g. `looking.dormant_boost`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.clone().field(name).map(|v| *v)
    }

    /// Sets a parameter by its file key; false if there is no such parameter.
    pub fn set(&mut self, name: &str, value: f64) -> bool {
        self.field(name).map(|v| *v = value).is_some()
    }

    /// Checks these values as a parameter file's are checked (ranges, finiteness): the key and
    /// what was expected, if one is out of range. For values that come from elsewhere, such as
    /// the rows of a posterior.
    pub fn check(&self) -> Result<(), (String, String)> {
        let text = self.to_toml("", |_| None);
        match Behaviour::parse(Path::new("values"), &text) {
            Ok(_) => Ok(()),
            Err(ScenarioError::Invalid { key, message, .. }) => Err((key, message)),
            Err(e) => Err(("(parameters)".into(), e.to_string())),
        }
    }

    /// The parameter file text for these values, with an optional comment per key.
    pub fn to_toml(&self, header: &str, comment: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::from(header);
        let mut table = "";
        for name in PARAMETER_NAMES {
            let (t, key) = name.split_once('.').unwrap_or(("", name));
            if t != table {
                out.push_str(&format!("\n[{t}]\n"));
                table = t;
            }
            if let Some(c) = comment(name) {
                out.push_str(&format!("# {c}\n"));
            }
            out.push_str(&format!(
                "{key} = {:?}\n",
                self.get(name).unwrap_or(f64::NAN)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trip() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("params/default.toml");
        let b = load_params(&path).unwrap();
        let text = b.to_toml("# test\n", |n| Some(format!("about {n}")));
        assert_eq!(Behaviour::parse(Path::new("x.toml"), &text).unwrap(), b);
        let mut c = b.clone();
        assert!(c.set("signup.patience_minutes", 7.0) && !c.set("nope", 1.0));
        assert_eq!(c.get("signup.patience_minutes"), Some(7.0));
        assert!(c.check().is_ok());
        c.set("signup.patience_minutes", -1.0);
        let (key, message) = c.check().unwrap_err();
        assert_eq!(key, "signup.patience_minutes");
        assert!(message.contains("> 0"), "{message}");
    }
}
