//! Reports of a fit: the JSON summary ([`FitSummary`]), with standard
//! errors, intervals and bands where the fit has a covariance matrix, and
//! a readable report (`text`).

mod build;
mod text;

pub use text::p_value;

use serde::{Deserialize, Serialize};

use crate::design::AgeScale;
use crate::em::{Boundary, LocalOptimum, Refinement, Termination};
use crate::model::{CovarianceProblem, Family, RiskCoefficient};

/// One group in a [`FitSummary`]. Groups are listed in the model's order
/// (group 1 first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupSummary {
    /// Estimated group probability π̂_k.
    pub proportion: f64,
    /// Share of persons assigned to the group by maximum posterior.
    pub assigned_share: f64,
    /// Persons assigned to the group.
    pub n_assigned: usize,
    /// Mean posterior over the persons assigned to the group.
    pub avepp: f64,
    /// Odds of correct classification, with π̂_k.
    pub occ: f64,
    /// Order of the log-rate polynomial.
    pub order: usize,
    /// Log-rate coefficients on the scaled age `(age − center) / scale`.
    pub coefficients: Vec<f64>,
    /// Order of the logit zero-inflation polynomial (ZIP).
    pub iorder: Option<usize>,
    /// Logit zero-inflation coefficients on the scaled age (ZIP).
    pub zero_inflation_coefficients: Option<Vec<f64>>,
    /// Coefficients of the time-varying covariates in the log rate, in the
    /// order of [`FitSummary::time_varying_covariates`] (absent without).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcov_coefficients: Option<Vec<f64>>,
    /// Their standard errors (absent without a covariance matrix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcov_coefficient_se: Option<Vec<f64>>,
    /// Negative binomial: the dispersion α_k (Var = μ + α·μ²; a shared α
    /// appears in every group). Absent for Poisson and ZIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion: Option<f64>,
    /// α_k's standard error and interval at `level` (delta method from
    /// ln α; the interval formed on the log scale). Absent without a
    /// covariance matrix, or with α on the boundary 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion_interval: Option<crate::model::Interval>,
    /// λ_kt at exposure 1, one per age (with time-varying covariates: at
    /// covariates 0).
    pub rate: Vec<f64>,
    /// ω_kt per age (ZIP), else `null`.
    pub zero_inflation: Option<Vec<f64>>,
    /// Expected count per year at exposure 1, (1 − ω_kt)·λ_kt (λ_kt for
    /// Poisson).
    pub expected_count: Vec<f64>,
    /// Standard errors of `coefficients`; `null` without a covariance
    /// matrix (see `covariance_problem`).
    pub coefficient_se: Option<Vec<f64>>,
    /// Standard errors of `zero_inflation_coefficients` (ZIP); an entry is
    /// `null` for a coefficient on the boundary ω = 0.
    pub zero_inflation_coefficient_se: Option<Vec<Option<f64>>>,
    /// The log-rate coefficients on raw age (`η = Σ_m b_m·ageᵐ`).
    pub raw_age_coefficients: Vec<f64>,
    /// Their standard errors (delta method).
    pub raw_age_coefficient_se: Option<Vec<f64>>,
    /// SE of π̂_k (delta method from the multinomial logits).
    pub proportion_se: Option<f64>,
    /// Lower end of the interval of π_k at `level` (logit scale).
    pub proportion_lower: Option<f64>,
    /// Upper end of the interval of π_k.
    pub proportion_upper: Option<f64>,
    /// Pointwise lower band of `rate` at `level` (log scale).
    pub rate_lower: Option<Vec<f64>>,
    /// Pointwise upper band of `rate`.
    pub rate_upper: Option<Vec<f64>>,
    /// Pointwise lower band of `expected_count`.
    pub expected_lower: Option<Vec<f64>>,
    /// Pointwise upper band of `expected_count`.
    pub expected_upper: Option<Vec<f64>>,
}

/// Everything `gbtm fit --json` prints. Field names are stable.
///
/// ```
/// use gbtm::{Gbtm, Panel};
/// use ndarray::Array2;
/// let counts = Array2::from_shape_fn((30, 5), |(i, t)| ((i * 7 + t * 3) % 4) as f64);
/// let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15, 16], None)?;
/// let fit = Gbtm::poisson(1).order(2).fit(&panel)?;
/// let s = fit.summary();
/// assert_eq!(s.parameters, 3);
/// assert_eq!(s.groups[0].rate.len(), 5);
/// let json = serde_json::to_string(&s).unwrap();
/// assert!(json.contains("\"bic_observations\""));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FitSummary {
    /// `poisson`, `zip` or `nb`.
    pub model: Family,
    /// Persons fitted.
    pub n_persons: usize,
    /// Observed person-years.
    pub n_observations: usize,
    /// Persons dropped for having no observed year in the window.
    pub n_dropped: usize,
    /// Ages of the panel.
    pub ages: Vec<i64>,
    /// The scaling of age used by the coefficients.
    pub age_scaling: AgeScale,
    /// Whether exposure (time at risk) entered as an offset.
    pub exposure: bool,
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// Free parameters (traj's count).
    pub parameters: usize,
    /// `LL − ½·parameters·ln(n_persons)`; larger is better.
    pub bic: f64,
    /// `LL − ½·parameters·ln(n_observations)`.
    pub bic_observations: f64,
    /// `LL − parameters`.
    pub aic: f64,
    /// Relative entropy; 1 = perfect separation.
    pub entropy: f64,
    /// Whether both convergence tolerances were met.
    pub converged: bool,
    /// Why the best run stopped.
    pub termination: Termination,
    /// EM iterations of the best start.
    pub iterations: usize,
    /// Largest |score| of LL / N at the solution.
    pub max_score: f64,
    /// Whether the Hessian is negative definite at the solution.
    pub hessian_negative_definite: bool,
    /// Why there are no standard errors, if there are none.
    pub covariance_problem: Option<CovarianceProblem>,
    /// Coverage of the intervals and bands (0.95 unless asked otherwise).
    pub level: f64,
    /// Risk factors on group membership (empty without): each group's
    /// multinomial-logit coefficients against the reference group, with
    /// odds ratios.
    pub risk_coefficients: Vec<RiskCoefficient>,
    /// Names of the time-varying covariates in the log rate (absent
    /// without); each group's coefficients are in its
    /// `tcov_coefficients`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_varying_covariates: Vec<String>,
    /// Starts run to convergence.
    pub starts: usize,
    /// Short screening runs that chose them.
    pub screened: usize,
    /// Starts that reached the best log-likelihood (within 1e-6).
    pub starts_at_best: usize,
    /// Whether the best start was refined, or why not.
    pub refinement: Refinement,
    /// Refinement runs from the best start: split-merge restarts and random
    /// moves of the parameters.
    pub refinement_runs: usize,
    /// Refinement runs that reached the best log-likelihood.
    pub refinement_at_best: usize,
    /// Runs (starts and refinement runs) discarded as degenerate.
    pub degenerate_starts: usize,
    /// Distinct local optima, best first.
    pub local_optima: Vec<LocalOptimum>,
    /// Parameters on the boundary (zero inflation run to 0), one per group.
    pub boundary: Vec<Boundary>,
    /// Seed of the fit.
    pub seed: u64,
    /// One entry per group.
    pub groups: Vec<GroupSummary>,
    /// If set, every person count above (`n_persons`, `n_dropped`,
    /// `n_assigned`) is rounded to a multiple of this, and `assigned_share`
    /// is computed from the rounded counts (disclosure control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_rounded_to: Option<usize>,
}

/// Rounds a person count to the nearest multiple of `base` (halves up), as
/// statistical offices require for published microdata figures.
///
/// ```
/// use gbtm::report::round_count;
/// assert_eq!(round_count(12, 5), 10);
/// assert_eq!(round_count(13, 5), 15);
/// assert_eq!(round_count(2, 5), 0);
/// assert_eq!(round_count(7, 1), 7);
/// ```
pub fn round_count(n: usize, base: usize) -> usize {
    if base <= 1 {
        return n;
    }
    (n + base / 2) / base * base
}
