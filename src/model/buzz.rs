//! The migration as news: a surge that feeds on itself (docs/MODEL.md §4, "Buzz").
//!
//! Switchers make news ("millions join Telegram"), lift the app up the store charts, and tell
//! their contacts; each of these makes more people look. This is a self-exciting (Hawkes 1971,
//! Biometrika 58:83) intensity with an exponential kernel: per region `r` and app `k`,
//!
//! `B_{r,k}(t) = Σ_{switches at s < t} e^{-(t-s)/T_b} / N_r`,
//!
//! the region's recent switchers to `k` as a share of its users, and every user who noticed an
//! event looks with the extra hazard `γ · Σ_k B_{r,k} / T_b` per hour: `γ` times the region's
//! recent switching rate. One switcher so brings, in expectation, `γ` times the share of the
//! region still able to switch more switchers (the branching ratio; Helmstetter & Sornette 2002,
//! J. Geophys. Res. 107:2237; Crane & Sornette 2008, PNAS 105:15649, for bursts of attention).
//! Users led by it choose app `k` in proportion to `B_{r,k}`: the app in the news and at the top
//! of its country's chart (chart rank drives downloads: Garg & Telang 2013, MIS Quarterly
//! 37:1253; Carare 2012, Int. Econ. Review 53:717). With `γ = 0` nothing here is used and the
//! model is exactly the one without it.
//!
//! A surge is news, and climbs the chart, in proportion to how much it grows the app there, not
//! to its size alone: a million joining an app with a hundred million users in the country is a
//! blip at the top of a chart it already tops, a million joining one with ten thousand is "the
//! app everyone is joining" and a jump from outside the chart to its top (the #1 app gets about
//! 150 times the downloads of the #200: Garg & Telang 2013). So each switcher to `k` adds
//! `(1 + η ψ_{r,k}) / N_r` to `B_{r,k}`, where `ψ_{r,k} = S_{r,k} / (A_{r,k} + S_{r,k})` is the
//! share of the app's users in the region who arrived in this run (`S` switchers so far, `A` its
//! active users at the start) and `η` the buzz's novelty (`looking.buzz_novelty`): the branching
//! ratio runs from `γ` for an app the surge hardly grows to `γ(1 + η)` for one it makes. With
//! `η = 0` every level is exactly the one without it.

use super::Behaviour;
use super::switching::follow_named;

/// Below this buzz hazard (per hour) the buzz is dropped, so that a region where nothing moves is
/// skipped again instead of decaying forever (1e-15 of a user an hour, per user).
const NEGLIGIBLE: f64 = 1e-15;

/// The buzz of every region and app in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Buzz {
    apps: usize,
    /// Per region: its users (or agents), the denominator of `B`.
    users: Vec<f64>,
    /// Per region, then per app: `B_{r,k}` as of the start of the step.
    level: Vec<f64>,
    /// Per region, then per app: switchers of the current step.
    pending: Vec<u64>,
    /// Per region, then per app: `A_{r,k}`, the app's active users (or agents) at the start.
    base: Vec<f64>,
    /// Per region, then per app: `S_{r,k}`, its switchers so far in the run.
    arrived: Vec<f64>,
}

impl Buzz {
    /// No buzz yet, for regions of `users` users (or agents) each and `apps` apps, each app
    /// with the share `active(r, k)` of region `r`'s users active on it at the start.
    pub fn new(
        users: impl IntoIterator<Item = u64>,
        apps: usize,
        active: impl Fn(usize, usize) -> f64,
    ) -> Self {
        let users: Vec<f64> = users.into_iter().map(|n| n.max(1) as f64).collect();
        let cells = users.len() * apps;
        let base = (0..cells)
            .map(|i| active(i / apps, i % apps) * users[i / apps])
            .collect();
        Buzz {
            apps,
            users,
            level: vec![0.0; cells],
            pending: vec![0; cells],
            base,
            arrived: vec![0.0; cells],
        }
    }

    /// `ψ_{r,k}` once `more` further switchers have arrived in region `r` at app `k`.
    fn novelty(&self, cell: usize, more: f64) -> f64 {
        let arrived = self.arrived[cell] + more;
        if arrived > 0.0 {
            arrived / (self.base[cell] + arrived)
        } else {
            0.0
        }
    }

    /// The most a switcher of region `r` can add to its buzz hazard per unit share of its users
    /// (`γ (1 + η ψ)` at the app where it is largest), once up to `moving` more users switch to
    /// any app; `γ` exactly without novelty. For the adaptive step rule's bound.
    pub fn gain_bound(&self, b: &Behaviour, r: usize, moving: f64) -> f64 {
        if b.buzz_novelty == 0.0 {
            return b.buzz_gain;
        }
        let most = (r * self.apps..(r + 1) * self.apps)
            .map(|cell| self.novelty(cell, moving))
            .fold(0.0, f64::max);
        b.buzz_gain * (1.0 + b.buzz_novelty * most)
    }

    /// `γ · Σ_k B_{r,k} / T_b`: the extra looking hazard per hour of a region's noticed users.
    pub fn hazard(&self, b: &Behaviour, r: usize) -> f64 {
        if b.buzz_gain == 0.0 {
            return 0.0;
        }
        let total: f64 = self.level[r * self.apps..(r + 1) * self.apps].iter().sum();
        b.buzz_gain * total / b.buzz_hours
    }

    /// Each app's share of region `r`'s buzz (where the buzz sends the users it leads); all 0
    /// when there is none.
    pub fn shares(&self, r: usize, out: &mut [f64]) {
        let level = &self.level[r * self.apps..(r + 1) * self.apps];
        let total: f64 = level.iter().sum();
        for (o, l) in out.iter_mut().zip(level) {
            *o = if total > 0.0 { l / total } else { 0.0 };
        }
    }

    /// Counts `n` switchers of region `r` to app `k` in this step.
    pub fn record(&mut self, r: usize, k: usize, n: u64) {
        self.pending[r * self.apps + k] += n;
    }

    /// Ends a step of `dt` hours: `B ← B e^{-dt/T_b} + (1 + η ψ) (switchers of the step) / N_r`,
    /// with `ψ` counting the step's switchers as arrived.
    pub fn end_step(&mut self, b: &Behaviour, dt: f64) {
        let decay = (-dt / b.buzz_hours).exp();
        for i in 0..self.level.len() {
            let n = self.users[i / self.apps];
            let switchers = std::mem::take(&mut self.pending[i]) as f64;
            self.arrived[i] += switchers;
            // Without novelty the level is the buzz's before it, bit for bit.
            let added = if b.buzz_novelty == 0.0 {
                switchers / n
            } else {
                switchers * (1.0 + b.buzz_novelty * self.novelty(i, 0.0)) / n
            };
            let level = &mut self.level[i];
            *level = *level * decay + added;
            if b.buzz_gain * *level / b.buzz_hours < NEGLIGIBLE {
                *level = 0.0;
            }
        }
    }
}

/// Turns a holding's choice weights into the probabilities of the choice once the news and the
/// buzz lead some of its switchers (docs/MODEL.md §4-§5): the event's news leads `event_led` of
/// them to the named shares `named` (empty when the news names no app), the buzz `buzz_led` to
/// its shares `buzz`, and a naming with a reach (`advertised`, `a_k = Σ ρ·s_k`; empty when none)
/// sends `a_k` of the rest to app `k` whatever led them to look:
/// `P_k = φ_e n_k + φ_b b_k + (1 - φ_e - φ_b) a_k + (1 - φ_e N - φ_b - (1 - φ_e - φ_b) A) w_k / W`
/// (a promotion's choice effect on every buyer, beside its effect on who buys: Gupta 1988,
/// J. Marketing Research 25:342). Without buzz and reach this is `follow_named` exactly (the
/// model before them); `combined` is scratch for the mixed shares.
pub fn follow_news_and_buzz(
    weights: &mut [f64],
    named: &[f64],
    event_led: f64,
    buzz: &[f64],
    buzz_led: f64,
    advertised: &[f64],
    combined: &mut [f64],
) {
    if !advertised.is_empty() && event_led + buzz_led < 1.0 {
        let reached = 1.0 - event_led - buzz_led;
        for (k, c) in combined.iter_mut().enumerate() {
            let by_buzz = if buzz_led > 0.0 {
                buzz_led * buzz[k]
            } else {
                0.0
            };
            let by_news = event_led * named.get(k).copied().unwrap_or(0.0);
            *c = by_news + by_buzz + reached * advertised[k];
        }
        // Every switcher's probability of being led to each app is in `combined`: the rest
        // choose by the weights.
        follow_named(weights, combined, 1.0);
    } else if buzz_led > 0.0 {
        let led = led_by_news_and_buzz(named, event_led, buzz, buzz_led, combined);
        follow_named(weights, combined, led);
    } else if !named.is_empty() {
        follow_named(weights, named, event_led);
    }
}

/// The news-led shares of a holding's switchers once the buzz leads some of them (docs/MODEL.md
/// §4-§5): the event's news leads `event_led` of them to its named shares `named`, the buzz
/// leads `buzz_led` to its shares `buzz`; returns the combined share led and writes the combined
/// named shares (`(φ_e n_k + φ_b s_k) / (φ_e + φ_b)`) into `out`, so that `follow_named` with
/// them gives `P_k = φ_e n_k + φ_b s_k + (1 - φ_e Σ n - φ_b) w_k / W`.
fn led_by_news_and_buzz(
    named: &[f64],
    event_led: f64,
    buzz: &[f64],
    buzz_led: f64,
    out: &mut [f64],
) -> f64 {
    let led = event_led + buzz_led;
    for (k, o) in out.iter_mut().enumerate() {
        let n = named.get(k).copied().unwrap_or(0.0);
        *o = if led > 0.0 {
            (event_led * n + buzz_led * buzz[k]) / led
        } else {
            0.0
        };
    }
    led.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(gain: f64) -> Behaviour {
        Behaviour {
            buzz_gain: gain,
            buzz_hours: 10.0,
            ..Behaviour::for_tests()
        }
    }

    #[test]
    fn a_surge_that_makes_an_app_adds_more_buzz_than_one_it_hardly_grows() {
        // Region of 1000 users: app 0 has 500 active, app 1 none.
        let active = |_: usize, k: usize| if k == 0 { 0.5 } else { 0.0 };
        let novel = Behaviour {
            buzz_novelty: 4.0,
            ..b(0.5)
        };
        let mut z = Buzz::new([1000], 2, active);
        z.record(0, 0, 100);
        z.record(0, 1, 100);
        z.end_step(&novel, 1.0);
        // ψ = 100/600 at app 0 and 1 at app 1: levels 0.1 (1 + 4/6) and 0.1 (1 + 4).
        let mut s = [0.0; 2];
        z.shares(0, &mut s);
        let (old, new) = (0.1 * (1.0 + 4.0 / 6.0), 0.1 * 5.0);
        assert!((s[1] - new / (old + new)).abs() < 1e-12, "{s:?}");
        assert!((z.hazard(&novel, 0) - 0.5 * (old + new) / 10.0).abs() < 1e-12);
        // The bound of the adaptive rule: the app the surge makes, after 100 more.
        assert!((z.gain_bound(&novel, 0, 100.0) - 0.5 * 5.0).abs() < 1e-12);
        assert!(
            (z.gain_bound(&novel, 0, 0.0) - 0.5 * 5.0).abs() < 1e-12,
            "app 1 is wholly new already"
        );
        // Without novelty the level is the plain count, bit for bit, and the bound is γ.
        let mut plain = Buzz::new([1000], 2, active);
        plain.record(0, 0, 100);
        plain.record(0, 1, 100);
        plain.end_step(&b(0.5), 1.0);
        assert_eq!(plain.hazard(&b(0.5), 0), 0.5 * (0.1 + 0.1) / 10.0);
        assert_eq!(plain.gain_bound(&b(0.5), 0, 1e6), 0.5);
    }

    #[test]
    fn buzz_is_recent_switchers_decaying_and_sends_users_where_they_went() {
        let mut z = Buzz::new([1000, 1000], 2, |_, _| 0.1);
        z.record(0, 1, 300);
        z.record(0, 0, 100);
        z.end_step(&b(0.5), 1.0);
        // B = 0.1 and 0.3 of region 0's users; hazard 0.5 * 0.4 / 10.
        assert!((z.hazard(&b(0.5), 0) - 0.02).abs() < 1e-15);
        assert_eq!(z.hazard(&b(0.5), 1), 0.0);
        assert_eq!(z.hazard(&b(0.0), 0), 0.0);
        let mut s = [0.0; 2];
        z.shares(0, &mut s);
        assert!((s[0] - 0.25).abs() < 1e-15 && (s[1] - 0.75).abs() < 1e-15);
        z.end_step(&b(0.5), 10.0);
        assert!((z.hazard(&b(0.5), 0) - 0.02 * (-1.0f64).exp()).abs() < 1e-15);
        // The combined news-led shares: event 0.2 to app 0, buzz 0.3 by its shares.
        let mut out = [0.0; 2];
        let led = led_by_news_and_buzz(&[1.0, 0.0], 0.2, &s, 0.3, &mut out);
        assert!((led - 0.5).abs() < 1e-15);
        assert!((out[0] - (0.2 + 0.3 * 0.25) / 0.5).abs() < 1e-15);
    }

    #[test]
    fn a_naming_with_reach_leads_the_switchers_news_and_buzz_did_not() {
        // Weights 1 and 3; the news leads 0.2 (half of them to app 0), the buzz 0.1 (all to
        // app 1), and an advertisement sends 0.3 of the other 0.7 to app 0:
        // P_0 = 0.1 + 0.21 + 0.59 * 0.25, P_1 = 0.1 + 0.59 * 0.75 (docs/MODEL.md §5).
        let (named, buzz, advertised) = ([0.5, 0.0], [0.0, 1.0], [0.3, 0.0]);
        let mut w = [1.0, 3.0];
        let mut scratch = [0.0; 2];
        follow_news_and_buzz(&mut w, &named, 0.2, &buzz, 0.1, &advertised, &mut scratch);
        assert!((w[0] - (0.1 + 0.21 + 0.59 * 0.25)).abs() < 1e-15, "{w:?}");
        assert!((w[1] - (0.1 + 0.59 * 0.75)).abs() < 1e-15, "{w:?}");
        // Without reach (no advertised shares) it is the news and the buzz alone, bit for bit.
        let (mut with, mut without) = ([1.0, 3.0], [1.0, 3.0]);
        follow_news_and_buzz(&mut with, &named, 0.2, &buzz, 0.1, &[], &mut scratch);
        let led = led_by_news_and_buzz(&named, 0.2, &buzz, 0.1, &mut scratch);
        follow_named(&mut without, &scratch, led);
        assert_eq!(with, without);
    }
}
