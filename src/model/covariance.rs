//! The covariance matrix of a model's estimates, the names of its
//! parameters, and why it may be unavailable ([`CovarianceProblem`]).
//!
//! The parameters are, in this order (the order of the covariance matrix):
//!
//! - per group k, the log-rate coefficients on the scaled age:
//!   `gk.intercept`, `gk.age`, `gk.age2`, … (up to the group's order);
//! - with time-varying covariates, per group, their coefficients in the
//!   log rate, `gk.tcov.NAME`;
//! - for ZIP, per group, the logit zero-inflation coefficients:
//!   `gk.zi.intercept`, `gk.zi.age`, …;
//! - for the negative binomial, the log dispersions `gk.ln_alpha` per
//!   group (one `ln_alpha` if shared);
//! - the multinomial logits of the group shares against group 1,
//!   `gk.logit = ln(π_k / π_1)` for k = 2..K (with risk factors: at
//!   covariates 0);
//! - with risk factors, their coefficients in those logits,
//!   `gk.risk.NAME` for k = 2..K.
//!
//! Parameters on the boundary of the parameter space (a ZIP group whose
//! zero inflation ran to 0) have no standard error and are left out of the
//! matrix; see docs/inference.md.

use serde::{Deserialize, Serialize};

use super::spec::ModelSpec;
use crate::error::{Error, Result};

/// The name of coefficient `j` of a polynomial in age: `intercept`, `age`,
/// `age2`, `age3`, ….
///
/// ```
/// use gbtm::model::covariance::term_name;
/// assert_eq!(term_name(0), "intercept");
/// assert_eq!(term_name(1), "age");
/// assert_eq!(term_name(3), "age3");
/// ```
pub fn term_name(j: usize) -> String {
    match j {
        0 => "intercept".to_string(),
        1 => "age".to_string(),
        j => format!("age{j}"),
    }
}

/// The name of a parameter of group `group` (0-based; names count from 1):
/// the one place the naming scheme of the module documentation is spelled.
pub(crate) mod name {
    use super::term_name;

    /// `gK.intercept`, `gK.age`, … (log rate, term `j`).
    pub fn rate(group: usize, j: usize) -> String {
        format!("g{}.{}", group + 1, term_name(j))
    }
    /// `gK.zi.intercept`, … (logit zero inflation, term `j`).
    pub fn zi(group: usize, j: usize) -> String {
        format!("g{}.zi.{}", group + 1, term_name(j))
    }
    /// `gK.ln_alpha` (negative-binomial log dispersion), or `ln_alpha`
    /// when the groups share it (`group` None).
    pub fn ln_alpha(group: Option<usize>) -> String {
        match group {
            Some(g) => format!("g{}.ln_alpha", g + 1),
            None => "ln_alpha".to_string(),
        }
    }
    /// `gK.logit`: ln(π_K / π_1).
    pub fn logit(group: usize) -> String {
        format!("g{}.logit", group + 1)
    }
    /// `gK.tcov.NAME` (time-varying covariate in the log rate).
    pub fn tcov(group: usize, covariate: &str) -> String {
        format!("g{}.tcov.{covariate}", group + 1)
    }
    /// `gK.risk.NAME`.
    pub fn risk(group: usize, factor: &str) -> String {
        format!("g{}.risk.{factor}", group + 1)
    }
}

/// Every parameter name of a model structure, in the order of the
/// covariance matrix (see the module documentation).
///
/// ```
/// use gbtm::{Family, ModelSpec};
/// use gbtm::model::covariance::parameter_names;
/// let spec = ModelSpec::new(Family::Zip, vec![1, 0], Some(vec![0, 0]))?;
/// assert_eq!(
///     parameter_names(&spec),
///     ["g1.intercept", "g1.age", "g2.intercept", "g1.zi.intercept", "g2.zi.intercept", "g2.logit"]
/// );
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn parameter_names(spec: &ModelSpec) -> Vec<String> {
    let mut names = Vec::with_capacity(spec.n_parameters());
    for (g, &o) in spec.orders().iter().enumerate() {
        names.extend((0..=o).map(|j| name::rate(g, j)));
    }
    for g in 0..spec.groups() {
        names.extend(spec.tcov().iter().map(|c| name::tcov(g, c)));
    }
    if let Some(q) = spec.iorders() {
        for (g, &o) in q.iter().enumerate() {
            names.extend((0..=o).map(|j| name::zi(g, j)));
        }
    }
    match (spec.n_dispersion(), spec.groups()) {
        (0, _) => {}
        (1, k) if k > 1 => names.push(name::ln_alpha(None)),
        (_, k) => names.extend((0..k).map(|g| name::ln_alpha(Some(g)))),
    }
    names.extend((1..spec.groups()).map(name::logit));
    for g in 1..spec.groups() {
        names.extend(spec.risk().iter().map(|r| name::risk(g, r)));
    }
    names
}

/// Why a fit has no covariance matrix (and so no standard errors).
///
/// ```
/// use gbtm::model::covariance::CovarianceProblem;
/// let p = CovarianceProblem::IllConditioned { condition: 3e13 };
/// assert!(p.to_string().contains("nearly singular"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CovarianceProblem {
    /// The observed information is not positive definite: the solution is
    /// not a strict local maximum in every free parameter.
    NotPositiveDefinite {
        /// The smallest eigenvalue of the observed information.
        smallest_eigenvalue: f64,
    },
    /// The observed information is singular to rounding (its smallest
    /// eigenvalue is within 1e-9 of its largest of zero): a direction in
    /// which the likelihood is flat, such as a parameter running off to a
    /// boundary that is not detected as one.
    Singular {
        /// The smallest eigenvalue of the observed information.
        smallest_eigenvalue: f64,
        /// The largest.
        largest_eigenvalue: f64,
    },
    /// The observed information is positive definite but nearly singular:
    /// some combination of parameters is hardly identified (coinciding
    /// groups, a group of a handful of persons), and its variance would be
    /// numerical noise.
    IllConditioned {
        /// Largest over smallest eigenvalue.
        condition: f64,
    },
}

impl std::fmt::Display for CovarianceProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CovarianceProblem::NotPositiveDefinite {
                smallest_eigenvalue,
            } => write!(
                f,
                "the observed information is not positive definite (smallest eigenvalue {smallest_eigenvalue:.3e}): the solution is not a strict maximum, so there are no standard errors"
            ),
            CovarianceProblem::Singular {
                smallest_eigenvalue,
                largest_eigenvalue,
            } => write!(
                f,
                "the observed information is singular (eigenvalues from {smallest_eigenvalue:.3e} to {largest_eigenvalue:.3e}): the likelihood is flat in some direction, so there are no standard errors"
            ),
            CovarianceProblem::IllConditioned { condition } => write!(
                f,
                "the observed information is nearly singular (condition number {condition:.2e}): some parameters are not identified, so there are no standard errors"
            ),
        }
    }
}

/// The covariance matrix of the estimates: the inverse of the observed
/// information of the marginal log-likelihood at the maximum, over the
/// parameters named in [`Covariance::names`].
///
/// ```
/// use gbtm::model::covariance::Covariance;
/// let c = Covariance::new(vec!["g1.intercept".into(), "g1.age".into()], vec![0.04, 0.01, 0.01, 0.09])?;
/// assert_eq!(c.se("g1.age"), Some(0.3));
/// assert_eq!(c.get("g1.intercept", "g1.age"), Some(0.01));
/// assert_eq!(c.se("g2.age"), None);
/// assert_eq!((c.names().len(), c.matrix().len(), c.index("g1.age")), (2, 4, Some(1)));
/// // Var(b0 + b1) = 0.04 + 0.09 + 2·0.01, the delta method's gᵀΣg.
/// let w = [("g1.intercept".to_string(), 1.0), ("g1.age".to_string(), 1.0)];
/// assert!((c.variance_of(&w) - 0.15).abs() < 1e-15);
/// // Not symmetric, or a negative variance: refused.
/// assert!(Covariance::new(vec!["a".into(), "b".into()], vec![1.0, 0.5, 0.2, 1.0]).is_err());
/// assert!(Covariance::new(vec!["a".into()], vec![-1.0]).is_err());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCovariance", into = "RawCovariance")]
pub struct Covariance {
    names: Vec<String>,
    /// Row-major, `names.len()` squared.
    matrix: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
struct RawCovariance {
    names: Vec<String>,
    matrix: Vec<Vec<f64>>,
}

impl TryFrom<RawCovariance> for Covariance {
    type Error = Error;
    fn try_from(r: RawCovariance) -> Result<Covariance> {
        let n = r.names.len();
        if r.matrix.iter().any(|row| row.len() != n) {
            return Err(invalid("the covariance matrix is not square"));
        }
        Covariance::new(r.names, r.matrix.concat())
    }
}

impl From<Covariance> for RawCovariance {
    fn from(c: Covariance) -> RawCovariance {
        let n = c.names.len();
        RawCovariance {
            matrix: (0..n)
                .map(|i| c.matrix[i * n..(i + 1) * n].to_vec())
                .collect(),
            names: c.names,
        }
    }
}

fn invalid(message: &str) -> Error {
    Error::param("covariance", message.to_string())
}

impl Covariance {
    /// A covariance matrix over `names` (row-major `matrix`).
    ///
    /// See the example of [`Covariance`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the matrix is not square in the
    /// names, not finite, not symmetric, has a negative variance, or a name
    /// repeats.
    pub fn new(names: Vec<String>, matrix: Vec<f64>) -> Result<Covariance> {
        let n = names.len();
        if matrix.len() != n * n {
            return Err(invalid("the covariance matrix is not square in its names"));
        }
        if matrix.iter().any(|x| !x.is_finite()) {
            return Err(invalid("the covariance matrix is not finite"));
        }
        for i in 0..n {
            if matrix[i * n + i] < 0.0 {
                return Err(invalid("a variance is negative"));
            }
            for j in 0..i {
                let (a, b) = (matrix[i * n + j], matrix[j * n + i]);
                if (a - b).abs() > 1e-9 * a.abs().max(b.abs()).max(1e-300) {
                    return Err(invalid("the covariance matrix is not symmetric"));
                }
            }
            if names[..i].contains(&names[i]) {
                return Err(invalid("a parameter name repeats"));
            }
        }
        Ok(Covariance { names, matrix })
    }

    /// The parameters, in the order of the matrix.
    ///
    /// See the example of [`Covariance`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The matrix, row-major.
    ///
    /// See the example of [`Covariance`].
    pub fn matrix(&self) -> &[f64] {
        &self.matrix
    }

    /// The position of parameter `name`.
    ///
    /// See the example of [`Covariance`].
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Cov(a, b).
    ///
    /// See the example of [`Covariance`].
    pub fn get(&self, a: &str, b: &str) -> Option<f64> {
        let (i, j) = (self.index(a)?, self.index(b)?);
        Some(self.matrix[i * self.names.len() + j])
    }

    /// The standard error of parameter `name`; `None` if it has none (not a
    /// parameter, or on the boundary).
    ///
    /// See the example of [`Covariance`].
    pub fn se(&self, name: &str) -> Option<f64> {
        self.get(name, name).map(f64::sqrt)
    }

    /// The variance of `Σ_j c_j·θ_j` for the weights `(name, c_j)`: the
    /// delta method's `gᵀ Σ g`. Names without a variance count as fixed.
    ///
    /// See the example of [`Covariance`].
    pub fn variance_of(&self, weights: &[(String, f64)]) -> f64 {
        let n = self.names.len();
        let idx: Vec<(usize, f64)> = weights
            .iter()
            .filter_map(|(name, c)| Some((self.index(name)?, *c)))
            .collect();
        let mut v = 0.0;
        for &(i, a) in &idx {
            for &(j, b) in &idx {
                v += a * b * self.matrix[i * n + j];
            }
        }
        v.max(0.0)
    }

    /// Checks that every name is a parameter of `spec`.
    pub(crate) fn check(&self, spec: &ModelSpec) -> Result<()> {
        let all = parameter_names(spec);
        match self.names.iter().find(|n| !all.contains(n)) {
            Some(n) => Err(invalid(&format!("{n} is not a parameter of the model"))),
            None => Ok(()),
        }
    }
}
