//! Tests of the person-year path for time-varying covariates: its
//! log-likelihood against a direct computation, its score against finite
//! differences, EM's ascent, and agreement with the pooled path when the
//! covariates carry nothing.

use ndarray::Array2;

use super::estep::estep;
use super::estep_tests::assert_louis_equals_differences;
use super::mstep::mstep;
use super::run::{Control, run_em};
use super::tests::{check_score, panel, params, spec, unif, workspace};
use crate::data::Panel;
use crate::data::tcov::TimeCovariates;
use crate::model::{Family, Params};

/// `p` with covariates: a binary one (on in about 40% of person-years) and
/// a continuous one.
fn with_covariates(mut p: Panel) -> Panel {
    let (n, t) = p.counts.dim();
    let binary = Array2::from_shape_fn((n, t), |(i, s)| (unif(i, s, 7) < 0.4) as u8 as f64);
    let cont = Array2::from_shape_fn((n, t), |(i, s)| unif(i, s, 8) * 2.0 - 1.0);
    p.tcov = Some(TimeCovariates {
        names: vec!["employed".into(), "x".into()],
        values: vec![binary, cont],
    });
    p
}

/// Poisson and ZIP K = 2 with the covariates `employed` and `x`, at
/// parameters away from any optimum.
fn two_covariate_cases() -> [(crate::model::ModelSpec, Params); 2] {
    let beta: &[&[f64]] = &[&[-0.5, 0.3, -0.4], &[0.4, -0.2]];
    let theta: &[&[f64]] = &[&[-0.5, 0.2], &[0.3, -0.7]];
    let names = vec!["employed".to_string(), "x".to_string()];
    let with_names = |s: crate::model::ModelSpec| s.with_tcov(names.clone()).unwrap();
    [
        (
            with_names(spec(Family::Poisson, &[2, 1], None)),
            with_theta(params(beta, None, &[0.6, 0.4]), theta),
        ),
        (
            with_names(spec(Family::Zip, &[2, 1], Some(&[0, 1]))),
            with_theta(
                params(beta, Some(&[&[-1.0], &[-0.5, 0.3]]), &[0.6, 0.4]),
                theta,
            ),
        ),
    ]
}

fn with_theta(mut at: Params, theta: &[&[f64]]) -> Params {
    at.tcov = Some(theta.iter().map(|r| r.to_vec()).collect());
    at
}

#[test]
fn log_likelihood_equals_a_direct_computation() {
    let p = with_covariates(panel(40, 6, true));
    let s = spec(Family::Zip, &[2, 1], Some(&[0, 1]))
        .with_tcov(vec!["employed".into(), "x".into()])
        .unwrap();
    let at = with_theta(
        params(
            &[&[-0.5, 0.3, -0.4], &[0.4, -0.2]],
            Some(&[&[-1.0], &[-0.5, 0.3]]),
            &[0.6, 0.4],
        ),
        &[&[-0.5, 0.2], &[0.3, -0.7]],
    );
    let ws = workspace(&p, &s);
    let got = estep(&ws, &at).ll;
    // Directly: Σ_i ln Σ_k π_k Π_t ZIP(y_it; e_it·λ_ikt, ω_kt).
    let (x, z) = (&ws.x, &ws.z);
    let gamma = at.gamma.as_ref().unwrap();
    let theta = at.tcov.as_ref().unwrap();
    let e = p.exposure.as_ref().unwrap();
    let cov = &p.tcov.as_ref().unwrap().values;
    let mut want = 0.0;
    for i in 0..p.n_persons() {
        let mut like = 0.0;
        for k in 0..2 {
            let mut f = at.pi[k];
            for t in 0..p.ages.len() {
                if !p.observed[[i, t]] {
                    continue;
                }
                let eta: f64 = (0..at.beta[k].len())
                    .map(|j| x[k][[t, j]] * at.beta[k][j])
                    .sum::<f64>()
                    + theta[k][0] * cov[0][[i, t]]
                    + theta[k][1] * cov[1][[i, t]];
                let zeta: f64 = (0..gamma[k].len())
                    .map(|j| z[k][[t, j]] * gamma[k][j])
                    .sum();
                let omega = 1.0 / (1.0 + (-zeta).exp());
                let mu = e[[i, t]] * eta.exp();
                let y = p.counts[[i, t]];
                let pois = (y * mu.ln() - mu - statrs::function::gamma::ln_gamma(y + 1.0)).exp();
                f *= if y == 0.0 {
                    omega + (1.0 - omega) * pois
                } else {
                    (1.0 - omega) * pois
                };
            }
            like += f;
        }
        want += like.ln();
    }
    assert!(
        (got - want).abs() < 1e-9 * want.abs(),
        "E-step {got}, direct {want}"
    );
}

#[test]
fn score_with_time_varying_covariates_matches_finite_differences() {
    let cases = two_covariate_cases();
    for with_exposure in [false, true] {
        let p = with_covariates(panel(60, 8, with_exposure));
        for (s, at) in &cases {
            check_score(&p, s, at);
        }
    }
}

#[test]
fn em_ascends_and_recovers_a_covariate_effect() {
    // One group, ln λ = −0.2 + 0.3·age − 0.5·employed, simulated.
    let ages: Vec<i64> = (12..20).collect();
    let n = 400;
    let emp = Array2::from_shape_fn((n, ages.len()), |(i, t)| {
        (unif(i, t, 11) < 0.5) as u8 as f64
    });
    let y = Array2::from_shape_fn((n, ages.len()), |(i, t)| {
        let a = (t as f64 - 3.5) / 3.5;
        let lam = (-0.2 + 0.3 * a - 0.5 * emp[[i, t]]).exp();
        super::tests::poisson_quantile(lam, unif(i, t, 12))
    });
    let mut p = Panel::from_arrays(y.view(), &ages, None).unwrap();
    p.tcov = Some(TimeCovariates {
        names: vec!["employed".into()],
        values: vec![emp],
    });
    let s = spec(Family::Poisson, &[1], None)
        .with_tcov(vec!["employed".into()])
        .unwrap();
    let ws = workspace(&p, &s);
    let mut at = with_theta(params(&[&[-1.0, 0.0]], None, &[1.0]), &[&[0.0]]);
    let mut last = estep(&ws, &at).ll;
    for _ in 0..30 {
        let st = estep(&ws, &at);
        assert!(st.ll >= last - 1e-9, "EM lost: {} after {last}", st.ll);
        last = st.ll;
        mstep(&ws, &st, &mut at);
    }
    let ctl = Control {
        max_iter: 3000,
        ll_tol: 1e-12,
        score_tol: 1e-9,
        polish_below: None,
    };
    let run = run_em(&ws, at, &ctl);
    let th = run.params.tcov.as_ref().unwrap();
    // About 1600 person-years per level: SE(θ) ≈ 0.05.
    assert!((th[0][0] + 0.5).abs() < 0.15, "θ = {}", th[0][0]);
    assert!((run.params.beta[0][1] - 0.3).abs() < 0.15);
}

#[test]
fn covariates_of_zero_give_the_pooled_likelihood() {
    // All-zero covariates and θ = 0: the person-year path must agree with
    // the pooled one, E-step and M-step alike.
    let mut p = panel(50, 7, true);
    let dim = p.counts.dim();
    let pooled_panel = p.clone();
    p.tcov = Some(TimeCovariates {
        names: vec!["none".into()],
        values: vec![Array2::zeros(dim)],
    });
    let base = spec(Family::Zip, &[2, 1], Some(&[0, 0]));
    let s = base.clone().with_tcov(vec!["none".into()]).unwrap();
    let pooled = params(
        &[&[-0.5, 0.3, -0.4], &[0.4, -0.2]],
        Some(&[&[-1.0], &[-0.5]]),
        &[0.6, 0.4],
    );
    let rows = with_theta(pooled.clone(), &[&[0.0], &[0.0]]);
    let (wa, wb) = (workspace(&pooled_panel, &base), workspace(&p, &s));
    let (sa, sb) = (estep(&wa, &pooled), estep(&wb, &rows));
    assert!((sa.ll - sb.ll).abs() < 1e-10 * sa.ll.abs());
    let (mut pa, mut pb) = (pooled.clone(), rows.clone());
    mstep(&wa, &sa, &mut pa);
    mstep(&wb, &sb, &mut pb);
    for (a, b) in pa.beta.iter().flatten().zip(pb.beta.iter().flatten()) {
        assert!((a - b).abs() < 1e-7, "β pooled {a}, rows {b}");
    }
    assert!(pb.tcov.unwrap().iter().flatten().all(|t| t.abs() < 1e-6));
}

#[test]
fn louis_hessian_with_covariates_equals_finite_differences() {
    let cases = two_covariate_cases();
    for with_exposure in [false, true] {
        let p = with_covariates(panel(60, 8, with_exposure));
        for (s, at) in &cases {
            assert_louis_equals_differences(&p, s, at);
        }
    }
}
