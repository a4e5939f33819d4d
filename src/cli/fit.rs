//! `surge fit`: the behavioural parameters fitted to the reported figures.

use super::args::{FitSettingsArgs, ReportArgs, SizeArgs};
use super::progress::FitBar;
use anyhow::Result;
use std::path::PathBuf;
use surge::calibrate::report::{fit_text, observation_table};
use surge::workflow::fit::FitRequest;

#[derive(Debug, clap::Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub settings: FitSettingsArgs,
    /// Leave this event (scenario name, e.g. facebook-2021-10-04) out of the fit and predict it.
    #[arg(long)]
    pub hold_out: Option<String>,
    /// Output folder for posterior.csv, fitted.toml, fit.json and the plots [default: output/fit,
    /// or output/fit-holdout-<EVENT> with --hold-out].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where else to write the fitted parameters (posterior medians) [default: only <out>/fitted.toml].
    #[arg(long, conflicts_with = "hold_out")]
    pub fitted: Option<PathBuf>,
    /// Also replace the shipped params/fitted.toml and params/fitted-posterior.csv, which every
    /// shipped scenario runs with.
    #[arg(long, conflicts_with = "hold_out")]
    pub write_params: bool,
    /// Replace an output folder that holds another command's results.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn fit(args: &FitArgs) -> Result<()> {
    let request = FitRequest {
        settings: args.settings.settings(),
        hold_out: args.hold_out.clone(),
        out: args.out.clone(),
        force: args.force,
        fitted: args.fitted.clone(),
        write_params: args.write_params,
        size: args.size.size()?,
    };
    let bar = FitBar::new(args.settings.quiet);
    let result = surge::workflow::fit::fit(&request, &bar);
    bar.finish();
    let result = result?;
    args.report.write(&result.out, args.settings.quiet)?;
    print!("{}", fit_text(&result.report));
    if let Some(rows) = &result.held {
        println!(
            "\nheld-out event {}:\n{}",
            args.hold_out.as_deref().unwrap_or(""),
            observation_table(rows)
        );
    }
    if let Some(p) = &result.shipped_posterior {
        println!("shipped posterior: {}", p.display());
    }
    for f in &result.fitted_files {
        println!("fitted parameters: {}", f.display());
    }
    println!(
        "fit took {:.1} s ({} simulations); results: {}",
        result.seconds,
        result.report.simulations,
        result.out.display()
    );
    Ok(())
}
