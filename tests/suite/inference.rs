//! Standard errors, intervals, bands and Wald tests, each against an
//! independent computation: second differences of the marginal
//! log-likelihood, the Poisson GLM's exact delta-method band, and the
//! normal distribution of a single coefficient.

use gbtm::model::covariance::parameter_names;
use gbtm::{Fit, Gbtm, Panel, Params, ReadOptions, TrajectoryModel, synth};

use super::cli::{gbtm, ok, temp};

const TO1ADJ: &str = "../shared/data/crimCV/TO1adj.csv";

fn to1adj() -> Panel {
    Panel::from_csv_path(TO1ADJ, &ReadOptions::default().window(12, 35)).expect("TO1adj reads")
}

/// The parameters as one vector (β, γ, ln(π_k/π_1)), and back.
fn flatten(p: &Params) -> Vec<f64> {
    let mut v: Vec<f64> = p.beta.iter().flatten().copied().collect();
    v.extend(p.gamma.iter().flatten().flatten());
    v.extend(p.pi[1..].iter().map(|x| (x / p.pi[0]).ln()));
    v
}

fn unflatten(v: &[f64], like: &Params) -> Params {
    let mut it = v.iter().copied();
    let mut take = |m: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        m.iter()
            .map(|r| r.iter().map(|_| it.next().unwrap()).collect())
            .collect()
    };
    let beta = take(&like.beta);
    let gamma = like.gamma.as_ref().map(&mut take);
    let w: Vec<f64> = std::iter::once(0.0).chain(it).map(f64::exp).collect();
    let s: f64 = w.iter().sum();
    Params {
        beta,
        gamma,
        pi: w.iter().map(|x| x / s).collect(),
        risk: None,
        tcov: None,
        alpha: None,
    }
}

/// The marginal log-likelihood of `panel` at `theta`, through the public API
/// (no EM code): a model built from the parameters, and its posteriors.
fn ll(m: &TrajectoryModel, panel: &Panel, theta: &[f64]) -> f64 {
    let p = unflatten(theta, m.params());
    let at = TrajectoryModel::new(
        m.spec().clone(),
        p,
        m.age_scale(),
        m.ages().to_vec(),
        m.uses_exposure(),
    )
    .unwrap();
    at.posteriors_for(panel).unwrap().1
}

/// The inverse of a symmetric positive definite matrix by Gauss–Jordan.
fn inverse(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..n).map(|j| f64::from(u8::from(i == j))));
            row
        })
        .collect();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))
            .unwrap();
        m.swap(c, p);
        let d = m[c][c];
        m[c].iter_mut().for_each(|x| *x /= d);
        for r in 0..n {
            if r != c {
                let f = m[r][c];
                let pivot = m[c].clone();
                m[r].iter_mut().zip(pivot).for_each(|(x, y)| *x -= f * y);
            }
        }
    }
    m.into_iter().map(|r| r[n..].to_vec()).collect()
}

/// SEs from the Hessian of the log-likelihood by second differences, next
/// to gbtm's SE of the same parameter.
fn check_against_second_differences(fit: &Fit, panel: &Panel) {
    let m = fit.model();
    let cov = m.covariance().expect("the fit has a covariance matrix");
    let theta = flatten(m.params());
    let names = parameter_names(m.spec());
    assert_eq!(
        cov.names(),
        names.as_slice(),
        "no parameter on the boundary here"
    );
    let p = theta.len();
    // Steps of 1e-3 balance the truncation error (h²) against rounding
    // (ε·|LL|/h² with |LL| ≈ 10⁴); at 1e-4 rounding alone is 1e-5 relative.
    let h: Vec<f64> = theta.iter().map(|t| 1e-3 * t.abs().max(1.0)).collect();
    let f = |d: &[(usize, f64)]| {
        let mut t = theta.clone();
        for &(j, s) in d {
            t[j] += s;
        }
        ll(m, panel, &t)
    };
    let mut info = vec![vec![0.0; p]; p];
    for i in 0..p {
        for j in 0..=i {
            let v = if i == j {
                let (a, b, c) = (f(&[(i, h[i])]), f(&[]), f(&[(i, -h[i])]));
                (a - 2.0 * b + c) / (h[i] * h[i])
            } else {
                (f(&[(i, h[i]), (j, h[j])])
                    - f(&[(i, h[i]), (j, -h[j])])
                    - f(&[(i, -h[i]), (j, h[j])])
                    + f(&[(i, -h[i]), (j, -h[j])]))
                    / (4.0 * h[i] * h[j])
            };
            info[i][j] = -v;
            info[j][i] = -v;
        }
    }
    let inv = inverse(&info);
    for (j, name) in names.iter().enumerate() {
        let fd = inv[j][j].sqrt();
        let se = cov.se(name).unwrap();
        assert!(
            (se / fd - 1.0).abs() < 1e-4,
            "{name}: SE {se} against {fd} by second differences"
        );
    }
    // The report carries the same SEs.
    let s = fit.summary();
    for (g, gr) in s.groups.iter().enumerate() {
        let se = gr.coefficient_se.as_ref().unwrap();
        for (j, v) in se.iter().enumerate() {
            let name = format!("g{}.{}", g + 1, gbtm::model::covariance::term_name(j));
            assert_eq!(Some(*v), cov.se(&name));
        }
    }
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn standard_errors_match_second_differences_poisson_to1adj() {
    let panel = to1adj();
    let fit = Gbtm::poisson(2).order(3).fit(&panel).unwrap();
    check_against_second_differences(&fit, &panel);
}

#[test]
fn standard_errors_match_second_differences_zip() {
    let cohort = synth::three_groups_zip(800, 11);
    let fit = Gbtm::zip(3)
        .order(3)
        .iorder(0)
        .starts(3)
        .fit(&cohort.panel)
        .unwrap();
    assert!(fit.info().boundary.is_empty(), "{:?}", fit.info().boundary);
    check_against_second_differences(&fit, &cohort.panel);
}

/// For one Poisson group the mixture is a Poisson GLM with a log link, and
/// the observed information is X'diag(n_t·μ_t)X at the pooled ages; the
/// band is exp(η ± z·√(x'I⁻¹x)). Computed here by IRLS, independently.
#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn one_group_band_is_the_exact_poisson_glm_band() {
    let panel = to1adj();
    let fit = Gbtm::poisson(1).order(3).fit(&panel).unwrap();
    let ages = panel.ages();
    let (c, w) = (23.5, 11.5);
    let x: Vec<Vec<f64>> = ages
        .iter()
        .map(|&a| {
            let s = (a as f64 - c) / w;
            vec![1.0, s, s * s, s * s * s]
        })
        .collect();
    let (t, k) = (ages.len(), 4);
    let (mut y, mut n) = (vec![0.0; t], vec![0.0; t]);
    for i in 0..panel.n_persons() {
        for j in 0..t {
            if panel.observed()[[i, j]] {
                y[j] += panel.counts()[[i, j]];
                n[j] += 1.0;
            }
        }
    }
    let mut beta = [
        (y.iter().sum::<f64>() / n.iter().sum::<f64>()).ln(),
        0.0,
        0.0,
        0.0,
    ];
    let mut info = vec![vec![0.0; k]; k];
    for _ in 0..50 {
        let mu: Vec<f64> = (0..t)
            .map(|j| n[j] * (0..k).map(|m| x[j][m] * beta[m]).sum::<f64>().exp())
            .collect();
        let grad: Vec<f64> = (0..k)
            .map(|m| (0..t).map(|j| x[j][m] * (y[j] - mu[j])).sum())
            .collect();
        info = (0..k)
            .map(|a| {
                (0..k)
                    .map(|b| (0..t).map(|j| x[j][a] * x[j][b] * mu[j]).sum())
                    .collect()
            })
            .collect();
        let inv = inverse(&info);
        for a in 0..k {
            beta[a] += (0..k).map(|b| inv[a][b] * grad[b]).sum::<f64>();
        }
    }
    let inv = inverse(&info);
    let z = 1.959963984540054;
    let s = fit.summary();
    let g = &s.groups[0];
    let (lo, hi) = (
        g.rate_lower.as_ref().unwrap(),
        g.rate_upper.as_ref().unwrap(),
    );
    for j in 0..t {
        let eta: f64 = (0..k).map(|m| x[j][m] * beta[m]).sum();
        let var: f64 = (0..k)
            .flat_map(|a| (0..k).map(move |b| (a, b)))
            .map(|(a, b)| x[j][a] * inv[a][b] * x[j][b])
            .sum();
        let (l, u) = ((eta - z * var.sqrt()).exp(), (eta + z * var.sqrt()).exp());
        assert!(
            (lo[j] / l - 1.0).abs() < 1e-3,
            "age {}: {} vs {l}",
            ages[j],
            lo[j]
        );
        assert!(
            (hi[j] / u - 1.0).abs() < 1e-3,
            "age {}: {} vs {u}",
            ages[j],
            hi[j]
        );
        assert!((g.rate[j] / eta.exp() - 1.0).abs() < 1e-6);
    }
    // One group: π = 1 exactly, with no uncertainty.
    assert_eq!(
        (g.proportion_se, g.proportion_lower),
        (Some(0.0), Some(1.0))
    );
}

#[test]
fn one_constraint_wald_test_is_the_squared_z() {
    let cohort = synth::three_groups(600, 4);
    let fit = Gbtm::poisson(3)
        .order(2)
        .starts(3)
        .fit(&cohort.panel)
        .unwrap();
    let m = fit.model();
    let cov = m.covariance().unwrap();
    let (b, se) = (m.params().beta[1][1], cov.se("g2.age").unwrap());
    let t = m.wald_test("g2.age = 0").unwrap();
    assert_eq!(t.df, 1);
    assert!((t.statistic / (b / se).powi(2) - 1.0).abs() < 1e-10);
    assert!((t.p_value - gbtm::report::p_value(b / se)).abs() < 1e-9);
    // A difference: Var(a − b) = Var a + Var b − 2 Cov(a, b).
    let d = m.params().beta[0][1] - m.params().beta[1][1];
    let v = cov.get("g1.age", "g1.age").unwrap() + cov.get("g2.age", "g2.age").unwrap()
        - 2.0 * cov.get("g1.age", "g2.age").unwrap();
    let t = m.wald_test("g1.age - g2.age = 0").unwrap();
    assert!((t.statistic - d * d / v).abs() < 1e-9 * t.statistic);
    assert_eq!(
        m.wald_test("g1.age = g2.age").unwrap().statistic,
        t.statistic
    );
    // Whole curves and all age terms.
    assert_eq!(m.wald_test("g1 = g3").unwrap().df, 3);
    // A single parameter is not spread over a group's terms, and groups of
    // other orders are not compared term by term.
    assert!(m.wald_test("g1.intercept = g2").is_err());
    let mixed = Gbtm::poisson(2)
        .orders(vec![1, 2])
        .starts(2)
        .fit(&cohort.panel)
        .unwrap();
    assert!(mixed.model().wald_test("g1 = g2").is_err());
    assert!(mixed.model().wald_test("g1.ages = g2.ages").is_err());
    assert_eq!(mixed.model().wald_test("g1.age = g2.age").unwrap().df, 1);
    assert_eq!(m.wald_test("g2.ages = 0").unwrap().df, 2);
    // Clear refusals.
    for bad in [
        "g4.age = 0",
        "g1.age3 = 0",
        "g1.logit = 0",
        "g1.age",
        "g1.zi = 0",
        "g1.age = g1.age",
    ] {
        let e = m.wald_test(bad).unwrap_err().to_string();
        assert!(e.contains("hypothesis"), "{bad}: {e}");
    }
}

#[test]
fn covariance_is_saved_with_the_model_and_checked_on_load() {
    let cohort = synth::three_groups(400, 2);
    let fit = Gbtm::poisson(2)
        .order(1)
        .starts(2)
        .fit(&cohort.panel)
        .unwrap();
    let path = temp("inference-model.json");
    fit.model().save(&path).unwrap();
    let back = TrajectoryModel::load(&path).unwrap();
    assert_eq!(back.covariance(), fit.model().covariance());
    assert!(back.covariance().is_some());
    // A matrix naming a parameter the model lacks is refused.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("g2.age", "g3.age");
    assert!(TrajectoryModel::from_json(&text, "m.json").is_err());
    // The CLI: a Wald test on the saved model, and bands in the plot.
    let out = ok(&gbtm(&[
        "test",
        "--model",
        path.to_str().unwrap(),
        "g1.age = g2.age",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["df"], 1);
    assert!(v[0]["p_value"].as_f64().unwrap() < 0.05);
}
