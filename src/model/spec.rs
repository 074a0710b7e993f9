//! The model family, the validated structure of a model, and parameter
//! values.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The family and parameter values live in their own rooms; the old paths
/// stay.
pub use super::family::{Dispersion, Family};
pub use super::params::Params;
pub use super::risk_scale::RiskScale;

/// Highest polynomial order allowed (as in traj).
///
/// ```
/// use gbtm::model::spec::MAX_ORDER;
/// use gbtm::{Family, ModelSpec};
/// assert!(ModelSpec::new(Family::Poisson, vec![MAX_ORDER], None).is_ok());
/// assert!(ModelSpec::new(Family::Poisson, vec![MAX_ORDER + 1], None).is_err());
/// ```
pub const MAX_ORDER: usize = 5;

/// A validated model structure: family, and per-group orders of the rate
/// polynomial and (for ZIP) of the zero-inflation polynomial.
///
/// It cannot be built invalid: [`ModelSpec::new`] checks it, the fields are
/// read through accessors, and deserialising runs the same checks.
///
/// ```
/// use gbtm::{Family, ModelSpec};
/// let spec = ModelSpec::new(Family::Zip, vec![3, 3, 2], Some(vec![0, 0, 0])).unwrap();
/// // traj's count: Σ(order+1) + Σ(iorder+1) + (K − 1)
/// assert_eq!(spec.n_parameters(), 4 + 4 + 3 + 3 + 2);
/// assert!(ModelSpec::new(Family::Poisson, vec![6], None).is_err());
/// // Invalid JSON is refused too.
/// let bad = r#"{"family":"poisson","orders":[9],"iorders":null}"#;
/// assert!(serde_json::from_str::<ModelSpec>(bad).is_err());
/// // The accessors.
/// assert_eq!((spec.family(), spec.groups()), (Family::Zip, 3));
/// assert_eq!((spec.orders(), spec.iorders()), (&[3, 3, 2][..], Some(&[0, 0, 0][..])));
/// assert_eq!((spec.n_dispersion(), spec.dispersion()), (0, gbtm::Dispersion::PerGroup));
/// assert!(spec.risk().is_empty() && spec.risk_scaling().is_empty() && spec.tcov().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawSpec")]
pub struct ModelSpec {
    family: Family,
    orders: Vec<usize>,
    iorders: Option<Vec<usize>>,
    /// Names of the risk factors on group membership (traj's `risk`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    risk: Vec<String>,
    /// How each risk factor is standardised before it enters the model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    risk_scaling: Vec<RiskScale>,
    /// Names of the time-varying covariates in every group's log rate
    /// (traj's `tcov`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tcov: Vec<String>,
    /// Negative binomial: one dispersion per group or one shared.
    #[serde(default, skip_serializing_if = "is_per_group")]
    dispersion: Dispersion,
}

fn is_per_group(d: &Dispersion) -> bool {
    *d == Dispersion::PerGroup
}

/// The serialised form of a [`ModelSpec`], checked on the way in.
#[derive(Deserialize)]
struct RawSpec {
    family: Family,
    orders: Vec<usize>,
    iorders: Option<Vec<usize>>,
    #[serde(default)]
    risk: Vec<String>,
    #[serde(default)]
    risk_scaling: Vec<RiskScale>,
    #[serde(default)]
    tcov: Vec<String>,
    #[serde(default)]
    dispersion: Dispersion,
}

impl TryFrom<RawSpec> for ModelSpec {
    type Error = Error;
    fn try_from(r: RawSpec) -> Result<ModelSpec> {
        let spec = ModelSpec::new(r.family, r.orders, r.iorders)?
            .with_risk(r.risk)?
            .with_tcov(r.tcov)?
            .with_dispersion(r.dispersion)?;
        if r.risk_scaling.is_empty() {
            Ok(spec)
        } else {
            spec.with_risk_scaling(r.risk_scaling)
        }
    }
}

impl ModelSpec {
    /// Checks the structure: at least one group, orders within 0..=5, and
    /// zero-inflation orders present exactly for ZIP, one per group.
    ///
    /// See the example of [`ModelSpec`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `groups`, `order` or `iorder`.
    pub fn new(family: Family, orders: Vec<usize>, iorders: Option<Vec<usize>>) -> Result<Self> {
        if orders.is_empty() {
            return Err(Error::param("groups", "at least one group is needed"));
        }
        if let Some(o) = orders.iter().find(|&&o| o > MAX_ORDER) {
            return Err(Error::param(
                "order",
                format!("order {o} is above the maximum {MAX_ORDER}"),
            ));
        }
        match (family, &iorders) {
            (Family::Poisson | Family::Nb, Some(_)) => {
                return Err(Error::param(
                    "iorder",
                    "zero-inflation orders need --model zip",
                ));
            }
            (Family::Zip, None) => {
                return Err(Error::param(
                    "iorder",
                    "a ZIP model needs zero-inflation orders",
                ));
            }
            (Family::Zip, Some(q)) => {
                if q.len() != orders.len() {
                    return Err(Error::param(
                        "iorder",
                        format!(
                            "{} zero-inflation orders for {} groups",
                            q.len(),
                            orders.len()
                        ),
                    ));
                }
                if let Some(o) = q.iter().find(|&&o| o > MAX_ORDER) {
                    return Err(Error::param(
                        "iorder",
                        format!("order {o} is above the maximum {MAX_ORDER}"),
                    ));
                }
            }
            (Family::Poisson | Family::Nb, None) => {}
        }
        Ok(ModelSpec {
            family,
            orders,
            iorders,
            risk: Vec::new(),
            risk_scaling: Vec::new(),
            tcov: Vec::new(),
            dispersion: Dispersion::PerGroup,
        })
    }

    /// The same structure with the negative binomial's dispersion per group
    /// (the default) or shared by all groups.
    ///
    /// ```
    /// use gbtm::{Dispersion, Family, ModelSpec};
    /// let per_group = ModelSpec::new(Family::Nb, vec![2, 2], None)?;
    /// let shared = per_group.clone().with_dispersion(Dispersion::Shared)?;
    /// // Σ(order + 1) + K − 1, plus K dispersions or one.
    /// assert_eq!(per_group.n_parameters(), 3 + 3 + 1 + 2);
    /// assert_eq!(shared.n_parameters(), 3 + 3 + 1 + 1);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `dispersion` for a shared
    /// dispersion in a model that is not negative binomial.
    pub fn with_dispersion(mut self, dispersion: Dispersion) -> Result<Self> {
        if dispersion == Dispersion::Shared && self.family != Family::Nb {
            return Err(Error::param(
                "dispersion",
                "a shared dispersion needs --model nb",
            ));
        }
        self.dispersion = dispersion;
        Ok(self)
    }

    /// The negative binomial's dispersion structure (per group for other
    /// families, where it means nothing).
    ///
    /// See the example of [`ModelSpec`].
    pub fn dispersion(&self) -> Dispersion {
        self.dispersion
    }

    /// Number of dispersion parameters: K or 1 for a negative binomial, 0
    /// otherwise.
    ///
    /// See the example of [`ModelSpec`].
    pub fn n_dispersion(&self) -> usize {
        match (self.family, self.dispersion) {
            (Family::Nb, Dispersion::Shared) => 1,
            (Family::Nb, Dispersion::PerGroup) => self.groups(),
            _ => 0,
        }
    }

    /// The same structure with risk factors on group membership: the
    /// multinomial logit of each group against group 1 gains one
    /// coefficient per named person-level covariate.
    ///
    /// ```
    /// use gbtm::{Family, ModelSpec};
    /// let spec = ModelSpec::new(Family::Poisson, vec![2, 2], None)?.with_risk(vec!["x1".into()])?;
    /// assert_eq!(spec.n_parameters(), 3 + 3 + 1 + 1);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `risk` for an empty or repeated
    /// name.
    pub fn with_risk(mut self, names: Vec<String>) -> Result<Self> {
        check_names(&names, "risk", "risk factor")?;
        self.risk_scaling = vec![
            RiskScale {
                center: 0.0,
                scale: 1.0
            };
            names.len()
        ];
        self.risk = names;
        Ok(self)
    }

    /// The same structure with these standardisations of the risk factors
    /// (one per factor).
    ///
    /// See the example of [`RiskScale`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `risk` for the wrong number, or a
    /// centre that is not finite or a scale that is not positive.
    pub fn with_risk_scaling(mut self, scaling: Vec<RiskScale>) -> Result<Self> {
        let ok = scaling.len() == self.risk.len()
            && scaling
                .iter()
                .all(|s| s.center.is_finite() && s.scale.is_finite() && s.scale > 0.0);
        if !ok {
            return Err(Error::param(
                "risk",
                "one standardisation per risk factor, with a finite centre and a positive scale",
            ));
        }
        self.risk_scaling = scaling;
        Ok(self)
    }

    /// The same structure with time-varying covariates (traj's `tcov`):
    /// every group's log rate gains one coefficient per named covariate,
    /// ln λ_ikt = x_tᵀβ_k + z_itᵀθ_k. The covariates enter as given (no
    /// standardisation), so the group's curve λ_k(t) = exp(x_tᵀβ_k) is its
    /// rate at covariates 0.
    ///
    /// ```
    /// use gbtm::{Family, ModelSpec};
    /// let spec = ModelSpec::new(Family::Poisson, vec![2, 2], None)?.with_tcov(vec!["employed".into()])?;
    /// assert_eq!(spec.tcov(), ["employed"]);
    /// assert_eq!(spec.n_parameters(), 3 + 3 + 1 + 2);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `tcov` for an empty, repeated or
    /// ill-formed name, or for a negative-binomial model (not available
    /// with time-varying covariates yet).
    pub fn with_tcov(mut self, names: Vec<String>) -> Result<Self> {
        check_names(&names, "tcov", "time-varying covariate")?;
        if !names.is_empty() && self.family == Family::Nb {
            return Err(Error::param(
                "tcov",
                "time-varying covariates are not available with --model nb yet (use poisson or zip)",
            ));
        }
        self.tcov = names;
        Ok(self)
    }

    /// Names of the time-varying covariates (empty without).
    ///
    /// See the example of [`ModelSpec`].
    pub fn tcov(&self) -> &[String] {
        &self.tcov
    }

    /// Names of the risk factors on group membership (empty without).
    ///
    /// See the example of [`ModelSpec`].
    pub fn risk(&self) -> &[String] {
        &self.risk
    }

    /// The standardisation of each risk factor.
    ///
    /// See the example of [`ModelSpec`].
    pub fn risk_scaling(&self) -> &[RiskScale] {
        &self.risk_scaling
    }

    /// Number of groups K.
    ///
    /// See the example of [`ModelSpec`].
    pub fn groups(&self) -> usize {
        self.orders.len()
    }

    /// Poisson, ZIP or negative binomial.
    ///
    /// See the example of [`ModelSpec`].
    pub fn family(&self) -> Family {
        self.family
    }

    /// Order of each group's log-rate polynomial (0..=5).
    ///
    /// See the example of [`ModelSpec`].
    pub fn orders(&self) -> &[usize] {
        &self.orders
    }

    /// Order of each group's logit zero-inflation polynomial (ZIP only).
    ///
    /// See the example of [`ModelSpec`].
    pub fn iorders(&self) -> Option<&[usize]> {
        self.iorders.as_deref()
    }

    /// The same structure with the groups in the order `order` (group `j`
    /// of the result is group `order[j]` of `self`).
    pub(crate) fn permuted(&self, order: &[usize]) -> ModelSpec {
        ModelSpec {
            family: self.family,
            orders: order.iter().map(|&g| self.orders[g]).collect(),
            iorders: self
                .iorders
                .as_ref()
                .map(|q| order.iter().map(|&g| q[g]).collect()),
            risk: self.risk.clone(),
            risk_scaling: self.risk_scaling.clone(),
            tcov: self.tcov.clone(),
            dispersion: self.dispersion,
        }
    }

    /// Free parameters as traj counts them: Σ_k (order_k + 1), plus
    /// Σ_k (iorder_k + 1) for ZIP, plus K − 1 mixing proportions, plus
    /// (K − 1)·R risk-factor coefficients, plus K·C time-varying covariate
    /// coefficients, plus the negative binomial's K dispersions (1 if
    /// shared).
    ///
    /// See the example of [`ModelSpec`].
    pub fn n_parameters(&self) -> usize {
        let rate: usize = self.orders.iter().map(|o| o + 1).sum();
        let zi: usize = self.iorders.iter().flatten().map(|o| o + 1).sum();
        rate + zi
            + (self.groups() - 1) * (1 + self.risk.len())
            + self.groups() * self.tcov.len()
            + self.n_dispersion()
    }
}

/// Covariate names are distinct, non-empty, and free of spaces and the
/// characters of hypotheses (they are written as `g1.risk.NAME`).
fn check_names(names: &[String], option: &str, what: &str) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        let odd = n.chars().any(|c| c.is_whitespace() || "+-*=,;".contains(c));
        if n.is_empty() || odd || names[..i].contains(n) {
            return Err(Error::param(
                option,
                format!(
                    "{what} names must be distinct, non-empty, and free of spaces and + - * = , ; (they are written in hypotheses): {names:?}"
                ),
            ));
        }
    }
    Ok(())
}
