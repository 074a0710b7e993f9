//! One EM run from one start: E-step, M-step, the convergence rule, the
//! Newton polish once the climb slows, and why the run stopped
//! ([`Termination`]).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::degeneracy::{Degeneracy, judge};
use super::estep::estep;
use super::mstep::{max_abs, mstep, score};
use super::polish::newton_polish;
use super::workspace::Workspace;
use crate::model::Params;

/// Why a run stopped.
///
/// ```
/// use gbtm::{Degeneracy, Termination};
/// assert_eq!(Termination::Converged.to_string(), "converged");
/// let t = Termination::Degenerate(Degeneracy::NonFiniteLikelihood);
/// assert_eq!(t.to_string(), "degenerate: log-likelihood is not finite");
/// assert!(!t.is_usable() && !t.is_converged());
/// assert!(Termination::Converged.is_converged() && Termination::IterationLimit.is_usable());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Termination {
    /// Both tolerances were met: the relative change of the log-likelihood
    /// and the largest score component per person.
    Converged,
    /// The iteration limit came first.
    IterationLimit,
    /// The solution is not a usable model.
    Degenerate(Degeneracy),
}

impl Termination {
    /// Whether both convergence tolerances were met.
    ///
    /// See the example of [`Termination`].
    pub fn is_converged(&self) -> bool {
        matches!(self, Termination::Converged)
    }
    /// Whether the solution is a usable model (not degenerate).
    ///
    /// See the example of [`Termination`].
    pub fn is_usable(&self) -> bool {
        !matches!(self, Termination::Degenerate(_))
    }
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Termination::Converged => f.write_str("converged"),
            Termination::IterationLimit => f.write_str("iteration limit reached"),
            Termination::Degenerate(d) => write!(f, "degenerate: {d}"),
        }
    }
}

/// Tolerances and limits of one EM run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Control {
    pub max_iter: usize,
    /// Relative change of the log-likelihood between iterations.
    pub ll_tol: f64,
    /// Largest absolute score component of LL / N.
    pub score_tol: f64,
    /// Try the Newton polish once the relative change falls below this.
    pub polish_below: Option<f64>,
}

impl Control {
    /// A short screening run: a fixed number of iterations, no polish.
    pub(crate) fn screening(iterations: usize) -> Control {
        Control {
            max_iter: iterations,
            ll_tol: 0.0,
            score_tol: 0.0,
            polish_below: None,
        }
    }
}

/// Screening runs per full start.
pub(crate) const SCREEN_FACTOR: usize = 10;
/// EM iterations of a screening run that survives every round.
pub(crate) const SCREEN_ITER: usize = 30;
/// EM iterations per round of screening: after each round but the last,
/// the trailing half of the runs is dropped (successive halving).
pub(crate) const SCREEN_ROUND: usize = 10;

/// Screens `starts` by successive halving: every start gets a round of
/// [`SCREEN_ROUND`] E-steps, then the better half (never fewer than
/// `keep`) continues, until the survivors have had [`SCREEN_ITER`]. A
/// round ends on an E-step, so a survivor has had 27 M-steps (a single
/// 30-iteration run has 29) and the ranking uses the LL at its current
/// parameters. Returns `(index, LL, parameters)` of the survivors, best
/// first (ties by index).
pub(crate) fn screen(
    ws: &Workspace<'_>,
    starts: Vec<Params>,
    keep: usize,
) -> Vec<(usize, f64, Params)> {
    let round = Control::screening(SCREEN_ROUND);
    let mut alive: Vec<(usize, f64, Params)> = starts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (i, f64::NEG_INFINITY, p))
        .collect();
    let mut done = 0;
    while done < SCREEN_ITER {
        alive = alive
            .into_par_iter()
            .map(|(i, _, p)| {
                let r = run_em(ws, p, &round);
                (i, r.ll, r.params)
            })
            .collect();
        done += SCREEN_ROUND;
        alive.sort_by(|a, b| rank(b.1).total_cmp(&rank(a.1)).then(a.0.cmp(&b.0)));
        if done < SCREEN_ITER {
            let survivors = alive.len().div_ceil(2).max(keep);
            alive.truncate(survivors);
        }
    }
    alive
}
/// Two runs reached the same optimum if their log-likelihoods differ by less.
///
/// Two optima closer than this are one [`LocalOptimum`](crate::LocalOptimum); see its example.
pub const SAME_OPTIMUM: f64 = 1e-6;

/// A log-likelihood for ranking: NaN ranks last.
pub(crate) fn rank(ll: f64) -> f64 {
    if ll.is_nan() { f64::NEG_INFINITY } else { ll }
}

/// The usable run with the highest log-likelihood (the first of equals).
pub(crate) fn best_usable(runs: &[Run]) -> Option<&Run> {
    runs.iter()
        .filter(|r| r.usable())
        .reduce(|a, b| if b.ll > a.ll { b } else { a })
}

/// Iterations between the in-run degeneracy checks.
const CHECK_EVERY: usize = 50;

/// Quasi-Newton steps per polish attempt.
const POLISH_STEPS: usize = 100;

/// Result of one EM run from one start.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub params: Params,
    pub ll: f64,
    pub iterations: usize,
    /// Largest |score| of LL / N at the end.
    pub max_score: f64,
    pub termination: Termination,
}

impl Run {
    pub(crate) fn usable(&self) -> bool {
        self.termination.is_usable()
    }
}

/// Whether a run with this relative LL change and score has converged. A
/// non-finite value never counts as converged.
pub(crate) fn has_converged(change: f64, max_score: f64, ctl: &Control) -> bool {
    change < ctl.ll_tol && max_score < ctl.score_tol
}

/// Runs EM from `params` until both the relative LL change and the score are
/// below their tolerances, or `max_iter` E-steps have been taken.
pub(crate) fn run_em(ws: &Workspace<'_>, mut params: Params, ctl: &Control) -> Run {
    let n = ws.panel.n_persons() as f64;
    let mut prev = f64::NEG_INFINITY;
    let mut polished_at = f64::NEG_INFINITY;
    let mut iterations = 0;
    let mut last_judged: Option<Degeneracy> = None;
    loop {
        let stats = estep(ws, &params);
        iterations += 1;
        let ll = stats.ll;
        let change = if prev.is_finite() {
            ((ll - prev) / ll.abs().max(1e-300)).abs()
        } else {
            f64::INFINITY
        };
        let max_score = max_abs(&score(ws, &params, &stats)) / n;
        let done = has_converged(change, max_score, ctl);
        if done || !ll.is_finite() || iterations >= ctl.max_iter {
            let termination = match judge(ws, &params, &stats) {
                Some(d) => Termination::Degenerate(d),
                None if done => Termination::Converged,
                None => Termination::IterationLimit,
            };
            return Run {
                params,
                ll,
                iterations,
                max_score,
                termination,
            };
        }
        // A run judged degenerate in the same way at two checks
        // `CHECK_EVERY` iterations apart is cut off: it would end degenerate.
        if iterations % CHECK_EVERY == 0 {
            let now = judge(ws, &params, &stats);
            if let (Some(d), Some(before)) = (&now, &last_judged)
                && d.same_kind(before)
            {
                return Run {
                    params,
                    ll,
                    iterations,
                    max_score,
                    termination: Termination::Degenerate(d.clone()),
                };
            }
            last_judged = now;
        }
        if let Some(below) = ctl.polish_below {
            // Newton is retried only after the log-likelihood has risen by
            // more than `below`·|LL| since the last try, so a failing polish
            // (flat ridge, degenerate group) costs little.
            if change < below && ll > polished_at + below * ll.abs() {
                polished_at = ll;
                if let Some((p, _)) =
                    newton_polish(ws, &params, stats.clone(), ctl.score_tol, POLISH_STEPS)
                {
                    params = p;
                    prev = ll;
                    continue;
                }
            }
        }
        mstep(ws, &stats, &mut params);
        prev = ll;
    }
}
