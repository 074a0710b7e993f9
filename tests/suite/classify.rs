//! Saving and loading models, classifying new persons, forecasting, and
//! rounding of person counts.

use super::cli::{gbtm, ok};
use gbtm::report::round_count;
use gbtm::synth::{self, SimOptions};
use gbtm::{Fit, Gbtm, Panel, PersonStatus, TrajectoryModel};

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gbtm-classify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn saved_and_loaded_model_gives_the_fits_posteriors() {
    let cohort = synth::three_groups_zip(700, 41);
    let fit = Gbtm::zip(3).starts(3).seed(3).fit(&cohort.panel).unwrap();
    let path = temp("roundtrip.json");
    fit.model().save(&path).unwrap();
    let back = TrajectoryModel::load(&path).unwrap();
    assert_eq!(&back, fit.model());
    let classes = back.classify(&cohort.panel).unwrap();
    let post = fit.posteriors();
    let mut worst = 0.0f64;
    for (i, c) in classes.iter().enumerate() {
        for (k, p) in c.posteriors.iter().enumerate() {
            worst = worst.max((p - post[[i, k]]).abs());
        }
    }
    assert!(worst <= 1e-12, "largest posterior difference {worst:e}");
    // Group numbers count from 1 and agree with the fit's assignments.
    let assigned = fit.assignments();
    assert!(
        classes
            .iter()
            .zip(&assigned)
            .all(|(c, &g)| c.group == g + 1 && c.status == PersonStatus::Classified)
    );
    // No temporary file is left behind by the atomic write.
    let leftovers = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn loading_a_bad_model_file_is_a_typed_error() {
    let path = temp("bad.json");
    std::fs::write(&path, "{\"format\": \"something else\"}").unwrap();
    let err = TrajectoryModel::load(&path).unwrap_err();
    assert!(
        matches!(err, gbtm::Error::InvalidModelFile { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("bad.json"));
    // Text that is not JSON keeps the parser's error as its source.
    std::fs::write(&path, "not json").unwrap();
    let err = TrajectoryModel::load(&path).unwrap_err();
    assert!(
        matches!(err, gbtm::Error::InvalidModelFile { .. }),
        "{err:?}"
    );
    assert!(std::error::Error::source(&err).is_some(), "{err:?}");
    // A model whose parameters do not fit its structure.
    let cohort = synth::three_groups(200, 1);
    let fit = Gbtm::poisson(2).starts(2).fit(&cohort.panel).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&fit.model().to_json()).unwrap();
    file["model"]["params"]["beta"][0]
        .as_array_mut()
        .unwrap()
        .pop();
    let err = TrajectoryModel::from_json(&file.to_string(), "edited.json").unwrap_err();
    assert!(
        matches!(err, gbtm::Error::InvalidModelFile { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("do not match"), "{err}");
    assert!(err.to_string().contains("edited.json"), "{err}");
}

#[test]
fn ages_outside_the_model_are_an_error_naming_them() {
    let cohort = synth::three_groups(300, 2);
    let fit = Gbtm::poisson(2)
        .starts(2)
        .fit(&cohort.panel.window(12, 30).unwrap())
        .unwrap();
    let err = fit.model().classify(&cohort.panel).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("31, 32, 33, 34, 35"), "{msg}");
    // Restricted to the model's ages first, the same data classify, every
    // input person with a row.
    let (within, outside) = fit.model().restrict(&cohort.panel).unwrap();
    assert_eq!(outside, vec![31, 32, 33, 34, 35]);
    let classes = fit.model().classify(&within).unwrap();
    assert_eq!(classes.len(), cohort.panel.input_ids().len());
}

/// The fitted group whose rate peaks youngest.
fn early_peak_group(fit: &Fit) -> usize {
    let r = fit.model().rates();
    let peak_age = |g: usize| {
        let row = r.row(g);
        (0..row.len())
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .unwrap()
    };
    (0..r.nrows())
        .filter(|&g| r.row(g).iter().copied().fold(0.0, f64::max) > 1.0)
        .min_by_key(|&g| peak_age(g))
        .unwrap()
}

#[test]
fn a_clear_early_peak_history_is_classified_with_high_posterior() {
    let cohort = synth::three_groups(2000, 5);
    let fit = Gbtm::poisson(3).starts(3).fit(&cohort.panel).unwrap();
    let early = early_peak_group(&fit);
    // Offending from 13 to 22 peaking at 17, nothing after 25; observed to 30.
    let history = [
        0., 1., 2., 2., 3., 3., 2., 2., 2., 1., 1., 1., 0., 0., 0., 0., 0., 0., 0.,
    ];
    let ages: Vec<i64> = (12..=30).collect();
    let counts = ndarray::Array2::from_shape_vec((1, history.len()), history.to_vec()).unwrap();
    let person = Panel::from_arrays(counts.view(), &ages, None).unwrap();
    let c = &fit.model().classify(&person).unwrap()[0];
    assert_eq!(c.group, early + 1);
    assert!(c.posteriors[early] > 0.9, "posterior {:?}", c.posteriors);
}

#[test]
fn forecasts_match_the_truth_and_intervals_cover() {
    let train = synth::three_groups(3000, 61);
    check_forecasts(&train, &Gbtm::poisson(3).starts(3));
}

#[test]
fn negative_binomial_forecasts_match_the_truth_and_intervals_cover() {
    let train = synth::three_groups_nb(3000, 63);
    check_forecasts(&train, &Gbtm::nb(3).starts(3));
}

/// Fits `model` to `train`, forecasts ages 21–35 of a fresh cohort from
/// the same truth cut at 20, and checks the mean and the 90% coverage.
fn check_forecasts(train: &synth::Cohort, model: &Gbtm) {
    let full = SimOptions {
        censored_share: 0.0,
        reduced_exposure_share: 0.0,
    };
    let fit = model.fit(&train.panel).unwrap();
    // A fresh cohort from the same model, observed completely.
    let truth_model = train.model.as_ref().unwrap();
    let test = synth::simulate(
        truth_model.spec(),
        truth_model.params(),
        &synth::default_ages(),
        2000,
        62,
        &full,
    )
    .unwrap();
    let cut = test.panel.window(12, 20).unwrap();
    assert_eq!(
        cut.n_persons(),
        test.panel.n_persons(),
        "nobody may drop out"
    );
    let f = fit.model().forecast(&cut, 0.9).unwrap();
    let truth = test.true_rates().unwrap();
    let ages = test.panel.ages();
    let later: Vec<usize> = (0..ages.len()).filter(|&t| ages[t] >= 21).collect();
    let y = test.panel.counts();
    let (mut forecast_sum, mut true_sum) = (0.0, 0.0);
    let (mut total_in, mut year_in, mut years) = (0usize, 0usize, 0usize);
    for (i, p) in f.iter().enumerate() {
        assert_eq!(p.years.len(), 15);
        assert_eq!(p.future.ages, (21..=35).collect::<Vec<i64>>());
        assert!(p.imputed.ages.is_empty());
        assert_eq!(p.total.expected, p.future.expected);
        let g = test.truth[i];
        forecast_sum += p.total.expected;
        true_sum += later.iter().map(|&t| truth[[g, t]]).sum::<f64>();
        let held_back: f64 = later.iter().map(|&t| y[[i, t]]).sum();
        if (p.total.lower as f64..=p.total.upper as f64).contains(&held_back) {
            total_in += 1;
        }
        for (yf, &t) in p.years.iter().zip(&later) {
            assert_eq!(yf.age, ages[t]);
            years += 1;
            if (yf.lower as f64..=yf.upper as f64).contains(&y[[i, t]]) {
                year_in += 1;
            }
        }
    }
    let n = f.len() as f64;
    let rel = (forecast_sum / true_sum - 1.0).abs();
    let total_cover = total_in as f64 / n;
    let year_cover = year_in as f64 / years as f64;
    println!(
        "mean forecast total {:.3}, true expected {:.3} (rel. diff {rel:.4}); \
         total coverage {total_cover:.3}; yearly coverage {year_cover:.3}",
        forecast_sum / n,
        true_sum / n
    );
    assert!(rel < 0.05, "mean forecast off by {rel}");
    assert!(
        (0.85..=0.95).contains(&total_cover),
        "total coverage {total_cover}"
    );
    assert!(year_cover >= 0.90, "yearly coverage {year_cover}");
}

#[test]
fn rounded_counts_are_multiples_and_shares_follow_them() {
    for (n, want) in [
        (0, 0),
        (2, 0),
        (3, 5),
        (7, 5),
        (8, 10),
        (225, 225),
        (227, 225),
        (228, 230),
    ] {
        assert_eq!(round_count(n, 5), want, "{n}");
    }
    let cohort = synth::three_groups(631, 9);
    let fit = Gbtm::poisson(3).starts(2).fit(&cohort.panel).unwrap();
    let raw = fit.summary();
    let s = raw.with_rounded_counts(5);
    assert_eq!(s.n_persons, 630);
    assert_eq!(s.counts_rounded_to, Some(5));
    for (g, r) in s.groups.iter().zip(&raw.groups) {
        assert_eq!(g.n_assigned % 5, 0);
        assert!((g.n_assigned as i64 - r.n_assigned as i64).abs() <= 2);
        assert_eq!(g.assigned_share, g.n_assigned as f64 / 630.0);
        // Model estimates are not counts: untouched.
        assert_eq!(g.proportion, r.proportion);
    }
}

#[test]
fn cli_fit_save_classify_and_forecast() {
    let model = temp("cli-model.json");
    let (data, model) = ("data-synthetic/three-groups.csv", model.to_str().unwrap());
    let report = ok(&gbtm(&[
        "fit",
        "--data",
        data,
        "--groups",
        "3",
        "--starts",
        "2",
        "--round-counts",
        "5",
        "--save",
        model,
    ]));
    assert!(report.contains("rounded to multiples of 5"));
    // Disclosure: the model file holds no person counts to round.
    let file = std::fs::read_to_string(model).unwrap();
    for key in ["n_persons", "n_assigned", "n_dropped", "n_observations"] {
        assert!(!file.contains(key), "the model file holds {key}");
    }
    let out = ok(&gbtm(&[
        "classify",
        "--data",
        data,
        "--ages",
        "12:20",
        "--forecast",
        "--json",
        "--model",
        model,
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v.as_array().unwrap()[0];
    assert_eq!(first["years"].as_array().unwrap().len(), 15);
    assert!(first["total"]["expected"].as_f64().unwrap() > 0.0);
}
