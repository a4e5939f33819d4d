//! Range checks shared by scenario and parameter validation; each failure names its key.

use super::error::ValidationIssue;
use super::locate::locate;

/// A number as a message shows it: plain for ordinary magnitudes (`43.8`, `1662`), short
/// scientific notation for huge or tiny ones (`1e300`, `2.5e-9`), never a hundred digits.
pub fn plain(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        format!("{v}")
    } else if a != 0.0 && !(1e-4..1e15).contains(&a) {
        let s = format!("{v:.3e}");
        // 1.500e7 -> 1.5e7
        match s.split_once('e') {
            Some((m, e)) => {
                let m = m.trim_end_matches('0').trim_end_matches('.');
                format!("{m}e{e}")
            }
            None => s,
        }
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Checks values from one file and reports failures at the key's position in that file.
pub(crate) struct Checker<'a> {
    pub text: &'a str,
}

impl Checker<'_> {
    pub fn issue(&self, key: &str, message: impl Into<String>) -> ValidationIssue {
        let (line, column) = locate(self.text, key);
        ValidationIssue {
            key: key.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    pub fn finite(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(self.issue(
                key,
                format!("expected a finite number, found {}", plain(value)),
            ))
        }
    }

    pub fn positive(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? > 0.0 {
            Ok(value)
        } else {
            Err(self.issue(
                key,
                format!("expected a number > 0, found {}", plain(value)),
            ))
        }
    }

    pub fn non_negative(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? >= 0.0 {
            Ok(value)
        } else {
            Err(self.issue(
                key,
                format!("expected a number >= 0, found {}", plain(value)),
            ))
        }
    }

    pub fn share(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if (0.0..=1.0).contains(&self.finite(key, value)?) {
            Ok(value)
        } else {
            Err(self.issue(
                key,
                format!("expected a share in [0, 1], found {}", plain(value)),
            ))
        }
    }

    pub fn at_most(&self, key: &str, value: f64, max: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? <= max {
            Ok(value)
        } else {
            Err(self.issue(
                key,
                format!(
                    "expected a number <= {}, found {}",
                    plain(max),
                    plain(value)
                ),
            ))
        }
    }

    /// A number at least `min` (for limits whose reciprocal must stay finite).
    pub fn at_least(&self, key: &str, value: f64, min: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? >= min {
            Ok(value)
        } else {
            Err(self.issue(
                key,
                format!(
                    "expected a number >= {}, found {}",
                    plain(min),
                    plain(value)
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn numbers_read_plainly() {
        assert_eq!(plain(1e300), "1e300");
        assert_eq!(plain(43.8), "43.8");
        assert_eq!(plain(1661.8205), "1661.8205");
        assert_eq!(plain(3.5e9), "3500000000");
        assert_eq!(plain(2.5e-9), "2.5e-9");
        assert_eq!(plain(-1.0), "-1");
        assert_eq!(plain(1e25), "1e25");
    }
}
