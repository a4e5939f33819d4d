//! Writes what the numpy peer (benches/peers/numpy_cohort.py) needs to simulate the same model
//! as surge's cohort engine: the timeline, the initial counts, the behaviour, the apps' queues
//! and surge's own per-step drivers (noticing, looking intensity, news), as JSON on stdout.
//!
//! `cargo run --release --example export_model -- scenarios/facebook-2021-10-04.toml`

use serde_json::json;
use surge::engine::CohortEngine;
use surge::engine::record::recorded_steps;
use surge::engine::schedule::schedule;
use surge::scenario::{Capacity, load_scenario};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: export_model SCENARIO"))?;
    let s = load_scenario(std::path::Path::new(&path), None)?;
    let b = &s.behaviour;
    let engine = CohortEngine::new(&s, b);
    let state = engine.initial_state();
    let drivers = schedule(&s, b);
    let t = &s.timeline;
    let apps: Vec<_> = s
        .apps
        .iter()
        .map(|a| {
            let (lanes, capacity): (Vec<Vec<usize>>, Vec<Option<f64>>) = match &a.capacity {
                Capacity::Unlimited => (vec![(0..s.regions.len()).collect()], vec![None]),
                Capacity::Global(c) => (vec![(0..s.regions.len()).collect()], vec![Some(*c)]),
                Capacity::PerRegion(cs) => (
                    (0..cs.len()).map(|r| vec![r]).collect(),
                    cs.iter().map(|c| Some(*c)).collect(),
                ),
            };
            anyhow::ensure!(
                a.verification.is_none(),
                "the peer has no verification limit"
            );
            Ok(json!({
                "name": a.name, "attractiveness": a.attractiveness,
                "retention_30d": a.retention_30d, "baseline_per_day": a.baseline_per_day,
                "lanes": lanes, "capacity_per_second": capacity,
            }))
        })
        .collect::<anyhow::Result<_>>()?;
    let out = json!({
        "scenario": s.name,
        "steps": t.steps, "step_hours": t.step_hours, "output_every": t.output_every,
        "event_step": t.event_step,
        "retention_due": recorded_steps(t),
        "users": state.regions.iter().map(|r| r.users).collect::<Vec<_>>(),
        "active": state.regions.iter().map(|r| r.active.clone()).collect::<Vec<_>>(),
        "unaware": state.regions.iter().map(|r| r.unaware.clone()).collect::<Vec<_>>(),
        "behaviour": {
            "p": b.innovation_per_hour, "q": b.word_of_mouth_per_hour, "nu": b.news_per_hour,
            "dormant_boost": b.dormant_boost, "contact_weight": b.contact_weight,
            "account_affinity": b.account_affinity, "patience_minutes": b.patience_minutes,
        },
        "apps": apps,
        "notice_rate": drivers.iter().map(|d| d.notice_rate.clone()).collect::<Vec<_>>(),
        "looking": drivers.iter().map(|d| d.looking.clone()).collect::<Vec<_>>(),
        "news": drivers.iter().map(|d| d.news).collect::<Vec<_>>(),
    });
    println!("{out}");
    Ok(())
}
