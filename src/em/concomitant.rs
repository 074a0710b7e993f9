//! The shares with risk factors (traj's `risk()`, flexmix's concomitant
//! model): a multinomial logit of group membership on person-level
//! covariates, π_ik = exp(θ_k + δ_kᵀw_i) / Σ_j exp(θ_j + δ_jᵀw_i), with
//! θ_1 = 0 and δ_1 = 0. Its M-step maximises Σ_i Σ_k p_ik·ln π_ik by damped
//! Newton (a weighted multinomial-logit regression on the posteriors).
//!
//! The coefficients of group k ≥ 2 form one block (θ_k, δ_k); the gradient
//! of block k is Σ_i (p_ik − π_ik)·x_i with x_i = (1, w_i), and the Hessian
//! block (k, l) is −Σ_i π_ik(1[k = l] − π_il)·x_i x_iᵀ.

use super::linalg::{cholesky, cholesky_solve, halving_step};
use super::tables::ln_softmax_shift;
use super::workspace::Workspace;
use crate::model::Params;

/// (θ_k, δ_k) for k = 2..K, block by block.
fn blocks(p: &Params) -> Vec<f64> {
    let d = p.risk.as_ref();
    let mut v = Vec::new();
    for k in 1..p.groups() {
        v.push((p.pi[k] / p.pi[0]).ln());
        if let Some(d) = d {
            v.extend(d[k].iter().zip(&d[0]).map(|(a, b)| a - b));
        }
    }
    v
}

/// Sets the shares and risk coefficients of `p` from blocks.
fn set_blocks(p: &mut Params, v: &[f64], r: usize) {
    let k = p.groups();
    let mut theta = vec![0.0; k];
    let mut delta = vec![vec![0.0; r]; k];
    for g in 1..k {
        let b = &v[(g - 1) * (1 + r)..g * (1 + r)];
        theta[g] = b[0];
        delta[g].copy_from_slice(&b[1..]);
    }
    let max = theta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = theta.iter().map(|t| (t - max).exp()).collect();
    let s: f64 = e.iter().sum();
    p.pi = e.iter().map(|x| x / s).collect();
    p.risk = Some(delta);
}

/// π_ik for every person (persons × K, row-major).
fn priors(ws: &Workspace<'_>, p: &Params) -> Vec<f64> {
    let k = p.groups();
    let n = ws.panel.n_persons();
    let mut out = vec![0.0; n * k];
    for i in 0..n {
        let row = &mut out[i * k..(i + 1) * k];
        row.iter_mut().zip(&p.pi).for_each(|(o, q)| *o = q.ln());
        if let (Some(d), Some(w)) = (&p.risk, ws.risk_row(i)) {
            ln_softmax_shift(row, d, w);
        }
        row.iter_mut().for_each(|v| *v = v.exp());
    }
    out
}

/// Σ_i π_ik: the expected members of each group under the priors (N·π_k
/// without risk factors).
pub(crate) fn expected_members(ws: &Workspace<'_>, p: &Params) -> Vec<f64> {
    let (n, k) = (ws.panel.n_persons(), p.groups());
    if ws.w.is_none() || p.risk.is_none() {
        return p.pi.iter().map(|q| q * n as f64).collect();
    }
    let q = priors(ws, p);
    (0..k).map(|g| (0..n).map(|i| q[i * k + g]).sum()).collect()
}

/// Σ_i Σ_k p_ik·ln π_ik.
fn objective(ws: &Workspace<'_>, post: &[f64], p: &Params) -> f64 {
    priors(ws, p)
        .iter()
        .zip(post)
        .map(|(q, w)| if *w > 0.0 { w * q.ln() } else { 0.0 })
        .sum()
}

/// The gradient of the objective, block by block, from the priors `q` of
/// the current parameters ([`priors`]).
fn gradient(ws: &Workspace<'_>, post: &[f64], q: &[f64], k: usize) -> Vec<f64> {
    let r = ws.w.as_ref().map_or(0, |w| w.ncols());
    let mut g = vec![0.0; (k - 1) * (1 + r)];
    for i in 0..ws.panel.n_persons() {
        let w = ws.risk_row(i).unwrap_or(&[]);
        for c in 1..k {
            let res = post[i * k + c] - q[i * k + c];
            let b = &mut g[(c - 1) * (1 + r)..c * (1 + r)];
            b[0] += res;
            for (x, wj) in b[1..].iter_mut().zip(w) {
                *x += res * wj;
            }
        }
    }
    g
}

/// The score of the share parameters in the order of
/// [`super::polish::flatten`]: θ_2..θ_K, then δ_2, …, δ_K.
pub(crate) fn score(ws: &Workspace<'_>, post: &[f64], p: &Params) -> Vec<f64> {
    let r = ws.w.as_ref().map_or(0, |w| w.ncols());
    let k = p.groups();
    let g = gradient(ws, post, &priors(ws, p), k);
    let mut out: Vec<f64> = (1..k).map(|c| g[(c - 1) * (1 + r)]).collect();
    for c in 1..k {
        out.extend_from_slice(&g[(c - 1) * (1 + r) + 1..c * (1 + r)]);
    }
    out
}

/// The M-step of the shares and risk coefficients: damped Newton on the
/// weighted multinomial log-likelihood, from the current values.
pub(crate) fn mstep_shares(ws: &Workspace<'_>, post: &[f64], p: &mut Params) {
    let (k, r) = (p.groups(), ws.w.as_ref().map_or(0, |w| w.ncols()));
    if k < 2 {
        return;
    }
    let m = (k - 1) * (1 + r);
    let mut f = objective(ws, post, p);
    for _ in 0..50 {
        let q = priors(ws, p);
        let g = gradient(ws, post, &q, k);
        let mut h = vec![0.0; m * m];
        let mut x = vec![1.0; 1 + r];
        for i in 0..ws.panel.n_persons() {
            x[1..].copy_from_slice(ws.risk_row(i).unwrap_or(&[]));
            for a in 1..k {
                for b in 1..=a {
                    let pa = q[i * k + a];
                    let c = pa * (f64::from(u8::from(a == b)) - q[i * k + b]);
                    for (u, xu) in x.iter().enumerate() {
                        for (v, xv) in x.iter().enumerate() {
                            h[((a - 1) * (1 + r) + u) * m + (b - 1) * (1 + r) + v] += c * xu * xv;
                        }
                    }
                }
            }
        }
        let scale = (0..m).map(|j| h[j * m + j]).fold(1e-300, f64::max);
        for i in 0..m {
            h[i * m + i] += 1e-10 * scale;
            for j in 0..i {
                h[j * m + i] = h[i * m + j];
            }
        }
        let Some(l) = cholesky(&h, m) else { return };
        let step = cholesky_solve(&l, m, &g);
        let at = |v: &[f64]| {
            let mut t = p.clone();
            set_blocks(&mut t, v, r);
            t
        };
        match halving_step(&blocks(p), &step, f, |v| objective(ws, post, &at(v))) {
            Some((trial, ft, moved)) => {
                *p = at(&trial);
                f = ft;
                if moved < 1e-10 {
                    return;
                }
            }
            None => return,
        }
    }
}
