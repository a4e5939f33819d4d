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
}

impl Buzz {
    /// No buzz yet, for regions of `users` users (or agents) each and `apps` apps.
    pub fn new(users: impl IntoIterator<Item = u64>, apps: usize) -> Self {
        let users: Vec<f64> = users.into_iter().map(|n| n.max(1) as f64).collect();
        let cells = users.len() * apps;
        Buzz {
            apps,
            users,
            level: vec![0.0; cells],
            pending: vec![0; cells],
        }
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

    /// Ends a step of `dt` hours: `B ← B e^{-dt/T_b} + (switchers of the step) / N_r`.
    pub fn end_step(&mut self, b: &Behaviour, dt: f64) {
        let decay = (-dt / b.buzz_hours).exp();
        for (i, (level, pending)) in self.level.iter_mut().zip(&mut self.pending).enumerate() {
            let n = self.users[i / self.apps];
            *level = *level * decay + std::mem::take(pending) as f64 / n;
            if b.buzz_gain * *level / b.buzz_hours < NEGLIGIBLE {
                *level = 0.0;
            }
        }
    }
}

/// Turns a holding's choice weights into the probabilities of the choice once the news and the
/// buzz lead some of its switchers (docs/MODEL.md §4-§5): the event's news leads `event_led` of
/// them to the named shares `named` (empty when the news names no app), the buzz `buzz_led` to
/// its shares `buzz`. Without buzz this is `follow_named` exactly (the model before the buzz);
/// `combined` is scratch for the mixed shares.
pub fn follow_news_and_buzz(
    weights: &mut [f64],
    named: &[f64],
    event_led: f64,
    buzz: &[f64],
    buzz_led: f64,
    combined: &mut [f64],
) {
    if buzz_led > 0.0 {
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
    fn buzz_is_recent_switchers_decaying_and_sends_users_where_they_went() {
        let mut z = Buzz::new([1000, 1000], 2);
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
}
