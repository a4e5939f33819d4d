//! `surge tune`'s results: every setting's figures (`tune.csv`) and what ran (`summary.json`);
//! a setting's error is defined in `explore::tune`, which computes the changes, the frontier and
//! the recommendation.

use super::ScenarioInfo;
use serde::{Deserialize, Serialize};

/// One figure at one setting.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FigureAt {
    pub figure: String,
    pub mean: f64,
    pub mcse: f64,
    /// (mean - finest mean) / |finest mean| (0 at the finest setting).
    pub change: f64,
    /// Standard error of `change`.
    pub change_se: f64,
    /// Whether the figure counts towards the setting's error.
    pub tracked: bool,
}

impl FigureAt {
    /// Relative Monte Carlo error.
    pub fn relative_mcse(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.mcse / self.mean.abs()
        }
    }
    /// The change that noise does not explain: |change| less twice its standard error.
    pub fn bias(&self) -> f64 {
        (self.change.abs() - 2.0 * self.change_se).max(0.0)
    }
    pub fn error(&self) -> f64 {
        self.bias().hypot(self.relative_mcse())
    }
}

/// One setting of one dimension (the others at the scenario's values).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Setting {
    /// `step_minutes`, `runs` or `agents`.
    pub dimension: String,
    pub value: f64,
    /// Monte Carlo runs made at this setting.
    pub runs: u64,
    /// Wall time of the runs, seconds.
    pub seconds: f64,
    pub figures: Vec<FigureAt>,
}

impl Setting {
    /// The setting's error (its worst tracked figure) and that figure.
    pub fn error(&self) -> (f64, &str) {
        self.figures
            .iter()
            .filter(|f| f.tracked)
            .map(|f| (f.error(), f.figure.as_str()))
            .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a })
    }
}

/// A combination of settings and what it is predicted to cost and achieve.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recommendation {
    pub step_minutes: f64,
    pub runs: u64,
    /// For the agent engine.
    pub agents: Option<f64>,
    pub predicted_seconds: f64,
    pub predicted_error: f64,
    /// The figure that sets the error.
    pub worst_figure: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneSummary {
    pub surge_version: String,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub engine: String,
    pub parameters: String,
    /// Worker threads the times were measured with.
    pub threads: usize,
    pub quick: bool,
    pub scenario_step_minutes: f64,
    /// How a setting's error is defined.
    pub error: String,
    /// The figures a setting's error is taken over.
    pub tracked: Vec<String>,
    pub budget_seconds: Option<f64>,
    pub recommendation: Option<Recommendation>,
    /// Per setting, whether it is on the efficient frontier of (time, error).
    pub frontier: Vec<bool>,
    pub settings: Vec<Setting>,
}

/// `tune.csv`: a row per setting and headline figure.
pub fn tune_csv(summary: &TuneSummary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "dimension",
        "value",
        "runs",
        "seconds",
        "figure",
        "tracked",
        "mean",
        "mcse",
        "change",
        "change_se",
        "bias",
        "error",
        "setting_error",
        "frontier",
    ])?;
    for (s, &f) in summary.settings.iter().zip(&summary.frontier) {
        let setting_error = s.error().0;
        for fig in &s.figures {
            w.write_record([
                s.dimension.clone(),
                format!("{}", s.value),
                s.runs.to_string(),
                format!("{:.4}", s.seconds),
                fig.figure.clone(),
                fig.tracked.to_string(),
                format!("{:.6}", fig.mean),
                format!("{:.6}", fig.mcse),
                format!("{:.6}", fig.change),
                format!("{:.6}", fig.change_se),
                format!("{:.6}", fig.bias()),
                format!("{:.6}", fig.error()),
                format!("{setting_error:.6}"),
                f.to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// One line per setting: its time, its error and the figure behind it, on the frontier or not.
pub fn tune_text(summary: &TuneSummary) -> String {
    let mut text = format!(
        "{} — accuracy against cost ({} threads; error: worst tracked figure's sqrt(bias² + relative mcse²))\n{:<13} {:>11} {:>8} {:>9} {:>8}  {:<36} {}\n",
        summary.scenario.name,
        summary.threads,
        "dimension",
        "setting",
        "runs",
        "seconds",
        "error",
        "worst figure",
        "frontier"
    );
    for (s, &f) in summary.settings.iter().zip(&summary.frontier) {
        let (error, worst) = s.error();
        text.push_str(&format!(
            "{:<13} {:>11} {:>8} {:>9.2} {:>7.2}%  {:<36} {}\n",
            s.dimension,
            super::format::human(s.value),
            s.runs,
            s.seconds,
            100.0 * error,
            worst,
            if f { "*" } else { "" }
        ));
    }
    if let Some(r) = &summary.recommendation {
        let agents = r.agents.map_or(String::new(), |a| {
            format!(", {} simulated users", super::format::human(a))
        });
        text.push_str(&format!(
            "within {} s: step {} minutes, {} runs{agents}: predicted {:.1} s, error {:.2}% ({})\n",
            super::format::plain3(summary.budget_seconds.unwrap_or(0.0)),
            super::format::plain3(r.step_minutes),
            r.runs,
            r.predicted_seconds,
            100.0 * r.predicted_error,
            r.worst_figure
        ));
    }
    text
}
