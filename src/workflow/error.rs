//! The one error type of every workflow: what a request asked that cannot be done, or the
//! library error that stopped it, with the context a user needs to find the cause.

use std::fmt::Display;

/// Why a workflow stopped. Printed with its sources (`{:#}` through anyhow at the command line),
/// it reads as one line: the context, then each cause.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request asks for something that cannot be done, and says what was expected.
    #[error("{0}")]
    Refused(String),
    /// What was being done when `source` happened ("reading output/x/summary.json").
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    #[error(transparent)]
    Override(#[from] crate::scenario::OverrideError),
    #[error(transparent)]
    Calibration(#[from] crate::calibrate::CalibrationError),
    #[error(transparent)]
    MonteCarlo(#[from] crate::engine::montecarlo::MonteCarloError),
    #[error(transparent)]
    Design(#[from] crate::explore::sweep::DesignError),
    #[error(transparent)]
    Shard(#[from] crate::report::shard::ShardError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error(transparent)]
    Parts(#[from] crate::report::parts::PartsError),
    #[error(transparent)]
    Folder(#[from] crate::report::folder::FolderError),
    #[error(transparent)]
    Load(#[from] crate::report::series::LoadError),
    #[error(transparent)]
    Write(#[from] crate::report::atomic::WriteError),
    #[error(transparent)]
    Plot(#[from] crate::report::plot::PlotError),
    #[error(transparent)]
    Page(#[from] crate::report::page::PageError),
    #[error(transparent)]
    Decode(#[from] crate::summary::encode::DecodeError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Pool(#[from] rayon::ThreadPoolBuildError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stops the workflow with [`Error::Refused`] and a formatted message.
macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err($crate::workflow::Error::Refused(format!($($arg)*)))
    };
}
pub(crate) use refuse;

/// Adds what was being done to an error (as anyhow's `Context`, for the library's own type).
pub trait Context<T> {
    fn context(self, context: impl Display) -> Result<T>;
    fn with_context<C: Display>(self, context: impl FnOnce() -> C) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Display) -> Result<T> {
        self.with_context(|| context)
    }
    fn with_context<C: Display>(self, context: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| Error::Context {
            context: context().to_string(),
            source: Box::new(e.into()),
        })
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, context: impl Display) -> Result<T> {
        self.ok_or_else(|| Error::Refused(context.to_string()))
    }
    fn with_context<C: Display>(self, context: impl FnOnce() -> C) -> Result<T> {
        self.ok_or_else(|| Error::Refused(context().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_reads_before_its_cause() {
        let e = std::fs::read("/nonexistent/surge")
            .with_context(|| "reading /nonexistent/surge")
            .unwrap_err();
        assert_eq!(e.to_string(), "reading /nonexistent/surge");
        let cause = std::error::Error::source(&e).unwrap().to_string();
        assert!(cause.contains("No such file"), "{cause}");
        let none: Option<u8> = None;
        assert_eq!(none.context("no plan").unwrap_err().to_string(), "no plan");
    }
}
