//! Speed of the agent engine on the 2021-10-04 scenario (112 h at 5-minute steps): the contact
//! network's build alone, by simulated users and mean degree, and one whole run (network, accounts
//! and 1,344 steps). The 10-million-user figure is a documented `--release` command
//! (benches/README.md), too slow for criterion's repeated samples.

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use surge::engine::RunStreams;
use surge::engine::agents::AgentEngine;
use surge::engine::network::build;
use surge::scenario::AgentSettings;
use surge::scenario::NetworkSpec;
use surge::scenario::{Scenario, load_scenario};

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/facebook-2021-10-04.toml");
    load_scenario(&path, None).expect("shipped scenario is valid")
}

fn network_build(c: &mut Criterion) {
    let s = scenario();
    let mut group = c.benchmark_group("network_build");
    group.sample_size(10);
    for (users, degree) in [(100_000, 20.0), (1_000_000, 20.0), (1_000_000, 50.0)] {
        let settings = AgentSettings {
            agents: users,
            network: NetworkSpec {
                mean_degree: degree,
                ..NetworkSpec::default()
            },
        };
        let engine = AgentEngine::new(&s, &s.behaviour, settings.clone());
        let sizes = engine.agents_per_region().to_vec();
        group.bench_function(BenchmarkId::new(format!("degree_{degree}"), users), |b| {
            let mut run = 0;
            b.iter(|| {
                run += 1;
                black_box(build(
                    &settings.network,
                    black_box(&sizes),
                    &RunStreams::new(1, run),
                ))
            })
        });
    }
    group.finish();
}

fn one_run(c: &mut Criterion) {
    let s = scenario();
    let mut group = c.benchmark_group("agents_one_run");
    group.sample_size(10);
    for (users, degree) in [(100_000, 20.0), (1_000_000, 20.0), (100_000, 50.0)] {
        let settings = AgentSettings {
            agents: users,
            network: NetworkSpec {
                mean_degree: degree,
                ..NetworkSpec::default()
            },
        };
        let engine = AgentEngine::new(&s, &s.behaviour, settings);
        // Criterion's elements: simulated user-steps (users x steps) per second.
        let simulated: usize = engine.agents_per_region().iter().sum();
        group.throughput(criterion::Throughput::Elements(
            (simulated * s.timeline.steps) as u64,
        ));
        let name = format!("facebook-2021-10-04/degree_{degree}");
        group.bench_function(BenchmarkId::new(name, users), |b| {
            common::time_runs(b, &engine)
        });
    }
    group.finish();
}

criterion_group!(benches, network_build, one_run);
criterion_main!(benches);
