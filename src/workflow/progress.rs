//! How a workflow tells its caller how far it has got: a progress bar at the command line, a
//! callback in another front end, nothing in tests. No workflow prints.

/// Progress of a workflow's units of work (runs, points). Every method has a do-nothing default,
/// so a caller implements what it shows. Called from worker threads, hence `Sync`.
pub trait Progress: Sync {
    /// `total` units are to be done (a bar's length).
    fn start(&self, _total: u64) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// A short status beside the bar ("points 3/10").
    fn status(&self, _text: &str) {}
    /// A line worth keeping (a timing, a notice), shown above the bar.
    fn note(&self, _text: &str) {}
    /// The work is over (the bar goes).
    fn finish(&self) {}
}

/// Shows nothing.
pub struct Silent;

impl Progress for Silent {}
