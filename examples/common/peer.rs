//! What both peer exporters write (examples/export_model.rs for numpy, export_agents.rs for
//! Mesa): the behaviour, each app with its sign-up lanes, and surge's own per-step drivers.

use serde_json::{Value, json};
use surge::engine::schedule::schedule;
use surge::scenario::{Capacity, Scenario};

/// The behaviour, the apps (capacities multiplied by `capacity_scale`: 1, or agent units) and
/// the per-step drivers, as the peers read them.
pub fn model_parts(
    s: &Scenario,
    capacity_scale: f64,
) -> anyhow::Result<serde_json::Map<String, Value>> {
    let b = &s.behaviour;
    let apps: Vec<Value> = s
        .apps
        .iter()
        .map(|a| {
            anyhow::ensure!(
                a.verification.is_none(),
                "the peers have no verification limit"
            );
            anyhow::ensure!(
                a.known.is_none(),
                "the peers have no awareness (known_share)"
            );
            let all: Vec<usize> = (0..s.regions.len()).collect();
            let (lanes, capacity): (Vec<Vec<usize>>, Vec<Option<f64>>) = match &a.capacity {
                Capacity::Unlimited => (vec![all], vec![None]),
                Capacity::Global(c) => (vec![all], vec![Some(c * capacity_scale)]),
                Capacity::PerRegion(cs) => (
                    (0..cs.len()).map(|r| vec![r]).collect(),
                    cs.iter().map(|c| Some(c * capacity_scale)).collect(),
                ),
            };
            Ok(json!({
                "name": a.name, "attractiveness": a.attractiveness,
                "retention_30d": a.retention_30d, "baseline_per_day": a.baseline_per_day,
                "lanes": lanes, "capacity_per_second": capacity,
            }))
        })
        .collect::<anyhow::Result<_>>()?;
    let drivers = schedule(s, b);
    let parts = json!({
        "behaviour": {
            "p": b.innovation_per_hour, "q": b.word_of_mouth_per_hour, "nu": b.news_per_hour,
            "dormant_boost": b.dormant_boost, "contact_weight": b.contact_weight,
            "account_affinity": b.account_affinity, "patience_minutes": b.patience_minutes,
            "buzz_gain": b.buzz_gain, "buzz_hours": b.buzz_hours, "buzz_novelty": b.buzz_novelty,
            "dormant_contacts": b.dormant_contacts, "own_app_moves": b.own_app_moves,
        },
        "apps": apps,
        "notice_rate": drivers.iter().map(|d| d.notice_rate.to_vec()).collect::<Vec<_>>(),
        "looking": drivers.iter().map(|d| d.looking.to_vec()).collect::<Vec<_>>(),
        "news": drivers.iter().map(|d| d.news).collect::<Vec<_>>(),
    });
    match parts {
        Value::Object(map) => Ok(map),
        _ => unreachable!("json! of an object literal is an object"),
    }
}
