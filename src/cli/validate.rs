//! `surge validate`: leave-one-event-out and out-of-fit checks of the fit.

use super::args::{FitSettingsArgs, ReportArgs, SizeArgs, shipped_or};
use super::progress::FitBar;
use anyhow::Result;
use std::path::PathBuf;
use surge::workflow::validate::ValidateRequest;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub settings: FitSettingsArgs,
    /// Where to write the validation table [default: <out>/validation.md; the shipped table is
    /// docs/validation.md].
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Figures of events never fitted, predicted from the fit to every event ("out of fit")
    /// [default: data/out-of-fit.toml of the working folder if it has one, else the one shipped
    /// with surge].
    #[arg(long)]
    pub catalogue: Option<PathBuf>,
    /// What mechanism each miss points to (written by people), put after the list of misses in
    /// the table; skipped if the file does not exist [default: data/validation-notes.md, found
    /// as --catalogue].
    #[arg(long)]
    pub notes: Option<PathBuf>,
    /// Leave the out-of-fit catalogue out.
    #[arg(long)]
    pub no_catalogue: bool,
    /// Output folder for each held-out event's timeline plot (timeline-<event>.png/svg) and timelines.json.
    #[arg(long, default_value = "output/validate")]
    pub out: PathBuf,
    /// Replace an output folder that holds another command's results.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub size: SizeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn validate(args: &ValidateArgs) -> Result<()> {
    let request = ValidateRequest {
        settings: args.settings.settings(),
        markdown: args.markdown.clone(),
        catalogue: (!args.no_catalogue)
            .then(|| shipped_or(&args.catalogue, "data/out-of-fit.toml")),
        notes: Some(shipped_or(&args.notes, "data/validation-notes.md")).filter(|p| p.is_file()),
        out: args.out.clone(),
        force: args.force,
        size: args.size.size()?,
    };
    let bar = FitBar::new(args.settings.quiet);
    let result = surge::workflow::validate::validate(&request, &bar);
    bar.finish();
    let result = result?;
    args.report.write(&args.out, args.settings.quiet)?;
    print!("{}", result.markdown);
    println!(
        "\nvalidation took {:.1} s; table: {}",
        result.seconds,
        result.markdown_file.display()
    );
    Ok(())
}
