//! Priors (`params/priors.toml`): for each fitted parameter a uniform or log-uniform range.
//! The fit works in "prior space" u (x for uniform, ln x for log-uniform), where every prior is
//! uniform on a box.

use super::CalibrationError;
use crate::model::Behaviour;
use crate::scenario::check::Checker;
use crate::scenario::check::plain;
use crate::scenario::error::read_input;
use crate::scenario::locate::{from_toml, locate};
use crate::scenario::{ScenarioError, ValidationIssue};
use rand::{Rng, RngExt};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrior {
    distribution: String,
    low: f64,
    high: f64,
}

/// One fitted parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// Key in the parameter file, e.g. `looking.dormant_boost`.
    pub name: String,
    pub log: bool,
    pub low: f64,
    pub high: f64,
}

impl Prior {
    /// Bounds in prior space.
    pub fn bounds(&self) -> (f64, f64) {
        if self.log {
            (self.low.ln(), self.high.ln())
        } else {
            (self.low, self.high)
        }
    }
    pub fn to_natural(&self, u: f64) -> f64 {
        if self.log { u.exp() } else { u }
    }
    pub fn to_prior_space(&self, x: f64) -> f64 {
        if self.log { x.ln() } else { x }
    }
}

/// The fitted parameters, in file order (sorted by name).
#[derive(Debug, Clone)]
pub struct Priors {
    pub file: PathBuf,
    pub priors: Vec<Prior>,
}

impl Priors {
    pub fn names(&self) -> Vec<String> {
        self.priors.iter().map(|p| p.name.clone()).collect()
    }

    /// A draw from the prior, in prior space.
    pub fn sample(&self, rng: &mut impl Rng) -> Vec<f64> {
        self.priors
            .iter()
            .map(|p| {
                let (a, b) = p.bounds();
                a + (b - a) * rng.random::<f64>()
            })
            .collect()
    }

    /// Whether a point in prior space has positive prior density.
    pub fn contains(&self, u: &[f64]) -> bool {
        self.priors.iter().zip(u).all(|(p, &x)| {
            let (a, b) = p.bounds();
            (a..=b).contains(&x)
        })
    }

    /// `base` with the fitted parameters set from a point in prior space.
    pub fn behaviour(&self, base: &Behaviour, u: &[f64]) -> Behaviour {
        let mut b = base.clone();
        for (p, &x) in self.priors.iter().zip(u) {
            b.set(&p.name, p.to_natural(x));
        }
        b
    }
}

fn check(
    c: &Checker,
    name: &str,
    raw: &RawPrior,
    base: &Behaviour,
) -> Result<Prior, ValidationIssue> {
    if base.get(name).is_none() {
        return Err(c.issue(
            name,
            format!("`{name}` is not a behavioural parameter (see params/default.toml)"),
        ));
    }
    let log = match raw.distribution.as_str() {
        "uniform" => false,
        "log_uniform" => true,
        other => {
            return Err(c.issue(
                &format!("{name}.distribution"),
                format!("expected \"uniform\" or \"log_uniform\", found {other:?}"),
            ));
        }
    };
    let low = if log {
        c.positive(&format!("{name}.low"), raw.low)?
    } else {
        c.finite(&format!("{name}.low"), raw.low)?
    };
    let high = c.finite(&format!("{name}.high"), raw.high)?;
    if high <= low {
        return Err(c.issue(
            &format!("{name}.high"),
            format!(
                "expected high > low ({}), found {}",
                plain(low),
                plain(high)
            ),
        ));
    }
    // Each bound must be a value the parameter file accepts, so no draw can give a fitted.toml
    // that surge itself would refuse.
    for (bound, value) in [("low", low), ("high", high)] {
        let mut b = base.clone();
        b.set(name, value);
        if let Err((_, message)) = b.check() {
            return Err(c.issue(
                &format!("{name}.{bound}"),
                format!("a value the parameter file accepts: {message}"),
            ));
        }
    }
    Ok(Prior {
        name: name.to_string(),
        log,
        low,
        high,
    })
}

/// Reads and validates a priors file (tables `[group.parameter]`).
pub fn load_priors(path: &Path, base: &Behaviour) -> Result<Priors, CalibrationError> {
    let text = read_input(path)?;
    let c = Checker { text: &text };
    let invalid = |i| CalibrationError::Scenario(ScenarioError::invalid(path, i));
    let raw: BTreeMap<String, BTreeMap<String, RawPrior>> = from_toml(&text).map_err(invalid)?;
    let mut priors = Vec::new();
    for (group, params) in &raw {
        for (key, prior) in params {
            priors.push(check(&c, &format!("{group}.{key}"), prior, base).map_err(invalid)?);
        }
    }
    if priors.is_empty() {
        let (line, column) = locate(&text, "");
        return Err(invalid(ValidationIssue {
            key: "(document)".into(),
            line,
            column,
            message: "no priors: nothing to fit".into(),
        }));
    }
    Ok(Priors {
        file: path.to_path_buf(),
        priors,
    })
}
