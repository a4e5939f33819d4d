//! The worker pool every simulating workflow runs in: `threads` workers (0 = all cores), so the
//! option bounds every stage (simulation and the summaries after it).

use super::{Context, Result};

/// Most worker threads a request may ask for: far above any machine surge runs on, and low
/// enough that the operating system can start them all.
pub const MAX_THREADS: usize = 1024;

/// A pool of `threads` worker threads (0 = all cores).
pub fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    if threads > MAX_THREADS {
        super::refuse!("at most {MAX_THREADS} threads (0 = all cores), found {threads}");
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .with_context(|| format!("starting {threads} worker threads"))
}

/// The workers a pool of `threads` would have, without starting it.
pub fn workers(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}
