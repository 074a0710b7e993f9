//! Risk factors on group membership in the factors' raw units: each
//! group's multinomial-logit coefficients against a reference group, with
//! SEs, z, p and odds ratios ([`RiskCoefficient`]).

use serde::{Deserialize, Serialize};

use super::covariance::name;
use super::inference::normal_quantile;
use super::trajectory::TrajectoryModel;
use crate::error::{Error, Result};

/// A coefficient of the multinomial logit of group membership against a
/// reference group, in the raw units of the risk factors: the constant (the
/// log odds for a person whose factors are all 0) or a factor's log odds
/// ratio per unit. See the example of [`TrajectoryModel::risk_coefficients`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskCoefficient {
    /// The group (from 1) compared with the reference group.
    pub group: usize,
    /// The reference group (from 1).
    pub reference: usize,
    /// `constant` or the risk factor's name.
    pub term: String,
    /// The coefficient (log odds ratio for a risk factor).
    pub estimate: f64,
    /// Its standard error; `None` without a covariance matrix.
    pub se: Option<f64>,
    /// estimate / SE.
    pub z: Option<f64>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// exp(estimate): the odds ratio of the group against the reference
    /// for a unit increase of the risk factor.
    pub odds_ratio: f64,
    /// Lower end of the odds ratio's interval.
    pub odds_ratio_lower: Option<f64>,
    /// Upper end.
    pub odds_ratio_upper: Option<f64>,
}

impl TrajectoryModel {
    /// The risk-factor coefficients of every group against group
    /// `reference` (0-based), in the factors' raw units, with SEs, z, p and
    /// odds ratios with intervals at `level` (traj's `risk()` output with
    /// `refgroup()`). Empty for a model without risk factors; the SEs and
    /// intervals are `None` without a covariance matrix.
    ///
    /// The model holds the coefficients on the standardised factors
    /// w̃ = (w − c)/s ([`crate::model::spec::RiskScale`]); on raw units a
    /// factor's coefficient is δ/s and the constant θ − Σ_r δ_r·c_r/s_r,
    /// linear maps whose variances follow from the covariance matrix.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(400, 2);
    /// let x = ndarray::Array2::from_shape_fn((cohort.panel.n_persons(), 1), |(i, _)| (i % 2) as f64);
    /// let panel = cohort.panel.with_risk(vec!["x".into()], x.view())?;
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&panel)?;
    /// let rc = fit.model().risk_coefficients(0.95, 0)?;
    /// // Group 2 against group 1: the constant and x.
    /// assert_eq!(rc.len(), 2);
    /// assert!(rc.iter().all(|c| c.group == 2 && c.reference == 1));
    /// assert!(rc[1].odds_ratio_lower.unwrap() < rc[1].odds_ratio);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a reference that is not a group or a
    /// level outside (0, 1).
    pub fn risk_coefficients(&self, level: f64, reference: usize) -> Result<Vec<RiskCoefficient>> {
        if self.spec().risk().is_empty() {
            return Ok(Vec::new());
        }
        if reference >= self.groups() {
            return Err(Error::param(
                "refgroup",
                format!(
                    "{} is not a group of this {}-group model",
                    reference + 1,
                    self.groups()
                ),
            ));
        }
        let z = normal_quantile(level)?;
        let p = self.params();
        let d = p
            .risk
            .as_ref()
            .ok_or_else(|| Error::param("risk", "no risk coefficients"))?;
        let names = self.spec().risk();
        let scaling = self.spec().risk_scaling();
        // (value, weights on named parameters) of group k's raw-unit term j.
        let term = |k: usize, j: usize| -> (f64, Vec<(String, f64)>) {
            if j == 0 {
                let mut value = (p.pi[k] / p.pi[0]).ln();
                let mut w = vec![(name::logit(k), 1.0)];
                for (r, sc) in scaling.iter().enumerate() {
                    let f = -sc.center / sc.scale;
                    value += f * (d[k][r] - d[0][r]);
                    w.push((name::risk(k, &names[r]), f));
                }
                (value, w)
            } else {
                let (r, sc) = (j - 1, scaling[j - 1]);
                (
                    (d[k][r] - d[0][r]) / sc.scale,
                    vec![(name::risk(k, &names[r]), 1.0 / sc.scale)],
                )
            }
        };
        let mut out = Vec::new();
        for g in (0..self.groups()).filter(|&g| g != reference) {
            for j in 0..=names.len() {
                let (a, wa) = term(g, j);
                let (b, wb) = term(reference, j);
                let estimate = a - b;
                let weights: Vec<(String, f64)> = wa
                    .into_iter()
                    .chain(wb.into_iter().map(|(n, c)| (n, -c)))
                    .collect();
                // Group 1's names are absent from the matrix: they are the
                // fixed reference (0).
                let se = self.covariance().map(|c| c.variance_of(&weights).sqrt());
                let zv = se.map(|s| if s > 0.0 { estimate / s } else { 0.0 });
                out.push(RiskCoefficient {
                    group: g + 1,
                    reference: reference + 1,
                    term: if j == 0 {
                        "constant".to_string()
                    } else {
                        names[j - 1].clone()
                    },
                    estimate,
                    se,
                    z: zv,
                    p: zv.map(|v| statrs::function::erf::erfc(v.abs() / std::f64::consts::SQRT_2)),
                    odds_ratio: estimate.exp(),
                    odds_ratio_lower: se.map(|s| (estimate - z * s).exp()),
                    odds_ratio_upper: se.map(|s| (estimate + z * s).exp()),
                });
            }
        }
        Ok(out)
    }
}
