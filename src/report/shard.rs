//! Shards: a fixed share of a piece of work (runs, sweep points, sensitivity points), given as
//! `--shard I/N` or read from a cluster scheduler's environment (Slurm job arrays, Kubernetes
//! Indexed Jobs). Shard I of N takes the I-th of N contiguous, near-equal ranges, so the shards
//! cover the work exactly once whatever N is.

use std::ops::Range;

/// Shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Most shards one piece of work is split into.
pub const MAX_SHARDS: u64 = 1_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error(
        "--shard {0:?}: expected I/N with 0 <= I < N <= {MAX_SHARDS} (e.g. 0/4 for the first of four)"
    )]
    Syntax(String),
    #[error("{name}={value:?}: expected a whole number")]
    Env { name: &'static str, value: String },
    #[error(
        "the environment gives shard {index} of {count} ({source_name}); expected 0 <= index < count <= {MAX_SHARDS}"
    )]
    OutOfRange {
        index: u64,
        count: u64,
        source_name: &'static str,
    },
    #[error("{0} is set but not {1}: cannot tell how many shards there are")]
    NoCount(&'static str, &'static str),
}

impl std::str::FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError::Syntax(s.to_string());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole work as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// This shard's share of `total` units of work: `[total·I/N, total·(I+1)/N)`.
    pub fn range(&self, total: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(total) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The shard a scheduler's environment gives (`var` reads a variable), if any: a Slurm job
    /// array's `SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN` (arrays may start anywhere)
    /// of `SLURM_ARRAY_TASK_COUNT`, or a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` of
    /// `SURGE_SHARD_COUNT` (Kubernetes does not pass the count: set it to the completions).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, ShardError> {
        let number = |name: &'static str| -> Result<Option<u64>, ShardError> {
            var(name)
                .map(|v| {
                    v.trim().parse().map_err(|_| ShardError::Env {
                        name,
                        value: v.clone(),
                    })
                })
                .transpose()
        };
        let (index, count, source_name) = if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or(ShardError::NoCount(
                "SLURM_ARRAY_TASK_ID",
                "SLURM_ARRAY_TASK_COUNT",
            ))?;
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            (id.wrapping_sub(min), count, "Slurm job array")
        } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = number("SURGE_SHARD_COUNT")?.ok_or(ShardError::NoCount(
                "JOB_COMPLETION_INDEX",
                "SURGE_SHARD_COUNT",
            ))?;
            (index, count, "Kubernetes Indexed Job")
        } else {
            return Ok(None);
        };
        if count == 0 || index >= count || count > MAX_SHARDS {
            return Err(ShardError::OutOfRange {
                index,
                count,
                source_name,
            });
        }
        Ok(Some(Shard { index, count }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn shards_cover_the_work_once() {
        for total in [0, 1, 7, 1000, 1_000_003] {
            for count in [1, 2, 3, 4, 7, 1000] {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.range(total);
                    assert_eq!(r.start, next);
                    assert!(r.end - r.start <= total / count + 1);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shards_parse_and_come_from_schedulers() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["4/4", "1", "a/2", "0/0", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let env = |pairs: &[(&str, &str)]| {
            let m: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Shard::from_env(move |k| m.get(k).cloned())
        };
        assert_eq!(env(&[]), Ok(None));
        assert_eq!(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "1")
            ]),
            Ok(Some(Shard { index: 2, count: 4 }))
        );
        assert_eq!(
            env(&[("JOB_COMPLETION_INDEX", "0"), ("SURGE_SHARD_COUNT", "2")]),
            Ok(Some(Shard { index: 0, count: 2 }))
        );
        assert!(env(&[("SLURM_ARRAY_TASK_ID", "3")]).is_err());
        assert!(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ])
            .is_err()
        );
    }
}
