//! The streaming summaries: merging is exact (a property test), and on a seeded 2,000-run case
//! every reported quantile lies within the stated error of the exact quantile of the same runs.

use proptest::prelude::*;
use std::path::Path;
use surge::engine::{
    CohortEngine, HeadlineSpec, ParameterSource, RunSink, SeriesLayout, run_monte_carlo,
    simulate_run,
};
use surge::report::stats::spread;
use surge::scenario::load_scenario;
use surge::summary::sketch::relative_error;
use surge::summary::{HEADLINE_BITS, RunSummaries, SERIES_BITS, Spread};

/// Runs as (series, headline) pairs of a fixed shape.
fn runs_strategy() -> impl Strategy<Value = Vec<(Vec<f64>, Vec<f64>)>> {
    let value = prop_oneof![
        Just(0.0f64),
        -1e6..1e6f64,
        (0.0..12.0f64).prop_map(|e| 10f64.powf(e)),
        (0u64..5).prop_map(|n| n as f64),
    ];
    let run = (
        prop::collection::vec(value.clone(), 6),
        prop::collection::vec(value, 3),
    );
    prop::collection::vec(run, 1..60)
}

fn summarise(runs: &[(Vec<f64>, Vec<f64>)]) -> RunSummaries {
    let mut s = RunSummaries::new(6, 3);
    for (series, headline) in runs {
        s.add(series, headline);
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Two summaries of disjoint run ranges merge into the summary of their union, bit for bit,
    /// in either order; and what they report (means, errors, quantiles) is the same bits too.
    #[test]
    fn merging_disjoint_ranges_gives_the_union(runs in runs_strategy(), cut in 0usize..60) {
        let cut = cut.min(runs.len());
        let whole = summarise(&runs);
        let (a, b) = (summarise(&runs[..cut]), summarise(&runs[cut..]));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        prop_assert_eq!(&ab, &whole);
        prop_assert_eq!(&ba, &whole);
        for i in 0..6 {
            prop_assert_eq!(format!("{:?}", ab.series(i)), format!("{:?}", whole.series(i)));
        }
        for i in 0..3 {
            prop_assert_eq!(format!("{:?}", ba.headline(i)), format!("{:?}", whole.headline(i)));
        }
    }
}

/// Keeps every run's headline row.
struct Rows(Vec<Vec<f64>>);

impl RunSink for Rows {
    fn run_finished(&mut self, run: u64, headline: &[f64]) -> std::io::Result<()> {
        assert_eq!(run as usize, self.0.len(), "rows arrive in run order");
        self.0.push(headline.to_vec());
        Ok(())
    }
}

fn assert_within(got: &Spread, exact: &Spread, bound: f64, what: &str) {
    let pairs = [
        (got.p05, exact.p05),
        (got.p25, exact.p25),
        (got.p50, exact.p50),
        (got.p75, exact.p75),
        (got.p95, exact.p95),
    ];
    for (g, e) in pairs {
        assert!(
            (g - e).abs() <= bound * e.abs() * (1.0 + 1e-9) + 1e-9,
            "{what}: sketch {g} vs exact {e} (bound {bound})"
        );
    }
    assert!(
        (got.mean - exact.mean).abs() <= 1e-9 * exact.mean.abs() + 1e-12,
        "{what}: mean"
    );
}

#[test]
fn quantiles_of_2000_seeded_runs_are_within_the_stated_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid-small.toml");
    let scenario = load_scenario(&path, None).expect("fixture is valid");
    let runs = 2000;
    let seed = 11;
    let mut rows = Rows(Vec::new());
    let mc = run_monte_carlo(
        &scenario,
        &ParameterSource::Fixed(scenario.behaviour.clone()),
        runs,
        seed,
        0,
        &mut rows,
        &|| {},
    )
    .expect("runs");
    assert_eq!(mc.summaries.runs(), runs);
    for (i, spec) in mc.specs.iter().enumerate() {
        let mut exact: Vec<f64> = rows.0.iter().map(|r| r[i]).collect();
        let exact = spread(&mut exact);
        let got = mc.summaries.headline(i);
        assert_within(&got, &exact, relative_error(HEADLINE_BITS), &spec.column());
    }
    // The time series: the same runs again, one by one.
    let engine = CohortEngine::new(&scenario, &scenario.behaviour);
    let layout = SeriesLayout::new(&scenario);
    let specs = HeadlineSpec::for_scenario(&scenario);
    let series: Vec<Vec<f64>> = (0..runs)
        .map(|run| simulate_run(&engine, &scenario, &layout, &specs, seed, run).series)
        .collect();
    let mut checked = 0;
    for cell in 0..mc.summaries.series_len() {
        let mut exact: Vec<f64> = series.iter().map(|s| s[cell]).collect();
        let exact = spread(&mut exact);
        let got = mc.summaries.series(cell);
        assert_within(
            &got,
            &exact,
            relative_error(SERIES_BITS),
            &format!("cell {cell}"),
        );
        checked += usize::from(exact.p95 > exact.p05);
    }
    assert!(checked > 100, "only {checked} cells vary across runs");
}
