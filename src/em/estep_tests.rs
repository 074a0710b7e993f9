//! The E-step's span path (no exposure: zero terms by prefix sums over a
//! person's observed span) against the cell-by-cell path and a direct
//! computation of the M-step's sums.

use super::estep::{estep, person_posterior, posteriors};
use super::tables::Tables;
use super::tests::{panel, params, spec, workspace};
use crate::model::Family;

#[test]
fn span_path_equals_the_cell_path_and_direct_sums() {
    // Gaps inside spans (about 10% of cells unobserved), no exposure.
    let p = panel(80, 9, false);
    let cases = [
        (
            spec(Family::Poisson, &[2, 1], None),
            params(&[&[-0.5, 0.3, -0.4], &[0.4, -0.2]], None, &[0.6, 0.4]),
        ),
        (
            spec(Family::Zip, &[2, 1], Some(&[1, 0])),
            params(
                &[&[-0.5, 0.3, -0.4], &[0.4, -0.2]],
                Some(&[&[-1.0, 0.5], &[-0.5]]),
                &[0.6, 0.4],
            ),
        ),
    ];
    for (s, at) in &cases {
        let ws = workspace(&p, s);
        let tb = Tables::new(&ws, at);
        assert!(tb.p0_cum.is_some(), "no exposure: the span path is taken");
        let mut cells = Tables::new(&ws, at);
        cells.p0_cum = None;
        let (mut a, mut b) = (vec![0.0; 2], vec![0.0; 2]);
        for i in 0..p.n_persons() {
            let la = person_posterior(&ws, &tb, i, &mut a);
            let lb = person_posterior(&ws, &cells, i, &mut b);
            assert!(
                (la - lb).abs() < 1e-12 * lb.abs().max(1.0),
                "person {i}: {la} vs {lb}"
            );
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-12, "person {i}: {a:?} vs {b:?}");
            }
        }
        // The sums: n = Σ_i p_ik·o_it, and for ZIP zs = Σ_i p_ik·o_it·[y = 0]·z_kt.
        let st = estep(&ws, at);
        let (post, _) = posteriors(&ws, at);
        let (t_n, k) = (p.ages().len(), 2);
        for g in 0..k {
            for t in 0..t_n {
                let (mut n, mut zs, mut y) = (0.0, 0.0, 0.0);
                for i in 0..p.n_persons() {
                    if p.observed()[[i, t]] {
                        let w = post[[i, g]];
                        n += w;
                        y += w * p.counts()[[i, t]];
                        if p.counts()[[i, t]] == 0.0 {
                            zs += w * tb.z0[t * k + g];
                        }
                    }
                }
                let ix = g * t_n + t;
                assert!(
                    (st.n[ix] - n).abs() < 1e-10,
                    "n[{g},{t}] {} vs {n}",
                    st.n[ix]
                );
                assert!(
                    (st.zs[ix] - zs).abs() < 1e-10,
                    "zs[{g},{t}] {} vs {zs}",
                    st.zs[ix]
                );
                assert!((st.y[ix] - y).abs() < 1e-10);
            }
        }
    }
}

#[test]
fn huge_rates_fall_back_to_the_cell_path() {
    // A rate of e^9 ≈ 8,100 a year: zero terms beyond the span limit.
    let p = panel(20, 6, false);
    let s = spec(Family::Poisson, &[0, 0], None);
    let at = params(&[&[9.0], &[-1.0]], None, &[0.5, 0.5]);
    let ws = workspace(&p, &s);
    let tb = Tables::new(&ws, &at);
    assert!(tb.p0_cum.is_none());
    assert!(estep(&ws, &at).ll.is_finite());
}

#[test]
fn louis_hessian_equals_finite_differences_of_the_score() {
    let beta: &[&[f64]] = &[&[-0.5, 0.3, -0.4], &[0.4, -0.2], &[-1.5]];
    let pi = [0.5, 0.3, 0.2];
    let cases = [
        (
            spec(Family::Poisson, &[2, 1, 0], None),
            params(beta, None, &pi),
        ),
        (
            spec(Family::Zip, &[2, 1, 0], Some(&[1, 0, 0])),
            params(beta, Some(&[&[-1.0, 0.4], &[-0.5], &[-2.0]]), &pi),
        ),
    ];
    for with_exposure in [false, true] {
        let p = panel(80, 8, with_exposure);
        for (s, at) in &cases {
            assert_louis_equals_differences(&p, s, at);
        }
    }
}

/// Louis' Hessian at `at` equals the finite-difference Hessian of the
/// score to 1e-6 of its largest entry.
pub(super) fn assert_louis_equals_differences(
    p: &crate::data::Panel,
    s: &crate::model::ModelSpec,
    at: &crate::model::Params,
) {
    use super::louis;
    use super::polish::finite_difference_hessian;
    let ws = workspace(p, s);
    assert!(louis::applies(&ws, at));
    let a = louis::hessian(&ws, at);
    let b = finite_difference_hessian(&ws, at);
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (j, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-6 * scale,
            "{:?} exposure {}, entry {j}: Louis {x}, differences {y}",
            s.family(),
            p.exposure().is_some()
        );
    }
}
