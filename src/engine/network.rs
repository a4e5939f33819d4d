//! The agent engine's contact network: a degree-corrected random graph with block (region)
//! mixing (Chung & Lu 2002; Karrer & Newman 2011), made clustered by triadic closure (a share of
//! each user's contacts are friends of friends; Holme & Kim 2002), and app accounts that cluster
//! on it (a Telegram user's contacts are more often on Telegram) while each region keeps the
//! scenario's shares. Built once per run, in parallel, from the run's own streams: the same
//! network for any thread count (work is split into fixed chunks of users, each with its stream).

use super::streams::{Component, RunStreams};
use crate::scenario::NetworkSpec;
use rand::RngExt;
use rand_distr::{Distribution, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Users per chunk of parallel work (fixed, so the network does not depend on the threads).
const CHUNK: usize = 1 << 14;

/// Most contacts one user may have.
pub const MAX_DEGREE: u32 = 5_000;

/// Contacts in compressed rows: user `i`'s contacts are `contacts[offsets[i]..offsets[i + 1]]`,
/// sorted, without repeats or the user herself.
#[derive(Debug, Clone)]
pub struct Network {
    pub offsets: Vec<u64>,
    pub contacts: Vec<u32>,
    /// Region of each user.
    pub region: Vec<u16>,
}

/// What the network came out as (reported in summary.json by the agent engine).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetworkStats {
    pub users: usize,
    pub mean_degree: f64,
    /// Mean local clustering coefficient (Watts & Strogatz 1998) over a sample of users.
    pub clustering: f64,
    /// Share of contacts inside one's own region.
    pub within_region: f64,
}

impl Network {
    pub fn users(&self) -> usize {
        self.region.len()
    }

    pub fn of(&self, i: usize) -> &[u32] {
        &self.contacts[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Bytes the network holds.
    pub fn bytes(&self) -> usize {
        self.offsets.len() * 8 + self.contacts.len() * 4 + self.region.len() * 2
    }

    /// Realised mean degree, clustering (over up to `sample` users) and share within region.
    pub fn stats(&self, rng: &mut impl rand::Rng, sample: usize) -> NetworkStats {
        let n = self.users();
        let mean_degree = self.contacts.len() as f64 / n.max(1) as f64;
        let same: u64 = (0..n)
            .into_par_iter()
            .map(|i| {
                self.of(i)
                    .iter()
                    .filter(|&&j| self.region[j as usize] == self.region[i])
                    .count() as u64
            })
            .sum();
        let mut total = 0.0;
        let mut counted = 0usize;
        for _ in 0..sample.min(n) * 4 {
            if counted == sample {
                break;
            }
            let i = rng.random_range(0..n);
            let row = self.of(i);
            if row.len() < 2 {
                continue;
            }
            let mut links = 0u64;
            for &j in row {
                links += count_common(self.of(j as usize), row);
            }
            let d = row.len() as f64;
            total += links as f64 / (d * (d - 1.0));
            counted += 1;
        }
        NetworkStats {
            users: n,
            mean_degree,
            clustering: if counted > 0 {
                total / counted as f64
            } else {
                0.0
            },
            within_region: same as f64 / self.contacts.len().max(1) as f64,
        }
    }
}

/// Elements two sorted slices share.
fn count_common(a: &[u32], b: &[u32]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn chunk_rng(streams: &RunStreams, phase: usize, chunk: usize) -> Xoshiro256PlusPlus {
    streams.at(Component::Network, phase, chunk)
}

/// Degree-proportional sampling of a user among the users `first..first + len`, in O(1) by
/// Walker's alias method (Walker 1977, in Vose's 1991 construction): one random slot, then the
/// slot's user or its alias. A binary search over cumulative degrees cost a cache miss per level
/// (about 0.5 µs a draw at 3 million users).
struct ByDegree {
    first: u32,
    /// Per slot: the probability of keeping the slot's own user, and the alias otherwise.
    slots: Vec<(f32, u32)>,
}

impl ByDegree {
    fn new(first: usize, degree: &[u32]) -> Self {
        let n = degree.len();
        let total: f64 = degree.iter().map(|&d| f64::from(d)).sum();
        let mut slots = vec![(1.0f32, 0u32); n];
        if n == 0 || total == 0.0 {
            return ByDegree {
                first: first as u32,
                slots: Vec::new(),
            };
        }
        let mut scaled: Vec<f64> = degree
            .iter()
            .map(|&d| f64::from(d) * n as f64 / total)
            .collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        for (i, &p) in scaled.iter().enumerate() {
            if p < 1.0 {
                small.push(i as u32);
            } else {
                large.push(i as u32);
            }
        }
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            slots[s as usize] = (scaled[s as usize] as f32, l);
            scaled[l as usize] -= 1.0 - scaled[s as usize];
            if scaled[l as usize] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in large.into_iter().chain(small) {
            slots[i as usize] = (1.0, i);
        }
        ByDegree {
            first: first as u32,
            slots,
        }
    }

    fn pick(&self, rng: &mut impl rand::Rng) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let i = rng.random_range(0..self.slots.len());
        let (keep, alias) = self.slots[i];
        let slot = if rng.random::<f32>() < keep {
            i as u32
        } else {
            alias
        };
        Some(self.first + slot)
    }
}

/// Builds the contact network of `users_per_region` users (in region order) by `spec`.
pub fn build(spec: &NetworkSpec, users_per_region: &[usize], streams: &RunStreams) -> Network {
    let n: usize = users_per_region.iter().sum();
    let region: Vec<u16> = users_per_region
        .iter()
        .enumerate()
        .flat_map(|(r, &k)| std::iter::repeat_n(r as u16, k))
        .collect();
    // Target degrees: log-normal with the requested mean (μ = ln m - σ²/2).
    let sigma = spec.degree_spread;
    let mu = spec.mean_degree.max(1e-9).ln() - sigma * sigma / 2.0;
    let cap = (MAX_DEGREE as usize).min(n.saturating_sub(1)) as f64;
    let degree: Vec<u32> = (0..n)
        .collect::<Vec<_>>()
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(c, users)| {
            let mut rng = chunk_rng(streams, 0, c);
            let draw = LogNormal::new(mu, sigma.max(1e-12)).ok();
            let degrees: Vec<u32> = users
                .iter()
                .map(|_| {
                    let d = match &draw {
                        Some(ln) if sigma > 0.0 => ln.sample(&mut rng),
                        _ => spec.mean_degree,
                    };
                    // Stochastic rounding keeps the mean.
                    let whole = d.floor();
                    let up = rng.random::<f64>() < d - whole;
                    (whole + f64::from(u8::from(up))).min(cap) as u32
                })
                .collect();
            degrees.into_iter()
        })
        .collect();
    // Phase 1: each user starts half her random (non-closing) contacts, with partners drawn in
    // proportion to degree: inside her region with probability `within_region`.
    let mut start = 0usize;
    let mut regional = Vec::new();
    for &k in users_per_region {
        regional.push(ByDegree::new(start, &degree[start..start + k]));
        start += k;
    }
    let everyone = ByDegree::new(0, &degree);
    let random_share = 1.0 - spec.closure;
    let half = |d: u32, share: f64, rng: &mut Xoshiro256PlusPlus| {
        let x = f64::from(d) * share / 2.0;
        let whole = x.floor();
        whole as usize + usize::from(rng.random::<f64>() < x - whole)
    };
    let chunks: Vec<usize> = (0..n.div_ceil(CHUNK)).collect();
    let first: Vec<(u32, u32)> = chunks
        .par_iter()
        .flat_map_iter(|&c| {
            let mut rng = chunk_rng(streams, 1, c);
            let mut edges = Vec::new();
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                for _ in 0..half(degree[i], random_share, &mut rng) {
                    let own = region[i] as usize;
                    let pool = match &spec.mixing {
                        // The partner's region from the user's row of the mixing matrix.
                        Some(rows) => {
                            let u = rng.random::<f64>();
                            let mut acc = 0.0;
                            let to = rows[own]
                                .iter()
                                .position(|&share| {
                                    acc += share;
                                    u < acc
                                })
                                .unwrap_or(own);
                            &regional[to]
                        }
                        None if rng.random::<f64>() < spec.within_region => &regional[own],
                        None => &everyone,
                    };
                    if let Some(j) = pool.pick(&mut rng)
                        && j as usize != i
                    {
                        edges.push((i as u32, j));
                    }
                }
            }
            edges.into_iter()
        })
        .collect();
    drop(everyone);
    drop(regional);
    let base = compress(n, &first, None);
    drop(first);
    // Phase 2: triadic closure. Each user closes the other half-share of her contacts: a random
    // contact's random contact.
    let closing: Vec<(u32, u32)> = if spec.closure > 0.0 {
        chunks
            .par_iter()
            .flat_map_iter(|&c| {
                let mut rng = chunk_rng(streams, 2, c);
                let mut edges = Vec::new();
                let users = c * CHUNK..((c + 1) * CHUNK).min(n);
                for (i, &d) in users.clone().zip(&degree[users]) {
                    let row = base.of(i);
                    if row.is_empty() {
                        continue;
                    }
                    for _ in 0..half(d, spec.closure, &mut rng) {
                        let j = row[rng.random_range(0..row.len())];
                        let next = base.of(j as usize);
                        let k = next[rng.random_range(0..next.len())];
                        if k as usize != i {
                            edges.push((i as u32, k));
                        }
                    }
                }
                edges.into_iter()
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut network = compress(n, &closing, Some(&base));
    network.region = region;
    network
}

/// Compressed rows of the undirected graph `edges` (both directions), merged with `base` if
/// given; rows sorted and without repeats.
fn compress(n: usize, edges: &[(u32, u32)], base: Option<&Network>) -> Network {
    let mut degree = vec![0u32; n + 1];
    for &(a, b) in edges {
        degree[a as usize] += 1;
        degree[b as usize] += 1;
    }
    if let Some(base) = base {
        for (i, d) in degree.iter_mut().enumerate().take(n) {
            *d += (base.offsets[i + 1] - base.offsets[i]) as u32;
        }
    }
    let mut offsets = vec![0u64; n + 1];
    for i in 0..n {
        offsets[i + 1] = offsets[i] + u64::from(degree[i]);
    }
    let mut fill: Vec<u64> = offsets[..n].to_vec();
    let mut contacts = vec![0u32; offsets[n] as usize];
    if let Some(base) = base {
        for (i, f) in fill.iter_mut().enumerate() {
            let row = base.of(i);
            let at = *f as usize;
            contacts[at..at + row.len()].copy_from_slice(row);
            *f += row.len() as u64;
        }
    }
    for &(a, b) in edges {
        contacts[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
        contacts[fill[b as usize] as usize] = a;
        fill[b as usize] += 1;
    }
    // Sort each row and drop repeats, in parallel over rows, then pack.
    let mut rows: Vec<&mut [u32]> = Vec::with_capacity(n);
    let mut rest = contacts.as_mut_slice();
    for i in 0..n {
        let (row, tail) = rest.split_at_mut((offsets[i + 1] - offsets[i]) as usize);
        rows.push(row);
        rest = tail;
    }
    let kept: Vec<usize> = rows
        .par_iter_mut()
        .map(|row| {
            row.sort_unstable();
            let mut w = 0;
            for r in 0..row.len() {
                if w == 0 || row[r] != row[w - 1] {
                    row[w] = row[r];
                    w += 1;
                }
            }
            w
        })
        .collect();
    // Pack the rows leftwards in place (each row moves to at most where it was).
    let mut new_offsets = vec![0u64; n + 1];
    let mut write = 0usize;
    for i in 0..n {
        let from = offsets[i] as usize;
        contacts.copy_within(from..from + kept[i], write);
        write += kept[i];
        new_offsets[i + 1] = write as u64;
    }
    drop(offsets);
    contacts.truncate(write);
    contacts.shrink_to_fit();
    Network {
        offsets: new_offsets,
        contacts,
        region: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn net(spec: &NetworkSpec, sizes: &[usize]) -> Network {
        build(spec, sizes, &RunStreams::new(7, 0))
    }

    #[test]
    fn rows_are_sorted_symmetric_and_free_of_loops() {
        let n = net(&NetworkSpec::default(), &[3000, 2000]);
        for i in 0..n.users() {
            let row = n.of(i);
            assert!(row.windows(2).all(|w| w[0] < w[1]), "row {i} not sorted");
            assert!(!row.contains(&(i as u32)), "self-loop at {i}");
            for &j in row {
                assert!(n.of(j as usize).binary_search(&(i as u32)).is_ok());
            }
        }
    }

    #[test]
    fn realised_degree_mixing_and_clustering_follow_the_spec() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let random = NetworkSpec {
            closure: 0.0,
            within_region: 0.5,
            ..NetworkSpec::default()
        };
        let r = net(&random, &[20_000, 20_000]).stats(&mut rng, 2000);
        // Repeats and self-loops cost a little of the mean.
        assert!((r.mean_degree - 20.0).abs() < 1.5, "{r:?}");
        // Half the partners drawn inside the region, half anywhere (of which half inside).
        assert!((r.within_region - 0.75).abs() < 0.03, "{r:?}");
        let clustered = net(&NetworkSpec::default(), &[20_000, 20_000]).stats(&mut rng, 2000);
        assert!(
            clustered.clustering > 5.0 * r.clustering,
            "{clustered:?} vs {r:?}"
        );
        assert!(clustered.within_region > 0.85, "{clustered:?}");
    }

    /// The alias table draws users in proportion to their degrees (chi-square over 5 users).
    #[test]
    fn partners_are_drawn_in_proportion_to_degree() {
        let degree = [1u32, 2, 3, 10, 0];
        let table = ByDegree::new(100, &degree);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut counts = [0f64; 5];
        let draws = 160_000.0;
        for _ in 0..draws as usize {
            counts[(table.pick(&mut rng).unwrap() - 100) as usize] += 1.0;
        }
        assert_eq!(counts[4], 0.0);
        let chi2: f64 = degree[..4]
            .iter()
            .zip(&counts)
            .map(|(&d, &c)| {
                let e = draws * f64::from(d) / 16.0;
                (c - e).powi(2) / e
            })
            .sum();
        // 3 degrees of freedom: P(chi2 > 16.3) = 0.001.
        assert!(chi2 < 16.3, "chi2 {chi2}: {counts:?}");
    }

    /// A mixing matrix sets where random contacts are drawn: region 0 keeps 95% of its users'
    /// contacts at home, region 1 sends 60% of its own to region 0.
    #[test]
    fn a_mixing_matrix_sets_the_regions_of_contacts() {
        let spec = NetworkSpec {
            closure: 0.0,
            mixing: Some(vec![vec![0.95, 0.05], vec![0.6, 0.4]]),
            ..NetworkSpec::default()
        };
        let n = net(&spec, &[20_000, 20_000]);
        let mut cross = 0u64;
        let mut within1 = 0u64;
        for i in 20_000..40_000 {
            for &j in n.of(i) {
                if j < 20_000 {
                    cross += 1;
                } else {
                    within1 += 1;
                }
            }
        }
        // Per region-1 user (equal sizes and degrees), of the contacts started: 60% to region 0
        // and 40% at home, each home contact counted at both its ends; plus region 0's 5% sent
        // here. Cross share of region 1's contacts: (0.6 + 0.05) / (0.6 + 0.05 + 2 x 0.4).
        let share = cross as f64 / (cross + within1) as f64;
        assert!((share - 0.65 / 1.45).abs() < 0.03, "cross share {share}");
    }

    #[test]
    fn the_network_does_not_depend_on_the_threads() {
        let spec = NetworkSpec::default();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let a = one.install(|| net(&spec, &[40_000, 10_000]));
        let b = two.install(|| net(&spec, &[40_000, 10_000]));
        assert_eq!(a.offsets, b.offsets);
        assert_eq!(a.contacts, b.contacts);
    }
}
