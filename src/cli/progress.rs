//! Progress bars on the terminal (indicatif) behind the workflow's progress traits; hidden with
//! --quiet or off a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use surge::calibrate::abc::{FitProgress, Generation};
use surge::workflow::Progress;

/// A bar of runs: "runs 120/1000 [====>   ] 85 runs/s eta 10s".
pub const RUNS: &str = "{spinner} runs {pos}/{len} [{bar:40}] {rate} eta {eta}";
/// A bar of a design's runs with the points done beside it.
pub const POINTS: &str = "{spinner} {msg} · runs {pos}/{len} [{bar:30}] {rate} eta {eta}";

/// A bar over units of work; `notes` are printed to stderr (not with --quiet).
pub struct Bar {
    bar: ProgressBar,
    quiet: bool,
}

impl Bar {
    pub fn new(quiet: bool, template: &str) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .with_key(
                        "rate",
                        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.0} runs/s", state.per_sec());
                        },
                    )
                    .progress_chars("=> "),
            );
            bar
        };
        Bar { bar, quiet }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.bar.set_length(total);
        self.bar.set_position(0);
    }
    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
    fn status(&self, text: &str) {
        self.bar.set_message(text.to_string());
    }
    fn note(&self, text: &str) {
        if !self.quiet {
            self.bar.suspend(|| eprintln!("{text}"));
        }
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The fit's bar: generation, tolerance and acceptance.
pub struct FitBar(ProgressBar);

impl FitBar {
    pub fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return FitBar(ProgressBar::hidden());
        }
        let b = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} accepted, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        FitBar(b)
    }
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl FitProgress for FitBar {
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

/// Prints what a sharded workflow gave back (nothing with --quiet): a part's note, or the whole
/// result through `whole`.
pub fn print_sharded<T>(
    quiet: bool,
    result: surge::workflow::parts::Sharded<T>,
    whole: impl FnOnce(T),
) {
    if quiet {
        return;
    }
    match result {
        surge::workflow::parts::Sharded::Part { note } => println!("{note}"),
        surge::workflow::parts::Sharded::Whole(r) => whole(r),
    }
}
