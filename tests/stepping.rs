//! The adaptive step rule against the fixed one (docs/MODEL.md §1, "Steps"): on 2021-10-04 at
//! full scale (billions of users) and the same event at 20,000 users per region (small counts),
//! every headline figure's mean agrees within 4 standard errors plus 0.05% and its p05, p50 and
//! p95 within 5 (a quantile's standard error taken as a normal's, sd sqrt(q(1-q)/n) / phi(z_q),
//! plus the sketch's own 0.78%); the Bass closed form holds under it; it takes fewer steps and draws; the
//! same seed gives the same bytes on 1 and 2 threads; and bad step settings are refused.

mod common;

use assert_cmd::Command;
use std::path::Path;
use surge::engine::{CohortEngine, MonteCarlo, RunStreams};
use surge::model::draw::trace_draws;
use surge::model::stepping::StepRule;
use surge::scenario::{Scenario, load_scenario};

const ADAPTIVE: StepRule = StepRule::Adaptive { tolerance: 0.03 };

fn runs_of(s: &Scenario, rule: StepRule, runs: u64, threads: usize) -> MonteCarlo {
    let mut s = s.clone();
    s.stepping = rule;
    common::runs_on(&s, runs, threads)
}

/// Every headline figure of `n` runs under each rule: means within 4 standard errors plus 0.05%
/// of the value (the rule's own error at ε = 0.03: at most 0.01% on 2021-10-04 at fixed
/// parameters, where the standard error is 0.002%), p05, p50 and p95 within 5 standard errors
/// plus the sketch's error. The peak rates included: no joined step may set a new peak.
fn agree(s: &Scenario, n: u64) {
    let (fixed, adaptive) = (
        runs_of(s, StepRule::Fixed, n, 2),
        runs_of(s, ADAPTIVE, n, 2),
    );
    common::assert_headlines_agree(&fixed, &adaptive, n, 5e-4, ("fixed", "adaptive"));
}

#[test]
fn adaptive_steps_agree_with_fixed_steps_at_billions_of_users() {
    agree(&common::load("scenarios/facebook-2021-10-04.toml"), 400);
}

#[test]
fn adaptive_steps_agree_with_fixed_steps_at_small_counts() {
    let mut s = common::load("scenarios/facebook-2021-10-04.toml");
    for region in &mut s.regions {
        region.users = 20_000;
    }
    agree(&s, 400);
}

/// The last grid step of every step run 0 of `s` takes under `rule`, and the binomials it
/// draws.
fn cost(s: &Scenario, rule: StepRule) -> (Vec<usize>, usize) {
    let mut s = s.clone();
    s.stepping = rule;
    let engine = CohortEngine::new(&s, &s.behaviour);
    let mut ends = Vec::new();
    let ((), draws) = trace_draws(|| {
        engine.run_inspecting(&RunStreams::new(1, 0), &mut |end, _| ends.push(end));
    });
    (ends, draws.len())
}

#[test]
fn adaptive_steps_take_fewer_steps_and_draws_and_never_cross_an_output_point() {
    let s = common::load("scenarios/facebook-2021-10-04.toml");
    let (fixed_ends, fixed_draws) = cost(&s, StepRule::Fixed);
    let (ends, draws) = cost(&s, ADAPTIVE);
    let (fixed_steps, steps) = (fixed_ends.len(), ends.len());
    assert_eq!(fixed_steps, s.timeline.steps);
    // At most half the steps and two thirds of the draws. Measured with session 25's fitted
    // parameters: 444 steps and 24,903 draws against 1,344 and 45,193 (the draws depend on the
    // parameters: the tail after service returns, `after_hours`, is where most joined steps are;
    // session 24's parameters gave 20,716 draws).
    assert!(
        steps * 2 < fixed_steps && draws * 3 < fixed_draws * 2,
        "{steps} steps and {draws} draws against {fixed_steps} and {fixed_draws}"
    );
    // No joined step passes an output point: every grid step but a join's last ends between
    // two of them.
    let every = s.timeline.output_every;
    let mut first = 0;
    for &end in &ends {
        assert!(
            (first..end).all(|inside| !(inside + 1).is_multiple_of(every)),
            "the step of grid steps {first}..={end} passes an output point"
        );
        first = end + 1;
    }
    assert_eq!(first, s.timeline.steps, "every grid step taken once");
}

/// tests/bass.rs under the adaptive rule: the mean adopted share is the closed form's within 4
/// standard errors plus 0.01 of it. With ε = 0.03 a joined step's frozen word of mouth lags
/// the curve by at most about ε/2 of its rate over the step; tests/bass.rs holds the fixed
/// 0.001 h step to 4 standard errors alone (about 0.2% of F).
#[test]
fn bass_holds_under_the_adaptive_rule() {
    let (p, q) = (0.03, 0.38);
    let (users, step, runs) = (20_000u64, 0.001, 200u64);
    let mut s = common::bass_scenario(users, 10.0, step, common::bass_behaviour(p, q));
    s.stepping = ADAPTIVE;
    let times = [1.0, 5.0, 10.0];
    for (t, (mean, se)) in times
        .into_iter()
        .zip(common::adoption_means(&s, users, &times, runs))
    {
        let f = common::bass_share(p, q, t);
        assert!(
            (mean - f).abs() < 4.0 * se + 0.01 * f,
            "F({t}) {mean:.6} against {f:.6} (se {se:.2e})"
        );
    }
}

#[test]
fn adaptive_runs_are_the_same_on_any_thread_count() {
    let s = common::load("scenarios/facebook-2021-10-04.toml");
    let (one, two) = (runs_of(&s, ADAPTIVE, 40, 1), runs_of(&s, ADAPTIVE, 40, 2));
    assert_eq!(one.summaries.to_bytes(), two.summaries.to_bytes());
}

fn surge() -> Command {
    Command::cargo_bin("surge").unwrap()
}

/// The text of a shipped scenario that names no step rule, to edit.
fn two_hour_outage() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/whatsapp-2h-worldwide.toml"),
    )
    .unwrap()
}

#[test]
fn bad_step_settings_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_hour_outage();
    for (setting, says) in [
        ("step_rule = \"leaping\"", "simulation.step_rule"),
        (
            "step_rule = \"adaptive\"\nstep_tolerance = 0.5",
            "(0, 0.25]",
        ),
        (
            "step_rule = \"fixed\"\nstep_tolerance = 0.05",
            "for step_rule = \"adaptive\" only",
        ),
        (
            "engine = \"agents\"\nagents = 1000\nstep_rule = \"adaptive\"",
            "the agent engine takes every step",
        ),
    ] {
        let file = dir.path().join("bad.toml");
        std::fs::write(
            &file,
            text.replacen("[simulation]", &format!("[simulation]\n{setting}"), 1),
        )
        .unwrap();
        let out = dir.path().join("out");
        let assert = surge()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .args(["--runs", "5"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(
            stderr.contains("bad.toml:") && stderr.contains(says) && !stderr.contains("panicked"),
            "{setting}: {stderr}"
        );
        assert!(!out.exists(), "{setting}: nothing is written");
    }
    for args in [
        vec!["--step-tolerance", "0"],
        vec!["--step-rule", "fixed", "--step-tolerance", "0.1"],
        vec!["--step-rule", "adaptive", "--engine", "agents"],
    ] {
        let out = dir.path().join("out2");
        let assert = surge()
            .arg("run")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/whatsapp-2h-worldwide.toml"))
            .arg("--out")
            .arg(&out)
            .args(["--runs", "5"])
            .args(&args)
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(
            stderr.contains("--step") && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
        assert!(!out.exists(), "{args:?}: nothing is written");
    }
}

/// The rule a scenario gets when it names none: adaptive (at the default ε) on the cohort engine,
/// fixed on the agent engine; a tolerance alone asks for the adaptive rule at that tolerance.
#[test]
fn a_scenario_without_a_step_rule_is_adaptive_on_the_cohort_engine_and_fixed_on_agents() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_hour_outage();
    assert!(!text.contains("step_rule") && !text.contains("step_tolerance"));
    let with = |setting: &str| {
        let file = dir.path().join("s.toml");
        let setting = format!("[simulation]\n{setting}");
        std::fs::write(&file, text.replacen("[simulation]", &setting, 1)).unwrap();
        load_scenario(&file, None).unwrap()
    };
    assert_eq!(with("").stepping, ADAPTIVE);
    assert_eq!(
        with("step_tolerance = 0.05").stepping,
        StepRule::Adaptive { tolerance: 0.05 }
    );
    assert_eq!(with("step_rule = \"fixed\"").stepping, StepRule::Fixed);
    assert_eq!(
        with("engine = \"agents\"\nagents = 1000").stepping,
        StepRule::Fixed
    );
}

/// An engine built for runs cut after step n (`CohortEngine::until`, what the fit and the
/// nowcast build) computes fewer steps' drivers and takes, up to the cut, exactly the steps and
/// states of the engine for the whole timeline, under either rule; it never steps past the
/// drivers it has.
#[test]
fn an_engine_for_a_cut_run_takes_the_whole_engines_steps_up_to_the_cut() {
    let s = common::load("scenarios/facebook-2021-10-04.toml");
    for rule in [StepRule::Fixed, ADAPTIVE] {
        let mut s = s.clone();
        s.stepping = rule;
        let states = |engine: &CohortEngine| {
            let mut seen = Vec::new();
            engine.run_inspecting(&RunStreams::new(7, 3), &mut |end, state| {
                seen.push((end, state.clone()))
            });
            seen
        };
        let whole = states(&CohortEngine::new(&s, &s.behaviour));
        for cut in [1, s.timeline.event_step + 37, s.timeline.steps - 100] {
            let part = states(&CohortEngine::until(&s, &s.behaviour, cut));
            let last = part.last().unwrap().0;
            assert!(
                last + 1 >= cut && last + 1 < s.timeline.steps,
                "{rule:?} {cut}: {last}"
            );
            assert_eq!(
                part[..],
                whole[..part.len()],
                "{rule:?}, cut after {cut} steps"
            );
        }
    }
}
