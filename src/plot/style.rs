//! How the plot looks: colours, sizes, fonts, marker shapes and tick labels.

use plotters::element::ComposedElement;
use plotters::prelude::*;

use crate::error::Error;

/// The Okabe–Ito palette, in the order groups use it (yellow, the weakest on
/// white, last). Groups beyond eight reuse it with other marker shapes.
///
/// ```
/// use gbtm::plot::{group_colour, PALETTE};
/// assert_eq!(PALETTE.len(), 8);
/// // The ninth group takes the first colour again.
/// assert_eq!(group_colour(8), group_colour(0));
/// ```
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0x00, 0x72, 0xB2), // blue
    (0xD5, 0x5E, 0x00), // vermillion
    (0x00, 0x9E, 0x73), // bluish green
    (0xCC, 0x79, 0xA7), // reddish purple
    (0xE6, 0x9F, 0x00), // orange
    (0x56, 0xB4, 0xE9), // sky blue
    (0x00, 0x00, 0x00), // black
    (0xF0, 0xE4, 0x42), // yellow
];

/// The colour of group `g` (0-based) as `#RRGGBB`, as it appears in the SVG.
///
/// ```
/// assert_eq!(gbtm::plot::group_colour(0), "#0072B2");
/// ```
pub fn group_colour(g: usize) -> String {
    let (r, gr, b) = PALETTE[g % PALETTE.len()];
    format!("#{r:02X}{gr:02X}{b:02X}")
}

pub(super) fn colour(g: usize) -> RGBColor {
    let (r, gr, b) = PALETTE[g % PALETTE.len()];
    RGBColor(r, gr, b)
}

/// Fitted curve points per year of age.
pub(super) const STEPS_PER_YEAR: usize = 10;
/// The drawing is made at `S` times the image size and shown at the image
/// size through the SVG `viewBox`: plotters rounds coordinates to whole
/// units, and whole pixels make visibly stepped curves.
pub(super) const S: i32 = 2;
/// Marker radius in image pixels.
pub(super) const MARKER: f64 = 5.5;
/// Opacity of the markers' fill.
pub(super) const MARKER_FILL: f64 = 0.45;
/// Opacity of a confidence band.
pub(super) const BAND_FILL: f64 = 0.18;
/// Font sizes in image pixels, in plotters' units (the SVG gets them divided
/// by 1.24).
pub(super) const TITLE_FONT: f64 = 24.0;
pub(super) const AXIS_DESC_FONT: f64 = 19.0;
pub(super) const TICK_FONT: f64 = 17.0;
pub(super) const LEGEND_FONT: f64 = 18.0;
pub(super) const NOTE_FONT: f64 = 15.5;
/// Width in image pixels of the curves.
pub(super) const LINE: u32 = 3;

/// Image pixels to drawing units.
pub(super) fn px(v: f64) -> i32 {
    (v * S as f64).round() as i32
}

/// A font size in drawing units.
pub(super) fn font(size: f64) -> (&'static str, f64) {
    (FONT, size * S as f64)
}
pub(super) const FONT: &str = "sans-serif";

/// Vertex offsets (pixels) of marker shape `g`: circle, triangle, square,
/// diamond, inverted triangle, hexagon, then around again.
pub(super) fn marker_shape(g: usize) -> Vec<(i32, i32)> {
    let r = MARKER * S as f64;
    let poly = |n: usize, rot: f64, rad: f64| -> Vec<(i32, i32)> {
        (0..n)
            .map(|i| {
                let a = rot + std::f64::consts::TAU * i as f64 / n as f64;
                (
                    (rad * a.cos()).round() as i32,
                    (rad * a.sin()).round() as i32,
                )
            })
            .collect()
    };
    use std::f64::consts::FRAC_PI_2;
    match g % 6 {
        0 => poly(16, 0.0, r),
        1 => poly(3, -FRAC_PI_2, r * 1.35),
        2 => poly(4, std::f64::consts::FRAC_PI_4, r * 1.3),
        3 => poly(4, 0.0, r * 1.35),
        4 => poly(3, FRAC_PI_2, r * 1.35),
        _ => poly(6, 0.0, r * 1.15),
    }
}

/// A marker: a filled polygon and its outline, in pixel offsets from an
/// anchor in chart coordinates `C`.
type Marker<C, DB> = ComposedElement<C, DB, Polygon<(i32, i32)>, PathElement<(i32, i32)>>;

/// A marker of group `g` anchored at `at`: a half-transparent fill in the
/// group's colour inside a solid outline, so that markers of different
/// groups at the same place (all near 0 at the older ages, say) stay
/// visible through each other.
pub(super) fn marker<C, DB: DrawingBackend>(at: C, g: usize) -> Marker<C, DB> {
    let shape = marker_shape(g);
    let mut rim = shape.clone();
    rim.push(shape[0]);
    EmptyElement::at(at)
        + Polygon::new(shape, colour(g).mix(MARKER_FILL).filled())
        + PathElement::new(rim, colour(g).stroke_width(3 * S as u32 / 2))
}

pub(super) fn draw_err(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Plot {
        message: e.to_string(),
        source: Some(Box::new(e)),
    }
}

/// Rough width in image pixels of `text` at font size `size` (the SVG
/// viewer lays the text out; this only sizes the legend's columns).
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size / 1.24 * 0.56
}

/// A tick label: at most three decimals, trailing zeros dropped (0, 0.5, 1,
/// 1.5, 2); nothing below zero (the axis starts a little below 0 so that
/// markers at 0 are not cut).
pub(super) fn tick(v: f64) -> String {
    if v < -1e-9 {
        return String::new();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}
