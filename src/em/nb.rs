//! Negative-binomial (NB2) groups: y ~ NB(μ, α) with μ = e·λ and
//! Var = μ + α·μ², the gamma(1/α)-mixed Poisson.
//!
//! With r = 1/α the log-probability of a count is
//! `G(y, r) − ln y! + y·ln(α·μ) − (r + y)·ln(1 + α·μ)`, where
//! `G(y, r) = ln Γ(y + r) − ln Γ(r) = Σ_{j<y} ln(r + j)` depends on the count
//! and the group's α only. So:
//!
//! - the E-step adds, per group, a zero term `−r·ln(1 + α·λ)` over the
//!   observed span (prefix sums, as for Poisson) and, per positive count,
//!   `G(y, r) + y·ln q` with `q = α·λ / (1 + α·λ)`; G comes from a table over
//!   the panel's distinct positive counts ([`CountValues`]);
//! - the M-step's expected complete-data log-likelihood of group k is
//!   `Σ_v H_k(v)·G(v, r) + Σ_t [Y_kt·(ln α + η_t) − (r·N_kt + Y_kt)·ln(1 + α·e^{η_t})]`,
//!   with H_k(v) the posterior weight of the counts equal to v, and N, Y the
//!   per-age sums of weights and counts: without exposure the per-age sums
//!   suffice; with exposure each person-year is its own term (weights from
//!   the stored posteriors).
//!
//! The M-step is one conditional maximisation in β (Newton, α fixed), then
//! one in ln α (Newton in one dimension, or over all groups if α is shared):
//! an ECM step, which never lowers the likelihood.

use super::counts::{CountValues, LN_ALPHA_MAX, LN_ALPHA_MIN, value_sums};
use super::stats::Stats;
use super::workspace::Workspace;
use crate::model::Params;

/// One pass over a group's terms at (β, α): the M-step objective
/// (without terms constant in both) and its derivatives.
struct Eval {
    /// Σ H·G + Σ [Y·(ln α + η) − (r·N + Y)·ln(1 + α·μ)].
    f: f64,
    /// ∂f/∂η_t and −∂²f/∂η_t² per age.
    d1: Vec<f64>,
    d2: Vec<f64>,
    /// ∂f/∂ln α and ∂²f/∂(ln α)².
    a1: f64,
    a2: f64,
}

/// Calls `f(t, e, N, Y)` for each term of group `g`: per age (N, Y the
/// per-age sums) without exposure, per observed person-year with exposure.
fn for_each_term(
    ws: &Workspace<'_>,
    stats: &Stats,
    g: usize,
    mut f: impl FnMut(usize, f64, f64, f64),
) {
    let c = &ws.cells;
    let t = ws.n_ages();
    if !c.has_exposure {
        for s in 0..t {
            let (n, y) = (stats.n[g * t + s], stats.y[g * t + s]);
            if n > 0.0 {
                f(s, 1.0, n, y);
            }
        }
        return;
    }
    let k = stats.s.len();
    for i in 0..ws.panel.n_persons() {
        let w = stats.post[i * k + g];
        if w == 0.0 {
            continue;
        }
        for j in c.zero_off[i]..c.zero_off[i + 1] {
            f(c.zero_t[j] as usize, c.zero_e[j], w, 0.0);
        }
        for j in c.pos_off[i]..c.pos_off[i + 1] {
            f(c.pos_t[j] as usize, c.pos_e[j], w, w * c.pos_y[j]);
        }
    }
}

/// Evaluates group `g`'s M-step objective at `beta` and `ln_alpha`; the
/// counts' own terms (constant in β) only if `counts`.
fn evaluate(
    ws: &Workspace<'_>,
    stats: &Stats,
    g: usize,
    beta: &[f64],
    ln_alpha: f64,
    counts: bool,
) -> Eval {
    let t = ws.n_ages();
    let eta = ws.x[g].dot(&ndarray::aview1(beta));
    let (a, r) = (ln_alpha.exp(), (-ln_alpha).exp());
    let mut ev = Eval {
        f: 0.0,
        d1: vec![0.0; t],
        d2: vec![0.0; t],
        a1: 0.0,
        a2: 0.0,
    };
    // The counts' own terms Σ_v H(v)·G(v, r).
    if let Some(cv) = ws.nb.as_ref().filter(|_| counts) {
        let (gv, s1, s2) = value_sums(&cv.values, r);
        let k = stats.s.len();
        for (v, ((gv, s1), s2)) in gv.iter().zip(&s1).zip(&s2).enumerate() {
            let h = stats.hist[v * k + g];
            if h != 0.0 {
                ev.f += h * gv;
                ev.a1 -= h * r * s1;
                ev.a2 += h * (r * s1 - r * r * s2);
            }
        }
    }
    for_each_term(ws, stats, g, |s, e, n, y| {
        let am = a * e * eta[s].exp();
        let l = am.ln_1p();
        let q = am / (1.0 + am);
        let rn = r * n;
        ev.f += y * (ln_alpha + eta[s]) - (rn + y) * l;
        ev.d1[s] += y - (rn + y) * q;
        ev.d2[s] += (rn + y) * q * (1.0 - q);
        ev.a1 += y + rn * l - (rn + y) * q;
        ev.a2 += -rn * l + 2.0 * rn * q - (rn + y) * q * (1.0 - q);
    });
    if !ev.f.is_finite() {
        ev.f = f64::NEG_INFINITY;
    }
    ev
}

/// ln α of group `g` as stored in `params` (clamped to the allowed range).
fn ln_alpha(params: &Params, g: usize) -> f64 {
    params
        .alpha_of(g)
        .map_or(0.0, |a| a.ln().clamp(LN_ALPHA_MIN, LN_ALPHA_MAX))
}

/// Damped Newton in β for group `g` with α fixed
/// ([`super::mstep::newton_on_ages`]).
fn newton_beta(ws: &Workspace<'_>, stats: &Stats, g: usize, beta: &mut [f64], la: f64) {
    let scale = evaluate(ws, stats, g, beta, la, false)
        .d2
        .iter()
        .sum::<f64>()
        .max(1e-300);
    super::mstep::newton_on_ages(
        &ws.x[g],
        beta,
        scale,
        |b| evaluate(ws, stats, g, b, la, false).f,
        |b| {
            let ev = evaluate(ws, stats, g, b, la, false);
            (ev.d1, ev.d2)
        },
    );
}

/// Damped Newton in ln α over `groups` (one group, or all when α is
/// shared) with β fixed. Returns the new ln α.
fn newton_alpha(
    ws: &Workspace<'_>,
    stats: &Stats,
    params: &Params,
    groups: &[usize],
    la: f64,
) -> f64 {
    let total = |la: f64| -> (f64, f64, f64) {
        groups.iter().fold((0.0, 0.0, 0.0), |(f, d1, d2), &g| {
            let ev = evaluate(ws, stats, g, &params.beta[g], la, true);
            (f + ev.f, d1 + ev.a1, d2 + ev.a2)
        })
    };
    let mut la = la;
    let (mut f, mut d1, mut d2) = total(la);
    for _ in 0..100 {
        // Newton where the objective is concave, else a unit step uphill.
        let step = if d2 < 0.0 { -d1 / d2 } else { d1.signum() };
        let mut step = step.clamp(-2.0, 2.0);
        let mut moved = false;
        for _ in 0..40 {
            let trial = (la + step).clamp(LN_ALPHA_MIN, LN_ALPHA_MAX);
            let (ft, a, b) = total(trial);
            if ft.is_finite() && ft >= f {
                moved = (trial - la).abs() > 0.0;
                (la, f, d1, d2) = (trial, ft, a, b);
                break;
            }
            step *= 0.5;
        }
        if !moved || step.abs() < 1e-10 {
            break;
        }
    }
    la
}

/// The M-step of the negative binomial's rates and dispersions: per group
/// β given α, then ln α given the new β (jointly over the groups if α is
/// shared).
pub(crate) fn mstep_rates(ws: &Workspace<'_>, stats: &Stats, params: &mut Params) {
    let k = params.groups();
    for g in 0..k {
        let la = ln_alpha(params, g);
        let mut beta = std::mem::take(&mut params.beta[g]);
        newton_beta(ws, stats, g, &mut beta, la);
        params.beta[g] = beta;
    }
    let shared = params.alpha.as_ref().is_some_and(|a| a.len() == 1 && k > 1);
    if shared {
        let all: Vec<usize> = (0..k).collect();
        let la = newton_alpha(ws, stats, params, &all, ln_alpha(params, 0));
        params.alpha = Some(vec![la.exp()]);
    } else {
        let new: Vec<f64> = (0..k)
            .map(|g| newton_alpha(ws, stats, params, &[g], ln_alpha(params, g)).exp())
            .collect();
        params.alpha = Some(new);
    }
}

/// The score of the rates and dispersions (β of every group, then ln α per
/// group or shared), by Fisher's identity from the E-step sums.
pub(crate) fn score_rates(
    ws: &Workspace<'_>,
    stats: &Stats,
    params: &Params,
) -> (Vec<f64>, Vec<f64>) {
    let k = params.groups();
    let mut gb = Vec::new();
    let mut ga = vec![0.0; params.alpha.as_ref().map_or(0, Vec::len)];
    for g in 0..k {
        let ev = evaluate(ws, stats, g, &params.beta[g], ln_alpha(params, g), true);
        let x = &ws.x[g];
        for j in 0..params.beta[g].len() {
            gb.push((0..x.nrows()).map(|s| x[[s, j]] * ev.d1[s]).sum());
        }
        let slot = g.min(ga.len().saturating_sub(1));
        if let Some(a) = ga.get_mut(slot) {
            *a += ev.a1;
        }
    }
    (gb, ga)
}

/// Adds ln f_k(y_i) − const cell by cell (with exposure, or where the
/// prefix sums do not apply): `−r·ln(1 + α·e·λ)` per zero, and
/// `G(y, r) + y·(ln α + ln λ) − (r + y)·ln(1 + α·e·λ)` per positive count
/// (y·ln e and −ln y! are in the workspace's constant).
pub(crate) fn add_person_terms(
    ws: &Workspace<'_>,
    tb: &super::tables::Tables,
    nb: &super::tables::NbTables,
    cv: &CountValues,
    i: usize,
    out: &mut [f64],
) {
    let c = &ws.cells;
    let k = tb.k;
    for j in c.zero_off[i]..c.zero_off[i + 1] {
        let base = c.zero_t[j] as usize * k;
        let e = if c.has_exposure { c.zero_e[j] } else { 1.0 };
        for (g, o) in out.iter_mut().enumerate() {
            *o += tb.ln_zero(base + g, e);
        }
    }
    for j in c.pos_off[i]..c.pos_off[i + 1] {
        let base = c.pos_t[j] as usize * k;
        let y = c.pos_y[j];
        let e = if c.has_exposure { c.pos_e[j] } else { 1.0 };
        let v = cv.index[j] as usize * k;
        for (g, o) in out.iter_mut().enumerate() {
            let l = (nb.alpha[g] * e * tb.lambda[base + g]).ln_1p();
            *o += nb.g[v + g] + y * (nb.ln_alpha[g] + tb.ln_lambda[base + g]) - (nb.r[g] + y) * l;
        }
    }
}
