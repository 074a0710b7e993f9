//! The E-step: per-person log-likelihoods, posteriors by log-sum-exp, and the
//! posterior-weighted per-age sums the M-step needs.
//!
//! Persons are processed in fixed chunks of [`CHUNK`] in parallel with rayon;
//! the chunk partial sums are added in chunk order, so the result does not
//! depend on the number of threads.

use ndarray::Array2;
use rayon::prelude::*;

use super::stats::Stats;
use super::tables::{Tables, ln_softmax_shift};
use super::workspace::Workspace;
use crate::model::Params;

/// Persons per parallel work unit. Fixed, so reductions are reproducible.
pub(crate) const CHUNK: usize = 256;

/// Returns the person's log-likelihood ln Σ_k π_k f_k(y_i) and leaves the
/// posterior probabilities p_ik in `out` (computed in log space, one `exp`
/// per group).
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
    if let Some(cum) = &tb.p0_cum {
        add_span_terms(ws, tb, cum, i, out);
        return finish_posterior(out) + ws.constant[i];
    }
    if let (Some(nb), Some(cv)) = (&tb.nb, &ws.nb) {
        super::nb::add_person_terms(ws, tb, nb, cv, i, out);
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

/// Adds ln f_k(y_i) − const without exposure: the zero terms of the whole
/// span by one difference of prefix sums, less the gaps, plus what each
/// positive count adds beyond a zero.
#[inline]
fn add_span_terms(ws: &Workspace<'_>, tb: &Tables, cum: &[f64], i: usize, out: &mut [f64]) {
    let c = &ws.cells;
    let k = tb.k;
    let (a, b) = (c.span[2 * i] as usize * k, c.span[2 * i + 1] as usize * k);
    for ((o, hi), lo) in out.iter_mut().zip(&cum[b..b + k]).zip(&cum[a..a + k]) {
        *o += hi - lo;
    }
    for &t in &c.gap_t[c.gap_off[i]..c.gap_off[i + 1]] {
        let base = t as usize * k;
        for (o, v) in out.iter_mut().zip(&tb.ln_p0[base..base + k]) {
            *o -= v;
        }
    }
    for j in c.pos_off[i]..c.pos_off[i + 1] {
        let base = c.pos_t[j] as usize * k;
        let y = c.pos_y[j];
        let r = base..base + k;
        for ((o, pc), l) in out.iter_mut().zip(&tb.pos_c[r.clone()]).zip(&tb.ln_pos[r]) {
            *o += pc + y * l;
        }
    }
    // The negative binomial's G(y, 1/α) per positive count.
    if let (Some(nb), Some(cv)) = (&tb.nb, &ws.nb) {
        for &v in &cv.index[c.pos_off[i]..c.pos_off[i + 1]] {
            let v = v as usize * k;
            for (o, g) in out.iter_mut().zip(&nb.g[v..v + k]) {
                *o += g;
            }
        }
    }
}

/// Turns `out` (ln π_k + ln f_k) into posterior probabilities; returns
/// the log-sum-exp.
fn finish_posterior(out: &mut [f64]) -> f64 {
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in out.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in out.iter_mut() {
        *v /= sum;
    }
    max + sum.ln()
}

/// Adds person i's contribution with posterior weights `w` to `acc`
/// (age-major accumulators).
fn accumulate(ws: &Workspace<'_>, tb: &Tables, i: usize, w: &[f64], acc: &mut Stats) {
    if let (Some(tc), Some(theta)) = (&ws.tc, &tb.tcov) {
        return super::tcov::accumulate(ws, tc, tb, theta, i, w, acc);
    }
    let c = &ws.cells;
    let k = tb.k;
    if let Some(cv) = &ws.nb {
        for &v in &cv.index[c.pos_off[i]..c.pos_off[i + 1]] {
            let v = v as usize * k;
            for (h, wg) in acc.hist[v..v + k].iter_mut().zip(w) {
                *h += wg;
            }
        }
    }
    for (s, wg) in acc.s.iter_mut().zip(w) {
        *s += wg;
    }
    if c.has_exposure {
        for j in c.zero_off[i]..c.zero_off[i + 1] {
            let base = c.zero_t[j] as usize * k;
            let e = c.zero_e[j];
            for (g, &wg) in w.iter().enumerate() {
                // Only ZIP zeros can be structural.
                let z = if tb.zip {
                    tb.structural(base + g, e)
                } else {
                    0.0
                };
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
        // Observed weight by a difference array: +w at the span's start,
        // −w at its end, and the gaps taken out.
        let (a, b) = (c.span[2 * i] as usize * k, c.span[2 * i + 1] as usize * k);
        for (g, wg) in w.iter().enumerate() {
            acc.obs_diff[a + g] += wg;
            acc.obs_diff[b + g] -= wg;
        }
        for &t in &c.gap_t[c.gap_off[i]..c.gap_off[i + 1]] {
            let base = t as usize * k;
            for (g, wg) in w.iter().enumerate() {
                acc.obs_diff[base + g] -= wg;
                acc.obs_diff[base + k + g] += wg;
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
            let mut acc = Stats::zeros(k, tb.t, ws.n_values());
            let mut post = vec![0.0; k];
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                acc.ll += person_posterior(ws, &tb, i, &mut post);
                accumulate(ws, &tb, i, &post, &mut acc);
                if ws.keeps_posteriors() {
                    acc.post.extend_from_slice(&post);
                }
            }
            acc
        })
        .collect();
    let mut total = Stats::zeros(k, tb.t, ws.n_values());
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
    let mut acc = Stats::zeros(params.groups(), tb.t, ws.n_values());
    for i in 0..ws.panel.n_persons() {
        let row = w.row(i).to_vec();
        accumulate(ws, &tb, i, &row, &mut acc);
        if ws.keeps_posteriors() {
            acc.post.extend_from_slice(&row);
        }
    }
    acc.finish(&tb);
    acc
}

/// Posterior probabilities (persons × groups) and the log-likelihood,
/// summed per chunk and then across chunks exactly as [`estep`] does.
pub(crate) fn posteriors(ws: &Workspace<'_>, params: &Params) -> (Array2<f64>, f64) {
    let tb = Tables::new(ws, params);
    let k = params.groups();
    let n = ws.panel.n_persons();
    let mut out = Array2::zeros((n, k));
    let Some(flat) = out.as_slice_mut() else {
        unreachable!("a new array is in standard layout")
    };
    let lls: Vec<f64> = flat
        .par_chunks_mut(CHUNK * k.max(1))
        .enumerate()
        .map(|(c, block)| {
            let mut ll = 0.0;
            for (r, row) in block.chunks_mut(k).enumerate() {
                ll += person_posterior(ws, &tb, c * CHUNK + r, row);
            }
            ll
        })
        .collect();
    let mut ll = 0.0;
    for l in lls {
        ll += l;
    }
    (out, ll)
}
