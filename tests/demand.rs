//! Sign-up demand (issue 39): `attempts` and `attempt_rate` count everyone who set out to create
//! an account, served or not, so they answer "what must the servers absorb" where the served
//! rate is capped by the limit itself.

use std::path::Path;
use surge::engine::record::Metric;
use surge::engine::{HeadlineSpec, MonteCarlo, ParameterSource, run_monte_carlo};
use surge::model::signup::Capacity;
use surge::scenario::{Scenario, load_scenario};

fn scenario(capacity: Capacity) -> Scenario {
    let mut s = load_scenario(Path::new("tests/fixtures/valid-small.toml"), None).unwrap();
    s.apps[0].capacity = capacity;
    s
}

fn runs(s: &Scenario, n: u64) -> MonteCarlo {
    let parameters = ParameterSource::Fixed(s.behaviour.clone());
    run_monte_carlo(s, &parameters, n, 11, 0, &mut (), &|| {}).unwrap()
}

/// The mean of headline figure `metric` (and window) of app 0.
fn mean(mc: &MonteCarlo, metric: Metric, window: Option<f64>) -> f64 {
    let i = mc
        .specs
        .iter()
        .position(|s: &HeadlineSpec| {
            s.app_index == 0 && s.metric == metric && s.window_hours == window
        })
        .unwrap_or_else(|| panic!("no headline {metric:?} {window:?}"));
    mc.summaries.headline(i).mean
}

#[test]
fn demand_is_what_the_served_rate_would_be_without_the_limit() {
    let n = 40;
    let open = runs(&scenario(Capacity::Unlimited), n);
    let tight = runs(&scenario(Capacity::Global(3.0)), n);
    // Without a limit every attempt is served at once: demand and service agree exactly.
    assert_eq!(
        mean(&open, Metric::AttemptRate, None),
        mean(&open, Metric::RegistrationRate, None)
    );
    assert_eq!(
        mean(&open, Metric::Attempts, Some(24.0)),
        mean(&open, Metric::Registrations, Some(24.0))
    );
    // Under a limit of 3/s the served peak stays at the limit (a step's service can round one
    // sign-up above it) while demand goes far above it.
    let served = mean(&tight, Metric::RegistrationRate, None);
    let demand = mean(&tight, Metric::AttemptRate, None);
    assert!(served <= 3.0 + 1.0 / 600.0 + 1e-9, "served {served}");
    assert!(
        demand > 3.0 * served,
        "demand {demand} against served {served}"
    );
    // Attempts do not depend on the limit except through contacts who have accounts: the
    // capped demand stays within 10% of the uncapped service (here the arrivals barely move
    // contact shares), and attempts are never fewer than registrations.
    let uncapped = mean(&open, Metric::RegistrationRate, None);
    assert!(
        (demand / uncapped - 1.0).abs() < 0.1,
        "capped demand {demand}, uncapped service {uncapped}"
    );
    assert!(
        mean(&tight, Metric::Attempts, Some(24.0))
            >= mean(&tight, Metric::Registrations, Some(24.0))
    );
}
