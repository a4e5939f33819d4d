//! Speed of the cohort engine on the 2021-10-04 scenario at full population (3.5 billion users,
//! 76 h at 5-minute steps): one run, and a batch of 1,000 runs on 2 threads (runs per second =
//! 1000 / time per batch). See benches/README.md for the figures.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use surge::engine::{
    CohortEngine, HeadlineSpec, ParameterSource, SeriesLayout, run_monte_carlo, simulate_run,
};
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
            black_box(simulate_run(&engine, &layout, &specs, 1, run))
        })
    });
}

fn thousand_runs_two_threads(c: &mut Criterion) {
    let s = scenario();
    let params = ParameterSource::Fixed(s.behaviour.clone());
    let mut group = c.benchmark_group("facebook-2021-10-04");
    group.sample_size(10);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("two threads");
    group.bench_function("1000_runs_2_threads", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(run_monte_carlo(&s, &params, 1000, 7, 0, &mut (), &|| {}).expect("runs"))
            })
        })
    });
    group.finish();
}

criterion_group!(benches, one_run, thousand_runs_two_threads);
criterion_main!(benches);
