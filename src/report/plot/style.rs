//! Shared look of every plot: the embedded font, a colour-blind-safe palette, the time axis,
//! bands, the outage shading and a legend drawn beside the data (never over it).

use crate::report::series::SeriesPoint;
use chrono::{DateTime, Utc};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::sync::Once;

/// Okabe & Ito (2008) colour-blind-safe palette (black left out: it is used for text and capacity).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Grey for what is summed or left out ("57 other regions"): not a palette colour.
pub const OTHERS: RGBColor = RGBColor(160, 160, 160);

/// At most this many series are drawn in one chart, one per palette colour, so no two drawn
/// series share a colour (16 apps' bands on top of each other read as mud).
pub const MOST_DRAWN: usize = PALETTE.len();

/// The items one chart draws: the [`MOST_DRAWN`] largest by `size` (ties to the earlier), in
/// their original order, so that with up to seven items everything is drawn in the order given.
/// The legend says how many were left out and where to find them.
pub fn most_drawn(sizes: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].total_cmp(&sizes[a]).then(a.cmp(&b)));
    order.truncate(MOST_DRAWN);
    order.sort_unstable();
    order
}

/// `text`, cut in the middle with an ellipsis to at most `max_px` pixels wide in `font`
/// (names may be 100 characters long; a legend strip is 380 px). The middle goes, so names
/// that differ only at the end ("..._number_57") stay apart.
pub fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
    max_px: u32,
) -> String {
    let style = TextStyle::from(font.clone());
    let width = |t: &str| area.estimate_text_size(t, &style).map_or(0, |(w, _)| w);
    if width(text) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let cut = |kept: usize| -> String {
        let head = kept.div_ceil(2);
        let tail = kept / 2;
        let mut s: String = chars[..head].iter().collect();
        s.push('…');
        s.extend(&chars[chars.len() - tail..]);
        s
    };
    // The most characters kept that still fit (binary search on their number).
    let (mut lo, mut hi) = (0, chars.len() - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width(&cut(mid)) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    cut(lo)
}

/// Font family used everywhere (registered for the generic names too, so no system font is asked for).
pub const FONT: &str = "sans-serif";

/// Registers DejaVu Sans (embedded via the `dejavu` crate) for every family name plotters may use.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for family in ["sans-serif", "serif", "monospace", "DejaVu Sans"] {
            // The embedded font is a valid TTF, so registration cannot fail.
            let _ =
                plotters::style::register_font(family, FontStyle::Normal, dejavu::sans::regular());
            let _ = plotters::style::register_font(family, FontStyle::Bold, dejavu::sans::bold());
        }
    });
}

pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Converts any drawing error to a message.
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// X axis in hours since the event, labelled with the UTC clock time too: "+6 h · 21:39".
pub struct TimeAxis {
    pub event_start: Option<DateTime<Utc>>,
}

impl TimeAxis {
    pub fn new(event_start: &str) -> Self {
        TimeAxis {
            event_start: parse_time(event_start),
        }
    }
    pub fn label(&self, hours: f64) -> String {
        let h = if hours.abs() < 1e-9 { 0.0 } else { hours };
        match self.event_start {
            Some(t0) => {
                let t = t0 + chrono::Duration::seconds((h * 3600.0).round() as i64);
                format!("{h:+.0} h · {}", t.format("%H:%M"))
            }
            None => format!("{h:+.0} h"),
        }
    }
    pub const DESCRIPTION: &str = "hours since the event began  ·  UTC clock time";
}

/// A filled band between two quantiles, scaled by `scale` (e.g. seconds → minutes).
pub fn draw_band<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    points: &[SeriesPoint],
    lo: fn(&SeriesPoint) -> f64,
    hi: fn(&SeriesPoint) -> f64,
    colour: RGBColor,
    alpha: f64,
    scale: f64,
) -> Result<(), String> {
    let mut outline: Vec<(f64, f64)> = points.iter().map(|p| (p.hours, hi(p) * scale)).collect();
    outline.extend(points.iter().rev().map(|p| (p.hours, lo(p) * scale)));
    chart
        .draw_series(std::iter::once(Polygon::new(
            outline,
            colour.mix(alpha).filled(),
        )))
        .map_err(err)?;
    Ok(())
}

/// Median line with its 50% and 90% bands.
pub fn draw_median_with_bands<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    points: &[SeriesPoint],
    colour: RGBColor,
    scale: f64,
    dashed: bool,
) -> Result<(), String> {
    draw_bands(chart, points, colour, scale)?;
    draw_median(chart, points, colour, scale, dashed, 3)
}

/// The 50% and 90% bands alone (to draw every result's bands before any median line, so no
/// band covers another result's median).
pub fn draw_bands<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    points: &[SeriesPoint],
    colour: RGBColor,
    scale: f64,
) -> Result<(), String> {
    draw_band(chart, points, |p| p.p05, |p| p.p95, colour, 0.15, scale)?;
    draw_band(chart, points, |p| p.p25, |p| p.p75, colour, 0.30, scale)
}

/// The median line alone, `width` pixels wide.
pub fn draw_median<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    points: &[SeriesPoint],
    colour: RGBColor,
    scale: f64,
    dashed: bool,
    width: u32,
) -> Result<(), String> {
    let line = points.iter().map(|p| (p.hours, p.p50 * scale));
    let style = colour.stroke_width(width);
    if dashed {
        chart
            .draw_series(DashedLineSeries::new(line, 12, 8, style))
            .map_err(err)?;
    } else {
        chart
            .draw_series(LineSeries::new(line, style))
            .map_err(err)?;
    }
    Ok(())
}

/// The outage block's colour (drawn at 16% opacity; further events at 8%).
pub const OUTAGE: RGBColor = RGBColor(230, 140, 40);

/// Shades the first event's outage window and every further event's (a second outage, an
/// alternative app that is down, MODEL.md §4 and §6), each labelled at the top where the label
/// fits. A further trust shock, which has no end, is a thin line at its start.
pub fn shade_events<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    summary: &crate::report::summary::Summary,
    y_max: f64,
    axis: &TimeAxis,
) -> Result<(), String> {
    if let Some(d) = summary.event.duration_hours {
        let labels = [outage_label(d, axis), "outage".into()];
        shade_window(chart, (0.0, d), 0.16, (y_max, 0.97), &labels)?;
    }
    let first = parse_time(&summary.event.start);
    for e in &summary.more_events {
        let (Some(t0), Some(t)) = (first, parse_time(&e.start)) else {
            continue;
        };
        let from = (t - t0).num_seconds() as f64 / 3600.0;
        let what = format!("{} down", e.services.join(", "));
        match e.duration_hours {
            Some(d) => shade_window(chart, (from, from + d), 0.08, (y_max, 0.90), &[what])?,
            None => {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        [(from, 0.0), (from, y_max)],
                        OUTAGE.mix(0.6).stroke_width(2),
                    )))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// "then: signal down 15 Jan 16:30, 29.5 h" (a further trust shock: "then: whatsapp trust shock
/// 15 Jan 16:30").
pub fn further_event_label(e: &crate::report::summary::EventInfo) -> String {
    let when =
        parse_time(&e.start).map_or(e.start.clone(), |t| t.format("%d %b %H:%M").to_string());
    let services = e.services.join(", ");
    match e.duration_hours {
        Some(d) => format!("then: {services} down {when}, {d} h"),
        None => format!("then: {services} {} {when}", e.kind.replace('_', " ")),
    }
}

/// An ISO 8601 time as summary.json writes it (`2021-10-04T15:39:00Z`).
pub fn parse_time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// One shaded block from `window.0` to `window.1` hours up to `y_max`, labelled at `label_at`
/// of its height with the first of `labels` that fits inside it (none if none does: the legend entry gives the times).
fn shade_window<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    window: (f64, f64),
    alpha: f64,
    (y_max, label_at): (f64, f64),
    labels: &[String],
) -> Result<(), String> {
    // A warm tint, so the outage never reads as one of the grey bands of runs.
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(window.0, 0.0), (window.1, y_max)],
            OUTAGE.mix(alpha).filled(),
        )))
        .map_err(err)?;
    let grey = RGBColor(120, 120, 120);
    let font = (FONT, 20).into_font();
    let (x0, x1) = (chart.x_range().start, chart.x_range().end);
    let (from, to) = (window.0.max(x0), window.1.min(x1));
    if to <= from {
        return Ok(());
    }
    let block_px = chart.backend_coord(&(to, 0.0)).0 - chart.backend_coord(&(from, 0.0)).0;
    let area = chart.plotting_area();
    let fits = |t: &str| {
        area.estimate_text_size(t, &TextStyle::from(font.clone()))
            .is_ok_and(|(w, _)| i64::from(w) + 8 <= i64::from(block_px))
    };
    if let Some(label) = labels.iter().find(|t| fits(t)) {
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (from, y_max * label_at),
                font.color(&grey),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// "outage (15:39 to 21:45 UTC)", or "outage (6.1 h)" without a clock.
pub fn outage_label(duration_hours: f64, axis: &TimeAxis) -> String {
    let clock = |h: f64| axis.label(h).split(" · ").nth(1).map(str::to_string);
    match (clock(0.0), clock(duration_hours)) {
        (Some(a), Some(b)) => format!("outage ({a} to {b} UTC)"),
        _ => format!("outage ({duration_hours:.1} h)"),
    }
}

/// One legend line.
pub struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub kind: LegendKind,
}

pub enum LegendKind {
    Line,
    Dashed,
    Band,
    Solid,
    Faint,
    /// A filled circle: an observed value (a nowcast's rows).
    Marker,
    /// Text only, no swatch ("+9 smaller apps, not drawn").
    Note,
}

/// Draws a legend in its own area (beside the charts, so it never covers data).
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[LegendEntry],
) -> Result<(), String> {
    let title_style = (FONT, 22).into_font().style(FontStyle::Bold).color(&BLACK);
    area.draw(&Text::new(title.to_string(), (10, 10), title_style))
        .map_err(err)?;
    // Rows shrink to fit the strip's height (34 px down to 18); what still does not fit is
    // counted on a last line instead of running off the picture.
    let (width, height) = area.dim_in_pixel();
    let room = height.saturating_sub(60) as usize;
    let pitch = (room / entries.len().max(1)).clamp(18, 34);
    let rows = (room / pitch).max(1);
    let shown = if entries.len() > rows {
        rows - 1
    } else {
        entries.len()
    };
    let font_size = (pitch as f64 * 0.5).clamp(12.0, 17.0);
    let text_font = (FONT, font_size).into_font();
    for (i, e) in entries.iter().take(shown).enumerate() {
        let y = 50 + (i * pitch) as i32;
        let x_text = if matches!(e.kind, LegendKind::Note) {
            10
        } else {
            60
        };
        let label = fit_text(
            area,
            &e.label,
            &text_font,
            width.saturating_sub(x_text as u32 + 8),
        );
        area.draw(&Text::new(label, (x_text, y), text_font.color(&BLACK)))
            .map_err(err)?;
        let y = y + (font_size as i32 - 17) / 2;
        match e.kind {
            LegendKind::Note => continue,
            LegendKind::Line => area.draw(&PathElement::new(
                vec![(10, y + 10), (50, y + 10)],
                e.colour.stroke_width(3),
            )),
            // Visible in the legend although the runs it stands for are drawn faintly (at 0.35
            // opacity and 1 px it read as an entry with no line).
            LegendKind::Faint => area.draw(&PathElement::new(
                vec![(10, y + 10), (50, y + 10)],
                e.colour.mix(0.7).stroke_width(2),
            )),
            LegendKind::Dashed => {
                area.draw(&PathElement::new(
                    vec![(10, y + 10), (22, y + 10)],
                    e.colour.stroke_width(3),
                ))
                .map_err(err)?;
                area.draw(&PathElement::new(
                    vec![(30, y + 10), (50, y + 10)],
                    e.colour.stroke_width(3),
                ))
            }
            LegendKind::Band => area.draw(&Rectangle::new(
                [(10, y + 2), (50, y + 18)],
                e.colour.mix(0.3).filled(),
            )),
            LegendKind::Solid => area.draw(&Rectangle::new(
                [(10, y + 2), (50, y + 18)],
                e.colour.filled(),
            )),
            LegendKind::Marker => area.draw(&Circle::new((30, y + 10), 6, e.colour.filled())),
        }
        .map_err(err)?;
    }
    if shown < entries.len() {
        let y = 50 + (shown * pitch) as i32;
        let more = format!("… and {} more", entries.len() - shown);
        area.draw(&Text::new(more, (10, y), text_font.color(&BLACK)))
            .map_err(err)?;
    }
    Ok(())
}

/// Largest p95 of a set of series, for the y range (at least `floor`).
pub fn y_max(series: &[&[SeriesPoint]], scale: f64, floor: f64) -> f64 {
    let m = series
        .iter()
        .flat_map(|s| s.iter())
        .map(|p| p.p95 * scale)
        .fold(0.0, f64::max);
    (m * 1.08).max(floor)
}

/// Width of the legend strip at the right of a figure, pixels.
pub const LEGEND_WIDTH: u32 = 380;

/// How many x labels fit in a chart `width` pixels wide ("+10 h · 01:39" is about 130 px).
pub fn x_label_count(width: u32) -> usize {
    (width / 130).clamp(3, 16) as usize
}

/// What a chart over time shows; `time_chart` builds it the same way for every figure.
pub struct TimeChart<'a> {
    pub caption: &'a str,
    pub caption_size: u32,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// Hours since the event covered by the x axis.
    pub x: (f64, f64),
    pub top: f64,
    pub x_label: &'a dyn Fn(&f64) -> String,
    pub y_label: &'a dyn Fn(&f64) -> String,
}

/// A chart from `x.0` to `x.1` hours and 0 to `top`, with its mesh and axis labels drawn.
pub fn time_chart<'b, DB: DrawingBackend>(
    area: &'b DrawingArea<DB, Shift>,
    spec: &TimeChart,
) -> Result<Chart<'b, DB>, String> {
    // No tick label near the left edge: centred there, it runs under the y labels at the
    // origin (the two collided in rate.png). A label ("+10 h · 01:39", about 130 px at 18 px)
    // needs half its width and a gap between its tick and the axis.
    let (x0, span) = (spec.x.0, spec.x.1 - spec.x.0);
    let plot_px = f64::from(area.dim_in_pixel().0.saturating_sub(100 + 24).max(1));
    let clear = (72.0 / plot_px).max(0.04);
    let x_label = |h: &f64| {
        if (h - x0) < clear * span {
            String::new()
        } else {
            (spec.x_label)(h)
        }
    };
    // A caption wider than its chart is set smaller (down to 60%), and only then cut.
    let room = area.dim_in_pixel().0.saturating_sub(24);
    let size_for = |size: f64| (FONT, size).into_font();
    let fits = |size: f64| {
        area.estimate_text_size(spec.caption, &TextStyle::from(size_for(size)))
            .is_ok_and(|(w, _)| w <= room)
    };
    let full = f64::from(spec.caption_size);
    let size = (0..=8)
        .map(|i| full * (1.0 - 0.05 * f64::from(i)))
        .find(|&s| fits(s))
        .unwrap_or(full * 0.6);
    let caption_font = size_for(size);
    let caption = fit_text(area, spec.caption, &caption_font, room);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, caption_font)
        .margin(12)
        .x_label_area_size(60)
        .y_label_area_size(100)
        .build_cartesian_2d(spec.x.0..spec.x.1, 0.0..spec.top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(spec.x_desc)
        .y_desc(spec.y_desc)
        .x_label_formatter(&x_label)
        .y_label_formatter(spec.y_label)
        .x_labels(x_label_count(area.dim_in_pixel().0))
        // About one y label per 45 px, so a short panel's labels do not overlap.
        .y_labels((area.dim_in_pixel().1 as usize / 45).clamp(3, 10))
        .label_style((FONT, 18))
        .axis_desc_style((FONT, 20))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Splits a figure into the data area and a legend strip `width` pixels wide at the right.
pub fn split_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    width: u32,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (data, legend) = root.split_horizontally(root.dim_in_pixel().0.saturating_sub(width));
    (data, legend.margin(60, 0, 0, 0))
}
