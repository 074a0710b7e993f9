//! Continuous draws of the scenario generator from its ChaCha8 stream:
//! normal, truncated normal and gamma.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// Standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A normal (`mean`, `sd`) draw truncated to `[lo, hi)`, by rejection with a
/// bounded number of tries; `mean` clamped into the range if all fail.
pub(crate) fn truncated_normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    for _ in 0..1000 {
        let x = mean + sd * normal(rng);
        if (lo..hi).contains(&x) {
            return x;
        }
    }
    mean.clamp(lo, hi - 1e-9)
}

/// Gamma(shape, 1) draw (Marsaglia & Tsang 2000; boosted for shape < 1).
pub(crate) fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.random::<f64>();
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.random::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A gamma multiplier with mean 1 and variance `1 / shape` (1 when `shape`
/// is `None`, without a draw).
pub(crate) fn unit_gamma(rng: &mut ChaCha8Rng, shape: Option<f64>) -> f64 {
    shape.map_or(1.0, |k| gamma(rng, k) / k)
}
