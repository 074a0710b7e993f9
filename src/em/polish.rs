//! Newton on the full marginal log-likelihood, with the Hessian taken by
//! central differences of the exact score. Used to finish EM's slow final
//! approach, and to check that a solution is a maximum (negative definite
//! Hessian).

use super::estep::{estep, Stats, Workspace};
use super::mstep::{cholesky, cholesky_solve};
use super::{max_abs, score};
use crate::model::Params;

/// Parameters as one vector: all β, then all γ (ZIP), then ln(π_k / π_1) for
/// k = 2..K.
pub(crate) fn flatten(p: &Params) -> Vec<f64> {
    let mut v: Vec<f64> = p.beta.iter().flatten().copied().collect();
    if let Some(g) = &p.gamma {
        v.extend(g.iter().flatten());
    }
    v.extend(p.pi[1..].iter().map(|pk| (pk / p.pi[0]).ln()));
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
    let gamma = like.gamma.as_ref().map(&mut take);
    let logits: Vec<f64> = std::iter::once(0.0).chain(it).collect();
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f64 = w.iter().sum();
    Params {
        beta,
        gamma,
        pi: w.iter().map(|x| x / sum).collect(),
    }
}

/// Hessian of the log-likelihood at `params` (row-major P × P), by central
/// differences of the score, symmetrised.
pub(crate) fn hessian(ws: &Workspace<'_>, params: &Params) -> Vec<f64> {
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

/// Whether the Hessian without the rows and columns in `skip` is negative
/// definite.
pub(crate) fn negative_definite_except(h: &[f64], skip: &[usize]) -> bool {
    let p = (h.len() as f64).sqrt().round() as usize;
    let keep: Vec<usize> = (0..p).filter(|j| !skip.contains(j)).collect();
    let q = keep.len();
    let sub: Vec<f64> = keep
        .iter()
        .flat_map(|&i| keep.iter().map(move |&j| h[i * p + j]))
        .collect();
    negative_definite(&sub, q).is_some()
}

/// Cholesky factor of −H if the Hessian is negative definite.
pub(crate) fn negative_definite(h: &[f64], p: usize) -> Option<Vec<f64>> {
    let neg: Vec<f64> = h.iter().map(|x| -x).collect();
    cholesky(&neg, p)
}

/// `−H + μI` and its Cholesky factor, for the smallest μ in 0, 1e-8·s,
/// 1e-7·s, … (s = largest |H_jj|) that makes it positive definite: Newton
/// where the Hessian is negative definite, a Levenberg–Marquardt step where
/// it is not (a flat ridge, a parameter drifting to a boundary).
fn damped(h: &[f64], p: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let s = (0..p).map(|j| h[j * p + j].abs()).fold(1e-12, f64::max);
    let mut mu = 0.0;
    while mu < 1e4 * s {
        let mut m: Vec<f64> = h.iter().map(|x| -x).collect();
        for j in 0..p {
            m[j * p + j] += mu;
        }
        if let Some(l) = cholesky(&m, p) {
            return Some((m, l));
        }
        mu = if mu == 0.0 { 1e-8 * s } else { mu * 10.0 };
    }
    None
}

/// BFGS update of `b ≈ −H` after a step `s` that changed the score by `−y`.
/// Skipped (returns false) when the curvature condition `sᵀy > 0` fails.
fn bfgs_update(b: &mut [f64], p: usize, s: &[f64], y: &[f64]) -> bool {
    let sy: f64 = s.iter().zip(y).map(|(a, c)| a * c).sum();
    let bs: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| b[i * p + j] * s[j]).sum())
        .collect();
    let sbs: f64 = s.iter().zip(&bs).map(|(a, c)| a * c).sum();
    let norm =
        s.iter().map(|v| v * v).sum::<f64>().sqrt() * y.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !(sy > 1e-12 * norm && sbs > 0.0) {
        return false;
    }
    for i in 0..p {
        for j in 0..p {
            b[i * p + j] += y[i] * y[j] / sy - bs[i] * bs[j] / sbs;
        }
    }
    true
}

/// Quasi-Newton ascent on the full likelihood: the first step uses the
/// finite-difference Hessian (damped if need be), later steps BFGS updates of
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
