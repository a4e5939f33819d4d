//! Per-run random streams: run i of a seed always draws the same numbers, on any thread count.
//!
//! Each model component draws from its own stream (as in CDC's ixa), so adding a draw in one
//! component does not shift the others. Streams are Xoshiro256++ (Blackman & Vigna 2021, a
//! named portable generator from rand_xoshiro) seeded through SplitMix64 from (seed, run, component).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit key of the stream for (seed, run, component).
pub fn stream_key(seed: u64, run: u64, component: u64) -> u64 {
    mix(mix(mix(seed) ^ run) ^ component)
}

fn stream(seed: u64, run: u64, component: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(stream_key(seed, run, component))
}

/// The named streams of one Monte Carlo run.
#[derive(Debug, Clone)]
pub struct RunStreams {
    pub notice: Xoshiro256PlusPlus,
    pub looking: Xoshiro256PlusPlus,
    pub choice: Xoshiro256PlusPlus,
    pub signup: Xoshiro256PlusPlus,
    pub retention: Xoshiro256PlusPlus,
    pub baseline: Xoshiro256PlusPlus,
    /// For drawing a run's parameters (posterior runs).
    pub parameters: Xoshiro256PlusPlus,
}

impl RunStreams {
    pub fn new(seed: u64, run: u64) -> Self {
        RunStreams {
            notice: stream(seed, run, 1),
            looking: stream(seed, run, 2),
            choice: stream(seed, run, 3),
            signup: stream(seed, run, 4),
            retention: stream(seed, run, 5),
            baseline: stream(seed, run, 6),
            parameters: stream(seed, run, 7),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Value-stability: these numbers pin the generator and the seeding; if an upgrade changes
    /// them, every golden output changes too.
    #[test]
    fn streams_are_stable() {
        assert_eq!(stream_key(0, 0, 0), 2_558_736_989_570_252_433);
        let mut s = RunStreams::new(42, 3);
        assert_eq!(s.notice.next_u64(), 4_161_981_485_723_293_412);
    }

    #[test]
    fn runs_and_components_differ() {
        let a = RunStreams::new(1, 0).notice.next_u64();
        let b = RunStreams::new(1, 1).notice.next_u64();
        let c = RunStreams::new(1, 0).looking.next_u64();
        assert!(a != b && a != c && b != c);
    }
}
