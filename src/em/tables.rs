//! Per-group, per-age quantities derived from the parameters once per
//! E-step ([`Tables`]), and the log-space helpers the E-step and the
//! M-steps share.

use super::workspace::Workspace;
use crate::model::{Family, Params};

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
    /// Without exposure, and when every |ln p0| is at most [`SPAN_LIMIT`]:
    /// `ln_p0` summed over ages `0..t` (index `t·K + k`, t = 0..=T), so that
    /// a person's zero terms over its span are one difference.
    pub p0_cum: Option<Vec<f64>>,
    /// What a positive count y adds beyond the zero term it replaces:
    /// `pos_c + y·ln_pos` (negative binomial: plus G(y, 1/α)), with
    /// `pos_c = ln(1 − ω) − λ − ln p0` (0 for Poisson and the negative
    /// binomial) and `ln_pos = ln λ` (negative binomial: ln q, q = αλ/(1 + αλ)).
    pub pos_c: Vec<f64>,
    pub ln_pos: Vec<f64>,
    /// The negative binomial's per-group values.
    pub nb: Option<NbTables>,
}

/// Per group: α, ln α, r = 1/α, and G(v, r) = ln Γ(v + r) − ln Γ(r) for
/// every distinct positive count v (index `v·K + k`).
pub(crate) struct NbTables {
    pub alpha: Vec<f64>,
    pub ln_alpha: Vec<f64>,
    pub r: Vec<f64>,
    pub g: Vec<f64>,
}

impl NbTables {
    fn new(ws: &Workspace<'_>, params: &Params, k: usize) -> Option<NbTables> {
        let cv = ws.nb.as_ref()?;
        let ln_alpha: Vec<f64> = (0..k)
            .map(|g| {
                params.alpha_of(g).map_or(0.0, |a| {
                    a.ln()
                        .clamp(super::counts::LN_ALPHA_MIN, super::counts::LN_ALPHA_MAX)
                })
            })
            .collect();
        let alpha: Vec<f64> = ln_alpha.iter().map(|l| l.exp()).collect();
        let r: Vec<f64> = ln_alpha.iter().map(|l| (-l).exp()).collect();
        let mut g = vec![0.0; cv.values.len() * k];
        for (grp, &rg) in r.iter().enumerate() {
            let (gv, _, _) = super::counts::value_sums(&cv.values, rg);
            for (v, x) in gv.into_iter().enumerate() {
                g[v * k + grp] = x;
            }
        }
        Some(NbTables {
            alpha,
            ln_alpha,
            r,
            g,
        })
    }
}

/// The largest |ln p0| (a rate of 1,000 a year) for which the E-step sums
/// zero terms by differences of prefix sums: their rounding error stays
/// below 1e-11 per person. Above it (only in runaway runs) it adds them
/// cell by cell.
pub(crate) const SPAN_LIMIT: f64 = 1e3;

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
            p0_cum: None,
            pos_c: vec![0.0; k * t],
            ln_pos: vec![0.0; k * t],
            nb: NbTables::new(ws, params, k),
        };
        let nb = tb
            .nb
            .as_ref()
            .map(|n| (n.alpha.clone(), n.r.clone(), n.ln_alpha.clone()));
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
                if let Some((alpha, r, ln_alpha)) = &nb {
                    let l = (alpha[g] * tb.lambda[i]).ln_1p();
                    tb.ln_p0[i] = -r[g] * l;
                    tb.ln_pos[i] = ln_alpha[g] + eta[s] - l;
                } else if let Some(zeta) = &zeta {
                    tb.ln_omega[i] = -softplus(-zeta[s]);
                    tb.ln_1m_omega[i] = -softplus(zeta[s]);
                    tb.ln_p0[i] = log_add(tb.ln_omega[i], tb.ln_1m_omega[i] - tb.lambda[i]);
                    tb.z0[i] = (tb.ln_omega[i] - tb.ln_p0[i]).exp();
                } else {
                    tb.ln_p0[i] = -tb.lambda[i];
                }
            }
        }
        if tb.nb.is_none() {
            for (c, ((a, l), p0)) in tb
                .pos_c
                .iter_mut()
                .zip(tb.ln_1m_omega.iter().zip(&tb.lambda).zip(&tb.ln_p0))
            {
                *c = a - l - p0;
            }
            tb.ln_pos.copy_from_slice(&tb.ln_lambda);
        }
        let spans = !ws.cells.has_exposure
            && ws.tc.is_none()
            && tb.ln_p0.iter().all(|v| v.abs() <= SPAN_LIMIT);
        if spans {
            let mut cum = vec![0.0; k * (t + 1)];
            for s in 0..t {
                for g in 0..k {
                    cum[(s + 1) * k + g] = cum[s * k + g] + tb.ln_p0[s * k + g];
                }
            }
            tb.p0_cum = Some(cum);
        }
        tb
    }

    /// Log-probability of a zero at exposure `e`.
    #[inline]
    pub(crate) fn ln_zero(&self, i: usize, e: f64) -> f64 {
        if e == 1.0 {
            self.ln_p0[i]
        } else if let Some(nb) = &self.nb {
            let g = i % self.k;
            -nb.r[g] * (nb.alpha[g] * e * self.lambda[i]).ln_1p()
        } else if self.zip {
            log_add(self.ln_omega[i], self.ln_1m_omega[i] - e * self.lambda[i])
        } else {
            -e * self.lambda[i]
        }
    }

    /// Posterior probability that a zero at exposure `e` is structural (ZIP).
    #[inline]
    pub(crate) fn structural(&self, i: usize, e: f64) -> f64 {
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
