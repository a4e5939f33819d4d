//! Statistical checks of the mechanisms of issue 37 against exact answers (docs/MODEL.md §3-§5):
//! an announcement heard as the news spreads (an onset that ramps), waiting for a block's
//! deadline, choice restricted to the apps a user knows, the buzz (a surge that feeds on itself)
//! and its novelty, the dormant boost through contacts and moves to the holder's own app, and trying a
//! second app. Each compares the Monte Carlo mean
//! of a seeded cohort run with the exact expectation of the same discrete-time chain, within 4
//! standard errors, and checks that the mechanism's "off" value gives the old model exactly.

mod common;

use surge::engine::{CohortEngine, Engine, Observed, Observer, RunStreams};
use surge::model::Behaviour;
use surge::scenario::{EventKind, Scenario};

/// Switched share (registered, no capacity limit) at the end of every step, and registrations
/// per app at the end.
struct Shares {
    users: f64,
    by_step: Vec<f64>,
    by_app: Vec<u64>,
    /// Reactivations (dormant holders back at their app) as a share, at the end of every step.
    returned_by_step: Vec<f64>,
}

impl Observer for Shares {
    fn after_step(&mut self, _step: usize, state: &Observed) {
        let r = &state.regions[0];
        self.by_step
            .push(r.registered.iter().sum::<u64>() as f64 / self.users);
        self.by_app = r.registered.clone();
        self.returned_by_step
            .push(r.reactivated.iter().sum::<u64>() as f64 / self.users);
    }
}

fn runs(scenario: &Scenario, n: u64) -> Vec<Shares> {
    let engine = CohortEngine::new(scenario, &scenario.behaviour);
    (0..n)
        .map(|run| {
            let mut obs = Shares {
                users: scenario.regions[0].users as f64,
                by_step: Vec::new(),
                by_app: Vec::new(),
                returned_by_step: Vec::new(),
            };
            engine.run(&RunStreams::new(37, run), &mut obs);
            obs
        })
        .collect()
}

fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn assert_within_4_se(what: &str, xs: &[f64], exact: f64) {
    let (mean, se) = mean_and_se(xs);
    assert!(
        (mean - exact).abs() < 4.0 * se.max(1e-12),
        "{what}: Monte Carlo mean {mean:.6} vs exact {exact:.6}, se {se:.2e}"
    );
}

/// A blocked country told `warning` hours ahead: one region whose users never open the app
/// (activity 0, so they learn of the block only from the news), hazard `h` once they know
/// (p = h, no word of mouth, no news term, urgency at once).
fn announced_block(h: f64, warning: f64, hearing: f64, deadline: f64) -> Scenario {
    let behaviour = Behaviour {
        urgency_hours: 0.0,
        hearing_hours: hearing,
        deadline_hours: deadline,
        ..common::bass_behaviour(h, 0.0)
    };
    let (horizon, dt) = (warning + 6.0, 0.01);
    let mut s = common::bass_scenario(20_000, horizon, dt, behaviour);
    s.regions[0].activity = [0.0; 24];
    s.timeline.event_step = (warning / dt).round() as usize;
    s.timeline.output_every = 1;
    s.event.start = s.timeline.start + chrono::Duration::minutes((warning * 60.0).round() as i64);
    s.event.kind = EventKind::Outage {
        duration_hours: 6.0,
        announced: true,
        warning_hours: warning,
        uncertain_start_hours: 0.0,
        expected_hours: None,
        fallback_share: 0.0,
    };
    s
}

/// The exact expected switched share after each step of the chain the cohort engine runs: per
/// step, the unaware notice with probability `a` (hearing), then every noticed user switches with
/// probability `b(step)`.
fn chain(steps: usize, a: f64, b: impl Fn(usize) -> f64) -> Vec<f64> {
    let (mut unaware, mut noticed) = (1.0, 0.0);
    (0..steps)
        .map(|s| {
            let heard = unaware * a;
            unaware -= heard;
            noticed = (noticed + heard) * (1.0 - b(s));
            1.0 - unaware - noticed
        })
        .collect()
}

/// The exact chain of a block whose news everyone has at once and whose switching hazard per
/// hour at step `s` is `hazard(s)`, and 200 runs of `scenario`, whose mean switched share must
/// follow it within 4 standard errors after each step of `at`.
fn assert_follows_chain(
    what: &str,
    scenario: &Scenario,
    hazard: impl Fn(usize) -> f64,
    at: &[usize],
) -> (Vec<f64>, Vec<Shares>) {
    let dt = scenario.timeline.step_hours;
    let exact = chain(scenario.timeline.steps, 1.0, |s| {
        -(-hazard(s) * dt).exp_m1()
    });
    let sims = runs(scenario, 200);
    for &step in at {
        let xs: Vec<f64> = sims.iter().map(|o| o.by_step[step]).collect();
        assert_within_4_se(
            &format!("{what}: switched by step {step}"),
            &xs,
            exact[step],
        );
    }
    (exact, sims)
}

/// Mean switched share after `step` over runs.
fn mean_at(sims: &[Shares], step: usize) -> f64 {
    mean_and_se(&sims.iter().map(|o| o.by_step[step]).collect::<Vec<_>>()).0
}

#[test]
fn an_announcement_is_heard_as_the_news_spreads_and_the_onset_ramps() {
    let (h, hearing, dt) = (0.5, 2.0, 0.01);
    let scenario = announced_block(h, 0.0, hearing, 0.0);
    let steps = scenario.timeline.steps;
    let exact = chain(steps, -(-dt / hearing).exp_m1(), |_| -(-h * dt).exp_m1());
    let sims = runs(&scenario, 200);
    for hour in [1usize, 3, 6] {
        let at = hour * 100 - 1;
        let xs: Vec<f64> = sims.iter().map(|o| o.by_step[at]).collect();
        assert_within_4_se(&format!("switched by hour {hour}"), &xs, exact[at]);
    }
    // The shape: the second hour brings more switchers than the first (a ramp), where everyone
    // knowing at once (the old model) gives its most in the first hour.
    let hourly = |e: &[f64]| (e[99], e[199] - e[99]);
    let (first, second) = hourly(&exact);
    assert!(second > first, "{first} then {second}: no ramp");
    let at_once = runs(&announced_block(h, 0.0, 0.0, 0.0), 50);
    let xs: Vec<f64> = at_once.iter().map(|o| o.by_step[99]).collect();
    assert_within_4_se("hearing 0: switched in the first hour", &xs, -(-h).exp_m1());
    let old = chain(steps, 1.0, |_| -(-h * dt).exp_m1());
    assert!(
        old[199] - old[99] < old[99],
        "everyone at once peaks at once"
    );
}

#[test]
fn people_wait_for_the_deadline_of_a_block_announced_ahead() {
    let (h, warning, deadline, dt) = (0.2, 24.0, 6.0, 0.01);
    let scenario = announced_block(h, warning, 0.0, deadline);
    let start = scenario.timeline.event_step;
    // Before the start, hazard h e^{tau / T_d} at the step's middle (tau < 0).
    let hazard = |s: usize| {
        let tau = (s as f64 - start as f64 + 0.5) * dt;
        if tau < 0.0 {
            h * (tau / deadline).exp()
        } else {
            h
        }
    };
    let (exact, _) = assert_follows_chain(
        "exponential",
        &scenario,
        hazard,
        &[start / 2 - 1, start - 101, start - 1, start + 299],
    );
    // The last day's last hour brings more than its first hour: people act near the deadline.
    assert!(exact[start - 1] - exact[start - 101] > 10.0 * exact[99]);
    // With no waiting (T_d = 0) everyone is as urgent from the announcement: the old model.
    let eager = runs(&announced_block(h, warning, 0.0, 0.0), 50);
    let xs: Vec<f64> = eager.iter().map(|o| o.by_step[99]).collect();
    assert_within_4_se("no waiting: first hour", &xs, -(-h).exp_m1());
}

#[test]
fn hyperbolic_waiting_acts_on_a_far_deadline_sooner_than_exponential() {
    // `deadline_shape` κ = 1: hazard h / (1 + d/T_d) with d hours to the start.
    let (h, warning, deadline, dt) = (0.05, 24.0, 6.0, 0.01);
    let mut scenario = announced_block(h, warning, 0.0, deadline);
    scenario.behaviour.deadline_shape = 1.0;
    let start = scenario.timeline.event_step;
    let hazard = |s: usize| {
        let d = (start as f64 - s as f64 - 0.5) * dt;
        if d > 0.0 { h / (1.0 + d / deadline) } else { h }
    };
    let (_, sims) = assert_follows_chain(
        "κ = 1",
        &scenario,
        hazard,
        &[99, start / 2 - 1, start - 1, start + 299],
    );
    // The shape: a day ahead, hyperbolic waiting already moves a fifth of what it will in the
    // block's first hours, where the exponential moves almost nobody (e^-4 of the rate).
    let exponential = runs(&announced_block(h, warning, 0.0, deadline), 200);
    let (hyperbolic, exp) = (mean_at(&sims, 99), mean_at(&exponential, 99));
    assert!(
        hyperbolic > 5.0 * exp,
        "first hour: {hyperbolic} against {exp}"
    );
}

#[test]
fn a_block_that_may_come_any_moment_is_acted_on_sooner() {
    // A block announced 24 h ahead whose start was not known: feared any time in the 20 h before
    // it (`may_start_from` 4 h after the announcement; a known start is W = 0).
    let (h, warning, deadline, window, dt) = (0.2, 24.0, 6.0, 20.0, 0.01);
    let mut scenario = announced_block(h, warning, 0.0, deadline);
    if let EventKind::Outage {
        uncertain_start_hours,
        ..
    } = &mut scenario.event.kind
    {
        *uncertain_start_hours = window;
    }
    let start = scenario.timeline.event_step;
    // The known-start factor e^{(tau - S')/T_d} averaged over S' uniform on [-W, 0] (1 once S'
    // is past), written out here from its definition rather than taken from the library.
    let factor = |tau: f64| {
        if tau >= 0.0 {
            1.0
        } else if tau <= -window {
            deadline / window * ((tau + window) / deadline).exp()
                - deadline / window * (tau / deadline).exp()
        } else {
            (tau + window + deadline * (1.0 - (tau / deadline).exp())) / window
        }
    };
    let hazard = |s: usize| h * factor((s as f64 - start as f64 + 0.5) * dt);
    let (_, sims) = assert_follows_chain(
        "feared start",
        &scenario,
        hazard,
        &[99, start / 2 - 1, start - 101, start - 1, start + 299],
    );
    // The shape: before a start feared from 4 h after the news, people act within the day where
    // a known start 24 h ahead has them wait. By the 4th hour after the window opens ...
    let known = runs(&announced_block(h, warning, 0.0, deadline), 200);
    let (feared, waited) = (mean_at(&sims, 799), mean_at(&known, 799));
    assert!(
        feared > 5.0 * waited,
        "by hour 8: {feared} against {waited}"
    );
    // A window of zero is the known start bit for bit: `model/drivers.rs`
    // `a_known_start_is_the_uncertain_one_with_no_window` checks the factor itself.
}

#[test]
fn switchers_choose_among_the_apps_they_know() {
    // Two equally attractive apps with no users yet; the second is known to 20% (the press
    // alone: known_contacts 0). A switcher knowing both picks either by half; one knowing only
    // the first takes it: P(second) = 0.2 * 0.5 = 0.1 (docs/MODEL.md §5).
    let behaviour = Behaviour {
        known_contacts: 0.0,
        ..common::bass_behaviour(1.0, 0.0)
    };
    let mut s = common::bass_scenario(20_000, 2.0, 0.05, behaviour);
    let mut second = s.apps[0].clone();
    second.name = "second".into();
    second.known = Some(vec![0.2]);
    s.apps.push(second);
    let sims = runs(&s, 100);
    let share: Vec<f64> = sims
        .iter()
        .map(|o| o.by_app[1] as f64 / o.by_app.iter().sum::<u64>() as f64)
        .collect();
    assert_within_4_se("share choosing the lesser-known app", &share, 0.1);
    // Everyone knowing both (no known_share): half each, as without awareness.
    s.apps[1].known = None;
    let sims = runs(&s, 100);
    let share: Vec<f64> = sims
        .iter()
        .map(|o| o.by_app[1] as f64 / o.by_app.iter().sum::<u64>() as f64)
        .collect();
    assert_within_4_se("both known", &share, 0.5);
}

#[test]
fn an_advertisement_reaches_switchers_the_news_did_not_lead() {
    // An unannounced outage leads nobody by news (M = 0). Two equally attractive apps with no
    // users yet; the second is named with share 0.4. Without a reach the name is inert (half
    // each); reaching half the region, it sends 0.5 * 0.4 = 0.2 of every switcher to the second
    // app and the other 0.8 choose by the weights: P(second) = 0.2 + 0.8 * 0.5 = 0.6
    // (docs/MODEL.md §5, "Reach").
    let mut s = common::bass_scenario(20_000, 2.0, 0.05, common::bass_behaviour(1.0, 0.0));
    let mut second = s.apps[0].clone();
    second.name = "second".into();
    s.apps.push(second);
    let name = |reach: f64| surge::scenario::NamedApp {
        app: 1,
        share: surge::scenario::Coverage {
            first_hours: 0.0,
            every_hours: 1.0,
            index: vec![0.4],
        },
        reach,
        source: "test".into(),
    };
    let share_of_second = |s: &Scenario| -> Vec<f64> {
        runs(s, 100)
            .iter()
            .map(|o| o.by_app[1] as f64 / o.by_app.iter().sum::<u64>() as f64)
            .collect()
    };
    s.event.named = vec![name(0.5)];
    assert_within_4_se("reached by the name", &share_of_second(&s), 0.6);
    s.event.named = vec![name(1.0)];
    assert_within_4_se("all reached", &share_of_second(&s), 0.4 + 0.6 * 0.5);
    // Reach 0: the model before it. No switcher is news-led, so the name changes nothing: the
    // counts are those of the scenario that names no app, run for run.
    s.event.named = vec![name(0.0)];
    let named: Vec<Vec<u64>> = runs(&s, 20).into_iter().map(|o| o.by_app).collect();
    s.event.named.clear();
    let unnamed: Vec<Vec<u64>> = runs(&s, 20).into_iter().map(|o| o.by_app).collect();
    assert_eq!(named, unnamed);
}

#[test]
fn a_mechanism_value_out_of_range_names_file_key_and_line_before_any_work() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read_to_string(root.join("tests/fixtures/valid-small.toml"))
        .unwrap()
        .replace(
            "params = \"../../params/default.toml\"",
            &format!("params = {:?}", root.join("params/default.toml")),
        );
    let out = dir.path().join("out");
    // `surge run ARGS --out OUT` exits 2 naming every one of `needles`, and writes nothing.
    let refused = |args: &[&std::ffi::OsStr], needles: &[&str]| {
        let mut assert = Command::cargo_bin("surge")
            .unwrap()
            .arg("run")
            .args(args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        for needle in needles {
            assert = assert.stderr(predicates::str::contains(*needle));
        }
        assert!(!out.exists());
    };
    // (the scenario's file name, what is appended to valid-small.toml, file:line, key, words):
    // an app's awareness, and a naming's reach, are shares of the region's users.
    let bad_scenarios = [
        (
            "aware.toml",
            "known_share = { default = 1.5 }\n",
            "aware.toml:38",
            "apps[0].known_share.default",
        ),
        (
            "advert.toml",
            "\n[[event.named]]\napp = \"telegram\"\nshare = 0.3\nreach = 1.5\nsource = \"test\"\n",
            "advert.toml:42",
            "event.named[0].reach",
        ),
    ];
    for (name, appended, at, key) in bad_scenarios {
        let scenario = dir.path().join(name);
        std::fs::write(&scenario, format!("{base}{appended}")).unwrap();
        refused(&[scenario.as_os_str()], &[at, key, "[0, 1]"]);
    }
    let params = dir.path().join("p.toml");
    let text = std::fs::read_to_string(root.join("params/default.toml")).unwrap();
    // (the line of params/default.toml, what it becomes, the key named, words of the message)
    let bad = [
        (
            "hearing_hours = 0.0",
            "hearing_hours = -2.0",
            "looking.hearing_hours",
            ">= 0",
        ),
        // The shape of waiting for the deadline: at most 100 (nearly flat beyond it).
        (
            "deadline_shape = 1.0",
            "deadline_shape = 250.0",
            "looking.deadline_shape",
            "<= 100",
        ),
        // How far the boost is limited to moves to her own app: a share.
        (
            "own_app_moves = 1.0",
            "own_app_moves = -0.5",
            "looking.own_app_moves",
            ">= 0",
        ),
        // A threshold of contacts is a whole number from 1 to 10 ...
        (
            "dormant_threshold = 1.0",
            "dormant_threshold = 2.5",
            "looking.dormant_threshold",
            "whole number",
        ),
        (
            "dormant_threshold = 1.0",
            "dormant_threshold = 0.0",
            "looking.dormant_threshold",
            ">= 1",
        ),
        // ... and no more than the contacts she has.
        (
            "dormant_contacts = 0.0\ndormant_threshold = 1.0",
            "dormant_contacts = 3.0\ndormant_threshold = 4.0",
            "looking.dormant_threshold",
            "at most looking.dormant_contacts (3)",
        ),
        // Trying a second app is a probability.
        (
            "trial_share = 0.0",
            "trial_share = 1.5",
            "choice.trial_share",
            "<= 1",
        ),
    ];
    for (line, replaced, key, words) in bad {
        assert!(text.contains(line), "params/default.toml has no `{line}`");
        std::fs::write(&params, text.replace(line, replaced)).unwrap();
        let fixture = root.join("tests/fixtures/valid-small.toml");
        refused(
            &[fixture.as_os_str(), "--params".as_ref(), params.as_os_str()],
            &["p.toml:", key, words],
        );
    }
}

/// Everyone notices a 1-hour outage at once and looks with hazard `p` during it; looking ends
/// with it (after_hours 0.001), so after it only the buzz moves anyone.
fn short_outage_with_buzz(p: f64, gain: f64, buzz_hours: f64) -> Scenario {
    let behaviour = Behaviour {
        urgency_hours: 0.0,
        after_hours: 0.001,
        buzz_gain: gain,
        buzz_hours,
        ..common::bass_behaviour(p, 0.0)
    };
    let mut s = common::bass_scenario(2_000_000, 24.0, 0.05, behaviour);
    s.timeline.output_every = 1;
    s.event.kind = EventKind::Outage {
        duration_hours: 1.0,
        announced: false,
        warning_hours: 0.0,
        uncertain_start_hours: 0.0,
        expected_hours: None,
        fallback_share: 0.0,
    };
    s
}

/// The mean-field path of the same chain: per step the noticed switch with probability
/// 1 - exp(-(L p + γ B / T_b) dt), and B <- B e^{-dt/T_b} + (1 + η ψ) (share switching in the
/// step), with ψ = S / (A + S) the share of the app's users who arrived (S switched so far, A the
/// app's active share at the start; the A active users are not among those who notice).
fn buzz_path(s: &Scenario) -> Vec<f64> {
    let b = &s.behaviour;
    let dt = s.timeline.step_hours;
    let active = s.apps[0].accounts[0].active;
    let (mut noticed, mut buzz, mut switched) = (1.0 - active, 0.0, 0.0);
    (0..s.timeline.steps)
        .map(|step| {
            let tau = (step as f64 + 0.5) * dt;
            let looking = if tau <= 1.0 {
                1.0
            } else {
                (-(tau - 1.0) / b.after_hours).exp()
            };
            let hazard = looking * b.innovation_per_hour + b.buzz_gain * buzz / b.buzz_hours;
            let moving = noticed * -(-hazard * dt).exp_m1();
            noticed -= moving;
            switched += moving;
            let novelty = switched / (active + switched);
            buzz = buzz * (-dt / b.buzz_hours).exp() + moving * (1.0 + b.buzz_novelty * novelty);
            switched
        })
        .collect()
}

/// Asserts the Monte Carlo mean of `sims`' `series` (one value per step, 20 steps an hour)
/// follows the mean-field `path` at each of `hours` within 4 SE plus 0.1%: with the buzz the
/// hazard depends on the run's own path, so the mean differs from the mean-field path by O(1/N)
/// as well as by noise.
fn assert_follows_mean_field(
    sims: &[Shares],
    series: impl Fn(&Shares) -> &[f64],
    path: &[f64],
    hours: &[usize],
) {
    for &hour in hours {
        let at = hour * 20 - 1;
        let xs: Vec<f64> = sims.iter().map(|o| series(o)[at]).collect();
        let (mean, se) = mean_and_se(&xs);
        assert!(
            (mean - path[at]).abs() < 4.0 * se + 1e-3 * path[at],
            "hour {hour}: Monte Carlo {mean:.6} vs mean field {:.6}, se {se:.2e}",
            path[at]
        );
    }
}

/// Switched shares against the mean-field path at 1, 6, 12 and 24 h.
fn assert_switching_follows_mean_field(sims: &[Shares], path: &[f64]) {
    assert_follows_mean_field(sims, |o| &o.by_step, path, &[1, 6, 12, 24]);
}

/// Each hour's new switchers of a path with 20 steps an hour, and the busiest hour after the
/// first (the outage's).
fn hourly_and_busiest_after(path: &[f64]) -> (Vec<f64>, usize) {
    let hourly: Vec<f64> = (0..24)
        .map(|h| path[h * 20 + 19] - if h == 0 { 0.0 } else { path[h * 20 - 1] })
        .collect();
    let busiest = (1..24)
        .max_by(|&a, &b| hourly[a].total_cmp(&hourly[b]))
        .unwrap();
    (hourly, busiest)
}

/// Asserts that 40 runs of `s` follow its mean-field path and that the path feeds on itself:
/// after the outage (hour 0) ends, switching grows again to a peak at least 4 hours later, over
/// 1.3 times the first hour after it. Gives the path.
fn assert_feeds_on_itself(s: &Scenario) -> Vec<f64> {
    let path = buzz_path(s);
    assert_switching_follows_mean_field(&runs(s, 40), &path);
    let (hourly, busiest) = hourly_and_busiest_after(&path);
    assert!(
        busiest >= 4 && hourly[busiest] > 1.3 * hourly[1],
        "busiest hour after the outage {busiest}: {hourly:?}"
    );
    path
}

#[test]
fn a_surge_that_feeds_on_itself_peaks_after_its_trigger_ends() {
    // Where without the buzz switching would stop once the outage ends.
    assert_feeds_on_itself(&short_outage_with_buzz(0.05, 1.5, 4.0));
    // Without the buzz (gain 0) nobody moves once looking has ended.
    let quiet = runs(&short_outage_with_buzz(0.05, 0.0, 4.0), 10);
    for o in &quiet {
        assert!(
            o.by_step[479] - o.by_step[39] < 1e-6,
            "moves after the outage"
        );
    }
}

/// The buzz's novelty (`buzz_novelty`, docs/MODEL.md §4): the same outage and the same
/// subcritical gain (0.3) bring a surge that grows after its trigger only at an app the surge
/// makes (1% of users on it before), not at one it hardly grows (50% on it before), nor with
/// novelty 0; the Monte Carlo means follow the mean-field path with novelty.
#[test]
fn a_surge_that_makes_an_app_feeds_on_itself_more_than_one_it_hardly_grows() {
    let with = |active: f64, novelty: f64| {
        let mut s = short_outage_with_buzz(0.05, 0.3, 4.0);
        s.behaviour.buzz_novelty = novelty;
        s.apps[0].accounts[0].active = active;
        s
    };
    let path = assert_feeds_on_itself(&with(0.01, 4.0));
    // With a large base, or without novelty, the echo dies away: the busiest hour after the
    // outage is the first, and a day's switchers are well below the new app's.
    for (what, s) in [
        ("large base", with(0.5, 4.0)),
        ("no novelty", with(0.01, 0.0)),
    ] {
        let other = buzz_path(&s);
        let (hourly, busiest) = hourly_and_busiest_after(&other);
        assert!(busiest == 1, "{what}: busiest hour {busiest}: {hourly:?}");
        assert!(
            other[479] < 0.5 * path[479],
            "{what}: {} vs {}",
            other[479],
            path[479]
        );
    }
    // And the Monte Carlo without novelty matches its own path (the reduction: η = 0).
    let plain = with(0.01, 0.0);
    assert_switching_follows_mean_field(&runs(&plain, 40), &buzz_path(&plain));
}

/// One app with `active` of the users on it and 30% holding a dormant account there; everyone
/// notices at once and looks with `p` = 0.002/h (no word of mouth, no news), boost 20, the boost
/// needing `threshold` of `contacts` regular contacts on the app (0 contacts = every holder
/// boosted).
fn holders_of_a_quiet_app(active: f64, contacts: f64, threshold: f64) -> Scenario {
    let behaviour = Behaviour {
        dormant_boost: 20.0,
        dormant_contacts: contacts,
        dormant_threshold: threshold,
        account_affinity: 1e6,
        ..common::bass_behaviour(0.002, 0.0)
    };
    let mut s = common::bass_scenario(1_000_000, 12.0, 0.05, behaviour);
    s.timeline.output_every = 1;
    s.apps[0].accounts[0].active = active;
    s.apps[0].accounts[0].dormant = 0.3;
    s
}

/// `P(Binomial(n, c) ≥ k)` for a whole `n`, from statrs' binomial distribution (apart from the
/// model's `at_least_contacts`, which this checks): `sf(k - 1)` is `P(X > k - 1)`.
fn binomial_at_least(n: u32, c: f64, k: u32) -> f64 {
    use statrs::distribution::{Binomial, DiscreteCDF};
    Binomial::new(c, u64::from(n)).unwrap().sf(u64::from(k - 1))
}

/// The mean-field path of the holders' returns: per step a noticed holder switches with
/// probability 1 - exp(-m p dt), m = 1 + (B - 1) P(Binomial(n, C) ≥ k) (B for n = 0), C =
/// (active + everyone who moved to the app) / N; non-holders move with p and join the app too.
fn returns_path(s: &Scenario) -> Vec<f64> {
    let b = &s.behaviour;
    let dt = s.timeline.step_hours;
    let a = &s.apps[0].accounts[0];
    let (mut holders, mut others) = (a.dormant, 1.0 - a.active - a.dormant);
    let (mut returned, mut joined) = (0.0, 0.0);
    (0..s.timeline.steps)
        .map(|_| {
            let c: f64 = a.active + returned + joined;
            let boost = if b.dormant_contacts == 0.0 {
                b.dormant_boost
            } else {
                let reach =
                    binomial_at_least(b.dormant_contacts as u32, c, b.dormant_threshold as u32);
                1.0 + (b.dormant_boost - 1.0) * reach
            };
            let back = holders * -(-boost * b.innovation_per_hour * dt).exp_m1();
            let new = others * -(-b.innovation_per_hour * dt).exp_m1();
            holders -= back;
            others -= new;
            returned += back;
            joined += new;
            returned
        })
        .collect()
}

/// The dormant boost through contacts (`looking.dormant_contacts`, docs/MODEL.md §4): holders of
/// an app few of their contacts use are pulled back far less than holders of one many use, the
/// Monte Carlo means follow the exact mean-field path of the same chain within 4 SE + 0.1% at 1,
/// 4 and 12 h, and `dormant_contacts` = 0 boosts every holder (the model before it).
#[test]
fn a_dormant_account_pulls_its_holder_back_only_through_contacts_there() {
    let mut at_12h = Vec::new();
    for (active, contacts) in [(0.01, 15.0), (0.3, 15.0), (0.01, 0.0)] {
        let s = holders_of_a_quiet_app(active, contacts, 1.0);
        let path = returns_path(&s);
        let sims = runs(&s, 30);
        assert_follows_mean_field(&sims, |o| &o.returned_by_step, &path, &[1, 4, 12]);
        at_12h.push(path[239]);
    }
    // 1% on the app: a holder's contacts are rarely there (1 - 0.99^15 = 14% at the start), so
    // far fewer return than where 30% are, or than with every holder boosted.
    assert!(at_12h[0] < 0.6 * at_12h[1], "{at_12h:?}");
    assert!(at_12h[0] < 0.6 * at_12h[2], "{at_12h:?}");
}

/// A threshold of contacts (`looking.dormant_threshold`, a complex contagion: Centola & Macy
/// 2007, docs/MODEL.md §4): with two of 15 contacts needed, the pull back to an app 3% of the
/// region uses reaches `P(Binomial(15, 0.03) ≥ 2)` = 7.3% of holders at the start against 37%
/// with one. The Monte Carlo means follow the exact mean-field path within 4 SE + 0.1% at 1, 4
/// and 12 h; at 3% on the app fewer than half as many return by 12 h as with one contact
/// needed, while where 30% use it (`P(≥ 2)` = 0.96 against 0.995) nearly as many do.
#[test]
fn a_holder_goes_back_to_a_quiet_app_only_when_enough_contacts_are_there() {
    let at_12h = |active: f64, threshold: f64| {
        let s = holders_of_a_quiet_app(active, 15.0, threshold);
        let path = returns_path(&s);
        if threshold > 1.0 {
            let sims = runs(&s, 30);
            assert_follows_mean_field(&sims, |o| &o.returned_by_step, &path, &[1, 4, 12]);
        }
        path[239]
    };
    let (quiet_two, quiet_one) = (at_12h(0.03, 2.0), at_12h(0.03, 1.0));
    assert!(quiet_two < 0.5 * quiet_one, "{quiet_two} vs {quiet_one}");
    let (busy_two, busy_one) = (at_12h(0.3, 2.0), at_12h(0.3, 1.0));
    assert!(busy_two > 0.9 * busy_one, "{busy_two} vs {busy_one}");
}

/// Trying a second app (docs/MODEL.md §5): three apps of attractiveness 1, 2 and 3 (choice
/// shares p = 1/6, 2/6, 3/6), no users on them yet, no limit. A switcher who chose `k` also
/// signs up at `j ≠ k` with probability τ·p_j/(1 - p_k), so app `j`'s registrations per switcher
/// are exactly `p_j + τ Σ_{k≠j} p_k p_j / (1 - p_k)`; the Monte Carlo means agree within 4 SE,
/// each second app is one more account (tried / switched = τ), and with one app alone τ changes
/// nothing, draw for draw.
#[test]
fn some_switchers_try_a_second_app_chosen_as_the_first_without_it() {
    let trial = 0.3;
    let mut s = common::bass_scenario(20_000, 2.0, 0.05, common::bass_behaviour(1.0, 0.0));
    s.apps[0].attractiveness = 1.0;
    for (name, a) in [("second", 2.0), ("third", 3.0)] {
        let mut app = s.apps[0].clone();
        app.name = name.into();
        app.attractiveness = a;
        s.apps.push(app);
    }
    let without = s.clone();
    s.behaviour.trial_share = trial;
    let p = [1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0];
    let engine = CohortEngine::new(&s, &s.behaviour);
    let (mut per_app, mut tried) = (vec![Vec::new(); 3], Vec::new());
    for run in 0..100 {
        let mut last = None;
        engine.run_inspecting(&RunStreams::new(37, run), &mut |_, state| {
            last = Some(state.clone())
        });
        let state = last.unwrap();
        let (region, counts) = (&state.regions[0], &state.counts.regions[0]);
        let switched = region.switched() as f64;
        tried.push(region.tried as f64 / switched);
        for (j, shares) in per_app.iter_mut().enumerate() {
            let accounts = counts.registered[j] + counts.waiting[j] + counts.abandoned[j];
            shares.push(accounts as f64 / switched);
        }
    }
    assert_within_4_se("second apps per switcher", &tried, trial);
    for (j, shares) in per_app.iter().enumerate() {
        let second: f64 = (0..3)
            .filter(|&k| k != j)
            .map(|k| p[k] * p[j] / (1.0 - p[k]))
            .sum();
        assert_within_4_se(
            &format!("app {j}'s sign-ups"),
            shares,
            p[j] + trial * second,
        );
    }
    // Without trials the three apps share the switchers by p alone.
    let registered = |s: &Scenario| runs(s, 3).into_iter().map(|o| o.by_app).collect::<Vec<_>>();
    let firsts: u64 = registered(&without).iter().flatten().sum();
    let with: u64 = registered(&s).iter().flatten().sum();
    assert!(with as f64 > 1.2 * firsts as f64, "{with} against {firsts}");
    // One app alone: nobody has a second to try, and nothing is drawn for it (the same counts).
    let mut alone = common::bass_scenario(20_000, 2.0, 0.05, common::bass_behaviour(1.0, 0.0));
    let before = registered(&alone);
    alone.behaviour.trial_share = 1.0;
    assert_eq!(registered(&alone), before);
}

/// Two apps, the second three times as attractive; 30% of users with a dormant account at the
/// first (and a near-certain preference for it, ω = 10^6), word of mouth on. Non-holders choose
/// the first with probability 1/4.
fn holders_among_two_apps(own_app_moves: f64) -> Scenario {
    let behaviour = Behaviour {
        dormant_boost: 3.0,
        account_affinity: 1e6,
        own_app_moves,
        ..common::bass_behaviour(0.002, 0.2)
    };
    let mut s = common::bass_scenario(1_000_000, 12.0, 0.05, behaviour);
    s.timeline.output_every = 1;
    s.apps[0].accounts[0].dormant = 0.3;
    let mut other = s.apps[0].clone();
    other.name = "other".into();
    other.accounts[0].dormant = 0.0;
    other.attractiveness = 3.0;
    s.apps.push(other);
    s
}

/// The exact mean-field chain of the holders' returns: per step, with `F` everyone who chose an
/// app so far and `F_0` those who chose the holders' app, a holder switches with probability
/// `1 - exp(-(m (p + q F_m) + q θ (F - F_0)) dt)`, `F_m = F_0 + (1 - θ)(F - F_0)`, and goes back
/// with probability ω / (ω + 3); a non-holder with `1 - exp(-(p + q F) dt)`, to the first app
/// with probability 1/4.
fn returns_among_two_apps_path(s: &Scenario) -> Vec<f64> {
    let b = &s.behaviour;
    let (dt, theta, w) = (s.timeline.step_hours, b.own_app_moves, b.account_affinity);
    let other = s.apps[1].attractiveness;
    let (p, q, m) = (
        b.innovation_per_hour,
        b.word_of_mouth_per_hour,
        b.dormant_boost,
    );
    let (mut holders, mut others) = (0.3, 0.7);
    let (mut returned, mut chose_own, mut chose_all) = (0.0, 0.0, 0.0);
    (0..s.timeline.steps)
        .map(|_| {
            let elsewhere = chose_all - chose_own;
            let boosted = chose_own + (1.0 - theta) * elsewhere;
            let hazard = m * (p + q * boosted) + q * theta * elsewhere;
            let moving = holders * -(-hazard * dt).exp_m1();
            let new = others * -(-(p + q * chose_all) * dt).exp_m1();
            holders -= moving;
            others -= new;
            let back = moving * w / (w + other);
            returned += back;
            chose_own += back + new / (1.0 + other);
            chose_all += moving + new;
            returned
        })
        .collect()
}

/// Moves to her own app (`looking.own_app_moves`, docs/MODEL.md §4): a holder's boosted word of
/// mouth counts only the moves to her app, the rest reaches her as anyone's. The Monte Carlo
/// returns of 30 runs follow the exact chain within 4 SE + 0.1% at 1, 4 and 12 h for θ = 1 and
/// θ = 0; at 12 h θ = 1 brings back under 0.8 times as many (0.72 exactly: three quarters of the
/// newcomers' moves go elsewhere); with one app alone θ changes nothing, draw for draw.
#[test]
fn a_holder_is_pulled_back_by_moves_to_her_own_app_not_to_others() {
    let mut at_12h = Vec::new();
    for theta in [1.0, 0.0] {
        let s = holders_among_two_apps(theta);
        let path = returns_among_two_apps_path(&s);
        assert_follows_mean_field(&runs(&s, 30), |o| &o.returned_by_step, &path, &[1, 4, 12]);
        at_12h.push(path[239]);
    }
    assert!(at_12h[0] < 0.8 * at_12h[1], "{at_12h:?}");
    let mut alone = holders_of_a_quiet_app(0.01, 0.0, 1.0);
    alone.behaviour.word_of_mouth_per_hour = 0.05;
    let before: Vec<Vec<f64>> = runs(&alone, 3)
        .into_iter()
        .map(|o| o.returned_by_step)
        .collect();
    alone.behaviour.own_app_moves = 1.0;
    let after: Vec<Vec<f64>> = runs(&alone, 3)
        .into_iter()
        .map(|o| o.returned_by_step)
        .collect();
    assert_eq!(before, after);
}
