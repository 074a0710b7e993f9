//! Fitting by EM, in rooms named for what they hold:
//!
//! - [`workspace`]: the panel prepared once per fit (designs, constants,
//!   observed cells);
//! - [`tables`]: per-group, per-age values of the parameters; log-space helpers;
//! - [`stats`]: the sums an E-step hands to the M-step;
//! - [`estep`]: posteriors by log-sum-exp and the pooled per-age sums;
//! - [`mstep`]: the weighted Poisson and logistic regressions, and the score;
//! - [`tcov`]: time-varying covariates in the log rate (person-year rows);
//! - [`counts`]: the negative binomial's tables of distinct counts;
//! - [`nb`]: negative-binomial groups (the E-step terms, the rate and
//!   dispersion M-step);
//! - [`concomitant`]: the shares on risk factors (a multinomial logit);
//! - [`linalg`]: Cholesky factorisation and solves, definiteness, BFGS;
//! - [`louis`]: the Hessian of the marginal likelihood in one pass;
//! - [`polish`]: quasi-Newton on the full likelihood, and its Hessian;
//! - [`run`]: one run from one start, with its [`Termination`];
//! - [`degeneracy`]: when a solution is not a usable model, and boundaries;
//! - [`start`]: seeded start values;
//! - [`refine`]: split-merge restarts, random moves, nested starts;
//! - [`multistart`]: the whole search over starts.
//!
//! Nothing here knows about fitted-model types, reports or the CLI: the
//! layer above ([`crate::fit`]) turns an [`multistart::Outcome`] into a fit.

pub(crate) mod concomitant;
pub(crate) mod counts;
pub(crate) mod degeneracy;
pub(crate) mod estep;
pub(crate) mod linalg;
pub(crate) mod louis;
pub(crate) mod mstep;
pub(crate) mod multistart;
pub(crate) mod nb;
pub(crate) mod polish;
pub(crate) mod refine;
pub(crate) mod run;
pub(crate) mod start;
pub(crate) mod stats;
pub(crate) mod tables;
pub(crate) mod tcov;
pub(crate) mod workspace;

#[cfg(test)]
mod estep_tests;
#[cfg(test)]
mod linalg_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tcov_tests;
#[cfg(test)]
mod tests;

pub use degeneracy::{Boundary, Degeneracy};
pub use multistart::{LocalOptimum, Refinement};
pub use run::{SAME_OPTIMUM, Termination};
