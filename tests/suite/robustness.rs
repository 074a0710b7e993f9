//! Hostile input gets a clear answer, never a panic, a hang or a lost file:
//! sizes are bounded before anything is allocated, ages must be plausible,
//! headers and long-format columns are read strictly, semicolon files are
//! read, absurd model files are refused, outputs never replace inputs or
//! special files, and a closed pipe or a full disk ends the program cleanly.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use gbtm::{Error, Gbtm, Panel, ReadOptions, TrajectoryModel};
use ndarray::Array2;

use super::cli::{EXE, fails, gbtm, temp};

const DATA: &str = "data-synthetic/three-groups.csv";

fn wide(text: &str) -> Result<Panel, Error> {
    Panel::from_wide_csv_str(text, "mem.csv")
}

#[test]
fn sizes_are_bounded_before_allocation() {
    for (args, mention) in [
        (
            vec!["fit", "--data", DATA, "--groups", "18446744073709551615"],
            "groups",
        ),
        (
            vec!["fit", "--data", DATA, "--groups", "1000000000000"],
            "groups",
        ),
        (
            vec![
                "fit",
                "--data",
                DATA,
                "--groups",
                "2",
                "--starts",
                "1000000000",
            ],
            "starts",
        ),
        (
            vec![
                "select",
                "--data",
                DATA,
                "--groups",
                "1..60",
                "--orders-grid",
                "0..5",
            ],
            "candidate models",
        ),
    ] {
        let (code, err) = fails(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(mention), "{args:?}: {err}");
    }
    let cohort = gbtm::synth::three_groups(100, 1);
    let err = Gbtm::poisson(51).validate(&cohort.panel).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { ref name, .. } if name == "groups"));
}

#[test]
fn ages_must_be_plausible_and_headers_whole_numbers() {
    let err = wide("id,12,4294967296\na,1,0\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::AgeOutOfRange {
                age: 4294967296,
                ..
            }
        ),
        "{err}"
    );
    let err = Panel::from_long_csv_str("id,age,count\na,200,1\n", "long.csv").unwrap_err();
    assert!(
        matches!(err, Error::AgeOutOfRange { age: 200, .. }),
        "{err}"
    );
    for header in ["-5", "age-5", "age12.5", "12.5"] {
        let err = wide(&format!("id,{header}\na,1\n")).unwrap_err();
        assert!(matches!(err, Error::BadHeader { .. }), "{header}: {err}");
        assert!(err.to_string().contains("whole years"), "{err}");
    }
}

#[test]
fn long_files_refuse_unknown_and_repeated_columns() {
    let err = Panel::from_long_csv_str("id,age,count,exposur\na,12,1,0.5\n", "l.csv").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::BadHeader { .. }), "{msg}");
    assert!(
        msg.contains("exposur") && msg.contains("id, age, count"),
        "{msg}"
    );
    let err = Panel::from_long_csv_str("id,age,count,count\na,12,1,2\n", "l.csv").unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");
}

#[test]
fn semicolon_files_with_decimal_commas_are_read() {
    let counts = temp("semi.csv");
    std::fs::write(&counts, "id;12;13\na;1;0\nb;;2\n").unwrap();
    let expo = temp("semi-exposure.csv");
    std::fs::write(&expo, "id;12;13\na;0,5;1\nb;;0,25\n").unwrap();
    let opts = ReadOptions::default().exposure_file(&expo);
    let p = Panel::from_csv_path(&counts, &opts).unwrap();
    assert_eq!(p.ages(), &[12, 13]);
    assert_eq!(p.n_observations(), 3);
    let e = p.exposure().unwrap();
    assert_eq!((e[[0, 0]], e[[1, 1]]), (0.5, 0.25));
}

#[test]
fn empty_files_and_negative_counts_say_what_to_do() {
    let err = wide("").unwrap_err();
    assert!(matches!(err, Error::EmptyFile { .. }), "{err}");
    let err = wide("id,12\na,-1\n").unwrap_err();
    assert!(err.to_string().contains("empty cell, NA or ."), "{err}");
}

#[test]
fn orders_need_distinct_observed_ages() {
    // Everyone is observed at age 12 only; the other columns are empty.
    let nan = f64::NAN;
    let counts = Array2::from_shape_fn((30, 4), |(i, t)| if t == 0 { (i % 3) as f64 } else { nan });
    let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15], None).unwrap();
    let err = Gbtm::poisson(1).order(3).fit(&panel).unwrap_err();
    assert!(err.to_string().contains("distinct observed ages"), "{err}");
    assert!(Gbtm::poisson(1).order(0).fit(&panel).is_ok());
}

#[test]
fn absurd_model_files_are_refused() {
    let cohort = gbtm::synth::three_groups(200, 1);
    let fit = Gbtm::poisson(2)
        .order(1)
        .starts(2)
        .fit(&cohort.panel)
        .unwrap();
    let good: serde_json::Value = serde_json::from_str(&fit.model().to_json()).unwrap();
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: [(&str, Edit); 3] = [
        (
            "huge coefficient",
            Box::new(|v| v["model"]["params"]["beta"][0][1] = 1e308.into()),
        ),
        (
            "tiny age scale",
            Box::new(|v| v["model"]["age_scaling"]["scale"] = 1e-300.into()),
        ),
        ("age 500", Box::new(|v| v["model"]["ages"][0] = 500.into())),
    ];
    for (what, edit) in edits {
        let mut v = good.clone();
        edit(&mut v);
        let err = TrajectoryModel::from_json(&v.to_string(), "edited.json").unwrap_err();
        assert!(
            matches!(err, Error::InvalidModelFile { .. }),
            "{what}: {err}"
        );
    }
}

#[test]
fn outputs_never_replace_inputs_or_special_files() {
    let data = temp("keep.csv");
    let original = "id,12,13\na,1,0\nb,0,2\nc,3,1\n";
    std::fs::write(&data, original).unwrap();
    let model = temp("keep-model.json");
    // Order 0, so that a fit would succeed: the output check is what fails.
    let d = data.to_str().unwrap();
    for (save, why) in [
        (d, "is also an input"),
        ("/dev/full", "not a regular file"),
        (".", "is a folder"),
    ] {
        let args = [
            "fit", "--data", d, "--groups", "1", "--order", "0", "--save", save,
        ];
        let (code, err) = fails(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert!(
        gbtm(&["fit", "--data", d, "--groups", "1", "--order", "0"])
            .status
            .success()
    );
    // A folder that is a file.
    let (code, err) = fails(&[
        "fit",
        "--data",
        d,
        "--groups",
        "1",
        "--order",
        "0",
        "--save",
        &format!("{d}/m.json"),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert_eq!(std::fs::read_to_string(&data).unwrap(), original);
    assert!(Path::new("/dev/full").exists());
    // plot --out naming the model or the data.
    assert!(
        gbtm(&[
            "fit",
            "--data",
            data.to_str().unwrap(),
            "--groups",
            "1",
            "--order",
            "0",
            "--save",
            model.to_str().unwrap()
        ])
        .status
        .success()
    );
    let saved = std::fs::read_to_string(&model).unwrap();
    for out in [&model, &data] {
        let (code, err) = fails(&[
            "plot",
            "--model",
            model.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{err}");
    }
    assert_eq!(std::fs::read_to_string(&model).unwrap(), saved);
    // reproduce into a folder that does not exist creates nothing.
    let missing = temp("no-such-folder");
    let plot = missing.join("p.svg");
    let (code, err) = fails(&[
        "reproduce",
        "--plot",
        plot.to_str().unwrap(),
        "--starts",
        "1",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_an_error() {
    let model = temp("pipe-model.json");
    assert!(
        gbtm(&[
            "fit",
            "--data",
            DATA,
            "--groups",
            "2",
            "--order",
            "1",
            "--starts",
            "1",
            "--save",
            model.to_str().unwrap()
        ])
        .status
        .success()
    );
    let mut child = Command::new(EXE)
        .args([
            "classify",
            "--model",
            model.to_str().unwrap(),
            "--data",
            DATA,
            "--forecast",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(EXE)
        .args([
            "classify",
            "--model",
            model.to_str().unwrap(),
            "--data",
            DATA,
        ])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("standard output"), "{err}");
}

#[test]
fn options_that_would_do_nothing_are_refused() {
    let (code, _) = fails(&[
        "fit",
        "--data",
        DATA,
        "--groups",
        "1",
        "--round-counts",
        "0",
    ]);
    assert_eq!(code, 2);
    let (code, err) = fails(&[
        "select", "--data", DATA, "--groups", "1..2", "--iorder", "1",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, err) = fails(&[
        "simulate",
        "--scenario",
        "three-groups",
        "--out",
        temp("t.csv").to_str().unwrap(),
        "--write-scenario",
        temp("t.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !temp("t.csv").exists(),
        "nothing is written when a command fails"
    );
}

#[test]
fn simulate_handles_narrow_windows_extreme_ages_and_huge_rates() {
    use gbtm::synth::scenario::{Censoring, Curve, Scenario};
    let mut s = Scenario::builtin("two-groups").unwrap();
    // A window that ends before the censoring range starts (min 20).
    s.ages = (12, 15);
    let c = s.simulate(200, 1).unwrap();
    assert_eq!(c.panel.ages(), &[12, 13, 14, 15]);
    // Ages outside 0..=130 are refused before anything is allocated.
    s.ages = (-1_000_000, 1_000_000);
    assert!(s.simulate(10, 1).is_err());
    // A rate that overflows is refused; a huge finite one is drawn exactly
    // and fast (PTRS): mean and variance of Poisson(5000).
    s.ages = (12, 35);
    s.groups[0].rate = Curve::Polynomial {
        center: 20.0,
        scale: 1.0,
        coefficients: vec![0.0, 0.0, 1.0],
    };
    let err = s.simulate(10, 1).unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
    s.groups.truncate(1);
    s.groups[0].rate = Curve::Table(vec![(12.0, 5000.0), (35.0, 5000.0)]);
    s.groups[0].share = 1.0;
    s.groups[0].frailty_shape = None;
    s.groups[0].censoring = None;
    s.censoring = Censoring::none();
    let c = s.simulate(1000, 7).unwrap();
    let y: Vec<f64> = c.panel.counts().iter().copied().collect();
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!(
        (mean - 5000.0).abs() < 4.0 * (5000.0 / n).sqrt(),
        "mean {mean}"
    );
    assert!((var / 5000.0 - 1.0).abs() < 0.05, "variance {var}");
    // The rate of 10⁹ a year: drawn at once, with the right mean.
    s.groups[0].rate = Curve::Table(vec![(12.0, 1e9), (35.0, 1e9)]);
    let c = s.simulate(50, 3).unwrap();
    let mean = c.panel.counts().iter().sum::<f64>() / c.panel.counts().len() as f64;
    assert!((mean / 1e9 - 1.0).abs() < 1e-4, "mean {mean}");
    // No persons is an error for scenarios and teaching cohorts alike.
    for scenario in ["four-profiles", "three-groups"] {
        let (code, err) = fails(&[
            "simulate",
            "--scenario",
            scenario,
            "--persons",
            "0",
            "--out",
            "x.csv",
        ]);
        assert_eq!(code, 1, "{scenario}: {err}");
        assert!(err.contains("at least one person"), "{scenario}: {err}");
    }
    assert!(!Path::new("x.csv").exists());
}

#[test]
fn forecasts_stay_right_for_rates_in_the_hundreds_and_beyond() {
    use gbtm::{AgeScale, Family, ModelSpec, Params};
    for rate in [800.0f64, 1e7] {
        let spec = ModelSpec::new(Family::Poisson, vec![0], None).unwrap();
        let params = Params {
            beta: vec![vec![rate.ln()]],
            gamma: None,
            pi: vec![1.0],
            risk: None,
            tcov: None,
            alpha: None,
        };
        let ages: Vec<i64> = (12..=20).collect();
        let model = TrajectoryModel::new(
            spec,
            params,
            AgeScale::from_ages(&ages),
            ages.clone(),
            false,
        )
        .unwrap();
        let counts = Array2::from_shape_fn((1, 9), |(_, t)| if t == 0 { rate } else { f64::NAN });
        let panel = Panel::from_arrays(counts.view(), &ages, None).unwrap();
        let f = &model.forecast(&panel, 0.9).unwrap()[0];
        assert_eq!(f.years.len(), 8);
        let sd = rate.sqrt();
        for y in &f.years {
            assert!((y.expected / rate - 1.0).abs() < 1e-9);
            let (lo, hi) = (y.lower as f64, y.upper as f64);
            assert!(
                (lo - (rate - 1.645 * sd)).abs() < 0.01 * sd + 2.0,
                "{rate}: {lo}"
            );
            assert!(
                (hi - (rate + 1.645 * sd)).abs() < 0.01 * sd + 2.0,
                "{rate}: {hi}"
            );
        }
        let total = 8.0 * rate;
        let sd = total.sqrt();
        assert!((f.total.expected / total - 1.0).abs() < 1e-9);
        assert!((f.total.lower as f64 - (total - 1.645 * sd)).abs() < 0.01 * sd + 2.0);
        assert!((f.total.upper as f64 - (total + 1.645 * sd)).abs() < 0.01 * sd + 2.0);
    }
}

#[test]
fn separators_decimal_commas_and_unobserved_exposure() {
    // Tabs are read; a semicolon file keeps the comma in an id.
    let p = wide("id\t12\t13\na\t1\t0\n").unwrap();
    assert_eq!(p.ages(), &[12, 13]);
    let p = wide("id;12;13\n\"Smith, J\";1;0\n").unwrap();
    assert_eq!(p.ids(), &["Smith, J"]);
    // Exposure 0 in a year without a count (in custody) is accepted.
    let counts = temp("custody.csv");
    std::fs::write(&counts, "id,12,13\na,1,\n").unwrap();
    let expo = temp("custody-exposure.csv");
    std::fs::write(&expo, "id,12,13\na,1,0\n").unwrap();
    let opts = ReadOptions::default().exposure_file(&expo);
    assert!(Panel::from_csv_path(&counts, &opts).is_ok());
    // ... but not in a year with a count.
    std::fs::write(&counts, "id,12,13\na,1,2\n").unwrap();
    let err = Panel::from_csv_path(&counts, &opts).unwrap_err();
    assert!(matches!(err, Error::BadExposure { .. }), "{err}");
}

#[test]
fn messages_name_what_is_wrong() {
    // Every run degenerate: the reason once, the number of runs.
    let counts = Array2::<f64>::zeros((20, 4));
    let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15], None).unwrap();
    let err = Gbtm::poisson(1).order(1).fit(&panel).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("all 1 runs ended degenerate (the first: group 1: rate ran to 0)"),
        "{msg}"
    );
    // An unknown scenario lists the teaching cohorts too.
    let (code, err) = fails(&[
        "simulate",
        "--scenario",
        "nine-groups",
        "--out",
        temp("n.csv").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("three-groups-exposure") && err.contains("four-profiles"),
        "{err}"
    );
}

#[test]
fn a_count_of_a_million_fits_and_file_faults_name_their_row() {
    // One person with a count of 10⁶ among ordinary ones.
    let counts = Array2::from_shape_fn((30, 4), |(i, t)| {
        if i == 0 && t == 2 {
            1e6
        } else {
            ((i + t) % 3) as f64
        }
    });
    let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15], None).unwrap();
    // The best two-group model gives the outlier its own group, whose rate
    // at 14 is about 10⁶: a rate the data ask for, not a runaway.
    let fit = Gbtm::poisson(2).order(3).starts(2).fit(&panel).unwrap();
    let top = fit.model().rates().iter().copied().fold(0.0f64, f64::max);
    assert!(top > 5e5, "largest rate {top}");
    // An unclosed quote is named as such, on its row.
    let err = wide("id,12,13\na,1,0\n\"b,2,1\nc,0,0\n").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("row 3") && msg.contains("closing quote"),
        "{msg}"
    );
    // Text that is not UTF-8 names its row.
    let path = temp("latin1.csv");
    std::fs::write(&path, b"id,12\na,1\nb\xe9,0\n").unwrap();
    let err = Panel::from_csv_path(&path, &ReadOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("row 3") && msg.contains("UTF-8"), "{msg}");
}
