//! The sums one E-step hands to the M-step ([`Stats`]).

use super::tables::Tables;

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
    /// Without exposure: Σ_i p_ik over observed years as a difference
    /// array over ages ((T + 1)·K: the weight observed at age t is the sum
    /// of entries 0..=t), and Σ_i p_ik over positive counts; `e`, `zs` and
    /// `n` are finished from them once per E-step.
    pub(crate) obs_diff: Vec<f64>,
    pub(crate) wp: Vec<f64>,
    /// Negative binomial: Σ p_ik over the positive cells whose count is the
    /// v-th distinct value (index `v·K + k`).
    pub hist: Vec<f64>,
}

impl Stats {
    /// Zero sums for K groups, T ages and `nv` tabulated count values.
    pub(crate) fn zeros(k: usize, t: usize, nv: usize) -> Stats {
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
            obs_diff: vec![0.0; k * (t + 1)],
            wp: v,
            hist: vec![0.0; k * nv],
        }
    }

    pub(crate) fn add(&mut self, other: &Stats) {
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
            (&mut self.obs_diff, &other.obs_diff),
            (&mut self.wp, &other.wp),
            (&mut self.hist, &other.hist),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }

    /// Turns the zero/positive weight sums into `e`, `zs` and `n` (no
    /// exposure: every zero at age t of group k has the same z_kt), and
    /// transposes the sums to group-major.
    pub(crate) fn finish(&mut self, tb: &Tables) {
        let (k, t) = (tb.k, tb.t);
        let mut observed = vec![0.0; k];
        for ix in 0..k * t {
            let g = ix % k;
            observed[g] += self.obs_diff[ix];
            // Zeros = observed − positives; rounding may leave −1e-16 (a
            // NaN stays NaN).
            let d = observed[g] - self.wp[ix];
            let w0 = if d < 0.0 { 0.0 } else { d };
            let (wp, z) = (self.wp[ix], tb.z0[ix]);
            self.zs[ix] += z * w0;
            self.e[ix] += (1.0 - z) * w0 + wp;
            self.n[ix] += w0 + wp;
        }
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
