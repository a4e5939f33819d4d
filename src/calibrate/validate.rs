//! Leave-one-event-out validation: fit on the other events, predict the held-out one.

use super::CalibrationError;
use super::abc::{AbcSettings, FitProgress, fit};
use super::observations::ObservationSet;
use super::predict::EventSet;
use super::priors::Priors;
use super::report::{PredictiveRow, predictive};
use super::timeline::EventTimeline;
use crate::scenario::Behaviour;
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

/// The validation table as Markdown (docs/validation.md).
pub fn validation_markdown(results: &[HeldOut], command: &str) -> String {
    let mut out = format!(
        "# Leave-one-event-out validation\n\nRegenerate with `{command}`.\n\nEach event is predicted by a fit to the *other* events only. `covered`: the predictive 90% interval\nmeets the reported interval. `log10 error`: log10(predicted median / reported value), where the\nreported value is the geometric middle of the reported interval (a regional share is compared\nthe same way, as a ratio of shares; a consistency check `.largest` errs only above its bound); within ±0.301 is within a factor of 2.\n\n| held-out event | figure | observed | predicted median | 90% interval | covered | log10 error | within 2x |\n|---|---|---|---|---|---|---|---|\n"
    );
    for h in results {
        for r in &h.rows {
            let within = r.log10_error.abs() <= 2f64.log10();
            out.push_str(&format!(
                "| {} | {} | {} | {} | [{}, {}] | {} | {:.3} | {} |\n",
                h.event,
                r.id,
                r.observed(),
                r.show(r.predicted_median),
                r.show(r.predicted_p05),
                r.show(r.predicted_p95),
                if r.covered { "yes" } else { "no" },
                r.log10_error,
                if within { "yes" } else { "no" }
            ));
        }
    }
    out.push_str("\nFits (stop reason, simulations):\n\n");
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
        let md = validation_markdown(&[held], "surge validate");
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
    }
}
