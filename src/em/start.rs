//! Start values. Each start draws from its own ChaCha8 stream (the user's
//! seed, stream = start index), so starts are reproducible one by one and
//! independent of how many run in parallel.
//!
//! Two kinds of start, alternating:
//! - a random soft assignment (each person's weights drawn from a flat
//!   Dirichlet), the classic EM start;
//! - k-means++ on person-level curves (ln(1 + y) averaged over age bands),
//!   followed by a few Lloyd iterations: a hard assignment that already
//!   separates levels and timing.

use ndarray::Array2;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::estep::stats_from_weights;
use super::mstep::mstep;
use super::workspace::Workspace;
use crate::model::{Family, Params};

/// The random stream for start `index` under `seed`.
pub(crate) fn stream(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// Parameters from fixed assignment weights (persons × groups): one M-step
/// from a flat start (constant rate at the sample mean, ω = 0.1 for ZIP).
pub(crate) fn params_from_weights(ws: &Workspace<'_>, w: &Array2<f64>) -> Params {
    let p = ws.panel;
    let (mut ysum, mut esum) = (0.0, 0.0);
    for ((y, o), e) in p
        .counts
        .iter()
        .zip(p.observed.iter())
        .zip(p.exposure.as_ref().map_or_else(
            || vec![1.0; p.counts.len()],
            |e| e.iter().copied().collect(),
        ))
    {
        if *o {
            ysum += y;
            esum += e;
        }
    }
    let level = (ysum.max(0.5) / esum).ln();
    let k = w.ncols();
    let spec = ws.spec;
    let mut params = Params {
        beta: spec
            .orders()
            .iter()
            .map(|&o| {
                let mut b = vec![0.0; o + 1];
                b[0] = level;
                b
            })
            .collect(),
        gamma: (spec.family() == Family::Zip).then(|| {
            spec.iorders()
                .into_iter()
                .flatten()
                .map(|&o| {
                    let mut g = vec![0.0; o + 1];
                    g[0] = (0.1f64 / 0.9).ln();
                    g
                })
                .collect()
        }),
        pi: vec![1.0 / k as f64; k],
        risk: ws.w.as_ref().map(|w| vec![vec![0.0; w.ncols()]; k]),
        tcov: ws.tc.as_ref().map(|tc| vec![vec![0.0; tc.c]; k]),
        alpha: (spec.family() == Family::Nb).then(|| vec![1.0; spec.n_dispersion()]),
    };
    let stats = stats_from_weights(ws, &params, w);
    mstep(ws, &stats, &mut params);
    // Keep every group alive: a start must not begin degenerate.
    let floor = 1e-3;
    params.pi.iter_mut().for_each(|x| *x = x.max(floor));
    let s: f64 = params.pi.iter().sum();
    params.pi.iter_mut().for_each(|x| *x /= s);
    params
}

/// Random soft assignment: each row ~ Dirichlet(1, …, 1).
pub(crate) fn random_soft(rng: &mut ChaCha8Rng, n: usize, k: usize) -> Array2<f64> {
    let mut w = Array2::zeros((n, k));
    for mut row in w.rows_mut() {
        row.iter_mut()
            .for_each(|v| *v = -(1.0 - rng.random::<f64>()).ln());
        let s = row.sum();
        row.iter_mut().for_each(|v| *v /= s);
    }
    w
}

/// Person-level curve features: mean ln(1 + y) per age band (up to 6 bands),
/// a band with no observed year taking the person's overall mean.
pub(crate) fn curve_features(ws: &Workspace<'_>) -> Array2<f64> {
    let p = ws.panel;
    let t = p.ages.len();
    let bands = t.min(6);
    let mut f = Array2::zeros((p.n_persons(), bands));
    for i in 0..p.n_persons() {
        let (mut all, mut nall) = (0.0f64, 0.0f64);
        let mut sum = vec![0.0; bands];
        let mut cnt = vec![0.0; bands];
        for s in 0..t {
            if p.observed[[i, s]] {
                let v = p.counts[[i, s]].ln_1p();
                let b = s * bands / t;
                sum[b] += v;
                cnt[b] += 1.0;
                all += v;
                nall += 1.0;
            }
        }
        for b in 0..bands {
            f[[i, b]] = if cnt[b] > 0.0 {
                sum[b] / cnt[b]
            } else {
                all / nall.max(1.0)
            };
        }
    }
    f
}

fn dist2(f: &Array2<f64>, i: usize, c: &[f64]) -> f64 {
    f.row(i).iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum()
}

/// k-means++ seeding and 5 Lloyd iterations; returns a hard assignment as
/// weights (0.9 on the assigned group, the rest spread evenly).
pub(crate) fn kmeans_pp(rng: &mut ChaCha8Rng, f: &Array2<f64>, k: usize) -> Array2<f64> {
    let (n, d) = f.dim();
    let mut centres: Vec<Vec<f64>> = vec![f.row(rng.random_range(0..n)).to_vec()];
    let mut best = vec![f64::INFINITY; n];
    while centres.len() < k {
        let last = centres.last().cloned().unwrap_or_default();
        for (i, b) in best.iter_mut().enumerate() {
            *b = b.min(dist2(f, i, &last));
        }
        let total: f64 = best.iter().sum();
        let pick = if total > 0.0 {
            let mut u = rng.random::<f64>() * total;
            best.iter()
                .position(|&b| {
                    u -= b;
                    u <= 0.0
                })
                .unwrap_or(n - 1)
        } else {
            rng.random_range(0..n)
        };
        centres.push(f.row(pick).to_vec());
    }
    let mut assign = vec![0usize; n];
    for _ in 0..5 {
        for (i, a) in assign.iter_mut().enumerate() {
            *a = (0..k)
                .min_by(|&x, &y| dist2(f, i, &centres[x]).total_cmp(&dist2(f, i, &centres[y])))
                .unwrap_or(0);
        }
        for (c, centre) in centres.iter_mut().enumerate() {
            let members: Vec<usize> = (0..n).filter(|&i| assign[i] == c).collect();
            if members.is_empty() {
                continue;
            }
            for (j, v) in centre.iter_mut().enumerate().take(d) {
                *v = members.iter().map(|&i| f[[i, j]]).sum::<f64>() / members.len() as f64;
            }
        }
    }
    let other = if k > 1 { 0.1 / (k - 1) as f64 } else { 0.0 };
    let mut w = Array2::from_elem((n, k), other);
    for (i, &a) in assign.iter().enumerate() {
        w[[i, a]] = if k > 1 { 0.9 } else { 1.0 };
    }
    w
}

/// Start `index`: even indices are k-means++ starts, odd ones random soft
/// assignments.
pub(crate) fn start_params(
    ws: &Workspace<'_>,
    features: &Array2<f64>,
    seed: u64,
    index: u64,
) -> Params {
    let mut rng = stream(seed, index);
    let k = ws.spec.groups();
    let w = if index.is_multiple_of(2) {
        kmeans_pp(&mut rng, features, k)
    } else {
        random_soft(&mut rng, ws.panel.n_persons(), k)
    };
    params_from_weights(ws, &w)
}
