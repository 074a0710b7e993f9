//! The small dense linear algebra of the optimiser, on row-major `n × n`
//! slices: Cholesky factorisation and solves, definiteness checks, the
//! Levenberg–Marquardt damping of a Hessian and the BFGS update. The
//! matrices are at most a few dozen rows (one per parameter), so plain loops
//! are the right tool.

/// Cholesky factorisation of a symmetric positive definite matrix (row-major,
/// n × n). Returns `None` if it is not positive definite.
pub(crate) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum.is_nan() || sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b` given the Cholesky factor `L`.
pub(crate) fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

/// Cholesky factor of −H if the Hessian is negative definite.
pub(crate) fn negative_definite(h: &[f64], p: usize) -> Option<Vec<f64>> {
    let neg: Vec<f64> = h.iter().map(|x| -x).collect();
    cholesky(&neg, p)
}

/// `−H + μI` and its Cholesky factor, for the smallest μ in 0, 1e-8·s,
/// 1e-7·s, … (s = largest |H_jj|) that makes it positive definite: Newton
/// where the Hessian is negative definite, a Levenberg–Marquardt step where
/// it is not (a flat ridge, a parameter drifting to a boundary).
pub(crate) fn damped(h: &[f64], p: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let s = (0..p).map(|j| h[j * p + j].abs()).fold(1e-12, f64::max);
    let mut mu = 0.0;
    while mu < 1e4 * s {
        let mut m: Vec<f64> = h.iter().map(|x| -x).collect();
        for j in 0..p {
            m[j * p + j] += mu;
        }
        if let Some(l) = cholesky(&m, p) {
            return Some((m, l));
        }
        mu = if mu == 0.0 { 1e-8 * s } else { mu * 10.0 };
    }
    None
}

/// BFGS update of `b ≈ −H` after a step `s` that changed the score by `−y`.
/// Skipped (returns false) when the curvature condition `sᵀy > 0` fails.
pub(crate) fn bfgs_update(b: &mut [f64], p: usize, s: &[f64], y: &[f64]) -> bool {
    let sy: f64 = s.iter().zip(y).map(|(a, c)| a * c).sum();
    let bs: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| b[i * p + j] * s[j]).sum())
        .collect();
    let sbs: f64 = s.iter().zip(&bs).map(|(a, c)| a * c).sum();
    let norm =
        s.iter().map(|v| v * v).sum::<f64>().sqrt() * y.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !(sy > 1e-12 * norm && sbs > 0.0) {
        return false;
    }
    for i in 0..p {
        for j in 0..p {
            b[i * p + j] += y[i] * y[j] / sy - bs[i] * bs[j] / sbs;
        }
    }
    true
}

/// Solves `Lᵀ x = z` by back substitution, given the Cholesky factor `L`:
/// with `z ~ N(0, I)`, `x ~ N(0, (L Lᵀ)⁻¹)`.
pub(crate) fn solve_upper_transposed(l: &[f64], n: usize, z: &[f64]) -> Vec<f64> {
    let mut d = z.to_vec();
    for i in (0..n).rev() {
        for k in i + 1..n {
            d[i] -= l[k * n + i] * d[k];
        }
        d[i] /= l[i * n + i];
    }
    d
}

/// Eigenvalues of a symmetric matrix (row-major, n × n), ascending, by the
/// cyclic Jacobi method: accurate to rounding for the small matrices here.
pub(crate) fn symmetric_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| m[i * n + i] * m[i * n + i]).sum();
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..n).map(|i| m[i * n + i]).collect();
    ev.sort_by(f64::total_cmp);
    ev
}

/// The inverse of a symmetric positive definite matrix, from its Cholesky
/// factor.
pub(crate) fn cholesky_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let col = cholesky_solve(l, n, &e);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
    // Symmetrise the rounding.
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (inv[i * n + j] + inv[j * n + i]);
            inv[i * n + j] = m;
            inv[j * n + i] = m;
        }
    }
    inv
}

/// The step-halving search of a damped Newton step on a concave objective
/// `f` (to maximise) from `base` along `step`, whose value at `base` is
/// `f0`: the first of the sizes 1, ½, ¼, … (30 of them) whose objective is
/// finite and not below `f0`. Near the maximum a true gain can be below the
/// rounding of an objective summed over many cells, so a step that loses no
/// more than 1e-13·|f0| is taken too: otherwise the climb stalls short of
/// the score tolerance. Returns the new point, its objective, and the
/// largest change of a coordinate; `None` if no size was taken.
pub(crate) fn halving_step(
    base: &[f64],
    step: &[f64],
    f0: f64,
    f: impl Fn(&[f64]) -> f64,
) -> Option<(Vec<f64>, f64, f64)> {
    let mut size = 1.0;
    for _ in 0..30 {
        let trial: Vec<f64> = base.iter().zip(step).map(|(b, s)| b + size * s).collect();
        let ft = f(&trial);
        if ft.is_finite() && ft >= f0 - 1e-13 * f0.abs().max(1.0) {
            let moved = step.iter().fold(0.0f64, |m, s| m.max((size * s).abs()));
            return Some((trial, ft, moved));
        }
        size *= 0.5;
    }
    None
}
