//! Range checks shared by scenario and parameter validation; each failure names its key.

use super::error::ValidationIssue;
use super::locate::locate;

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
            Err(self.issue(key, format!("expected a finite number, found {value}")))
        }
    }

    pub fn positive(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? > 0.0 {
            Ok(value)
        } else {
            Err(self.issue(key, format!("expected a number > 0, found {value}")))
        }
    }

    pub fn non_negative(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? >= 0.0 {
            Ok(value)
        } else {
            Err(self.issue(key, format!("expected a number >= 0, found {value}")))
        }
    }

    pub fn share(&self, key: &str, value: f64) -> Result<f64, ValidationIssue> {
        if (0.0..=1.0).contains(&self.finite(key, value)?) {
            Ok(value)
        } else {
            Err(self.issue(key, format!("expected a share in [0, 1], found {value}")))
        }
    }

    pub fn at_most(&self, key: &str, value: f64, max: f64) -> Result<f64, ValidationIssue> {
        if self.finite(key, value)? <= max {
            Ok(value)
        } else {
            Err(self.issue(key, format!("expected a number <= {max}, found {value}")))
        }
    }
}
