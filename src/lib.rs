//! surge: simulate where people go when the app they rely on goes down.
//!
//! The folders are the layers, each importing only those below it (tests/layers.rs checks):
//!
//! - [`workflow`]: what each command does (run, check, compare, fit, validate, sweep,
//!   sensitivity, tune, shard and merge, slurm) as calls with typed requests and results;
//! - [`calibrate`] (fitting to the reported figures, validation) and [`explore`] (designs of
//!   many scenarios);
//! - [`report`]: results on disk, atomically, and the plots;
//! - [`engine`]: the cohort and agent engines and the parallel Monte Carlo;
//! - [`model`] (pure behaviour: hazards, choice, capacity, retention), [`scenario`] (parse and
//!   validate input) and [`summary`] (streaming, mergeable summaries of runs).
//!
//! The `surge` binary (src/main.rs, src/cli/) is a thin command line over [`workflow`].

pub mod calibrate;
pub mod engine;
pub mod explore;
pub mod model;
pub mod report;
pub mod scenario;
pub mod summary;
pub mod workflow;
