//! Negative-binomial trajectories: the exact one-group maximum on TO1adj
//! (R's `MASS::glm.nb`), shared dispersions, exposure, the Poisson limit,
//! the command line, and thread invariance.

use super::cli::{fails, gbtm, ok, temp};
use super::engine::{assert_reported_loglik, json_with_threads};
use gbtm::synth::{self, SimOptions};
use gbtm::{Boundary, Dispersion, Family, Gbtm, ModelSpec, Panel, ReadOptions};

const TO1ADJ: &str = "../shared/data/crimCV/TO1adj.csv";

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn one_group_nb_on_to1adj_matches_mass_glm_nb() {
    // R 4.2.2, MASS 7.3: glm.nb(y ~ poly(age, 3)) on the observed cells of
    // TO1adj at ages 12-35 gives logLik -11074.892121, theta 0.265730.
    let panel = Panel::from_csv_path(TO1ADJ, &ReadOptions::default().window(12, 35)).unwrap();
    let fit = Gbtm::nb(1).fit(&panel).unwrap();
    let ll = fit.log_likelihood();
    assert!((ll + 11074.892121).abs() < 1e-4, "LL {ll}");
    assert!(fit.converged() && fit.info().hessian_negative_definite);
    let alpha = fit.model().dispersion(0).unwrap();
    assert!(
        (1.0 / alpha - 0.265730).abs() < 1e-5,
        "θ = 1/α = {}",
        1.0 / alpha
    );
    // Five parameters: four coefficients and α.
    assert_eq!(fit.summary().parameters, 5);
}

#[test]
fn a_shared_dispersion_is_one_parameter_and_fits_no_better() {
    let cohort = synth::three_groups_nb(1500, 41);
    let own = Gbtm::nb(3).starts(3).seed(2).fit(&cohort.panel).unwrap();
    let shared = Gbtm::nb(3)
        .dispersion(Dispersion::Shared)
        .starts(3)
        .seed(2)
        .fit(&cohort.panel)
        .unwrap();
    assert_eq!(own.summary().parameters, shared.summary().parameters + 2);
    assert!(shared.log_likelihood() <= own.log_likelihood() + 1e-6);
    let a: Vec<f64> = (0..3)
        .map(|g| shared.model().dispersion(g).unwrap())
        .collect();
    assert!(a.iter().all(|&x| x == a[0]), "{a:?}");
    let names = shared.model().covariance().unwrap().names().to_vec();
    assert_eq!(names.iter().filter(|n| n.contains("ln_alpha")).count(), 1);
    assert!(names.contains(&"ln_alpha".to_string()));
    // The truth has α = 1.0, 0.5, 0.3: one α cannot fit as well, and the
    // Wald test of equal dispersions rejects.
    assert!(own.log_likelihood() > shared.log_likelihood() + 5.0);
    let w = own
        .model()
        .wald_test("g1.ln_alpha = g2.ln_alpha, g2.ln_alpha = g3.ln_alpha")
        .unwrap();
    assert_eq!(w.df, 2);
    assert!(w.p_value < 1e-3, "{w}");
    // With a shared dispersion there is nothing per group to test.
    let err = shared.model().wald_test("g1.ln_alpha = 0").unwrap_err();
    assert!(err.to_string().contains("share one dispersion"), "{err}");
    // A shared dispersion is refused for another family.
    assert!(
        Gbtm::poisson(2)
            .dispersion(Dispersion::Shared)
            .spec()
            .is_err()
    );
}

#[test]
fn nb_with_exposure_reproduces_its_log_likelihood() {
    let spec = ModelSpec::new(Family::Nb, vec![2, 2], None).unwrap();
    let params = gbtm::Params {
        beta: vec![vec![-1.5, 0.3, -0.4], vec![0.6, -0.2, -0.6]],
        gamma: None,
        pi: vec![0.6, 0.4],
        risk: None,
        tcov: None,
        alpha: Some(vec![1.5, 0.4]),
    };
    let opts = SimOptions {
        censored_share: 0.3,
        reduced_exposure_share: 0.4,
    };
    let cohort = synth::simulate(&spec, &params, &synth::default_ages(), 1500, 5, &opts).unwrap();
    assert!(cohort.panel.exposure().is_some());
    let fit = Gbtm::nb(2).order(2).starts(3).fit(&cohort.panel).unwrap();
    assert!(fit.converged() && fit.info().hessian_negative_definite);
    assert_reported_loglik(&fit, &cohort.panel);
    let mut a: Vec<f64> = (0..2).map(|g| fit.model().dispersion(g).unwrap()).collect();
    a.sort_by(f64::total_cmp);
    assert!(
        (a[0] / 0.4 - 1.0).abs() < 0.3 && (a[1] / 1.5 - 1.0).abs() < 0.3,
        "{a:?}"
    );
}

#[test]
fn poisson_counts_drive_the_dispersion_to_the_boundary() {
    let cohort = synth::three_groups(1000, 42);
    let pois = Gbtm::poisson(1).fit(&cohort.panel).unwrap();
    let nb = Gbtm::nb(1).fit(&cohort.panel).unwrap();
    // One group for three is overdispersed: α > 0 there.
    assert!(nb.model().dispersion(0).unwrap() > 0.1);
    assert!(nb.log_likelihood() > pois.log_likelihood());
    // Three Poisson groups fitted by three NB groups: every α is small (0
    // or a sampling wobble; the low group's rates leave it poorly
    // identified), and the LL is at least Poisson's and hardly better.
    let pois3 = Gbtm::poisson(3).starts(3).fit(&cohort.panel).unwrap();
    let nb3 = Gbtm::nb(3).starts(3).fit(&cohort.panel).unwrap();
    assert!(nb3.log_likelihood() >= pois3.log_likelihood() - 1e-6);
    assert!(nb3.log_likelihood() - pois3.log_likelihood() < 3.0);
    let info = nb3.info();
    for g in 0..3 {
        let a = nb3.model().dispersion(g).unwrap();
        let vanished = info
            .boundary
            .contains(&Boundary::DispersionVanished { group: Some(g + 1) });
        assert!(a < 0.2 || vanished, "group {}: α {a}", g + 1);
        assert!(a.is_finite() && a > 0.0);
    }
    // Every dispersion is reported as the number the likelihood used: at
    // least the floor 1e-8, never 0 or NaN.
    let v = serde_json::to_value(nb3.summary()).unwrap();
    for g in v["groups"].as_array().unwrap() {
        let a = g["dispersion"].as_f64().unwrap();
        assert!((1e-8 * (1.0 - 1e-12)..1.0).contains(&a), "{a}");
    }
}

#[test]
fn nb_results_do_not_depend_on_the_thread_count() {
    let cohort = synth::three_groups_nb(1200, 43);
    let model = Gbtm::nb(3).starts(3).seed(4);
    let one = json_with_threads(1, &cohort.panel, &model);
    assert_eq!(one, json_with_threads(4, &cohort.panel, &model));
}

#[test]
fn the_command_line_fits_saves_classifies_and_forecasts_nb() {
    let data = temp("nb-cohort.csv");
    let model = temp("nb-model.json");
    ok(&gbtm(&[
        "simulate",
        "--scenario",
        "three-groups-nb",
        "--persons",
        "600",
        "--out",
        data.to_str().unwrap(),
    ]));
    // A two-group NB fit of the cohort, with `extra` options.
    let fit = |extra: &[&str]| {
        let mut args = vec!["fit", "--data", data.to_str().unwrap()];
        args.extend(["--groups", "2", "--model", "nb", "--starts", "3"]);
        args.extend(extra);
        ok(&gbtm(&args))
    };
    let json = fit(&["--json", "--save", model.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["model"], "nb");
    for g in v["groups"].as_array().unwrap() {
        let a = g["dispersion"].as_f64().unwrap();
        let i = &g["dispersion_interval"];
        assert!(i["lower"].as_f64().unwrap() < a && a < i["upper"].as_f64().unwrap());
    }
    let text = fit(&["--dispersion", "shared"]);
    assert_eq!(text.matches("  alpha  ").count(), 2, "{text}");
    // Classified to age 20 and forecast to 35, as JSON and as CSV.
    let forecast = |extra: &[&str]| {
        let mut args = vec!["classify", "--model", model.to_str().unwrap()];
        args.extend([
            "--data",
            data.to_str().unwrap(),
            "--ages",
            "12:20",
            "--forecast",
        ]);
        args.extend(extra);
        ok(&gbtm(&args))
    };
    let json = forecast(&["--json"]);
    let f: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(f.to_string().contains("\"future\""), "{json:.300}");
    // Nothing to impute before 12: an expected 0, never "-0".
    assert!(!json.contains("-0.0"), "{json:.300}");
    let csv = forecast(&[]);
    assert!(!csv.contains(",-0.0000,"), "{csv:.300}");
    // --dispersion belongs to the negative binomial.
    let (code, err) = fails(&[
        "fit",
        "--data",
        data.to_str().unwrap(),
        "--groups",
        "2",
        "--dispersion",
        "shared",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--dispersion needs --model nb"), "{err}");
}

#[test]
fn nb_with_time_varying_covariates_is_refused_not_miscomputed() {
    let cohort = synth::three_groups(200, 44);
    let p = &cohort.panel;
    let z = ndarray::Array2::from_shape_fn((p.n_persons(), p.ages().len()), |(i, t)| {
        ((i + t) % 2) as f64
    });
    let panel = p.with_tcov("employed", z.view()).unwrap();
    let err = Gbtm::nb(2).fit(&panel).unwrap_err();
    assert!(err.to_string().contains("tcov"), "{err}");
    assert!(Gbtm::poisson(2).starts(2).fit(&panel).is_ok());
}
