//! Fitting by EM: the E-step ([`estep`]), the M-step ([`mstep`]), the
//! convergence rule, and a Newton polish of the full marginal likelihood that
//! both finishes the climb and checks that the result is a maximum.

pub(crate) mod estep;
pub(crate) mod mstep;
pub(crate) mod polish;
pub(crate) mod start;

use estep::{estep, Stats, Workspace};
use mstep::{gradient, Link};

use crate::model::Params;

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

/// Quasi-Newton steps per polish attempt.
const POLISH_STEPS: usize = 100;

/// Result of one EM run from one start.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub params: Params,
    pub ll: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Largest |score| of LL / N at the end.
    pub max_score: f64,
    /// Why the solution is degenerate, if it is (see `fit::degenerate_reason`).
    pub degenerate: Option<String>,
}

/// Score (gradient of the marginal log-likelihood) at the parameters the
/// E-step sums were computed at, in the order of [`polish::flatten`]. By
/// Fisher's identity it is the gradient of the expected complete-data
/// log-likelihood, which the pooled sums give exactly.
pub(crate) fn score(ws: &Workspace<'_>, params: &Params, stats: &Stats) -> Vec<f64> {
    let t = ws.n_ages();
    let k = params.groups();
    let mut g = Vec::new();
    for c in 0..k {
        let r = c * t..(c + 1) * t;
        g.extend(gradient(
            &ws.x[c],
            &params.beta[c],
            &stats.y[r.clone()],
            &stats.e[r],
            Link::Exp,
        ));
    }
    if let Some(gamma) = &params.gamma {
        for (c, gm) in gamma.iter().enumerate() {
            let r = c * t..(c + 1) * t;
            g.extend(gradient(
                &ws.z[c],
                gm,
                &stats.zs[r.clone()],
                &stats.n[r],
                Link::Softplus,
            ));
        }
    }
    let n: f64 = stats.s.iter().sum();
    for c in 1..k {
        g.push(stats.s[c] - n * params.pi[c]);
    }
    g
}

pub(crate) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// Runs EM from `params` until both the relative LL change and the score are
/// below their tolerances, or `max_iter` E-steps have been taken.
pub(crate) fn run_em(ws: &Workspace<'_>, mut params: Params, ctl: &Control) -> Run {
    let n = ws.panel.n_persons() as f64;
    let mut prev = f64::NEG_INFINITY;
    let mut polished_at = f64::NEG_INFINITY;
    let mut iterations = 0;
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
        let done = change < ctl.ll_tol && max_score < ctl.score_tol;
        if done || !ll.is_finite() || iterations >= ctl.max_iter {
            let degenerate = crate::fit::degenerate_reason(ws, &params, ll);
            return Run {
                params,
                ll,
                iterations,
                converged: done,
                max_score,
                degenerate,
            };
        }
        if let Some(below) = ctl.polish_below {
            // Newton is retried only after the log-likelihood has risen by
            // more than `below`·|LL| since the last try, so a failing polish
            // (flat ridge, degenerate group) costs little.
            if change < below && ll > polished_at + below * ll.abs() {
                polished_at = ll;
                if let Some((p, _)) =
                    polish::newton_polish(ws, &params, stats.clone(), ctl.score_tol, POLISH_STEPS)
                {
                    params = p;
                    prev = ll;
                    continue;
                }
            }
        }
        mstep::mstep(ws, &stats, &mut params);
        prev = ll;
    }
}
