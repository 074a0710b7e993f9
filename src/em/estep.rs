//! The E-step: per-person log-likelihoods, posteriors by log-sum-exp, and the
//! posterior-weighted per-age sums the M-step needs.
//!
//! Persons are processed in fixed chunks of [`CHUNK`] in parallel with rayon;
//! the chunk partial sums are added in chunk order, so the result does not
//! depend on the number of threads.

use ndarray::Array2;
use rayon::prelude::*;

use crate::data::Panel;
use crate::design::AgeScale;
use crate::model::{Family, ModelSpec, Params};

/// Persons per parallel work unit. Fixed, so reductions are reproducible.
pub(crate) const CHUNK: usize = 256;

/// The panel with everything that does not change between iterations.
pub(crate) struct Workspace<'a> {
    pub panel: &'a Panel,
    pub spec: &'a ModelSpec,
    pub scale: AgeScale,
    /// Rate design per group, T × (order + 1).
    pub x: Vec<Array2<f64>>,
    /// Zero-inflation design per group (ZIP only).
    pub z: Vec<Array2<f64>>,
    /// Σ_t o_it·(y_it·ln e_it − ln y_it!) per person: the part of the
    /// log-likelihood that no group changes.
    pub constant: Vec<f64>,
}

impl<'a> Workspace<'a> {
    pub fn new(panel: &'a Panel, spec: &'a ModelSpec, scale: AgeScale) -> Self {
        let ages = &panel.ages;
        let x = spec.orders.iter().map(|&o| scale.basis(ages, o)).collect();
        let z = spec
            .iorders
            .iter()
            .flatten()
            .map(|&o| scale.basis(ages, o))
            .collect();
        let constant = (0..panel.n_persons())
            .map(|i| {
                let mut c = 0.0;
                for t in 0..ages.len() {
                    if panel.observed[[i, t]] {
                        let y = panel.counts[[i, t]];
                        c -= statrs::function::gamma::ln_gamma(y + 1.0);
                        if let Some(e) = &panel.exposure {
                            if y > 0.0 {
                                c += y * e[[i, t]].ln();
                            }
                        }
                    }
                }
                c
            })
            .collect();
        Workspace {
            panel,
            spec,
            scale,
            x,
            z,
            constant,
        }
    }

    pub fn n_ages(&self) -> usize {
        self.panel.ages.len()
    }
}

/// `ln(1 + e^x)` without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Per-group, per-age quantities derived from the parameters (K × T, row-major).
pub(crate) struct Tables {
    pub t: usize,
    pub ln_pi: Vec<f64>,
    pub ln_lambda: Vec<f64>,
    pub lambda: Vec<f64>,
    /// ln ω and ln(1 − ω); ω = 0 (ln ω = −∞) for Poisson.
    pub ln_omega: Vec<f64>,
    pub ln_1m_omega: Vec<f64>,
    /// Log-probability of a zero count at exposure 1.
    pub ln_p0: Vec<f64>,
    pub zip: bool,
}

impl Tables {
    pub fn new(ws: &Workspace<'_>, params: &Params) -> Tables {
        let t = ws.n_ages();
        let k = params.groups();
        let zip = ws.spec.family == Family::Zip;
        let mut tb = Tables {
            t,
            ln_pi: params.pi.iter().map(|p| p.ln()).collect(),
            ln_lambda: vec![0.0; k * t],
            lambda: vec![0.0; k * t],
            ln_omega: vec![f64::NEG_INFINITY; k * t],
            ln_1m_omega: vec![0.0; k * t],
            ln_p0: vec![0.0; k * t],
            zip,
        };
        for g in 0..k {
            let eta = ws.x[g].dot(&ndarray::aview1(&params.beta[g]));
            let zeta = params
                .gamma
                .as_ref()
                .map(|gm| ws.z[g].dot(&ndarray::aview1(&gm[g])));
            for s in 0..t {
                let i = g * t + s;
                tb.ln_lambda[i] = eta[s];
                tb.lambda[i] = eta[s].exp();
                if let Some(zeta) = &zeta {
                    tb.ln_omega[i] = -softplus(-zeta[s]);
                    tb.ln_1m_omega[i] = -softplus(zeta[s]);
                    tb.ln_p0[i] = log_add(tb.ln_omega[i], tb.ln_1m_omega[i] - tb.lambda[i]);
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

/// Fills `out[k]` with ln π_k + ln f_k(y_i) and returns the person's
/// log-likelihood ln Σ_k π_k f_k(y_i); `out` then holds log posteriors.
pub(crate) fn person_posterior(ws: &Workspace<'_>, tb: &Tables, i: usize, out: &mut [f64]) -> f64 {
    let p = ws.panel;
    let t = tb.t;
    let y = p.counts.row(i);
    let o = p.observed.row(i);
    let e = p.exposure.as_ref().map(|e| e.row(i));
    for (g, slot) in out.iter_mut().enumerate() {
        let mut ll = tb.ln_pi[g];
        for s in 0..t {
            if !o[s] {
                continue;
            }
            let ix = g * t + s;
            let es = e.as_ref().map_or(1.0, |e| e[s]);
            ll += if y[s] == 0.0 {
                tb.ln_zero(ix, es)
            } else {
                tb.ln_1m_omega[ix] + y[s] * tb.ln_lambda[ix] - es * tb.lambda[ix]
            };
        }
        *slot = ll;
    }
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = out.iter().map(|v| (v - max).exp()).sum();
    let total = max + sum.ln();
    for v in out.iter_mut() {
        *v -= total;
    }
    total + ws.constant[i]
}

/// Sufficient statistics of one E-step (K × T arrays, row-major).
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
}

impl Stats {
    fn zeros(k: usize, t: usize) -> Stats {
        Stats {
            ll: 0.0,
            s: vec![0.0; k],
            y: vec![0.0; k * t],
            e: vec![0.0; k * t],
            zs: vec![0.0; k * t],
            n: vec![0.0; k * t],
        }
    }

    fn add(&mut self, other: &Stats) {
        self.ll += other.ll;
        for (a, b) in [
            (&mut self.s, &other.s),
            (&mut self.y, &other.y),
            (&mut self.e, &other.e),
            (&mut self.zs, &other.zs),
            (&mut self.n, &other.n),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }
}

/// Adds person i's contribution with posterior weights `w` to `acc`.
fn accumulate(ws: &Workspace<'_>, tb: &Tables, i: usize, w: &[f64], acc: &mut Stats) {
    let p = ws.panel;
    let t = tb.t;
    let y = p.counts.row(i);
    let o = p.observed.row(i);
    let e = p.exposure.as_ref().map(|e| e.row(i));
    for (g, &wg) in w.iter().enumerate() {
        acc.s[g] += wg;
        if wg == 0.0 {
            continue;
        }
        for s in 0..t {
            if !o[s] {
                continue;
            }
            let ix = g * t + s;
            let es = e.as_ref().map_or(1.0, |e| e[s]);
            acc.y[ix] += wg * y[s];
            if tb.zip {
                acc.n[ix] += wg;
                if y[s] == 0.0 {
                    let z = (tb.ln_omega[ix] - tb.ln_zero(ix, es)).exp();
                    acc.zs[ix] += wg * z;
                    acc.e[ix] += wg * (1.0 - z) * es;
                } else {
                    acc.e[ix] += wg * es;
                }
            } else {
                acc.e[ix] += wg * es;
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
            }
            acc
        })
        .collect();
    let mut total = Stats::zeros(k, tb.t);
    for c in &chunks {
        total.add(c);
    }
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
    }
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
