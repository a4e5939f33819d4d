//! What each command does, as library calls a second front end can make: one module per
//! command (`run`, `check`, `compare`, `fit`, `validate`, `sweep`, `sensitivity`, `tune`,
//! `shard` and its `merge`, `slurm`), each a function taking a typed request and giving a typed
//! result, with no printing and no argument parsing; progress goes through [`Progress`] (and
//! `calibrate::FitProgress` for fits), which the caller implements. The pieces they share sit in
//! modules of their own, used by all and lent by none: the worker [`pool`], the [`resources`]
//! checks, [`parameters`] and [`engine`] choice, design [`points`], sharded [`parts`], and
//! [`settle`], the one place a request's runs, seed, folder and threads are settled.
//!
//! May import: calibrate, explore, report, engine, model, scenario, summary. Nothing below it
//! imports it; the command line (src/cli/) is the only layer above.

pub mod check;
pub mod compare;
pub mod engine;
mod error;
pub mod fit;
pub mod nowcast;
pub mod nowcast_check;
pub mod parameters;
pub mod parts;
pub mod points;
pub mod pool;
pub mod progress;
pub mod report;
pub mod resources;
pub mod run;
pub mod sensitivity;
pub mod settle;
pub mod shard;
pub mod slurm;
pub mod sweep;
pub mod tune;
pub mod validate;

pub(crate) use error::refuse;
pub use error::{Context, Error, Result};
pub use progress::{Progress, Silent};
