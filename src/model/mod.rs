//! Pure behaviour of users during an event: when they notice it, when they look for another
//! app, which app they pick, whether sign-up keeps up, and who stays. No I/O; randomness comes
//! in as `&mut impl Rng`. docs/MODEL.md describes every equation here.
//!
//! May import: nothing of surge (the bottom layer).

pub mod baseline;
pub mod behaviour;
pub mod btrs;
pub mod buzz;
pub mod draw;
pub mod drivers;
pub mod retention;
pub mod rhythm;
pub mod signup;
pub mod stepping;
pub mod switching;

pub use behaviour::Behaviour;
