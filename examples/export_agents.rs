//! Writes what the Mesa peer (benches/peers/mesa_agents.py) needs to simulate the same agent
//! model as surge's agent engine: `model.json` (timeline, behaviour, apps and their sign-up
//! lanes in agent units, simulated users and weights per region, and surge's own per-step
//! drivers: noticing, looking intensity, news), and for each run the contact network and
//! accounts surge's agent engine draws for that run (raw little-endian arrays), so the peer
//! simulates the same ensemble of networks and only the dynamics are written again.
//!
//! `cargo run --release --example export_agents -- SCENARIO AGENTS RUNS OUT_DIR [SEED]`

#[path = "common/peer.rs"]
mod peer;

use serde_json::json;
use std::io::Write;
use std::path::Path;
use surge::engine::RunStreams;
use surge::engine::agents::{AgentEngine, place_accounts};
use surge::engine::network::build;
use surge::engine::record::recorded_steps;
use surge::scenario::AgentSettings;
use surge::scenario::load_scenario;

fn write_raw<T: Copy>(
    path: &Path,
    values: &[T],
    bytes: impl Fn(T) -> Vec<u8>,
) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    for &v in values {
        f.write_all(&bytes(v))?;
    }
    f.flush()?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(
        args.len() >= 5,
        "usage: export_agents SCENARIO AGENTS RUNS OUT_DIR [SEED]"
    );
    let s = load_scenario(Path::new(&args[1]), None)?;
    let agents: usize = args[2].parse()?;
    let runs: u64 = args[3].parse()?;
    let out = Path::new(&args[4]);
    let seed: u64 = args.get(5).map_or(Ok(s.seed), |a| a.parse())?;
    std::fs::create_dir_all(out)?;
    let b = &s.behaviour;
    let settings = AgentSettings {
        agents,
        network: match &s.engine {
            surge::scenario::EngineKind::Agents(a) => a.network.clone(),
            surge::scenario::EngineKind::Cohort => Default::default(),
        },
    };
    let engine = AgentEngine::new(&s, b, settings.clone());
    let per_region = engine.agents_per_region().to_vec();
    let weight: Vec<f64> = s
        .regions
        .iter()
        .zip(&per_region)
        .map(|(r, &n)| r.users as f64 / n.max(1) as f64)
        .collect();
    let total_users: f64 = s.regions.iter().map(|r| r.users as f64).sum();
    // Capacities in agent units, as the agent engine scales them.
    let scale = per_region.iter().sum::<usize>() as f64 / total_users;
    let t = &s.timeline;
    let mut model = json!({
        "scenario": s.name, "seed": seed, "runs": runs,
        "steps": t.steps, "step_hours": t.step_hours, "output_every": t.output_every,
        "event_step": t.event_step, "retention_due": recorded_steps(t),
        "agents": per_region, "weight": weight,
    });
    // The apps' active shares per region, the base of the buzz's novelty (model/buzz.rs).
    if let serde_json::Value::Object(map) = &mut model {
        let shares: Vec<Vec<f64>> = (0..s.regions.len())
            .map(|r| s.apps.iter().map(|a| a.accounts[r].active).collect())
            .collect();
        map.insert("active_share".into(), json!(shares));
    }
    if let serde_json::Value::Object(map) = &mut model {
        map.extend(peer::model_parts(&s, scale)?);
    }
    std::fs::write(out.join("model.json"), model.to_string())?;
    for run in 0..runs {
        let streams = RunStreams::new(seed, run);
        let network = build(&settings.network, &per_region, &streams);
        let accounts = place_accounts(
            &s,
            &network,
            &per_region,
            settings.network.homophily,
            settings.network.independent_accounts,
            &streams,
        );
        let at = |name: &str| out.join(format!("run-{run}.{name}"));
        write_raw(&at("offsets.u64"), &network.offsets, |v| {
            v.to_le_bytes().to_vec()
        })?;
        write_raw(&at("contacts.u32"), &network.contacts, |v| {
            v.to_le_bytes().to_vec()
        })?;
        write_raw(&at("region.u16"), &network.region, |v| {
            v.to_le_bytes().to_vec()
        })?;
        write_raw(&at("active.u16"), &accounts.active, |v| {
            v.to_le_bytes().to_vec()
        })?;
        write_raw(&at("dormant.u16"), &accounts.dormant, |v| {
            v.to_le_bytes().to_vec()
        })?;
    }
    Ok(())
}
