//! Validation: the fit to every event against its own figures, leave-one-event-out (fit on the
//! other events, predict the held-out one), and the out-of-fit catalogue (events never fitted,
//! predicted from the fit to all): one table and one plot with each figure's role.

use super::CalibrationError;
use super::abc::{AbcSettings, FitProgress, fit};
use super::mechanism::Shape;
use super::observations::ObservationSet;
use super::predict::EventSet;
use super::priors::Priors;
use super::report::{PredictiveRow, predictive};
use super::timeline::EventTimeline;
use crate::model::Behaviour;
use std::path::Path;

/// Predictions for one held-out event.
#[derive(Debug, Clone)]
pub struct HeldOut {
    pub event: String,
    pub rows: Vec<PredictiveRow>,
    /// The held-out event's timeline as the other events' fit predicts it.
    pub timelines: Vec<EventTimeline>,
    pub stop: super::abc::StopReason,
    pub simulations: usize,
}

/// For each event: fit on the others, then predict its observations from that posterior.
/// `params` is the parameter file the events are loaded with, as in `surge fit`.
pub fn leave_one_out(
    set: &ObservationSet,
    params: &Path,
    priors: &Priors,
    base: &Behaviour,
    settings: &AbcSettings,
    draws: usize,
    progress: &dyn FitProgress,
) -> Result<Vec<HeldOut>, CalibrationError> {
    if set.events().len() < 2 {
        return Err(CalibrationError::Invalid(format!(
            "{}: leave-one-out validation needs observations of at least two events",
            set.file.display()
        )));
    }
    let mut out = Vec::new();
    for event in set.events() {
        let name = event
            .file_stem()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        let (train, test) = set.without_event(&name);
        if !train.any_fitted() {
            return Err(CalibrationError::Invalid(format!(
                "{}: without {name}, no observation is left with `fitted = true`, so nothing is left to fit",
                set.file.display()
            )));
        }
        let train_events = EventSet::new(&train, Some(params))?;
        let test_events = EventSet::new(&test, Some(params))?;
        let posterior = fit(&train_events, priors, base, settings, progress);
        let predicted = predictive(&test_events, &posterior, priors, base, draws, settings.seed);
        out.push(HeldOut {
            event: name,
            rows: predicted.rows,
            timelines: predicted.timelines,
            stop: posterior.stop,
            simulations: posterior.simulations,
        });
    }
    Ok(out)
}

/// The fit to every event and what it predicts: its own figures and the out-of-fit catalogue's.
#[derive(Debug, Clone)]
pub struct FullFit {
    /// Figures of the fitted events (those with `fitted = false` are predicted only).
    pub rows: Vec<PredictiveRow>,
    /// Figures of events never fitted (`data/out-of-fit.toml`).
    pub out_of_fit: Vec<PredictiveRow>,
    /// The out-of-fit events' timelines as the full fit predicts them.
    pub timelines: Vec<EventTimeline>,
    pub stop: super::abc::StopReason,
    pub simulations: usize,
}

/// Fits every event of `set` (as `surge fit` does with the same settings) and predicts its
/// figures and those of `catalogue`, whose figures are never part of a fit's distance.
#[allow(clippy::too_many_arguments)]
pub fn full_fit(
    set: &ObservationSet,
    catalogue: Option<&ObservationSet>,
    params: &Path,
    priors: &Priors,
    base: &Behaviour,
    settings: &AbcSettings,
    draws: usize,
    progress: &dyn FitProgress,
) -> Result<FullFit, CalibrationError> {
    let events = EventSet::new(set, Some(params))?;
    // The catalogue's events are loaded (and its figures checked) before any fit.
    let outside = match catalogue {
        Some(c) => {
            let mut c = c.clone();
            for o in &mut c.observations {
                o.fitted = false;
            }
            Some(EventSet::new(&c, Some(params))?)
        }
        None => None,
    };
    let posterior = fit(&events, priors, base, settings, progress);
    let own = predictive(&events, &posterior, priors, base, draws, settings.seed);
    let (out_of_fit, timelines) = match &outside {
        Some(outside) => {
            let p = predictive(outside, &posterior, priors, base, draws, settings.seed);
            (p.rows, p.timelines)
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(FullFit {
        rows: own.rows,
        out_of_fit,
        timelines,
        stop: posterior.stop,
        simulations: posterior.simulations,
    })
}

/// A figure's part in the validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// In the fit's distance, predicted by the fit to every event.
    Fitted,
    /// Of a fitted event but not in the distance (`fitted = false`), predicted by the same fit.
    NotFitted,
    /// Its event held out, predicted by the fit to the other events.
    LeftOut,
    /// Of an event never fitted, predicted by the fit to every event.
    OutOfFit,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Fitted, Role::NotFitted, Role::LeftOut, Role::OutOfFit];
    pub fn name(self) -> &'static str {
        match self {
            Role::Fitted => "fitted",
            Role::NotFitted => "not fitted",
            Role::LeftOut => "left out",
            Role::OutOfFit => "out of fit",
        }
    }
}

/// Every row of the validation with its role, in table order (each row names its event).
pub fn roles<'a>(full: &'a FullFit, held: &'a [HeldOut]) -> Vec<(Role, &'a PredictiveRow)> {
    let role = |r: &PredictiveRow| {
        if r.fitted {
            Role::Fitted
        } else {
            Role::NotFitted
        }
    };
    let mut out: Vec<(Role, &PredictiveRow)> = full.rows.iter().map(|r| (role(r), r)).collect();
    out.sort_by_key(|(role, _)| *role as u8);
    out.extend(
        held.iter()
            .flat_map(|h| h.rows.iter().map(|r| (Role::LeftOut, r))),
    );
    out.extend(full.out_of_fit.iter().map(|r| (Role::OutOfFit, r)));
    out
}

/// The validation table as Markdown (docs/validation.md).
/// The validation table, its summary and its misses; `notes` (what mechanism each miss points
/// to, written by people: data/validation-notes.md) follows the list of misses.
pub fn validation_markdown(
    full: &FullFit,
    results: &[HeldOut],
    command: &str,
    notes: Option<&str>,
) -> String {
    let mut out = format!(
        "# Validation\n\nRegenerate with `{command}`.\n\nOne row per reported figure. `role`: **fitted** (in the fit's distance) and **not fitted** (of a fitted event, left out of the distance) are predicted by the fit to every event; **left out** by a fit to the *other* events only (leave-one-event-out); **out of fit** (`data/out-of-fit.toml`: events never fitted) by the fit to every event. `covered`: the predictive 90% interval\nmeets the reported interval (for a consistency check `.largest`, `<= x`: the predicted median is at or below x). `log10 error`: log10(predicted median / reported value), where the\nreported value is the geometric middle of the reported interval (a regional share is compared\nthe same way, as a ratio of shares; a consistency check `.largest` errs only above its bound); within ±0.301 is within a factor of 2, ±0.176 within 1.5x.\n\n![reported against predicted](images/validation.png)\n\n`shape`: what the figure tests, and so the mechanism a miss points to (`calibrate/mechanism.rs`, docs/MODEL.md §11 \"Validation\").\n\n| role | event | figure | shape | observed | predicted median | 90% interval | covered | log10 error | within 2x |\n|---|---|---|---|---|---|---|---|---|---|\n"
    );
    let rows = roles(full, results);
    for (role, r) in &rows {
        let within = r.log10_error.abs() <= 2f64.log10();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | [{}, {}] | {} | {:.3} | {} |\n",
            role.name(),
            r.event,
            r.id,
            r.shape.label(),
            r.observed(),
            r.show(r.predicted_median),
            r.show(r.predicted_p05),
            r.show(r.predicted_p95),
            if r.covered { "yes" } else { "no" },
            r.log10_error,
            if within { "yes" } else { "no" }
        ));
    }
    out.push_str("\nSummary by role (covered; median within 2x; within 1.5x):\n\n");
    for role in Role::ALL {
        let these: Vec<&PredictiveRow> = rows
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, row)| *row)
            .collect();
        if these.is_empty() {
            continue;
        }
        let count = |f: &dyn Fn(&PredictiveRow) -> bool| these.iter().filter(|r| f(r)).count();
        out.push_str(&format!(
            "- {}: {} figures; covered {}; within 2x {}; within 1.5x {}\n",
            role.name(),
            these.len(),
            count(&|r| r.covered),
            count(&|r| r.log10_error.abs() <= 2f64.log10()),
            count(&|r| r.log10_error.abs() <= 1.5f64.log10()),
        ));
    }
    out.push_str("\nBy shape, every role (figures; covered; median within 2x), so that a class the model cannot produce shows as a class:\n\n");
    for shape in Shape::ALL {
        let these: Vec<&PredictiveRow> = rows
            .iter()
            .filter(|(_, r)| r.shape == shape)
            .map(|(_, row)| *row)
            .collect();
        if these.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "- {}: {} figures; covered {}; within 2x {}\n",
            shape.label(),
            these.len(),
            these.iter().filter(|r| r.covered).count(),
            these
                .iter()
                .filter(|r| r.log10_error.abs() <= 2f64.log10())
                .count(),
        ));
    }
    // Time courses: each event's predicted band against every dated figure of it, so that a
    // shape error shows and not only a total (scripts/readme-images.sh copies the plots).
    let mut events: Vec<&str> = results
        .iter()
        .flat_map(|h| h.timelines.iter())
        .chain(&full.timelines)
        .map(|t| t.event.as_str())
        .collect();
    events.dedup();
    if !events.is_empty() {
        out.push_str("\nTime courses (the predicted 50% and 90% bands over time against every dated figure; left out: the fit without the event; out of fit: the fit to every event):\n\n");
        for e in events {
            out.push_str(&format!("![{e}](images/validation-timeline-{e}.png)\n"));
        }
    }
    out.push_str("\nWhere the model misses (not covered, or the median beyond a factor of 2), with the shape each tests:\n\n");
    let misses: Vec<_> = rows
        .iter()
        .filter(|(_, r)| !r.covered || r.log10_error.abs() > 2f64.log10())
        .collect();
    if misses.is_empty() {
        out.push_str("- none\n");
    }
    for (role, r) in &misses {
        let factor = 10f64.powf(r.log10_error.abs());
        let how = if r.log10_error >= 0.0 { "high" } else { "low" };
        out.push_str(&format!(
            "- {} {} ({}; {}): predicted {} against {}, {factor:.2}x {how}{}\n",
            role.name(),
            r.id,
            r.event,
            r.shape.label(),
            r.show(r.predicted_median),
            r.observed(),
            if r.covered { "" } else { ", not covered" }
        ));
    }
    if let Some(notes) = notes {
        out.push('\n');
        out.push_str(notes.trim_end());
        out.push('\n');
    }
    out.push_str("\nFits (stop reason, simulations):\n\n");
    out.push_str(&format!(
        "- every event: {}, {} simulations\n",
        full.stop, full.simulations
    ));
    for h in results {
        out.push_str(&format!(
            "- without {}: {}, {} simulations\n",
            h.event, h.stop, h.simulations
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::abc::StopReason;
    use crate::calibrate::mechanism::Shape;

    fn row(id: &str, share: bool, low: f64, high: f64, median: f64) -> PredictiveRow {
        PredictiveRow {
            id: id.into(),
            event: "e".into(),
            counts: "arrivals".into(),
            statement: String::new(),
            source: String::new(),
            share,
            upper_bound: false,
            observed_low: low,
            observed_high: high,
            predicted_median: median,
            predicted_p05: median / 2.0,
            predicted_p95: median * 2.0,
            covered: true,
            fitted: true,
            ratio: false,
            shape: if share {
                Shape::RegionalShare
            } else {
                Shape::Size
            },
            log10_error: (median / (low * high).sqrt()).log10(),
        }
    }

    #[test]
    fn factor_of_two_is_judged_on_ratios_for_counts_and_shares_alike() {
        let held = HeldOut {
            event: "e".into(),
            rows: vec![
                row("count-close", false, 70e6, 80e6, 40e6),
                row("count-far", false, 70e6, 80e6, 30e6),
                // 4% against 8%: within 5 percentage points, but half the share.
                row("share-far", true, 0.075, 0.085, 0.035),
                row("share-close", true, 0.375, 0.385, 0.40),
            ],
            timelines: Vec::new(),
            stop: StopReason::AcceptanceTooLow,
            simulations: 10,
        };
        let full = FullFit {
            rows: vec![row("fitted-one", false, 1e6, 2e6, 1.5e6)],
            out_of_fit: vec![row("outside-one", false, 1e6, 2e6, 5e6)],
            timelines: Vec::new(),
            stop: StopReason::AcceptanceTooLow,
            simulations: 20,
        };
        let md = validation_markdown(&full, &[held], "surge validate", Some("A note."));
        let verdict = |id: &str| {
            let line = md.lines().find(|l| l.contains(id)).unwrap();
            line.trim_end_matches(" |")
                .rsplit("| ")
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(verdict("count-close"), "yes");
        assert_eq!(verdict("count-far"), "no");
        assert_eq!(verdict("share-far"), "no");
        assert_eq!(verdict("share-close"), "yes");
        assert!(md.contains("| 3.5% |"), "{md}");
        assert!(md.contains("- without e: acceptance_too_low, 10 simulations"));
        assert!(md.contains("| fitted | e | fitted-one | size"), "{md}");
        assert!(md.contains("| left out | e | count-close | size"), "{md}");
        assert!(md.contains("| out of fit | e | outside-one | size"), "{md}");
        // Every miss names its shape, and the summary counts by shape.
        assert!(
            md.contains("- regional share (regional inputs): 2 figures; covered 2; within 2x 1"),
            "{md}"
        );
        assert!(
            md.contains("- out of fit: 1 figures; covered 1; within 2x 0; within 1.5x 0"),
            "{md}"
        );
        assert_eq!(verdict("outside-one"), "no");
        // The misses are listed after the summary, then the notes.
        let misses = md.split("Where the model misses").nth(1).unwrap();
        assert!(
            misses.contains(
                "- out of fit outside-one (e; size (looking rates, news, populations)): predicted"
            ),
            "{misses}"
        );
        assert!(misses.contains("- left out count-far"), "{misses}");
        assert!(!misses.contains("count-close"), "{misses}");
        assert!(misses.contains("\nA note.\n"), "{misses}");
    }
}
