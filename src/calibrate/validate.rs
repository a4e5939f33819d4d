//! Leave-one-event-out validation: fit on the other events, predict the held-out one.

use super::CalibrationError;
use super::abc::{AbcSettings, FitProgress, fit};
use super::observations::ObservationSet;
use super::predict::EventSet;
use super::priors::Priors;
use super::report::{PredictiveRow, predictive};
use crate::scenario::Behaviour;

/// Predictions for one held-out event.
#[derive(Debug, Clone)]
pub struct HeldOut {
    pub event: String,
    pub rows: Vec<PredictiveRow>,
    pub stop: super::abc::StopReason,
    pub simulations: usize,
}

/// For each event: fit on the others, then predict its observations from that posterior.
pub fn leave_one_out(
    set: &ObservationSet,
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
        let train_events = EventSet::new(&train, None)?;
        let test_events = EventSet::new(&test, None)?;
        let posterior = fit(&train_events, priors, base, settings, progress);
        let rows = predictive(&test_events, &posterior, priors, base, draws, settings.seed);
        out.push(HeldOut {
            event: name,
            rows,
            stop: posterior.stop,
            simulations: posterior.simulations,
        });
    }
    Ok(out)
}

/// The validation table as Markdown (docs/validation.md).
pub fn validation_markdown(results: &[HeldOut], command: &str) -> String {
    let mut out = format!(
        "# Leave-one-event-out validation\n\nRegenerate with `{command}`.\n\nEach event is predicted by a fit to the *other* events only. `covered`: the predictive 90% interval\nmeets the reported interval. `log10 error`: log10(predicted median / reported value), where the\nreported value is the geometric middle of the reported interval (a regional share is compared\nthe same way, as a ratio of shares); within ±0.301 is within a factor of 2.\n\n| held-out event | figure | observed | predicted median | 90% interval | covered | log10 error | within 2x |\n|---|---|---|---|---|---|---|---|\n"
    );
    let show = |r: &PredictiveRow, v: f64| {
        if r.share {
            format!("{:.1}%", 100.0 * v)
        } else {
            crate::report::format::human(v)
        }
    };
    for h in results {
        for r in &h.rows {
            let within = r.log10_error.abs() <= 2f64.log10();
            out.push_str(&format!(
                "| {} | {} | [{}, {}] | {} | [{}, {}] | {} | {:.3} | {} |\n",
                h.event,
                r.id,
                show(r, r.observed_low),
                show(r, r.observed_high),
                show(r, r.predicted_median),
                show(r, r.predicted_p05),
                show(r, r.predicted_p95),
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
