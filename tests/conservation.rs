//! Property: over random valid scenarios, every user is in exactly one state at every step
//! (no user created or lost), and each second app a user tried (docs/MODEL.md §5) is one more
//! account in exactly one state, retained arrivals never exceed arrivals, and no count underflows
//! (debug builds check integer overflow).

mod common;

use proptest::prelude::*;
use surge::engine::{CohortEngine, CohortState, RunStreams};
use surge::scenario::{AccountShares, Capacity, Coverage, EventKind, Region};

struct Conservation {
    users: Vec<u64>,
    steps: usize,
}

impl Conservation {
    fn after_step(&mut self, state: &CohortState) {
        for (r, &users) in self.users.iter().enumerate() {
            let tried = state.regions[r].tried;
            assert_eq!(state.accounted(r), users + tried, "users created or lost");
            assert!(
                tried <= state.regions[r].switched(),
                "more second apps than switchers"
            );
            let c = &state.counts.regions[r];
            for k in 0..c.registered.len() {
                assert!(c.retained[k] <= c.registered[k] + c.reactivated[k]);
            }
        }
        self.steps += 1;
    }
}

fn shares(apps: usize) -> impl Strategy<Value = Vec<(f64, f64)>> {
    // At most 0.3 per app, so the shares of three apps add up to <= 0.9 as validation requires.
    prop::collection::vec((0.0..0.15f64, 0.0..0.15f64), apps)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn users_are_never_created_or_lost(
        users in prop::collection::vec(0u64..3_000_000_000, 1..4),
        n_apps in 1usize..4,
        share_seed in shares(3),
        capacity in prop_oneof![Just(None), (1.0..5000.0f64).prop_map(Some)],
        per_region in any::<bool>(),
        trust_shock in any::<bool>(),
        announced in any::<bool>(),
        warning in 0.0..1.0f64,
        uncertain in 0.0..1.0f64,
        fallback in 0.0..1.0f64,
        reachable in 0.0..1.0f64,
        codes in prop_oneof![Just(None), (0.01..3000.0f64).prop_map(Some)],
        p in 0.0..0.05f64,
        q in 0.0..2.0f64,
        boost in 1.0..200.0f64,
        patience in 1.0..120.0f64,
        mechanisms in (0.0..5.0f64, 0.0..10.0f64, 0.0..3.0f64, 0.5..48.0f64),
        trial in prop_oneof![Just(0.0), 0.0..1.0f64],
        known in prop_oneof![Just(None), (0.0..1.0f64).prop_map(Some)],
        adaptive in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut behaviour = common::bass_behaviour(p, q);
        behaviour.dormant_boost = boost;
        behaviour.patience_minutes = patience;
        behaviour.news_per_hour = 0.01;
        behaviour.urgency_hours = 1.0;
        behaviour.contact_weight = 2.0;
        behaviour.account_affinity = 10.0;
        // Issue 37's mechanisms: hearing, waiting for the deadline, the buzz, awareness, trials.
        (behaviour.hearing_hours, behaviour.deadline_hours, behaviour.buzz_gain, behaviour.buzz_hours) =
            mechanisms;
        behaviour.trial_share = trial;
        let mut s = common::bass_scenario(1, 12.0, 5.0 / 60.0, behaviour);
        s.timeline.event_step = 12;
        s.timeline.output_every = 6;
        s.event.kind = if trust_shock {
            EventKind::TrustShock {
                wanting_to_move: 0.5,
                coverage: Coverage { first_hours: 0.0, every_hours: 2.0, index: vec![0.2, 1.0, 0.4] },
            }
        } else {
            // An announced block may be in the news up to the whole hour of lead before it.
            // Its start may have been uncertain over part of that warning (`may_start_from`).
            let warning_hours = if announced { warning } else { 0.0 };
            let uncertain_start_hours = uncertain * warning_hours;
            EventKind::Outage {
                duration_hours: 4.0,
                announced,
                warning_hours,
                uncertain_start_hours,

                expected_hours: None,
                fallback_share: fallback,
            }
        };
        s.regions = users
            .iter()
            .enumerate()
            .map(|(i, &u)| Region { name: format!("r{i}"), users: u, utc_offset_hours: i as f64 * 5.0, activity: surge::model::rhythm::DEFAULT_ACTIVITY, reachable_elsewhere: reachable })
            .collect();
        s.event.severity = vec![0.8; users.len()];
        let template = s.apps[0].clone();
        s.apps = (0..n_apps)
            .map(|k| {
                let mut a = template.clone();
                a.name = format!("app{k}");
                a.retention_30d = 0.5;
                a.baseline_per_day = 1000.0;
                a.accounts = vec![AccountShares { active: share_seed[k].0, dormant: share_seed[k].1 }; users.len()];
                a.capacity = match (capacity, per_region) {
                    (None, _) => Capacity::Unlimited,
                    (Some(c), false) => Capacity::Global(c),
                    (Some(c), true) => Capacity::PerRegion(vec![c; users.len()]),
                };
                a.verification = codes.map(|c| vec![c; users.len()]);
                a.known = known.filter(|_| k > 0).map(|b| vec![b; users.len()]);
                a
            })
            .collect();
        // The adaptive rule's joined steps keep every user too (inspected at each one's end).
        if adaptive {
            s.stepping = surge::model::stepping::StepRule::Adaptive { tolerance: 0.1 };
        }
        let engine = CohortEngine::new(&s, &s.behaviour);
        let mut obs = Conservation { users: users.clone(), steps: 0 };
        engine.run_inspecting(&RunStreams::new(seed, 0), &mut |_, state| obs.after_step(state));
        if adaptive {
            prop_assert!((1..=s.timeline.steps).contains(&obs.steps));
        } else {
            prop_assert_eq!(obs.steps, s.timeline.steps);
        }
    }
}
