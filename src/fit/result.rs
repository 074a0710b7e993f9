//! The result of a fit: the model, the training posteriors, and the facts
//! of the run. Its summary (BIC, AvePP, OCC, …) is computed when asked for
//! ([`Fit::summary`], in [`crate::report`]; [`Fit::assignments`], in
//! [`crate::diagnostics`]); nothing is cached.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::em::{Boundary, LocalOptimum, Refinement, Termination};
use crate::model::{CovarianceProblem, TrajectoryModel};

/// Facts about how a fit went ([`Fit::info`]).
///
/// ```
/// use gbtm::{synth, Gbtm};
/// let fit = Gbtm::poisson(2).order(1).starts(3).seed(2).fit(&synth::three_groups(200, 1).panel)?;
/// let info = fit.info();
/// assert!(info.converged() && info.hessian_negative_definite);
/// assert_eq!((info.starts, info.seed, info.n_persons), (3, 2, 200));
/// assert!(info.starts_at_best >= 1 && info.starts_at_best <= info.starts);
/// assert!((info.shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FitInfo {
    /// Maximised log-likelihood (with the ln y! terms).
    pub log_likelihood: f64,
    /// Persons fitted.
    pub n_persons: usize,
    /// Observed person-years.
    pub n_observations: usize,
    /// Persons dropped for having no observed year.
    pub n_dropped: usize,
    /// Why the best run stopped: converged or at the iteration limit.
    pub termination: Termination,
    /// EM iterations of the best start.
    pub iterations: usize,
    /// Largest |score| of LL / N at the solution.
    pub max_score: f64,
    /// Whether the Hessian at the solution is negative definite (a strict
    /// local maximum), leaving out parameters on the boundary.
    pub hessian_negative_definite: bool,
    /// Estimated group shares: π_k, or with risk factors the mean of π_ik
    /// over the fitted persons.
    pub shares: Vec<f64>,
    /// Why the model has no covariance matrix (no standard errors), if it
    /// has none.
    pub covariance_problem: Option<CovarianceProblem>,
    /// Starts run to convergence.
    pub starts: usize,
    /// Screening runs that chose them.
    pub screened: usize,
    /// Starts that reached the best log-likelihood (within
    /// [`crate::em::SAME_OPTIMUM`]).
    pub starts_at_best: usize,
    /// Whether the best start was refined, or why not.
    pub refinement: Refinement,
    /// Refinement runs from the best start: split-merge restarts, random
    /// moves of the parameters and nested starts (see docs/model.md).
    pub refinement_runs: usize,
    /// Refinement runs that reached the best log-likelihood.
    pub refinement_at_best: usize,
    /// Runs (starts and refinement runs) discarded as degenerate.
    pub degenerate_starts: usize,
    /// Distinct optima over all usable runs, best first.
    pub local_optima: Vec<LocalOptimum>,
    /// Parameters on the boundary of the parameter space (zero inflation
    /// run to 0); left out of the Hessian check.
    pub boundary: Vec<Boundary>,
    /// The seed used.
    pub seed: u64,
}

impl FitInfo {
    /// Whether the best start met both convergence tolerances. See the
    /// example of [`FitInfo`].
    pub fn converged(&self) -> bool {
        self.termination.is_converged()
    }
}

/// A fitted model with its training posteriors and the facts of the run.
///
/// ```
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 5);
/// let fit = Gbtm::poisson(3).order(2).starts(3).fit(&cohort.panel)?;
/// assert!(fit.converged());
/// assert_eq!(fit.posteriors().dim(), (cohort.panel.n_persons(), 3));
/// // Each person's posteriors sum to one.
/// assert!(fit.posteriors().rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
/// assert_eq!(fit.assignments().len(), cohort.panel.n_persons());
/// assert_eq!(fit.info().log_likelihood, fit.log_likelihood());
/// assert_eq!(fit.model().groups(), 3);
/// let summary = fit.summary();
/// assert_eq!(summary.log_likelihood, fit.log_likelihood());
/// // The model outlives the fit: classify, forecast, save.
/// let model = fit.into_model();
/// assert_eq!(model.classify(&cohort.panel)?.len(), 300);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub(crate) model: TrajectoryModel,
    pub(crate) posteriors: Array2<f64>,
    pub(crate) info: FitInfo,
}

impl Fit {
    /// The fitted model.
    ///
    /// See the example of [`Fit`].
    pub fn model(&self) -> &TrajectoryModel {
        &self.model
    }
    /// The fitted model, owned.
    ///
    /// See the example of [`Fit`].
    pub fn into_model(self) -> TrajectoryModel {
        self.model
    }
    /// How the fit went.
    ///
    /// See the example of [`Fit`].
    pub fn info(&self) -> &FitInfo {
        &self.info
    }
    /// Maximised log-likelihood.
    ///
    /// See the example of [`Fit`].
    pub fn log_likelihood(&self) -> f64 {
        self.info.log_likelihood
    }
    /// Whether the best start met both convergence tolerances. See the
    /// example of [`Fit`].
    pub fn converged(&self) -> bool {
        self.info.converged()
    }
    /// Posterior group probabilities of the fitted persons (persons × groups,
    /// rows in the panel's order).
    ///
    /// See the example of [`Fit`].
    pub fn posteriors(&self) -> &Array2<f64> {
        &self.posteriors
    }
}
