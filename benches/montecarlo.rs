//! Speed of the cohort engine on the 2021-10-04 scenario at full population (3.5 billion users,
//! 112 h at 5-minute steps): one run; a run's binomial draws alone (replayed from a trace, so
//! the run's cost can be read as a multiple of draws x cost per draw); and batches of runs on 2
//! threads through the streaming summaries. See benches/README.md for the figures.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::path::Path;
use surge::engine::{
    CohortEngine, HeadlineSpec, ParameterSource, SeriesLayout, run_monte_carlo, simulate_run,
};
use surge::model::draw::{Sampler, trace_draws};
use surge::scenario::load_scenario;

fn scenario() -> surge::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/facebook-2021-10-04.toml");
    load_scenario(&path, None).expect("shipped scenario is valid")
}

fn one_run(c: &mut Criterion) {
    let s = scenario();
    let engine = CohortEngine::new(&s, &s.behaviour);
    let layout = SeriesLayout::new(&s);
    let specs = HeadlineSpec::for_scenario(&s);
    let mut run = 0;
    c.bench_function("facebook-2021-10-04/one_run", |b| {
        b.iter(|| {
            run += 1;
            black_box(simulate_run(&engine, &s, &layout, &specs, 1, run))
        })
    });
    let (_, draws) = trace_draws(|| simulate_run(&engine, &s, &layout, &specs, 1, 0));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    c.bench_function("facebook-2021-10-04/one_run_draws_only", |b| {
        b.iter(|| black_box(common::replay(&draws, &mut rng)))
    });
    // The ratio, from medians of interleaved timings (one run vs. its draws alone).
    let (draws, run_s, draws_s) = common::draw_cost(&engine, 301);
    eprintln!(
        "one run: {draws} binomial draws, {:.1} ns per draw; run {:.3} ms = {:.2} x (draws x cost per draw)",
        draws_s / draws as f64 * 1e9,
        run_s * 1e3,
        run_s / draws_s
    );
}

fn runs_two_threads(c: &mut Criterion) {
    let s = scenario();
    let params = ParameterSource::Fixed(s.behaviour.clone());
    let mut group = c.benchmark_group("facebook-2021-10-04");
    group.sample_size(10);
    let pool = common::two_threads();
    group.bench_function("1000_runs_2_threads", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(run_monte_carlo(&s, &params, 1000, 7, 0, &mut (), &|| {}).expect("runs"))
            })
        })
    });
    group.finish();
}

/// One run under each sampler (issue 25): the exact draws against the hybrid sampler's normal
/// approximation above a variance of 10,000 (docs/MODEL.md §7).
fn one_run_by_sampler(c: &mut Criterion) {
    let mut group = c.benchmark_group("facebook-2021-10-04/one_run_sampler");
    for sampler in [Sampler::Exact, Sampler::Hybrid] {
        let mut s = scenario();
        s.sampler = sampler;
        let engine = CohortEngine::new(&s, &s.behaviour);
        let layout = SeriesLayout::new(&s);
        let specs = HeadlineSpec::for_scenario(&s);
        let mut run = 0;
        group.bench_function(sampler.name(), |b| {
            b.iter(|| {
                run += 1;
                black_box(simulate_run(&engine, &s, &layout, &specs, 1, run))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, one_run, runs_two_threads, one_run_by_sampler);
criterion_main!(benches);
