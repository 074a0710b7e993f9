//! The E-step: per-person log-likelihoods, posteriors by log-sum-exp, and the
//! posterior-weighted per-age sums the M-step needs.
//!
//! Persons are processed in fixed chunks of [`CHUNK`] in parallel with rayon;
//! the chunk partial sums are added in chunk order, so the result does not
//! depend on the number of threads.

use ndarray::Array2;
use rayon::prelude::*;

use super::workspace::Workspace;
use crate::model::{Family, Params};

/// Persons per parallel work unit. Fixed, so reductions are reproducible.
pub(crate) const CHUNK: usize = 256;

/// `ln(1 + e^x)` without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Per-group, per-age quantities derived from the parameters (K × T, row-major).
/// Tables are age-major (index `t·K + k`), so that the E-step's innermost
/// loops run over the K groups of one cell, contiguously.
pub(crate) struct Tables {
    pub t: usize,
    pub k: usize,
    pub ln_pi: Vec<f64>,
    /// Risk-factor coefficients per group (with risk factors).
    pub risk: Option<Vec<Vec<f64>>>,
    /// Time-varying covariate coefficients per group (with them).
    pub tcov: Option<Vec<Vec<f64>>>,
    pub ln_lambda: Vec<f64>,
    pub lambda: Vec<f64>,
    /// ln ω and ln(1 − ω); ω = 0 (ln ω = −∞) for Poisson.
    pub ln_omega: Vec<f64>,
    pub ln_1m_omega: Vec<f64>,
    /// Log-probability of a zero count at exposure 1.
    pub ln_p0: Vec<f64>,
    /// Posterior probability that a zero at exposure 1 is structural (ZIP).
    pub z0: Vec<f64>,
    pub zip: bool,
}

impl Tables {
    pub fn new(ws: &Workspace<'_>, params: &Params) -> Tables {
        let t = ws.n_ages();
        let k = params.groups();
        let zip = ws.spec.family() == Family::Zip;
        let mut tb = Tables {
            t,
            k,
            ln_pi: params.pi.iter().map(|p| p.ln()).collect(),
            risk: params.risk.clone().filter(|_| ws.w.is_some()),
            tcov: params.tcov.clone().filter(|_| ws.tc.is_some()),
            ln_lambda: vec![0.0; k * t],
            lambda: vec![0.0; k * t],
            ln_omega: vec![f64::NEG_INFINITY; k * t],
            ln_1m_omega: vec![0.0; k * t],
            ln_p0: vec![0.0; k * t],
            z0: vec![0.0; k * t],
            zip,
        };
        for g in 0..k {
            let eta = ws.x[g].dot(&ndarray::aview1(&params.beta[g]));
            let zeta = params
                .gamma
                .as_ref()
                .map(|gm| ws.z[g].dot(&ndarray::aview1(&gm[g])));
            for s in 0..t {
                let i = s * k + g;
                tb.ln_lambda[i] = eta[s];
                tb.lambda[i] = eta[s].exp();
                if let Some(zeta) = &zeta {
                    tb.ln_omega[i] = -softplus(-zeta[s]);
                    tb.ln_1m_omega[i] = -softplus(zeta[s]);
                    tb.ln_p0[i] = log_add(tb.ln_omega[i], tb.ln_1m_omega[i] - tb.lambda[i]);
                    tb.z0[i] = (tb.ln_omega[i] - tb.ln_p0[i]).exp();
                } else {
                    tb.ln_p0[i] = -tb.lambda[i];
                }
            }
        }
        tb
    }

    /// Log-probability of a zero at exposure `e`.
    #[inline]
    fn ln_zero(&self, i: usize, e: f64) -> f64 {
        if e == 1.0 {
            self.ln_p0[i]
        } else if self.zip {
            log_add(self.ln_omega[i], self.ln_1m_omega[i] - e * self.lambda[i])
        } else {
            -e * self.lambda[i]
        }
    }

    /// Posterior probability that a zero at exposure `e` is structural (ZIP).
    #[inline]
    fn structural(&self, i: usize, e: f64) -> f64 {
        if e == 1.0 {
            self.z0[i]
        } else {
            (self.ln_omega[i] - self.ln_zero(i, e)).exp()
        }
    }
}

/// `ln(e^a + e^b)`.
#[inline]
pub(crate) fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// Turns `out` (ln π_k) into ln π_ik: adds δ_kᵀw and renormalises.
pub(crate) fn ln_softmax_shift(out: &mut [f64], d: &[Vec<f64>], w: &[f64]) {
    for (o, dk) in out.iter_mut().zip(d) {
        *o += dk.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
    }
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lse = max + out.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
    out.iter_mut().for_each(|v| *v -= lse);
}

/// Fills `out[k]` with ln π_k + ln f_k(y_i) and returns the person's
/// log-likelihood ln Σ_k π_k f_k(y_i); `out` then holds log posteriors.
pub(crate) fn person_posterior(ws: &Workspace<'_>, tb: &Tables, i: usize, out: &mut [f64]) -> f64 {
    let c = &ws.cells;
    let k = tb.k;
    out.copy_from_slice(&tb.ln_pi);
    if let (Some(d), Some(w)) = (&tb.risk, ws.risk_row(i)) {
        ln_softmax_shift(out, d, w);
    }
    if let (Some(tc), Some(theta)) = (&ws.tc, &tb.tcov) {
        super::tcov::add_person_terms(ws, tc, tb, theta, i, out);
        return finish_posterior(out) + ws.constant[i];
    }
    for j in c.zero_off[i]..c.zero_off[i + 1] {
        let base = c.zero_t[j] as usize * k;
        if c.has_exposure {
            let e = c.zero_e[j];
            for (g, o) in out.iter_mut().enumerate() {
                *o += tb.ln_zero(base + g, e);
            }
        } else {
            for (o, v) in out.iter_mut().zip(&tb.ln_p0[base..base + k]) {
                *o += v;
            }
        }
    }
    for j in c.pos_off[i]..c.pos_off[i + 1] {
        let base = c.pos_t[j] as usize * k;
        let y = c.pos_y[j];
        let e = if c.has_exposure { c.pos_e[j] } else { 1.0 };
        let r = base..base + k;
        for (((o, a), b), l) in out
            .iter_mut()
            .zip(&tb.ln_1m_omega[r.clone()])
            .zip(&tb.ln_lambda[r.clone()])
            .zip(&tb.lambda[r])
        {
            *o += a + y * b - e * l;
        }
    }
    finish_posterior(out) + ws.constant[i]
}

/// Turns `out` (ln π_k + ln f_k) into log posteriors; returns the
/// log-sum-exp.
fn finish_posterior(out: &mut [f64]) -> f64 {
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = out.iter().map(|v| (v - max).exp()).sum();
    let total = max + sum.ln();
    for v in out.iter_mut() {
        *v -= total;
    }
    total
}

/// Sufficient statistics of one E-step: K × T arrays, group-major (index
/// `k·T + t`) once finished; age-major (`t·K + k`) while accumulating.
#[derive(Debug, Clone)]
pub(crate) struct Stats {
    pub ll: f64,
    /// Σ_i p_ik.
    pub s: Vec<f64>,
    /// Σ_i p_ik·o_it·y_it.
    pub y: Vec<f64>,
    /// Σ_i p_ik·o_it·(1 − z_itk)·e_it (z = posterior of a structural zero).
    pub e: Vec<f64>,
    /// Σ_i p_ik·o_it·z_itk (ZIP).
    pub zs: Vec<f64>,
    /// Σ_i p_ik·o_it (ZIP).
    pub n: Vec<f64>,
    /// Posteriors, persons × K row-major: kept only for a model with risk
    /// factors, whose M-step for the shares works on persons.
    pub post: Vec<f64>,
    /// With time-varying covariates, per observed zero cell (in the
    /// workspace's order) and group: p_ik·(1 − ζ)·e, the weight of its rate
    /// term (cell-major, K per cell).
    pub rz: Vec<f64>,
    /// With time-varying covariates, per positive cell and group: p_ik.
    pub rp: Vec<f64>,
    /// Without exposure: Σ_i p_ik over observed zeros and positives, from
    /// which `e`, `zs` and `n` are finished once per E-step.
    w0: Vec<f64>,
    wp: Vec<f64>,
}

impl Stats {
    fn zeros(k: usize, t: usize) -> Stats {
        let v = vec![0.0; k * t];
        Stats {
            ll: 0.0,
            s: vec![0.0; k],
            y: v.clone(),
            e: v.clone(),
            zs: v.clone(),
            n: v.clone(),
            post: Vec::new(),
            rz: Vec::new(),
            rp: Vec::new(),
            w0: v.clone(),
            wp: v,
        }
    }

    fn add(&mut self, other: &Stats) {
        self.ll += other.ll;
        self.post.extend_from_slice(&other.post);
        self.rz.extend_from_slice(&other.rz);
        self.rp.extend_from_slice(&other.rp);
        for (a, b) in [
            (&mut self.s, &other.s),
            (&mut self.y, &other.y),
            (&mut self.e, &other.e),
            (&mut self.zs, &other.zs),
            (&mut self.n, &other.n),
            (&mut self.w0, &other.w0),
            (&mut self.wp, &other.wp),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }

    /// Turns the zero/positive weight sums into `e`, `zs` and `n` (no
    /// exposure: every zero at age t of group k has the same z_kt), and
    /// transposes the sums to group-major.
    fn finish(&mut self, tb: &Tables) {
        for ix in 0..self.w0.len() {
            let (w0, wp, z) = (self.w0[ix], self.wp[ix], tb.z0[ix]);
            self.zs[ix] += z * w0;
            self.e[ix] += (1.0 - z) * w0 + wp;
            self.n[ix] += w0 + wp;
        }
        let (k, t) = (tb.k, tb.t);
        for v in [&mut self.y, &mut self.e, &mut self.zs, &mut self.n] {
            let age_major = v.clone();
            for g in 0..k {
                for s in 0..t {
                    v[g * t + s] = age_major[s * k + g];
                }
            }
        }
    }
}

/// Adds person i's contribution with posterior weights `w` to `acc`
/// (age-major accumulators).
fn accumulate(ws: &Workspace<'_>, tb: &Tables, i: usize, w: &[f64], acc: &mut Stats) {
    if let (Some(tc), Some(theta)) = (&ws.tc, &tb.tcov) {
        return super::tcov::accumulate(ws, tc, tb, theta, i, w, acc);
    }
    let c = &ws.cells;
    let k = tb.k;
    for (s, wg) in acc.s.iter_mut().zip(w) {
        *s += wg;
    }
    if c.has_exposure {
        for j in c.zero_off[i]..c.zero_off[i + 1] {
            let base = c.zero_t[j] as usize * k;
            let e = c.zero_e[j];
            for (g, &wg) in w.iter().enumerate() {
                let z = tb.structural(base + g, e);
                acc.zs[base + g] += wg * z;
                acc.e[base + g] += wg * (1.0 - z) * e;
                acc.n[base + g] += wg;
            }
        }
        for j in c.pos_off[i]..c.pos_off[i + 1] {
            let base = c.pos_t[j] as usize * k;
            let (y, e) = (c.pos_y[j], c.pos_e[j]);
            for (g, &wg) in w.iter().enumerate() {
                acc.y[base + g] += wg * y;
                acc.e[base + g] += wg * e;
                acc.n[base + g] += wg;
            }
        }
    } else {
        for j in c.zero_off[i]..c.zero_off[i + 1] {
            let base = c.zero_t[j] as usize * k;
            for (a, wg) in acc.w0[base..base + k].iter_mut().zip(w) {
                *a += wg;
            }
        }
        for j in c.pos_off[i]..c.pos_off[i + 1] {
            let base = c.pos_t[j] as usize * k;
            let y = c.pos_y[j];
            for ((a, b), wg) in acc.y[base..base + k]
                .iter_mut()
                .zip(&mut acc.wp[base..base + k])
                .zip(w)
            {
                *a += wg * y;
                *b += wg;
            }
        }
    }
}

/// One E-step: log-likelihood and the sums for the M-step.
pub(crate) fn estep(ws: &Workspace<'_>, params: &Params) -> Stats {
    let tb = Tables::new(ws, params);
    let k = params.groups();
    let n = ws.panel.n_persons();
    let chunks: Vec<Stats> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut acc = Stats::zeros(k, tb.t);
            let mut post = vec![0.0; k];
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                acc.ll += person_posterior(ws, &tb, i, &mut post);
                post.iter_mut().for_each(|v| *v = v.exp());
                accumulate(ws, &tb, i, &post, &mut acc);
                if ws.w.is_some() {
                    acc.post.extend_from_slice(&post);
                }
            }
            acc
        })
        .collect();
    let mut total = Stats::zeros(k, tb.t);
    for c in &chunks {
        total.add(c);
    }
    total.finish(&tb);
    total
}

/// The M-step sums for fixed weights (a start's soft assignment), with
/// zero-inflation posteriors taken from `params` (ZIP).
pub(crate) fn stats_from_weights(ws: &Workspace<'_>, params: &Params, w: &Array2<f64>) -> Stats {
    let tb = Tables::new(ws, params);
    let mut acc = Stats::zeros(params.groups(), tb.t);
    for i in 0..ws.panel.n_persons() {
        let row = w.row(i).to_vec();
        accumulate(ws, &tb, i, &row, &mut acc);
        if ws.w.is_some() {
            acc.post.extend_from_slice(&row);
        }
    }
    acc.finish(&tb);
    acc
}

/// Posterior probabilities (persons × groups) and the log-likelihood.
pub(crate) fn posteriors(ws: &Workspace<'_>, params: &Params) -> (Array2<f64>, f64) {
    let tb = Tables::new(ws, params);
    let k = params.groups();
    let n = ws.panel.n_persons();
    let rows: Vec<(Vec<f64>, f64)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut post = vec![0.0; k];
            let ll = person_posterior(ws, &tb, i, &mut post);
            post.iter_mut().for_each(|v| *v = v.exp());
            (post, ll)
        })
        .collect();
    let mut out = Array2::zeros((n, k));
    // Sum per chunk, then across chunks, exactly as `estep` does.
    let mut ll = 0.0;
    for chunk in rows.chunks(CHUNK) {
        ll += chunk.iter().map(|r| r.1).sum::<f64>();
    }
    for (i, (row, _)) in rows.into_iter().enumerate() {
        out.row_mut(i).assign(&ndarray::aview1(&row));
    }
    (out, ll)
}
