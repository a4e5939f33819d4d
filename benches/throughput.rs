//! Throughput by size (issue 13): the cohort engine by population, regions, apps and step size
//! (runs per second, and the share of a run's time spent drawing random numbers), the Monte
//! Carlo by runs, and the fit by particles; the agent engine's sizes are in benches/agents.rs. Scenarios are generated here as TOML text and
//! parsed like any scenario file; inputs go through `black_box`.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use surge::engine::{CohortEngine, ParameterSource};
use surge::scenario::{Scenario, parse_scenario};

/// A 6-hour worldwide outage over `regions` regions of `users` each and `apps` alternatives,
/// 30 simulated hours at `step_minutes`.
fn scenario(regions: usize, apps: usize, users: u64, step_minutes: u32) -> Scenario {
    let mut s = format!(
        "name = \"throughput\"\n\n[simulation]\nlead_hours = 2\nhorizon_hours = 30\nstep_minutes = {step_minutes}\noutput_minutes = 60\n\n[event]\nkind = \"outage\"\nservices = [\"whatsapp\"]\nstart = 2021-10-04T15:00:00Z\nduration_hours = 6\nseverity = 1.0\n\n"
    );
    for r in 0..regions {
        s += &format!(
            "[[regions]]\nname = \"r{r}\"\nusers = {users}\nutc_offset_hours = {}\nreachable_elsewhere = 0.5\n\n",
            (r % 24) as i64 - 11
        );
    }
    let share = 0.4 / apps as f64;
    for a in 0..apps {
        let shares: Vec<String> = (0..regions).map(|r| format!("r{r} = {share}")).collect();
        s += &format!(
            "[[apps]]\nname = \"app{a}\"\nattractiveness = 1.0\nbaseline_per_day = 1000\nretention_30d = 0.5\ncapacity_per_second = 500\nactive_share = {{ {} }}\ndormant_share = {{ {} }}\n\n",
            shares.join(", "),
            shares.join(", ")
        );
    }
    let params = Path::new(env!("CARGO_MANIFEST_DIR")).join("params/fitted.toml");
    parse_scenario(Path::new("throughput.toml"), &s, Some(&params)).expect("valid scenario")
}

fn one_run(c: &mut Criterion, group: &str, cases: Vec<(String, Scenario)>) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1)); // one run: criterion reports runs per second
    let mut shares = Vec::new();
    for (label, s) in cases {
        let engine = CohortEngine::new(&s, &s.behaviour);
        g.bench_function(BenchmarkId::from_parameter(&label), |b| {
            common::time_runs(b, &engine)
        });
        shares.push((label, common::draw_cost(&engine, 51)));
    }
    g.finish();
    // The share of a run's time spent drawing random numbers (binomial draws replayed alone).
    for (label, (draws, run_s, draws_s)) in shares {
        eprintln!(
            "{group}/{label}: {draws} binomial draws, {:.0}% of the run's time ({:.3} of {:.3} ms)",
            100.0 * draws_s / run_s,
            draws_s * 1e3,
            run_s * 1e3
        );
    }
}

fn by_population(c: &mut Criterion) {
    let cases = [1_000u64, 1_000_000, 1_000_000_000]
        .into_iter()
        .map(|u| (format!("{u}_users_per_region"), scenario(5, 3, u, 5)))
        .collect();
    one_run(c, "cohort_by_population", cases);
}

fn by_regions(c: &mut Criterion) {
    let cases = [1usize, 4, 16, 64]
        .into_iter()
        .map(|r| (format!("{r}_regions"), scenario(r, 3, 100_000_000, 5)))
        .collect();
    one_run(c, "cohort_by_regions", cases);
}

fn by_apps(c: &mut Criterion) {
    let cases = [1usize, 3, 8, 16]
        .into_iter()
        .map(|a| (format!("{a}_apps"), scenario(5, a, 100_000_000, 5)))
        .collect();
    one_run(c, "cohort_by_apps", cases);
}

fn by_step(c: &mut Criterion) {
    let cases = [1u32, 5, 15, 60]
        .into_iter()
        .map(|m| (format!("{m}_minute_steps"), scenario(5, 3, 100_000_000, m)))
        .collect();
    one_run(c, "cohort_by_step", cases);
}

fn by_runs(c: &mut Criterion) {
    let s = scenario(5, 3, 100_000_000, 5);
    let parameters = ParameterSource::Fixed(s.behaviour.clone());
    let mut g = c.benchmark_group("montecarlo_by_runs_2_threads");
    g.sample_size(10);
    let pool = common::two_threads();
    for runs in [100u64, 1_000] {
        g.throughput(Throughput::Elements(runs));
        g.bench_function(BenchmarkId::from_parameter(runs), |b| {
            b.iter(|| {
                pool.install(|| {
                    surge::engine::run_monte_carlo(
                        &s,
                        &parameters,
                        black_box(runs),
                        1,
                        0,
                        &mut (),
                        &|| {},
                    )
                    .unwrap()
                    .summaries
                    .runs()
                })
            })
        });
    }
    g.finish();
}

/// One ABC-SMC generation past the prior (two generations of `particles` simulations, each
/// simulating every fitted event once) on the shipped observations, by particles.
fn fit_by_particles(c: &mut Criterion) {
    use surge::calibrate::abc::{AbcSettings, Silent, fit};
    use surge::calibrate::observations::load_observations;
    use surge::calibrate::predict::EventSet;
    use surge::calibrate::priors::load_priors;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let observations = load_observations(&root.join("data/observations.toml")).expect("shipped");
    let params = root.join("params/default.toml");
    let events = EventSet::new(&observations, Some(&params)).expect("shipped events");
    let base = surge::scenario::load_params(&params).expect("shipped parameters");
    let priors = load_priors(&root.join("params/priors.toml"), &base).expect("shipped priors");
    let mut g = c.benchmark_group("fit_by_particles_2_threads");
    g.sample_size(10);
    let pool = common::two_threads();
    for particles in [50usize, 100, 200] {
        // Criterion's elements: simulations (each simulates every event once).
        g.throughput(Throughput::Elements(2 * particles as u64));
        let settings = AbcSettings {
            particles,
            max_generations: 1,
            ..AbcSettings::default()
        };
        g.bench_function(BenchmarkId::from_parameter(particles), |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(fit(&events, &priors, &base, black_box(&settings), &Silent))
                })
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    by_population,
    by_regions,
    by_apps,
    by_step,
    by_runs,
    fit_by_particles
);
criterion_main!(benches);
