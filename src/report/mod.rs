//! Reports of a fit: the JSON summary ([`FitSummary`]), with standard
//! errors, intervals and bands where the fit has a covariance matrix, and
//! a readable report (`text`).

mod text;

pub use text::p_value;

use serde::{Deserialize, Serialize};

use crate::design::AgeScale;
use crate::diagnostics::{Diagnostics, aic, bic};
use crate::em::{Boundary, LocalOptimum, Termination};
use crate::error::Result;
use crate::fit::Fit;
use crate::model::{CovarianceProblem, Family, RiskCoefficient, normal_quantile};

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
    /// `poisson` or `zip`.
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

impl Fit {
    /// The fit's summary: fit statistics, BIC, AIC, entropy, and per group
    /// AvePP, OCC, shares, coefficients and rates, with 95% intervals and
    /// bands. Computed afresh on each call.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let fit = Gbtm::poisson(2).order(1).starts(2).seed(4).fit(&synth::three_groups(200, 5).panel)?;
    /// let s = fit.summary();
    /// assert_eq!((s.groups.len(), s.n_persons), (2, 200));
    /// assert_eq!(s.log_likelihood, fit.log_likelihood());
    /// // traj's BIC: LL − ½·p·ln N, with N = persons.
    /// assert!((s.bic - (s.log_likelihood - 0.5 * s.parameters as f64 * 200f64.ln())).abs() < 1e-9);
    /// // A strict maximum with a well-conditioned information matrix: standard errors, no problem.
    /// assert!(s.covariance_problem.is_none() && s.groups[0].proportion_se.is_some());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn summary(&self) -> FitSummary {
        FitSummary::new(self)
    }

    /// The summary with intervals and bands at `level`.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(500, 2);
    /// let fit = Gbtm::poisson(3).order(2).starts(3).fit(&cohort.panel)?;
    /// let (s90, s95) = (fit.summary_at(0.90)?, fit.summary());
    /// let g = (&s90.groups[1], &s95.groups[1]);
    /// assert!(g.0.proportion_lower > g.1.proportion_lower);
    /// assert_eq!(g.0.coefficient_se, g.1.coefficient_se);
    /// assert!(fit.summary_at(95.0).is_err());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] naming `level` unless 0 < level < 1.
    pub fn summary_at(&self, level: f64) -> Result<FitSummary> {
        self.summary_with(level, 1)
    }

    /// The summary at `level`, with the risk-factor coefficients against
    /// group `reference` (from 1; traj's `refgroup`).
    ///
    /// # Errors
    /// As [`Fit::summary_at`], and [`crate::Error::InvalidParameter`] naming
    /// `refgroup` if there is no such group.
    pub fn summary_with(&self, level: f64, reference: usize) -> Result<FitSummary> {
        normal_quantile(level)?;
        if reference == 0 || reference > self.model().groups() {
            return Err(crate::Error::param(
                "refgroup",
                format!(
                    "{reference} is not a group of this {}-group model",
                    self.model().groups()
                ),
            ));
        }
        Ok(FitSummary::at_level(self, level, reference - 1))
    }
}

impl FitSummary {
    /// Summarises a fit (the same as [`Fit::summary`]).
    ///
    /// The same as [`Fit::summary`]; see its example.
    pub fn new(fit: &Fit) -> FitSummary {
        FitSummary::at_level(fit, 0.95, 0)
    }

    /// The summary at `level`, risk coefficients against group `reference`
    /// (0-based, checked by the caller).
    fn at_level(fit: &Fit, level: f64, reference: usize) -> FitSummary {
        let info = fit.info();
        let model = fit.model();
        let spec = model.spec();
        let params = model.params();
        let diag = Diagnostics::new(fit.posteriors(), &info.shares);
        let rates = model.rates();
        let zi = model.zero_inflation();
        let expected = model.expected_counts();
        let p = spec.n_parameters();
        let ll = info.log_likelihood;
        let groups = diag
            .groups
            .iter()
            .enumerate()
            .map(|(g, d)| {
                let share = model.share_interval(g, level).ok();
                let rate_band = model.rate_band(g, level).ok();
                let expected_band = model.expected_band(g, level).ok();
                let (raw, raw_se) = model.raw_age_coefficients(g);
                GroupSummary {
                    proportion: d.proportion,
                    assigned_share: d.assigned_share,
                    n_assigned: d.n_assigned,
                    avepp: d.avepp,
                    occ: d.occ,
                    order: spec.orders()[g],
                    coefficients: params.beta[g].clone(),
                    iorder: spec.iorders().map(|q| q[g]),
                    zero_inflation_coefficients: params.gamma.as_ref().map(|gm| gm[g].clone()),
                    tcov_coefficients: params.tcov.as_ref().map(|th| th[g].clone()),
                    tcov_coefficient_se: params.tcov.as_ref().and_then(|_| {
                        model
                            .tcov_coefficient_se(g)
                            .ok()
                            .and_then(|v| v.into_iter().collect())
                    }),
                    dispersion: model.dispersion(g),
                    dispersion_interval: model.dispersion_interval(g, level).ok(),
                    rate: rates.row(g).to_vec(),
                    zero_inflation: zi.as_ref().map(|z| z.row(g).to_vec()),
                    expected_count: expected.row(g).to_vec(),
                    coefficient_se: model
                        .coefficient_se(g)
                        .ok()
                        .and_then(|v| v.into_iter().collect()),
                    zero_inflation_coefficient_se: zi
                        .as_ref()
                        .and_then(|_| model.zero_inflation_coefficient_se(g).ok()),
                    raw_age_coefficients: raw,
                    raw_age_coefficient_se: raw_se,
                    proportion_se: share.map(|i| i.se),
                    proportion_lower: share.map(|i| i.lower),
                    proportion_upper: share.map(|i| i.upper),
                    rate_lower: rate_band.as_ref().map(|b| b.0.clone()),
                    rate_upper: rate_band.map(|b| b.1),
                    expected_lower: expected_band.as_ref().map(|b| b.0.clone()),
                    expected_upper: expected_band.map(|b| b.1),
                }
            })
            .collect();
        FitSummary {
            model: spec.family(),
            n_persons: info.n_persons,
            n_observations: info.n_observations,
            n_dropped: info.n_dropped,
            ages: model.ages().to_vec(),
            age_scaling: model.age_scale(),
            exposure: model.uses_exposure(),
            log_likelihood: ll,
            parameters: p,
            bic: bic(ll, p, info.n_persons as f64),
            bic_observations: bic(ll, p, info.n_observations as f64),
            aic: aic(ll, p),
            entropy: diag.entropy,
            converged: info.converged(),
            termination: info.termination.clone(),
            iterations: info.iterations,
            max_score: info.max_score,
            covariance_problem: info.covariance_problem.clone(),
            level,
            risk_coefficients: model
                .risk_coefficients(level, reference)
                .unwrap_or_default(),
            time_varying_covariates: spec.tcov().to_vec(),
            hessian_negative_definite: info.hessian_negative_definite,
            starts: info.starts,
            screened: info.screened,
            starts_at_best: info.starts_at_best,
            refinement_runs: info.refinement_runs,
            refinement_at_best: info.refinement_at_best,
            degenerate_starts: info.degenerate_starts,
            local_optima: info.local_optima.clone(),
            boundary: info.boundary.clone(),
            seed: info.seed,
            groups,
            counts_rounded_to: None,
        }
    }

    /// The same summary with every person count rounded to a multiple of
    /// `base` and the assigned shares recomputed from the rounded counts
    /// (rounded group count / rounded number of persons).
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(333, 2);
    /// let fit = Gbtm::poisson(2).starts(2).fit(&cohort.panel)?;
    /// let s = fit.summary().with_rounded_counts(5);
    /// assert_eq!(s.n_persons % 5, 0);
    /// assert!(s.groups.iter().all(|g| g.n_assigned % 5 == 0));
    /// let g = &s.groups[0];
    /// assert_eq!(g.assigned_share, g.n_assigned as f64 / s.n_persons as f64);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn with_rounded_counts(&self, base: usize) -> FitSummary {
        let mut s = self.clone();
        if base <= 1 {
            return s;
        }
        s.n_persons = round_count(s.n_persons, base);
        s.n_dropped = round_count(s.n_dropped, base);
        for g in &mut s.groups {
            g.n_assigned = round_count(g.n_assigned, base);
            g.assigned_share = if s.n_persons > 0 {
                g.n_assigned as f64 / s.n_persons as f64
            } else {
                0.0
            };
        }
        s.counts_rounded_to = Some(base);
        s
    }
}
