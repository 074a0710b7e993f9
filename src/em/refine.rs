//! Refinement of a solution: split-and-merge restarts (Ueda et al. 2000)
//! and random moves of the parameters along their own sampling
//! distribution, repeated from any better solution; and the starts that
//! nest a (K − 1)-group solution in a K-group search.

use ndarray::Array2;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;

use super::estep::posteriors;
use super::linalg::{negative_definite, solve_upper_transposed};
use super::polish::{flatten, hessian, unflatten};
use super::run::{Control, Run, SAME_OPTIMUM, best_usable, run_em, screen};
use super::start::{params_from_weights, stream};
use super::workspace::Workspace;
use crate::model::{ModelSpec, Params};

/// Perturbation runs per start in each refinement round.
const PERTURB_FACTOR: usize = 2;
/// Random streams of perturbations start here (start streams lie below).
const PERTURB_STREAM: u64 = 1 << 32;
/// Rounds of split-and-merge refinement at most.
const REFINE_ROUNDS: usize = 3;

/// Refinement from the best usable run: every split-merge restart
/// (screened like the random starts, the best `starts` of them run to
/// convergence) and `2·starts` random moves of the parameters; repeated
/// from any better solution, up to [`REFINE_ROUNDS`] times. Returns the
/// refinement runs.
pub(crate) fn refine(
    ws: &Workspace<'_>,
    starts: usize,
    seed: u64,
    full: &Control,
    mut best: Run,
) -> Vec<Run> {
    let keys = split_keys(ws);
    let mut all = Vec::new();
    for round in 0..REFINE_ROUNDS {
        let (post, _) = posteriors(ws, &best.params);
        let cands = split_merge(&post, &keys);
        // Random moves of the best along its own sampling distribution
        // (2, 4 and 8 standard errors), run to convergence directly:
        // screening would rank them all back into the best's own basin.
        let theta = flatten(&best.params);
        let chol = negative_definite(&hessian(ws, &best.params), theta.len());
        let nearby: Vec<Run> = match &chol {
            Some(l) => (0..starts * PERTURB_FACTOR)
                .into_par_iter()
                .map(|j| {
                    let index = PERTURB_STREAM + (round * 1000 + j) as u64;
                    let c = [2.0, 4.0, 8.0][j % 3];
                    let th = perturb_params(&mut stream(seed, index), &theta, l, c);
                    run_em(ws, unflatten(&th, &best.params), full)
                })
                .collect(),
            None => Vec::new(),
        };
        let starts_from: Vec<Params> = cands
            .into_par_iter()
            .map(|w| params_from_weights(ws, &w))
            .collect();
        let short = screen(ws, starts_from, starts);
        let runs: Vec<Run> = short
            .into_iter()
            .take(starts)
            .map(|s| s.2)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|p| run_em(ws, p, full))
            .chain(nearby)
            .collect();
        let improved = best_usable(&runs)
            .filter(|r| r.ll > best.ll + SAME_OPTIMUM)
            .cloned();
        all.extend(runs);
        match improved {
            Some(r) => best = r,
            None => break,
        }
    }
    all
}

/// A (K − 1)-group solution to nest in a K-group search.
#[derive(Debug, Clone)]
pub(crate) struct Nested {
    pub spec: ModelSpec,
    pub params: Params,
    pub log_likelihood: f64,
}

/// Where the groups of a (K − 1)-group solution go in a K-group structure:
/// for each of its groups the slot with the same orders, and the one slot
/// left over. `None` if the orders do not nest.
pub(crate) fn nesting(prev: &ModelSpec, spec: &ModelSpec) -> Option<(Vec<usize>, usize)> {
    if prev.family() != spec.family() || prev.groups() + 1 != spec.groups() {
        return None;
    }
    let shape = |s: &ModelSpec, g: usize| (s.orders()[g], s.iorders().map(|q| q[g]));
    let mut used = vec![false; spec.groups()];
    let mut slots = Vec::with_capacity(prev.groups());
    for g in 0..prev.groups() {
        let slot = (0..spec.groups()).find(|&j| !used[j] && shape(spec, j) == shape(prev, g))?;
        used[slot] = true;
        slots.push(slot);
    }
    let left = used.iter().position(|u| !u)?;
    Some((slots, left))
}

/// Screening starts from a (K − 1)-group solution `prev` (under `prev_spec`):
/// for each of its groups, its posterior weight split in two along each
/// split key (above and below the weighted median), the other groups kept.
pub(crate) fn split_starts(
    ws: &Workspace<'_>,
    prev_spec: &ModelSpec,
    prev: &Params,
) -> Vec<Params> {
    let prev_ws = Workspace::new(ws.panel, prev_spec, ws.scale);
    let (post, _) = posteriors(&prev_ws, prev);
    let keys = split_keys(ws);
    let k = ws.spec.groups();
    let (slots, left) =
        nesting(prev_spec, ws.spec).unwrap_or_else(|| ((0..k - 1).collect(), k - 1));
    let n = post.nrows();
    let mut out = Vec::new();
    for s in 0..prev.groups() {
        for key in &keys {
            let mut w = Array2::zeros((n, k));
            for (g, &slot) in slots.iter().enumerate() {
                w.column_mut(slot).assign(&post.column(g));
            }
            let m = weighted_median(key, post.column(s).iter().copied());
            for r in 0..n {
                if key[r] > m {
                    w[[r, left]] = w[[r, slots[s]]];
                    w[[r, slots[s]]] = 0.0;
                }
            }
            w.mapv_inplace(|v| 0.98 * v + 0.02 / k as f64);
            out.push(params_from_weights(ws, &w));
        }
    }
    out
}

/// Starts that contain the (K − 1)-group solution exactly, one per group
/// that can be duplicated into the slot left over: the group's parameters in
/// both slots (higher orders padded with zeros), its share halved, the two
/// intercepts moved apart by ±[`NEST_SHIFT`]. Their log-likelihood is that
/// of `prev` up to O(shift²), and EM never lowers it, so the best K-group
/// solution is at least as good as the (K − 1)-group one.
pub(crate) fn nested_starts(spec: &ModelSpec, prev_spec: &ModelSpec, prev: &Params) -> Vec<Params> {
    let Some((slots, left)) = nesting(prev_spec, spec) else {
        return Vec::new();
    };
    let k = spec.groups();
    let pad = |v: &[f64], len: usize| -> Option<Vec<f64>> {
        (v.len() <= len).then(|| {
            let mut out = v.to_vec();
            out.resize(len, 0.0);
            out
        })
    };
    let mut out = Vec::new();
    for s in 0..prev.groups() {
        let mut beta = vec![Vec::new(); k];
        let mut gamma = prev.gamma.as_ref().map(|_| vec![Vec::new(); k]);
        let mut pi = vec![0.0; k];
        for (g, &slot) in slots.iter().enumerate() {
            beta[slot] = prev.beta[g].clone();
            if let (Some(gm), Some(pg)) = (gamma.as_mut(), prev.gamma.as_ref()) {
                gm[slot] = pg[g].clone();
            }
            pi[slot] = prev.pi[g];
        }
        let Some(mut b) = pad(&prev.beta[s], spec.orders()[left] + 1) else {
            continue;
        };
        if let (Some(gm), Some(pg), Some(q)) = (gamma.as_mut(), prev.gamma.as_ref(), spec.iorders())
        {
            let Some(z) = pad(&pg[s], q[left] + 1) else {
                continue;
            };
            gm[left] = z;
        }
        b[0] -= NEST_SHIFT;
        beta[slots[s]][0] += NEST_SHIFT;
        beta[left] = b;
        pi[slots[s]] = prev.pi[s] / 2.0;
        pi[left] = prev.pi[s] / 2.0;
        // The split group's two halves keep its risk coefficients, so the
        // priors π_ik, and the log-likelihood, stay as they were.
        let risk = prev.risk.as_ref().map(|d| {
            let mut r = vec![Vec::new(); k];
            for (g, &slot) in slots.iter().enumerate() {
                r[slot] = d[g].clone();
            }
            r[left] = d[s].clone();
            r
        });
        // ... and their time-varying covariate coefficients.
        let tcov = prev.tcov.as_ref().map(|th| {
            let mut r = vec![Vec::new(); k];
            for (g, &slot) in slots.iter().enumerate() {
                r[slot] = th[g].clone();
            }
            r[left] = th[s].clone();
            r
        });
        // ... and their dispersion (negative binomial).
        let alpha = prev.alpha.as_ref().map(|a| {
            if a.len() == prev.groups() && k > 1 {
                let mut r = vec![0.0; k];
                for (g, &slot) in slots.iter().enumerate() {
                    r[slot] = a[g];
                }
                r[left] = a[s];
                r
            } else {
                a.clone()
            }
        });
        out.push(Params {
            beta,
            gamma,
            pi,
            risk,
            tcov,
            alpha,
        });
    }
    out
}

/// Half the distance between the intercepts of a duplicated group.
pub(crate) const NEST_SHIFT: f64 = 1e-5;

/// A random move of the parameters, `θ + c·δ` with `δ ~ N(0, (−H)⁻¹)`: the
/// estimates' own sampling distribution, widened by `c`. `chol` is the
/// Cholesky factor L of −H (row-major, P × P).
pub(crate) fn perturb_params(
    rng: &mut ChaCha8Rng,
    theta: &[f64],
    chol: &[f64],
    c: f64,
) -> Vec<f64> {
    let p = theta.len();
    let z: Vec<f64> = (0..p)
        .map(|_| {
            // Box–Muller.
            let u1 = 1.0 - rng.random::<f64>();
            let u2 = rng.random::<f64>();
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect();
    let d = solve_upper_transposed(chol, p, &z);
    theta.iter().zip(&d).map(|(t, x)| t + c * x).collect()
}

/// Per-person keys along which a group is split: level (mean ln(1 + y)) and
/// timing (the count-weighted mean age index; the middle for persons with no
/// count).
pub(crate) fn split_keys(ws: &Workspace<'_>) -> [Vec<f64>; 2] {
    let c = &ws.cells;
    let n = ws.panel.n_persons();
    let mid = ws.n_ages() as f64 / 2.0;
    let mut level = Vec::with_capacity(n);
    let mut timing = Vec::with_capacity(n);
    for i in 0..n {
        let zeros = (c.zero_off[i + 1] - c.zero_off[i]) as f64;
        let (mut ly, mut ty, mut sy) = (0.0, 0.0, 0.0);
        for j in c.pos_off[i]..c.pos_off[i + 1] {
            ly += c.pos_y[j].ln_1p();
            ty += c.pos_y[j] * c.pos_t[j] as f64;
            sy += c.pos_y[j];
        }
        let obs = zeros + (c.pos_off[i + 1] - c.pos_off[i]) as f64;
        level.push(ly / obs.max(1.0));
        timing.push(if sy > 0.0 { ty / sy } else { mid });
    }
    [level, timing]
}

/// Split-and-merge restarts from a solution's posteriors (Ueda et al. 2000):
/// merge groups i and j, then split group s in two along a key (above and
/// below its posterior-weighted median), giving K groups again. One weight
/// matrix per (i < j, s ≠ j, key).
pub(crate) fn split_merge(post: &Array2<f64>, keys: &[Vec<f64>; 2]) -> Vec<Array2<f64>> {
    let (n, k) = post.dim();
    let mut out = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            for s in (0..k).filter(|&s| s != j) {
                for key in keys {
                    let mut w = post.clone();
                    for r in 0..n {
                        w[[r, i]] += w[[r, j]];
                        w[[r, j]] = 0.0;
                    }
                    let m = weighted_median(key, w.column(s).iter().copied());
                    for r in 0..n {
                        if key[r] > m {
                            w[[r, j]] = w[[r, s]];
                            w[[r, s]] = 0.0;
                        }
                    }
                    // Keep a little weight everywhere, so no group starts empty.
                    w.mapv_inplace(|v| 0.98 * v + 0.02 / k as f64);
                    out.push(w);
                }
            }
        }
    }
    out
}

fn weighted_median(key: &[f64], w: impl Iterator<Item = f64>) -> f64 {
    let mut pairs: Vec<(f64, f64)> = key.iter().copied().zip(w).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (v, wt) in &pairs {
        acc += wt;
        if acc >= total / 2.0 {
            return *v;
        }
    }
    pairs.last().map_or(0.0, |p| p.0)
}
