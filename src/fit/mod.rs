//! The public fitting API: [`Gbtm`] (what to fit, and how: validated
//! settings) and [`Fit`] (the result: the [`TrajectoryModel`], the training
//! posteriors and the facts of the run).
//!
//! A fit runs many short screening runs from seeded starts, continues the most
//! promising to convergence, polishes each by Newton on the full likelihood,
//! discards degenerate solutions and returns the best, with its groups
//! numbered by ascending expected cases per person (see
//! [`TrajectoryModel`]).

mod bench;
mod inference;
mod result;
mod validate;

pub use bench::{time_esteps, time_floor, time_msteps};
pub use inference::MAX_CONDITION;
pub use result::{Fit, FitInfo};

use crate::data::Panel;
use crate::design::AgeScale;
use crate::em::concomitant::expected_members;
use crate::em::estep::posteriors;
use crate::em::multistart::{Search, local_optima, search};
use crate::em::refine::Nested;
use crate::em::run::{Control, Run, SAME_OPTIMUM, best_usable};
use crate::em::workspace::Workspace;
use crate::error::{Error, Result};
use crate::model::{Dispersion, Family, ModelSpec, TrajectoryModel};

/// How to fit: the model structure and the optimiser's settings. Build it with
/// [`Gbtm::poisson`], [`Gbtm::zip`] or [`Gbtm::nb`], adjust with the setters, then call
/// [`Gbtm::fit`], which validates everything against the panel first.
///
/// ```
/// use gbtm::{Gbtm, Panel};
/// use ndarray::Array2;
/// // Two obvious groups: 20 persons with an offence every sixth year, 20
/// // with about 3 a year.
/// let counts = Array2::from_shape_fn((40, 6), |(i, t)| {
///     if i < 20 { ((i + t) % 6 == 0) as u8 as f64 } else { (2 + (i + t) % 3) as f64 }
/// });
/// let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15, 16, 17], None)?;
/// let fit = Gbtm::poisson(2).order(1).starts(4).seed(1).fit(&panel)?;
/// assert!(fit.converged());
/// // Group 1 is the group with fewer expected cases.
/// let shares = &fit.model().params().pi;
/// assert!((shares[0] - 0.5).abs() < 1e-6);
/// assert!(fit.model().expected_totals()[0] < fit.model().expected_totals()[1]);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Gbtm {
    family: Family,
    groups: usize,
    order: usize,
    orders: Option<Vec<usize>>,
    iorder: usize,
    iorders: Option<Vec<usize>>,
    starts: usize,
    seed: u64,
    max_iter: usize,
    ll_tol: f64,
    score_tol: f64,
    nested: Option<Nested>,
    dispersion: Dispersion,
}

/// The most groups a model may have.
///
/// ```
/// use gbtm::fit::{MAX_GROUPS, MAX_ITER, MAX_STARTS};
/// use gbtm::Gbtm;
/// assert!(Gbtm::poisson(MAX_GROUPS + 1).spec().is_err());
/// let panel = gbtm::synth::three_groups(50, 1).panel;
/// assert!(Gbtm::poisson(1).starts(MAX_STARTS + 1).fit(&panel).is_err());
/// assert!(Gbtm::poisson(1).max_iter(MAX_ITER + 1).fit(&panel).is_err());
/// ```
pub const MAX_GROUPS: usize = 50;
/// The most starts a fit may run to convergence (ten times as many are
/// screened). See the example of [`MAX_GROUPS`].
pub const MAX_STARTS: usize = 10_000;
/// The most EM iterations per start. See the example of [`MAX_GROUPS`].
pub const MAX_ITER: usize = 10_000_000;
/// The most posterior cells (persons × groups): 2³¹, 16 GiB of f64.
const MAX_POSTERIOR_CELLS: u128 = 1 << 31;

impl Gbtm {
    /// A mixture of `family` with `groups` groups (cubic rates; for ZIP,
    /// constant zero inflation): [`Gbtm::poisson`] or [`Gbtm::zip`] by value.
    ///
    /// ```
    /// use gbtm::{Family, Gbtm};
    /// assert_eq!(Gbtm::new(Family::Zip, 3).spec()?, Gbtm::zip(3).spec()?);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn new(family: Family, groups: usize) -> Gbtm {
        Gbtm {
            family,
            groups,
            order: 3,
            orders: None,
            iorder: 0,
            iorders: None,
            starts: 10,
            seed: 1,
            max_iter: 5000,
            ll_tol: 1e-10,
            score_tol: 1e-8,
            nested: None,
            dispersion: Dispersion::PerGroup,
        }
    }
    /// A Poisson mixture with `groups` groups (cubic by default).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn poisson(groups: usize) -> Gbtm {
        Gbtm::new(Family::Poisson, groups)
    }
    /// A zero-inflated Poisson mixture with `groups` groups (cubic rate,
    /// constant zero inflation by default).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn zip(groups: usize) -> Gbtm {
        Gbtm::new(Family::Zip, groups)
    }
    /// A negative-binomial (NB2) mixture with `groups` groups (cubic
    /// rates, one dispersion α per group by default).
    ///
    /// ```
    /// use gbtm::{Dispersion, Gbtm};
    /// let spec = Gbtm::nb(2).dispersion(Dispersion::Shared).spec()?;
    /// assert_eq!(spec.n_dispersion(), 1);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn nb(groups: usize) -> Gbtm {
        Gbtm::new(Family::Nb, groups)
    }
    /// Negative binomial: one dispersion per group (the default) or one
    /// shared by all groups. Refused for other families when shared.
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn dispersion(mut self, dispersion: Dispersion) -> Self {
        self.dispersion = dispersion;
        self
    }
    /// The same polynomial order (0..=5) for every group.
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn order(mut self, order: usize) -> Self {
        self.order = order;
        self.orders = None;
        self
    }
    /// One polynomial order per group.
    ///
    /// ```
    /// use gbtm::{Dispersion, Family, Gbtm};
    /// let g = Gbtm::zip(3).orders(vec![3, 2, 1]).iorders(vec![0, 0, 1]).starts(20).seed(9)
    ///     .max_iter(500).tolerance(1e-9, 1e-7);
    /// assert_eq!((g.groups(), g.family()), (3, Family::Zip));
    /// let spec = g.spec()?;
    /// assert_eq!((spec.orders(), spec.iorders()), (&[3, 2, 1][..], Some(&[0, 0, 1][..])));
    /// // order() and iorder() set every group and replace orders() and iorders().
    /// assert_eq!(g.clone().order(2).iorder(1).spec()?.orders(), &[2, 2, 2]);
    /// assert_eq!(g.order(2).iorder(1).spec()?.iorders(), Some(&[1, 1, 1][..]));
    /// // Poisson has no zero inflation; a shared dispersion needs the negative binomial.
    /// assert_eq!(Gbtm::poisson(2).spec()?.iorders(), None);
    /// assert!(Gbtm::poisson(2).dispersion(Dispersion::Shared).spec().is_err());
    /// // Four orders for three groups are refused when the spec is built.
    /// assert!(Gbtm::zip(3).orders(vec![1, 1, 1, 1]).spec().is_err());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn orders(mut self, orders: Vec<usize>) -> Self {
        self.orders = Some(orders);
        self
    }
    /// The same zero-inflation order for every group (traj's `iorder`, ZIP only).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn iorder(mut self, iorder: usize) -> Self {
        self.iorder = iorder;
        self.iorders = None;
        self
    }
    /// One zero-inflation order per group (ZIP only).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn iorders(mut self, iorders: Vec<usize>) -> Self {
        self.iorders = Some(iorders);
        self
    }
    /// Starts run to convergence (default 10). Ten times as many short
    /// screening runs choose them; `starts(1)` is a single start with no
    /// screening and no refinement (docs/model.md §4).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn starts(mut self, starts: usize) -> Self {
        self.starts = starts;
        self
    }
    /// Seed of every random choice (default 1).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Maximum EM iterations per start (default 5000).
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }
    /// Convergence tolerances: relative log-likelihood change (default 1e-10)
    /// and largest score component of LL / N (default 1e-8). Both must hold.
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn tolerance(mut self, ll_tol: f64, score_tol: f64) -> Self {
        self.ll_tol = ll_tol;
        self.score_tol = score_tol;
        self
    }

    /// Also start from `smaller`, a fit of the same family to the same
    /// panel with one group fewer: each of its groups split in two joins the
    /// screening, and if the search does not beat `smaller`, starts that
    /// contain it exactly (one group duplicated) are run too. EM never lowers
    /// the log-likelihood, so the fit's is at least `smaller`'s (up to
    /// 1e-6) whenever its orders nest in this structure. [`crate::select`]
    /// uses this for every K after the first.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let panel = synth::three_groups(300, 2).panel;
    /// let two = Gbtm::poisson(2).order(2).starts(2).fit(&panel)?;
    /// let three = Gbtm::poisson(3).order(2).starts(2).nest(&two).fit(&panel)?;
    /// assert!(three.log_likelihood() >= two.log_likelihood() - 1e-6);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn nest(mut self, smaller: &Fit) -> Self {
        self.nested = Some(Nested {
            spec: smaller.model().spec().clone(),
            params: smaller.model().params().clone(),
            log_likelihood: smaller.log_likelihood(),
        });
        self
    }

    /// Number of groups K.
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The model family.
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn family(&self) -> Family {
        self.family
    }

    /// The validated model structure.
    ///
    /// See the example of [`Gbtm::orders`].
    pub fn spec(&self) -> Result<ModelSpec> {
        if self.groups == 0 || self.groups > MAX_GROUPS {
            return Err(Error::param(
                "groups",
                format!("{} groups: gbtm fits 1 to {MAX_GROUPS} groups", self.groups),
            ));
        }
        let orders = self
            .orders
            .clone()
            .unwrap_or_else(|| vec![self.order; self.groups]);
        if orders.len() != self.groups {
            return Err(Error::param(
                "orders",
                format!("{} orders given for {} groups", orders.len(), self.groups),
            ));
        }
        let iorders = match self.family {
            Family::Poisson | Family::Nb => None,
            Family::Zip => Some(
                self.iorders
                    .clone()
                    .unwrap_or_else(|| vec![self.iorder; self.groups]),
            ),
        };
        ModelSpec::new(self.family, orders, iorders)?.with_dispersion(self.dispersion)
    }

    /// Fits the model to `panel`: seeded starts, screening, EM to
    /// convergence, refinement, a Newton polish and the check that the
    /// result is a maximum; the best usable solution, its groups numbered
    /// by ascending expected cases.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 8);
    /// let fit = Gbtm::poisson(3).order(2).starts(3).seed(5).fit(&cohort.panel)?;
    /// assert!(fit.converged() && fit.info().hessian_negative_definite);
    /// // The same seed gives the same fit, to the bit.
    /// let again = Gbtm::poisson(3).order(2).starts(3).seed(5).fit(&cohort.panel)?;
    /// assert_eq!(fit.log_likelihood().to_bits(), again.log_likelihood().to_bits());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// The errors of [`Gbtm::validate`], and [`Error::AllDegenerate`] if
    /// every run ended degenerate.
    pub fn fit(&self, panel: &Panel) -> Result<Fit> {
        let spec = self.validate(panel)?;
        let scale = AgeScale::from_ages(panel.ages());
        let ws = Workspace::new(panel, &spec, scale);
        let settings = Search {
            starts: self.starts,
            seed: self.seed,
            control: Control {
                max_iter: self.max_iter,
                ll_tol: self.ll_tol,
                score_tol: self.score_tol,
                polish_below: Some(1e-6),
            },
            nested: self.nested.clone(),
        };
        let outcome = search(&ws, &settings);
        let runs = &outcome.runs;
        let best = best_usable(runs).ok_or_else(|| Error::AllDegenerate {
            runs: runs.len(),
            reason: runs
                .iter()
                .find_map(|r| match &r.termination {
                    crate::em::Termination::Degenerate(d) => Some(d.to_string()),
                    _ => None,
                })
                .unwrap_or_default(),
        })?;
        let at_best = |rs: &[Run]| {
            rs.iter()
                .filter(|r| (r.ll - best.ll).abs() < SAME_OPTIMUM && r.usable())
                .count()
        };
        let (post, ll) = posteriors(&ws, &best.params);
        let model = TrajectoryModel::new(
            spec.clone(),
            best.params.clone(),
            scale,
            panel.ages().to_vec(),
            panel.exposure().is_some(),
        )?;
        // Number the groups by the seed-independent rule, then judge the
        // solution (maximum, boundary, covariance) in that numbering.
        let order = model.canonical_order();
        let post = post.select(ndarray::Axis(1), &order);
        let model = model.permuted(&order);
        let numbered = Workspace::new(panel, model.spec(), scale);
        let information = inference::information(&numbered, model.params());
        let n = panel.n_persons() as f64;
        let shares = expected_members(&numbered, model.params())
            .iter()
            .map(|m| m / n)
            .collect();
        let (model, covariance_problem) = match information.covariance {
            Ok(c) => (model.with_covariance(c)?, None),
            Err(problem) => (model, Some(problem)),
        };
        let starts = outcome.starts;
        Ok(Fit {
            model,
            posteriors: post,
            info: FitInfo {
                log_likelihood: ll,
                n_persons: panel.n_persons(),
                n_observations: panel.n_observations(),
                n_dropped: panel.n_dropped(),
                termination: best.termination.clone(),
                iterations: best.iterations,
                max_score: best.max_score,
                hessian_negative_definite: information.maximum,
                covariance_problem,
                shares,
                starts,
                screened: outcome.screened,
                starts_at_best: at_best(&runs[..starts]),
                refinement: outcome.refinement,
                refinement_runs: runs.len() - starts,
                refinement_at_best: at_best(&runs[starts..]),
                degenerate_starts: runs.iter().filter(|r| !r.usable()).count(),
                local_optima: local_optima(runs),
                boundary: information.boundary,
                seed: self.seed,
            },
        })
    }
}
