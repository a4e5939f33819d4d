//! surge: simulate where people go when the app they rely on goes down.
//!
//! The pipeline reads as the folders: [`scenario`] (parse and validate input) →
//! [`model`] (pure behaviour: hazards, choice, capacity, retention) → [`engine`]
//! (chain-binomial cohort engine and parallel Monte Carlo) → [`report`] (summary,
//! time series, atomic output files), with [`summary`] (streaming, mergeable summaries of
//! runs) between engine and report.

pub mod calibrate;
pub mod engine;
pub mod explore;
pub mod model;
pub mod report;
pub mod scenario;
pub mod summary;
pub mod workflow;
