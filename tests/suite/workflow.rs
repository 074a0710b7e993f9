//! The workflow as a new user meets it: exposure reaches prediction, every
//! input person is accounted for, the model's ages are the default, `select`
//! keeps what it chose, group numbers do not depend on the seed and count
//! from 1, `--save` is checked first, the forecast table, and exit codes.

use std::path::{Path, PathBuf};

use gbtm::{Error, Gbtm, Panel, PersonStatus, ReadOptions, synth};

use super::cli::{gbtm, ok, temp};

const TO1: &str = "../shared/data/crimCV/TO1.csv";
const TO1RISK: &str = "../shared/data/crimCV/TO1Risk.csv";
const TO1ADJ: &str = "../shared/data/crimCV/TO1adj.csv";

/// Fits two groups of the given order to the shipped three-group cohort
/// and saves the model as `name`.json.
/// `gbtm classify --forecast` of `data` with `model`, and its output.
fn forecast(model: &Path, data: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "classify",
        "--model",
        path(model),
        "--data",
        path(data),
        "--forecast",
    ];
    args.extend_from_slice(extra);
    ok(&gbtm(&args))
}

fn two_group_model(name: &str, order: &str) -> PathBuf {
    let model = temp(&format!("{name}.json"));
    ok(&gbtm(&[
        "fit",
        "--data",
        "data-synthetic/three-groups.csv",
        "--groups",
        "2",
        "--order",
        order,
        "--starts",
        "2",
        "--save",
        path(&model),
    ]));
    model
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Mean posterior of each group over the classified persons.
fn mean_posteriors(classes: &serde_json::Value) -> Vec<f64> {
    let rows = classes.as_array().unwrap();
    let k = rows[0]["posteriors"].as_array().unwrap().len();
    (0..k)
        .map(|g| {
            rows.iter()
                .map(|r| r["posteriors"][g].as_f64().unwrap())
                .sum::<f64>()
                / rows.len() as f64
        })
        .collect()
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn exposure_reaches_classify_on_to1_with_to1risk() {
    let model = temp("to1-risk.json");
    let fit = ok(&gbtm(&[
        "fit",
        "--data",
        TO1,
        "--exposure",
        TO1RISK,
        "--groups",
        "2",
        "--json",
        "--save",
        path(&model),
    ]));
    let fit: serde_json::Value = serde_json::from_str(&fit).unwrap();
    assert_eq!(fit["exposure"], true);
    let out = ok(&gbtm(&[
        "classify",
        "--model",
        path(&model),
        "--data",
        TO1,
        "--exposure",
        TO1RISK,
        "--json",
    ]));
    let classes: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(classes.as_array().unwrap().len(), 378);
    // At the maximum, the mean posterior of a group is its share.
    for (g, mean) in mean_posteriors(&classes).iter().enumerate() {
        let pi = fit["groups"][g]["proportion"].as_f64().unwrap();
        assert!((mean - pi).abs() < 1e-6, "group {}: {mean} vs {pi}", g + 1);
    }
    // Without the exposure the command refuses, saying why.
    let out = gbtm(&["classify", "--model", path(&model), "--data", TO1]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exposure"), "{err}");
    // Stating the assumption explicitly works, with a note.
    let out = gbtm(&[
        "classify",
        "--model",
        path(&model),
        "--data",
        TO1,
        "--assume-full-exposure",
    ]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("exposure 1"));
    // The plot takes the exposure too.
    let svg = temp("to1-risk.svg");
    ok(&gbtm(&[
        "plot",
        "--model",
        path(&model),
        "--data",
        TO1,
        "--exposure",
        TO1RISK,
        "--out",
        path(&svg),
    ]));
}

#[test]
fn a_model_fitted_with_exposure_needs_it_to_classify() {
    let cohort = synth::three_groups_exposure(600, 3);
    let fit = Gbtm::poisson(2)
        .order(2)
        .starts(2)
        .fit(&cohort.panel)
        .unwrap();
    assert!(fit.model().uses_exposure());
    let classes = fit.model().classify(&cohort.panel).unwrap();
    let k = fit.model().groups();
    for g in 0..k {
        let mean = classes.iter().map(|c| c.posteriors[g]).sum::<f64>() / classes.len() as f64;
        let pi = fit.model().params().pi[g];
        assert!((mean - pi).abs() < 1e-6, "group {}: {mean} vs {pi}", g + 1);
    }
    let bare = Panel::from_arrays(
        cohort.panel.counts().mapv(|v| v).view(),
        cohort.panel.ages(),
        None,
    )
    .unwrap();
    let err = fit.model().classify(&bare).unwrap_err();
    assert!(matches!(err, Error::ExposureRequired { .. }), "{err}");
    assert!(fit.model().classify(&bare.with_unit_exposure()).is_ok());
    // And the other way round: a model without exposure refuses data with it.
    let plain = Gbtm::poisson(2).order(2).starts(2).fit(&bare).unwrap();
    let err = plain.model().classify(&cohort.panel).unwrap_err();
    assert!(matches!(err, Error::ExposureNotUsed { .. }), "{err}");
}

#[test]
fn every_input_person_gets_a_row_in_input_order() {
    let data = temp("gap.csv");
    std::fs::write(&data, "id,12,13,14\na,1,0,2\nb,,,\nc,0,0,1\n").unwrap();
    let model = temp("gap-model.json");
    let fit_data = "data-synthetic/three-groups.csv";
    ok(&gbtm(&[
        "fit",
        "--data",
        fit_data,
        "--groups",
        "2",
        "--order",
        "1",
        "--starts",
        "2",
        "--save",
        path(&model),
    ]));
    let out = ok(&gbtm(&[
        "classify",
        "--model",
        path(&model),
        "--data",
        path(&data),
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,status,group,max_posterior,p1,p2");
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with("a,classified,"));
    assert!(lines[2].starts_with("b,no_observed_year,"), "{out}");
    assert!(lines[3].starts_with("c,classified,"));
    // The library says the same.
    let panel = Panel::from_csv_path(&data, &ReadOptions::default()).unwrap();
    let m = gbtm::TrajectoryModel::load(&model).unwrap();
    let classes = m.classify(&panel).unwrap();
    let status: Vec<PersonStatus> = classes.iter().map(|c| c.status).collect();
    assert_eq!(
        status,
        [
            PersonStatus::Classified,
            PersonStatus::NoObservedYear,
            PersonStatus::Classified
        ]
    );
    // A person with no data gets the shares as posteriors.
    assert_eq!(classes[1].posteriors, m.params().pi);
    // The forecast CSV's columns are stable too (docs/workflow.md §4):
    // scripts read them by name.
    let out = forecast(&model, &data, &[]);
    assert_eq!(
        out.lines().next().unwrap(),
        "id,status,group,max_posterior,p1,p2,observed_total,\
         imputed_ages,imputed_expected,imputed_lower90,imputed_upper90,\
         future_ages,future_expected,future_lower90,future_upper90,\
         total_ages,total_expected,total_lower90,total_upper90"
    );
}

#[test]
fn classify_uses_the_models_ages_and_notes_the_others() {
    let model = two_group_model("ages-model", "2");
    // Columns at 11 and 36 (all empty at 36) lie outside the model's 12..35.
    let data = temp("wider.csv");
    std::fs::write(&data, "id,11,12,13,36\na,0,1,2,\nb,3,0,0,\n").unwrap();
    let out = gbtm(&["classify", "--model", path(&model), "--data", path(&data)]);
    let text = ok(&out);
    assert_eq!(text.lines().count(), 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("11, 36") && err.contains("left out"), "{err}");
}

#[test]
fn select_save_writes_the_chosen_model_for_classify() {
    let model = temp("selected.json");
    let data = "data-synthetic/three-groups.csv";
    let sel = ok(&gbtm(&[
        "select",
        "--data",
        data,
        "--groups",
        "1..3",
        "--order",
        "2",
        "--starts",
        "2",
        "--json",
        "--save",
        path(&model),
    ]));
    let sel: serde_json::Value = serde_json::from_str(&sel).unwrap();
    let chosen = sel["selected"].as_u64().unwrap() as usize;
    let k = sel["candidates"][chosen]["n_groups"].as_u64().unwrap() as usize;
    let m = gbtm::TrajectoryModel::load(&model).unwrap();
    assert_eq!(m.groups(), k);
    // The saved model is the selected fit: same shares as the table.
    for g in 0..k {
        let want = sel["candidates"][chosen]["groups"][g]["proportion"]
            .as_f64()
            .unwrap();
        assert_eq!(m.params().pi[g], want);
    }
    let out = ok(&gbtm(&[
        "classify",
        "--model",
        path(&model),
        "--data",
        data,
    ]));
    let persons = Panel::from_csv_path(data, &ReadOptions::default())
        .unwrap()
        .input_ids()
        .len();
    assert_eq!(out.lines().count(), persons + 1);
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data")]
fn to1adj_zip_groups_print_in_the_same_order_for_any_seed() {
    let run = |seed: &str| -> serde_json::Value {
        let out = ok(&gbtm(&[
            "fit", "--data", TO1ADJ, "--ages", "12:35", "--model", "zip", "--iorder", "0",
            "--groups", "4", "--json", "--seed", seed,
        ]));
        serde_json::from_str(&out).unwrap()
    };
    let shares = |v: &serde_json::Value| -> Vec<f64> {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["proportion"].as_f64().unwrap())
            .collect()
    };
    let one = run("1");
    assert!((one["log_likelihood"].as_f64().unwrap() + 11121.332038).abs() < 1e-5);
    for seed in ["2", "3"] {
        let other = run(seed);
        for (a, b) in shares(&one).iter().zip(shares(&other)) {
            assert!(
                (a - b).abs() < 1e-6,
                "seed {seed}: {:?} vs {:?}",
                shares(&one),
                shares(&other)
            );
        }
    }
}

#[test]
fn groups_are_numbered_by_expected_cases_whatever_the_seed() {
    let cohort = synth::three_groups(800, 4);
    let fits: Vec<_> = [1, 2, 3]
        .iter()
        .map(|&s| {
            Gbtm::poisson(3)
                .order(2)
                .starts(3)
                .seed(s)
                .fit(&cohort.panel)
                .unwrap()
        })
        .collect();
    for f in &fits {
        let totals = f.model().expected_totals();
        assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
    }
    for f in &fits[1..] {
        if (f.log_likelihood() - fits[0].log_likelihood()).abs() < 1e-6 {
            for (a, b) in f
                .model()
                .params()
                .pi
                .iter()
                .zip(&fits[0].model().params().pi)
            {
                assert!((a - b).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn save_is_checked_before_the_data_are_read() {
    let out = gbtm(&[
        "fit",
        "--data",
        "no-such-file.csv",
        "--groups",
        "2",
        "--save",
        "/no-such-folder/m.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/no-such-folder/m.json"), "{err}");
    assert!(!err.contains("no-such-file.csv"), "{err}");
    // An output may not overwrite an input.
    let data = temp("input.csv");
    std::fs::write(&data, "id,12,13\na,1,0\nb,0,2\n").unwrap();
    let out = gbtm(&[
        "fit",
        "--data",
        path(&data),
        "--groups",
        "1",
        "--save",
        path(&data),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "id,12,13\na,1,0\nb,0,2\n"
    );
}

#[test]
fn forecast_table_lists_the_ages_and_splits_past_from_future() {
    let model = two_group_model("forecast-model", "2");
    // Observed at 12, 13 and 15: 14 is a past gap, 16..35 the future.
    let data = temp("short.csv");
    std::fs::write(&data, "id,12,13,14,15\na,1,0,,2\n").unwrap();
    let out = forecast(&model, &data, &["--level", "0.8"]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert!(header.contains(&"p1") && header.contains(&"p2"));
    assert_eq!(row[col("imputed_ages")], "14");
    let future: Vec<String> = (16..=35).map(|a| a.to_string()).collect();
    assert_eq!(row[col("future_ages")], future.join(" "));
    let e = |name: &str| row[col(name)].parse::<f64>().unwrap();
    assert!((e("imputed_expected") + e("future_expected") - e("total_expected")).abs() < 1e-3);
    assert!(header.contains(&"total_lower80"));
    let p: f64 = e("p1") + e("p2");
    assert!((p - 1.0).abs() < 1e-5);
}

#[test]
fn usage_errors_exit_2_and_data_errors_exit_1() {
    // --level needs --forecast; --csv is no option.
    let level = gbtm(&[
        "classify", "--model", "m.json", "--data", "d.csv", "--level", "0.8",
    ]);
    assert_eq!(level.status.code(), Some(2));
    let csv = gbtm(&["classify", "--model", "m.json", "--data", "d.csv", "--csv"]);
    assert_eq!(csv.status.code(), Some(2));
    let data = temp("negative.csv");
    std::fs::write(&data, "id,12,13\na,-1,0\n").unwrap();
    let bad = gbtm(&["fit", "--data", path(&data), "--groups", "1"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("negative count"));
}

#[test]
fn fit_json_says_whether_and_why_not_the_best_start_was_refined() {
    let fit = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "fit",
            "--data",
            "data-synthetic/three-groups.csv",
            "--order",
            "1",
            "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(&gbtm(&args))).unwrap()
    };
    let poisson = fit(&["--groups", "2", "--starts", "4"]);
    assert_eq!(poisson["refinement"], "starts_agreed");
    assert_eq!(poisson["refinement_runs"], 0);
    let zip = fit(&["--groups", "2", "--starts", "2", "--model", "zip"]);
    assert_eq!(zip["refinement"], "ran");
    assert!(zip["refinement_runs"].as_u64().unwrap() > 0);
    assert_eq!(
        fit(&["--groups", "2", "--starts", "1"])["refinement"],
        "single_start"
    );
    assert_eq!(fit(&["--groups", "1"])["refinement"], "one_group");
}
