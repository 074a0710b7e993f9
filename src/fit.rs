//! The public fitting API: [`Gbtm`] (what to fit, and how) and
//! [`FittedGbtm`] (the result).
//!
//! A fit runs many short screening runs from seeded starts, continues the most
//! promising to convergence, polishes each by Newton on the full likelihood,
//! discards degenerate solutions and returns the best.

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Panel;
use crate::design::AgeScale;
use crate::em::estep::{posteriors, Workspace};
use crate::em::{polish, run_em, start, Control, Run};
use crate::error::{Error, Result};
use crate::model::{Family, ModelSpec, Params};

/// How to fit: the model structure and the optimiser's settings. Build it with
/// [`Gbtm::poisson`] or [`Gbtm::zip`], adjust with the setters, then call
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
/// let mut shares = fit.params().pi.clone();
/// shares.sort_by(f64::total_cmp);
/// assert!((shares[0] - 0.5).abs() < 1e-6);
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
}

impl Gbtm {
    fn new(family: Family, groups: usize) -> Gbtm {
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
        }
    }
    /// A Poisson mixture with `groups` groups (cubic by default).
    pub fn poisson(groups: usize) -> Gbtm {
        Gbtm::new(Family::Poisson, groups)
    }
    /// A zero-inflated Poisson mixture with `groups` groups (cubic rate,
    /// constant zero inflation by default).
    pub fn zip(groups: usize) -> Gbtm {
        Gbtm::new(Family::Zip, groups)
    }
    /// The same polynomial order (0..=5) for every group.
    pub fn order(mut self, order: usize) -> Self {
        self.order = order;
        self.orders = None;
        self
    }
    /// One polynomial order per group.
    pub fn orders(mut self, orders: Vec<usize>) -> Self {
        self.orders = Some(orders);
        self
    }
    /// The same zero-inflation order for every group (traj's `iorder`, ZIP only).
    pub fn iorder(mut self, iorder: usize) -> Self {
        self.iorder = iorder;
        self.iorders = None;
        self
    }
    /// One zero-inflation order per group (ZIP only).
    pub fn iorders(mut self, iorders: Vec<usize>) -> Self {
        self.iorders = Some(iorders);
        self
    }
    /// Starts run to convergence (default 10). Ten times as many short
    /// screening runs choose them.
    pub fn starts(mut self, starts: usize) -> Self {
        self.starts = starts;
        self
    }
    /// Seed of every random choice (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Maximum EM iterations per start (default 5000).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }
    /// Convergence tolerances: relative log-likelihood change (default 1e-10)
    /// and largest score component of LL / N (default 1e-8). Both must hold.
    pub fn tolerance(mut self, ll_tol: f64, score_tol: f64) -> Self {
        self.ll_tol = ll_tol;
        self.score_tol = score_tol;
        self
    }

    /// The validated model structure.
    pub fn spec(&self) -> Result<ModelSpec> {
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
            Family::Poisson => None,
            Family::Zip => Some(
                self.iorders
                    .clone()
                    .unwrap_or_else(|| vec![self.iorder; self.groups]),
            ),
        };
        ModelSpec::new(self.family, orders, iorders)
    }

    /// Checks the settings against `panel` without fitting: the structure,
    /// K against the number of persons, the orders against the number of
    /// ages, and the optimiser's settings. [`Gbtm::fit`] runs it first.
    ///
    /// ```
    /// use gbtm::{synth, Error, Gbtm};
    /// let panel = synth::three_groups(5, 1).panel;
    /// assert!(matches!(Gbtm::poisson(6).validate(&panel), Err(Error::TooManyGroups { .. })));
    /// assert!(Gbtm::poisson(2).validate(&panel).is_ok());
    /// ```
    pub fn validate(&self, panel: &Panel) -> Result<ModelSpec> {
        let spec = self.spec()?;
        if self.groups > panel.n_persons() {
            return Err(Error::TooManyGroups {
                groups: self.groups,
                persons: panel.n_persons(),
            });
        }
        let t = panel.ages().len();
        let top = spec
            .orders
            .iter()
            .chain(spec.iorders.iter().flatten())
            .max()
            .copied()
            .unwrap_or(0);
        if top + 1 > t {
            return Err(Error::param(
                "order",
                format!(
                    "order {top} needs at least {} ages, the panel has {t}",
                    top + 1
                ),
            ));
        }
        if self.starts == 0 {
            return Err(Error::param("starts", "at least one start is needed"));
        }
        if self.max_iter == 0 {
            return Err(Error::param("max_iter", "must be at least 1"));
        }
        if !(self.ll_tol > 0.0 && self.score_tol > 0.0) {
            return Err(Error::param("tolerance", "tolerances must be positive"));
        }
        Ok(spec)
    }

    /// Fits the model to `panel`.
    pub fn fit(&self, panel: &Panel) -> Result<FittedGbtm> {
        let spec = self.validate(panel)?;
        let scale = AgeScale::from_ages(panel.ages());
        let ws = Workspace::new(panel, &spec, scale);
        let full = Control {
            max_iter: self.max_iter,
            ll_tol: self.ll_tol,
            score_tol: self.score_tol,
            polish_below: Some(1e-6),
        };
        let (runs, screened) = if spec.groups() == 1 {
            (
                vec![run_em(
                    &ws,
                    start::start_params(&ws, &Array2::zeros((0, 0)), self.seed, 1),
                    &full,
                )],
                0,
            )
        } else {
            self.multistart(&ws, &full)
        };
        let phase1 = runs.len();
        let mut runs = runs;
        let best1 = best_usable(&runs).cloned();
        // One Poisson group has a concave likelihood: nothing to refine.
        if let (Some(b), false) = (best1, spec.groups() == 1 && spec.family == Family::Poisson) {
            runs.extend(self.refine(&ws, &full, b));
        }
        let usable: Vec<&Run> = runs.iter().filter(|r| r.degenerate.is_none()).collect();
        let best = best_usable(&runs).ok_or_else(|| Error::AllDegenerate {
            starts: runs.len(),
            reason: runs
                .iter()
                .find_map(|r| r.degenerate.clone())
                .unwrap_or_default(),
        })?;
        let optima = local_optima(&usable);
        let at_best = |rs: &[Run]| {
            rs.iter()
                .filter(|r| (r.ll - best.ll).abs() < SAME_OPTIMUM && r.degenerate.is_none())
                .count()
        };
        let (fixed, boundary) = at_boundary(&ws, &best.params);
        let negdef = polish::negative_definite_except(&polish::hessian(&ws, &best.params), &fixed);
        let (post, ll) = posteriors(&ws, &best.params);
        Ok(FittedGbtm {
            spec: spec.clone(),
            params: best.params.clone(),
            scale,
            ages: panel.ages().to_vec(),
            info: FitInfo {
                log_likelihood: ll,
                n_persons: panel.n_persons(),
                n_observations: panel.n_observations(),
                n_dropped: panel.n_dropped(),
                converged: best.converged,
                iterations: best.iterations,
                max_score: best.max_score,
                hessian_negative_definite: negdef,
                starts: phase1,
                screened,
                starts_at_best: at_best(&runs[..phase1]),
                refinement_runs: runs.len() - phase1,
                refinement_at_best: at_best(&runs[phase1..]),
                degenerate_starts: runs.len() - usable.len(),
                local_optima: optima,
                boundary,
                seed: self.seed,
            },
            posteriors: post,
            loaded_summary: None,
        })
    }

    /// Screening then full runs. Returns the full runs and how many starts
    /// were screened.
    fn multistart(&self, ws: &Workspace<'_>, full: &Control) -> (Vec<Run>, usize) {
        let features = start::curve_features(ws);
        let screened = self.starts * SCREEN_FACTOR;
        let screen = Control {
            max_iter: SCREEN_ITER,
            ll_tol: 0.0,
            score_tol: 0.0,
            polish_below: None,
        };
        let mut short: Vec<(usize, f64, Params)> = (0..screened)
            .into_par_iter()
            .map(|i| {
                let p = start::start_params(ws, &features, self.seed, i as u64);
                let r = run_em(ws, p, &screen);
                (i, r.ll, r.params)
            })
            .collect();
        short.sort_by(|a, b| rank(b.1).total_cmp(&rank(a.1)).then(a.0.cmp(&b.0)));
        let chosen: Vec<Params> = short.into_iter().take(self.starts).map(|s| s.2).collect();
        let runs: Vec<Run> = chosen
            .into_par_iter()
            .map(|p| run_em(ws, p, full))
            .collect();
        (runs, screened)
    }

    /// Refinement from the best usable run: every split-merge restart
    /// (screened like the random starts, the best `starts` of them run to
    /// convergence) and `2·starts` random moves of the parameters; repeated
    /// from any better solution, up to [`REFINE_ROUNDS`] times. Returns the
    /// refinement runs.
    fn refine(&self, ws: &Workspace<'_>, full: &Control, mut best: Run) -> Vec<Run> {
        let keys = start::split_keys(ws);
        let screen = Control {
            max_iter: SCREEN_ITER,
            ll_tol: 0.0,
            score_tol: 0.0,
            polish_below: None,
        };
        let mut all = Vec::new();
        for round in 0..REFINE_ROUNDS {
            let (post, _) = posteriors(ws, &best.params);
            let cands = start::split_merge(&post, &keys);
            // Random moves of the best along its own sampling distribution
            // (2, 4 and 8 standard errors), run to convergence directly:
            // screening would rank them all back into the best's own basin.
            let theta = polish::flatten(&best.params);
            let chol = polish::negative_definite(&polish::hessian(ws, &best.params), theta.len());
            let nearby: Vec<Run> = match &chol {
                Some(l) => (0..self.starts * PERTURB_FACTOR)
                    .into_par_iter()
                    .map(|j| {
                        let index = PERTURB_STREAM + (round * 1000 + j) as u64;
                        let c = [2.0, 4.0, 8.0][j % 3];
                        let th = start::perturb_params(
                            &mut start::stream(self.seed, index),
                            &theta,
                            l,
                            c,
                        );
                        run_em(ws, polish::unflatten(&th, &best.params), full)
                    })
                    .collect(),
                None => Vec::new(),
            };
            let mut short: Vec<(usize, f64, Params)> = cands
                .into_par_iter()
                .enumerate()
                .map(|(i, w)| {
                    let r = run_em(ws, start::params_from_weights(ws, &w), &screen);
                    (i, r.ll, r.params)
                })
                .collect();
            short.sort_by(|a, b| rank(b.1).total_cmp(&rank(a.1)).then(a.0.cmp(&b.0)));
            let runs: Vec<Run> = short
                .into_iter()
                .take(self.starts)
                .map(|s| s.2)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|p| run_em(ws, p, full))
                .chain(nearby)
                .collect();
            let improved = best_usable(&runs)
                .filter(|r| r.ll > best.ll + SAME_OPTIMUM)
                .cloned();
            all.extend(runs);
            match improved {
                Some(r) => best = r,
                None => break,
            }
        }
        all
    }
}

/// Screening runs per full start.
const SCREEN_FACTOR: usize = 10;
/// Perturbation runs per start in each refinement round.
const PERTURB_FACTOR: usize = 2;
/// Random streams of perturbations start here (start streams lie below).
const PERTURB_STREAM: u64 = 1 << 32;
/// Rounds of split-and-merge refinement at most.
const REFINE_ROUNDS: usize = 3;
/// EM iterations of a screening run.
const SCREEN_ITER: usize = 30;
/// Two runs reached the same optimum if their log-likelihoods differ by less.
pub const SAME_OPTIMUM: f64 = 1e-6;

/// A log-likelihood for ranking: NaN ranks last.
fn rank(ll: f64) -> f64 {
    if ll.is_nan() {
        f64::NEG_INFINITY
    } else {
        ll
    }
}

fn local_optima(runs: &[&Run]) -> Vec<LocalOptimum> {
    let mut lls: Vec<f64> = runs.iter().map(|r| r.ll).collect();
    lls.sort_by(|a, b| b.total_cmp(a));
    let mut out: Vec<LocalOptimum> = Vec::new();
    for ll in lls {
        match out.last_mut() {
            Some(o) if (o.log_likelihood - ll).abs() < SAME_OPTIMUM => o.starts += 1,
            _ => out.push(LocalOptimum {
                log_likelihood: ll,
                starts: 1,
            }),
        }
    }
    out
}

/// Why a solution is degenerate, if it is: a group with fewer than one
/// expected member, a rate that ran to 0 or ∞, zero inflation that ran to 1,
/// or a non-finite log-likelihood.
/// The non-degenerate run with the highest log-likelihood (the first of equals).
fn best_usable(runs: &[Run]) -> Option<&Run> {
    runs.iter()
        .filter(|r| r.degenerate.is_none())
        .reduce(|a, b| if b.ll > a.ll { b } else { a })
}

pub(crate) fn degenerate_reason(ws: &Workspace<'_>, p: &Params, ll: f64) -> Option<String> {
    let n = ws.panel.n_persons() as f64;
    if !ll.is_finite() {
        return Some("log-likelihood is not finite".into());
    }
    for g in 0..p.groups() {
        if p.pi[g] * n < 1.0 {
            return Some(format!(
                "group {} is empty (π·N = {:.3})",
                g + 1,
                p.pi[g] * n
            ));
        }
        let eta = ws.x[g].dot(&ndarray::aview1(&p.beta[g]));
        let max = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !(-23.0..=13.8).contains(&max) {
            return Some(format!(
                "group {}: rate ran to {}",
                g + 1,
                if max > 0.0 { "∞" } else { "0" }
            ));
        }
        if let Some(gm) = &p.gamma {
            let zeta = ws.z[g].dot(&ndarray::aview1(&gm[g]));
            if zeta.iter().all(|&z| z > 13.8) {
                return Some(format!("group {}: zero inflation ran to 1", g + 1));
            }
        }
    }
    None
}

/// Zero-inflation parameters that ran to the boundary ω = 0 (ω < 1e-8 at
/// every age): their indices in the flattened parameter vector, and a note
/// per group. The likelihood is flat in them there, so the check for a
/// maximum leaves them out.
fn at_boundary(ws: &Workspace<'_>, p: &Params) -> (Vec<usize>, Vec<String>) {
    let mut fixed = Vec::new();
    let mut notes = Vec::new();
    let Some(gamma) = &p.gamma else {
        return (fixed, notes);
    };
    let mut offset: usize = p.beta.iter().map(Vec::len).sum();
    for (g, gm) in gamma.iter().enumerate() {
        let zeta = ws.z[g].dot(&ndarray::aview1(gm));
        if zeta.iter().all(|&z| z < -18.4) {
            fixed.extend(offset..offset + gm.len());
            notes.push(format!(
                "group {}: zero inflation ran to 0 (ω < 1e-8 at every age); the group is effectively Poisson",
                g + 1
            ));
        }
        offset += gm.len();
    }
    (fixed, notes)
}

/// One distinct local optimum among the starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalOptimum {
    /// Its log-likelihood.
    pub log_likelihood: f64,
    /// How many starts ended there (within [`SAME_OPTIMUM`]).
    pub starts: usize,
}

/// Facts about how a fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    /// Maximised log-likelihood (with the ln y! terms).
    pub log_likelihood: f64,
    /// Persons fitted.
    pub n_persons: usize,
    /// Observed person-years.
    pub n_observations: usize,
    /// Persons dropped for having no observed year.
    pub n_dropped: usize,
    /// Whether the best start met both convergence tolerances.
    pub converged: bool,
    /// EM iterations of the best start.
    pub iterations: usize,
    /// Largest |score| of LL / N at the solution.
    pub max_score: f64,
    /// Whether the Hessian at the solution is negative definite (a strict
    /// local maximum).
    pub hessian_negative_definite: bool,
    /// Starts run to convergence.
    pub starts: usize,
    /// Screening runs that chose them.
    pub screened: usize,
    /// Starts that reached the best log-likelihood (within [`SAME_OPTIMUM`]).
    pub starts_at_best: usize,
    /// Refinement runs from the best start: split-merge restarts and random
    /// moves of the parameters (see docs/model.md).
    pub refinement_runs: usize,
    /// Refinement runs that reached the best log-likelihood.
    pub refinement_at_best: usize,
    /// Runs (starts and refinement runs) discarded as degenerate.
    pub degenerate_starts: usize,
    /// Distinct optima over all usable runs, best first.
    pub local_optima: Vec<LocalOptimum>,
    /// Parameters on the boundary of the parameter space (zero inflation
    /// run to 0), one note per group; left out of the Hessian check.
    pub boundary: Vec<String>,
    /// The seed used.
    pub seed: u64,
}

/// A fitted trajectory model.
#[derive(Debug, Clone)]
pub struct FittedGbtm {
    pub(crate) spec: ModelSpec,
    pub(crate) params: Params,
    pub(crate) scale: AgeScale,
    pub(crate) ages: Vec<i64>,
    pub(crate) info: FitInfo,
    pub(crate) posteriors: Array2<f64>,
    /// The summary read from a model file (loaded models have no training
    /// posteriors to recompute it from).
    pub(crate) loaded_summary: Option<Box<crate::report::FitSummary>>,
}

impl FittedGbtm {
    /// The model structure.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }
    /// The estimates (coefficients on the scaled age; see [`FittedGbtm::age_scale`]).
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The map from age to the scaled age the coefficients refer to.
    pub fn age_scale(&self) -> AgeScale {
        self.scale
    }
    /// The ages of the fitted panel.
    pub fn ages(&self) -> &[i64] {
        &self.ages
    }
    /// How the fit went.
    pub fn info(&self) -> &FitInfo {
        &self.info
    }
    /// Maximised log-likelihood.
    pub fn log_likelihood(&self) -> f64 {
        self.info.log_likelihood
    }
    /// Whether the best start met both convergence tolerances.
    pub fn converged(&self) -> bool {
        self.info.converged
    }
    /// Posterior group probabilities of the fitted persons (persons × groups);
    /// empty (0 rows) for a model loaded from a file.
    pub fn posteriors(&self) -> &Array2<f64> {
        &self.posteriors
    }
    /// Posterior probabilities and log-likelihood of another panel with the
    /// same ages (or a subset of them) under this model.
    pub fn posteriors_for(&self, panel: &Panel) -> Result<(Array2<f64>, f64)> {
        if let Some(a) = panel.ages().iter().find(|a| !self.ages.contains(a)) {
            return Err(Error::param(
                "ages",
                format!("age {a} of {} is outside the model's ages", panel.source()),
            ));
        }
        let ws = Workspace::new(panel, &self.spec, self.scale);
        Ok(posteriors(&ws, &self.params))
    }
    /// Runs `iters` full E-steps of this model on `panel` (posteriors and
    /// the M-step sums) and returns the time they took, excluding the
    /// one-off preparation of the panel. Exposed for benchmarks.
    #[doc(hidden)]
    pub fn time_esteps(&self, panel: &Panel, iters: u64) -> std::time::Duration {
        let ws = Workspace::new(panel, &self.spec, self.scale);
        let start = std::time::Instant::now();
        for _ in 0..iters {
            std::hint::black_box(crate::em::estep::estep(&ws, &self.params).ll);
        }
        start.elapsed()
    }

    /// λ_kt at exposure 1: groups × ages.
    pub fn rates(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.spec.groups(), self.ages.len()), |(g, t)| {
            let x = self
                .scale
                .basis_row(self.ages[t] as f64, self.spec.orders[g]);
            x.iter()
                .zip(&self.params.beta[g])
                .map(|(a, b)| a * b)
                .sum::<f64>()
                .exp()
        })
    }
    /// ω_kt (ZIP): groups × ages; `None` for Poisson.
    pub fn zero_inflation(&self) -> Option<Array2<f64>> {
        let gamma = self.params.gamma.as_ref()?;
        let q = self.spec.iorders.as_ref()?;
        Some(Array2::from_shape_fn(
            (self.spec.groups(), self.ages.len()),
            |(g, t)| {
                let z = self.scale.basis_row(self.ages[t] as f64, q[g]);
                let eta: f64 = z.iter().zip(&gamma[g]).map(|(a, b)| a * b).sum();
                1.0 / (1.0 + (-eta).exp())
            },
        ))
    }
}
