//! Looking for an alternative (a Bass-type hazard, Bass 1969) and choosing among alternatives.

use super::Behaviour;
use super::draw::{Draws, binomial, multinomial, probability, weighted_index};
use rand::RngExt;

/// Which accounts a group of affected users already holds at the alternatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// No account at any alternative.
    None,
    /// A dormant account at the alternative with this index.
    Dormant(usize),
}

impl Holding {
    /// Holdings of a region with `apps` alternatives, in index order: 0 holds no account, 1 + k
    /// a dormant account at app k.
    pub fn from_index(h: usize) -> Holding {
        if h == 0 {
            Holding::None
        } else {
            Holding::Dormant(h - 1)
        }
    }
}

/// `F`: the share of a region's users who already switched (word of mouth, docs/MODEL.md §4).
pub fn switched_share(switched: u64, users: u64) -> f64 {
    switched as f64 / users.max(1) as f64
}

/// `C_k`: the share of a region's users on app `k` (active before the event, plus those who
/// registered or came back since), the contacts a user can reach there (mean field, §5).
pub fn contact_share(active: u64, registered: u64, reactivated: u64, users: u64) -> f64 {
    (active + registered + reactivated) as f64 / users.max(1) as f64
}

/// What a switcher who chose an app becomes (docs/MODEL.md §2, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// A dormant holder back at her own app: no registration needed.
    Reactivation,
    /// Everyone else needs a new account and joins the app's sign-up queue.
    SignUp,
}

/// Routes a switcher of `holding` who chose app `k`.
pub fn arrival(holding: Holding, k: usize) -> Arrival {
    arrival_at(holding == Holding::Dormant(k))
}

/// Routes a switcher by whether she holds a dormant account at the app she chose (for users who
/// may hold several, in the agent engine).
pub fn arrival_at(dormant_there: bool) -> Arrival {
    if dormant_there {
        Arrival::Reactivation
    } else {
        Arrival::SignUp
    }
}

/// The moves of others a user hears of (word of mouth, docs/MODEL.md §4): `F`, the share of her
/// region's users who switched so far, and `F_k`, the share who chose her own dormant app `k` (0
/// without one; at most `F`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moves {
    pub all: f64,
    pub to_own: f64,
}

impl Moves {
    /// Moves heard by a user with no dormant account: `F` alone.
    pub fn of_all(all: f64) -> Moves {
        Moves { all, to_own: 0.0 }
    }
}

/// Looking hazard per hour of a user who noticed the event:
/// `h = L(t) · (m·(p + q·F_m) + q·(F - F_m) + ν·M(t))`, with `m` = `dormant_boost` for
/// dormant-account holders and 1 otherwise, `F` the share of the region's users who already
/// switched, `M` news coverage, and `F_m = F_k + (1 - θ)(F - F_k)` the moves the boost applies to
/// (θ = `own_app_moves`, `F_k` the moves to the holder's own app).
/// The boost acts on the spontaneous term and on word of mouth: a user cut off right now goes
/// back to the app she already has, and a holder hears of her contacts' moves *to that app* from
/// the app itself (it tells her who joined), while moves to other apps reach her as they reach
/// anyone (θ = 1; θ = 0 boosts every move, the model before), and news recommends an app to
/// holders and others alike (docs/MODEL.md §4). With L = 1, ν = 0 and m = 1 this is exactly the
/// Bass hazard p + q·F (Bass 1969). This is the hazard at the full boost, the most a holder's can
/// be when the boost needs contacts ([`holding_boost`]); [`boosted_hazard`] takes the holder's
/// own `m`.
pub fn looking_hazard(
    b: &Behaviour,
    holding: Holding,
    looking: f64,
    news: f64,
    moves: Moves,
) -> f64 {
    let boost = match holding {
        Holding::None => 1.0,
        Holding::Dormant(_) => b.dormant_boost,
    };
    boosted_hazard(b, boost, looking, news, moves)
}

/// [`looking_hazard`] with the holding's boost `m` given (`holding_boost`).
pub fn boosted_hazard(b: &Behaviour, boost: f64, looking: f64, news: f64, moves: Moves) -> f64 {
    if looking <= 0.0 {
        return 0.0;
    }
    // θ = 0 takes `F` whole, so that the model before is reproduced bit for bit.
    let (boosted, unboosted) = if b.own_app_moves == 0.0 {
        (moves.all, 0.0)
    } else {
        let elsewhere = (moves.all - moves.to_own).max(0.0);
        let theta = b.own_app_moves;
        (moves.to_own + (1.0 - theta) * elsewhere, theta * elsewhere)
    };
    looking
        * (boost * (b.innovation_per_hour + b.word_of_mouth_per_hour * boosted)
            + b.word_of_mouth_per_hour * unboosted
            + b.news_per_hour * news)
}

/// The boost `m` of a holding's looking hazard (docs/MODEL.md §4): 1 without an account;
/// `dormant_boost` for a dormant holder of app `k`, or, when the boost needs contacts
/// (`looking.dormant_contacts` = n > 0), `1 + (dormant_boost - 1)·(1 - (1 - C_k)^n)`: the pull
/// back to her own app is the boost only if one of her n regular contacts is there (`C_k`, the
/// share of the region's users on `k`, in `contacts`), as it is those contacts' moves the app
/// tells her of and those contacts she goes back to reach. With n = 0 it is `dormant_boost` for
/// every holder, the model before it. With a threshold of k contacts
/// (`looking.dormant_threshold`, a complex contagion: Centola & Macy 2007) the reach is
/// `P(Binomial(n, C_k) ≥ k)` ([`at_least_contacts`]); k = 1 is the form above, bit for bit.
pub fn holding_boost(b: &Behaviour, holding: Holding, contacts: &[f64]) -> f64 {
    match holding {
        Holding::None => 1.0,
        Holding::Dormant(_) if b.dormant_contacts == 0.0 => b.dormant_boost,
        Holding::Dormant(k) => {
            let reached = at_least_contacts(b.dormant_contacts, contacts[k], b.dormant_threshold);
            1.0 + (b.dormant_boost - 1.0) * reached
        }
    }
}

/// The chance that at least `k` of `n` regular contacts are on an app that a share `c` of the
/// region uses: `P(Binomial(n, c) ≥ k) = 1 - Σ_{j<k} C(n, j) c^j (1 - c)^(n-j)`, with the
/// generalized binomial coefficient `C(n, j) = n(n-1)…(n-j+1)/j!` for a fitted, non-whole `n`
/// (the regularized incomplete beta `I_c(k, n - k + 1)`, Abramowitz & Stegun 26.5.24, to which
/// the unit test compares it). k = 1 is `1 - (1 - c)^n`, computed as before. Written out rather
/// than through `statrs::function::beta::beta_reg`: k terms and one power, where the continued
/// fraction costs more per holding and step.
pub fn at_least_contacts(n: f64, c: f64, k: f64) -> f64 {
    if k <= 1.0 {
        return -(n * (-c).ln_1p()).exp_m1(); // 1 - (1 - c)^n
    }
    if c >= 1.0 {
        return 1.0;
    }
    // Terms j = 0..k-1 of the binomial, each from the one before: t_{j+1} = t_j (n-j)/(j+1) · c/(1-c).
    let odds = c / (1.0 - c);
    let mut term = (n * (-c).ln_1p()).exp(); // (1 - c)^n
    let mut below = term;
    let mut j = 0.0;
    while j + 1.0 < k {
        term *= (n - j) / (j + 1.0) * odds;
        below += term;
        j += 1.0;
    }
    (1.0 - below).clamp(0.0, 1.0)
}

/// How many of `noticed` users start switching within a step of `dt` hours.
pub fn switchers(rng: &mut impl Draws, noticed: u64, hazard: f64, dt: f64) -> u64 {
    binomial(rng, noticed, probability(hazard, dt))
}

/// Choice weights among alternatives (a multinomial logit with log-attractiveness utilities):
/// `w_k = a_k · (1 + β·C_k) · (ω if the user holds a dormant account at k)`, where `C_k` is the
/// share of the region's users (the user's contacts, mean-field) already active on app k.
pub fn choice_weights(
    b: &Behaviour,
    holding: Holding,
    attractiveness: &[f64],
    contact_share: &[f64],
    out: &mut [f64],
) {
    choice_weights_with(
        b,
        |k| holding == Holding::Dormant(k),
        attractiveness,
        contact_share,
        out,
    );
}

/// [`choice_weights`] for a user with a dormant account at every app `k` for which
/// `dormant_at(k)` holds (the agent engine's users may hold several).
pub fn choice_weights_with(
    b: &Behaviour,
    dormant_at: impl Fn(usize) -> bool,
    attractiveness: &[f64],
    contact_share: &[f64],
    out: &mut [f64],
) {
    for (k, w) in out.iter_mut().enumerate() {
        let affinity = if dormant_at(k) {
            b.account_affinity
        } else {
            1.0
        };
        *w = attractiveness[k] * (1.0 + b.contact_weight * contact_share[k]) * affinity;
    }
}

/// `φ = L·ν·M / h`: the share of a user's looking hazard `h` that the news drives (the last
/// term of [`looking_hazard`]), so the chance that a switcher was led to look by the news.
pub fn news_led_share(b: &Behaviour, looking: f64, news: f64, hazard: f64) -> f64 {
    if hazard <= 0.0 {
        return 0.0;
    }
    (looking * b.news_per_hour * news / hazard).clamp(0.0, 1.0)
}

/// News that names apps (docs/MODEL.md §5): a switcher led by the news (probability `φ`) takes
/// named app `k` with probability `s_k`; everyone else, and the news-led share `1 - S` the names
/// leave (`S = Σ s_k`), choose by `weights`. The weights become the mixture's probabilities
/// `p_k = φ·s_k + (1 - φ·S)·w_k / W` (a switcher is news-led or not independently of the
/// others, so one multinomial with these probabilities is the same split). With no app named
/// (`named` empty, or every `s_k` = 0) or no news (`φ` = 0) the weights are left exactly as they
/// were: the choice is today's rule.
pub fn follow_named(weights: &mut [f64], named: &[f64], news_led: f64) {
    let named_total: f64 = named.iter().sum();
    if news_led <= 0.0 || named_total <= 0.0 {
        return;
    }
    let total: f64 = weights.iter().sum();
    let rest = 1.0 - news_led * named_total;
    for (w, &s) in weights.iter_mut().zip(named) {
        let by_rule = if total > 0.0 { *w / total } else { 0.0 };
        *w = news_led * s + rest * by_rule;
    }
}

/// κ_k, the chance that a user knows app `k` exists (docs/MODEL.md §5): from the press and the app
/// stores (`press`, the scenario's `known_share`), or from any of her `contacts` regular
/// contacts using it, each independently with the region's share `contact_share` (mean field):
/// `κ = 1 - (1 - b)(1 - C)^n`. Awareness as the first stage of choice, before the apps known are
/// compared, is the consideration-set model (Roberts & Lattin 1991, J. Marketing Research 28:429;
/// Manski 1977, Theory and Decision 8:229).
pub fn awareness(press: f64, contact_share: f64, contacts: f64) -> f64 {
    1.0 - (1.0 - press) * (1.0 - contact_share.clamp(0.0, 1.0)).powf(contacts)
}

/// Most apps whose awareness may be below 1 in one choice: the exact split enumerates every set
/// of them a user may know (2^n sets).
pub const MAX_UNCERTAIN_APPS: usize = 10;

/// Choice among the apps a user knows (Manski 1977: each user considers the set `S` she knows,
/// app `k` with probability `κ_k` independently, and chooses within it by the weights): the
/// probability of choosing `k` is `Σ_{S ∋ k} P(S) · w_k / Σ_{j ∈ S} w_j`. A user who knows none
/// searches the store, where every app is found: she chooses among all by the weights. The
/// weights are replaced by these probabilities. With every `κ_k` = 1 the weights are left
/// exactly as they were (the choice is the rule without awareness). Exact: the sets of the apps
/// with `κ < 1` (at most [`MAX_UNCERTAIN_APPS`]; the scenario refuses more) are enumerated.
pub fn consider_known(weights: &mut [f64], known: &[f64]) {
    let uncertain: Vec<usize> = (0..weights.len()).filter(|&k| known[k] < 1.0).collect();
    if uncertain.is_empty() {
        return;
    }
    debug_assert!(uncertain.len() <= MAX_UNCERTAIN_APPS);
    let all: f64 = weights.iter().sum();
    let sure: f64 = (0..weights.len())
        .filter(|&k| known[k] >= 1.0)
        .map(|k| weights[k])
        .sum();
    let mut chosen = vec![0.0; weights.len()];
    for set in 0u32..(1 << uncertain.len()) {
        let mut p = 1.0;
        let mut total = sure;
        for (bit, &k) in uncertain.iter().enumerate() {
            if set & (1 << bit) != 0 {
                p *= known[k];
                total += weights[k];
            } else {
                p *= 1.0 - known[k];
            }
        }
        if p <= 0.0 {
            continue;
        }
        let (scale, in_set) = if total > 0.0 {
            (p / total, true)
        } else {
            (p / all, false)
        };
        for (k, c) in chosen.iter_mut().enumerate() {
            let member = known[k] >= 1.0
                || uncertain
                    .iter()
                    .position(|&u| u == k)
                    .is_some_and(|bit| set & (1 << bit) != 0);
            if member || !in_set {
                *c += scale * weights[k];
            }
        }
    }
    weights.copy_from_slice(&chosen);
}

/// Splits `n` switchers among alternatives by `weights`.
pub fn choose(rng: &mut impl Draws, n: u64, weights: &[f64], out: &mut [u64]) {
    multinomial(rng, n, weights, out);
}

/// Trying another app as well (docs/MODEL.md §5, "Trying a second app"): each of the `chosen[k]`
/// switchers who chose app `k` also signs up at one more app with probability `τ` (`trial`), app
/// `j ≠ k` with probability `p_j / (1 - p_k)`, the same choice `p` /// with her first pick struck out (`weights` in any scale: `p_k = w_k / Σ w`): the second rank
/// of the rank-ordered ("exploded") logit (Beggs, Cardell & Hausman 1981, J. Econometrics 17:1;
/// Luce 1959's independence of irrelevant alternatives). Adds the triers per app to `out`; `others` and `split` are scratch of the apps'
/// length. With `τ` = 0 it draws nothing and adds nothing (the model without trials); a
/// switcher whose every other app has weight 0 tries none.
pub fn try_another(
    rng: &mut impl Draws,
    trial: f64,
    weights: &[f64],
    chosen: &[u64],
    others: &mut [f64],
    split: &mut [u64],
    out: &mut [u64],
) {
    if trial <= 0.0 {
        return;
    }
    for (k, &n) in chosen.iter().enumerate() {
        if n == 0 {
            continue;
        }
        others.copy_from_slice(weights);
        others[k] = 0.0;
        if others.iter().sum::<f64>() <= 0.0 {
            continue;
        }
        let triers = binomial(rng, n, trial);
        if triers == 0 {
            continue;
        }
        multinomial(rng, triers, others, split);
        for (o, &t) in out.iter_mut().zip(split.iter()) {
            *o += t;
        }
    }
}

/// [`try_another`] for one switcher who chose app `k` (the agent engine): the app she tries as
/// well, if she tries one. `others` is scratch of the apps' length.
pub fn try_another_one(
    rng: &mut impl Draws,
    trial: f64,
    weights: &[f64],
    k: usize,
    others: &mut [f64],
) -> Option<usize> {
    if trial <= 0.0 {
        return None;
    }
    others.copy_from_slice(weights);
    others[k] = 0.0;
    if others.iter().sum::<f64>() <= 0.0 || rng.random::<f64>() >= trial {
        return None;
    }
    Some(weighted_index(others, rng.random::<f64>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> Behaviour {
        Behaviour {
            innovation_per_hour: 0.03,
            word_of_mouth_per_hour: 0.38,
            news_per_hour: 0.5,
            news_decay_hours: 1.0,
            urgency_hours: 0.0,
            after_hours: 1.0,
            dormant_boost: 20.0,
            hearing_hours: 0.0,
            deadline_hours: 0.0,
            deadline_shape: 0.0,
            buzz_gain: 0.0,
            buzz_hours: 24.0,
            buzz_novelty: 0.0,
            dormant_contacts: 0.0,
            dormant_threshold: 1.0,
            own_app_moves: 0.0,
            contact_weight: 2.0,
            account_affinity: 10.0,
            known_contacts: 15.0,
            trial_share: 0.0,
            patience_minutes: 10.0,
        }
    }

    /// Everyone tries (τ = 1) and each has one other app: every chooser of one app signs up at
    /// the other as well, and a third app of weight 0 gets none; τ = 0 draws nothing.
    #[test]
    fn a_switcher_tries_only_the_apps_she_did_not_choose() {
        use rand::SeedableRng;
        use rand_xoshiro::Xoshiro256PlusPlus as Rng;
        let weights = [1.0, 3.0, 0.0];
        let (mut others, mut split) = ([0.0; 3], [0; 3]);
        // 40 chose app 0 and 7 app 1; what each app gets as a second app.
        let mut tries = |rng: &mut Rng, trial: f64| {
            let mut out = [0; 3];
            try_another(
                rng,
                trial,
                &weights,
                &[40, 7, 0],
                &mut others,
                &mut split,
                &mut out,
            );
            (out, try_another_one(rng, trial, &weights, 1, &mut others))
        };
        let mut rng = Rng::seed_from_u64(7);
        assert_eq!(tries(&mut rng, 1.0), ([7, 40, 0], Some(0)));
        let (mut untouched, mut fresh) = (Rng::seed_from_u64(7), Rng::seed_from_u64(7));
        assert_eq!(tries(&mut untouched, 0.0), ([0, 0, 0], None));
        assert_eq!(
            untouched.random::<u64>(),
            fresh.random::<u64>(),
            "τ = 0 drew"
        );
        // One app alone: nothing to try.
        let alone = try_another_one(&mut rng, 1.0, &[2.0, 0.0, 0.0], 0, &mut others);
        assert_eq!(alone, None);
    }

    #[test]
    fn switchers_route_to_their_own_dormant_account_or_the_queue() {
        assert_eq!(arrival(Holding::Dormant(1), 1), Arrival::Reactivation);
        assert_eq!(arrival(Holding::Dormant(1), 0), Arrival::SignUp);
        assert_eq!(arrival(Holding::None, 0), Arrival::SignUp);
        assert_eq!(Holding::from_index(0), Holding::None);
        assert_eq!(Holding::from_index(3), Holding::Dormant(2));
        assert_eq!(switched_share(5, 0), 5.0);
        assert!((contact_share(10, 5, 5, 100) - 0.2).abs() < 1e-15);
    }

    #[test]
    fn reduces_to_bass_hazard() {
        let h = looking_hazard(&b(), Holding::None, 1.0, 0.0, Moves::of_all(0.25));
        assert!((h - (0.03 + 0.38 * 0.25)).abs() < 1e-15);
        assert_eq!(
            looking_hazard(&b(), Holding::None, 0.0, 1.0, Moves::of_all(0.9)),
            0.0
        );
        let h = looking_hazard(&b(), Holding::Dormant(0), 1.0, 0.0, Moves::of_all(0.0));
        assert!((h - 0.6).abs() < 1e-12);
        // Word of mouth is boosted with the spontaneous term, news is not:
        // 20 * (0.03 + 0.38 * 0.5) + 0.5 * 1.
        let h = looking_hazard(&b(), Holding::Dormant(0), 1.0, 1.0, Moves::of_all(0.5));
        assert!((h - (20.0 * (0.03 + 0.19) + 0.5)).abs() < 1e-12);
    }

    /// `P(Binomial(n, c) ≥ k)`: k = 1 is the old reach bit for bit; whole `n` against the sum of
    /// exact binomial terms; real `n` against the regularized incomplete beta `I_c(k, n-k+1)`
    /// (Abramowitz & Stegun 26.5.24) from statrs.
    #[test]
    fn the_chance_of_enough_contacts_on_an_app_is_the_binomial_tail() {
        use statrs::function::beta::beta_reg;
        for (n, c) in [(15.0, 0.0105), (5.0, 0.3), (41.8, 0.03), (12.3, 1e-6)] {
            let old = -(n * f64::ln_1p(-c)).exp_m1();
            assert_eq!(at_least_contacts(n, c, 1.0).to_bits(), old.to_bits());
            for k in [1.0, 2.0, 3.0, 5.0] {
                let beta = beta_reg(k, n - k + 1.0, c);
                let got = at_least_contacts(n, c, k);
                assert!(
                    (got - beta).abs() <= 1e-12 + 1e-9 * beta,
                    "n {n} c {c} k {k}: {got} vs {beta}"
                );
            }
        }
        // Whole n by hand: 15 contacts, 3% on the app, two needed: 1 - 0.97^15 - 15·0.03·0.97^14.
        let by_hand = 1.0 - 0.97f64.powi(15) - 15.0 * 0.03 * 0.97f64.powi(14);
        assert!((at_least_contacts(15.0, 0.03, 2.0) - by_hand).abs() < 1e-15);
        assert!((by_hand - 0.0729).abs() < 5e-4);
        // Nobody there: nobody reached; everybody there: everybody, whatever the threshold.
        assert_eq!(at_least_contacts(15.0, 0.0, 3.0), 0.0);
        assert_eq!(at_least_contacts(15.0, 1.0, 3.0), 1.0);
    }

    #[test]
    fn a_holder_hears_the_moves_to_her_own_app_boosted_and_the_rest_as_anyone() {
        // Half the region switched, a fifth to the holder's own app.
        let moves = Moves {
            all: 0.5,
            to_own: 0.2,
        };
        let with = |theta: f64| Behaviour {
            own_app_moves: theta,
            ..b()
        };
        // θ = 1: 20 * (0.03 + 0.38 * 0.2) + 0.38 * 0.3 + 0.5 * 1.
        let h = looking_hazard(&with(1.0), Holding::Dormant(0), 1.0, 1.0, moves);
        assert!((h - (20.0 * (0.03 + 0.38 * 0.2) + 0.38 * 0.3 + 0.5)).abs() < 1e-12);
        // θ = 0: every move boosted, bit for bit the hazard of the moves as one share.
        let old = looking_hazard(
            &with(0.0),
            Holding::Dormant(0),
            1.0,
            1.0,
            Moves::of_all(0.5),
        );
        let h = looking_hazard(&with(0.0), Holding::Dormant(0), 1.0, 1.0, moves);
        assert_eq!(h.to_bits(), old.to_bits());
        // Halfway: the boost takes 0.2 + 0.5 * 0.3 of the moves.
        let h = looking_hazard(&with(0.5), Holding::Dormant(0), 1.0, 0.0, moves);
        assert!((h - (20.0 * (0.03 + 0.38 * 0.35) + 0.38 * 0.15)).abs() < 1e-12);
        // Without an account every move is heard the same way, whatever θ (bit for bit at 0
        // and 1).
        for theta in [0.0, 0.3, 1.0] {
            let h = looking_hazard(&with(theta), Holding::None, 1.0, 0.0, Moves::of_all(0.5));
            let bass = 0.03f64 + 0.38 * 0.5;
            assert!((h - bass).abs() < 1e-15);
            assert!(theta == 0.3 || h.to_bits() == bass.to_bits(), "{theta}");
        }
        // The bound a holder's hazard never passes: every move to her app.
        let bound = looking_hazard(
            &with(1.0),
            Holding::Dormant(0),
            1.0,
            1.0,
            Moves {
                all: 0.5,
                to_own: 0.5,
            },
        );
        let holder = looking_hazard(&with(1.0), Holding::Dormant(0), 1.0, 1.0, moves);
        let every_move = looking_hazard(&b(), Holding::Dormant(0), 1.0, 1.0, Moves::of_all(0.5));
        assert!(
            bound > holder && bound == every_move,
            "{bound} {holder} {every_move}"
        );
    }

    #[test]
    fn news_that_names_no_app_leaves_the_choice_exactly_as_it_was() {
        let mut w = [0.0; 3];
        choice_weights(
            &b(),
            Holding::Dormant(1),
            &[1.0, 0.7, 2.0],
            &[0.1, 0.0, 0.3],
            &mut w,
        );
        let before = w;
        for (named, led) in [
            (&[][..], 0.9),
            (&[0.0, 0.0, 0.0][..], 0.9),
            (&[0.5, 0.0, 0.0][..], 0.0),
        ] {
            follow_named(&mut w, named, led);
            assert_eq!(w.map(f64::to_bits), before.map(f64::to_bits));
        }
    }

    #[test]
    fn news_led_switchers_take_the_named_app_in_its_share() {
        // Weights 1 : 3 by the rule; 80% news-led; the news sends half of them to app 0.
        let mut w = [1.0, 3.0];
        follow_named(&mut w, &[0.5, 0.0], 0.8);
        // p_0 = 0.8 * 0.5 + (1 - 0.4) * 0.25, p_1 = 0.6 * 0.75.
        assert!(
            (w[0] - 0.55).abs() < 1e-15 && (w[1] - 0.45).abs() < 1e-15,
            "{w:?}"
        );
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        // The news-led share is the news term's part of the hazard.
        let h = looking_hazard(&b(), Holding::None, 0.5, 1.0, Moves::of_all(0.0));
        let phi = news_led_share(&b(), 0.5, 1.0, h);
        assert!((phi - 0.5 / (0.03 + 0.5)).abs() < 1e-12, "{phi}");
        assert_eq!(news_led_share(&b(), 0.5, 0.0, h), 0.0);
        assert_eq!(news_led_share(&b(), 0.0, 1.0, 0.0), 0.0);
    }

    #[test]
    fn awareness_restricts_the_choice_to_known_apps_and_vanishes_when_all_are_known() {
        let mut w = [1.0, 3.0, 6.0];
        consider_known(&mut w, &[1.0, 1.0, 1.0]);
        assert_eq!(w, [1.0, 3.0, 6.0]);
        // App 2 known by half: known, shares 0.1, 0.3, 0.6; unknown, 0.25, 0.75, 0.
        consider_known(&mut w, &[1.0, 1.0, 0.5]);
        let want = [0.5 * 0.1 + 0.5 * 0.25, 0.5 * 0.3 + 0.5 * 0.75, 0.5 * 0.6];
        for (g, e) in w.iter().zip(want) {
            assert!((g - e).abs() < 1e-15, "{w:?}");
        }
        // Nobody knows app 1: it is chosen only by those who know neither (store search).
        let mut w = [1.0, 1.0];
        consider_known(&mut w, &[0.8, 0.0]);
        assert!((w[0] - (0.8 + 0.2 * 0.5)).abs() < 1e-15 && (w[1] - 0.1).abs() < 1e-15);
        // Awareness: from the press, or from one of n contacts using the app.
        assert_eq!(awareness(1.0, 0.0, 15.0), 1.0);
        assert!((awareness(0.2, 0.1, 2.0) - (1.0 - 0.8 * 0.81)).abs() < 1e-15);
        assert!((awareness(0.3, 0.0, 15.0) - 0.3).abs() < 1e-15);
    }

    #[test]
    fn dormant_holders_prefer_their_app_and_contacts_pull() {
        let mut w = [0.0; 2];
        choice_weights(&b(), Holding::Dormant(1), &[1.0, 1.0], &[0.0, 0.0], &mut w);
        assert_eq!(w, [1.0, 10.0]);
        choice_weights(&b(), Holding::None, &[1.0, 1.0], &[0.5, 0.0], &mut w);
        assert_eq!(w, [2.0, 1.0]);
    }
}
