//! Risk factors on group membership (traj's `risk()`): the log-likelihood
//! of an independent concomitant-variable fit (R flexmix), recovery of a
//! known odds ratio, the BIC gain, and clear errors for missing values.

use gbtm::{Gbtm, Panel, synth};
use ndarray::{Array2, Axis, concatenate};

use super::cli::{gbtm, ok, temp};
use super::fixtures::TrajeR;

const POIS2GR: &str = "../shared/data/trajeR/POIS2gr.csv";

/// trajeR's POIS2gr: counts Y1..Y5 at times 1..5, risk factor X1.
fn pois2gr() -> Panel {
    let f = TrajeR::read(POIS2GR);
    Panel::from_arrays_with_ids(
        f.block("Y").view(),
        &[1, 2, 3, 4, 5],
        None,
        f.ids(),
        POIS2GR,
    )
    .unwrap()
    .with_risk(vec!["X1".into()], f.column("X1").view())
    .unwrap()
}

/// The maximum of R flexmix 2.3.18 (`FLXMRglm(family = "poisson")`,
/// `FLXPmultinom(~X1)`, persons as units, 100 starts) refined by direct
/// maximisation, ln y! included; see docs/inference.md.
const FLEXMIX_WITH_X1: f64 = -485.593_220_379_8;
const FLEXMIX_WITHOUT: f64 = -488.130_639_616_2;

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn pois2gr_matches_an_independent_concomitant_fit() {
    let panel = pois2gr();
    let fit = Gbtm::poisson(2).order(2).fit(&panel).unwrap();
    assert!(
        (fit.log_likelihood() - FLEXMIX_WITH_X1).abs() < 1e-6,
        "LL {} against flexmix {FLEXMIX_WITH_X1}",
        fit.log_likelihood()
    );
    let rc = fit.model().risk_coefficients(0.95, 0).unwrap();
    let x1 = rc.iter().find(|c| c.term == "X1").unwrap();
    assert!((x1.estimate - -4.173_728_349_3).abs() < 1e-4, "{x1:?}");
    let c = rc.iter().find(|c| c.term == "constant").unwrap();
    assert!((c.estimate - 0.190_986_104_6).abs() < 1e-4, "{c:?}");
    let without = Gbtm::poisson(2)
        .order(2)
        .fit(&panel.without_risk())
        .unwrap();
    assert!((without.log_likelihood() - FLEXMIX_WITHOUT).abs() < 1e-6);
    // One more parameter: 3 + 3 + 1 + 1.
    assert_eq!(fit.summary().parameters, without.summary().parameters + 1);
}

/// Two groups; a binary risk factor triples the odds of group 2
/// (odds 1/3 without it, 1 with it).
fn odds_ratio_cohort(seed: u64) -> Panel {
    let base = synth::three_groups(1, 1).model.unwrap();
    let spec = gbtm::ModelSpec::new(gbtm::Family::Poisson, vec![3, 3], None).unwrap();
    let beta = vec![base.params().beta[0].clone(), base.params().beta[2].clone()];
    let draw = |pi2: f64, seed: u64| {
        let params = gbtm::Params {
            beta: beta.clone(),
            gamma: None,
            pi: vec![1.0 - pi2, pi2],
            risk: None,
            tcov: None,
            alpha: None,
        };
        let opts = synth::SimOptions::default();
        synth::simulate(&spec, &params, &synth::default_ages(), 1500, seed, &opts).unwrap()
    };
    let (a, b) = (draw(0.25, seed), draw(0.5, seed + 1000));
    let counts = concatenate![Axis(0), a.panel.counts(), b.panel.counts()];
    let observed = concatenate![Axis(0), a.panel.observed(), b.panel.observed()];
    let counts = Array2::from_shape_fn(counts.dim(), |(i, t)| {
        if observed[[i, t]] {
            counts[[i, t]]
        } else {
            f64::NAN
        }
    });
    let x = Array2::from_shape_fn((counts.nrows(), 1), |(i, _)| f64::from(u8::from(i >= 1500)));
    let ids = (0..counts.nrows()).map(|i| format!("p{i}")).collect();
    let panel =
        Panel::from_arrays_with_ids(counts.view(), &synth::default_ages(), None, ids, "sim")
            .unwrap();
    assert_eq!(panel.n_persons(), 3000, "every simulated person has a year");
    panel.with_risk(vec!["x".into()], x.view()).unwrap()
}

#[test]
fn a_tripled_odds_ratio_is_recovered_and_wins_on_bic() {
    let panel = odds_ratio_cohort(5);
    let fit = Gbtm::poisson(2).order(3).starts(4).fit(&panel).unwrap();
    let rc = fit.model().risk_coefficients(0.95, 0).unwrap();
    let x = rc.iter().find(|c| c.term == "x").unwrap();
    let (lo, hi) = (x.odds_ratio_lower.unwrap(), x.odds_ratio_upper.unwrap());
    assert!(
        lo < 3.0 && 3.0 < hi,
        "odds ratio {} [{lo}, {hi}]",
        x.odds_ratio
    );
    let without = Gbtm::poisson(2)
        .order(3)
        .starts(4)
        .fit(&panel.without_risk())
        .unwrap();
    assert!(fit.summary().bic > without.summary().bic);
    // Against group 2 as the reference, the odds ratio is inverted.
    let back = fit.model().risk_coefficients(0.95, 1).unwrap();
    let y = back.iter().find(|c| c.term == "x").unwrap();
    assert!((y.odds_ratio * x.odds_ratio - 1.0).abs() < 1e-12);
    assert!((y.se.unwrap() - x.se.unwrap()).abs() < 1e-12);
    // A factor far from 0 (a birth year, say) in other units gives the
    // same maximum and the same odds ratio per unit.
    let w = panel.risk().unwrap().mapv(|v| 1990.0 + 1000.0 * v);
    let shifted = panel.with_risk(vec!["x".into()], w.view()).unwrap();
    let fit2 = Gbtm::poisson(2).order(3).starts(4).fit(&shifted).unwrap();
    assert!((fit2.log_likelihood() - fit.log_likelihood()).abs() < 1e-6);
    let rc2 = fit2.model().risk_coefficients(0.95, 0).unwrap();
    let x2 = rc2.iter().find(|c| c.term == "x").unwrap();
    assert!(
        (x2.estimate * 1000.0 / x.estimate - 1.0).abs() < 1e-5,
        "{x2:?} {x:?}"
    );
    assert!(fit2.info().covariance_problem.is_none());
    // The shares reported are the mean priors over the persons.
    let shares: f64 = fit.info().shares.iter().sum();
    assert!((shares - 1.0).abs() < 1e-12);
}

#[test]
fn risk_factors_from_csv_and_on_the_command_line() {
    let (data, risk) = (temp("risk-data.csv"), temp("risk.csv"));
    let cohort = synth::three_groups(120, 3);
    std::fs::write(&data, cohort.panel.to_wide_csv()).unwrap();
    let ids = cohort.panel.ids();
    let mut text = String::from("id,male,other\n");
    for (i, id) in ids.iter().enumerate() {
        text.push_str(&format!("{id},{},{}\n", i % 2, i % 7));
    }
    std::fs::write(&risk, &text).unwrap();
    let (d, r) = (data.to_str().unwrap(), risk.to_str().unwrap());
    let model = temp("risk-model.json");
    let out = ok(&gbtm(&[
        "fit",
        "--data",
        d,
        "--groups",
        "2",
        "--order",
        "1",
        "--risk",
        r,
        "--risk-vars",
        "male",
        "--save",
        model.to_str().unwrap(),
    ]));
    assert!(out.contains("odds ratio"), "{out}");
    // Classifying needs the risk factors too, and names them.
    let (code, err) =
        super::cli::fails(&["classify", "--model", model.to_str().unwrap(), "--data", d]);
    assert_eq!(code, 1);
    assert!(err.contains("male"), "{err}");
    ok(&gbtm(&[
        "classify",
        "--model",
        model.to_str().unwrap(),
        "--data",
        d,
        "--risk",
        r,
        "--risk-vars",
        "male",
    ]));
    ok(&gbtm(&[
        "test",
        "--model",
        model.to_str().unwrap(),
        "g2.risk.male = 0",
    ]));
    // Selection counts the risk coefficients: (K − 1)·(1 + R) share parameters.
    #[rustfmt::skip]
    let out = ok(&gbtm(&[
        "select", "--data", d, "--groups", "1..2", "--order", "1", "--risk", r, "--risk-vars",
        "male,other", "--json", "--quiet",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let params: Vec<u64> = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["parameters"].as_u64().unwrap())
        .collect();
    assert_eq!(params, vec![2, 2 + 2 + 3]);
    // Bad risk-factor files fail with exit 1 and a message naming the place.
    let fit_with = |vars: &str| {
        super::cli::fails(&[
            "fit",
            "--data",
            d,
            "--groups",
            "2",
            "--risk",
            r,
            "--risk-vars",
            vars,
        ])
    };
    // A missing value names the id and the column.
    let missing = text.replacen(&format!("{},0,", ids[0]), &format!("{},NA,", ids[0]), 1);
    std::fs::write(&risk, missing).unwrap();
    let (code, err) = fit_with("male");
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{:?}", ids[0])) && err.contains("male"),
        "{err}"
    );
    // So does a person without a row, and an unknown column is named.
    std::fs::write(&risk, "id,male\nnobody,1\n").unwrap();
    let (code, err) = fit_with("male");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("{:?}", ids[0])), "{err}");
    let (code, err) = fit_with("age");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("age"), "{err}");
}
