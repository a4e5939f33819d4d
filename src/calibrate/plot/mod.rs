//! The fit's plots (posterior marginals, reported against predicted, each event's timeline),
//! drawn with report's plotting (`report::plot`) from calibrate's own types, so that report
//! imports nothing from calibrate.

mod fit;
mod timeline;

pub use fit::FitPlots;
pub use timeline::TimelinePlot;
