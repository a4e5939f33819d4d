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

/// Issue 39: which limit breaks first, from the runs themselves. A 3/s limit on the small
/// scenario's 13/s surge is reached in every run, soon after the outage starts and while it
/// lasts; without a limit there is no row.
#[test]
fn a_binding_limit_is_reached_in_every_run_and_an_absent_one_has_no_row() {
    let s = scenario(Capacity::Global(3.0));
    let mc = runs(&s, 20);
    let rows = surge::report::limits::limit_rows(&s, &mc);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.app.as_str(), r.region.as_str(), r.kind.as_str()),
        ("telegram", "all", "servers")
    );
    assert_eq!(r.share_of_runs, 1.0);
    let [p05, p50, p95] = r
        .first_reached_hours
        .map(|h| h.expect("reached by every run"));
    assert!(
        0.0 <= p05 && p05 <= p50 && p50 <= p95 && p95 < 6.0,
        "{p05} {p50} {p95}"
    );
    assert!(r.hours_at_limit[0] > 1.0, "{:?}", r.hours_at_limit);
    assert!(r.wait_max_seconds[0] > 0.0);
    assert!(
        r.first_reached_utc[1]
            .as_deref()
            .is_some_and(|t| t.starts_with("2021-10-04T"))
    );
    let csv = String::from_utf8(surge::report::limits::limits_csv(&rows).unwrap()).unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("telegram,all,servers,3,1,"),
        "{csv}"
    );
    // A limit far above the demand is never reached: its times are empty ("never").
    let loose = scenario(Capacity::Global(1e6));
    let rows = surge::report::limits::limit_rows(&loose, &runs(&loose, 10));
    assert_eq!(rows[0].share_of_runs, 0.0);
    assert_eq!(rows[0].first_reached_hours, [None, None, None]);
    let open = scenario(Capacity::Unlimited);
    assert!(surge::report::limits::limit_rows(&open, &runs(&open, 5)).is_empty());
}
