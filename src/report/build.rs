//! Building a [`FitSummary`] from a [`Fit`]: the diagnostics, the
//! criteria, and the standard errors, intervals and bands at a level.

use super::{FitSummary, GroupSummary, round_count};
use crate::diagnostics::{Diagnostics, aic, bic};
use crate::error::Result;
use crate::fit::Fit;
use crate::model::normal_quantile;

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
    /// assert_eq!(gbtm::FitSummary::new(&fit), s);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn summary(&self) -> FitSummary {
        FitSummary::new(self)
    }

    /// The summary with intervals and bands at `level`.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 2);
    /// let fit = Gbtm::poisson(3).order(2).starts(2).fit(&cohort.panel)?;
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
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 2);
    /// let x = ndarray::Array2::from_shape_fn((cohort.panel.n_persons(), 1), |(i, _)| (i % 2) as f64);
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&cohort.panel.with_risk(vec!["x".into()], x.view())?)?;
    /// let (against1, against2) = (fit.summary_with(0.95, 1)?, fit.summary_with(0.90, 2)?);
    /// assert_eq!(against1, fit.summary());
    /// assert_eq!(against2.level, 0.90);
    /// // Group 2 against 1, then group 1 against 2: the same log odds ratio of x, negated.
    /// let (a, b) = (&against1.risk_coefficients[1], &against2.risk_coefficients[1]);
    /// assert_eq!((a.group, a.reference, b.group, b.reference, b.term.as_str()), (2, 1, 1, 2, "x"));
    /// assert!((a.estimate + b.estimate).abs() < 1e-9);
    /// assert!(fit.summary_with(0.95, 0).is_err() && fit.summary_with(0.95, 3).is_err());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
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
    /// Summarises a fit: the same as [`Fit::summary`], whose example
    /// checks that the two agree.
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
            refinement: info.refinement,
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
