//! Builds the agent engine's contact network for a scenario and reports what came out: build
//! time, bytes per user and per contact, realised mean degree, clustering, share within region,
//! and the assortativity of each app's accounts (benches/README.md quotes it).
//!
//! cargo run --release --example agent_network -- scenarios/facebook-2021-10-04.toml 10000000 20 [closure]

use std::path::Path;
use std::time::Instant;
use surge::engine::RunStreams;
use surge::engine::agents::{AgentEngine, membership_assortativity, place_accounts};
use surge::engine::network::build;
use surge::scenario::AgentSettings;
use surge::scenario::NetworkSpec;
use surge::scenario::load_scenario;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scenario = args
        .get(1)
        .map_or("scenarios/facebook-2021-10-04.toml", String::as_str);
    let agents: usize = args
        .get(2)
        .map_or(1_000_000, |a| a.parse().expect("agents"));
    let degree: f64 = args
        .get(3)
        .map_or(20.0, |a| a.parse().expect("mean degree"));
    let closure: Option<f64> = args.get(4).map(|a| a.parse().expect("closure"));
    let s = load_scenario(Path::new(scenario), None).expect("scenario");
    let settings = AgentSettings {
        agents,
        network: NetworkSpec {
            mean_degree: degree,
            closure: closure.unwrap_or(NetworkSpec::default().closure),
            ..NetworkSpec::default()
        },
    };
    let engine = AgentEngine::new(&s, &s.behaviour, settings.clone());
    let streams = RunStreams::new(s.seed, 0);
    let t = Instant::now();
    let network = build(&settings.network, engine.agents_per_region(), &streams);
    let built = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let holding = place_accounts(
        &s,
        &network,
        engine.agents_per_region(),
        settings.network.homophily,
        settings.network.independent_accounts,
        &streams,
    );
    let placed = t.elapsed().as_secs_f64();
    let mut rng = streams.at(surge::engine::streams::Component::Network, 9, 0);
    let stats = network.stats(&mut rng, 2000);
    println!(
        "scenario {scenario}: {agents} simulated users, asked mean degree {degree}, {} threads",
        rayon::current_num_threads()
    );
    println!("network build {built:.2} s, accounts placed {placed:.2} s");
    println!(
        "bytes {} ({:.1} per user, {:.2} per contact entry; {} contact entries)",
        network.bytes(),
        network.bytes() as f64 / agents as f64,
        network.bytes() as f64 / network.contacts.len() as f64,
        network.contacts.len()
    );
    println!(
        "realised mean degree {:.2}, clustering {:.3}, within region {:.3}",
        stats.mean_degree, stats.clustering, stats.within_region
    );
    let assortativity = membership_assortativity(&network, &holding, s.apps.len());
    for (app, r) in s.apps.iter().zip(assortativity) {
        println!("assortativity of {} accounts {r:.3}", app.name);
    }
}
