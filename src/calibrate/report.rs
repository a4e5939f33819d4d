//! What a fit leaves behind: posterior samples, `params/fitted.toml`, the posterior predictive
//! check of every observation, and the fit report.

use super::abc::{AbcSettings, Generation, Posterior, StopReason};
use super::predict::EventSet;
use super::priors::Priors;
use super::timeline::{EventTimeline, timelines};
use crate::engine::streams::{outside, stream_key};
use crate::model::Behaviour;
use crate::report::format::{human, plain3};
use crate::report::stats::spread;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One observation against the posterior predictive distribution.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PredictiveRow {
    pub id: String,
    pub event: String,
    pub counts: String,
    pub statement: String,
    pub source: String,
    /// A region's share of the app's figure (values in [0, 1]) rather than a count.
    pub share: bool,
    /// A consistency check: only values above `observed_high` disagree with the report.
    #[serde(default)]
    pub upper_bound: bool,
    /// The interval the statement allows.
    pub observed_low: f64,
    pub observed_high: f64,
    pub predicted_median: f64,
    pub predicted_p05: f64,
    pub predicted_p95: f64,
    /// Whether the predictive 90% interval meets the observed interval; for a consistency
    /// check (`upper_bound`), whether the predicted median is at or below the bound (the check
    /// holds in at least half the runs: a 90% interval that merely reaches below the bound while
    /// the median exceeds it is not agreement).
    pub covered: bool,
    /// Whether the fit's distance included this figure (false: a prediction only).
    #[serde(default = "super::observations::fitted_by_default")]
    pub fitted: bool,
    /// A ratio of two rates ("accelerated": the rate after a window over the rate in it).
    #[serde(default)]
    pub ratio: bool,
    /// The shape the figure tests, and so the mechanism a miss points to (`mechanism::shape`).
    #[serde(default = "unclassified")]
    pub shape: super::mechanism::Shape,
    /// log10(predicted median / reported value); the reported value is the geometric middle of
    /// the reported interval. Shares are compared the same way (as ratios).
    pub log10_error: f64,
}

impl PredictiveRow {
    /// One of this row's values as people read it: a percentage for shares, "2.5M" for counts.
    pub fn show(&self, v: f64) -> String {
        if self.share {
            format!("{:.1}%", 100.0 * v)
        } else if self.ratio {
            format!("{v:.2}x")
        } else {
            human(v)
        }
    }

    /// The reported interval as people read it: "[2.5M, 3.5M]", or "<= 25.5M" for a check.
    pub fn observed(&self) -> String {
        if self.upper_bound {
            format!("<= {}", self.show(self.observed_high))
        } else {
            format!(
                "[{}, {}]",
                self.show(self.observed_low),
                self.show(self.observed_high)
            )
        }
    }
}

/// Per-parameter posterior summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterRow {
    pub name: String,
    pub prior: String,
    /// Prior range and whether it is log-uniform (for plots).
    pub log: bool,
    pub low: f64,
    pub high: f64,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    /// The value in the accepted particle with the smallest distance (`Posterior::closest`):
    /// what `params/fitted.toml` holds.
    #[serde(default)]
    pub closest: f64,
    /// Width of the 90% posterior interval over that of the prior, where the prior is uniform
    /// (log scale for log-uniform priors): near 1, the figures say little about the parameter.
    pub width_vs_prior: f64,
}

/// The 90% interval `[p05, p95]` as a share of the prior's own 90% interval. Both are measured
/// on the scale where the prior is flat, so the share is the same whatever the units.
pub fn width_vs_prior(p05: f64, p95: f64, low: f64, high: f64, log: bool) -> f64 {
    let scale = |v: f64| if log { v.ln() } else { v };
    (scale(p95) - scale(p05)) / (0.9 * (scale(high) - scale(low)))
}

/// `fit.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    pub surge_version: String,
    pub observations_file: String,
    pub priors_file: String,
    pub held_out: Option<String>,
    pub settings: AbcSettings,
    pub stop_reason: StopReason,
    pub simulations: usize,
    pub generations: Vec<Generation>,
    pub parameters: Vec<ParameterRow>,
    pub observations: Vec<PredictiveRow>,
}

/// The posterior predictive check of every observation, and every event's timeline.
pub struct Predictive {
    pub rows: Vec<PredictiveRow>,
    pub timelines: Vec<EventTimeline>,
}

/// Posterior predictive: `draws` parameter sets drawn by weight, each simulated once.
pub fn predictive(
    events: &EventSet,
    posterior: &Posterior,
    priors: &Priors,
    base: &Behaviour,
    draws: usize,
    seed: u64,
) -> Predictive {
    let specs = events.curve_specs();
    let (values, curves): (Vec<Vec<f64>>, Vec<Vec<Vec<f64>>>) = (0..draws)
        .into_par_iter()
        .map(|i| {
            let mut r = Xoshiro256PlusPlus::seed_from_u64(stream_key(
                seed,
                i as u64,
                outside::PREDICTIVE_PICK,
            ));
            let j = posterior.pick(r.random::<f64>());
            let b = behaviour_of(posterior, j, priors, base);
            let (p, c) = events.predict_with_curves(
                &specs,
                &b,
                stream_key(seed, 0, outside::PREDICTIVE_RUNS),
                i as u64,
            );
            (p.values, c)
        })
        .unzip();
    Predictive {
        rows: predictive_rows(events, &values),
        timelines: timelines(events, &specs, &curves),
    }
}

/// Rows of folders written before shapes were recorded.
fn unclassified() -> super::mechanism::Shape {
    super::mechanism::Shape::Size
}

fn predictive_rows(events: &EventSet, values: &[Vec<f64>]) -> Vec<PredictiveRow> {
    events
        .observations
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let mut v: Vec<f64> = values.iter().map(|row| row[k]).collect();
            let s = spread(&mut v);
            let reported = o.reported();
            // A median of zero would give -inf: floor it at one user (counts) or 1e-6 (shares).
            let floor = if o.is_share() || o.is_ratio() {
                1e-6
            } else {
                1.0
            };
            let mut log10_error = (s.p50.max(floor) / reported).log10();
            if o.is_upper_bound() {
                // A check is only missed from above.
                log10_error = log10_error.max(0.0);
            }
            PredictiveRow {
                id: o.id.clone(),
                event: o
                    .event
                    .file_stem()
                    .map_or(String::new(), |s| s.to_string_lossy().into_owned()),
                counts: format!("{:?}", o.counts).to_lowercase(),
                statement: o.statement.clone(),
                source: o.source.clone(),
                share: o.is_share(),
                ratio: o.is_ratio(),
                upper_bound: o.is_upper_bound(),
                observed_low: o.low,
                observed_high: o.high,
                predicted_median: s.p50,
                predicted_p05: s.p05,
                predicted_p95: s.p95,
                covered: covers(o.is_upper_bound(), (o.low, o.high), (s.p05, s.p50, s.p95)),
                shape: {
                    let (e, app) = events.event_and_app(k);
                    super::mechanism::shape(o, &events.scenarios[e], app, (s.p05, s.p95))
                },
                fitted: o.fitted,
                log10_error,
            }
        })
        .collect()
}

/// Whether a prediction agrees with a reported interval: its 90% interval meets the interval; for
/// a consistency check (only values above the bound disagree), its median is at or below the
/// bound, so that a median above it is never "covered" merely because the 90% interval reaches
/// below.
fn covers(upper_bound: bool, (low, high): (f64, f64), (p05, p50, p95): (f64, f64, f64)) -> bool {
    if upper_bound {
        p50 <= high
    } else {
        p05 <= high && p95 >= low
    }
}

/// The full parameter set of posterior particle `j`.
pub fn behaviour_of(
    posterior: &Posterior,
    j: usize,
    priors: &Priors,
    base: &Behaviour,
) -> Behaviour {
    let u: Vec<f64> = priors
        .priors
        .iter()
        .zip(&posterior.particles[j])
        .map(|(p, &x)| p.to_prior_space(x))
        .collect();
    priors.behaviour(base, &u)
}

pub fn parameter_rows(posterior: &Posterior, priors: &Priors) -> Vec<ParameterRow> {
    let closest = &posterior.particles[posterior.closest()];
    priors
        .priors
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (p05, p95) = (posterior.quantile(k, 0.05), posterior.quantile(k, 0.95));
            ParameterRow {
                name: p.name.clone(),
                prior: format!(
                    "{} [{}, {}]",
                    if p.log { "log-uniform" } else { "uniform" },
                    p.low,
                    p.high
                ),
                log: p.log,
                low: p.low,
                high: p.high,
                median: posterior.quantile(k, 0.5),
                p05,
                p95,
                closest: closest[k],
                width_vs_prior: width_vs_prior(p05, p95, p.low, p.high, p.log),
            }
        })
        .collect()
}

/// Posterior samples: one row per particle with its weight, distance and parameters.
pub fn posterior_csv(posterior: &Posterior) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["particle".to_string(), "weight".into(), "distance".into()];
    header.extend(posterior.names.iter().cloned());
    w.write_record(&header)?;
    for (i, p) in posterior.particles.iter().enumerate() {
        let mut row = vec![
            i.to_string(),
            format!("{:e}", posterior.weights[i]),
            format!("{}", posterior.distances[i]),
        ];
        row.extend(p.iter().map(|v| format!("{v:e}")));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Reads posterior samples back as full parameter sets (others from `base`) with their weights.
pub fn read_posterior(
    path: &std::path::Path,
    base: &Behaviour,
) -> Result<(Vec<Behaviour>, Vec<f64>), String> {
    // Read like every other input file: at most 16 MiB, UTF-8.
    let text =
        crate::scenario::error::read_input(path).map_err(|e| {
            match std::error::Error::source(&e) {
                Some(cause) => format!("{e}: {cause}"),
                None => e.to_string(),
            }
        })?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let names: Vec<String> = header.iter().skip(3).map(str::to_string).collect();
    if header.get(1) != Some("weight") || names.is_empty() {
        return Err(format!(
            "{}: expected columns particle, weight, distance, then parameters",
            path.display()
        ));
    }
    let mut samples = Vec::new();
    let mut weights = Vec::new();
    for (line, row) in reader.records().enumerate() {
        let row = row.map_err(|e| match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "{}: row {}: {len} columns, expected {expected_len} like the header",
                path.display(),
                line + 2
            ),
            _ => format!("{}: row {}: {e}", path.display(), line + 2),
        })?;
        let num = |i: usize| -> Result<f64, String> {
            row.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{}: row {}: column {} is not a number",
                        path.display(),
                        line + 2,
                        i + 1
                    )
                })
        };
        let mut b = base.clone();
        for (k, name) in names.iter().enumerate() {
            if !b.set(name, num(k + 3)?) {
                return Err(format!(
                    "{}: unknown parameter column `{name}`",
                    path.display()
                ));
            }
        }
        // Each row is checked as a parameter file is.
        if let Err((key, message)) = b.check() {
            return Err(format!(
                "{}: row {}: column `{key}`: {message}",
                path.display(),
                line + 2
            ));
        }
        let weight = num(1)?;
        if weight < 0.0 {
            return Err(format!(
                "{}: row {}: column `weight`: expected a weight >= 0, found {}",
                path.display(),
                line + 2,
                crate::scenario::check::plain(weight)
            ));
        }
        weights.push(weight);
        samples.push(b);
    }
    if samples.is_empty() {
        return Err(format!("{}: no samples", path.display()));
    }
    let largest = weights.iter().copied().fold(0.0, f64::max);
    if largest <= 0.0 {
        return Err(format!(
            "{}: every weight is 0; expected at least one positive weight",
            path.display()
        ));
    }
    // Weights are relative. Where their total overflows (1e308 each), they are divided by the
    // largest, which changes no draw's probability; otherwise they are kept as written, so
    // every posterior that worked before draws exactly the same particles.
    if !weights.iter().sum::<f64>().is_finite() {
        for w in &mut weights {
            *w /= largest;
        }
    }
    Ok((samples, weights))
}

/// `params/fitted.toml`: the accepted particle closest to the figures (a parameter set that
/// fits together), each value with its posterior median and 90% interval as a comment.
pub fn fitted_toml(report: &FitReport, base: &Behaviour) -> String {
    let mut b = base.clone();
    for p in &report.parameters {
        b.set(&p.name, p.closest);
    }
    let header = format!(
        "# Behavioural parameters fitted by `surge fit` (ABC-SMC, Beaumont et al. 2009) to\n# {} with priors {}.\n# Values are the accepted particle with the smallest distance: one parameter set that fits\n# together (the marginal medians of a correlated posterior need not; docs/MODEL.md §11).\n# Comments give each parameter's posterior median and 90% interval. Parameters without a\n# comment were not fitted (copied from the base parameters). Stopped: {}; {} simulations.\n",
        report.observations_file, report.priors_file, report.stop_reason, report.simulations
    );
    b.to_toml(&header, |name| {
        report.parameters.iter().find(|p| p.name == name).map(|p| {
            format!(
                "fitted: median {}, 90% interval [{}, {}], {:.0}% as wide as the prior's",
                plain3(p.median),
                plain3(p.p05),
                plain3(p.p95),
                100.0 * p.width_vs_prior
            )
        })
    })
}

/// The report as a table for the terminal.
pub fn fit_text(report: &FitReport) -> String {
    let mut out = format!(
        "stopped: {} after {} generations beyond the prior, {} simulations ({})\n\n{:<34} {:>11} {:>25} {:>13}\n",
        report.stop_reason,
        // generations[0] is the sample from the prior; --generations counts those after it.
        report.generations.len().saturating_sub(1),
        report.simulations,
        report.stop_reason.meaning(),
        "parameter",
        "median",
        "90% interval",
        "width/prior"
    );
    for p in &report.parameters {
        out.push_str(&format!(
            "{:<34} {:>11} {:>25} {:>12.0}%   closest {}\n",
            p.name,
            plain3(p.median),
            format!("[{}, {}]", plain3(p.p05), plain3(p.p95)),
            100.0 * p.width_vs_prior,
            plain3(p.closest)
        ));
    }
    out.push_str(&format!("\n{}", observation_table(&report.observations)));
    out
}

/// Observed vs predicted, one row per observation.
pub fn observation_table(rows: &[PredictiveRow]) -> String {
    let mut out = format!(
        "{:<46} {:>9} {:>17} {:>10} {:>22} {:>8} {:>10}\n",
        "observation", "role", "observed", "predicted", "90% interval", "covered", "log10 err"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<46} {:>9} {:>17} {:>10} {:>22} {:>8} {:>10.3}\n",
            r.id,
            if r.fitted { "fitted" } else { "predicted" },
            r.observed(),
            r.show(r.predicted_median),
            format!("[{}, {}]", r.show(r.predicted_p05), r.show(r.predicted_p95)),
            if r.covered { "yes" } else { "NO" },
            r.log10_error
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{covers, read_posterior, width_vs_prior};

    #[test]
    fn a_bound_exceeded_by_the_median_is_not_covered() {
        // 2019-03-13's check: "<= 3.50M" against a median of 3.84M [2.04M, 5.81M].
        assert!(!covers(true, (0.0, 3.5e6), (2.04e6, 3.84e6, 5.81e6)));
        assert!(covers(true, (0.0, 3.5e6), (2.04e6, 3.4e6, 5.81e6)));
        // A two-sided figure is covered when the intervals meet.
        assert!(covers(false, (2.5e6, 3.5e6), (2.04e6, 3.84e6, 5.81e6)));
        assert!(!covers(false, (2.5e6, 3.5e6), (3.6e6, 3.84e6, 5.81e6)));
    }

    #[test]
    fn huge_weights_keep_their_proportions_and_ragged_rows_name_their_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let base = crate::scenario::load_params(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("params/default.toml"),
        )
        .unwrap();
        std::fs::write(
            &path,
            "particle,weight,distance,looking.after_hours\n0,1e308,1,1.0\n1,1e308,1,2.0\n2,5e307,1,3.0\n",
        )
        .unwrap();
        let (_, w) = read_posterior(&path, &base).unwrap();
        assert_eq!(w, vec![1.0, 1.0, 0.5]);
        // Each particle is drawn in its share of uniforms, not the first one always.
        let pick = |r: f64| crate::model::draw::weighted_index(&w, r);
        assert_eq!((pick(0.1), pick(0.5), pick(0.9)), (0, 1, 2));
        std::fs::write(
            &path,
            "particle,weight,distance,looking.after_hours\n0,1,1,1.0\n1,1,1\n",
        )
        .unwrap();
        let e = read_posterior(&path, &base).unwrap_err();
        assert!(e.contains("row 3: 3 columns, expected 4"), "{e}");
    }

    #[test]
    fn width_is_measured_where_the_prior_is_flat() {
        // The prior's own 90% interval scores 1, on either scale.
        let lin = width_vs_prior(0.05 * 10.0 + 2.0, 0.95 * 10.0 + 2.0, 2.0, 12.0, false);
        assert!((lin - 1.0).abs() < 1e-12);
        let (lo, hi) = (1e-5f64, 1e-1f64);
        let q = |u: f64| (lo.ln() + u * (hi.ln() - lo.ln())).exp();
        assert!((width_vs_prior(q(0.05), q(0.95), lo, hi, true) - 1.0).abs() < 1e-12);
        // One decade of a four-decade log-uniform prior: 1 / (0.9 * 4).
        let decade = width_vs_prior(1e-4, 1e-3, lo, hi, true);
        assert!((decade - 1.0 / 3.6).abs() < 1e-12);
    }
}
