//! Unit tests of the small dense linear algebra: Cholesky factorisation and
//! solves, definiteness, eigenvalues and inverse, damping and BFGS.

use super::linalg::{
    bfgs_update, cholesky, cholesky_inverse, cholesky_solve, damped, negative_definite,
    solve_upper_transposed, symmetric_eigenvalues,
};
use super::tests::{SPD, assert_close, l_lt, mat_vec};

#[test]
fn cholesky_reproduces_the_matrix() {
    // A known factor: [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]].
    assert_eq!(
        cholesky(&[4.0, 2.0, 2.0, 5.0], 2),
        Some(vec![2.0, 0.0, 1.0, 2.0])
    );
    let l = cholesky(&SPD, 3).expect("SPD");
    for i in 0..3 {
        for j in i + 1..3 {
            assert_eq!(l[i * 3 + j], 0.0, "L must be lower triangular");
        }
    }
    assert_close(&l_lt(&l, 3), &SPD, 1e-12);
}

#[test]
fn cholesky_refuses_indefinite_and_nan() {
    assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    assert!(cholesky(&[-1.0, 0.0, 0.0, 1.0], 2).is_none());
    assert!(cholesky(&[-2.0], 1).is_none());
    assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none(), "singular");
    assert!(cholesky(&[f64::NAN, 0.0, 0.0, 1.0], 2).is_none());
    assert!(cholesky(&[1.0, f64::NAN, f64::NAN, 1.0], 2).is_none());
}

#[test]
fn triangular_solves() {
    let l = cholesky(&SPD, 3).expect("SPD");
    let b = [1.0, -2.0, 0.5];
    let x = cholesky_solve(&l, 3, &b);
    assert_close(&mat_vec(&SPD, 3, &x), &b, 1e-12);
    // Lᵀ x = z.
    let z = [0.3, -1.2, 2.0];
    let x = solve_upper_transposed(&l, 3, &z);
    let lt_x: Vec<f64> = (0..3)
        .map(|i| (0..3).map(|k| l[k * 3 + i] * x[k]).sum())
        .collect();
    assert_close(&lt_x, &z, 1e-12);
}

#[test]
fn negative_definiteness() {
    let neg: Vec<f64> = SPD.iter().map(|v| -v).collect();
    let l = negative_definite(&neg, 3).expect("−SPD is negative definite");
    assert_close(&l_lt(&l, 3), &SPD, 1e-12);
    assert!(negative_definite(&SPD, 3).is_none());
    let h = [-2.0, 0.5, 0.3, 0.5, 0.0, 0.1, 0.3, 0.1, -3.0];
    assert!(negative_definite(&h, 3).is_none());
}

#[test]
fn eigenvalues_and_inverse() {
    assert_close(
        &symmetric_eigenvalues(&[2.0, 1.0, 1.0, 2.0], 2),
        &[1.0, 3.0],
        1e-14,
    );
    // Trace and determinant of SPD are kept; the values are ascending.
    let ev = symmetric_eigenvalues(&SPD, 3);
    assert!(ev.windows(2).all(|w| w[0] <= w[1]) && ev[0] > 0.0);
    let trace = SPD[0] + SPD[4] + SPD[8];
    assert!((ev.iter().sum::<f64>() - trace).abs() < 1e-12 * trace);
    let l = cholesky(&SPD, 3).expect("SPD");
    let det = (l[0] * l[4] * l[8]).powi(2);
    assert!((ev.iter().product::<f64>() - det).abs() < 1e-10 * det);
    // The inverse times the matrix is the identity.
    let inv = cholesky_inverse(&l, 3);
    for i in 0..3 {
        let row: Vec<f64> = (0..3)
            .map(|j| (0..3).map(|k| inv[i * 3 + k] * SPD[k * 3 + j]).sum())
            .collect();
        let e: Vec<f64> = (0..3).map(|j| f64::from(u8::from(i == j))).collect();
        assert_close(&row, &e, 1e-12);
    }
    // An indefinite matrix has a negative eigenvalue.
    let h = [-2.0, 0.5, 0.3, 0.5, 0.0, 0.1, 0.3, 0.1, -3.0];
    assert!(symmetric_eigenvalues(&h, 3)[2] > 0.0);
}

#[test]
fn damped_shifts_only_when_needed() {
    // Indefinite: M = −H + μI with μ > 0, positive definite.
    let h = [1.0, 0.3, 0.3, -2.0];
    let (m, l) = damped(&h, 2).expect("damping succeeds");
    let mu = m[0] + h[0];
    assert!(mu > 0.0);
    assert_close(&m, &[-h[0] + mu, -h[1], -h[2], -h[3] + mu], 1e-12);
    assert_close(&l_lt(&l, 2), &m, 1e-12);
    // Negative definite: plain Newton, M = −H exactly.
    let h: Vec<f64> = SPD.iter().map(|v| -v).collect();
    let (m, _) = damped(&h, 3).expect("negative definite");
    assert_eq!(m, SPD.to_vec());
}

#[test]
fn bfgs_keeps_the_secant_equation() {
    let mut b = vec![2.0, 0.5, 0.5, 1.0];
    let (s, y) = ([1.0, 0.5], [1.5, 0.2]);
    assert!(bfgs_update(&mut b, 2, &s, &y));
    assert_close(&mat_vec(&b, 2, &s), &y, 1e-12);
    assert!((b[1] - b[2]).abs() < 1e-15, "stays symmetric");
    // sᵀy ≤ 0: refused, B unchanged.
    let before = b.clone();
    assert!(!bfgs_update(&mut b, 2, &[1.0, 0.5], &[-1.0, 0.5]));
    assert!(!bfgs_update(&mut b, 2, &[1.0, 0.0], &[0.0, 1.0]));
    assert_eq!(b, before);
}
