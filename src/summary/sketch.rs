//! A mergeable quantile sketch with a relative-error guarantee: DDSketch (Masson, Rim & Lee,
//! "DDSketch: a fast and fully-mergeable quantile sketch with relative-error guarantees",
//! VLDB 2019) with the paper's linearly interpolated index mapping.
//!
//! A value's bucket is read off its IEEE-754 bits: the exponent and the top `b` bits of the
//! mantissa. Buckets are therefore log-linear (2^b per doubling), a bucket's upper edge is at
//! most `1 + 2^-b` times its lower edge, and answering with the bucket's harmonic-mean point is
//! within [`relative_error`]`(b) = 1 / (2^(b+1) + 1)` of every value in it (b = 7: 0.39%).
//! Bucket counts add, so merging is exact and independent of order.
//!
//! Written here rather than with the `sketches-ddsketch` crate because that crate computes a
//! logarithm per value (this mapping is a shift), keeps 64-bit counts in a store sized for the
//! worst case (this one grows to the range actually seen, with 32-bit counts), and sums in
//! floating point, which depends on the order of merging.

/// Largest relative error of a value reported for a bucket when keys keep `bits` mantissa
/// bits: (hi - lo) / (hi + lo) with hi / lo at most 1 + 2^-bits.
pub fn relative_error(bits: u32) -> f64 {
    1.0 / ((2u64 << bits) + 1) as f64
}

/// The bucket of a positive, finite value.
fn key(magnitude: f64, bits: u32) -> i64 {
    (magnitude.to_bits() >> (52 - bits)) as i64
}

/// The value reported for a bucket: the point whose largest relative distance to the bucket's
/// edges is smallest (2·lo·hi / (lo + hi)).
fn representative(key: i64, bits: u32) -> f64 {
    let lo = f64::from_bits((key as u64) << (52 - bits));
    let hi = f64::from_bits(((key + 1) as u64) << (52 - bits));
    if hi.is_finite() {
        2.0 * lo * hi / (lo + hi)
    } else {
        lo
    }
}

/// Counts per bucket over the range of keys seen so far.
#[derive(Debug, Clone, Default)]
struct Store {
    offset: i64,
    counts: Vec<u32>,
}

impl Store {
    fn add(&mut self, key: i64, count: u32) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(count);
            return;
        }
        // Grown by at least an eighth at a time, not doubled: a doubled capacity leaves up to
        // half of every store empty, and a worker holds millions of them; growing only by what
        // is needed reallocates at each new extreme (13% slower at country scale).
        if key < self.offset {
            let grow = (self.offset - key) as usize;
            self.reserve(grow);
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = key;
        }
        let i = (key - self.offset) as usize;
        if i >= self.counts.len() {
            self.reserve(i + 1 - self.counts.len());
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += count;
    }

    /// Room for `more` buckets, and an eighth of the store beyond them when it must grow.
    fn reserve(&mut self, more: usize) {
        let len = self.counts.len();
        if self.counts.capacity() < len + more {
            self.counts.reserve_exact(more.max(len / 8));
        }
    }

    fn merge(&mut self, other: &Store) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add(other.offset + i as i64, c);
            }
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// Non-empty buckets in ascending key order.
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| (self.offset + i as i64, u64::from(c)))
    }

    /// The counts without leading or trailing empty buckets (what two equal stores share).
    fn trimmed(&self) -> (i64, &[u32]) {
        let first = self.counts.iter().position(|&c| c > 0);
        let last = self.counts.iter().rposition(|&c| c > 0);
        match (first, last) {
            (Some(a), Some(b)) => (self.offset + a as i64, &self.counts[a..=b]),
            _ => (0, &[]),
        }
    }
}

/// The sketch of one quantity across runs: buckets for positive values, buckets for the
/// magnitudes of negative ones; zeros (and magnitudes below `f64::MIN_POSITIVE`) are what is
/// left of the total count, which the owner keeps.
///
/// Small, because a worker holds one per series value (two million at 200 regions x 6 apps):
/// the negative store, which counts rarely need, is allocated when a negative value comes.
#[derive(Debug, Clone)]
pub struct Sketch {
    positive: Store,
    negative: Option<Box<Store>>,
    /// Mantissa bits kept in a bucket key (1 to 20).
    bits: u8,
}

/// The empty store an absent negative store stands for.
static EMPTY: Store = Store {
    offset: 0,
    counts: Vec::new(),
};

impl PartialEq for Sketch {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
            && self.positive.trimmed() == other.positive.trimmed()
            && self.negatives().trimmed() == other.negatives().trimmed()
    }
}

impl Sketch {
    pub(crate) fn encode(&self, w: &mut super::encode::Writer) {
        w.u32(u32::from(self.bits));
        for store in [&self.positive, self.negatives()] {
            let (offset, counts) = store.trimmed();
            w.i64(offset);
            w.u64(counts.len() as u64);
            counts.iter().for_each(|&c| w.u32(c));
        }
    }

    pub(crate) fn decode(
        r: &mut super::encode::Reader,
    ) -> Result<Self, super::encode::DecodeError> {
        let bits = r.u32()?;
        if !(1..=20).contains(&bits) {
            return Err(super::encode::DecodeError::Truncated);
        }
        let mut store = || -> Result<Store, super::encode::DecodeError> {
            let offset = r.i64()?;
            let n = r.len(4)?;
            let counts = (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?;
            Ok(Store { offset, counts })
        };
        let positive = store()?;
        let negative = store()?;
        Ok(Sketch {
            bits: bits as u8,
            positive,
            negative: (!negative.counts.is_empty()).then(|| Box::new(negative)),
        })
    }

    /// The negative values' store (empty until one comes).
    fn negatives(&self) -> &Store {
        self.negative.as_deref().unwrap_or(&EMPTY)
    }

    fn bits(&self) -> u32 {
        u32::from(self.bits)
    }

    /// An empty sketch whose answers are within `relative_error(bits)`; memory grows with
    /// 2^bits buckets per doubling of the range of values seen.
    pub fn new(bits: u32) -> Self {
        assert!(
            (1..=20).contains(&bits),
            "sketch bits {bits} outside 1..=20"
        );
        Sketch {
            bits: bits as u8,
            positive: Store::default(),
            negative: None,
        }
    }

    pub fn relative_error(&self) -> f64 {
        relative_error(self.bits())
    }

    /// Adds a finite value (zeros are not stored: see the type's note).
    pub fn add(&mut self, value: f64) {
        if value >= f64::MIN_POSITIVE {
            self.positive.add(key(value, self.bits()), 1);
        } else if value <= -f64::MIN_POSITIVE {
            let bits = self.bits();
            self.negative
                .get_or_insert_default()
                .add(key(-value, bits), 1);
        }
    }

    pub fn merge(&mut self, other: &Sketch) {
        assert_eq!(
            self.bits, other.bits,
            "merging sketches of different resolution"
        );
        self.positive.merge(&other.positive);
        if let Some(theirs) = &other.negative {
            self.negative.get_or_insert_default().merge(theirs);
        }
    }

    /// Values stored (all but the zeros).
    pub fn stored(&self) -> u64 {
        self.positive.total() + self.negatives().total()
    }

    /// Estimates of the order statistics at `ranks` (0-based, ascending) of `count` values, of
    /// which those not stored are zeros. Each estimate is within `relative_error` of the exact
    /// order statistic (exact for zeros).
    pub fn at_ranks(&self, count: u64, ranks: &[u64]) -> Vec<f64> {
        let zeros = count - self.stored();
        let bits = self.bits();
        let negatives = self
            .negatives()
            .buckets()
            .rev()
            .map(|(k, c)| (-representative(k, bits), c));
        let positives = self
            .positive
            .buckets()
            .map(|(k, c)| (representative(k, bits), c));
        let mut buckets = negatives
            .chain((zeros > 0).then_some((0.0, zeros)))
            .chain(positives);
        let mut out = Vec::with_capacity(ranks.len());
        let mut below = 0u64; // values in the buckets passed so far
        let mut current = (f64::NAN, 0u64);
        for &rank in ranks {
            while below + current.1 <= rank {
                below += current.1;
                match buckets.next() {
                    Some(b) => current = b,
                    None => break,
                }
            }
            out.push(current.0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_answer_is_within_the_stated_error() {
        for &v in &[
            1e-6, 0.3, 1.0, 1.0078125, 1.99, 3.0, 1234.5, 7.7e6, 4.9e9, 1.2e12,
        ] {
            for bits in [7, 12] {
                let r = representative(key(v, bits), bits);
                assert!(
                    ((r - v) / v).abs() <= relative_error(bits) * (1.0 + 1e-12),
                    "{v} -> {r}"
                );
            }
        }
        assert!((relative_error(7) - 1.0 / 257.0).abs() < 1e-15);
    }

    #[test]
    fn ranks_walk_negatives_zeros_and_positives_in_order() {
        let mut s = Sketch::new(7);
        for v in [-5.0, -1.0, 2.0, 3.0, 100.0] {
            s.add(v);
        }
        s.add(0.0);
        // Seven values: the five stored, plus two zeros.
        let got = s.at_ranks(7, &[0, 1, 2, 3, 4, 5, 6]);
        let want = [-5.0, -1.0, 0.0, 0.0, 2.0, 3.0, 100.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= relative_error(7) * w.abs(), "{got:?}");
        }
    }

    #[test]
    fn merging_is_exact_and_order_free() {
        let values: Vec<f64> = (0..500).map(|i| f64::from(i * 37 % 101) * 1.7).collect();
        let mut whole = Sketch::new(7);
        values.iter().for_each(|&v| whole.add(v));
        let (mut a, mut b) = (Sketch::new(7), Sketch::new(7));
        values[..123].iter().for_each(|&v| a.add(v));
        values[123..].iter().rev().for_each(|&v| b.add(v));
        let mut ba = b.clone();
        ba.merge(&a);
        a.merge(&b);
        assert_eq!(a, whole);
        assert_eq!(ba, whole);
    }
}
