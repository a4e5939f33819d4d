//! `surge tune`'s results: every setting's figures (`tune.csv`) and what ran (`summary.json`).

use super::ScenarioInfo;
use crate::explore::tune::{Recommendation, Setting};
use serde::{Deserialize, Serialize};

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
