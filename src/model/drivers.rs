//! Event drivers per time step: who can notice the event, how urgently the ones who noticed
//! look, and how much news coverage there is (the equations; `engine::schedule` applies them
//! to a scenario once per parameter set).

use super::Behaviour;
use super::rhythm::open_hazard;

/// Drivers for one time step (a view into a [`Schedule`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepDrivers<'a> {
    /// Per region: hazard (per hour) that an unaware user notices the event in this step.
    pub notice_rate: &'a [f64],
    /// Per region: looking intensity L(t) times the region's severity; multiplies the whole
    /// looking hazard (0 once service returns).
    pub looking: &'a [f64],
    /// Per region: M(t) in [0, 1], news coverage (with several events, their M weighted by
    /// each one's looking intensity, so the looking hazard is the sum of theirs).
    pub news: &'a [f64],
    /// Per region, then per app: the share of news-led switchers the news sends to each app
    /// (docs/MODEL.md §5); empty when the news names no app.
    named: &'a [f64],
    /// Per region, then per app: the share of every switcher (whatever led her to look) that a
    /// naming with reach sends to each app, `Σ ρ·s_k` (docs/MODEL.md §5); empty when no app is
    /// named with a reach.
    advertised: &'a [f64],
    /// Per app: the share of its service that works (1 - severity while it is down); empty
    /// when no app goes down.
    pub up: &'a [f64],
}

impl<'a> StepDrivers<'a> {
    /// Region `r`'s named share per app; empty when the news names no app.
    pub fn named(&self, r: usize) -> &'a [f64] {
        let apps = self.named.len() / self.looking.len().max(1);
        &self.named[r * apps..(r + 1) * apps]
    }

    /// Region `r`'s advertised share per app (`Σ ρ·s_k`); empty when no app is named with a
    /// reach.
    pub fn advertised(&self, r: usize) -> &'a [f64] {
        let apps = self.advertised.len() / self.looking.len().max(1);
        &self.advertised[r * apps..(r + 1) * apps]
    }

    /// The share of app `k`'s service that works in this step.
    pub fn up(&self, k: usize) -> f64 {
        self.up.get(k).copied().unwrap_or(1.0)
    }
}

/// The drivers of every step, stored step-major in flat vectors (a few allocations per
/// parameter set instead of some per step: a posterior run builds its own).
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    regions: usize,
    steps: usize,
    notice_rate: Vec<f64>,
    looking: Vec<f64>,
    news: Vec<f64>,
    /// Region-and-app entries per step in `named` (0 when the news names none).
    named_width: usize,
    named: Vec<f64>,
    /// Region-and-app entries per step in `advertised` (0 when no app is named with a reach).
    advertised_width: usize,
    advertised: Vec<f64>,
    /// Apps per step in `up` (0 when no app goes down).
    apps_up: usize,
    up: Vec<f64>,
}

/// A joined step's drivers (`Schedule::over`), owned so they can be viewed as one step's.
#[derive(Debug, Clone, Default)]
pub struct JoinedDrivers {
    notice_rate: Vec<f64>,
    looking: Vec<f64>,
    news: Vec<f64>,
}

impl Schedule {
    /// An empty schedule for `regions` regions with room for `steps` steps.
    pub fn with_capacity(regions: usize, steps: usize) -> Self {
        Schedule {
            regions,
            steps: 0,
            notice_rate: Vec::with_capacity(regions * steps),
            looking: Vec::with_capacity(regions * steps),
            news: Vec::with_capacity(regions * steps),
            named_width: 0,
            named: Vec::new(),
            advertised_width: 0,
            advertised: Vec::new(),
            apps_up: 0,
            up: Vec::new(),
        }
    }

    /// Appends the next step's named shares (per region, then per app); either every step has
    /// them or none.
    pub fn push_named(&mut self, shares: &[f64]) {
        self.named_width = shares.len();
        self.named.extend_from_slice(shares);
        debug_assert_eq!(self.named.len(), self.steps * self.named_width);
    }

    /// Appends the next step's advertised shares (per region, then per app); either every step
    /// has them or none.
    pub fn push_advertised(&mut self, shares: &[f64]) {
        self.advertised_width = shares.len();
        self.advertised.extend_from_slice(shares);
        debug_assert_eq!(self.advertised.len(), self.steps * self.advertised_width);
    }

    /// Appends the next step's share of each app's service that works; either every step has
    /// them or none.
    pub fn push_up(&mut self, up: &[f64]) {
        self.apps_up = up.len();
        self.up.extend_from_slice(up);
        debug_assert_eq!(self.up.len(), self.steps * self.apps_up);
    }

    /// Appends the next step's drivers (each one per region).
    pub fn push(
        &mut self,
        notice_rate: impl IntoIterator<Item = f64>,
        looking: impl IntoIterator<Item = f64>,
        news: impl IntoIterator<Item = f64>,
    ) {
        self.notice_rate.extend(notice_rate);
        self.looking.extend(looking);
        self.news.extend(news);
        self.steps += 1;
        debug_assert_eq!(self.notice_rate.len(), self.steps * self.regions);
        debug_assert_eq!(self.looking.len(), self.steps * self.regions);
        debug_assert_eq!(self.news.len(), self.steps * self.regions);
    }

    /// Steps scheduled.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Every step's drivers, in order.
    pub fn iter(&self) -> impl Iterator<Item = StepDrivers<'_>> {
        (0..self.steps()).map(|s| self.at(s))
    }

    /// The mean share of app `k`'s service that works over `steps` (1 when no app goes down):
    /// what scales its organic sign-ups over an output interval.
    pub fn up_over(&self, steps: std::ops::RangeInclusive<usize>, k: usize) -> f64 {
        if self.apps_up == 0 {
            return 1.0;
        }
        let n = steps.clone().count() as f64;
        steps.map(|s| self.up[s * self.apps_up + k]).sum::<f64>() / n
    }

    /// The drivers of steps `start..start + len` joined into one step of `len` times the
    /// length (the adaptive rule, docs/MODEL.md §1): per region the mean noticing rate and
    /// looking intensity, so that a hazard summed over the steps is the joined step's hazard
    /// times its length, and the news weighted by the looking it leads, so that the news-led
    /// part of the looking sums the same way. The named shares and the services' state are those
    /// of the first step (the rule joins steps only where they do not change). One step is
    /// [`Schedule::at`] exactly.
    pub fn over<'a>(
        &'a self,
        start: usize,
        len: usize,
        joined: &'a mut JoinedDrivers,
    ) -> StepDrivers<'a> {
        if len == 1 {
            return self.at(start);
        }
        // Summed over the span directly: a joined step spans at most an output interval.
        let n = len as f64;
        joined.notice_rate.clear();
        joined.looking.clear();
        joined.news.clear();
        for r in 0..self.regions {
            let at = |s: usize| s * self.regions + r;
            let (mut notice, mut looking, mut looking_news) = (0.0, 0.0, 0.0);
            for i in (start..start + len).map(at) {
                notice += self.notice_rate[i];
                looking += self.looking[i];
                looking_news += self.looking[i] * self.news[i];
            }
            joined.notice_rate.push(notice / n);
            joined.looking.push(looking / n);
            joined.news.push(if looking > 0.0 {
                (looking_news / looking).clamp(0.0, 1.0)
            } else {
                self.news[at(start)]
            });
        }
        let first = self.at(start);
        StepDrivers {
            notice_rate: &joined.notice_rate,
            looking: &joined.looking,
            news: &joined.news,
            named: first.named,
            advertised: first.advertised,
            up: first.up,
        }
    }

    /// Whether the named and advertised shares and the services' state are the same in every
    /// step of `start..start + len` (steps are joined only where they are).
    pub fn steady(&self, start: usize, len: usize) -> bool {
        let same = |v: &[f64], width: usize| {
            let first = &v[start * width..(start + 1) * width];
            (start + 1..start + len).all(|s| &v[s * width..(s + 1) * width] == first)
        };
        same(&self.named, self.named_width)
            && same(&self.advertised, self.advertised_width)
            && same(&self.up, self.apps_up)
    }

    /// The drivers of `step`.
    pub fn at(&self, step: usize) -> StepDrivers<'_> {
        let regions = step * self.regions..(step + 1) * self.regions;
        StepDrivers {
            notice_rate: &self.notice_rate[regions.clone()],
            looking: &self.looking[regions.clone()],
            news: &self.news[regions],
            named: &self.named[step * self.named_width..(step + 1) * self.named_width],
            advertised: &self.advertised
                [step * self.advertised_width..(step + 1) * self.advertised_width],
            up: &self.up[step * self.apps_up..(step + 1) * self.apps_up],
        }
    }
}

/// What users were told of an announced block: how long they expected it to last (its stated
/// length, which a block cut short or a threat never carried out need not match) and the window
/// before its start in which they feared it (0: a known start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Announcement {
    pub expected_hours: f64,
    pub uncertain_start_hours: f64,
}

/// L(t) and M(t) for an outage at `tau` hours after it began (`duration` long). Urgency is
/// 1 - exp(-E / T_u) with E the cut a user expects: the time it has lasted (tau), or for an
/// `announced` outage the time it still has to run by what was announced (D_e - tau, D_e its
/// expected length); after service returns, looking fades from where it was as
/// exp(-(tau - D) / T_after).
///
/// News that leads users to move (M) is a story that tells them to: an announced block's (the
/// order and its alternatives were the story, at full from the start, fading as
/// exp(-(tau - D) / T_decay) once it ends), not an unannounced outage's, whose story is that the
/// service is down and being fixed (M = 0; docs/MODEL.md §4 gives the evidence).
///
/// Before an announced block starts (tau < 0), looking is discounted by the deadline factor
/// (`deadline_factor`; 1 when T_d = 0): people put off what can wait until the deadline, or doubt
/// it will come (present bias: O'Donoghue & Rabin 1999, AER 89:103; deadlines: Ariely &
/// Wertenbroch 2002, Psych. Science 13:219).
pub fn outage_drivers(
    b: &Behaviour,
    tau: f64,
    duration: f64,
    announced: Option<Announcement>,
) -> (f64, f64) {
    let news = if announced.is_some() { 1.0 } else { 0.0 };
    // Urgency grows with the cut the user expects: for an outage of unknown length, the time it
    // has already lasted (a long outage is expected to go on); for an announced one, the time it
    // still has to run.
    let urgency = |t: f64| {
        // Before an announced block starts (t < 0, after its announcement) the whole of it lies
        // ahead. A block that outlasts the length announced is, from then on, an outage of
        // unknown length: the cut expected is the time it has lasted.
        let expected = match announced {
            Some(a) if t <= a.expected_hours => a.expected_hours - t.max(0.0),
            _ => t,
        };
        if b.urgency_hours == 0.0 {
            1.0
        } else {
            -(-expected.max(0.0) / b.urgency_hours).exp_m1()
        }
    };
    match announced {
        Some(a) if tau < 0.0 && b.deadline_hours > 0.0 => (
            urgency(tau) * deadline_factor(tau, b, a.uncertain_start_hours),
            news,
        ),
        _ if tau <= duration => (urgency(tau), news),
        _ => {
            let after = tau - duration;
            (
                urgency(duration) * (-after / b.after_hours).exp(),
                news * (-after / b.news_decay_hours).exp(),
            )
        }
    }
}

/// How much of its urgency a user acts on with `delay` hours still to the deadline: the
/// generalized hyperbola (1 + κ d / T_d)^(-1/κ) (Loewenstein & Prelec 1992, QJE 107:573), with
/// κ = `shape`: 0 the exponential exp(-d/T_d), 1 the hyperbola 1/(1 + d/T_d) of present bias
/// (Mazur 1987; Ainslie 1975), above 1 the flatter hyperboloids people show (Green & Myerson
/// 2004, Psych. Bulletin 130:769).
fn waiting(delay: f64, t_d: f64, shape: f64) -> f64 {
    if shape == 0.0 {
        (-delay / t_d).exp()
    } else {
        (-(shape * delay / t_d).ln_1p() / shape).exp()
    }
}

/// The integral of `waiting` over delays 0 to `x`: T_d (1 - e^(-x/T_d)) for κ = 0,
/// T_d ln(1 + x/T_d) for κ = 1, T_d ((1 + κ x/T_d)^((κ-1)/κ) - 1)/(κ - 1) otherwise (written with
/// ln_1p and exp_m1, so that it is continuous in κ to rounding).
fn waited(x: f64, t_d: f64, shape: f64) -> f64 {
    if shape == 0.0 {
        -t_d * (-x / t_d).exp_m1()
    } else if shape == 1.0 {
        t_d * (x / t_d).ln_1p()
    } else {
        let log_u = (shape * x / t_d).ln_1p();
        t_d * ((shape - 1.0) / shape * log_u).exp_m1() / (shape - 1.0)
    }
}

/// The deadline factor at `tau` hours before an announced block (tau < 0) with waiting time
/// `T_d` (`deadline_hours` > 0) and shape κ (`deadline_shape`): `waiting(-tau)` for a known start
/// (exp(tau / T_d) when κ = 0). When people expected it any time in the `W` hours before its
/// start (`uncertain_start`, the start they fear S' uniform on [-W, 0]), the factor is the
/// expectation of the known-start factor over S' (1 once S' is past); with `F` the integral of
/// `waiting` (`waited`):
///
/// - tau <= -W: (F(-tau) - F(-tau - W)) / W;
/// - -W < tau < 0: ((tau + W) + F(-tau)) / W,
///
/// which is continuous, reaches 1 at the start and tends to the known start's as W -> 0
/// (docs/MODEL.md §4, "An uncertain start"). The block that might come at any moment is acted on
/// sooner: the deadline people wait for is the earliest they fear, spread over the window.
pub fn deadline_factor(tau: f64, b: &Behaviour, uncertain_start: f64) -> f64 {
    let (t_d, shape, w) = (b.deadline_hours, b.deadline_shape, uncertain_start);
    if tau >= 0.0 {
        1.0
    } else if w <= 0.0 {
        waiting(-tau, t_d, shape)
    } else if shape == 0.0 && tau <= -w {
        // exp(tau/T) (exp(W/T) - 1) T / W, written with exp_m1 so that a window short against
        // T_d loses no digits.
        (t_d / w) * (tau / t_d).exp() * (w / t_d).exp_m1()
    } else if tau <= -w {
        (waited(-tau, t_d, shape) - waited(-tau - w, t_d, shape)) / w
    } else {
        ((tau + w) + waited(-tau, t_d, shape)) / w
    }
}

/// The share of a region's users who cannot reach their contacts another way during an outage:
/// `need = (1 - e)(1 - f)` with `e` the share reachable elsewhere and `f` the event's fallback
/// share (a service of the family that stays up). A trust shock takes nothing away: need 1
/// (`fallback_share` None). docs/MODEL.md §4.
pub fn need(reachable_elsewhere: f64, fallback_share: Option<f64>) -> f64 {
    match fallback_share {
        Some(f) => (1.0 - reachable_elsewhere) * (1.0 - f),
        None => 1.0,
    }
}

/// L(t) and M(t) of a trust shock: the surveyed share `w` of users who want to move, pushed by
/// the dated coverage index `I(t)`; the story is the whole event, so everyone who looks is led
/// by the news (M = 1, and I enters once). docs/MODEL.md §4.
pub fn trust_shock_drivers(wanting_to_move: f64, coverage: f64) -> (f64, f64) {
    (wanting_to_move * coverage, 1.0)
}

/// Share of a step that lies inside an outage `duration` hours long, for a step starting
/// `step_start` hours after it began and lasting `dt` hours.
pub fn exposure(duration: f64, step_start: f64, dt: f64) -> f64 {
    ((duration - step_start) / dt).clamp(0.0, 1.0)
}

/// How an event reaches the users it affects: by trying the app (an unannounced outage, a trust
/// shock's in-app notice), or also by the news of an announced block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reach {
    /// Users notice when they try the app.
    Trying,
    /// An announced block: users hear the news with hazard 1/T_h from the announcement
    /// (`hearing_hours`; T_h = 0: everyone at once), and once the block has `started`, also
    /// notice when they try the app.
    Announced { hearing_hours: f64, started: bool },
}

/// Noticing hazard per hour (docs/MODEL.md §3): `ν_r = σ_r · c(t) · o_r(t)`, severity times the
/// share of the step inside the outage times the hazard of opening the app, whose share of
/// users opening it in this local hour is `opening_share`. An announced block adds the news's
/// hearing hazard `1/T_h` from its announcement (a constant hazard: the share who have heard
/// grows as 1 - exp(-t/T_h), the mass-media term of news diffusion models, Funkhouser & McCombs
/// 1971, Public Opinion Quarterly 35:107); with T_h = 0 it is infinite (everyone knows at once).
pub fn notice_rate(severity: f64, exposure: f64, opening_share: f64, reach: Reach) -> f64 {
    if exposure == 0.0 || severity == 0.0 {
        return 0.0;
    }
    let trying = severity * exposure * open_hazard(opening_share);
    match reach {
        Reach::Trying => trying,
        Reach::Announced {
            hearing_hours: 0.0, ..
        } => f64::INFINITY,
        Reach::Announced {
            hearing_hours,
            started,
        } => severity / hearing_hours + if started { trying } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behaviour() -> Behaviour {
        Behaviour::for_tests()
    }

    /// A block announced as lasting `hours`, feared in the `window` before its start.
    fn announced(hours: f64, window: f64) -> Option<Announcement> {
        Some(Announcement {
            expected_hours: hours,
            uncertain_start_hours: window,
        })
    }

    #[test]
    fn looking_fades_after_service_returns_and_news_fades() {
        let b = behaviour();
        let (l_in, m_in) = outage_drivers(&b, 5.9, 6.0, None);
        let (l_out, m_out) = outage_drivers(&b, 8.0, 6.0, None);
        let end = -(-6.0f64).exp_m1();
        assert!(l_in > 0.99);
        assert!((l_out - end * (-1.0f64).exp()).abs() < 1e-12, "{l_out}");
        // An unannounced outage's news does not lead anyone to move, during it or after.
        assert_eq!((m_in, m_out), (0.0, 0.0));
        // An announced block's does, at full while it lasts, fading as exp(-(tau - D) / T_decay).
        assert_eq!(outage_drivers(&b, 5.9, 6.0, announced(6.0, 0.0)).1, 1.0);
        let (_, m_after) = outage_drivers(&b, 8.0, 6.0, announced(6.0, 0.0));
        assert!((m_after - (-0.5f64).exp()).abs() < 1e-12);
        let (long_after, _) = outage_drivers(&b, 60.0, 6.0, None);
        assert!(long_after < 1e-10);
    }

    #[test]
    fn announced_outages_are_urgent_at_once_and_less_so_near_their_end() {
        let b = behaviour();
        assert!(outage_drivers(&b, 0.05, 6.0, None).0 < 0.05);
        let (start, news) = outage_drivers(&b, 0.05, 48.0, announced(48.0, 0.0));
        assert!(start > 0.999 && news == 1.0);
        let (near_end, _) = outage_drivers(&b, 47.5, 48.0, announced(48.0, 0.0));
        assert!((near_end - -(-0.5f64).exp_m1()).abs() < 1e-12);
    }

    #[test]
    fn urgency_grows_with_time_since_the_outage_began() {
        let b = behaviour();
        let (early, _) = outage_drivers(&b, 0.1, 6.0, None);
        let (late, _) = outage_drivers(&b, 3.0, 6.0, None);
        assert!(early < late);
        let instant = Behaviour {
            urgency_hours: 0.0,
            ..b
        };
        assert_eq!(outage_drivers(&instant, 0.0, 6.0, None).0, 1.0);
    }

    /// Waiting of shape κ and time constant T_d, as a behaviour.
    fn waits(t_d: f64, shape: f64) -> Behaviour {
        Behaviour {
            deadline_hours: t_d,
            deadline_shape: shape,
            ..behaviour()
        }
    }

    /// The generalized hyperbola written out from its definition, (1 + κ d/T_d)^(-1/κ), and its
    /// limit exp(-d/T_d) at κ = 0.
    fn hyperbola(delay: f64, t_d: f64, shape: f64) -> f64 {
        if shape == 0.0 {
            (-delay / t_d).exp()
        } else {
            (1.0 + shape * delay / t_d).powf(-1.0 / shape)
        }
    }

    /// The expectation that defines the uncertain-start factor, by the midpoint rule over the
    /// feared start S' uniform on [-W, 0] (1 once S' is past, the known-start factor before).
    fn expected_factor(tau: f64, t_d: f64, shape: f64, w: f64) -> f64 {
        let n = 200_000;
        (0..n)
            .map(|i| {
                let s = -w + w * (i as f64 + 0.5) / n as f64;
                if s <= tau {
                    1.0
                } else {
                    hyperbola(s - tau, t_d, shape)
                }
            })
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn an_uncertain_start_is_the_known_start_factor_averaged_over_the_window() {
        for shape in [0.0, 0.5, 1.0, 2.5] {
            for (t_d, w) in [(4.5, 20.0), (1.0, 3.0), (30.0, 5.0)] {
                let b = waits(t_d, shape);
                for tau in [-50.0, -20.0, -w, -w / 2.0, -0.5, -0.01] {
                    let closed = deadline_factor(tau, &b, w);
                    let sum = expected_factor(tau, t_d, shape, w);
                    assert!(
                        (closed - sum).abs() < 1e-6,
                        "κ {shape} T_d {t_d} W {w} tau {tau}: {closed} vs {sum}"
                    );
                    // Fearing it sooner never makes anyone wait longer.
                    assert!(closed >= hyperbola(-tau, t_d, shape) - 1e-12);
                }
                // Continuous at the window's edge and 1 at the start.
                let (below, above) = (
                    deadline_factor(-w - 1e-9, &b, w),
                    deadline_factor(-w + 1e-9, &b, w),
                );
                assert!((below - above).abs() < 1e-8, "{below} vs {above}");
                assert!((deadline_factor(-1e-12, &b, w) - 1.0).abs() < 1e-9);
                // Rising toward the start.
                let grid: Vec<f64> = (0..400)
                    .map(|i| deadline_factor(-40.0 + 0.1 * i as f64, &b, w))
                    .collect();
                assert!(grid.windows(2).all(|p| p[1] >= p[0]));
            }
        }
    }

    #[test]
    fn waiting_for_a_deadline_follows_the_generalized_hyperbola() {
        for tau in [-144.0, -30.0, -4.0, -0.2] {
            for shape in [0.0, 0.3, 1.0, 3.0] {
                let known = deadline_factor(tau, &waits(4.5, shape), 0.0);
                let exact = hyperbola(-tau, 4.5, shape);
                assert!(
                    (known - exact).abs() < 1e-12 * exact.max(1e-300),
                    "{known} vs {exact}"
                );
            }
            // Continuous in the shape across its special cases, 0 and 1, with and without a window.
            for w in [0.0, 10.0] {
                let at = |shape: f64| deadline_factor(tau, &waits(4.5, shape), w);
                assert!((at(1e-9) - at(0.0)).abs() < 1e-7, "{tau} {w}");
                assert!((at(1.0 + 1e-9) - at(1.0)).abs() < 1e-7, "{tau} {w}");
                assert!((at(1.0 - 1e-9) - at(1.0)).abs() < 1e-7, "{tau} {w}");
            }
        }
        // Six days ahead of a ban, hyperbolic waiting still acts on a sixth of the urgency where
        // the exponential acts on almost none.
        let six_days = |shape: f64| deadline_factor(-144.0, &waits(24.0, shape), 0.0);
        assert!((six_days(1.0) - 1.0 / 7.0).abs() < 1e-12);
        assert!(six_days(0.0) < 0.003);
    }

    #[test]
    fn a_known_start_is_the_uncertain_one_with_no_window() {
        for tau in [-30.0, -4.0, -0.2] {
            let b = waits(4.5, 0.0);
            assert_eq!(deadline_factor(tau, &b, 0.0), (tau / 4.5).exp());
            let narrow = deadline_factor(tau, &b, 1e-9);
            assert!((narrow - (tau / 4.5).exp()).abs() < 1e-8, "{tau}: {narrow}");
        }
        // Through the drivers: a window of 0 is the factor of the model before it, bit for bit.
        let b = Behaviour {
            deadline_hours: 4.5,
            ..behaviour()
        };
        let known = outage_drivers(&b, -6.0, 12.0, announced(12.0, 0.0)).0;
        // Before the start the whole block (12 h) lies ahead.
        let before = -(-12.0f64 / b.urgency_hours).exp_m1() * (-6.0f64 / 4.5).exp();
        assert_eq!(known, before);
        // Feared any time in the 20 h before it, 6 h ahead: (14 + 4.5 (1 - e^(-6/4.5))) / 20 of
        // the urgency, 3.3 times the known start's.
        let feared = outage_drivers(&b, -6.0, 12.0, announced(12.0, 20.0)).0;
        let factor = (14.0 - 4.5 * (-6.0f64 / 4.5).exp_m1()) / 20.0;
        assert!((feared - known / (-6.0f64 / 4.5).exp() * factor).abs() < 1e-12);
        assert!(feared > 3.0 * known);
    }

    #[test]
    fn an_announced_block_is_as_urgent_as_the_length_announced_not_the_length_it_had() {
        let b = behaviour();
        // A threat announced as a 48-hour block that was lifted after 6 minutes: as urgent before
        // it as the 48 hours people were told, not the 6 minutes it lasted.
        let threat = outage_drivers(&b, -3.0, 0.1, announced(48.0, 0.0)).0;
        assert!((threat - -(-48.0f64).exp_m1()).abs() < 1e-12);
        let taken_at_its_length = outage_drivers(&b, -3.0, 0.1, announced(0.1, 0.0)).0;
        assert!((taken_at_its_length - -(-0.1f64).exp_m1()).abs() < 1e-12);
        // After it ends, looking fades from the urgency it had when it ended (47.9 h still to run).
        let after = outage_drivers(&b, 1.1, 0.1, announced(48.0, 0.0)).0;
        assert!((after - -(-47.9f64).exp_m1() * (-1.0f64 / b.after_hours).exp()).abs() < 1e-12);
        // A block announced for 2 hours that is still on after 3: urgency is that of an outage
        // that has lasted 3 hours, not nil.
        let overrun = outage_drivers(&b, 3.0, 10.0, announced(2.0, 0.0)).0;
        assert!((overrun - -(-3.0f64).exp_m1()).abs() < 1e-12);
        assert_eq!(overrun, outage_drivers(&b, 3.0, 10.0, None).0);
    }
}
