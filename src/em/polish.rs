//! Newton on the full marginal log-likelihood, with the Hessian by Louis'
//! identity ([`super::louis`]; with risk factors, by central differences of
//! the exact score). Used to finish EM's slow final approach, and to check
//! that a solution is a maximum (negative definite Hessian).

use super::estep::estep;
use super::linalg::{bfgs_update, cholesky, cholesky_solve, damped};
use super::mstep::{max_abs, score};
use super::stats::Stats;
use super::workspace::Workspace;
use crate::model::Params;

/// Parameters as one vector: all β, then (with time-varying covariates)
/// all θ, then all γ (ZIP), then ln α (negative binomial: one per group,
/// or one if shared), then ln(π_k / π_1) for k = 2..K, then (with risk
/// factors) δ_k − δ_1 for k = 2..K.
pub(crate) fn flatten(p: &Params) -> Vec<f64> {
    let mut v: Vec<f64> = p.beta.iter().flatten().copied().collect();
    if let Some(th) = &p.tcov {
        v.extend(th.iter().flatten());
    }
    if let Some(g) = &p.gamma {
        v.extend(g.iter().flatten());
    }
    if let Some(a) = &p.alpha {
        v.extend(a.iter().map(|x| x.ln()));
    }
    v.extend(p.pi[1..].iter().map(|pk| (pk / p.pi[0]).ln()));
    if let Some(d) = &p.risk {
        for dk in &d[1..] {
            v.extend(dk.iter().zip(&d[0]).map(|(a, b)| a - b));
        }
    }
    v
}

/// Inverse of [`flatten`], shaped like `like`.
pub(crate) fn unflatten(v: &[f64], like: &Params) -> Params {
    let mut it = v.iter().copied();
    let mut take = |shape: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        shape
            .iter()
            .map(|b| (0..b.len()).map(|_| it.next().unwrap_or(0.0)).collect())
            .collect()
    };
    let beta = take(&like.beta);
    let tcov = like.tcov.as_ref().map(&mut take);
    let gamma = like.gamma.as_ref().map(&mut take);
    let alpha = like.alpha.as_ref().map(|a| {
        a.iter()
            .map(|_| {
                let v = it.next().unwrap_or(0.0);
                v.clamp(super::counts::LN_ALPHA_MIN, super::counts::LN_ALPHA_MAX)
                    .exp()
            })
            .collect()
    });
    let k = like.groups();
    let logits: Vec<f64> = std::iter::once(0.0)
        .chain((1..k).map(|_| it.next().unwrap_or(0.0)))
        .collect();
    let risk = like.risk.as_ref().map(|d| {
        let r = d.first().map_or(0, Vec::len);
        std::iter::once(vec![0.0; r])
            .chain((1..k).map(|_| (0..r).map(|_| it.next().unwrap_or(0.0)).collect()))
            .collect()
    });
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f64 = w.iter().sum();
    Params {
        beta,
        gamma,
        pi: w.iter().map(|x| x / sum).collect(),
        risk,
        tcov,
        alpha,
    }
}

/// Hessian of the log-likelihood at `params` (row-major P × P): in one
/// pass by Louis' identity ([`super::louis`]) where it applies, else by
/// central differences of the score.
pub(crate) fn hessian(ws: &Workspace<'_>, params: &Params) -> Vec<f64> {
    if super::louis::applies(ws, params) {
        super::louis::hessian(ws, params)
    } else {
        finite_difference_hessian(ws, params)
    }
}

/// Hessian of the log-likelihood at `params` (row-major P × P), by central
/// differences of the exact score (2P E-steps), symmetrised.
pub(crate) fn finite_difference_hessian(ws: &Workspace<'_>, params: &Params) -> Vec<f64> {
    let theta = flatten(params);
    let p = theta.len();
    let mut h = vec![0.0; p * p];
    for j in 0..p {
        let step = 1e-5 * theta[j].abs().max(1.0);
        let grad_at = |d: f64| {
            let mut th = theta.clone();
            th[j] += d;
            let q = unflatten(&th, params);
            score(ws, &q, &estep(ws, &q))
        };
        let plus = grad_at(step);
        let minus = grad_at(-step);
        for i in 0..p {
            h[i * p + j] = (plus[i] - minus[i]) / (2.0 * step);
        }
    }
    for i in 0..p {
        for j in 0..i {
            let m = 0.5 * (h[i * p + j] + h[j * p + i]);
            h[i * p + j] = m;
            h[j * p + i] = m;
        }
    }
    h
}

/// Quasi-Newton ascent on the full likelihood: the first step uses the
/// Hessian (damped if need be), later steps BFGS updates of
/// it from the exact scores, so a step costs one or two E-steps. Stops when
/// the score falls below `score_tol` (per person), after `max_steps` steps,
/// or when a step gains nothing even with a fresh Hessian. Returns the new
/// parameters and their E-step sums if the log-likelihood rose.
pub(crate) fn newton_polish(
    ws: &Workspace<'_>,
    start: &Params,
    mut stats: Stats,
    score_tol: f64,
    max_steps: usize,
) -> Option<(Params, Stats)> {
    let n = ws.panel.n_persons() as f64;
    let ll0 = stats.ll;
    let mut params = start.clone();
    let mut g = score(ws, &params, &stats);
    let p = g.len();
    // (B ≈ −H, its Cholesky factor, whether B is a fresh Hessian)
    let mut model: Option<(Vec<f64>, Vec<f64>, bool)> = None;
    for _ in 0..max_steps {
        if max_abs(&g) / n < score_tol {
            break;
        }
        if model.is_none() {
            let (b, l) = damped(&hessian(ws, &params), p)?;
            model = Some((b, l, true));
        }
        let Some((b, l, fresh)) = model.as_mut() else {
            break;
        };
        let step = cholesky_solve(l, p, &g);
        let theta = flatten(&params);
        let mut size = 1.0;
        let mut accepted = None;
        for _ in 0..20 {
            let th: Vec<f64> = theta.iter().zip(&step).map(|(t, s)| t + size * s).collect();
            let q = unflatten(&th, &params);
            let st = estep(ws, &q);
            if st.ll.is_finite() && st.ll > stats.ll {
                accepted = Some((th, q, st));
                break;
            }
            size *= 0.5;
        }
        let Some((th, q, st)) = accepted else {
            if *fresh {
                break;
            }
            model = None; // retry with a fresh Hessian
            continue;
        };
        let g_new = score(ws, &q, &st);
        let s: Vec<f64> = th.iter().zip(&theta).map(|(a, c)| a - c).collect();
        let y: Vec<f64> = g.iter().zip(&g_new).map(|(a, c)| a - c).collect();
        *fresh = false;
        if bfgs_update(b, p, &s, &y) {
            match cholesky(b, p) {
                Some(new_l) => *l = new_l,
                None => model = None,
            }
        }
        params = q;
        stats = st;
        g = g_new;
    }
    (stats.ll > ll0).then_some((params, stats))
}
