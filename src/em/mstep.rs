//! The M-step: per group, a posterior-weighted Poisson regression and (ZIP) a
//! weighted logistic regression, both on the T pooled ages, solved by damped
//! Newton with a Cholesky solve. Pooling is exact: the complete-data
//! log-likelihood of group k depends on the data only through the per-age sums
//! in [`Stats`].
//!
//! The gradient of that expected complete-data log-likelihood is, by
//! Fisher's identity, the score of the marginal log-likelihood ([`score`]).

use ndarray::Array2;

use super::linalg::{cholesky, cholesky_solve, halving_step};
use super::stats::Stats;
use super::tables::softplus;
use super::workspace::Workspace;
use crate::model::Params;

/// The two pooled problems: maximise `Σ_t a_t·η_t − b_t·link(η_t)` with
/// `η = X β`, where link is `exp` (Poisson) or softplus (logistic).
#[derive(Clone, Copy)]
pub(crate) enum Link {
    Exp,
    Softplus,
}

impl Link {
    /// (value, first derivative, second derivative) of the link at η.
    fn eval(self, eta: f64) -> (f64, f64, f64) {
        match self {
            Link::Exp => {
                let m = eta.exp();
                (m, m, m)
            }
            Link::Softplus => {
                let p = 1.0 / (1.0 + (-eta).exp());
                (softplus(eta), p, p * (1.0 - p))
            }
        }
    }
}

fn objective(x: &Array2<f64>, beta: &[f64], a: &[f64], b: &[f64], link: Link) -> f64 {
    let mut f = 0.0;
    for t in 0..x.nrows() {
        if a[t] == 0.0 && b[t] == 0.0 {
            continue;
        }
        let eta: f64 = (0..beta.len()).map(|j| x[[t, j]] * beta[j]).sum();
        f += a[t] * eta - b[t] * link.eval(eta).0;
    }
    f
}

/// Gradient of the pooled objective at `beta`.
pub(crate) fn gradient(
    x: &Array2<f64>,
    beta: &[f64],
    a: &[f64],
    b: &[f64],
    link: Link,
) -> Vec<f64> {
    let p = beta.len();
    let mut g = vec![0.0; p];
    for t in 0..x.nrows() {
        // An age without weight adds nothing; skipping it also avoids 0·∞
        // where the linear predictor overflows.
        if a[t] == 0.0 && b[t] == 0.0 {
            continue;
        }
        let eta: f64 = (0..p).map(|j| x[[t, j]] * beta[j]).sum();
        let r = a[t] - b[t] * link.eval(eta).1;
        for j in 0..p {
            g[j] += x[[t, j]] * r;
        }
    }
    g
}

/// Damped Newton from `beta` (warm start). Each step is halved until the
/// objective does not decrease; stops when the step is below 1e-10 in every
/// coordinate or after 100 steps. A tiny ridge keeps the Hessian invertible
/// when some ages carry no weight.
pub(crate) fn newton(x: &Array2<f64>, beta: &mut [f64], a: &[f64], b: &[f64], link: Link) {
    let scale: f64 = b.iter().sum::<f64>().max(1e-300);
    newton_on_ages(
        x,
        beta,
        scale,
        |beta| objective(x, beta, a, b, link),
        |beta| {
            let (mut d1, mut d2) = (vec![0.0; x.nrows()], vec![0.0; x.nrows()]);
            for t in 0..x.nrows() {
                if a[t] == 0.0 && b[t] == 0.0 {
                    continue;
                }
                let eta: f64 = (0..beta.len()).map(|j| x[[t, j]] * beta[j]).sum();
                let (_, m1, m2) = link.eval(eta);
                d1[t] = a[t] - b[t] * m1;
                d2[t] = b[t] * m2;
            }
            (d1, d2)
        },
    );
}

/// Damped Newton for an objective f(β) that depends on β through the
/// per-age linear predictors η = Xβ: `derivs(β)` gives ∂f/∂η_t and
/// −∂²f/∂η_t² per age, so the gradient is Xᵀd1 and −H = Xᵀ diag(d2) X
/// (plus a ridge of 1e-12·`scale`). Steps are halved until f does not
/// decrease; stops when a step moves less than 1e-10 in every coordinate,
/// when −H is not positive definite, or after 100 steps.
pub(crate) fn newton_on_ages(
    x: &Array2<f64>,
    beta: &mut [f64],
    scale: f64,
    f: impl Fn(&[f64]) -> f64,
    derivs: impl Fn(&[f64]) -> (Vec<f64>, Vec<f64>),
) {
    let p = beta.len();
    let mut fx = f(beta);
    for _ in 0..100 {
        let (d1, d2) = derivs(beta);
        let mut g = vec![0.0; p];
        let mut h = vec![0.0; p * p];
        for t in 0..x.nrows() {
            for j in 0..p {
                g[j] += x[[t, j]] * d1[t];
                for l in 0..=j {
                    h[j * p + l] += d2[t] * x[[t, j]] * x[[t, l]];
                }
            }
        }
        for j in 0..p {
            h[j * p + j] += 1e-12 * scale;
            for l in 0..j {
                h[l * p + j] = h[j * p + l];
            }
        }
        let Some(l) = cholesky(&h, p) else { return };
        let step = cholesky_solve(&l, p, &g);
        match halving_step(beta, &step, fx, &f) {
            Some((trial, ft, moved)) => {
                beta.copy_from_slice(&trial);
                fx = ft;
                if moved < 1e-10 {
                    return;
                }
            }
            None => return,
        }
    }
}

/// Updates the parameters of every group from the E-step sums.
pub(crate) fn mstep(ws: &Workspace<'_>, stats: &Stats, params: &mut Params) {
    let t = ws.n_ages();
    let total: f64 = stats.s.iter().sum();
    let rows = ws.tc.as_ref().filter(|_| params.tcov.is_some());
    if let Some(tc) = rows {
        super::tcov::mstep_rates(ws, tc, stats, params);
    }
    let nb = ws.nb.is_some() && params.alpha.is_some();
    if nb {
        super::nb::mstep_rates(ws, stats, params);
    }
    for g in 0..params.groups() {
        let r = g * t..(g + 1) * t;
        if rows.is_none() && !nb {
            newton(
                &ws.x[g],
                &mut params.beta[g],
                &stats.y[r.clone()],
                &stats.e[r.clone()],
                Link::Exp,
            );
        }
        if let Some(gamma) = params.gamma.as_mut() {
            newton(
                &ws.z[g],
                &mut gamma[g],
                &stats.zs[r.clone()],
                &stats.n[r],
                Link::Softplus,
            );
        }
        if ws.w.is_none() {
            params.pi[g] = stats.s[g] / total;
        }
    }
    if ws.w.is_some() {
        super::concomitant::mstep_shares(ws, &stats.post, params);
    }
}

/// Score (gradient of the marginal log-likelihood) at the parameters the
/// E-step sums were computed at, in the order of
/// [`super::polish::flatten`]. By Fisher's identity it is the gradient of
/// the expected complete-data log-likelihood, which the pooled sums give
/// exactly.
pub(crate) fn score(ws: &Workspace<'_>, params: &Params, stats: &Stats) -> Vec<f64> {
    let t = ws.n_ages();
    let k = params.groups();
    let mut g = Vec::new();
    let mut dispersion = Vec::new();
    if let (Some(tc), Some(_)) = (&ws.tc, &params.tcov) {
        let (gb, gt) = super::tcov::score_rates(ws, tc, stats, params);
        g.extend(gb);
        g.extend(gt);
    } else if ws.nb.is_some() && params.alpha.is_some() {
        let (gb, ga) = super::nb::score_rates(ws, stats, params);
        g.extend(gb);
        dispersion = ga;
    } else {
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
    g.extend(dispersion);
    if ws.w.is_some() {
        g.extend(super::concomitant::score(ws, &stats.post, params));
        return g;
    }
    let n: f64 = stats.s.iter().sum();
    for c in 1..k {
        g.push(stats.s[c] - n * params.pi[c]);
    }
    g
}

/// The largest |v_j|; infinite if any component is not finite, so that a
/// NaN score never passes a convergence test.
pub(crate) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| {
        if x.is_finite() {
            m.max(x.abs())
        } else {
            f64::INFINITY
        }
    })
}
