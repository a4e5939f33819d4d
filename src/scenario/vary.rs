//! A scenario key and the range a sweep or a sensitivity analysis varies it over
//! (`KEY=FROM:TO:STEPS[:log]`), parsed and checked.

/// One varied key and its range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Vary {
    pub key: String,
    pub from: f64,
    pub to: f64,
    /// Values on a grid (at least 1); unused by a Latin hypercube.
    pub steps: usize,
    /// Spaced evenly in the logarithm (both ends above 0).
    pub log: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaryError {
    #[error(
        "--vary {0:?}: expected KEY=FROM:TO:STEPS or KEY=FROM:TO:STEPS:log (e.g. event.duration_hours=1:24:8; a Latin hypercube needs only KEY=FROM:TO)"
    )]
    Syntax(String),
    #[error("--vary {key}: {message}")]
    Range { key: String, message: String },
}

impl std::str::FromStr for Vary {
    type Err = VaryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || VaryError::Syntax(s.to_string());
        let (key, range) = s.split_once('=').ok_or_else(bad)?;
        let key = key.trim();
        let mut parts: Vec<&str> = range.split(':').map(str::trim).collect();
        let log = parts.last() == Some(&"log");
        if log {
            parts.pop();
        }
        let (from, to, steps) = match parts.as_slice() {
            [from, to] => (from, to, None),
            [from, to, steps] => (from, to, Some(steps)),
            _ => return Err(bad()),
        };
        let number = |t: &str| t.replace('_', "").parse::<f64>().map_err(|_| bad());
        let vary = Vary {
            key: key.to_string(),
            from: number(from)?,
            to: number(to)?,
            steps: match steps {
                Some(n) => n.parse().map_err(|_| bad())?,
                None => 0,
            },
            log,
        };
        if key.is_empty() {
            return Err(bad());
        }
        let range_error = |message: String| VaryError::Range {
            key: key.to_string(),
            message,
        };
        if !vary.from.is_finite() || !vary.to.is_finite() {
            return Err(range_error("expected finite ends".into()));
        }
        if log && (vary.from <= 0.0 || vary.to <= 0.0) {
            return Err(range_error(format!(
                "log spacing needs both ends above 0, found {}:{}",
                vary.from, vary.to
            )));
        }
        Ok(vary)
    }
}

impl std::fmt::Display for Vary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}:{}:{}", self.key, self.from, self.to, self.steps)?;
        if self.log {
            write!(f, ":log")?;
        }
        Ok(())
    }
}

impl Vary {
    /// The value at `u` in [0, 1] of the range (0: FROM, 1: TO; evenly in the logarithm for
    /// log keys).
    pub fn at(&self, u: f64) -> f64 {
        if u <= 0.0 {
            return self.from;
        }
        if u >= 1.0 {
            return self.to;
        }
        if self.log {
            (self.from.ln() + u * (self.to.ln() - self.from.ln())).exp()
        } else {
            self.from + u * (self.to - self.from)
        }
    }

    /// The grid values: STEPS values from FROM to TO inclusive (FROM alone for one step).
    pub fn grid(&self) -> Vec<f64> {
        match self.steps {
            0 => Vec::new(),
            1 => vec![self.from],
            n => (0..n).map(|i| self.at(i as f64 / (n - 1) as f64)).collect(),
        }
    }
}
