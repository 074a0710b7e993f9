//! Trajectory plots: each group's fitted expected count per year over age,
//! with the observed mean count of the persons assigned to the group, as an
//! SVG document drawn with plotters ([`trajectory_svg`],
//! [`write_trajectory_svg`]).
//!
//! What is drawn:
//!
//! - **lines**: the fitted expected count of a person of the group at each
//!   age at exposure 1: `λ_k(age)` for Poisson and `(1 − ω_k(age))·λ_k(age)`
//!   for ZIP (the zero inflation is included), over the model's ages;
//! - **points**: for each group and age, the mean observed count of the
//!   persons assigned to the group (maximum posterior, as
//!   [`TrajectoryModel::classify`](crate::TrajectoryModel::classify)) who were observed at that age; unobserved
//!   years are left out, never counted as zero;
//! - **legend**: each group's estimated share (π) and the share of the
//!   panel's persons assigned to it.
//!
//! Groups keep the fit's numbering (group 1 is the fit's first group) and
//! colours come from the Okabe–Ito palette, which stays distinguishable under
//! the common forms of colour blindness; each group also has its own marker
//! shape, so the plot reads in greyscale too. Text is written as SVG `<text>`
//! (no fonts are needed to make the file; the viewer supplies them).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::data::Panel;
use crate::data::write::write_atomic;
use crate::error::{Error, Result};
use crate::model::TrajectoryModel;

mod data;
mod options;
mod style;

use data::{group_data, legend_label};
use style::*;

pub use options::PlotOptions;
pub use style::{PALETTE, group_colour};

/// The trajectory plot of `model` with the observed means of `panel` (whose
/// ages must lie within the model's), as an SVG document.
///
/// ```
/// use gbtm::plot::{trajectory_svg, PlotOptions};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 1);
/// let fit = Gbtm::poisson(3).starts(2).fit(&cohort.panel)?;
/// let svg = trajectory_svg(fit.model(), &cohort.panel, &PlotOptions::default())?;
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
/// assert!(svg.contains("Group 3: "));
/// // Ages the model was not fitted on are an error, not a panic.
/// let older = gbtm::Panel::from_arrays(ndarray::array![[1.0]].view(), &[50], None)?;
/// assert!(trajectory_svg(fit.model(), &older, &PlotOptions::default()).is_err());
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn trajectory_svg(
    model: &TrajectoryModel,
    panel: &Panel,
    opts: &PlotOptions,
) -> Result<String> {
    if opts.width < 400 || opts.width > 20_000 {
        return Err(Error::param(
            "width",
            format!("{} pixels is outside 400..=20000", opts.width),
        ));
    }
    if opts.height < 300 || opts.height > 20_000 {
        return Err(Error::param(
            "height",
            format!("{} pixels is outside 300..=20000", opts.height),
        ));
    }
    let data = group_data(model, panel, opts.bands)?;
    let k = data.len();
    let zip = model.is_zip();
    let title = opts.title.clone().unwrap_or_else(|| {
        let file = Path::new(panel.source())
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| panel.source().to_string());
        format!(
            "{k}-group {} trajectories, {file}",
            if zip {
                "zero-inflated Poisson"
            } else {
                "Poisson"
            }
        )
    });
    let y_desc = if zip {
        "Expected cases per year, (1 − ω)·λ"
    } else {
        "Expected cases per year, λ"
    };
    let mut note = if opts.show_observed {
        if zip {
            "Lines: fitted expected count (1 − ω)·λ, zero inflation included. \
             Points: mean observed count of the persons assigned to the group."
        } else {
            "Lines: fitted expected count λ. \
             Points: mean observed count of the persons assigned to the group."
        }
    } else if zip {
        "Lines: fitted expected count (1 − ω)·λ, zero inflation included."
    } else {
        "Lines: fitted expected count λ."
    }
    .to_string();
    if let Some(level) = opts.bands {
        note.push_str(&format!(
            " Shaded: pointwise {}% confidence bands.",
            100.0 * level
        ));
    }

    let first = model.ages()[0] as f64;
    let last = model.ages()[model.ages().len() - 1] as f64;
    let top = data
        .iter()
        .flat_map(|d| {
            let means = opts.show_observed.then_some(&d.means);
            let upper = d.band.iter().flatten().map(|b| (b.0, b.2));
            d.curve
                .iter()
                .chain(means.into_iter().flatten())
                .copied()
                .chain(upper)
        })
        .map(|p| p.1)
        .filter(|y| y.is_finite())
        .fold(0.0_f64, f64::max);
    let top = if top > 0.0 { top * 1.05 } else { 1.0 };

    // Layout, top to bottom: title, chart, legend (as many columns as fit),
    // note. Sizes in image pixels; drawing units are S times as many.
    let (w, h) = (opts.width as f64, opts.height as f64);
    let labels: Vec<String> = data
        .iter()
        .enumerate()
        .map(|(g, d)| legend_label(g, d, opts.group_names.as_ref()))
        .collect();
    let entry_w = 56.0
        + labels
            .iter()
            .map(|l| text_width(l, LEGEND_FONT))
            .fold(0.0, f64::max)
        + 40.0;
    let cols = (((w - 40.0) / entry_w).floor() as usize).clamp(1, k.max(1));
    let rows = k.div_ceil(cols);
    let row_h = LEGEND_FONT * 1.45;
    let title_h = TITLE_FONT * 1.7;
    let legend_h = rows as f64 * row_h + 10.0;
    let note_h = NOTE_FONT * 1.8;
    let chart_h = h - title_h - legend_h - note_h;
    if chart_h < 150.0 {
        return Err(Error::param(
            "height",
            format!(
                "{} pixels leave no room for the chart of {k} groups",
                opts.height
            ),
        ));
    }

    let size = (opts.width * S as u32, opts.height * S as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let text = |size: f64, hpos: HPos| {
            TextStyle::from(font(size).into_font())
                .color(&BLACK)
                .pos(Pos::new(hpos, VPos::Center))
        };
        root.draw(&Text::new(
            title.clone(),
            (px(w / 2.0), px(title_h / 2.0 + 2.0)),
            text(TITLE_FONT, HPos::Center),
        ))
        .map_err(draw_err)?;
        let (_, rest) = root.split_vertically(px(title_h));
        let (chart_area, rest) = rest.split_vertically(px(chart_h));
        let (legend_area, note_area) = rest.split_vertically(px(legend_h));

        let mut chart = ChartBuilder::on(&chart_area)
            .margin_left(px(10.0))
            .margin_right(px(25.0))
            .margin_top(px(5.0))
            .x_label_area_size(px(50.0))
            .y_label_area_size(px(64.0))
            .build_cartesian_2d((first - 0.5)..(last + 0.5), (-0.035 * top)..top)
            .map_err(draw_err)?;
        let span = (last - first).max(1.0);
        let x_step = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
            .into_iter()
            .find(|s| span / s <= 14.0)
            .unwrap_or(100.0);
        let grid = RGBColor(0xDD, 0xDD, 0xDD);
        chart
            .configure_mesh()
            .x_labels(((span / x_step).floor() as usize + 1).max(2))
            .y_labels(7)
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .x_desc("Age (years)")
            .y_desc(y_desc)
            .axis_desc_style(font(AXIS_DESC_FONT))
            .label_style(font(TICK_FONT))
            .bold_line_style(grid.stroke_width(S as u32))
            .light_line_style(TRANSPARENT)
            .axis_style(RGBColor(0x55, 0x55, 0x55).stroke_width(S as u32))
            .set_all_tick_mark_size(px(4.0))
            .draw()
            .map_err(draw_err)?;
        // Bands under the curves, then the curves, then the points; each
        // group's curve is one polyline.
        for (g, d) in data.iter().enumerate() {
            if let Some(band) = &d.band {
                let outline: Vec<(f64, f64)> = band
                    .iter()
                    .map(|b| (b.0, b.2))
                    .chain(band.iter().rev().map(|b| (b.0, b.1)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline,
                        colour(g).mix(BAND_FILL).filled(),
                    )))
                    .map_err(draw_err)?;
            }
        }
        for (g, d) in data.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    d.curve.iter().copied(),
                    colour(g).stroke_width(LINE * S as u32),
                ))
                .map_err(draw_err)?;
        }
        if opts.show_observed {
            for (g, d) in data.iter().enumerate() {
                chart
                    .draw_series(d.means.iter().map(|&p| marker(p, g)))
                    .map_err(draw_err)?;
            }
        }

        // Legend: a line sample with the group's marker, then its label.
        let col_w = (w - 40.0) / cols as f64;
        for (g, label) in labels.iter().enumerate() {
            let (r, c) = ((g / cols) as f64, (g % cols) as f64);
            let x = 20.0 + c * col_w;
            let y = 5.0 + r * row_h + row_h / 2.0;
            legend_area
                .draw(&PathElement::new(
                    vec![(px(x), px(y)), (px(x + 44.0), px(y))],
                    colour(g).stroke_width(LINE * S as u32),
                ))
                .map_err(draw_err)?;
            if opts.show_observed {
                legend_area
                    .draw(&marker((px(x + 22.0), px(y)), g))
                    .map_err(draw_err)?;
            }
            legend_area
                .draw(&Text::new(
                    label.clone(),
                    (px(x + 56.0), px(y)),
                    text(LEGEND_FONT, HPos::Left),
                ))
                .map_err(draw_err)?;
        }
        let grey = TextStyle::from(font(NOTE_FONT).into_font())
            .color(&RGBColor(0x44, 0x44, 0x44))
            .pos(Pos::new(HPos::Center, VPos::Center));
        note_area
            .draw(&Text::new(note, (px(w / 2.0), px(note_h / 2.0)), grey))
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    // Show the drawing at the image size.
    let drawn = format!(
        "<svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\"",
        size.0, size.1, size.0, size.1
    );
    if !svg.starts_with(&drawn) {
        return Err(Error::Plot {
            message: "plotters wrote an unexpected <svg> header".into(),
            source: None,
        });
    }
    let shown = format!(
        "<svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\"",
        opts.width, opts.height, size.0, size.1
    );
    Ok(svg.replacen(&drawn, &shown, 1))
}

/// Writes [`trajectory_svg`] to `path` atomically (a temporary file, then a
/// rename).
///
/// ```
/// use gbtm::plot::{write_trajectory_svg, PlotOptions};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 1);
/// let fit = Gbtm::poisson(3).starts(2).fit(&cohort.panel)?;
/// let path = std::env::temp_dir().join(format!("gbtm-doc-{}.svg", std::process::id()));
/// write_trajectory_svg(fit.model(), &cohort.panel, &PlotOptions::default(), &path)?;
/// assert!(std::fs::read_to_string(&path).unwrap().contains("</svg>"));
/// std::fs::remove_file(&path).unwrap();
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn write_trajectory_svg(
    model: &TrajectoryModel,
    panel: &Panel,
    opts: &PlotOptions,
    path: &Path,
) -> Result<()> {
    let svg = trajectory_svg(model, panel, opts)?;
    write_atomic(path, &svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Gbtm, synth};

    #[test]
    fn curves_match_the_fitted_rates_at_the_model_ages() {
        let cohort = synth::three_groups_zip(300, 1);
        let fit = Gbtm::zip(3).starts(2).fit(&cohort.panel).unwrap();
        let data = group_data(fit.model(), &cohort.panel, None).unwrap();
        let rates = fit.model().rates();
        let omega = fit.model().zero_inflation().unwrap();
        for (g, d) in data.iter().enumerate() {
            for (t, &age) in fit.model().ages().iter().enumerate() {
                let p = d.curve[t * STEPS_PER_YEAR];
                assert_eq!(p.0, age as f64);
                let want = (1.0 - omega[[g, t]]) * rates[[g, t]];
                assert!((p.1 - want).abs() < 1e-9 * want.max(1.0), "{g} {age}");
            }
        }
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(10.0), "10");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(-0.1), "");
    }
}
