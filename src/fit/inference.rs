//! The observed information at a solution, the maximum check, and the
//! covariance matrix of the estimates.
//!
//! The Hessian of the marginal log-likelihood, in the parameters
//! (β, γ, ln(π_k/π_1)), is computed in one pass by Louis' identity for
//! Poisson and ZIP ([`crate::em::louis`]), and by central differences of
//! the exact score with risk factors ([`crate::em::polish`]). Parameters
//! on the boundary (zero inflation run to 0) are left out. The rest of
//! `I = −H` must be positive definite (the solution is a strict maximum)
//! and its condition number below [`MAX_CONDITION`]; then the covariance is
//! `I⁻¹` by Cholesky. See docs/inference.md.

use crate::em::Boundary;
use crate::em::degeneracy::at_boundary;
use crate::em::linalg::{cholesky, cholesky_inverse, symmetric_eigenvalues};
use crate::em::polish::hessian;
use crate::em::workspace::Workspace;
use crate::model::covariance::parameter_names;
use crate::model::{Covariance, CovarianceProblem, Params};

/// The largest condition number of the information matrix for which
/// standard errors are reported. The central-difference Hessian is
/// accurate to about 1e-10 relative, so directions with eigenvalues below
/// about 1e-9 of the largest are noise.
///
/// A fit whose information matrix is worse conditioned has no covariance, and says why
/// ([`FitSummary::covariance_problem`](crate::FitSummary::covariance_problem)); see the
/// example of [`Fit::summary`](crate::Fit::summary).
pub const MAX_CONDITION: f64 = 1e9;

/// What the information matrix says at a solution.
pub(crate) struct Information {
    /// The free parameters' information is positive definite.
    pub maximum: bool,
    pub covariance: Result<Covariance, CovarianceProblem>,
    pub boundary: Vec<Boundary>,
}

/// The information matrix at `params` (numbered as they will be reported).
pub(crate) fn information(ws: &Workspace<'_>, params: &Params) -> Information {
    let (fixed, boundary) = at_boundary(ws, params);
    let h = hessian(ws, params);
    let p = (h.len() as f64).sqrt().round() as usize;
    let keep: Vec<usize> = (0..p).filter(|j| !fixed.contains(j)).collect();
    let q = keep.len();
    let h = &h;
    let info: Vec<f64> = keep
        .iter()
        .flat_map(|&i| keep.iter().map(move |&j| -h[i * p + j]))
        .collect();
    let chol = cholesky(&info, q);
    let maximum = chol.is_some();
    let covariance = match chol {
        None => {
            let ev = symmetric_eigenvalues(&info, q);
            let clamp = |v: Option<&f64>| v.copied().unwrap_or(0.0).clamp(-1e300, 1e300);
            let (lo, hi) = (clamp(ev.first()), clamp(ev.last()));
            Err(if lo.abs() <= 1e-9 * hi.abs() {
                CovarianceProblem::Singular {
                    smallest_eigenvalue: lo,
                    largest_eigenvalue: hi,
                }
            } else {
                CovarianceProblem::NotPositiveDefinite {
                    smallest_eigenvalue: lo,
                }
            })
        }
        Some(l) => {
            let ev = symmetric_eigenvalues(&info, q);
            let (lo, hi) = (ev[0], ev[q - 1]);
            if lo <= 0.0 || lo.is_nan() || hi / lo > MAX_CONDITION {
                Err(CovarianceProblem::IllConditioned {
                    condition: if lo > 0.0 {
                        (hi / lo).min(1e300)
                    } else {
                        1e300
                    },
                })
            } else {
                let names = parameter_names(ws.spec);
                let names = keep.iter().map(|&i| names[i].clone()).collect();
                Covariance::new(names, cholesky_inverse(&l, q))
                    .map_err(|_| CovarianceProblem::IllConditioned { condition: hi / lo })
            }
        }
    };
    Information {
        maximum,
        covariance,
        boundary,
    }
}
