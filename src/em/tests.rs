//! Unit tests of the EM machinery: the score against finite differences of
//! the log-likelihood, the small linear algebra, the Newton polish on a
//! concave (one-group Poisson) likelihood, regression tests for fixed
//! defects, and the nesting of a (K − 1)-group solution.

use ndarray::{Array2, aview1};

use super::degeneracy::{Degeneracy, judge};
use super::estep::estep;
use super::mstep::{Link, gradient, max_abs, score};
use super::polish::{flatten, hessian, newton_polish, unflatten};
use super::refine::{nested_starts, nesting};
use super::run::{Control, has_converged, run_em};
use super::workspace::Workspace;
use crate::data::Panel;
use crate::design::AgeScale;
use crate::model::{Family, ModelSpec, Params};

// ---------------------------------------------------------------- helpers

/// A deterministic uniform in [0, 1) from a cell and a salt (splitmix-style).
pub(super) fn unif(i: usize, t: usize, salt: u64) -> f64 {
    let mut h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (t as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ salt.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The Poisson(λ) quantile at `u` (inverse CDF).
pub(super) fn poisson_quantile(lambda: f64, u: f64) -> f64 {
    let (mut k, mut p) = (0.0, (-lambda).exp());
    let mut cdf = p;
    while cdf < u && k < 100.0 {
        k += 1.0;
        p *= lambda / k;
        cdf += p;
    }
    k
}

/// Counts of `n` persons at `ages`: every third person has a peaked rate,
/// the others a low constant one; about 10% of the cells are NaN.
fn counts(n: usize, ages: &[i64]) -> Array2<f64> {
    Array2::from_shape_fn((n, ages.len()), |(i, t)| {
        if unif(i, t, 1) < 0.1 {
            return f64::NAN;
        }
        let x = (t as f64 - ages.len() as f64 / 3.0) / 3.0;
        let lambda = [2.0 * (-x * x).exp() + 0.2, 0.3, 0.3][i % 3];
        poisson_quantile(lambda, unif(i, t, 2))
    })
}

/// An `n × t` panel at ages 12.., optionally with exposures in (0.2, 1]
/// (about 20% of them exactly 1).
pub(super) fn panel(n: usize, t: usize, with_exposure: bool) -> Panel {
    let ages: Vec<i64> = (12..12 + t as i64).collect();
    let y = counts(n, &ages);
    let e = Array2::from_shape_fn(y.dim(), |(i, t)| (0.2 + unif(i, t, 3)).min(1.0));
    Panel::from_arrays(y.view(), &ages, with_exposure.then(|| e.view())).expect("valid panel")
}

pub(super) fn spec(family: Family, orders: &[usize], iorders: Option<&[usize]>) -> ModelSpec {
    ModelSpec::new(family, orders.to_vec(), iorders.map(<[usize]>::to_vec)).expect("valid spec")
}

pub(super) fn workspace<'a>(p: &'a Panel, s: &'a ModelSpec) -> Workspace<'a> {
    Workspace::new(p, s, AgeScale::from_ages(p.ages()))
}

pub(super) fn params(beta: &[&[f64]], gamma: Option<&[&[f64]]>, pi: &[f64]) -> Params {
    let rows = |v: &[&[f64]]| v.iter().map(|r| r.to_vec()).collect();
    Params {
        beta: rows(beta),
        gamma: gamma.map(rows),
        pi: pi.to_vec(),
        risk: None,
        tcov: None,
        alpha: None,
    }
}

/// `a · b` for row-major n × n `a`.
pub(super) fn mat_vec(a: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    (0..n)
        .map(|i| (0..n).map(|j| a[i * n + j] * b[j]).sum())
        .collect()
}

/// `L Lᵀ` for row-major n × n `l`.
pub(super) fn l_lt(l: &[f64], n: usize) -> Vec<f64> {
    let l = Array2::from_shape_vec((n, n), l.to_vec()).expect("n × n");
    l.dot(&l.t()).into_iter().collect()
}

pub(super) fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (j, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol, "component {j}: {x} vs {y}");
    }
}

/// A symmetric positive definite 3 × 3 matrix.
pub(super) const SPD: [f64; 9] = [4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];

// ------------------------------------------- 1. score vs finite differences

/// The score equals a fourth-order central difference of the E-step's
/// log-likelihood in the coordinates of `flatten`, component by component.
pub(super) fn check_score(p: &Panel, s: &ModelSpec, at: &Params) {
    let ws = workspace(p, s);
    let g = score(&ws, at, &estep(&ws, at));
    let theta = flatten(at);
    assert_eq!(g.len(), theta.len());
    assert!(max_abs(&g) > 1.0, "parameters should be off the optimum");
    let ll = |j: usize, d: f64| {
        let mut th = theta.clone();
        th[j] += d;
        estep(&ws, &unflatten(&th, at)).ll
    };
    let h = 1e-3;
    for (j, gj) in g.iter().enumerate() {
        let fd = (8.0 * (ll(j, h) - ll(j, -h)) - (ll(j, 2.0 * h) - ll(j, -2.0 * h))) / (12.0 * h);
        assert!(
            (fd - gj).abs() <= 1e-6 * gj.abs().max(1.0),
            "{s:?}, coordinate {j}: score {gj}, finite difference {fd}"
        );
    }
}

#[test]
fn score_matches_finite_differences() {
    let beta: &[&[f64]] = &[&[-0.5, 0.3, -0.4], &[0.4, -0.2]];
    let pi = [0.6, 0.4];
    let cases = [
        (
            spec(Family::Poisson, &[2, 1], None),
            params(beta, None, &pi),
        ),
        (
            spec(Family::Zip, &[2, 1], Some(&[0, 0])),
            params(beta, Some(&[&[-1.0], &[-0.5]]), &pi),
        ),
        (
            spec(Family::Zip, &[2, 1], Some(&[1, 1])),
            params(beta, Some(&[&[-1.0, 0.4], &[-0.5, -0.3]]), &pi),
        ),
    ];
    for with_exposure in [false, true] {
        let p = panel(60, 8, with_exposure);
        assert!(p.n_observations() < 60 * 8, "some cells must be unobserved");
        for (s, at) in &cases {
            check_score(&p, s, at);
        }
    }
}

// -------------------------------------- 3. the polish on a known quadratic

#[test]
fn polish_reaches_the_maximum_of_one_poisson_group() {
    let p = panel(60, 8, false);
    let s = spec(Family::Poisson, &[2], None);
    let ws = workspace(&p, &s);
    let start = params(&[&[0.5, -0.4, 0.3]], None, &[1.0]);
    let (fit, st) = newton_polish(&ws, &start, estep(&ws, &start), 1e-10, 100)
        .expect("the polish raises the log-likelihood");
    let n = p.n_persons() as f64;
    // Asked for 1e-10, the polish stops at about 2e-9 per person: its line
    // search needs a strict rise of the LL, and the gain of a step from there
    // (~1e-16) is below the LL's rounding. The crate's default (1e-8) holds.
    assert!(max_abs(&score(&ws, &fit, &st)) / n < 1e-8);
    let ctl = Control {
        max_iter: 2000,
        ll_tol: 0.0,
        score_tol: 0.0,
        polish_below: None,
    };
    let em = run_em(&ws, start, &ctl);
    assert_eq!(em.iterations, 2000);
    assert!(st.ll >= em.ll - 1e-9, "polish {} < EM {}", st.ll, em.ll);
    assert_close(&fit.beta[0], &em.params.beta[0], 1e-6);
}

#[test]
fn hessian_matches_the_analytic_poisson_hessian() {
    // One Poisson group without exposure: H = −Σ_t n_t λ_t x_t x_tᵀ with
    // n_t the persons observed at age t.
    let p = panel(60, 8, false);
    let s = spec(Family::Poisson, &[2], None);
    let ws = workspace(&p, &s);
    let at = params(&[&[0.2, -0.4, 0.3]], None, &[1.0]);
    let x = &ws.x[0];
    let lambda = x.dot(&aview1(&at.beta[0])).mapv(f64::exp);
    let mut exact = vec![0.0; 9];
    for t in 0..ws.n_ages() {
        let n_t = p.observed().column(t).iter().filter(|&&o| o).count() as f64;
        for j in 0..3 {
            for l in 0..3 {
                exact[j * 3 + l] -= n_t * lambda[t] * x[[t, j]] * x[[t, l]];
            }
        }
    }
    let h = hessian(&ws, &at);
    let scale = max_abs(&exact);
    for (a, b) in h.iter().zip(&exact) {
        assert!((a - b).abs() <= 1e-6 * b.abs() + 1e-9 * scale, "{a} vs {b}");
    }
}

// ------------------------------------- 4. regressions for fixed defects

/// (a) `max_abs` folded with `f64::max`, which drops NaN, so a NaN score
/// passed the convergence test. It must be infinite, and never converge.
#[test]
fn nan_score_never_converges() {
    assert_eq!(max_abs(&[0.1, -0.3]), 0.3);
    assert_eq!(max_abs(&[0.1, f64::NAN]), f64::INFINITY);
    assert_eq!(max_abs(&[f64::NAN, 0.1]), f64::INFINITY);
    assert_eq!(max_abs(&[f64::INFINITY]), f64::INFINITY);
    assert_eq!(max_abs(&[f64::NEG_INFINITY, 1.0]), f64::INFINITY);
    let ctl = Control {
        max_iter: 10,
        ll_tol: 1e-6,
        score_tol: 1e-6,
        polish_below: None,
    };
    assert!(has_converged(1e-9, 1e-9, &ctl));
    assert!(!has_converged(1e-9, max_abs(&[0.0, f64::NAN]), &ctl));
    assert!(!has_converged(1e-9, f64::NAN, &ctl));
    assert!(!has_converged(f64::NAN, 1e-9, &ctl));
}

/// (b) An age with no weight (a_t = b_t = 0) where the linear predictor
/// overflows gave 0·∞ = NaN in the gradient; it must add nothing.
#[test]
fn gradient_skips_unweighted_overflowing_ages() {
    let x = Array2::from_shape_vec((2, 2), vec![1.0, 0.0, 1.0, 1.0]).expect("shape");
    let beta = [1.0, 799.0]; // η = 1 at age 0, 800 (e^800 = ∞) at age 1
    let g = gradient(&x, &beta, &[2.0, 0.0], &[1.0, 0.0], Link::Exp);
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    assert_close(&g, &[2.0 - 1f64.exp(), 0.0], 1e-12);
}

/// (c) A "spike" group (cubic coefficients in the hundreds, rate in range at
/// its peak but underflowing at the ages its few members are observed at)
/// passed as usable; it must be judged a runaway rate.
#[test]
fn spike_group_is_degenerate() {
    let ages: Vec<i64> = (12..36).collect();
    let scale = AgeScale::from_ages(&ages);
    let spike = [2.0, 0.0, -600.0, -600.0];
    let eta: Vec<f64> = ages.iter().map(|&a| scale.eval(&spike, a as f64)).collect();
    let dead = eta.iter().filter(|&&e| e < -46.0).count();
    let top = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!((10..=16).contains(&dead), "{dead} ages underflow");
    assert!(top > 1e-10f64.ln() && top < 1e6f64.ln());
    // Two persons follow the spike exactly (all years observed).
    let mut y = counts(300, &ages);
    for i in 298..300 {
        for (t, e) in eta.iter().enumerate() {
            y[[i, t]] = if *e >= 0.0 { 7.0 } else { 0.0 };
        }
    }
    let p = Panel::from_arrays(y.view(), &ages, None).expect("valid panel");
    let s = spec(Family::Poisson, &[3, 3, 3], None);
    let ws = workspace(&p, &s);
    let (b1, b2): (&[f64], &[f64]) = (&[-1.2, 0.2, -0.5, 0.1], &[0.0, 0.3, -0.8, 0.0]);
    let n = p.n_persons() as f64;

    let at = params(&[b1, b2, &spike], None, &[0.6, 0.4 - 2.0 / n, 2.0 / n]);
    match judge(&ws, &at, &estep(&ws, &at)) {
        Some(Degeneracy::RunawayRate {
            group: 3,
            age,
            log_rate,
            weight,
        }) => {
            let t = ages.iter().position(|&a| a == age).expect("an age");
            assert!(log_rate < -46.0 && (log_rate - eta[t]).abs() < 1e-9 * eta[t].abs());
            assert!(weight > 1.9 && weight < 2.01, "weight {weight}");
        }
        other => panic!("expected a runaway rate in group 3, got {other:?}"),
    }

    let healthy = params(&[b1, b2, &[0.5, 0.2, -0.5, 0.0]], None, &[0.5, 0.4, 0.1]);
    assert_eq!(judge(&ws, &healthy, &estep(&ws, &healthy)), None);

    let empty = params(
        &[b1, b2, &[0.5, 0.2, -0.5, 0.0]],
        None,
        &[0.7, 0.5 / n, 0.3 - 0.5 / n],
    );
    match judge(&ws, &empty, &estep(&ws, &empty)) {
        Some(Degeneracy::EmptyGroup {
            group: 2,
            expected_persons,
        }) => assert!((expected_persons - 0.5).abs() < 1e-9),
        other => panic!("expected group 2 empty, got {other:?}"),
    }
}

/// (d) A run that is degenerate and stays so went on to the iteration
/// limit. It must stop at the second in-run check that judges it so.
#[test]
fn degenerate_run_is_cut_off_early() {
    let p = panel(60, 8, false);
    let s = spec(Family::Poisson, &[1, 1], None);
    let ws = workspace(&p, &s);
    let ctl = Control {
        max_iter: 5000,
        ll_tol: 0.0,
        score_tol: 0.0,
        polish_below: None,
    };
    // Group 2 holds 1e-12 of a person at a rate of e¹⁰ a year: it stays
    // empty. (At a plausible rate it can grow back, and must not be cut.)
    let start = params(&[&[0.0, 0.0], &[10.0, 0.0]], None, &[1.0 - 1e-12, 1e-12]);
    let run = run_em(&ws, start, &ctl);
    assert_eq!(run.iterations, 100, "{:?}", run.termination);
    assert!(matches!(
        run.termination,
        super::run::Termination::Degenerate(Degeneracy::EmptyGroup { group: 2, .. })
    ));
    // A healthy run is not cut off: it goes to the limit it was given.
    let healthy = params(&[&[0.0, 0.0], &[-1.0, 0.0]], None, &[0.5, 0.5]);
    let ctl = Control {
        max_iter: 300,
        ..ctl
    };
    assert_eq!(run_em(&ws, healthy, &ctl).iterations, 300);
}

// ------------------------------------------------------------ 5. nesting

#[test]
fn nesting_matches_orders() {
    let poisson = |o: &[usize]| spec(Family::Poisson, o, None);
    let new = poisson(&[2, 3, 3]);
    assert_eq!(nesting(&poisson(&[3, 2]), &new), Some((vec![1, 0], 2)));
    assert_eq!(nesting(&poisson(&[3, 3]), &new), Some((vec![1, 2], 0)));
    assert_eq!(
        nesting(&poisson(&[1, 2]), &new),
        None,
        "order 1 has no slot"
    );
    assert_eq!(nesting(&poisson(&[3]), &new), None, "K − 2 groups");
    assert_eq!(nesting(&poisson(&[3, 2, 3]), &new), None, "K groups");
    let zip = spec(Family::Zip, &[3, 2], Some(&[0, 0]));
    assert_eq!(nesting(&zip, &new), None, "another family");
    // ZIP: the zero-inflation orders must match too.
    let prev = spec(Family::Zip, &[3, 2], Some(&[1, 0]));
    let new = spec(Family::Zip, &[2, 3, 3], Some(&[0, 0, 1]));
    assert_eq!(nesting(&prev, &new), Some((vec![2, 0], 1)));
}

#[test]
fn nested_starts_keep_the_log_likelihood() {
    let p = panel(60, 8, true);
    let beta: &[&[f64]] = &[&[-0.3, 0.2, -0.4, 0.1], &[0.5, -0.3, -0.2]];
    let pi = [0.7, 0.3];
    let cases = [
        (
            spec(Family::Poisson, &[3, 2], None),
            spec(Family::Poisson, &[2, 3, 3], None),
            params(beta, None, &pi),
            2,
        ),
        // The group with iorder 1 cannot go into the left-over slot
        // (iorder 0): one start only.
        (
            spec(Family::Zip, &[3, 2], Some(&[1, 0])),
            spec(Family::Zip, &[2, 3, 3], Some(&[0, 0, 1])),
            params(beta, Some(&[&[-1.0, 0.3], &[-0.8]]), &pi),
            1,
        ),
    ];
    for (prev_spec, s, prev, count) in &cases {
        let ll_prev = estep(&workspace(&p, prev_spec), prev).ll;
        let ws = workspace(&p, s);
        let starts = nested_starts(s, prev_spec, prev);
        assert_eq!(starts.len(), *count);
        for q in &starts {
            for (b, o) in q.beta.iter().zip(s.orders()) {
                assert_eq!(b.len(), o + 1);
            }
            assert!((q.pi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let ll = estep(&ws, q).ll;
            assert!(
                (ll - ll_prev).abs() <= 1e-9 * ll_prev.abs() + 1e-6,
                "{ll} vs {ll_prev}"
            );
        }
    }
}
