//! Which class of shape a figure tests (issue 37: `surge validate` reports misses by mechanism).
//!
//! The classes are the shapes the model could not produce before issue 37, each with the
//! mechanism that now produces it (docs/MODEL.md): a figure held at a sign-up limit (what the
//! figure counts, and which limit), a figure from before a block began (how an announcement
//! spreads, and who waits for the deadline), a figure mostly after the trigger ended (the
//! surge feeding on itself), a figure of an app that is not the best-known alternative (which
//! apps people know), a region's share (the regional inputs), and otherwise the surge's size.
//! The class is read from the figure's window, the event and the prediction, never from the
//! reported value, so a miss is filed the same way whichever side it falls on.

use super::observations::Observation;
use crate::scenario::{EventKind, Scenario};
use serde::{Deserialize, Serialize};

/// The shape a figure tests, and the mechanism a miss in it points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A region's share of an app's figure: the regional inputs (populations, account shares).
    RegionalShare,
    /// The prediction is held at a sign-up limit in nearly every run: which limit binds and
    /// whether the figure counts attempts or registrations.
    AtLimit,
    /// The window starts before an announced block began: how the announcement spreads
    /// (`hearing_hours`) and who waits for the deadline (`deadline_hours`).
    BeforeTheBlock,
    /// Most of the window lies after the trigger ended: the surge feeding on itself (the buzz,
    /// `buzz_gain`, `buzz_hours`).
    AfterTheTrigger,
    /// An app that is not the scenario's best-held alternative: which apps people know
    /// (`known_share`, `known_contacts`) and news that names apps.
    LesserKnownApp,
    /// Everything else: the size of the surge (looking rates, news, populations).
    Size,
}

impl Shape {
    /// Every shape, in the order the validation summary lists them.
    pub const ALL: [Shape; 6] = [
        Shape::Size,
        Shape::AfterTheTrigger,
        Shape::BeforeTheBlock,
        Shape::LesserKnownApp,
        Shape::AtLimit,
        Shape::RegionalShare,
    ];

    /// How the validation table names the class.
    pub fn label(self) -> &'static str {
        match self {
            Shape::RegionalShare => "regional share (regional inputs)",
            Shape::AtLimit => "held at a limit (which limit; attempts or registrations)",
            Shape::BeforeTheBlock => "before the block (announcement spreading, deadline)",
            Shape::AfterTheTrigger => "after the trigger (the surge feeding on itself)",
            Shape::LesserKnownApp => "a lesser-known app (which apps people know)",
            Shape::Size => "size (looking rates, news, populations)",
        }
    }
}

/// The class of figure `o` about app `app` of `scenario`, whose prediction spans `p05..p95`.
pub fn shape(o: &Observation, scenario: &Scenario, app: usize, (p05, p95): (f64, f64)) -> Shape {
    if o.is_share() {
        return Shape::RegionalShare;
    }
    // Held at a limit: every run within 2% of one another, the mark of a binding capacity.
    if !o.is_ratio() && p05 > 0.0 && p95 / p05 < 1.02 {
        return Shape::AtLimit;
    }
    let held = |k: usize| -> f64 {
        scenario
            .regions
            .iter()
            .zip(&scenario.apps[k].accounts)
            .map(|(r, a)| r.users as f64 * (a.active + a.dormant))
            .sum()
    };
    let best = (0..scenario.apps.len())
        .max_by(|&a, &b| held(a).total_cmp(&held(b)))
        .unwrap_or(app);
    if best != app {
        return Shape::LesserKnownApp;
    }
    let (start, latest) = (o.window_start_hours[0], o.window_start_hours[1]);
    if let EventKind::Outage {
        duration_hours,
        announced,
        ..
    } = scenario.event.kind
    {
        if announced && start < 0.0 {
            return Shape::BeforeTheBlock;
        }
        // Over half of the latest admissible window after the trigger ended.
        let after = (latest + o.window_hours - duration_hours.max(latest)).max(0.0);
        if after > 0.5 * o.window_hours {
            return Shape::AfterTheTrigger;
        }
    }
    Shape::Size
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::load_observations;

    #[test]
    fn figures_are_filed_by_the_shape_they_test() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let set = load_observations(&root.join("data/observations.toml")).unwrap();
        let events =
            crate::calibrate::EventSet::new(&set, Some(&root.join("params/default.toml"))).unwrap();
        let class = |id: &str, spread: (f64, f64)| {
            let i = set.observations.iter().position(|o| o.id == id).unwrap();
            let (e, app) = events.event_and_app(i);
            shape(&set.observations[i], &events.scenarios[e], app, spread)
        };
        let wide = (1.0, 10.0);
        assert_eq!(
            class("telegram-brazil-2015-3h", wide),
            Shape::BeforeTheBlock
        );
        assert_eq!(
            class("telegram-brazil-2015-3h", (5.0, 5.05)),
            Shape::AtLimit
        );
        assert_eq!(
            class("signal-2021-10-04-arrivals-day", wide),
            Shape::LesserKnownApp
        );
        assert_eq!(
            class("telegram-2021-10-04-arrivals-day", wide),
            Shape::AfterTheTrigger
        );
        assert_eq!(
            class("telegram-2021-01-share-asia", wide),
            Shape::RegionalShare
        );
        assert_eq!(class("telegram-2021-01-arrivals-72h", wide), Shape::Size);
    }
}
