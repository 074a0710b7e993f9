//! Parameter values of a trajectory model ([`Params`]): per-group
//! coefficients, mixing proportions, and the coefficients of risk factors
//! and time-varying covariates.

use serde::{Deserialize, Serialize};

/// Parameter values: per-group coefficients on the scaled age (see
/// [`crate::AgeScale`]) and mixing proportions.
///
/// ```
/// use gbtm::Params;
/// let p = Params { beta: vec![vec![-1.0], vec![0.5]], gamma: None, pi: vec![0.7, 0.3], risk: None, tcov: None, alpha: None };
/// assert_eq!(p.groups(), 2);
/// // A negative binomial with a shared dispersion holds one α.
/// let nb = Params { alpha: Some(vec![0.8]), ..p };
/// assert_eq!(nb.alpha_of(1), Some(0.8));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Log-rate coefficients, one vector per group (length order + 1).
    pub beta: Vec<Vec<f64>>,
    /// Logit zero-inflation coefficients per group (ZIP only).
    pub gamma: Option<Vec<Vec<f64>>>,
    /// Mixing proportions, summing to 1. With risk factors, the
    /// proportions of a person whose standardised covariates are all 0 (a
    /// person with the mean covariates of the fitted persons).
    pub pi: Vec<f64>,
    /// Risk-factor coefficients δ_k, one vector per group (one value per
    /// risk factor, per standard deviation: see [`crate::model::spec::RiskScale`]), group 1's
    /// all 0: π_ik ∝ π_k·exp(δ_kᵀw̃_i) with w̃ the standardised factors.
    /// `None` without risk factors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Vec<Vec<f64>>>,
    /// Time-varying covariate coefficients θ_k, one vector per group (one
    /// value per covariate, in the covariate's own units): ln λ_ikt =
    /// x_tᵀβ_k + z_itᵀθ_k. `None` without time-varying covariates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcov: Option<Vec<Vec<f64>>>,
    /// Negative-binomial dispersions α (Var = μ + α·μ²): one per group, or
    /// a single value shared by all groups. `None` for Poisson and ZIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<Vec<f64>>,
}

impl Params {
    /// Number of groups. See the example of [`Params`].
    pub fn groups(&self) -> usize {
        self.pi.len()
    }

    /// Group `g`'s negative-binomial dispersion α (the shared one if there
    /// is one value), or `None` for Poisson and ZIP. See the example of
    /// [`Params`].
    pub fn alpha_of(&self, g: usize) -> Option<f64> {
        self.alpha
            .as_ref()
            .and_then(|a| a.get(g).or(a.last()).copied())
    }

    /// The same parameters with the groups in the order `order` (group `j`
    /// of the result is group `order[j]` of `self`).
    pub(crate) fn permuted(&self, order: &[usize]) -> Params {
        Params {
            beta: order.iter().map(|&g| self.beta[g].clone()).collect(),
            gamma: self
                .gamma
                .as_ref()
                .map(|gm| order.iter().map(|&g| gm[g].clone()).collect()),
            pi: order.iter().map(|&g| self.pi[g]).collect(),
            // Re-referenced to the new group 1.
            risk: self.risk.as_ref().map(|d| {
                let base = &d[order[0]];
                order
                    .iter()
                    .map(|&g| d[g].iter().zip(base).map(|(a, b)| a - b).collect())
                    .collect()
            }),
            tcov: self
                .tcov
                .as_ref()
                .map(|th| order.iter().map(|&g| th[g].clone()).collect()),
            alpha: self.alpha.as_ref().map(|a| {
                if a.len() == self.groups() {
                    order.iter().map(|&g| a[g]).collect()
                } else {
                    a.clone()
                }
            }),
        }
    }
}
