//! Scenarios built in code for the statistical and property tests.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use surge::model::Behaviour;
use surge::scenario::{AccountShares, App, Capacity, Event, EventKind, Region, Scenario, Timeline};

/// Behaviour with every optional mechanism switched off: hazard p + q F.
pub fn bass_behaviour(p: f64, q: f64) -> Behaviour {
    Behaviour {
        innovation_per_hour: p,
        word_of_mouth_per_hour: q,
        news_per_hour: 0.0,
        news_decay_hours: 1.0,
        urgency_hours: 0.0,
        after_hours: 1.0,
        dormant_boost: 1.0,
        dormant_contacts: 0.0,
        dormant_threshold: 1.0,
        own_app_moves: 0.0,
        hearing_hours: 0.0,
        deadline_hours: 0.0,
        deadline_shape: 0.0,
        buzz_gain: 0.0,
        buzz_hours: 24.0,
        buzz_novelty: 0.0,
        contact_weight: 0.0,
        account_affinity: 1.0,
        known_contacts: 15.0,
        trial_share: 0.0,
        patience_minutes: 60.0,
    }
}

/// One region of `users` people who all notice at once (activity 1 in every hour), one app with
/// no accounts and no capacity limit, an outage covering the whole horizon.
pub fn bass_scenario(
    users: u64,
    horizon_hours: f64,
    step_hours: f64,
    behaviour: Behaviour,
) -> Scenario {
    let steps = (horizon_hours / step_hours).round() as usize;
    let start = Utc.with_ymd_and_hms(2021, 10, 4, 0, 0, 0).unwrap();
    Scenario {
        engine: surge::scenario::EngineKind::Cohort,
        name: "bass".into(),
        description: String::new(),
        file: "bass.toml".into(),
        sha256: String::new(),
        params_file: "bass-params.toml".into(),
        behaviour,
        timeline: Timeline {
            start,
            step_hours,
            steps,
            event_step: 0,
            output_every: steps,
        },
        event: Event {
            kind: EventKind::Outage {
                duration_hours: horizon_hours,
                announced: false,
                warning_hours: 0.0,
                uncertain_start_hours: 0.0,
                expected_hours: None,
                fallback_share: 0.0,
            },
            services: vec!["whatsapp".into()],
            start,
            severity: vec![1.0],
            named: Vec::new(),
        },
        more_events: Vec::new(),
        sampler: Default::default(),
        stepping: surge::model::stepping::StepRule::Fixed,
        app_outages: Vec::new(),
        regions: vec![Region {
            name: "world".into(),
            users,
            utc_offset_hours: 0.0,
            activity: [1.0; 24],
            reachable_elsewhere: 0.0,
        }],
        apps: vec![App {
            name: "alt".into(),
            attractiveness: 1.0,
            capacity: Capacity::Unlimited,
            baseline_per_day: 0.0,
            retention_30d: 1.0,
            accounts: vec![AccountShares {
                active: 0.0,
                dormant: 0.0,
            }],
            verification: None,
            known: None,
        }],
        runs: 1,
        seed: 1,
    }
}

/// Copies the repository's `folders` (files only, not subfolders) into `root`, so a test can run
/// `surge` there and damage or rewrite inputs without touching the real ones.
pub fn copy_folders(root: &std::path::Path, folders: &[&str]) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in folders {
        std::fs::create_dir_all(root.join(folder)).unwrap();
        for entry in std::fs::read_dir(src.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, root.join(folder).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
}

/// The result files of a run, which must be byte-identical for any thread count.
pub const RESULT_FILES: [&str; 4] = [
    "summary.json",
    "timeseries.csv",
    "runs.csv",
    "spaghetti.csv",
];

/// Asserts that two output folders hold byte-identical result files.
pub fn assert_same_results(a: &std::path::Path, b: &std::path::Path) {
    for file in RESULT_FILES {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// `runs` Monte Carlo runs of `s` at its own parameters (seed 17) on a pool of `threads`.
pub fn runs_on(s: &Scenario, runs: u64, threads: usize) -> surge::engine::MonteCarlo {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        surge::engine::run_monte_carlo(
            s,
            &surge::engine::ParameterSource::Fixed(s.behaviour.clone()),
            runs,
            17,
            0,
            &mut (),
            &|| {},
        )
    })
    .unwrap()
}

/// Two ways of running the same `n` runs agree on every headline figure: means within 4
/// standard errors plus `relative` of the value, p05, p50 and p95 within 5 (a quantile's
/// standard error taken as a normal's, sd sqrt(q(1-q)/n) / phi(z_q)) plus the sketch's own
/// 0.78% twice. `names` say which is which in a failure. At least one mean must differ at
/// all: else the second way was not used, and the check would pass trivially.
pub fn assert_headlines_agree(
    a: &surge::engine::MonteCarlo,
    b: &surge::engine::MonteCarlo,
    n: u64,
    relative: f64,
    names: (&str, &str),
) {
    let mut differ = 0;
    for (i, spec) in a.specs.iter().enumerate() {
        let (x, y) = (a.summaries.headline(i), b.summaries.headline(i));
        if x.mean != y.mean {
            differ += 1;
        }
        let se = (x.mcse * x.mcse + y.mcse * y.mcse).sqrt();
        assert!(
            (x.mean - y.mean).abs() <= 4.0 * se + relative * x.mean.abs(),
            "{}: mean {} {}, {} {} (se {se})",
            spec.column(),
            x.mean,
            names.0,
            y.mean,
            names.1
        );
        // sd from the MCSE; phi(z) at q = 0.05 and 0.95 is 0.1031, at 0.5 it is 0.3989.
        let sd = x.mcse.max(y.mcse) * (n as f64).sqrt();
        for (q, u, v, phi) in [
            (0.05, x.p05, y.p05, 0.1031),
            (0.5, x.p50, y.p50, 0.3989),
            (0.95, x.p95, y.p95, 0.1031),
        ] {
            let se_q = sd * (q * (1.0 - q) / n as f64).sqrt() / phi * 2f64.sqrt();
            let bound = 5.0 * se_q + 0.016 * u.abs().max(v.abs());
            assert!(
                (u - v).abs() <= bound,
                "{}: p{:.0} {u} {}, {v} {} (bound {bound})",
                spec.column(),
                q * 100.0,
                names.0,
                names.1
            );
        }
    }
    assert!(
        differ > 0,
        "no headline figure changed: {} was not used",
        names.1
    );
}

/// A shipped scenario, by its path in the repository.
pub fn load(path: &str) -> Scenario {
    surge::scenario::load_scenario(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path),
        None,
    )
    .unwrap()
}

/// The Bass (1969) model's adopted share at time `t`:
/// F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).
pub fn bass_share(p: f64, q: f64, t: f64) -> f64 {
    let e = (-(p + q) * t).exp();
    (1.0 - e) / (1.0 + (q / p) * e)
}

/// The adopted share (registered users of the first app in the first region, over `users`) at
/// the ends of the steps `at_steps`.
struct Adoption {
    at_steps: Vec<usize>,
    users: f64,
    values: Vec<f64>,
}

impl surge::engine::Observer for Adoption {
    fn after_step(&mut self, step: usize, state: &surge::engine::Observed) {
        if self.at_steps.contains(&(step + 1)) {
            self.values
                .push(state.regions[0].registered[0] as f64 / self.users);
        }
    }
}

/// The Monte Carlo mean of the adopted share of `s` (one region of `users`, one app) at each
/// of `times` (hours), and its standard error, over `runs` cohort-engine runs (seed 99).
pub fn adoption_means(s: &Scenario, users: u64, times: &[f64], runs: u64) -> Vec<(f64, f64)> {
    use surge::engine::Engine;
    let engine = surge::engine::CohortEngine::new(s, &s.behaviour);
    let step = s.timeline.step_hours;
    let at_steps: Vec<usize> = times.iter().map(|t| (t / step).round() as usize).collect();
    let mut samples = vec![Vec::new(); times.len()];
    for run in 0..runs {
        let mut obs = Adoption {
            at_steps: at_steps.clone(),
            users: users as f64,
            values: Vec::new(),
        };
        engine.run(&surge::engine::RunStreams::new(99, run), &mut obs);
        for (xs, v) in samples.iter_mut().zip(obs.values) {
            xs.push(v);
        }
    }
    samples
        .iter()
        .map(|xs| {
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            (mean, sd / n.sqrt())
        })
        .collect()
}
