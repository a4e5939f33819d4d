//! The `fit` and `validate` subcommands (CLI edge of `surge::calibrate`).

use crate::cli::{FitArgs, FitSettingsArgs, ValidateArgs};
use crate::commands::worker_pool;
use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;
use surge::calibrate::abc::Generation;
use surge::calibrate::report::{
    FitReport, PredictiveRow, fit_text, fitted_toml, observation_table, parameter_rows,
    posterior_csv, predictive,
};
use surge::calibrate::timeline::EventTimeline;
use surge::calibrate::validate::{Role, full_fit, leave_one_out, roles, validation_markdown};
use surge::calibrate::{
    AbcSettings, EventSet, FitProgress, ObservationSet, Priors, fit, load_observations, load_priors,
};
use surge::report::atomic::{create_folder, write_atomic};
use surge::report::plot::{
    CheckedFigure, FitPlots, PlotSize, TimelinePlot, ValidationChart, render,
};
use surge::scenario::{Behaviour, load_params};

/// The parameters and posterior every shipped scenario runs with (`surge fit --write-params`).
const SHIPPED_FITTED: &str = "params/fitted.toml";
const SHIPPED_POSTERIOR: &str = "params/fitted-posterior.csv";

/// Progress bar: generation, tolerance and acceptance (hidden with --quiet or off a terminal).
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let b = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} accepted, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bar(b)
    }
}

impl FitProgress for Bar {
    fn generation_started(&self, index: usize, epsilon: f64, particles: usize) {
        self.0.reset();
        self.0.set_length(particles as u64);
        self.0
            .set_message(format!("generation {index}, tolerance {epsilon:.3}"));
    }
    fn simulated(&self, accepted: usize) {
        self.0.inc(accepted as u64);
    }
    fn generation_finished(&self, g: &Generation) {
        self.0.println(format!(
            "generation {}: tolerance {:.3}, acceptance {:.1}%, {} simulations",
            g.index,
            g.epsilon,
            100.0 * g.acceptance_rate,
            g.simulations
        ));
    }
}

/// What both `fit` and `validate` read first.
struct Inputs {
    base: Behaviour,
    priors: Priors,
    settings: AbcSettings,
    /// All observations of `--observations`.
    all: ObservationSet,
}

fn inputs(a: &FitSettingsArgs) -> Result<Inputs> {
    let base = load_params(&a.params)?;
    let priors = load_priors(&a.priors, &base)?;
    if a.particles < 10 {
        bail!("--particles must be at least 10, got {}", a.particles);
    }
    if a.draws < 2 {
        bail!(
            "--draws must be at least 2 (posterior predictive intervals and timelines need them), got {}",
            a.draws
        );
    }
    let settings = AbcSettings {
        particles: a.particles,
        max_generations: a.generations,
        max_simulations: a.max_simulations,
        seed: a.seed,
        ..AbcSettings::default()
    };
    Ok(Inputs {
        base,
        priors,
        settings,
        all: load_observations(&a.observations)?,
    })
}

pub fn fit_command(args: &FitArgs) -> Result<()> {
    let a = &args.settings;
    let Inputs {
        base,
        priors,
        settings,
        all,
    } = inputs(a)?;
    let (train, test) = match &args.hold_out {
        Some(event) => {
            let (train, test) = all.without_event(event);
            if test.observations.is_empty() {
                let names: Vec<_> = all
                    .events()
                    .iter()
                    .filter_map(|e| e.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .collect();
                bail!(
                    "--hold-out {event}: no observation is of that event (events: {})",
                    names.join(", ")
                );
            }
            (train, Some(test))
        }
        None => (all, None),
    };
    if !train.any_fitted() {
        match &args.hold_out {
            Some(event) => bail!(
                "--hold-out {event}: no other event has an observation with `fitted = true` in {}, so nothing is left to fit",
                a.observations.display()
            ),
            None => bail!(
                "{}: every observation has `fitted = false`, so nothing is left to fit",
                a.observations.display()
            ),
        }
    }
    let size = PlotSize::new(args.size.width, args.size.height)?;
    let out = args.out.clone().unwrap_or_else(|| match &args.hold_out {
        Some(event) => PathBuf::from("output").join(format!("fit-holdout-{event}")),
        None => PathBuf::from("output/fit"),
    });
    // --engine and the agent options replace each event's own engine, for the fitted and the
    // held-out events alike (both checked before the fit).
    let on_engines = |set: &ObservationSet| -> Result<EventSet> {
        let mut events = EventSet::new(set, Some(&a.params))?;
        events.engines = events
            .scenarios
            .iter()
            .map(|s| crate::commands::engine_kind(&a.engine, s.engine.clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(events)
    };
    let events = on_engines(&train)?;
    let test_events = test.as_ref().map(on_engines).transpose()?;
    let started = Instant::now();
    let progress = Bar::new(a.quiet);
    let reporter: &dyn FitProgress = &progress;
    let pool = worker_pool(a.threads)?;
    let (posterior, fitted, held) = pool.install(|| {
        let posterior = fit(&events, &priors, &base, &settings, reporter);
        let fitted = predictive(&events, &posterior, &priors, &base, a.draws, settings.seed);
        let held = test_events
            .as_ref()
            .map(|e| predictive(e, &posterior, &priors, &base, a.draws, settings.seed));
        (posterior, fitted, held)
    });
    progress.0.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let report = FitReport {
        surge_version: env!("CARGO_PKG_VERSION").into(),
        observations_file: a.observations.display().to_string(),
        priors_file: a.priors.display().to_string(),
        held_out: args.hold_out.clone(),
        settings: settings.clone(),
        stop_reason: posterior.stop,
        simulations: posterior.simulations,
        generations: posterior.generations.clone(),
        parameters: parameter_rows(&posterior, &priors),
        observations: fitted.rows,
    };
    create_folder(&out)?;
    let posterior_bytes = posterior_csv(&posterior)?;
    write_atomic(&out.join("posterior.csv"), &posterior_bytes)?;
    let mut json = serde_json::to_vec_pretty(&report)?;
    json.push(b'\n');
    write_atomic(&out.join("fit.json"), &json)?;
    render(
        &FitPlots::Marginals {
            report: &report,
            posterior: &posterior,
        },
        &out,
        size,
    )?;
    render(
        &FitPlots::Observations {
            rows: &report.observations,
            title: "fitted figures: observed vs posterior predictive",
        },
        &out,
        size,
    )?;
    let mut timelines = fitted.timelines;
    timelines.extend(held.iter().flat_map(|h| h.timelines.iter().cloned()));
    let source = format!("posterior predictive, {} draws", a.draws);
    write_timelines(&out, &timelines, &source, size)?;
    print!("{}", fit_text(&report));
    if let Some(held) = held {
        // The held-out event's figures were not in this fit: the table calls them predicted.
        let rows: Vec<_> = held
            .rows
            .into_iter()
            .map(|r| PredictiveRow { fitted: false, ..r })
            .collect();
        println!(
            "\nheld-out event {}:\n{}",
            args.hold_out.as_deref().unwrap_or(""),
            observation_table(&rows)
        );
    } else {
        let toml = fitted_toml(&report, &base);
        let mut targets = vec![out.join("fitted.toml")];
        targets.extend(args.fitted.clone());
        if args.write_params {
            targets.push(PathBuf::from(SHIPPED_FITTED));
            write_atomic(Path::new(SHIPPED_POSTERIOR), &posterior_bytes)?;
            println!("shipped posterior: {SHIPPED_POSTERIOR}");
        }
        for target in targets {
            write_atomic(&target, toml.as_bytes())?;
            println!("fitted parameters: {}", target.display());
        }
    }
    println!(
        "fit took {seconds:.1} s ({} simulations); results: {}",
        posterior.simulations,
        out.display()
    );
    Ok(())
}

/// Writes `timelines.json` (every event's timeline of this command) and one plot per event.
fn write_timelines(
    dir: &Path,
    timelines: &[EventTimeline],
    source: &str,
    size: PlotSize,
) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(timelines)?;
    json.push(b'\n');
    write_atomic(&dir.join("timelines.json"), &json)?;
    for timeline in timelines {
        render(&TimelinePlot { timeline, source }, dir, size)?;
    }
    Ok(())
}

pub fn validate_command(args: &ValidateArgs) -> Result<()> {
    let a = &args.settings;
    if a.engine.engine.is_some() || a.engine.agent_options_given() {
        bail!(
            "surge validate runs each scenario on its own engine (simulation.engine); --engine and the agent options are for surge run and surge fit"
        );
    }
    let Inputs {
        base,
        priors,
        settings,
        all,
    } = inputs(a)?;
    let size = PlotSize::new(args.size.width, args.size.height)?;
    let markdown_file = args
        .markdown
        .clone()
        .unwrap_or_else(|| args.out.join("validation.md"));
    let started = Instant::now();
    let progress = Bar::new(a.quiet);
    let reporter: &dyn FitProgress = &progress;
    let catalogue = if args.no_catalogue {
        None
    } else {
        Some(load_observations(&args.catalogue)?)
    };
    let (full, results) = worker_pool(a.threads)?.install(|| {
        let full = full_fit(
            &all,
            catalogue.as_ref(),
            &a.params,
            &priors,
            &base,
            &settings,
            a.draws,
            reporter,
        )?;
        let held = leave_one_out(
            &all, &a.params, &priors, &base, &settings, a.draws, reporter,
        )?;
        Ok::<_, surge::calibrate::CalibrationError>((full, held))
    })?;
    progress.0.finish_and_clear();
    let command = format!(
        "surge validate --particles {} --generations {} --max-simulations {} --seed {}",
        a.particles, a.generations, a.max_simulations, a.seed
    );
    let markdown = validation_markdown(&full, &results, &command);
    create_folder(&args.out)?;
    let timelines: Vec<EventTimeline> = results
        .iter()
        .flat_map(|h| h.timelines.iter().cloned())
        .collect();
    let source = format!(
        "predicted from the fit without this event, {} draws",
        a.draws
    );
    write_timelines(&args.out, &timelines, &source, size)?;
    let source = format!(
        "out of fit: predicted from the fit to every event, {} draws",
        a.draws
    );
    write_timelines(&args.out, &full.timelines, &source, size)?;
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
        &args.out,
        size,
    )?;
    write_atomic(&markdown_file, markdown.as_bytes())?;
    print!("{markdown}");
    println!(
        "\nvalidation took {:.1} s; table: {}",
        started.elapsed().as_secs_f64(),
        markdown_file.display()
    );
    Ok(())
}
