//! Standard errors, confidence intervals and pointwise bands from a model's
//! covariance matrix, by the delta method (docs/inference.md):
//!
//! - a coefficient's SE is the square root of its variance;
//! - a share π_k = exp(θ_k) / Σ_j exp(θ_j) (θ_1 = 0) has gradient
//!   ∂π_k/∂θ_j = π_k(δ_kj − π_j); its interval is formed on the logit scale,
//!   `expit(logit π̂ ± z·SE(π̂) / (π̂(1 − π̂)))`, so it stays inside (0, 1);
//! - the band of λ_k(age) is `exp(η̂ ± z·√(xᵀ Σ_β x))` with `η = xᵀβ` on the
//!   log scale; for the ZIP expected count (1 − ω)·λ the log is
//!   `η − ln(1 + e^ζ)`, with gradient `x` in β and `−ω·z` in γ.
//!
//! Parameters without a variance (on the boundary) count as fixed.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::covariance::{Covariance, name};
use super::trajectory::TrajectoryModel;
use crate::error::{Error, Result};

/// An estimate with its standard error and confidence interval; see the
/// example of [`TrajectoryModel::share_interval`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval.
    pub upper: f64,
}

/// The standard normal quantile `z` of a two-sided interval at `level`
/// (1.959964 for 0.95).
///
/// ```
/// let z = gbtm::model::normal_quantile(0.95)?;
/// assert!((z - 1.959963984540054).abs() < 1e-9);
/// assert!(gbtm::model::normal_quantile(1.0).is_err());
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] naming `level` unless 0 < level < 1.
pub fn normal_quantile(level: f64) -> Result<f64> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::param(
            "level",
            format!("{level} is not strictly between 0 and 1 (0.95 gives 95% intervals)"),
        ));
    }
    let n = Normal::standard();
    Ok(n.inverse_cdf(0.5 + level / 2.0))
}

/// The binomial coefficient C(n, k) as a float.
fn choose(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64)
}

impl TrajectoryModel {
    fn checked_group(&self, group: usize) -> Result<&Covariance> {
        if group >= self.groups() {
            return Err(Error::param(
                "group",
                format!(
                    "{} is not a group of this {}-group model",
                    group + 1,
                    self.groups()
                ),
            ));
        }
        self.covariance()
            .ok_or_else(|| Error::param("covariance", "the model has no covariance matrix"))
    }

    /// Standard errors of group `group`'s (0-based) log-rate coefficients;
    /// `None` where a coefficient has none.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(600, 1);
    /// let fit = Gbtm::poisson(3).order(2).starts(3).fit(&cohort.panel)?;
    /// let se = fit.model().coefficient_se(0)?;
    /// assert_eq!(se.len(), 3);
    /// assert!(se.iter().all(|s| s.is_some_and(|s| s > 0.0)));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if there is no such group or the model
    /// has no covariance matrix.
    pub fn coefficient_se(&self, group: usize) -> Result<Vec<Option<f64>>> {
        let cov = self.checked_group(group)?;
        Ok((0..=self.spec().orders()[group])
            .map(|j| cov.se(&name::rate(group, j)))
            .collect())
    }

    /// Standard errors of group `group`'s time-varying covariate
    /// coefficients, in the order of [`crate::ModelSpec::tcov`] (an empty
    /// vector without them).
    ///
    /// # Errors
    /// As [`TrajectoryModel::coefficient_se`].
    pub fn tcov_coefficient_se(&self, group: usize) -> Result<Vec<Option<f64>>> {
        let cov = self.checked_group(group)?;
        Ok(self
            .spec()
            .tcov()
            .iter()
            .map(|c| cov.se(&name::tcov(group, c)))
            .collect())
    }

    /// Standard errors of group `group`'s logit zero-inflation coefficients
    /// (ZIP; an empty vector for Poisson); `None` where a coefficient has
    /// none (zero inflation on the boundary ω = 0).
    ///
    /// # Errors
    /// As [`TrajectoryModel::coefficient_se`].
    pub fn zero_inflation_coefficient_se(&self, group: usize) -> Result<Vec<Option<f64>>> {
        let cov = self.checked_group(group)?;
        let order = self.spec().iorders().map_or(0, |q| q[group] + 1);
        Ok((0..order).map(|j| cov.se(&name::zi(group, j))).collect())
    }

    /// The negative-binomial dispersion α_k of group `group` with its SE
    /// (delta method, α·SE(ln α)) and the interval at `level`, formed on
    /// the log scale: `exp(ln α̂ ± z·SE(ln α̂))`.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(400, 1);
    /// let fit = Gbtm::nb(1).order(2).starts(2).fit(&cohort.panel)?;
    /// let a = fit.model().dispersion_interval(0, 0.95)?;
    /// assert!(a.lower < a.estimate && a.estimate < a.upper);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`TrajectoryModel::coefficient_se`], and for a model that is not
    /// negative binomial, a dispersion on the boundary α = 0 (no SE), or a
    /// `level` outside (0, 1).
    pub fn dispersion_interval(&self, group: usize, level: f64) -> Result<Interval> {
        let cov = self.checked_group(group)?;
        let z = normal_quantile(level)?;
        let alpha = self
            .dispersion(group)
            .ok_or_else(|| Error::param("dispersion", "the model is not negative binomial"))?;
        let key = if self.spec().n_dispersion() == 1 && self.groups() > 1 {
            name::ln_alpha(None)
        } else {
            name::ln_alpha(Some(group))
        };
        let se_ln = cov.se(&key).ok_or_else(|| {
            Error::param(
                "dispersion",
                "the dispersion is on the boundary α = 0 and has no standard error",
            )
        })?;
        Ok(Interval {
            estimate: alpha,
            se: alpha * se_ln,
            lower: alpha * (-z * se_ln).exp(),
            upper: alpha * (z * se_ln).exp(),
        })
    }

    /// The share π_k of group `group` with its SE (delta method) and the
    /// interval at `level`, formed on the logit scale. A one-group model
    /// has π = 1 exactly.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(600, 1);
    /// let fit = Gbtm::poisson(3).order(2).starts(3).fit(&cohort.panel)?;
    /// let i = fit.model().share_interval(2, 0.95)?;
    /// assert!(i.lower < i.estimate && i.estimate < i.upper);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`TrajectoryModel::coefficient_se`], and a `level` outside (0, 1).
    pub fn share_interval(&self, group: usize, level: f64) -> Result<Interval> {
        let cov = self.checked_group(group)?;
        let z = normal_quantile(level)?;
        if !self.spec().risk().is_empty() {
            return Err(Error::param(
                "share",
                "with risk factors a group's share depends on the covariates; see the risk coefficients",
            ));
        }
        let pi = &self.params().pi;
        let p = pi[group];
        if self.groups() == 1 {
            return Ok(Interval {
                estimate: 1.0,
                se: 0.0,
                lower: 1.0,
                upper: 1.0,
            });
        }
        let weights: Vec<(String, f64)> = (1..self.groups())
            .map(|j| {
                let d = if j == group {
                    p * (1.0 - p)
                } else {
                    -p * pi[j]
                };
                (name::logit(j), d)
            })
            .collect();
        let se = cov.variance_of(&weights).sqrt();
        let logit = (p / (1.0 - p)).ln();
        let half = z * se / (p * (1.0 - p));
        let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
        Ok(Interval {
            estimate: p,
            se,
            lower: expit(logit - half),
            upper: expit(logit + half),
        })
    }

    /// Pointwise bands of λ_k(age) at the model's ages, at `level`:
    /// `(lower, upper)`, formed on the log scale.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(600, 1);
    /// let fit = Gbtm::poisson(3).order(2).starts(3).fit(&cohort.panel)?;
    /// let m = fit.model();
    /// let (lo, hi) = m.rate_band(1, 0.95)?;
    /// let rates = m.rates();
    /// assert!((0..lo.len()).all(|t| lo[t] < rates[[1, t]] && rates[[1, t]] < hi[t]));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`TrajectoryModel::share_interval`].
    pub fn rate_band(&self, group: usize, level: f64) -> Result<(Vec<f64>, Vec<f64>)> {
        self.band(group, &self.age_grid(), level, false)
    }

    /// Pointwise bands of the expected count (1 − ω_k)·λ_k at the model's
    /// ages (the same as [`TrajectoryModel::rate_band`] for Poisson).
    ///
    /// # Errors
    /// As [`TrajectoryModel::share_interval`].
    pub fn expected_band(&self, group: usize, level: f64) -> Result<(Vec<f64>, Vec<f64>)> {
        self.band(group, &self.age_grid(), level, true)
    }

    /// The band of the expected count at any `ages` (for plots).
    ///
    /// # Errors
    /// As [`TrajectoryModel::share_interval`].
    pub fn expected_band_at(
        &self,
        group: usize,
        ages: &[f64],
        level: f64,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        self.band(group, ages, level, true)
    }

    fn age_grid(&self) -> Vec<f64> {
        self.ages().iter().map(|&a| a as f64).collect()
    }

    fn band(
        &self,
        group: usize,
        ages: &[f64],
        level: f64,
        expected: bool,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let cov = self.checked_group(group)?;
        let z = normal_quantile(level)?;
        let scale = self.age_scale();
        let beta = &self.params().beta[group];
        let gamma = self.params().gamma.as_ref().map(|g| &g[group]);
        let (mut lower, mut upper) = (Vec::new(), Vec::new());
        for &a in ages {
            let x = scale.basis_row(a, beta.len() - 1);
            let mut centre = scale.eval(beta, a);
            let mut w: Vec<(String, f64)> = x
                .iter()
                .enumerate()
                .map(|(j, v)| (name::rate(group, j), *v))
                .collect();
            if let (true, Some(gm)) = (expected, gamma) {
                let zeta = scale.eval(gm, a);
                let omega = 1.0 / (1.0 + (-zeta).exp());
                centre -= zeta.max(0.0) + (-zeta.abs()).exp().ln_1p();
                let zrow = scale.basis_row(a, gm.len() - 1);
                w.extend(
                    zrow.iter()
                        .enumerate()
                        .map(|(j, v)| (name::zi(group, j), -omega * v)),
                );
            }
            let half = z * cov.variance_of(&w).sqrt();
            lower.push((centre - half).exp());
            upper.push((centre + half).exp());
        }
        Ok((lower, upper))
    }

    /// Group `group`'s log-rate coefficients on raw age, `η = Σ_m b_m·ageᵐ`,
    /// with their SEs (`None` without a covariance matrix): the scaled-age
    /// coefficients mapped by `b = Aβ`, the covariance by `A Σ Aᵀ`. This is
    /// the form traj reports when age is given unscaled.
    ///
    /// ```
    /// use gbtm::{AgeScale, Family, ModelSpec, Params, TrajectoryModel};
    /// let spec = ModelSpec::new(Family::Poisson, vec![1], None)?;
    /// let params = Params { beta: vec![vec![1.0, 2.0]], gamma: None, pi: vec![1.0], risk: None, tcov: None, alpha: None };
    /// let m = TrajectoryModel::new(spec, params, AgeScale { center: 20.0, scale: 10.0 }, vec![10, 30], false)?;
    /// // η = 1 + 2·(age − 20)/10 = −3 + 0.2·age
    /// let (b, se) = m.raw_age_coefficients(0);
    /// assert!((b[0] + 3.0).abs() < 1e-12 && (b[1] - 0.2).abs() < 1e-12);
    /// assert!(se.is_none());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn raw_age_coefficients(&self, group: usize) -> (Vec<f64>, Option<Vec<f64>>) {
        let beta = &self.params().beta[group];
        let s = self.age_scale();
        let n = beta.len();
        // A[m][j] = C(j, m)·(−c)^(j−m) / h^j for j ≥ m.
        let a = |m: usize, j: usize| {
            if j < m {
                0.0
            } else {
                choose(j, m) * (-s.center).powi((j - m) as i32) / s.scale.powi(j as i32)
            }
        };
        let b: Vec<f64> = (0..n)
            .map(|m| (0..n).map(|j| a(m, j) * beta[j]).sum())
            .collect();
        let se = self.covariance().map(|cov| {
            (0..n)
                .map(|m| {
                    let w: Vec<(String, f64)> =
                        (0..n).map(|j| (name::rate(group, j), a(m, j))).collect();
                    cov.variance_of(&w).sqrt()
                })
                .collect()
        });
        (b, se)
    }
}
