//! The Hessian of the marginal log-likelihood in one pass over the data,
//! by Louis' identity: for person i with posteriors p_ik and
//! L_ik = ln π_k + ln f_k(y_i),
//!
//!   ∂²ℓ_i = Σ_k p_ik (∂²L_ik + g_ik g_ikᵀ) − ḡ_i ḡ_iᵀ,  g_ik = ∂L_ik, ḡ_i = Σ_k p_ik g_ik,
//!
//! exact at any parameter value (complete-data information less the
//! missing information). Per cell, with η = ln λ, ζ = logit ω, μ = e·λ:
//!
//! | cell | ∂ℓ/∂η | ∂ℓ/∂ζ | ∂²ℓ/∂η² | ∂²ℓ/∂ζ² | ∂²ℓ/∂η∂ζ |
//! |---|---|---|---|---|---|
//! | y > 0 | y − μ | −ω | −μ | −ω(1 − ω) | 0 |
//! | y = 0 | −μ·r | z − ω | −μr + μ²r(1 − r) | z(1 − z) − ω(1 − ω) | μ·z(1 − z) |
//!
//! with z = ω/P(0) the posterior of a structural zero and r = 1 − z (for
//! Poisson ω = 0, z = 0). The Σ_k p_ik ∂²L_ik part pools by age; only the
//! outer products run over persons. With time-varying covariates z_it the
//! log rate is η + z_itᵀθ_k: the θ rows of g_ik are ∂ℓ/∂η·z_it, and the
//! blocks involving θ pool Σ p·∂²ℓ·z_it by age (β–θ, γ–θ) or over cells
//! (θ–θ). Models with risk factors use the finite-difference Hessian
//! instead ([`super::polish::hessian`]).

use rayon::prelude::*;

use super::estep::{CHUNK, person_posterior};
use super::tables::Tables;
use super::workspace::Workspace;
use crate::model::Params;

/// Whether [`hessian`] covers the model (no risk factors).
pub(crate) fn applies(ws: &Workspace<'_>, params: &Params) -> bool {
    ws.w.is_none()
        && params.risk.is_none()
        && params.alpha.is_none()
        && ws.tc.is_some() == params.tcov.is_some()
}

/// Offsets of the blocks in the flattened parameter vector.
struct Layout {
    beta: Vec<usize>,
    /// Offsets of each group's time-varying covariate coefficients.
    theta: Vec<usize>,
    /// Number of time-varying covariates (0 without).
    c: usize,
    gamma: Vec<usize>,
    logits: usize,
    p: usize,
}

impl Layout {
    fn new(params: &Params) -> Layout {
        let mut at = 0;
        let mut beta = Vec::new();
        for b in &params.beta {
            beta.push(at);
            at += b.len();
        }
        let mut theta = Vec::new();
        let mut c = 0;
        for th in params.tcov.iter().flatten() {
            theta.push(at);
            c = th.len();
            at += th.len();
        }
        let mut gamma = Vec::new();
        for g in params.gamma.iter().flatten() {
            gamma.push(at);
            at += g.len();
        }
        let logits = at;
        let p = at + params.groups() - 1;
        Layout {
            beta,
            theta,
            c,
            gamma,
            logits,
            p,
        }
    }
}

/// Per-chunk sums: the outer products (upper triangle used) and, per age
/// and group, the pooled second derivatives p·∂²ℓ/∂η², ∂ζ², ∂η∂ζ.
struct Acc {
    outer: Vec<f64>,
    hee: Vec<f64>,
    hzz: Vec<f64>,
    hez: Vec<f64>,
    /// With covariates, per age and group: Σ p·∂²ℓ/∂η²·z and
    /// Σ p·∂²ℓ/∂η∂ζ·z (index (t·K + k)·C + c); per group Σ p·∂²ℓ/∂η²·z zᵀ.
    hee_z: Vec<f64>,
    hez_z: Vec<f64>,
    hth: Vec<f64>,
}

/// The Hessian of the log-likelihood at `params` (row-major P × P, in the
/// order of [`super::polish::flatten`]). Callers check [`applies`] first.
pub(crate) fn hessian(ws: &Workspace<'_>, params: &Params) -> Vec<f64> {
    let tb = Tables::new(ws, params);
    let lay = Layout::new(params);
    let (k, t, p) = (tb.k, tb.t, lay.p);
    let n = ws.panel.n_persons();
    let mut h = vec![0.0; p * p];
    let mut pooled = (vec![0.0; k * t], vec![0.0; k * t], vec![0.0; k * t]);
    let cc = lay.c;
    let mut by_cov = (
        vec![0.0; k * t * cc],
        vec![0.0; k * t * cc],
        vec![0.0; k * cc * cc],
    );
    // Chunks in parallel, a fixed batch at a time, added in order: the
    // result does not depend on the threads, and at most BATCH P × P
    // matrices are held at once.
    const BATCH: usize = 64;
    let n_chunks = n.div_ceil(CHUNK);
    for batch in (0..n_chunks).step_by(BATCH) {
        let chunks: Vec<Acc> = (batch..(batch + BATCH).min(n_chunks))
            .into_par_iter()
            .map(|c| {
                let mut acc = Acc {
                    outer: vec![0.0; p * p],
                    hee: vec![0.0; k * t],
                    hzz: vec![0.0; k * t],
                    hez: vec![0.0; k * t],
                    hee_z: vec![0.0; k * t * lay.c],
                    hez_z: vec![0.0; k * t * lay.c],
                    hth: vec![0.0; k * lay.c * lay.c],
                };
                let mut post = vec![0.0; k];
                let mut g = vec![0.0; k * p];
                let mut mean = vec![0.0; p];
                for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    person_posterior(ws, &tb, i, &mut post);
                    person(ws, &tb, params, &lay, i, &post, &mut g, &mut mean, &mut acc);
                }
                acc
            })
            .collect();
        for a in &chunks {
            h.iter_mut().zip(&a.outer).for_each(|(x, y)| *x += y);
            pooled.0.iter_mut().zip(&a.hee).for_each(|(x, y)| *x += y);
            pooled.1.iter_mut().zip(&a.hzz).for_each(|(x, y)| *x += y);
            pooled.2.iter_mut().zip(&a.hez).for_each(|(x, y)| *x += y);
            by_cov.0.iter_mut().zip(&a.hee_z).for_each(|(x, y)| *x += y);
            by_cov.1.iter_mut().zip(&a.hez_z).for_each(|(x, y)| *x += y);
            by_cov.2.iter_mut().zip(&a.hth).for_each(|(x, y)| *x += y);
        }
    }
    // Σ_i Σ_k p_ik ∂²L_ik: the rate and zero-inflation blocks by age...
    for g in 0..k {
        let x = &ws.x[g];
        let (ob, pb) = (lay.beta[g], params.beta[g].len());
        for s in 0..t {
            let ix = s * k + g;
            for a in 0..pb {
                for b in 0..pb {
                    h[(ob + a) * p + ob + b] += pooled.0[ix] * x[[s, a]] * x[[s, b]];
                }
            }
            if let Some(&og) = lay.gamma.get(g) {
                let z = &ws.z[g];
                let pg = z.ncols();
                for a in 0..pg {
                    for b in 0..pg {
                        h[(og + a) * p + og + b] += pooled.1[ix] * z[[s, a]] * z[[s, b]];
                    }
                    for b in 0..pb {
                        let v = pooled.2[ix] * z[[s, a]] * x[[s, b]];
                        h[(og + a) * p + ob + b] += v;
                        h[(ob + b) * p + og + a] += v;
                    }
                }
            }
        }
    }
    // ... the time-varying covariates' blocks ...
    for g in 0..k.min(lay.theta.len()) {
        let ot = lay.theta[g];
        let (x, ob) = (&ws.x[g], lay.beta[g]);
        for l in 0..cc {
            for m in 0..cc {
                h[(ot + l) * p + ot + m] += by_cov.2[(g * cc + l) * cc + m];
            }
            for s in 0..t {
                let ix = (s * k + g) * cc + l;
                for a in 0..x.ncols() {
                    let v = by_cov.0[ix] * x[[s, a]];
                    h[(ob + a) * p + ot + l] += v;
                    h[(ot + l) * p + ob + a] += v;
                }
                if let Some(&og) = lay.gamma.get(g) {
                    let z = &ws.z[g];
                    for a in 0..z.ncols() {
                        let v = by_cov.1[ix] * z[[s, a]];
                        h[(og + a) * p + ot + l] += v;
                        h[(ot + l) * p + og + a] += v;
                    }
                }
            }
        }
    }
    // ... and the shares: ∂² ln π_k = −(diag π − ππᵀ) on the logits, for
    // every person and group alike.
    let nf = n as f64;
    for a in 1..k {
        for b in 1..k {
            let d = if a == b { params.pi[a] } else { 0.0 };
            h[(lay.logits + a - 1) * p + lay.logits + b - 1] -=
                nf * (d - params.pi[a] * params.pi[b]);
        }
    }
    // Symmetric to the last bit (the outer products round each half alike
    // only up to the order of their factors).
    for a in 0..p {
        for b in 0..a {
            let m = 0.5 * (h[a * p + b] + h[b * p + a]);
            h[a * p + b] = m;
            h[b * p + a] = m;
        }
    }
    h
}

/// Person i: its gradients g_ik (rows of `g`), their posterior mean, the
/// outer products into `acc.outer`, and the pooled second derivatives.
#[allow(clippy::too_many_arguments)]
fn person(
    ws: &Workspace<'_>,
    tb: &Tables,
    params: &Params,
    lay: &Layout,
    i: usize,
    post: &[f64],
    g: &mut [f64],
    mean: &mut [f64],
    acc: &mut Acc,
) {
    let (k, p) = (tb.k, lay.p);
    let c = &ws.cells;
    g.iter_mut().for_each(|v| *v = 0.0);
    let cc = lay.c;
    let mut cell = |s: usize, y: f64, e: f64, zc: &[f64]| {
        for grp in 0..k {
            let ix = s * k + grp;
            // The cell's own rate: shifted by its covariates, if any.
            let shift = match &params.tcov {
                Some(th) => zc.iter().zip(&th[grp]).map(|(a, b)| a * b).sum::<f64>(),
                None => 0.0,
            };
            let mu = e * (tb.ln_lambda[ix] + shift).exp();
            let omega = tb.ln_omega[ix].exp();
            let (de, dz, hee, hzz, hez) = if y > 0.0 {
                (y - mu, -omega, -mu, -omega * (1.0 - omega), 0.0)
            } else {
                let z = if tb.zip {
                    let ln_p0 = super::tables::log_add(tb.ln_omega[ix], tb.ln_1m_omega[ix] - mu);
                    (tb.ln_omega[ix] - ln_p0).exp()
                } else {
                    0.0
                };
                let r = 1.0 - z;
                (
                    -mu * r,
                    z - omega,
                    -mu * r + mu * mu * r * (1.0 - r),
                    z * (1.0 - z) - omega * (1.0 - omega),
                    mu * z * (1.0 - z),
                )
            };
            let w = post[grp];
            acc.hee[ix] += w * hee;
            if tb.zip {
                acc.hzz[ix] += w * hzz;
                acc.hez[ix] += w * hez;
            }
            let row = &mut g[grp * p..(grp + 1) * p];
            let x = &ws.x[grp];
            for a in 0..x.ncols() {
                row[lay.beta[grp] + a] += de * x[[s, a]];
            }
            if let Some(&og) = lay.gamma.get(grp) {
                let zd = &ws.z[grp];
                for a in 0..zd.ncols() {
                    row[og + a] += dz * zd[[s, a]];
                }
            }
            if let Some(&ot) = lay.theta.get(grp) {
                for (l, &zl) in zc.iter().enumerate() {
                    row[ot + l] += de * zl;
                    acc.hee_z[ix * cc + l] += w * hee * zl;
                    acc.hez_z[ix * cc + l] += w * hez * zl;
                    for (m, &zm) in zc.iter().enumerate() {
                        acc.hth[(grp * cc + l) * cc + m] += w * hee * zl * zm;
                    }
                }
            }
        }
    };
    let tc = ws.tc.as_ref();
    for j in c.zero_off[i]..c.zero_off[i + 1] {
        let e = if c.has_exposure { c.zero_e[j] } else { 1.0 };
        let zc: &[f64] = tc.map_or(&[], |t| &t.zero[j * cc..(j + 1) * cc]);
        cell(c.zero_t[j] as usize, 0.0, e, zc);
    }
    for j in c.pos_off[i]..c.pos_off[i + 1] {
        let e = if c.has_exposure { c.pos_e[j] } else { 1.0 };
        let zc: &[f64] = tc.map_or(&[], |t| &t.pos[j * cc..(j + 1) * cc]);
        cell(c.pos_t[j] as usize, c.pos_y[j], e, zc);
    }
    // The shares: ∂ ln π_k / ∂ logit_m = 1[k = m] − π_m.
    for grp in 0..k {
        for m in 1..k {
            g[grp * p + lay.logits + m - 1] = f64::from(u8::from(grp == m)) - params.pi[m];
        }
    }
    mean.iter_mut().for_each(|v| *v = 0.0);
    for grp in 0..k {
        for (m, v) in mean.iter_mut().zip(&g[grp * p..(grp + 1) * p]) {
            *m += post[grp] * v;
        }
    }
    // Σ_k p_k g_k g_kᵀ − ḡḡᵀ = Σ_k p_k (g_k − ḡ)(g_k − ḡ)ᵀ.
    for grp in 0..k {
        let w = post[grp];
        if w == 0.0 {
            continue;
        }
        let row = &g[grp * p..(grp + 1) * p];
        for a in 0..p {
            let da = w * (row[a] - mean[a]);
            if da == 0.0 {
                continue;
            }
            for b in 0..p {
                acc.outer[a * p + b] += da * (row[b] - mean[b]);
            }
        }
    }
}
