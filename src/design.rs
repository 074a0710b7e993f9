//! The age basis: ages are centred and scaled to [-1, 1] before the polynomial
//! is formed, so that powers up to 5 stay well conditioned.
//!
//! A group's log rate at age `a` is `Σ_j β_j · s^j` with
//! `s = (a − center) / scale`; [`AgeScale`] holds `center` and `scale`, and the
//! fitted model reports both so that the coefficients can be mapped back to age.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// The affine map from age to the scaled age `s = (age − center) / scale`.
///
/// ```
/// use gbtm::AgeScale;
/// let s = AgeScale::from_ages(&[12, 35]);
/// assert_eq!((s.center, s.scale), (23.5, 11.5));
/// assert_eq!(s.scaled(12.0), -1.0);
/// assert_eq!(s.scaled(35.0), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgeScale {
    /// Midpoint of the age range.
    pub center: f64,
    /// Half the width of the age range (1 if the range is a single age).
    pub scale: f64,
}

impl AgeScale {
    /// The map that sends the youngest age to −1 and the oldest to +1.
    ///
    /// ```
    /// use gbtm::AgeScale;
    /// let s = AgeScale::from_ages(&[12, 20, 35]);
    /// assert_eq!((s.center, s.scale), (23.5, 11.5));
    /// assert_eq!((s.scaled(12.0), s.scaled(23.5), s.scaled(35.0)), (-1.0, 0.0, 1.0));
    /// // One age: scale 1, so that the basis stays finite.
    /// assert_eq!(AgeScale::from_ages(&[30]).scale, 1.0);
    /// ```
    pub fn from_ages(ages: &[i64]) -> AgeScale {
        let lo = ages.iter().copied().min().unwrap_or(0) as f64;
        let hi = ages.iter().copied().max().unwrap_or(0) as f64;
        let half = (hi - lo) / 2.0;
        AgeScale {
            center: (lo + hi) / 2.0,
            scale: if half > 0.0 { half } else { 1.0 },
        }
    }

    /// The scaled age of `age`.
    ///
    /// See the example of [`AgeScale::from_ages`].
    pub fn scaled(&self, age: f64) -> f64 {
        (age - self.center) / self.scale
    }

    /// The polynomial basis `[1, s, s², …, s^order]` at `age`.
    ///
    /// ```
    /// use gbtm::AgeScale;
    /// let s = AgeScale { center: 20.0, scale: 10.0 };
    /// assert_eq!(s.basis_row(30.0, 2), vec![1.0, 1.0, 1.0]);
    /// ```
    pub fn basis_row(&self, age: f64, order: usize) -> Vec<f64> {
        let s = self.scaled(age);
        let mut row = Vec::with_capacity(order + 1);
        let mut p = 1.0;
        for _ in 0..=order {
            row.push(p);
            p *= s;
        }
        row
    }

    /// The design matrix, ages × (order + 1).
    ///
    /// ```
    /// use gbtm::AgeScale;
    /// let ages = [12, 13, 14];
    /// let x = AgeScale::from_ages(&ages).basis(&ages, 1);
    /// assert_eq!(x.dim(), (3, 2));
    /// assert_eq!(x[[0, 1]], -1.0);
    /// ```
    pub fn basis(&self, ages: &[i64], order: usize) -> Array2<f64> {
        let mut x = Array2::zeros((ages.len(), order + 1));
        for (t, &a) in ages.iter().enumerate() {
            for (j, v) in self.basis_row(a as f64, order).into_iter().enumerate() {
                x[[t, j]] = v;
            }
        }
        x
    }

    /// Evaluates `Σ_j coef_j · s^j` at `age`.
    ///
    /// ```
    /// use gbtm::AgeScale;
    /// let s = AgeScale { center: 0.0, scale: 1.0 };
    /// assert_eq!(s.eval(&[1.0, 2.0, 3.0], 2.0), 1.0 + 4.0 + 12.0);
    /// ```
    pub fn eval(&self, coef: &[f64], age: f64) -> f64 {
        let s = self.scaled(age);
        coef.iter().rev().fold(0.0, |acc, &c| acc * s + c)
    }
}
