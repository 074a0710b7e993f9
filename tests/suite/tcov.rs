//! Time-varying covariates in the log rate (traj's `tcov`): an independent
//! fit of the same model (R flexmix) on trajeR's ZIP2gr, recovery of a
//! simulated effect within 2 SE, the ZIP fixture, and the command line.

use gbtm::{Gbtm, Panel};
use ndarray::Array2;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::cli::{fails, gbtm, ok, temp};
use super::fixtures::{TrajeR, poisson};

const ZIP2GR: &str = "../shared/data/trajeR/ZIP2gr.csv";

/// trajeR's ZIP2gr: counts Y1..Y5 at times 1..5 and the time-varying
/// covariate W1..W5, as a panel with covariate `W`.
fn zip2gr() -> Panel {
    let f = TrajeR::read(ZIP2GR);
    // The fixture's times are 1..5 for everybody.
    let times = f.block("T");
    assert!(times.indexed_iter().all(|((_, t), v)| *v == t as f64 + 1.0));
    Panel::from_arrays_with_ids(f.block("Y").view(), &[1, 2, 3, 4, 5], None, f.ids(), ZIP2GR)
        .unwrap()
        .with_tcov("W", f.block("W").view())
        .unwrap()
}

/// The maximum of R flexmix 2.3.18 for `Y ~ s + s2 + W | Id`, k = 2,
/// `FLXMRglm(family = "poisson")`, persons as units, 100 starts (all 100
/// at this maximum), ln y! included; script in docs/inference.md.
const FLEXMIX_POISSON_W: f64 = -680.043_370_246_0;
/// Its coefficients of W in the two components.
const FLEXMIX_W: [f64; 2] = [0.071_221_824_099_9, -0.184_653_028_594];

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn zip2gr_poisson_with_w_matches_an_independent_fit() {
    let panel = zip2gr();
    let fit = Gbtm::poisson(2).order(2).fit(&panel).unwrap();
    assert!(
        (fit.log_likelihood() - FLEXMIX_POISSON_W).abs() < 1e-6,
        "LL {} against flexmix {FLEXMIX_POISSON_W}",
        fit.log_likelihood()
    );
    let mut theta: Vec<f64> = fit
        .model()
        .params()
        .tcov
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t[0])
        .collect();
    theta.sort_by(f64::total_cmp);
    let mut want = FLEXMIX_W;
    want.sort_by(f64::total_cmp);
    for (a, b) in theta.iter().zip(want) {
        assert!((a - b).abs() < 1e-4, "θ {theta:?} against flexmix {want:?}");
    }
    // Two more parameters than without W, and a likelihood at least as high.
    let without = Gbtm::poisson(2)
        .order(2)
        .fit(&panel.without_tcov())
        .unwrap();
    assert_eq!(fit.summary().parameters, without.summary().parameters + 2);
    assert!(fit.log_likelihood() > without.log_likelihood());
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn zip2gr_zip_with_w_fits() {
    // trajeR's vignette model: ZIP, quadratic rates, linear zero inflation.
    let panel = zip2gr();
    let fit = Gbtm::zip(2)
        .order(2)
        .iorder(1)
        .fit(&panel)
        .expect("the ZIP model with W fits");
    let s = fit.summary();
    assert!(s.converged, "{:?}", s.termination);
    assert!(s.hessian_negative_definite);
    assert_eq!(s.time_varying_covariates, ["W"]);
    for g in &s.groups {
        let th = g.tcov_coefficients.as_ref().unwrap();
        assert!(th[0].is_finite() && th[0].abs() < 5.0, "{th:?}");
    }
    let without = Gbtm::zip(2)
        .order(2)
        .iorder(1)
        .fit(&panel.without_tcov())
        .unwrap();
    assert!(fit.log_likelihood() >= without.log_likelihood() - 1e-6);
    assert!(fit.summary().max_score < 1e-6);
}

/// Two groups (a low and a high curve over ages 12–25); `employed` is 1
/// in a person-year with a probability rising with age, and lowers the
/// log rate by 0.5 in both groups.
fn employment_cohort(n: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ages: Vec<i64> = (12..=25).collect();
    let mut y = Array2::zeros((n, ages.len()));
    let mut emp = Array2::zeros((n, ages.len()));
    for i in 0..n {
        let high = rng.random::<f64>() < 0.35;
        for (t, &age) in ages.iter().enumerate() {
            let s = (age as f64 - 18.5) / 6.5;
            let e = f64::from(u8::from(rng.random::<f64>() < 0.1 + 0.05 * t as f64));
            let base = if high {
                0.6 + 0.2 * s - 0.8 * s * s
            } else {
                -1.5 - 0.4 * s
            };
            let lambda = (base - 0.5 * e).exp();
            y[[i, t]] = poisson(&mut rng, lambda);
            emp[[i, t]] = e;
        }
    }
    (y, emp)
}

#[test]
fn a_simulated_effect_is_recovered_within_two_standard_errors() {
    let (y, emp) = employment_cohort(1500, 9);
    let ages: Vec<i64> = (12..=25).collect();
    let panel = Panel::from_arrays(y.view(), &ages, None)
        .unwrap()
        .with_tcov("employed", emp.view())
        .unwrap();
    let fit = Gbtm::poisson(2).order(2).starts(4).fit(&panel).unwrap();
    let s = fit.summary();
    for (k, g) in s.groups.iter().enumerate() {
        let th = g.tcov_coefficients.as_ref().unwrap()[0];
        let se = g.tcov_coefficient_se.as_ref().expect("standard errors")[0];
        assert!(se > 0.0 && se < 0.2, "group {}: SE {se}", k + 1);
        assert!(
            (th + 0.5).abs() < 2.0 * se,
            "group {}: θ = {th} ± {se}, truth −0.5",
            k + 1
        );
    }
    // The covariate earns its parameters.
    let without = Gbtm::poisson(2)
        .order(2)
        .starts(4)
        .fit(&panel.without_tcov())
        .unwrap();
    assert!(s.bic > without.summary().bic);
    // A Wald test of "no effect in either group" rejects.
    let w = fit
        .model()
        .wald_test("g1.tcov.employed = 0, g2.tcov.employed = 0")
        .unwrap();
    assert!(w.p_value < 1e-6, "{w:?}");
}

/// The cohort as the CLI reads it: counts (wide), the covariate long and
/// wide.
fn write_cohort(dir: &std::path::Path) {
    let (y, emp) = employment_cohort(400, 3);
    let ages: Vec<i64> = (12..=25).collect();
    let head: Vec<String> = ages.iter().map(i64::to_string).collect();
    let mut counts = format!("id,{}\n", head.join(","));
    let mut wide = counts.clone();
    let mut long = String::from("id,age,name,value\n");
    for i in 0..y.nrows() {
        let row = |a: &Array2<f64>| {
            (0..ages.len())
                .map(|t| a[[i, t]].to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        counts += &format!("p{i},{}\n", row(&y));
        wide += &format!("p{i},{}\n", row(&emp));
        for (t, age) in ages.iter().enumerate() {
            long += &format!("p{i},{age},employed,{}\n", emp[[i, t]]);
        }
    }
    std::fs::write(dir.join("counts.csv"), counts).unwrap();
    std::fs::write(dir.join("emp_wide.csv"), wide).unwrap();
    std::fs::write(dir.join("tcov_long.csv"), long).unwrap();
}

#[test]
fn cli_fits_with_time_varying_covariates_and_refuses_what_it_cannot_do() {
    let dir = temp("tcov-cli");
    std::fs::create_dir_all(&dir).unwrap();
    write_cohort(&dir);
    let p = |f: &str| dir.join(f).display().to_string();
    let (counts, long, wide, model) = (
        p("counts.csv"),
        p("tcov_long.csv"),
        p("emp_wide.csv"),
        p("m.json"),
    );
    let base = [
        "fit", "--data", &counts, "--groups", "2", "--order", "2", "--starts", "2",
    ];
    let json_long = ok(&gbtm(
        &[
            &base[..],
            &["--tcov", &long, "--tcov-vars", "employed", "--json"],
        ]
        .concat(),
    ));
    let wide_arg = format!("employed={wide}");
    let json_wide = ok(&gbtm(
        &[
            &base[..],
            &["--tcov", &wide_arg, "--json", "--save", &model],
        ]
        .concat(),
    ));
    let ll = |j: &str| {
        let v: serde_json::Value = serde_json::from_str(j).unwrap();
        v["log_likelihood"].as_f64().unwrap()
    };
    assert_eq!(ll(&json_long), ll(&json_wide), "long and wide files agree");
    let v: serde_json::Value = serde_json::from_str(&json_long).unwrap();
    assert_eq!(v["time_varying_covariates"][0], "employed");
    assert_eq!(
        v["groups"][0]["tcov_coefficient_se"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The readable report has the coefficients in its table.
    let text = ok(&gbtm(&[&base[..], &["--tcov", &wide_arg]].concat()));
    assert!(text.contains("tcov.employed"), "{text}");
    // A Wald test on the covariate.
    let test = ok(&gbtm(&[
        "test",
        "--model",
        &model,
        "g1.tcov.employed = g2.tcov.employed",
    ]));
    assert!(test.contains("chi-squared"), "{test}");
    // Classifying needs the covariates, and says which.
    let (code, err) = fails(&["classify", "--model", &model, "--data", &counts]);
    assert_eq!(code, 1);
    assert!(err.contains("employed") && err.contains("--tcov"), "{err}");
    ok(&gbtm(&[
        "classify", "--model", &model, "--data", &counts, "--tcov", &wide_arg,
    ]));
    // Forecasts would need the covariates' future values.
    let (code, err) = fails(&[
        "classify",
        "--model",
        &model,
        "--data",
        &counts,
        "--tcov",
        &wide_arg,
        "--forecast",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("time-varying"), "{err}");
    // Two long files are a usage error (each would be asked for every
    // --tcov-vars name).
    let (code, err) = fails(
        &[
            &base[..],
            &["--tcov", &long, "--tcov", &long, "--tcov-vars", "employed"],
        ]
        .concat(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most one long"), "{err}");
    // A long file without --tcov-vars is a usage error.
    let (code, err) = fails(&[&base[..], &["--tcov", &long]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--tcov-vars"), "{err}");
}

#[test]
fn an_uncentred_covariate_fits_like_its_centred_copy() {
    // A calendar year (1978–2013) in the log rate: at covariates 0 the
    // rate is exp(−30) or so, which must not be judged a vanished group.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let ages: Vec<i64> = (12..=25).collect();
    let n = 600;
    let mut y = Array2::zeros((n, ages.len()));
    let mut year = Array2::zeros((n, ages.len()));
    for i in 0..n {
        let high = rng.random::<f64>() < 0.4;
        let born = 1966.0 + (i % 23) as f64;
        for (t, &age) in ages.iter().enumerate() {
            let cal = born + age as f64;
            let s = (age as f64 - 18.5) / 6.5;
            let base = if high { 0.3 - 0.6 * s * s } else { -1.8 };
            let lambda = (base + 0.015 * (cal - 2000.0)).exp();
            y[[i, t]] = poisson(&mut rng, lambda);
            year[[i, t]] = cal;
        }
    }
    let panel = Panel::from_arrays(y.view(), &ages, None).unwrap();
    let raw = panel.with_tcov("year", year.view()).unwrap();
    let centred = panel
        .with_tcov("year", year.mapv(|v| v - 2000.0).view())
        .unwrap();
    let fit = |p: &Panel| Gbtm::poisson(2).order(2).starts(3).fit(p).unwrap();
    let (a, b) = (fit(&raw), fit(&centred));
    assert!(
        (a.log_likelihood() - b.log_likelihood()).abs() < 1e-6,
        "raw {} centred {}",
        a.log_likelihood(),
        b.log_likelihood()
    );
    let th = |f: &gbtm::Fit| f.model().params().tcov.clone().unwrap();
    for (x, z) in th(&a).iter().zip(th(&b)) {
        assert!((x[0] - z[0]).abs() < 1e-4, "{:?} {:?}", th(&a), th(&b));
    }
}

#[test]
fn one_and_four_threads_give_identical_json_with_covariates() {
    // Three E-step chunks of persons, so the order of the row weights and
    // of the reductions matters.
    let (y, emp) = employment_cohort(600, 21);
    let ages: Vec<i64> = (12..=25).collect();
    let panel = Panel::from_arrays(y.view(), &ages, None)
        .unwrap()
        .with_tcov("employed", emp.view())
        .unwrap();
    let json = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let fit = Gbtm::zip(2).order(2).starts(2).seed(3).fit(&panel).unwrap();
                serde_json::to_string(&fit.summary()).unwrap()
            })
    };
    let one = json(1);
    assert!(one.contains("tcov_coefficients"));
    assert_eq!(one, json(4));
}
