//! Plots, drawn from saved results only (never from a live simulation), as PNG and SVG, with an
//! embedded DejaVu Sans font so they render the same on a machine with no fonts at all.

mod adoption;
mod compare;
pub mod observed;
mod rate;
mod regions;
mod sensitivity;
pub mod style;
mod sweep;
mod tune;
mod validation;

pub use adoption::Adoption;
pub use compare::CompareChart;
pub use rate::Rate;
pub use regions::Regions;
pub use sensitivity::SensitivityChart;
pub use sweep::{SweepChart, SweepHeatmap};
pub use tune::TuneChart;
pub use validation::{CheckedFigure, ValidationChart};

use super::atomic::{WriteError, write_atomic};
use super::series::SavedRun;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Errors while drawing or writing a plot.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("drawing the {name} plot: {message}")]
    Draw { name: String, message: String },
    #[error("encoding {name}.png: {message}")]
    Encode { name: String, message: String },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("--width and --height must be between 200 and 8000 pixels, got {0}x{1}")]
    Size(u32, u32),
}

/// Picture size in pixels (the SVG uses the same units).
#[derive(Debug, Clone, Copy)]
pub struct PlotSize {
    pub width: u32,
    pub height: u32,
}

impl PlotSize {
    pub fn new(width: u32, height: u32) -> Result<Self, PlotError> {
        if (200..=8000).contains(&width) && (200..=8000).contains(&height) {
            Ok(PlotSize { width, height })
        } else {
            Err(PlotError::Size(width, height))
        }
    }
}

impl Default for PlotSize {
    fn default() -> Self {
        PlotSize {
            width: 1600,
            height: 1000,
        }
    }
}

/// A picture that can be drawn on any plotters backend.
pub trait Figure {
    /// File stem: `<name>.png` and `<name>.svg`.
    fn name(&self) -> String;
    /// The title at the top of the picture.
    fn title(&self) -> String;
    /// A line at the bottom saying what the bands are and how many runs made them.
    fn footer(&self) -> String;
    /// Draws everything between the title and the footer.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// The footer of a run's plots: runs, seed and what the bands carry.
pub fn run_footer(run: &SavedRun) -> String {
    let s = &run.summary;
    format!("{} runs, seed {}. Bands: {}.", s.runs, s.seed, s.band)
}

fn draw_titled<DB: DrawingBackend>(
    figure: &impl Figure,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(style::err)?;
    // The title is set 12 px below the top edge: at 0, its ascenders were cut off.
    let body = root
        .margin(12, 0, 0, 0)
        .titled(&figure.title(), (style::FONT, 34))
        .map_err(style::err)?;
    let height = body.dim_in_pixel().1;
    let (body, footer) = body.split_vertically(height.saturating_sub(36));
    figure.draw(&body)?;
    let grey = RGBColor(80, 80, 80);
    footer
        .draw(&Text::new(
            figure.footer(),
            (20, 6),
            (style::FONT, 19).into_font().color(&grey),
        ))
        .map_err(style::err)?;
    root.present().map_err(style::err)
}

/// Draws `figure` into `<dir>/<name>.png` and `<dir>/<name>.svg`, each written atomically.
pub fn render(figure: &impl Figure, dir: &Path, size: PlotSize) -> Result<Vec<PathBuf>, PlotError> {
    style::register_fonts();
    let name = figure.name();
    let draw_err = |message| PlotError::Draw {
        name: name.to_string(),
        message,
    };
    let (w, h) = (size.width, size.height);
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw_titled(figure, &root).map_err(draw_err)?;
    }
    let mut png = Vec::new();
    let encode_err = |e: image::ImageError| PlotError::Encode {
        name: name.to_string(),
        message: e.to_string(),
    };
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&pixels, w, h, image::ColorType::Rgb8)
        .map_err(encode_err)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_titled(figure, &root).map_err(draw_err)?;
    }
    let png_path = dir.join(format!("{name}.png"));
    let svg_path = dir.join(format!("{name}.svg"));
    write_atomic(&png_path, &png)?;
    write_atomic(&svg_path, svg.as_bytes())?;
    Ok(vec![png_path, svg_path])
}

/// Draws the plots of one `surge run` output folder into that folder.
pub fn draw_run_plots(run: &SavedRun, size: PlotSize) -> Result<Vec<PathBuf>, PlotError> {
    let mut written = render(&Adoption { run }, &run.dir, size)?;
    written.extend(render(&Rate { run }, &run.dir, size)?);
    written.extend(render(&Regions { run }, &run.dir, size)?);
    Ok(written)
}

use image::ImageEncoder;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::series::{SeriesPoint, SeriesTable};
    use crate::report::summary::{AppInfo, EventInfo, ParametersInfo, ScenarioInfo, Summary};

    /// A saved run with one app whose 90% band spans a wide range around its median.
    fn synthetic(dir: &Path) -> SavedRun {
        let mut series = SeriesTable::default();
        for metric in [
            "registrations",
            "reactivations",
            "registration_rate",
            "queue_wait",
            "arrivals",
        ] {
            let points = (0..=40)
                .map(|i| {
                    let h = f64::from(i) - 4.0;
                    let m = if h < 0.0 { 0.0 } else { 1000.0 * h };
                    SeriesPoint {
                        hours: h,
                        time_utc: String::new(),
                        mean: m,
                        p05: 0.3 * m,
                        p25: 0.7 * m,
                        p50: m,
                        p75: 1.3 * m,
                        p95: 1.8 * m,
                    }
                })
                .collect();
            series
                .series
                .insert(("alt".into(), "all".into(), metric.into()), points);
        }
        SavedRun {
            dir: dir.to_path_buf(),
            observed: Vec::new(),
            summary: Summary {
                surge_version: "test".into(),
                scenario: ScenarioInfo {
                    name: "synthetic".into(),
                    file: String::new(),
                    sha256: String::new(),
                },
                seed: 1,
                runs: 10,
                engine: String::new(),
                sampler: Default::default(),
                steps: None,
                network: None,
                band: "test".into(),
                quantiles: String::new(),
                parameters: ParametersInfo {
                    kind: "fixed".into(),
                    file: String::new(),
                    values: None,
                    sha256: None,
                },
                event: EventInfo {
                    kind: "outage".into(),
                    services: vec![],
                    start: "2021-10-04T15:39:00Z".into(),
                    duration_hours: Some(6.0),
                },
                more_events: Vec::new(),
                apps: vec![AppInfo {
                    name: "alt".into(),
                    capacity_per_second: Some(100.0),
                    capacity_is_regional: false,
                    regional_capacity: Vec::new(),
                }],
                regions: vec![],
                utc_offsets: vec![],
                values: vec![],
                step_hours: 1.0,
                headline: vec![],
                limits: vec![],
            },
            series,
            spaghetti: Default::default(),
            run_columns: vec![],
            run_values: vec![],
        }
    }

    /// Pixels tinted with the first palette colour but much lighter than it: band pixels.
    fn band_pixels(png: &[u8]) -> usize {
        let img = image::load_from_memory(png).unwrap().to_rgb8();
        img.pixels()
            .filter(|p| {
                let [r, _, b] = p.0;
                b > r.saturating_add(20) && r > 120 && r < 235 && b > 200
            })
            .count()
    }

    /// Pixels with the outage's warm tint (orange over white, lighter than any band).
    fn outage_pixels(png: &[u8]) -> usize {
        let img = image::load_from_memory(png).unwrap().to_rgb8();
        img.pixels()
            .filter(|p| {
                let [r, g, b] = p.0;
                r > 240 && g.saturating_add(4) < r && b.saturating_add(4) < g
            })
            .count()
    }

    #[test]
    fn further_events_are_shaded_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut run = synthetic(dir.path());
        let size = PlotSize::new(800, 500).unwrap();
        render(&Adoption { run: &run }, dir.path(), size).unwrap();
        let one = outage_pixels(&std::fs::read(dir.path().join("adoption.png")).unwrap());
        let later = EventInfo {
            kind: "outage".into(),
            services: vec!["alt".into()],
            start: "2021-10-05T11:39:00Z".into(),
            duration_hours: Some(8.0),
        };
        assert_eq!(
            style::further_event_label(&later),
            "then: alt down 05 Oct 11:39, 8 h"
        );
        run.summary.more_events.push(later);
        render(&Adoption { run: &run }, dir.path(), size).unwrap();
        let two = outage_pixels(&std::fs::read(dir.path().join("adoption.png")).unwrap());
        // The further outage (8 h from +20 h) adds a block to each of two panels.
        assert!(two > one + 1_000, "{one} tinted pixels, then {two}");
    }

    #[test]
    fn adoption_bands_are_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let run = synthetic(dir.path());
        render(
            &Adoption { run: &run },
            dir.path(),
            PlotSize::new(800, 500).unwrap(),
        )
        .unwrap();
        let png = std::fs::read(dir.path().join("adoption.png")).unwrap();
        let tinted = band_pixels(&png);
        // The bands cover a large triangle in each of two panels: thousands of pixels.
        assert!(tinted > 5_000, "only {tinted} band pixels");
        // Without a spread there is no band.
        let mut flat = run.clone();
        for points in flat.series.series.values_mut() {
            for p in points.iter_mut() {
                (p.p05, p.p25, p.p75, p.p95) = (p.p50, p.p50, p.p50, p.p50);
            }
        }
        render(
            &Adoption { run: &flat },
            dir.path(),
            PlotSize::new(800, 500).unwrap(),
        )
        .unwrap();
        let flat_png = std::fs::read(dir.path().join("adoption.png")).unwrap();
        assert!(band_pixels(&flat_png) < tinted / 10);
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        assert!(PlotSize::new(10, 1000).is_err());
        assert!(PlotSize::new(1600, 1000).is_ok());
    }
}
