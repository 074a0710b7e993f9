//! Time-varying covariates (traj's `tcov`): ln λ_ikt = x_tᵀβ_k + z_itᵀθ_k.
//!
//! Once a covariate varies by person, the per-age sums of the pooled
//! M-step no longer suffice, so a model with time-varying covariates works
//! on person-year rows:
//!
//! - the E-step adds z_itᵀθ_k to each observed cell's log rate and keeps,
//!   per cell and group, the weight of its rate term (`Stats::rz` for
//!   zeros, `Stats::rp` for positive counts);
//! - the M-step of group k maximises
//!   `Σ_r a_r·η_r − b_r·exp(η_r)`, `η_r = x_tᵀβ_k + z_rᵀθ_k`, over the rows
//!   r, with a_r = p_ik·y_r and b_r = p_ik·(1 − ζ_rk)·e_r (ζ the posterior
//!   of a structural zero, ZIP);
//! - its gradient and Hessian are gathered without a design matrix: the
//!   β–β block needs only per-age sums, the β–θ block per-age sums of
//!   b_r·e^η·z_r, and only the θ–θ block runs over rows.
//!
//! The zero-inflation part (ZIP) does not depend on the covariates, and
//! stays pooled by age. Models without time-varying covariates never come
//! here: they keep the pooled fast path.

use super::linalg::{cholesky, cholesky_solve, halving_step};
use super::stats::Stats;
use super::tables::{Tables, log_add};
use super::workspace::{CellCovariates, Workspace};
use crate::model::Params;

#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// K values of scratch space without a heap allocation for K ≤ 32: the
/// E-step's per-person loops call this for every person.
fn scratch<'a>(buf: &'a mut [f64; 32], heap: &'a mut Vec<f64>, k: usize) -> &'a mut [f64] {
    if k <= buf.len() {
        &mut buf[..k]
    } else {
        heap.resize(k, 0.0);
        heap
    }
}

/// For each group, ln λ shift `z·θ_k` of one cell.
#[inline]
fn shifts(z: &[f64], theta: &[Vec<f64>], out: &mut [f64]) {
    for (o, th) in out.iter_mut().zip(theta) {
        *o = dot(z, th);
    }
}

/// Adds ln f_k(y_i) − const to `out[k]` (time-varying covariates).
pub(crate) fn add_person_terms(
    ws: &Workspace<'_>,
    tc: &CellCovariates,
    tb: &Tables,
    theta: &[Vec<f64>],
    i: usize,
    out: &mut [f64],
) {
    let c = &ws.cells;
    let k = tb.k;
    let (mut buf, mut heap) = ([0.0; 32], Vec::new());
    let s = scratch(&mut buf, &mut heap, k);
    for j in c.zero_off[i]..c.zero_off[i + 1] {
        let base = c.zero_t[j] as usize * k;
        let e = if c.has_exposure { c.zero_e[j] } else { 1.0 };
        shifts(&tc.zero[j * tc.c..(j + 1) * tc.c], theta, s);
        for (g, o) in out.iter_mut().enumerate() {
            let ix = base + g;
            let lam = e * tb.lambda[ix] * s[g].exp();
            *o += if tb.zip {
                log_add(tb.ln_omega[ix], tb.ln_1m_omega[ix] - lam)
            } else {
                -lam
            };
        }
    }
    for j in c.pos_off[i]..c.pos_off[i + 1] {
        let base = c.pos_t[j] as usize * k;
        let y = c.pos_y[j];
        let e = if c.has_exposure { c.pos_e[j] } else { 1.0 };
        shifts(&tc.pos[j * tc.c..(j + 1) * tc.c], theta, s);
        for (g, o) in out.iter_mut().enumerate() {
            let ix = base + g;
            let eta = tb.ln_lambda[ix] + s[g];
            *o += tb.ln_1m_omega[ix] + y * eta - e * eta.exp();
        }
    }
}

/// Adds person i's contribution with posterior weights `w` to `acc`:
/// the pooled zero-inflation sums, and the rows' rate weights.
pub(crate) fn accumulate(
    ws: &Workspace<'_>,
    tc: &CellCovariates,
    tb: &Tables,
    theta: &[Vec<f64>],
    i: usize,
    w: &[f64],
    acc: &mut Stats,
) {
    let c = &ws.cells;
    let k = tb.k;
    for (s, wg) in acc.s.iter_mut().zip(w) {
        *s += wg;
    }
    let (mut buf, mut heap) = ([0.0; 32], Vec::new());
    let s = scratch(&mut buf, &mut heap, k);
    for j in c.zero_off[i]..c.zero_off[i + 1] {
        let base = c.zero_t[j] as usize * k;
        let e = if c.has_exposure { c.zero_e[j] } else { 1.0 };
        shifts(&tc.zero[j * tc.c..(j + 1) * tc.c], theta, s);
        for (g, &wg) in w.iter().enumerate() {
            let ix = base + g;
            let z = if tb.zip {
                let lam = e * tb.lambda[ix] * s[g].exp();
                (tb.ln_omega[ix] - log_add(tb.ln_omega[ix], tb.ln_1m_omega[ix] - lam)).exp()
            } else {
                0.0
            };
            acc.zs[ix] += wg * z;
            acc.n[ix] += wg;
            acc.rz.push(wg * (1.0 - z) * e);
        }
    }
    for j in c.pos_off[i]..c.pos_off[i + 1] {
        let base = c.pos_t[j] as usize * k;
        for (g, &wg) in w.iter().enumerate() {
            acc.y[base + g] += wg * c.pos_y[j];
            acc.n[base + g] += wg;
            acc.rp.push(wg);
        }
    }
}

/// Group g's rows: their ages, covariates, a_r and b_r, walked in a fixed
/// order (zeros, then positives).
struct Rows<'a> {
    ws: &'a Workspace<'a>,
    tc: &'a CellCovariates,
    stats: &'a Stats,
    g: usize,
    k: usize,
}

impl Rows<'_> {
    /// Calls `f(t, z, a, b)` for every row with weight.
    fn each(&self, mut f: impl FnMut(usize, &[f64], f64, f64)) {
        let c = &self.ws.cells;
        let cc = self.tc.c;
        for j in 0..c.zero_t.len() {
            let b = self.stats.rz[j * self.k + self.g];
            if b != 0.0 {
                f(
                    c.zero_t[j] as usize,
                    &self.tc.zero[j * cc..(j + 1) * cc],
                    0.0,
                    b,
                );
            }
        }
        for j in 0..c.pos_t.len() {
            let p = self.stats.rp[j * self.k + self.g];
            if p != 0.0 {
                let e = if c.has_exposure { c.pos_e[j] } else { 1.0 };
                f(
                    c.pos_t[j] as usize,
                    &self.tc.pos[j * cc..(j + 1) * cc],
                    p * c.pos_y[j],
                    p * e,
                );
            }
        }
    }
}

/// Value, gradient and negated Hessian (row-major) of group g's objective
/// at (β, θ) = `v`; the Hessian only if `second`.
fn evaluate(rows: &Rows<'_>, v: &[f64], second: bool) -> (f64, Vec<f64>, Vec<f64>) {
    let x = &rows.ws.x[rows.g];
    let (t_n, p) = x.dim();
    let c = rows.tc.c;
    let (beta, theta) = v.split_at(p);
    let xb: Vec<f64> = (0..t_n)
        .map(|t| (0..p).map(|j| x[[t, j]] * beta[j]).sum())
        .collect();
    let mut f = 0.0;
    let mut a_t = vec![0.0; t_n];
    let mut s_t = vec![0.0; t_n];
    let mut u_t = vec![0.0; t_n * c];
    let mut a_z = vec![0.0; c];
    let mut vv = vec![0.0; c * c];
    rows.each(|t, z, a, b| {
        let eta = xb[t] + dot(z, theta);
        let m = b * eta.exp();
        f += a * eta - m;
        a_t[t] += a;
        s_t[t] += m;
        for l in 0..c {
            a_z[l] += a * z[l];
            u_t[t * c + l] += m * z[l];
        }
        if second {
            for l in 0..c {
                for q in 0..=l {
                    vv[l * c + q] += m * z[l] * z[q];
                }
            }
        }
    });
    let n = p + c;
    let mut g = vec![0.0; n];
    for t in 0..t_n {
        for j in 0..p {
            g[j] += x[[t, j]] * (a_t[t] - s_t[t]);
        }
    }
    for l in 0..c {
        g[p + l] = a_z[l] - (0..t_n).map(|t| u_t[t * c + l]).sum::<f64>();
    }
    let mut h = Vec::new();
    if second {
        h = vec![0.0; n * n];
        for t in 0..t_n {
            for j in 0..p {
                for q in 0..=j {
                    h[j * n + q] += s_t[t] * x[[t, j]] * x[[t, q]];
                }
                for l in 0..c {
                    h[(p + l) * n + j] += u_t[t * c + l] * x[[t, j]];
                }
            }
        }
        for l in 0..c {
            for q in 0..=l {
                h[(p + l) * n + p + q] = vv[l * c + q];
            }
        }
        for j in 0..n {
            for q in 0..j {
                h[q * n + j] = h[j * n + q];
            }
        }
    }
    (f, g, h)
}

/// Damped Newton for group g's (β, θ) from their current values, as the
/// pooled M-step does: halved steps that do not lose, a tiny ridge,
/// stopping below 1e-10 per coordinate or after 100 steps.
fn newton(rows: &Rows<'_>, v: &mut Vec<f64>) {
    let n = v.len();
    let (mut f, _, _) = evaluate(rows, v, false);
    for _ in 0..100 {
        let (_, g, mut h) = evaluate(rows, v, true);
        let scale = (0..n)
            .map(|j| h[j * n + j])
            .fold(0.0f64, f64::max)
            .max(1e-300);
        for j in 0..n {
            h[j * n + j] += 1e-12 * scale;
        }
        let Some(l) = cholesky(&h, n) else { return };
        let step = cholesky_solve(&l, n, &g);
        match halving_step(v, &step, f, |t| evaluate(rows, t, false).0) {
            Some((trial, ft, moved)) => {
                *v = trial;
                f = ft;
                if moved < 1e-10 {
                    return;
                }
            }
            None => return,
        }
    }
}

/// The rate M-step of every group: (β_k, θ_k) from the rows' weights.
pub(crate) fn mstep_rates(
    ws: &Workspace<'_>,
    tc: &CellCovariates,
    stats: &Stats,
    params: &mut Params,
) {
    let k = params.groups();
    let Some(theta) = params.tcov.as_mut() else {
        return;
    };
    for (g, (beta, th)) in params.beta.iter_mut().zip(theta.iter_mut()).enumerate() {
        let rows = Rows {
            ws,
            tc,
            stats,
            g,
            k,
        };
        let mut v = beta.clone();
        v.extend(th.iter());
        newton(&rows, &mut v);
        let p = beta.len();
        beta.copy_from_slice(&v[..p]);
        th.copy_from_slice(&v[p..]);
    }
}

/// The score in β (all groups) and in θ (all groups), in the order of
/// [`super::polish::flatten`].
pub(crate) fn score_rates(
    ws: &Workspace<'_>,
    tc: &CellCovariates,
    stats: &Stats,
    params: &Params,
) -> (Vec<f64>, Vec<f64>) {
    let k = params.groups();
    let zero = vec![vec![0.0; tc.c]; k];
    let theta = params.tcov.as_ref().unwrap_or(&zero);
    let (mut gb, mut gt) = (Vec::new(), Vec::new());
    for (g, (beta, th)) in params.beta.iter().zip(theta).enumerate() {
        let rows = Rows {
            ws,
            tc,
            stats,
            g,
            k,
        };
        let mut v = beta.clone();
        v.extend(th);
        let (_, grad, _) = evaluate(&rows, &v, false);
        let p = beta.len();
        gb.extend_from_slice(&grad[..p]);
        gt.extend_from_slice(&grad[p..]);
    }
    (gb, gt)
}

/// Per age, the smallest and largest shift z_itᵀθ of group `g`'s log rate
/// over the observed cells (0 and 0 at an age nobody was observed at), so
/// that the degeneracy rules judge the rates the data see, not the rates
/// at covariates 0.
pub(crate) fn shift_range(
    ws: &Workspace<'_>,
    tc: &CellCovariates,
    theta: &[f64],
) -> Vec<(f64, f64)> {
    let c = &ws.cells;
    let mut range = vec![(f64::INFINITY, f64::NEG_INFINITY); ws.n_ages()];
    let mut widen = |t: u32, z: &[f64]| {
        let s = dot(z, theta);
        let r = &mut range[t as usize];
        r.0 = r.0.min(s);
        r.1 = r.1.max(s);
    };
    for (j, &t) in c.zero_t.iter().enumerate() {
        widen(t, &tc.zero[j * tc.c..(j + 1) * tc.c]);
    }
    for (j, &t) in c.pos_t.iter().enumerate() {
        widen(t, &tc.pos[j * tc.c..(j + 1) * tc.c]);
    }
    range
        .into_iter()
        .map(|(lo, hi)| if lo > hi { (0.0, 0.0) } else { (lo, hi) })
        .collect()
}
