//! One quantity across runs, in constant memory: an exact count-free sum and sum of squares
//! (for the mean and its Monte Carlo standard error), the exact extremes, and a quantile sketch.
//!
//! Sums are kept in integers, so adding runs in any order, or merging tallies of disjoint runs in
//! any order, gives the same bits (floating-point sums depend on their order). For the sum, each
//! value is first cut to a multiple of 2^-40 (9e-13); for the sum of squares, to a multiple
//! of 2^-16 (1.5e-5), whose effect on a variance is of order 2^-32 / 12 (Sheppard's correction).
//! Both are exact for counts. The scenario limits keep values below 2^47 and runs below 2^32, so
//! neither sum can overflow.

use super::Spread;
use super::sketch::Sketch;

/// Values are summed as integers in units of 2^-SUM_BITS, and squared in units of 2^-SQUARE_BITS.
const SUM_BITS: i32 = 40;
const SQUARE_BITS: i32 = 16;

/// A 192-bit unsigned sum (a 128-bit limb and a count of its carries), enough for the squares of
/// any value the scenario limits allow over 2^32 runs: each square is below 2^128, so an addition
/// carries at most once, and the carries count at most the 2^32 values added. (The high limb was
/// a u128 until issue 40: two million tallies a worker at country scale made every byte count.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Wide {
    lo: u128,
    hi: u64,
}

impl Wide {
    fn add(&mut self, x: u128) {
        let (lo, carry) = self.lo.overflowing_add(x);
        self.lo = lo;
        self.hi += u64::from(carry);
    }
    fn merge(&mut self, other: Wide) {
        self.add(other.lo);
        self.hi += other.hi;
    }
    fn to_f64(self) -> f64 {
        self.hi as f64 * 2f64.powi(128) + self.lo as f64
    }
}

/// The summary of one quantity; the number of values is kept by the owner (every run adds one
/// value to every tally), and values not stored in the sketch are zeros.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    sum: i128,
    squares: Wide,
    /// Extremes of the non-zero values (infinite while there are none).
    min: f64,
    max: f64,
    sketch: Sketch,
}

/// The probabilities of the reported quantiles.
const PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

impl Tally {
    /// An empty tally whose quantiles keep `bits` mantissa bits (see `sketch::relative_error`).
    pub fn new(bits: u32) -> Self {
        Tally {
            sum: 0,
            squares: Wide::default(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sketch: Sketch::new(bits),
        }
    }

    /// Adds one run's value (finite; a zero costs nothing).
    #[inline]
    pub fn add(&mut self, value: f64) {
        if value == 0.0 {
            return;
        }
        // Whole part and fraction converted separately: two cheap 64-bit conversions where one
        // f64 -> i128 conversion is a slow library call. The fraction is truncated (toward 0).
        // The whole part by conversion, which truncates as `f64::trunc` does (a library call on
        // baseline x86-64) for every value below 2^63 in magnitude.
        debug_assert!(
            value.abs() < 9.2e18,
            "a value beyond the sums' range: {value}"
        );
        let whole = value as i64;
        let fraction = ((value - whole as f64) * 2f64.powi(SUM_BITS)) as i64;
        self.sum += (i128::from(whole) << SUM_BITS) + i128::from(fraction);
        // Rounded half up (the magnitude is not negative).
        let m = u128::from((value.abs() * 2f64.powi(SQUARE_BITS) + 0.5) as u64);
        self.squares.add(m * m);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sketch.add(value);
    }

    pub fn merge(&mut self, other: &Tally) {
        self.sum += other.sum;
        self.squares.merge(other.squares);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sketch.merge(&other.sketch);
    }

    /// Mean, MCSE and type-7 quantiles (Hyndman & Fan 1996, the R and NumPy default) of `count`
    /// values. The mean is exact (to the rounding above); each quantile is within
    /// `sketch::relative_error(bits)` of the exact one when its two order statistics share a sign
    /// (exact when every value is the same).
    pub fn spread(&self, count: u64) -> Spread {
        if count == 0 {
            return Spread::nan();
        }
        let n = count as f64;
        let zeros = count > self.sketch.stored();
        let lowest = if zeros { self.min.min(0.0) } else { self.min };
        let highest = if zeros { self.max.max(0.0) } else { self.max };
        let mean = self.sum as f64 / n / 2f64.powi(SUM_BITS);
        let var = if count < 2 || lowest == highest {
            0.0
        } else {
            let mean_square = self.squares.to_f64() / n / 2f64.powi(2 * SQUARE_BITS);
            ((mean_square - mean * mean) * n / (n - 1.0)).max(0.0)
        };
        let last = (count - 1) as f64;
        let mut ranks: Vec<u64> = PROBS
            .iter()
            .flat_map(|p| [(last * p).floor() as u64, (last * p).ceil() as u64])
            .collect();
        ranks.dedup();
        let at = self.sketch.at_ranks(count, &ranks);
        let order = |r: u64| at[ranks.iter().position(|&x| x == r).unwrap_or(0)];
        let q = |p: f64| {
            if lowest == highest {
                return lowest;
            }
            let h = last * p;
            let (lo, hi) = (order(h.floor() as u64), order(h.ceil() as u64));
            (lo + (h - h.floor()) * (hi - lo)).clamp(lowest, highest)
        };
        Spread::from_quantiles(mean, (var / n).sqrt(), q)
    }
}

impl Tally {
    pub(crate) fn encode(&self, w: &mut super::encode::Writer) {
        w.i128(self.sum);
        w.u128(self.squares.lo);
        // Written as 128 bits, as before the high limb narrowed: the format is unchanged.
        w.u128(u128::from(self.squares.hi));
        w.f64(self.min);
        w.f64(self.max);
        self.sketch.encode(w);
    }

    pub(crate) fn decode(
        r: &mut super::encode::Reader,
    ) -> Result<Self, super::encode::DecodeError> {
        Ok(Tally {
            sum: r.i128()?,
            squares: Wide {
                lo: r.u128()?,
                hi: u64::try_from(r.u128()?).map_err(|_| super::encode::DecodeError::Truncated)?,
            },
            min: r.f64()?,
            max: r.f64()?,
            sketch: Sketch::decode(r)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker holds one tally per series value (two million at 200 regions x 6 apps): 144
    /// bytes each before issue 40's country work, 112 now (the squares' high limb a u64, the
    /// negative store allocated when needed, the sketch's bits a byte).
    #[test]
    fn a_tally_takes_112_bytes_before_its_buckets() {
        assert_eq!(std::mem::size_of::<Tally>(), 112);
    }
    use crate::report::stats::spread;
    use crate::summary::sketch::relative_error;

    fn tally(values: &[f64]) -> Tally {
        let mut t = Tally::new(7);
        values.iter().for_each(|&v| t.add(v));
        t
    }

    #[test]
    fn mean_and_mcse_are_exact_and_quantiles_within_the_bound() {
        let values: Vec<f64> = (0..2001)
            .map(|i| f64::from((i * 7919) % 2001) * 13.0 + if i % 5 == 0 { 0.0 } else { 1.0 })
            .collect();
        let got = tally(&values).spread(values.len() as u64);
        let want = spread(&mut values.clone());
        assert!((got.mean - want.mean).abs() <= 1e-9 * want.mean);
        assert!((got.mcse - want.mcse).abs() <= 1e-9 * want.mcse);
        for (g, w) in [
            (got.p05, want.p05),
            (got.p25, want.p25),
            (got.p50, want.p50),
            (got.p75, want.p75),
            (got.p95, want.p95),
        ] {
            assert!((g - w).abs() <= relative_error(7) * w.abs(), "{g} vs {w}");
        }
    }

    #[test]
    fn constants_and_zeros_are_exact() {
        let s = tally(&[3.5; 9]).spread(9);
        assert_eq!(
            (s.p05, s.p50, s.p95, s.mean, s.mcse),
            (3.5, 3.5, 3.5, 3.5, 0.0)
        );
        let z = Tally::new(7).spread(4);
        assert_eq!((z.p05, z.p95, z.mean, z.mcse), (0.0, 0.0, 0.0, 0.0));
        // One run: every quantile is that run's value.
        let one = tally(&[1234.5]).spread(1);
        assert_eq!((one.p05, one.p95), (1234.5, 1234.5));
    }
}
