//! Wald tests of linear hypotheses on a model's parameters.
//!
//! A hypothesis `R θ = r` of q independent constraints is tested by
//! `W = (Rθ̂ − r)ᵀ (R Σ̂ Rᵀ)⁻¹ (Rθ̂ − r)`, which is χ²(q) under the
//! hypothesis; Σ̂ is the model's covariance matrix. The syntax is in
//! `parse` (and docs/inference.md): for example `g1.age = g2.age`,
//! `g2.ages = 0` (group 2 is flat), `g1 = g2` (the same curve, traj's
//! `trajtest`), `g3.logit = 0` (groups 1 and 3 equally large).

mod parse;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::em::linalg::{cholesky, cholesky_solve};
use crate::error::{Error, Result};
use crate::model::TrajectoryModel;

/// The result of a Wald test; see the example of
/// [`TrajectoryModel::wald_test`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WaldTest {
    /// The hypothesis as given.
    pub hypothesis: String,
    /// The constraints it expands to, one per degree of freedom.
    pub constraints: Vec<String>,
    /// Each constraint's estimate `Σ c_j·θ̂_j − r` (0 under the hypothesis).
    pub estimates: Vec<f64>,
    /// The Wald statistic W.
    pub statistic: f64,
    /// Degrees of freedom q.
    pub df: usize,
    /// P(χ²_q ≥ W).
    pub p_value: f64,
}

impl std::fmt::Display for WaldTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Wald test of {}", self.hypothesis)?;
        for (c, e) in self.constraints.iter().zip(&self.estimates) {
            writeln!(f, "  {c}   (estimate of left − right: {e:.6})")?;
        }
        let p = if self.p_value < 1e-300 {
            "p < 1e-300".to_string()
        } else {
            format!("p = {:.4e}", self.p_value)
        };
        write!(
            f,
            "chi-squared {:.4} on {} degree{} of freedom, {p}",
            self.statistic,
            self.df,
            if self.df == 1 { "" } else { "s" },
        )
    }
}

impl TrajectoryModel {
    /// Tests a linear hypothesis on the parameters by a Wald test.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(600, 1);
    /// let fit = Gbtm::poisson(3).order(2).starts(3).fit(&cohort.panel)?;
    /// let m = fit.model();
    /// // The three groups have different curves…
    /// assert!(m.wald_test("g1 = g2")?.p_value < 1e-6);
    /// // …and a test of one coefficient against itself is refused.
    /// assert!(m.wald_test("g1.age = g1.age").is_err());
    /// let t = m.wald_test("g3.ages = 0")?;
    /// assert_eq!(t.df, 2);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `hypothesis` for a syntax error,
    /// a parameter the model does not have or one without a standard error,
    /// or constraints that are not independent; naming `covariance` if the
    /// model has no covariance matrix.
    pub fn wald_test(&self, hypothesis: &str) -> Result<WaldTest> {
        let cov = self.covariance().ok_or_else(|| {
            Error::param(
                "covariance",
                "the model has no covariance matrix (fit it with this version of gbtm; see the fit report for why it may have none)",
            )
        })?;
        let constraints = parse::parse(hypothesis, self.spec())?;
        let theta = flat_estimates(self);
        let q = constraints.len();
        let mut estimates = Vec::with_capacity(q);
        for c in &constraints {
            if let Some((n, _)) = c.weights.iter().find(|(n, _)| cov.index(n).is_none()) {
                return Err(Error::param(
                    "hypothesis",
                    format!(
                        "{n} has no standard error (it is on the boundary of the parameter space)"
                    ),
                ));
            }
            let value: f64 = c
                .weights
                .iter()
                .map(|(n, w)| w * theta.iter().find(|(m, _)| m == n).map_or(0.0, |t| t.1))
                .sum();
            estimates.push(value - c.rhs);
        }
        // R Σ Rᵀ
        let mut v = vec![0.0; q * q];
        for i in 0..q {
            for j in 0..=i {
                let mut s = 0.0;
                for (a, wa) in &constraints[i].weights {
                    for (b, wb) in &constraints[j].weights {
                        s += wa * wb * cov.get(a, b).unwrap_or(0.0);
                    }
                }
                v[i * q + j] = s;
                v[j * q + i] = s;
            }
        }
        let scale = (0..q).map(|i| v[i * q + i]).fold(0.0, f64::max);
        let l = cholesky(&v, q)
            .filter(|l| (0..q).all(|i| l[i * q + i].powi(2) > 1e-12 * scale))
            .ok_or_else(|| {
                Error::param(
                    "hypothesis",
                    format!("\"{hypothesis}\": the constraints are not independent (one follows from the others)"),
                )
            })?;
        let x = cholesky_solve(&l, q, &estimates);
        let statistic: f64 = x.iter().zip(&estimates).map(|(a, b)| a * b).sum();
        let chi =
            ChiSquared::new(q as f64).map_err(|e| Error::param("hypothesis", e.to_string()))?;
        Ok(WaldTest {
            hypothesis: hypothesis.to_string(),
            constraints: constraints.into_iter().map(|c| c.text).collect(),
            estimates,
            statistic,
            df: q,
            p_value: chi.sf(statistic).clamp(0.0, 1.0),
        })
    }
}

/// Every parameter's name and estimate, in the order of the covariance
/// matrix (the optimiser's own parameter vector).
fn flat_estimates(m: &TrajectoryModel) -> Vec<(String, f64)> {
    crate::model::covariance::parameter_names(m.spec())
        .into_iter()
        .zip(crate::em::polish::flatten(m.params()))
        .collect()
}
