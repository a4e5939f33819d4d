//! What one run's binomial draws cost by their mean, and where in the event they fall
//! (benches/README.md, issue 9): traces the draws of run 0 of a scenario with its parameter
//! file's values, counts them by phase (before the event, during an outage, its first 6 hours
//! after, later) and times the engine in each phase over 300 runs, then replays each class of
//! draws (mean n·min(p, 1-p) below 1, 1 to 10, 10 or more) 200 times with the engine's sampler.
//!
//! With `adaptive` after the scenario, the engine takes the adaptive rule's joined steps
//! (docs/MODEL.md §1), and the steps it took are counted by phase too.
//!
//!     cargo run --release --example draw_costs [SCENARIO] [fixed|adaptive]

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;
use surge::engine::{CohortEngine, RunStreams};
use surge::model::btrs;
use surge::model::draw::{trace_draws, traced_so_far};
use surge::scenario::EventKind;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/facebook-2021-10-04.toml".into());
    let mut s = surge::scenario::load_scenario(&root.join(file), None).expect("a valid scenario");
    if let Some(rule) = std::env::args().nth(2) {
        s.stepping = surge::model::stepping::StepRule::from_name(&rule).expect("fixed or adaptive");
    }
    let engine = CohortEngine::new(&s, &s.behaviour);
    // Hours after the event's start at which each phase ends.
    let duration = match s.event.kind {
        EventKind::Outage { duration_hours, .. } => duration_hours,
        EventKind::TrustShock { .. } => 0.0,
    };
    let phases = [
        ("before the event", 0.0),
        ("during the outage", duration),
        ("its first 6 h after", duration + 6.0),
        ("later", f64::INFINITY),
    ];
    let phase_of = |step: usize| {
        let end = (step + 1) as f64 - s.timeline.event_step as f64;
        let hours = end * s.timeline.step_hours;
        phases.iter().position(|p| hours <= p.1).unwrap_or(3)
    };
    let mut by_phase = [0usize; 4];
    let mut steps = [0usize; 4];
    let mut counted = 0;
    let ((), draws) = trace_draws(|| {
        engine.run_inspecting(&RunStreams::new(1, 0), &mut |step, _| {
            let now = traced_so_far();
            by_phase[phase_of(step)] += now - counted;
            steps[phase_of(step)] += 1;
            counted = now;
        })
    });
    // The engine's time by phase (drawing and bookkeeping, not the recorder), over 300 runs.
    const TIMED: u64 = 300;
    let mut seconds = [0f64; 4];
    for run in 0..TIMED {
        let mut last = Instant::now();
        engine.run_inspecting(&RunStreams::new(1, run), &mut |step, _| {
            let now = Instant::now();
            seconds[phase_of(step)] += (now - last).as_secs_f64();
            last = now;
        });
    }
    println!(
        "{} binomial draws in one run ({} steps rule)",
        draws.len(),
        s.stepping.name()
    );
    for ((((name, _), n), t), taken) in phases.iter().zip(by_phase).zip(seconds).zip(steps) {
        let ms = t / TIMED as f64 * 1e3;
        println!("  {name}: {n} draws in {taken} steps, {ms:.3} ms a run (mean of {TIMED} runs)");
    }
    let mean = |&(n, p): &(u64, f64)| n as f64 * p.min(1.0 - p);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    for (low, high) in [(0.0, 1.0), (1.0, 10.0), (10.0, f64::INFINITY)] {
        let class: Vec<(u64, f64)> = draws
            .iter()
            .copied()
            .filter(|d| (low..high).contains(&mean(d)))
            .collect();
        if class.is_empty() {
            continue;
        }
        let start = Instant::now();
        for _ in 0..200 {
            for &(n, p) in &class {
                black_box(btrs::sample(&mut rng, n, p));
            }
        }
        let ns = start.elapsed().as_secs_f64() * 1e9 / (200.0 * class.len() as f64);
        println!(
            "mean in [{low}, {high}): {} draws, {ns:.1} ns a draw",
            class.len()
        );
    }
}
