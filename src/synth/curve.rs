//! Rate curves of scenario groups: a group's mean yearly rate as a function
//! of age, tabulated (log-linear between knots) or polynomial in log rate.

use serde::{Deserialize, Serialize};

/// A group's mean yearly rate as a function of age; see the example of
/// [`Curve::rate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// `[age, rate]` knots; the log rate is interpolated linearly between
    /// knots and held constant beyond the first and last.
    Table(Vec<(f64, f64)>),
    /// `ln λ = Σ_j c_j·((age − center)/scale)^j`.
    Polynomial {
        /// Centre of the age scaling.
        center: f64,
        /// Scale of the age scaling.
        scale: f64,
        /// Coefficients, constant first.
        coefficients: Vec<f64>,
    },
}

impl Curve {
    /// The rate at `age`.
    ///
    /// ```
    /// use gbtm::synth::scenario::Curve;
    /// let c = Curve::Table(vec![(12.0, 0.1), (14.0, 0.4)]);
    /// assert!((c.rate(13.0) - 0.2).abs() < 1e-12); // geometric mean
    /// assert_eq!(c.rate(40.0), 0.4);
    /// // ln λ = −1 + 0.5·(age − 20)/10.
    /// let p = Curve::Polynomial { center: 20.0, scale: 10.0, coefficients: vec![-1.0, 0.5] };
    /// assert!((p.rate(30.0) - (-0.5f64).exp()).abs() < 1e-15);
    /// ```
    pub fn rate(&self, age: f64) -> f64 {
        match self {
            Curve::Table(knots) => {
                // An empty table (rejected by `Scenario::validate`) has rate 0.
                let (Some(&first), Some(&last)) = (knots.first(), knots.last()) else {
                    return 0.0;
                };
                if age <= first.0 {
                    return first.1;
                }
                if age >= last.0 {
                    return last.1;
                }
                for w in knots.windows(2) {
                    let ((a0, r0), (a1, r1)) = (w[0], w[1]);
                    if age <= a1 {
                        let f = (age - a0) / (a1 - a0);
                        return (r0.ln() * (1.0 - f) + r1.ln() * f).exp();
                    }
                }
                last.1
            }
            Curve::Polynomial {
                center,
                scale,
                coefficients,
            } => {
                let s = (age - center) / scale;
                coefficients
                    .iter()
                    .rev()
                    .fold(0.0, |acc, c| acc * s + c)
                    .exp()
            }
        }
    }

    /// The curve multiplied by `factor` at every age.
    pub(crate) fn scaled(&self, factor: f64) -> Curve {
        match self {
            Curve::Table(k) => Curve::Table(k.iter().map(|&(a, r)| (a, r * factor)).collect()),
            Curve::Polynomial {
                center,
                scale,
                coefficients,
            } => {
                let mut c = coefficients.clone();
                c[0] += factor.ln();
                Curve::Polynomial {
                    center: *center,
                    scale: *scale,
                    coefficients: c,
                }
            }
        }
    }
}
