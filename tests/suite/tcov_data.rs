//! Reading time-varying covariates (traj's `tcov`): long and wide files,
//! joined to the panel by id and age, with errors that name the file, the
//! person, the age and the covariate.

use gbtm::{Error, Panel};
use ndarray::{Array2, s};

use super::cli::temp;

/// Persons a, b, c at ages 12..=14; b is not observed at 14, c only at 12.
fn panel() -> Panel {
    Panel::from_wide_csv_str("id,12,13,14\na,1,0,2\nb,0,3,\nc,1,,\n", "counts.csv").unwrap()
}

/// A distinct value per person and age: 100·(person + 1) + age.
fn truth(p: &Panel) -> Array2<f64> {
    Array2::from_shape_fn((p.n_persons(), p.ages().len()), |(i, t)| {
        100.0 * (i as f64 + 1.0) + p.ages()[t] as f64
    })
}

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let path = temp(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn vars(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// Both arrays equal, NaN matching NaN.
fn same(a: ndarray::ArrayView2<'_, f64>, b: ndarray::ArrayView2<'_, f64>) -> bool {
    a.dim() == b.dim()
        && a.iter()
            .zip(b.iter())
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

#[test]
fn long_and_wide_files_give_the_same_panel() {
    let p = panel();
    let long = write(
        "tcov-same-long.csv",
        "id,age,name,value\na,12,job,112\na,13,job,113\na,14,job,114\n\
         b,12,job,212\nb,13,job,213\nc,12,job,312\n",
    );
    let wide = write(
        "tcov-same-wide.csv",
        "id,job12,job13,job14\na,112,113,114\nb,212,213,\nc,312,,\n",
    );
    let from_long = p.with_tcov_csv(&long, &vars(&["job"])).unwrap();
    let from_wide = p.with_tcov_csv(&wide, &vars(&["job"])).unwrap();
    assert_eq!(from_long, from_wide);
    // No value (NaN) equals no value: a panel equals its clone.
    assert_eq!(from_long.clone(), from_long);
    assert_eq!(from_long.tcov_names(), ["job"]);
    let want = truth(&p);
    let got = from_long.tcov("job").unwrap();
    for ((i, t), &o) in p.observed().indexed_iter() {
        if o {
            assert_eq!(got[[i, t]], want[[i, t]], "person {i}, age {t}");
        } else {
            assert!(got[[i, t]].is_nan(), "person {i}, age {t}: {}", got[[i, t]]);
        }
    }
    // The counts are untouched.
    assert_eq!(from_long.without_tcov(), p);
}

#[test]
fn values_are_aligned_to_the_panels_ids_and_ages() {
    let p = panel();
    let want = p.with_tcov("x", truth(&p).view()).unwrap();
    // Wide: rows and age columns shuffled, a person and an age the panel
    // does not have, and text there (ignored).
    let wide = write(
        "tcov-align-wide.csv",
        "x14,id,x12,x11,x13\n,c,312,oops,\n214,b,212,0,213\n9,zz,9,9,9\n114,a,112,0,113\n",
    );
    let got = p.with_tcov_csv(&wide, &vars(&["x"])).unwrap();
    assert!(same(got.tcov("x").unwrap(), want.tcov("x").unwrap()));
    assert_eq!(got, want);
    // Long: extra columns, shuffled rows, another covariate, a person and
    // an age the panel does not have; header and names in another case.
    let long = write(
        "tcov-align-long.csv",
        "Value,note,NAME,Age,ID\n213,-,X,13,b\n1,-,other,12,a\n114,-,x,14,a\n\
         7,-,x,11,a\n312,-,x,12,c\n5,-,x,12,zz\n112,-,x,12,a\n212,-,x,12,b\n113,-,x,13,a\n",
    );
    let got = p.with_tcov_csv(&long, &vars(&["x"])).unwrap();
    assert_eq!(got, want);
    // Two covariates from one long file, each in its place.
    let two = write(
        "tcov-align-two.csv",
        "id,age,name,value\na,12,u,1\na,13,u,2\na,14,u,3\nb,12,u,4\nb,13,u,5\nc,12,u,6\n\
         c,12,v,-6\nb,13,v,-5\nb,12,v,-4\na,14,v,-3\na,13,v,-2\na,12,v,-1\n",
    );
    let got = p.with_tcov_csv(&two, &vars(&["v", "u"])).unwrap();
    assert_eq!(got.tcov_names(), ["v", "u"]);
    let (u, v) = (got.tcov("u").unwrap(), got.tcov("v").unwrap());
    assert_eq!((u[[0, 2]], u[[1, 1]], u[[2, 0]]), (3.0, 5.0, 6.0));
    for ((i, t), &o) in p.observed().indexed_iter() {
        if o {
            assert_eq!(v[[i, t]], -u[[i, t]]);
        }
    }
}

#[test]
fn a_missing_value_at_an_observed_year_names_the_file_id_age_and_covariate() {
    let p = panel();
    // Long: no row for b at 13.
    let long = write(
        "tcov-missing-long.csv",
        "id,age,name,value\na,12,job,1\na,13,job,1\na,14,job,1\nb,12,job,1\nc,12,job,1\n",
    );
    let err = p.with_tcov_csv(&long, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(&err, Error::MissingTimeCovariate { id, age: 13, name, .. } if id == "b" && name == "job"),
        "{err:?}"
    );
    let msg = err.to_string();
    for part in [
        "tcov-missing-long.csv",
        "\"b\"",
        "age 13",
        "\"job\"",
        "impute",
    ] {
        assert!(msg.contains(part), "{part} in {msg}");
    }
    // An empty cell, NA and a non-finite number are missing too.
    for cell in ["", "NA", "inf"] {
        let wide = write(
            "tcov-missing-wide.csv",
            &format!("id,12,13,14\na,1,1,{cell}\nb,1,1,\nc,1,,\n"),
        );
        let msg = p
            .with_tcov_csv(&wide, &vars(&["job"]))
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("\"a\"") && msg.contains("age 14") && msg.contains("\"job\""),
            "{cell:?}: {msg}"
        );
    }
    // A person without a row at all.
    let wide = write("tcov-missing-row.csv", "id,12,13,14\na,1,1,1\nb,1,1,\n");
    let msg = p
        .with_tcov_csv(&wide, &vars(&["job"]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("\"c\"") && msg.contains("age 12"), "{msg}");
    // From an array, the panel's source is named.
    let mut x = truth(&p);
    x[[1, 1]] = f64::NAN;
    let msg = p.with_tcov("job", x.view()).unwrap_err().to_string();
    assert!(
        msg.contains("counts.csv") && msg.contains("\"b\"") && msg.contains("age 13"),
        "{msg}"
    );
}

#[test]
fn a_missing_value_at_an_unobserved_year_is_fine() {
    let p = panel();
    // b has no value at 14 and c none at 13 and 14: all unobserved.
    let long = write(
        "tcov-unobserved.csv",
        "id,age,name,value\na,12,job,1\na,13,job,2\na,14,job,3\nb,12,job,4\nb,13,job,5\n\
         b,14,job,NA\nc,12,job,6\n",
    );
    let got = p.with_tcov_csv(&long, &vars(&["job"])).unwrap();
    let x = got.tcov("job").unwrap();
    assert!(x[[1, 2]].is_nan() && x[[2, 1]].is_nan() && x[[2, 2]].is_nan());
    assert_eq!(x[[1, 1]], 5.0);
    // A value given at an unobserved year is not kept.
    let got = p.with_tcov("job", truth(&p).view()).unwrap();
    assert!(got.tcov("job").unwrap()[[1, 2]].is_nan());
    assert_eq!(got.tcov("job").unwrap()[[1, 1]], 213.0);
}

#[test]
fn a_window_keeps_the_values_of_its_ages() {
    let p = panel();
    let with = p
        .with_tcov("x", truth(&p).view())
        .unwrap()
        .with_tcov("y", (-truth(&p)).view())
        .unwrap();
    let w = with.window(13, 14).unwrap();
    // c is observed only at 12 and is dropped.
    assert_eq!(w.ids(), ["a", "b"]);
    assert_eq!(w.ages(), [13, 14]);
    assert_eq!(w.tcov_names(), ["x", "y"]);
    let x = w.tcov("x").unwrap();
    assert_eq!((x[[0, 0]], x[[0, 1]], x[[1, 0]]), (113.0, 114.0, 213.0));
    assert!(x[[1, 1]].is_nan());
    let full = with.tcov("y").unwrap();
    assert!(same(
        w.tcov("y").unwrap(),
        full.slice(s![0..2, 1..3]).view()
    ));
}

#[test]
fn text_in_a_value_names_the_row_and_column() {
    let p = panel();
    let long = write(
        "tcov-text-long.csv",
        "id,age,name,value\na,12,job,1\na,13,job,yes\n",
    );
    let err = p.with_tcov_csv(&long, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(&err, Error::NonNumeric { row: 3, column, value, .. } if column == "value" && value == "yes"),
        "{err:?}"
    );
    let wide = write(
        "tcov-text-wide.csv",
        "id,job12,job13,job14\na,1,1,1\nb,1,1,\nc,1,no,\n",
    );
    let err = p.with_tcov_csv(&wide, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(&err, Error::NonNumeric { row: 4, column, value, .. } if column == "job13" && value == "no"),
        "{err:?}"
    );
    assert!(err.to_string().contains("tcov-text-wide.csv"), "{err}");
    // A fractional age in a long file.
    let age = write("tcov-text-age.csv", "id,age,name,value\na,12.5,job,1\n");
    let err = p.with_tcov_csv(&age, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(err, Error::NonIntegerAge { row: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn a_repeated_long_row_is_refused() {
    let p = panel();
    let long = write(
        "tcov-duplicate.csv",
        "id,age,name,value\na,12,job,1\nb,12,job,1\nb,12,other,1\nA,12,job,1\na,12,job,2\n",
    );
    let err = p.with_tcov_csv(&long, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(&err, Error::DuplicateTimeCovariate { row: 6, id, age: 12, name, .. } if id == "a" && name == "job"),
        "{err:?}"
    );
    assert!(err.to_string().contains("row 6"), "{err}");
    // A repeated id in a wide file.
    let wide = write("tcov-duplicate-wide.csv", "id,12\na,1\nb,1\na,2\n");
    let err = p.with_tcov_csv(&wide, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(&err, Error::DuplicateId { row: 4, id, .. } if id == "a"),
        "{err:?}"
    );
}

#[test]
fn the_names_asked_for_are_checked() {
    let p = panel();
    let wide = write(
        "tcov-names-wide.csv",
        "id,12,13,14\na,1,1,1\nb,1,1,\nc,1,,\n",
    );
    // A wide file holds one covariate.
    let err = p.with_tcov_csv(&wide, &vars(&["u", "v"])).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "tcov-vars"),
        "{err:?}"
    );
    assert!(p.with_tcov_csv(&wide, &vars(&["u"])).is_ok());
    // None, or one twice.
    for names in [vars(&[]), vars(&["u", "U"])] {
        let err = p.with_tcov_csv(&wide, &names).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { name, .. } if name == "tcov-vars"),
            "{names:?}: {err:?}"
        );
    }
    // Names written in hypotheses.
    for bad in ["", "a b", "a-b", "a+b", "a*b", "a=b", "a,b", "a;b"] {
        let err = p
            .with_tcov("x", truth(&p).view())
            .unwrap()
            .with_tcov(bad, truth(&p).view());
        assert!(
            matches!(&err, Err(Error::InvalidParameter { name, .. }) if name == "tcov"),
            "{bad:?}: {err:?}"
        );
    }
    // A name the panel already has.
    let with = p.with_tcov("x", truth(&p).view()).unwrap();
    let err = with.with_tcov("x", truth(&p).view()).unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "tcov"));
    assert!(with.with_tcov_csv(&wide, &vars(&["x"])).is_err());
    // A shape that is not the panel's.
    let err = p.with_tcov("x", truth(&p).slice(s![.., 0..2])).unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "tcov"));
    // A covariate in no row of a long file, named with those it has.
    let long = write(
        "tcov-names-long.csv",
        "id,age,name,value\na,12,job,1\na,12,school,0\n",
    );
    let err = p
        .with_tcov_csv(&long, &vars(&["job", "married"]))
        .unwrap_err();
    assert!(
        matches!(&err, Error::BadHeader { column, .. } if column == "married"),
        "{err:?}"
    );
    assert!(err.to_string().contains("job, school"), "{err}");
    // A long file without a value column.
    let long = write("tcov-names-novalue.csv", "id,age,name\na,12,job\n");
    let err = p.with_tcov_csv(&long, &vars(&["job"])).unwrap_err();
    assert!(
        matches!(&err, Error::BadHeader { column, .. } if column == "value"),
        "{err:?}"
    );
}
