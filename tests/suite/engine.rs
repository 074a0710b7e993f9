//! Acceptance tests of the core engine: exact log-likelihoods on real data,
//! an EM-free recomputation of a fitted model's log-likelihood, recovery of
//! known groups, and bit-identical results for any number of threads.

use super::cli::{gbtm, ok};
use gbtm::diagnostics::assign;
use gbtm::synth::{self, Cohort};
use gbtm::{Fit, FitSummary, Gbtm, Panel, ReadOptions};
use statrs::function::gamma::ln_gamma;

const TO1ADJ: &str = "../shared/data/crimCV/TO1adj.csv";

/// TO1adj at ages 12-35. The tests that use it are compiled as ignored
/// where ../shared/data is absent (see build.rs).
fn to1adj() -> Panel {
    let opts = ReadOptions::default().window(12, 35);
    Panel::from_csv_path(TO1ADJ, &opts).expect("TO1adj reads")
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn one_group_poisson_on_to1adj_matches_the_exact_maxima() {
    let panel = to1adj();
    assert_eq!((panel.n_persons(), panel.n_observations()), (378, 9072));
    let reference = [-20197.804801, -19735.201963, -18329.708536, -17977.945640];
    for (order, want) in reference.iter().enumerate() {
        let fit = Gbtm::poisson(1).order(order).fit(&panel).unwrap();
        let got = fit.log_likelihood();
        assert!((got - want).abs() < 1e-4, "order {order}: {got} vs {want}");
        assert!(fit.converged() && fit.info().hessian_negative_definite);
    }
}

/// ln Σ_k π_k Π_t f_k(y_it), computed from the reported figures only.
fn loglik_from_summary(s: &FitSummary, panel: &Panel) -> f64 {
    let y = panel.counts();
    let o = panel.observed();
    let e = panel.exposure();
    let ages = panel.ages();
    let mut total = 0.0;
    for i in 0..panel.n_persons() {
        let terms: Vec<f64> = s
            .groups
            .iter()
            .map(|g| {
                let mut l = g.proportion.ln();
                for (t, age) in ages.iter().enumerate() {
                    if !o[[i, t]] {
                        continue;
                    }
                    let col = s.ages.iter().position(|a| a == age).unwrap();
                    let mu = g.rate[col] * e.map_or(1.0, |e| e[[i, t]]);
                    let w = g.zero_inflation.as_ref().map_or(0.0, |z| z[col]);
                    let yy = y[[i, t]];
                    if let Some(a) = g.dispersion {
                        // NB2 by the gamma function, independently of
                        // the engine's tables.
                        let r = 1.0 / a;
                        l += ln_gamma(yy + r) - ln_gamma(r) - ln_gamma(yy + 1.0)
                            + r * (r / (r + mu)).ln()
                            + yy * (mu / (r + mu)).ln();
                        continue;
                    }
                    let pois = yy * mu.ln() - mu - ln_gamma(yy + 1.0);
                    l += if yy == 0.0 {
                        (w + (1.0 - w) * (-mu).exp()).ln()
                    } else {
                        (1.0 - w).ln() + pois
                    };
                }
                l
            })
            .collect();
        let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        total += m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln();
    }
    total
}

/// The reported figures give back the reported log-likelihood.
pub fn assert_reported_loglik(fit: &Fit, panel: &Panel) {
    let s = fit.summary();
    let direct = loglik_from_summary(&s, panel);
    let rel = ((direct - s.log_likelihood) / s.log_likelihood).abs();
    assert!(
        rel < 1e-8,
        "direct {direct} vs reported {} (rel {rel:e})",
        s.log_likelihood
    );
}

#[test]
fn reported_figures_reproduce_the_log_likelihood_zip() {
    let cohort = synth::three_groups_zip(800, 11);
    let fit = Gbtm::zip(3).starts(3).seed(2).fit(&cohort.panel).unwrap();
    assert_reported_loglik(&fit, &cohort.panel);
}

#[test]
fn reported_figures_reproduce_the_log_likelihood_with_exposure() {
    let cohort = synth::three_groups_exposure(800, 12);
    let fit = Gbtm::poisson(3)
        .starts(3)
        .seed(2)
        .fit(&cohort.panel)
        .unwrap();
    assert_reported_loglik(&fit, &cohort.panel);
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn reported_figures_reproduce_the_log_likelihood_on_to1adj() {
    let panel = to1adj();
    let fit = Gbtm::zip(3).starts(3).fit(&panel).unwrap();
    assert_reported_loglik(&fit, &panel);
}

/// The fitted group matching each true group (by closest log-rate curve).
fn match_groups(s: &FitSummary, truth: &ndarray::Array2<f64>) -> Vec<usize> {
    let k = s.groups.len();
    let perms: Vec<Vec<usize>> = permutations(k);
    let cost = |p: &Vec<usize>| -> f64 {
        (0..k)
            .map(|g| {
                s.groups[p[g]]
                    .rate
                    .iter()
                    .zip(truth.row(g))
                    .map(|(a, b)| (a.ln() - b.ln()).powi(2))
                    .sum::<f64>()
            })
            .sum()
    };
    perms
        .into_iter()
        .min_by(|a, b| cost(a).total_cmp(&cost(b)))
        .unwrap()
}

/// All permutations of 0..k.
pub fn permutations(k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for p in permutations(k - 1) {
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, k - 1);
            out.push(q);
        }
    }
    out
}

fn check_recovery(cohort: &Cohort, fit: &Fit) {
    let s = fit.summary();
    assert!(s.converged, "fit did not converge");
    let truth = cohort.true_rates().expect("a generating model");
    let params = cohort.model.as_ref().expect("a generating model").params();
    let map = match_groups(&s, &truth);
    for (g, &f) in map.iter().enumerate() {
        let pi_true = params.pi[g];
        let got = &s.groups[f];
        assert!(
            (got.proportion - pi_true).abs() < 0.03,
            "group {g}: share {} vs true {pi_true}",
            got.proportion
        );
        for (t, (a, b)) in got.rate.iter().zip(truth.row(g)).enumerate() {
            assert!(
                (a / b - 1.0).abs() < 0.10,
                "group {g}, age {}: rate {a} vs true {b}",
                s.ages[t]
            );
        }
        if let (Some(a), Some(a_true)) = (got.dispersion, params.alpha_of(g)) {
            assert!(
                (a / a_true - 1.0).abs() < 0.20,
                "group {g}: α {a} vs true {a_true}"
            );
        }
        if let (Some(z), Some(gm)) = (&got.zero_inflation, &params.gamma) {
            let w_true = 1.0 / (1.0 + (-gm[g][0]).exp());
            assert!(
                (z[0] - w_true).abs() < 0.05,
                "group {g}: ω {} vs {w_true}",
                z[0]
            );
        }
    }
    // AvePP and OCC exactly as defined, from the posteriors.
    let post = fit.posteriors();
    let groups = assign(post);
    for (k, gs) in s.groups.iter().enumerate() {
        let members: Vec<usize> = (0..groups.len()).filter(|&i| groups[i] == k).collect();
        let avepp = members.iter().map(|&i| post[[i, k]]).sum::<f64>() / members.len() as f64;
        let pi = gs.proportion;
        let occ = (avepp / (1.0 - avepp)) / (pi / (1.0 - pi));
        assert!((gs.avepp - avepp).abs() < 1e-12);
        assert!((gs.occ / occ - 1.0).abs() < 1e-6, "OCC {} vs {occ}", gs.occ);
        assert!((gs.assigned_share - members.len() as f64 / groups.len() as f64).abs() < 1e-15);
    }
    // Assignment agrees with the truth for the vast majority.
    let agree = (0..groups.len())
        .filter(|&i| map[cohort.truth[i]] == groups[i])
        .count() as f64
        / groups.len() as f64;
    assert!(
        agree > 0.85,
        "only {agree} of persons assigned to their true group"
    );
}

#[test]
fn recovers_three_poisson_groups() {
    let cohort = synth::three_groups(4000, 21);
    let fit = Gbtm::poisson(3)
        .starts(3)
        .seed(5)
        .fit(&cohort.panel)
        .unwrap();
    check_recovery(&cohort, &fit);
}

#[test]
fn recovers_three_zip_groups() {
    let cohort = synth::three_groups_zip(4000, 22);
    let fit = Gbtm::zip(3).starts(3).seed(5).fit(&cohort.panel).unwrap();
    check_recovery(&cohort, &fit);
}

#[test]
fn recovers_three_negative_binomial_groups() {
    let cohort = synth::three_groups_nb(4000, 24);
    let fit = Gbtm::nb(3).starts(3).seed(5).fit(&cohort.panel).unwrap();
    check_recovery(&cohort, &fit);
    assert_reported_loglik(&fit, &cohort.panel);
}

#[test]
fn recovers_three_groups_with_exposure() {
    let cohort = synth::three_groups_exposure(4000, 23);
    assert!(cohort.panel.exposure().is_some());
    let fit = Gbtm::poisson(3)
        .starts(3)
        .seed(5)
        .fit(&cohort.panel)
        .unwrap();
    check_recovery(&cohort, &fit);
}

pub fn json_with_threads(threads: usize, panel: &Panel, model: &Gbtm) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| serde_json::to_string(&model.fit(panel).unwrap().summary()).unwrap())
}

#[test]
fn one_two_and_four_threads_give_identical_json() {
    // More than one E-step chunk of persons, so the reduction order matters.
    let cohort = synth::three_groups_zip(1500, 31);
    let model = Gbtm::zip(3).starts(4).seed(9);
    let one = json_with_threads(1, &cohort.panel, &model);
    assert_eq!(one, json_with_threads(2, &cohort.panel, &model));
    assert_eq!(one, json_with_threads(4, &cohort.panel, &model));
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn cli_json_is_identical_for_one_two_and_four_threads() {
    let run = |threads: &str| {
        ok(&gbtm(&[
            "--threads",
            threads,
            "fit",
            "--data",
            TO1ADJ,
            "--ages",
            "12:35",
            "--groups",
            "3",
            "--model",
            "zip",
            "--iorder",
            "0",
            "--starts",
            "3",
            "--json",
        ]))
    };
    let one = run("1");
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["groups"].as_array().unwrap().len(), 3);
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
}

#[test]
fn unobserved_years_are_not_zeros() {
    // The same person once with years 14-15 unobserved, once with them as 0:
    // the likelihoods must differ, and the unobserved version must equal a
    // panel that simply lacks those ages.
    let ages = [12, 13, 14, 15];
    let nan = f64::NAN;
    let a = ndarray::array![[2.0, 3.0, nan, nan], [1.0, 0.0, 1.0, 2.0]];
    let b = ndarray::array![[2.0, 3.0, 0.0, 0.0], [1.0, 0.0, 1.0, 2.0]];
    let pa = Panel::from_arrays(a.view(), &ages, None).unwrap();
    let pb = Panel::from_arrays(b.view(), &ages, None).unwrap();
    assert_eq!(pa.n_observations(), 6);
    let fa = Gbtm::poisson(1).order(0).fit(&pa).unwrap();
    let fb = Gbtm::poisson(1).order(0).fit(&pb).unwrap();
    // Constant rate: the MLE is total count / observed years.
    assert!((fa.model().rates()[[0, 0]] - 9.0 / 6.0).abs() < 1e-9);
    assert!((fb.model().rates()[[0, 0]] - 9.0 / 8.0).abs() < 1e-9);
}
