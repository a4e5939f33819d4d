//! A compact, exact binary form of [`RunSummaries`], so that a shard's summaries can be saved
//! and merged elsewhere into exactly the unsharded result.
//!
//! Written here rather than with serde: the sums are 128- and 256-bit integers and the
//! extremes may be infinite, which JSON cannot hold and which a general-purpose binary format
//! would still have to be checked for; this form is little-endian integers and IEEE-754 bits,
//! read back bit for bit, with a magic header and a version so that a wrong file is refused.

use super::RunSummaries;

/// First bytes of an encoded summary, then the format version.
const MAGIC: &[u8; 8] = b"surgesum";
const VERSION: u32 = 1;

/// Why bytes are not an encoded summary.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a surge summary file (no \"surgesum\" header)")]
    NotASummary,
    #[error("summary format version {0}, but this surge reads version {VERSION}")]
    Version(u32),
    #[error("the summary file is cut short or damaged")]
    Truncated,
}

/// Appends values to a byte buffer.
#[derive(Default)]
pub(crate) struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i128(&mut self, v: i128) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
}

/// Reads values back in the order they were written.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let (head, rest) = self
            .bytes
            .split_first_chunk::<N>()
            .ok_or(DecodeError::Truncated)?;
        self.bytes = rest;
        Ok(*head)
    }
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        self.take().map(u32::from_le_bytes)
    }
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        self.take().map(u64::from_le_bytes)
    }
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        self.take().map(i64::from_le_bytes)
    }
    pub fn u128(&mut self) -> Result<u128, DecodeError> {
        self.take().map(u128::from_le_bytes)
    }
    pub fn i128(&mut self) -> Result<i128, DecodeError> {
        self.take().map(i128::from_le_bytes)
    }
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        self.u64().map(f64::from_bits)
    }
    /// A length that the remaining bytes could hold at `item` bytes each.
    pub fn len(&mut self, item: usize) -> Result<usize, DecodeError> {
        let n = usize::try_from(self.u64()?).map_err(|_| DecodeError::Truncated)?;
        if n.saturating_mul(item) > self.bytes.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
}

impl RunSummaries {
    /// The summaries as bytes ([`RunSummaries::from_bytes`] reads them back, equal bit for bit).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.u64(self.runs);
        for tallies in [&self.series, &self.headline] {
            w.u64(tallies.len() as u64);
            for t in tallies {
                t.encode(&mut w);
            }
        }
        w.bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(DecodeError::NotASummary)?;
        let mut r = Reader { bytes: rest };
        let version = r.u32()?;
        if version != VERSION {
            return Err(DecodeError::Version(version));
        }
        let runs = r.u64()?;
        let mut read = || -> Result<Vec<super::Tally>, DecodeError> {
            // A tally takes at least 84 bytes.
            let n = r.len(84)?;
            (0..n).map(|_| super::Tally::decode(&mut r)).collect()
        };
        let series = read()?;
        let headline = read()?;
        if !r.bytes.is_empty() {
            return Err(DecodeError::Truncated);
        }
        Ok(RunSummaries {
            runs,
            series,
            headline,
        })
    }
}

/// Rows of values (a shard's single runs, each a run's series) as bytes: the number of rows,
/// then each row's length and its values' IEEE-754 bits, little-endian.
pub fn rows_to_bytes(rows: &[Vec<f64>]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(rows.len() as u64);
    for row in rows {
        w.u64(row.len() as u64);
        row.iter().for_each(|&v| w.f64(v));
    }
    w.bytes
}

/// The rows [`rows_to_bytes`] wrote, bit for bit.
pub fn rows_from_bytes(bytes: &[u8]) -> Result<Vec<Vec<f64>>, DecodeError> {
    let mut r = Reader { bytes };
    let n = r.len(8)?;
    let rows = (0..n)
        .map(|_| {
            let len = r.len(8)?;
            (0..len).map(|_| r.f64()).collect()
        })
        .collect::<Result<_, _>>()?;
    if !r.bytes.is_empty() {
        return Err(DecodeError::Truncated);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_back_equal_and_damaged_files_are_refused() {
        let mut s = RunSummaries::new(5, 2);
        for run in 0..40 {
            let v = f64::from(run);
            s.add(&[v, -v, 0.0, v * 1e9, 0.5], &[v * v, f64::from(run % 3)]);
        }
        let bytes = s.to_bytes();
        assert_eq!(RunSummaries::from_bytes(&bytes), Ok(s.clone()));
        // An empty summary keeps its infinite extremes.
        let empty = RunSummaries::new(3, 1);
        assert_eq!(RunSummaries::from_bytes(&empty.to_bytes()), Ok(empty));
        assert_eq!(
            RunSummaries::from_bytes(&bytes[..bytes.len() - 1]),
            Err(DecodeError::Truncated)
        );
        assert_eq!(
            RunSummaries::from_bytes(b"not a summary"),
            Err(DecodeError::NotASummary)
        );
        let rows = vec![vec![1.5, -0.0, f64::INFINITY], vec![], vec![3.25]];
        let encoded = rows_to_bytes(&rows);
        let back = rows_from_bytes(&encoded).unwrap();
        assert_eq!(format!("{back:?}"), format!("{rows:?}"));
        assert_eq!(
            rows_from_bytes(&encoded[..encoded.len() - 3]),
            Err(DecodeError::Truncated)
        );
    }
}
