//! `validate`: leave one event out at a time (fit on the others, predict it), and predict the
//! out-of-fit catalogue from the fit to every event; writes the validation table, the
//! timelines and the validation plot into a staged folder (the table may go elsewhere).

use super::fit::{FitSettings, Inputs, inputs, write_timelines};
use super::{Context, Result, refuse};
use crate::calibrate::abc::FitProgress;
use crate::calibrate::load_observations;
use crate::calibrate::timeline::EventTimeline;
use crate::calibrate::validate::{Role, full_fit, leave_one_out, roles, validation_markdown};
use crate::report::atomic::write_atomic;
use crate::report::folder::{Owner, Staging};
use crate::report::plot::{CheckedFigure, PlotSize, ValidationChart, render};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `--markdown FILE` outside the output folder may replace only a table `surge validate` wrote
/// (it starts "# Validation" and says how to regenerate it); a folder or a file of the user's is
/// refused before the fits.
fn check_markdown_target(file: &Path, out: &Path) -> Result<()> {
    if file.parent() == Some(out) {
        return Ok(());
    }
    let ours = crate::report::owned::replaceable_file(file, |t| {
        t.starts_with("# Validation\n") && t.contains("Regenerate with `surge validate")
    });
    if !ours {
        refuse!(
            "--markdown {}: is not a table `surge validate` wrote (a folder, or a file that does not start \"# Validation\" with its regenerate line), so surge leaves it as it is; give another path",
            file.display()
        );
    }
    Ok(())
}

/// What `validate` is asked to do.
#[derive(Debug, Clone)]
pub struct ValidateRequest {
    pub settings: FitSettings,
    /// Where the table goes [default: <out>/validation.md].
    pub markdown: Option<PathBuf>,
    /// Figures of events never fitted (none: leave the catalogue out).
    pub catalogue: Option<PathBuf>,
    /// What mechanism each miss points to, written by people, put after the list of misses.
    pub notes: Option<PathBuf>,
    /// Folder of the timelines and the plot.
    pub out: PathBuf,
    /// Replace a folder that holds another command's results.
    pub force: bool,
    pub size: PlotSize,
}

/// The validation table and where it went.
#[derive(Debug)]
pub struct ValidateResult {
    pub markdown: String,
    pub markdown_file: PathBuf,
    pub seconds: f64,
}

pub fn validate(request: &ValidateRequest, progress: &dyn FitProgress) -> Result<ValidateResult> {
    let a = &request.settings;
    if a.engine.engine.is_some()
        || a.engine.agent_options_given()
        || a.engine.sampler.is_some()
        || a.engine.step_rule.is_some()
        || a.engine.step_tolerance.is_some()
    {
        refuse!(
            "surge validate runs each scenario on its own engine, sampler and step rule (simulation.engine, simulation.sampler, simulation.step_rule); --engine, --sampler, --step-rule, --step-tolerance and the agent options are for surge run and surge fit"
        );
    }
    let Inputs {
        base,
        priors,
        abc,
        all,
    } = inputs(a)?;
    let markdown_file = request
        .markdown
        .clone()
        .unwrap_or_else(|| request.out.join("validation.md"));
    let started = Instant::now();
    let catalogue = request
        .catalogue
        .as_deref()
        .map(load_observations)
        .transpose()?;
    // The notes and the output folder are checked (and the folder locked) before the fits.
    let notes = request
        .notes
        .as_deref()
        .map(|p| {
            crate::scenario::bounded::read_text_capped(p, crate::scenario::bounded::MAX_INPUT_BYTES)
                .with_context(|| format!("reading {}", p.display()))
        })
        .transpose()?;
    check_markdown_target(&markdown_file, &request.out)?;
    let staging = Staging::begin_for(&request.out, Owner::Marker("timelines.json"), request.force)?;
    let (full, results) = super::pool::worker_pool(a.threads)?.install(|| {
        let full = full_fit(
            &all,
            catalogue.as_ref(),
            &a.params,
            &priors,
            &base,
            &abc,
            a.draws,
            progress,
        )?;
        let held = leave_one_out(&all, &a.params, &priors, &base, &abc, a.draws, progress)?;
        Ok::<_, crate::calibrate::CalibrationError>((full, held))
    })?;
    let command = format!(
        "surge validate --particles {} --generations {} --max-simulations {} --seed {}",
        a.particles, a.generations, a.max_simulations, a.seed
    );
    let markdown = validation_markdown(&full, &results, &command, notes.as_deref());
    let dir = staging.path();
    let timelines: Vec<EventTimeline> = results
        .iter()
        .flat_map(|h| h.timelines.iter().cloned())
        .collect();
    let left_out = format!(
        "predicted from the fit without this event, {} draws",
        a.draws
    );
    let out_of_fit = format!(
        "out of fit: predicted from the fit to every event, {} draws",
        a.draws
    );
    write_timelines(
        dir,
        &[(&timelines, left_out), (&full.timelines, out_of_fit)],
        request.size,
    )?;
    let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
    let figures: Vec<CheckedFigure> = roles(&full, &results)
        .into_iter()
        .filter(|(_, r)| !r.share && !r.ratio && !r.upper_bound)
        .map(|(role, r)| CheckedFigure {
            role: role as usize,
            observed: (r.observed_low * r.observed_high).sqrt(),
            median: r.predicted_median,
            p05: r.predicted_p05,
            p95: r.predicted_p95,
        })
        .collect();
    render(
        &ValidationChart {
            roles: &names,
            figures: &figures,
        },
        dir,
        request.size,
    )?;
    // The table goes into the staged folder when it belongs there, else beside it.
    let inside = markdown_file.parent() == Some(request.out.as_path());
    match markdown_file.file_name() {
        Some(name) if inside => write_atomic(&dir.join(name), markdown.as_bytes())?,
        _ => write_atomic(&markdown_file, markdown.as_bytes())?,
    }
    staging.commit()?;
    Ok(ValidateResult {
        markdown,
        markdown_file,
        seconds: started.elapsed().as_secs_f64(),
    })
}
