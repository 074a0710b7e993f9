//! Random tiny count panels for the fuzz and timing examples: 1–29
//! persons, 1–7 ages from 12, about 20% unobserved cells, counts 0–4, and
//! in one panel of ten a count of 10⁶ in about 5% of the cells.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// Counts (NaN = unobserved) and their ages.
pub fn tiny_panel(rng: &mut ChaCha8Rng) -> (ndarray::Array2<f64>, Vec<i64>) {
    let (n, t) = (rng.random_range(1..30usize), rng.random_range(1..8usize));
    let big = rng.random::<f64>() < 0.1;
    let counts = ndarray::Array2::from_shape_fn((n, t), |_| {
        let u: f64 = rng.random();
        if u < 0.2 {
            f64::NAN
        } else if big && u > 0.95 {
            1e6
        } else {
            (u * 5.0).floor() * f64::from(u8::from(u > 0.5))
        }
    });
    (counts, (12..12 + t as i64).collect())
}
