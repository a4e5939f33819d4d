//! Writes what the numpy peer (benches/peers/numpy_cohort.py) needs to simulate the same model
//! as surge's cohort engine: the timeline, the initial counts, the behaviour, the apps' queues
//! and surge's own per-step drivers (noticing, looking intensity, news), as JSON on stdout.
//!
//! `cargo run --release --example export_model -- scenarios/facebook-2021-10-04.toml`

#[path = "common/peer.rs"]
mod peer;

use serde_json::json;
use surge::engine::CohortEngine;
use surge::engine::record::recorded_steps;
use surge::scenario::load_scenario;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: export_model SCENARIO"))?;
    let s = load_scenario(std::path::Path::new(&path), None)?;
    let b = &s.behaviour;
    let engine = CohortEngine::new(&s, b);
    let state = engine.initial_state();
    let t = &s.timeline;
    let out = json!({
        "scenario": s.name,
        "steps": t.steps, "step_hours": t.step_hours, "output_every": t.output_every,
        "event_step": t.event_step,
        "retention_due": recorded_steps(t),
        "users": state.regions.iter().map(|r| r.users).collect::<Vec<_>>(),
        "active": state.regions.iter().map(|r| r.active.clone()).collect::<Vec<_>>(),
        "unaware": state.regions.iter().map(|r| r.unaware.clone()).collect::<Vec<_>>(),
    });
    let mut out = out;
    if let serde_json::Value::Object(map) = &mut out {
        map.extend(peer::model_parts(&s, 1.0)?);
    }
    println!("{out}");
    Ok(())
}
