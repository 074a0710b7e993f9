//! The fitted trajectory model: structure, estimates, the age scaling they
//! refer to, the ages, and whether exposure entered the fit.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::covariance::Covariance;
use super::spec::{Family, ModelSpec, Params};
use crate::design::AgeScale;
use crate::error::{Error, Result};

/// A trajectory model: what a fit estimates, and what is saved, loaded,
/// classified against, forecast from and plotted.
///
/// Groups are numbered by a rule that does not depend on the seed: by
/// ascending expected cases per person over the model's ages at exposure 1,
/// `Σ_t (1 − ω_kt)·λ_kt` (ties: the smaller share first). Positions in the
/// vectors here are 0-based; printed tables number groups from 1.
///
/// ```
/// use gbtm::{AgeScale, Family, ModelSpec, Params, TrajectoryModel};
/// let spec = ModelSpec::new(Family::Zip, vec![0, 1], Some(vec![0, 0]))?;
/// let params = Params {
///     beta: vec![vec![-2.0], vec![0.0, 0.5]],
///     gamma: Some(vec![vec![0.0], vec![-3.0]]),
///     pi: vec![0.6, 0.4], risk: None, tcov: None, alpha: None,
/// };
/// let ages = vec![12, 13, 14];
/// let m = TrajectoryModel::new(spec, params, AgeScale::from_ages(&ages), ages, false)?;
/// assert_eq!((m.groups(), m.ages(), m.is_zip(), m.uses_exposure()), (2, &[12, 13, 14][..], true, false));
/// assert_eq!((m.spec().orders(), &m.params().pi[..]), (&[0, 1][..], &[0.6, 0.4][..]));
/// // The coefficients refer to the scaled age s = age − 13 here.
/// assert_eq!(m.age_scale().scaled(14.0), 1.0);
/// assert!((m.rate_at(1, 14.0) - 0.5f64.exp()).abs() < 1e-15);
/// assert_eq!(m.zero_inflation_at(0, 12.0), 0.5);
/// assert!((m.expected_at(0, 12.0) - 0.5 * (-2.0f64).exp()).abs() < 1e-15);
/// // The same at every model age, groups × ages.
/// assert_eq!(m.rates()[[1, 2]], m.rate_at(1, 14.0));
/// assert_eq!(m.zero_inflation().unwrap()[[0, 1]], 0.5);
/// assert_eq!(m.expected_counts()[[0, 0]], m.expected_at(0, 12.0));
/// // Expected cases over the ages number the groups: group 1 has fewer.
/// let totals = m.expected_totals();
/// assert!((totals[0] - 1.5 * (-2.0f64).exp()).abs() < 1e-12 && totals[0] < totals[1]);
/// // Built by hand: no covariance matrix, so no standard errors.
/// assert!(m.covariance().is_none());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawModel")]
pub struct TrajectoryModel {
    spec: ModelSpec,
    params: Params,
    age_scaling: AgeScale,
    ages: Vec<i64>,
    exposure: bool,
    /// The covariance of the estimates, if the fit had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    covariance: Option<Covariance>,
}

#[derive(Deserialize)]
struct RawModel {
    spec: ModelSpec,
    params: Params,
    age_scaling: AgeScale,
    ages: Vec<i64>,
    exposure: bool,
    #[serde(default)]
    covariance: Option<Covariance>,
}

impl TryFrom<RawModel> for TrajectoryModel {
    type Error = Error;
    fn try_from(r: RawModel) -> Result<TrajectoryModel> {
        let m = TrajectoryModel::new(r.spec, r.params, r.age_scaling, r.ages, r.exposure)?;
        match r.covariance {
            Some(c) => m.with_covariance(c),
            None => Ok(m),
        }
    }
}

/// The largest |ln λ| (and logit ω) a model may have at its ages.
///
/// ```
/// use gbtm::model::MAX_LN_RATE;
/// use gbtm::{AgeScale, Family, ModelSpec, Params, TrajectoryModel};
/// let model = |b0: f64| {
///     let params = Params { beta: vec![vec![b0]], gamma: None, pi: vec![1.0], risk: None, tcov: None, alpha: None };
///     let spec = ModelSpec::new(Family::Poisson, vec![0], None)?;
///     TrajectoryModel::new(spec, params, AgeScale::from_ages(&[12, 13]), vec![12, 13], false)
/// };
/// assert!(model(MAX_LN_RATE - 1.0).is_ok());
/// assert!(model(-(MAX_LN_RATE + 1.0)).is_err());
/// ```
pub const MAX_LN_RATE: f64 = 700.0;

fn invalid(message: impl Into<String>) -> Error {
    Error::param("model", message)
}

impl TrajectoryModel {
    /// Checks that the parts agree: one coefficient vector of length
    /// order + 1 per group (and zero-inflation coefficients exactly for ZIP),
    /// finite coefficients, positive shares summing to 1, strictly
    /// increasing ages and a positive age scale.
    ///
    /// See the example of [`TrajectoryModel`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `model` and what disagrees.
    pub fn new(
        spec: ModelSpec,
        params: Params,
        age_scaling: AgeScale,
        ages: Vec<i64>,
        exposure: bool,
    ) -> Result<TrajectoryModel> {
        let k = spec.groups();
        let lens_ok = |v: &Vec<Vec<f64>>, o: &[usize]| {
            v.len() == o.len() && v.iter().zip(o).all(|(b, &o)| b.len() == o + 1)
        };
        let zi_ok = match (&params.gamma, spec.iorders()) {
            (None, None) => true,
            (Some(g), Some(q)) => lens_ok(g, q),
            _ => false,
        };
        let risk_ok = match &params.risk {
            None => spec.risk().is_empty(),
            Some(d) => {
                !spec.risk().is_empty()
                    && d.len() == k
                    && d.iter()
                        .all(|r| r.len() == spec.risk().len() && r.iter().all(|x| x.is_finite()))
            }
        };
        let tcov_ok = match &params.tcov {
            None => spec.tcov().is_empty(),
            Some(th) => {
                !spec.tcov().is_empty()
                    && th.len() == k
                    && th
                        .iter()
                        .all(|r| r.len() == spec.tcov().len() && r.iter().all(|x| x.is_finite()))
            }
        };
        let alpha_ok = match &params.alpha {
            None => spec.n_dispersion() == 0,
            Some(a) => {
                a.len() == spec.n_dispersion() && a.iter().all(|x| x.is_finite() && *x > 0.0)
            }
        };
        if !lens_ok(&params.beta, spec.orders())
            || !zi_ok
            || !alpha_ok
            || !risk_ok
            || !tcov_ok
            || params.pi.len() != k
        {
            return Err(invalid("the parameters do not match the model structure"));
        }
        let finite = params
            .beta
            .iter()
            .chain(params.gamma.iter().flatten())
            .flatten()
            .all(|x| x.is_finite());
        if !finite || params.pi.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
            return Err(invalid("parameters must be finite and shares positive"));
        }
        if (params.pi.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
            return Err(invalid("group shares do not sum to 1"));
        }
        if ages.is_empty() || ages.windows(2).any(|w| w[0] >= w[1]) {
            return Err(invalid("ages must be non-empty and increasing"));
        }
        if let Some(a) = ages
            .iter()
            .find(|a| !(crate::data::MIN_AGE..=crate::data::MAX_AGE).contains(*a))
        {
            return Err(invalid(format!("age {a} is outside 0..=130")));
        }
        if !((0.5..=130.0).contains(&age_scaling.scale)
            && (-130.0..=260.0).contains(&age_scaling.center))
        {
            return Err(invalid(
                "the age scaling must map the ages near [-1, 1] (a scale from 0.5 to 130)",
            ));
        }
        let model = TrajectoryModel {
            spec,
            params,
            age_scaling,
            ages,
            exposure,
            covariance: None,
        };
        // Rates and zero inflation must stay representable at every model
        // age, so that no posterior or forecast is NaN or infinite.
        for g in 0..k {
            for &a in &model.ages {
                let eta = model.age_scaling.eval(&model.params.beta[g], a as f64);
                if !(-MAX_LN_RATE..=MAX_LN_RATE).contains(&eta) {
                    return Err(invalid(format!(
                        "group {}: ln λ = {eta:.3e} at age {a} is outside ±{MAX_LN_RATE}: the rate over- or underflows",
                        g + 1
                    )));
                }
                if let Some(gm) = &model.params.gamma {
                    let zeta = model.age_scaling.eval(&gm[g], a as f64);
                    // Very negative is ω = 0, which is harmless; very
                    // positive makes every positive count impossible.
                    if !zeta.is_finite() || zeta > MAX_LN_RATE {
                        return Err(invalid(format!(
                            "group {}: logit ω = {zeta:.3e} at age {a} is above {MAX_LN_RATE}",
                            g + 1
                        )));
                    }
                }
            }
        }
        Ok(model)
    }

    /// The same model with the covariance matrix of its estimates (see
    /// [`Covariance`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the matrix names a parameter the model
    /// does not have.
    pub fn with_covariance(mut self, covariance: Covariance) -> Result<TrajectoryModel> {
        covariance.check(&self.spec)?;
        self.covariance = Some(covariance);
        Ok(self)
    }

    /// The covariance matrix of the estimates; `None` for a model built by
    /// hand, or a fit whose information matrix could not be inverted
    /// (see [`crate::FitInfo::covariance_problem`]).
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn covariance(&self) -> Option<&Covariance> {
        self.covariance.as_ref()
    }

    /// The model structure.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }
    /// The estimates (coefficients on the scaled age; see
    /// [`TrajectoryModel::age_scale`]).
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The map from age to the scaled age the coefficients refer to.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn age_scale(&self) -> AgeScale {
        self.age_scaling
    }
    /// The ages of the fitted panel.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn ages(&self) -> &[i64] {
        &self.ages
    }
    /// Whether exposure (time at risk) entered the fit as an offset. Such a
    /// model is applied to new data with their exposure.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn uses_exposure(&self) -> bool {
        self.exposure
    }
    /// Number of groups K.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn groups(&self) -> usize {
        self.spec.groups()
    }

    /// λ_k(age) at exposure 1, at any age (also between the model's ages).
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn rate_at(&self, group: usize, age: f64) -> f64 {
        self.age_scaling.eval(&self.params.beta[group], age).exp()
    }

    /// ω_k(age) (ZIP); 0 for Poisson.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn zero_inflation_at(&self, group: usize, age: f64) -> f64 {
        match &self.params.gamma {
            Some(gm) => 1.0 / (1.0 + (-self.age_scaling.eval(&gm[group], age)).exp()),
            None => 0.0,
        }
    }

    /// The expected count `(1 − ω_k(age))·λ_k(age)` at exposure 1.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn expected_at(&self, group: usize, age: f64) -> f64 {
        (1.0 - self.zero_inflation_at(group, age)) * self.rate_at(group, age)
    }

    /// λ_kt at exposure 1: groups × ages.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn rates(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.groups(), self.ages.len()), |(g, t)| {
            self.rate_at(g, self.ages[t] as f64)
        })
    }

    /// ω_kt (ZIP): groups × ages; `None` for Poisson.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn zero_inflation(&self) -> Option<Array2<f64>> {
        self.params.gamma.as_ref()?;
        Some(Array2::from_shape_fn(
            (self.groups(), self.ages.len()),
            |(g, t)| self.zero_inflation_at(g, self.ages[t] as f64),
        ))
    }

    /// Expected count per year `(1 − ω_kt)·λ_kt` at exposure 1: groups × ages.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn expected_counts(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.groups(), self.ages.len()), |(g, t)| {
            self.expected_at(g, self.ages[t] as f64)
        })
    }

    /// Expected cases per person over the model's ages at exposure 1, per
    /// group: the quantity groups are numbered by.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn expected_totals(&self) -> Vec<f64> {
        self.expected_counts()
            .rows()
            .into_iter()
            .map(|r| r.sum())
            .collect()
    }

    /// The order that numbers groups canonically: ascending expected total,
    /// then ascending share, then the current position.
    pub(crate) fn canonical_order(&self) -> Vec<usize> {
        let totals = self.expected_totals();
        let mut order: Vec<usize> = (0..self.groups()).collect();
        order.sort_by(|&a, &b| {
            totals[a]
                .total_cmp(&totals[b])
                .then(self.params.pi[a].total_cmp(&self.params.pi[b]))
                .then(a.cmp(&b))
        });
        order
    }

    /// The same model with the groups in the order `order`, without a
    /// covariance matrix (the share logits refer to group 1, which the
    /// permutation changes).
    pub(crate) fn permuted(&self, order: &[usize]) -> TrajectoryModel {
        TrajectoryModel {
            spec: self.spec.permuted(order),
            params: self.params.permuted(order),
            age_scaling: self.age_scaling,
            ages: self.ages.clone(),
            exposure: self.exposure,
            covariance: None,
        }
    }

    /// The negative-binomial dispersion α_k (Var = μ + α·μ²), or `None`
    /// for Poisson and ZIP.
    ///
    /// ```
    /// use gbtm::{AgeScale, Family, ModelSpec, Params, TrajectoryModel};
    /// let spec = ModelSpec::new(Family::Nb, vec![0, 0], None)?;
    /// let params = Params { beta: vec![vec![-1.0], vec![0.5]], gamma: None, pi: vec![0.5, 0.5], risk: None, tcov: None, alpha: Some(vec![2.0, 0.5]) };
    /// let m = TrajectoryModel::new(spec, params, AgeScale::from_ages(&[12, 13]), vec![12, 13], false)?;
    /// assert_eq!(m.dispersion(1), Some(0.5));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn dispersion(&self, group: usize) -> Option<f64> {
        self.params.alpha_of(group)
    }

    /// Whether the model has zero inflation.
    ///
    /// See the example of [`TrajectoryModel`].
    pub fn is_zip(&self) -> bool {
        self.spec.family() == Family::Zip
    }
}
