//! Every kind of bad input gives a typed [`gbtm::Error`] of the right kind, and
//! its message names the file, the row (line number, header = line 1), the
//! column and the bad value, so a user can find and fix the problem.
//!
//! Also checks the positive promises of the readers: empty / `NA` / `.` cells
//! are unobserved (not zero), persons with no observed year are dropped and
//! counted, and `12`, `age12`, `Offense12` all name age 12.

use std::path::{Path, PathBuf};

use gbtm::{Error, Gbtm, Panel, ReadOptions};
use ndarray::array;

/// A fresh, empty temporary folder unique to this test and process.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gbtm-input-errors-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `text` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

/// Asserts that the error message contains every one of `parts`.
fn assert_mentions(err: &Error, parts: &[&str]) {
    let msg = err.to_string();
    for part in parts {
        assert!(
            msg.contains(part),
            "error message {msg:?} should mention {part:?} (error: {err:?})"
        );
    }
}

fn wide_err(text: &str, name: &str) -> Error {
    match Panel::from_wide_csv_str(text, name) {
        Ok(p) => panic!("expected an error for {name}, got a panel {p:?}"),
        Err(e) => e,
    }
}

fn long_err(text: &str, name: &str) -> Error {
    match Panel::from_long_csv_str(text, name) {
        Ok(p) => panic!("expected an error for {name}, got a panel {p:?}"),
        Err(e) => e,
    }
}

fn path_err(path: &Path, opts: &ReadOptions) -> Error {
    match Panel::from_csv_path(path, opts) {
        Ok(p) => panic!(
            "expected an error for {}, got a panel {p:?}",
            path.display()
        ),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------
// 1. Negative counts
// ---------------------------------------------------------------------------

#[test]
fn negative_count_wide() {
    let err = wide_err("id,12,13\na,0,1\nb,2,-1\n", "neg-wide.csv");
    assert!(
        matches!(&err, Error::NegativeCount { path, row: 3, column, value }
            if path == "neg-wide.csv" && column == "13" && *value == -1.0),
        "{err:?}"
    );
    assert_mentions(&err, &["neg-wide.csv", "row 3", "\"13\"", "-1", "negative"]);
}

#[test]
fn negative_count_wide_keeps_header_name_as_column() {
    let err = wide_err("id,Offense12,Offense13\na,-3,1\n", "neg-offense.csv");
    assert!(
        matches!(&err, Error::NegativeCount { path, row: 2, column, value }
            if path == "neg-offense.csv" && column == "Offense12" && *value == -3.0),
        "{err:?}"
    );
    assert_mentions(&err, &["neg-offense.csv", "row 2", "Offense12", "-3"]);
}

#[test]
fn negative_count_long() {
    let err = long_err("id,age,count\na,12,0\na,13,-2\n", "neg-long.csv");
    assert!(
        matches!(&err, Error::NegativeCount { path, row: 3, column, value }
            if path == "neg-long.csv" && column == "count" && *value == -2.0),
        "{err:?}"
    );
    assert_mentions(&err, &["neg-long.csv", "row 3", "count", "-2"]);
}

#[test]
fn negative_non_integer_count_is_reported_as_negative() {
    let err = wide_err("id,12\na,-1.5\n", "neg-frac.csv");
    assert!(
        matches!(&err, Error::NegativeCount { row: 2, value, .. } if *value == -1.5),
        "{err:?}"
    );
    assert_mentions(&err, &["neg-frac.csv", "row 2", "-1.5"]);
}

#[test]
fn negative_count_from_file_names_the_path() {
    let dir = temp_dir("negative_count_from_file_names_the_path");
    let path = write(&dir, "counts.csv", "id,age12,age13\np1,1,0\np2,0,-4\n");
    let err = path_err(&path, &ReadOptions::default());
    let shown = path.display().to_string();
    assert!(
        matches!(&err, Error::NegativeCount { path: p, row: 3, column, value }
            if *p == shown && column == "age13" && *value == -4.0),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown, "row 3", "age13", "-4"]);
}

#[test]
fn negative_count_from_arrays() {
    let counts = array![[0.0, 1.0], [2.0, -1.0]];
    let err = Panel::from_arrays(counts.view(), &[12, 13], None).unwrap_err();
    assert!(
        matches!(&err, Error::NegativeCount { path, row: 3, column, value }
            if path == "<array>" && column == "13" && *value == -1.0),
        "{err:?}"
    );
    assert_mentions(&err, &["<array>", "row 3", "13", "-1"]);
}

// ---------------------------------------------------------------------------
// 2. Non-integer counts
// ---------------------------------------------------------------------------

#[test]
fn non_integer_count_wide() {
    let err = wide_err("id,12,13\na,1.5,0\n", "frac-wide.csv");
    assert!(
        matches!(&err, Error::NonIntegerCount { path, row: 2, column, value }
            if path == "frac-wide.csv" && column == "12" && *value == 1.5),
        "{err:?}"
    );
    assert_mentions(
        &err,
        &["frac-wide.csv", "row 2", "\"12\"", "1.5", "integer"],
    );
}

#[test]
fn non_integer_count_long() {
    let err = long_err("id,age,count\na,12,0\nb,12,1.5\n", "frac-long.csv");
    assert!(
        matches!(&err, Error::NonIntegerCount { path, row: 3, column, value }
            if path == "frac-long.csv" && column == "count" && *value == 1.5),
        "{err:?}"
    );
    assert_mentions(&err, &["frac-long.csv", "row 3", "count", "1.5"]);
}

#[test]
fn infinite_count_is_not_an_integer() {
    let err = wide_err("id,12\na,inf\n", "inf.csv");
    assert!(
        matches!(&err, Error::NonIntegerCount { row: 2, value, .. } if value.is_infinite()),
        "{err:?}"
    );
    assert_mentions(&err, &["inf.csv", "row 2", "inf"]);
}

#[test]
fn non_integer_count_from_arrays() {
    let counts = array![[0.5, 1.0]];
    let err = Panel::from_arrays(counts.view(), &[20, 21], None).unwrap_err();
    assert!(
        matches!(&err, Error::NonIntegerCount { path, row: 2, column, value }
            if path == "<array>" && column == "20" && *value == 0.5),
        "{err:?}"
    );
    assert_mentions(&err, &["<array>", "row 2", "20", "0.5"]);
}

// ---------------------------------------------------------------------------
// 3. Non-numeric cells
// ---------------------------------------------------------------------------

#[test]
fn non_numeric_cell_wide() {
    let err = wide_err("id,12,13\na,0,1\nb,abc,0\n", "text-wide.csv");
    assert!(
        matches!(&err, Error::NonNumeric { path, row: 3, column, value }
            if path == "text-wide.csv" && column == "12" && value == "abc"),
        "{err:?}"
    );
    assert_mentions(
        &err,
        &["text-wide.csv", "row 3", "\"12\"", "\"abc\"", "non-numeric"],
    );
}

#[test]
fn non_numeric_count_long() {
    let err = long_err("id,age,count\na,12,abc\n", "text-long.csv");
    assert!(
        matches!(&err, Error::NonNumeric { path, row: 2, column, value }
            if path == "text-long.csv" && column == "count" && value == "abc"),
        "{err:?}"
    );
    assert_mentions(&err, &["text-long.csv", "row 2", "count", "\"abc\""]);
}

#[test]
fn non_integer_age_long() {
    let err = long_err("id,age,count\na,12,0\na,12.5,1\n", "frac-age.csv");
    assert!(
        matches!(&err, Error::NonNumeric { path, row: 3, column, value }
            if path == "frac-age.csv" && column == "age" && value == "12.5"),
        "{err:?}"
    );
    assert_mentions(&err, &["frac-age.csv", "row 3", "age", "12.5"]);
}

#[test]
fn non_numeric_age_long() {
    let err = long_err("id,age,count\na,twelve,0\n", "text-age.csv");
    assert!(
        matches!(&err, Error::NonNumeric { row: 2, column, value, .. }
            if column == "age" && value == "twelve"),
        "{err:?}"
    );
    assert_mentions(&err, &["text-age.csv", "row 2", "age", "twelve"]);
}

#[test]
fn non_numeric_exposure_long() {
    let err = long_err("id,age,count,exposure\na,12,0,half\n", "text-expo.csv");
    assert!(
        matches!(&err, Error::NonNumeric { row: 2, column, value, .. }
            if column == "exposure" && value == "half"),
        "{err:?}"
    );
    assert_mentions(&err, &["text-expo.csv", "row 2", "exposure", "half"]);
}

// ---------------------------------------------------------------------------
// 4. Ragged rows
// ---------------------------------------------------------------------------

#[test]
fn ragged_row_too_few_cells() {
    let err = wide_err("id,12,13,14\na,0,1,2\nb,0,1\n", "short.csv");
    assert!(
        matches!(&err, Error::RaggedRow { path, row: 3, expected: 4, found: 3 }
            if path == "short.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["short.csv", "row 3", "expected 4", "found 3"]);
}

#[test]
fn ragged_row_too_many_cells() {
    let err = wide_err("id,12,13\na,0,1,2,3\n", "long-row.csv");
    assert!(
        matches!(&err, Error::RaggedRow { path, row: 2, expected: 3, found: 5 }
            if path == "long-row.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["long-row.csv", "row 2", "expected 3", "found 5"]);
}

#[test]
fn ragged_row_long_file() {
    let err = long_err("id,age,count\na,12,0\na,13\n", "ragged-long.csv");
    assert!(
        matches!(&err, Error::RaggedRow { path, row: 3, expected: 3, found: 2 }
            if path == "ragged-long.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["ragged-long.csv", "row 3", "expected 3", "found 2"]);
}

#[test]
fn row_numbers_count_blank_lines() {
    // The blank line 3 is skipped but still counts: the bad cell is on line 4.
    let err = wide_err("id,12\na,1\n\nb,-1\n", "blank.csv");
    assert!(
        matches!(&err, Error::NegativeCount { row: 4, .. }),
        "{err:?}"
    );
    assert_mentions(&err, &["blank.csv", "row 4"]);
}

#[test]
fn row_numbers_are_line_numbers_in_crlf_files() {
    // Windows line endings (Excel, Stata exports): the bad cell is on line 3.
    let err = wide_err("id,12\r\na,1\r\nb,-1\r\n", "crlf.csv");
    assert!(
        matches!(&err, Error::NegativeCount { row: 3, .. }),
        "{err:?}"
    );
    assert_mentions(&err, &["crlf.csv", "row 3"]);
    let err = long_err("id,age,count\r\na,12,0\r\na,13,1.5\r\n", "crlf-long.csv");
    assert!(
        matches!(&err, Error::NonIntegerCount { row: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn row_numbers_count_lines_inside_quoted_cells() {
    // A quoted id spanning lines 2-3: the next record starts on line 4.
    let err = wide_err("id,12\n\"a\nb\",1\nc,-1\n", "quoted.csv");
    assert!(
        matches!(&err, Error::NegativeCount { row: 4, .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------
// 5. Duplicates
// ---------------------------------------------------------------------------

#[test]
fn duplicate_observation_long() {
    let err = long_err(
        "id,age,count\na,12,0\nb,12,1\na,13,2\na,12,3\n",
        "dup-long.csv",
    );
    assert!(
        matches!(&err, Error::DuplicateObservation { path, row: 5, id, age: 12 }
            if path == "dup-long.csv" && id == "a"),
        "{err:?}"
    );
    assert_mentions(
        &err,
        &["dup-long.csv", "row 5", "duplicate", "\"a\"", "age 12"],
    );
}

#[test]
fn duplicate_observation_long_even_when_unobserved() {
    // A repeated (id, age) pair is a data error even if one copy is missing.
    let err = long_err("id,age,count\na,12,NA\na,12,1\n", "dup-na.csv");
    assert!(
        matches!(&err, Error::DuplicateObservation { row: 3, id, age: 12, .. } if id == "a"),
        "{err:?}"
    );
    assert_mentions(&err, &["dup-na.csv", "row 3"]);
}

#[test]
fn duplicate_id_wide() {
    let err = wide_err("id,12,13\na,0,1\nb,1,1\na,2,2\n", "dup-id.csv");
    assert!(
        matches!(&err, Error::DuplicateId { path, row: 4, id } if path == "dup-id.csv" && id == "a"),
        "{err:?}"
    );
    assert_mentions(&err, &["dup-id.csv", "row 4", "duplicate id", "\"a\""]);
}

#[test]
fn duplicate_age_column_is_bad_header() {
    let err = wide_err("id,12,age12\na,0,1\n", "dup-age.csv");
    assert!(
        matches!(&err, Error::BadHeader { path, column, message }
            if path == "dup-age.csv" && column == "age12" && message.contains("12")),
        "{err:?}"
    );
    assert_mentions(&err, &["dup-age.csv", "\"age12\"", "twice"]);
}

#[test]
fn duplicate_id_column_is_bad_header() {
    let err = wide_err("id,12,ID\na,0,b\n", "dup-idcol.csv");
    assert!(
        matches!(&err, Error::BadHeader { path, column, .. }
            if path == "dup-idcol.csv" && column == "ID"),
        "{err:?}"
    );
    assert_mentions(&err, &["dup-idcol.csv", "ID", "twice"]);
}

// ---------------------------------------------------------------------------
// 6. Exposures outside (0, 1]
// ---------------------------------------------------------------------------

fn exposure_file_err(test: &str, bad: &str) -> (Error, String) {
    let dir = temp_dir(test);
    let counts = write(&dir, "counts.csv", "id,12,13\na,0,1\nb,2,0\n");
    let expo = write(
        &dir,
        "exposure.csv",
        &format!("id,12,13\na,1,0.5\nb,{bad},1\n"),
    );
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    (path_err(&counts, &opts), expo.display().to_string())
}

#[test]
fn zero_exposure_in_exposure_file() {
    let (err, expo) = exposure_file_err("zero_exposure_in_exposure_file", "0");
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if *path == expo && column == "12" && *value == 0.0),
        "{err:?}"
    );
    assert_mentions(&err, &[&expo, "row 3", "\"12\"", "exposure 0", "(0, 1]"]);
}

#[test]
fn negative_exposure_in_exposure_file() {
    let (err, expo) = exposure_file_err("negative_exposure_in_exposure_file", "-0.5");
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if *path == expo && column == "12" && *value == -0.5),
        "{err:?}"
    );
    assert_mentions(&err, &[&expo, "row 3", "\"12\"", "-0.5"]);
}

#[test]
fn exposure_above_one_in_exposure_file() {
    let (err, expo) = exposure_file_err("exposure_above_one_in_exposure_file", "1.5");
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if *path == expo && column == "12" && *value == 1.5),
        "{err:?}"
    );
    assert_mentions(&err, &[&expo, "row 3", "\"12\"", "1.5"]);
}

#[test]
fn non_numeric_exposure_in_exposure_file() {
    let (err, expo) = exposure_file_err("non_numeric_exposure_in_exposure_file", "full");
    assert!(
        matches!(&err, Error::NonNumeric { path, row: 3, column, value }
            if *path == expo && column == "12" && value == "full"),
        "{err:?}"
    );
    assert_mentions(&err, &[&expo, "row 3", "full"]);
}

fn long_exposure_err(bad: &str, name: &str) -> Error {
    long_err(
        &format!("id,age,count,exposure\na,12,0,1\na,13,1,{bad}\n"),
        name,
    )
}

#[test]
fn zero_exposure_long() {
    let err = long_exposure_err("0", "expo0-long.csv");
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if path == "expo0-long.csv" && column == "exposure" && *value == 0.0),
        "{err:?}"
    );
    assert_mentions(&err, &["expo0-long.csv", "row 3", "exposure", "exposure 0"]);
}

#[test]
fn negative_exposure_long() {
    let err = long_exposure_err("-0.5", "exponeg-long.csv");
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if path == "exponeg-long.csv" && column == "exposure" && *value == -0.5),
        "{err:?}"
    );
    assert_mentions(&err, &["exponeg-long.csv", "row 3", "-0.5"]);
}

#[test]
fn exposure_above_one_long() {
    let err = long_exposure_err("2", "expo2-long.csv");
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if path == "expo2-long.csv" && column == "exposure" && *value == 2.0),
        "{err:?}"
    );
    assert_mentions(&err, &["expo2-long.csv", "row 3", "exposure 2"]);
}

#[test]
fn missing_exposure_for_observed_count_long() {
    let err = long_exposure_err("", "expo-missing-long.csv");
    assert!(
        matches!(&err, Error::MissingExposure { path, row: 3, column }
            if path == "expo-missing-long.csv" && column == "exposure"),
        "{err:?}"
    );
    assert_mentions(
        &err,
        &["expo-missing-long.csv", "row 3", "exposure is missing"],
    );
}

#[test]
fn long_exposure_is_ignored_where_count_is_unobserved() {
    let p = Panel::from_long_csv_str(
        "id,age,count,exposure\na,12,0,1\na,13,NA,\nb,12,1,0.5\nb,13,2,0.25\n",
        "expo-ok-long.csv",
    )
    .expect("valid long file with exposure");
    assert_eq!(p.n_observations(), 3);
    let e = p.exposure().expect("exposure column read");
    assert_eq!(e[[1, 0]], 0.5);
    assert_eq!(e[[1, 1]], 0.25);
}

#[test]
fn bad_exposure_from_arrays() {
    let counts = array![[0.0, 1.0], [2.0, 0.0]];
    let expo = array![[1.0, 1.0], [1.0, 0.0]];
    let err = Panel::from_arrays(counts.view(), &[12, 13], Some(expo.view())).unwrap_err();
    assert!(
        matches!(&err, Error::BadExposure { path, row: 3, column, value }
            if path == "<array>" && column == "13" && *value == 0.0),
        "{err:?}"
    );
    assert_mentions(&err, &["<array>", "row 3", "13"]);
}

// ---------------------------------------------------------------------------
// 7. No persons / empty windows
// ---------------------------------------------------------------------------

#[test]
fn header_only_wide_file_has_no_persons() {
    let err = wide_err("id,12,13\n", "header-only.csv");
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "header-only.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["header-only.csv", "no persons"]);
}

#[test]
fn header_only_long_file_has_no_persons() {
    let err = long_err("id,age,count\n", "header-only-long.csv");
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "header-only-long.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["header-only-long.csv", "no persons"]);
}

#[test]
fn header_only_file_from_path_has_no_persons() {
    let dir = temp_dir("header_only_file_from_path_has_no_persons");
    let path = write(&dir, "empty.csv", "id,age12,age13\n");
    let err = path_err(&path, &ReadOptions::default());
    let shown = path.display().to_string();
    assert!(
        matches!(&err, Error::NoPersons { path: p } if *p == shown),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown]);
}

#[test]
fn empty_file_has_no_persons() {
    let err = wide_err("", "empty.csv");
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "empty.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["empty.csv"]);
}

#[test]
fn all_cells_empty_wide_has_no_persons() {
    let err = wide_err("id,12,13\na,,\nb,NA,.\n", "all-missing.csv");
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "all-missing.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["all-missing.csv", "no persons"]);
}

#[test]
fn all_counts_missing_long_has_no_persons() {
    let err = long_err("id,age,count\na,12,NA\nb,13,\n", "all-missing-long.csv");
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "all-missing-long.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["all-missing-long.csv"]);
}

#[test]
fn all_nan_array_has_no_persons() {
    let counts = array![[f64::NAN, f64::NAN]];
    let err = Panel::from_arrays(counts.view(), &[12, 13], None).unwrap_err();
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "<array>"),
        "{err:?}"
    );
}

#[test]
fn window_with_no_columns_is_invalid_parameter() {
    let p = Panel::from_wide_csv_str("id,12,13,14\na,0,1,2\n", "win.csv").unwrap();
    let err = p.window(30, 40).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, message }
            if name == "ages" && message.contains("30") && message.contains("40")),
        "{err:?}"
    );
    assert_mentions(&err, &["ages", "30", "40", "win.csv"]);
}

#[test]
fn reversed_window_is_invalid_parameter() {
    let p = Panel::from_wide_csv_str("id,12,13,14\na,0,1,2\n", "win-rev.csv").unwrap();
    let err = p.window(14, 12).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "ages"),
        "{err:?}"
    );
    assert_mentions(&err, &["ages", "14", "12"]);
}

#[test]
fn window_with_no_columns_from_path_is_invalid_parameter() {
    let dir = temp_dir("window_with_no_columns_from_path_is_invalid_parameter");
    let path = write(&dir, "counts.csv", "id,12,13\na,0,1\n");
    let opts = ReadOptions {
        ages: Some((20, 25)),
        exposure: None,
    };
    let err = path_err(&path, &opts);
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "ages"),
        "{err:?}"
    );
    assert_mentions(&err, &["20", "25", &path.display().to_string()]);
}

#[test]
fn window_leaving_nobody_observed_has_no_persons() {
    let p = Panel::from_wide_csv_str("id,12,13,14\na,0,,\nb,1,,\n", "win-empty.csv").unwrap();
    let err = p.window(13, 14).unwrap_err();
    assert!(
        matches!(&err, Error::NoPersons { path } if path == "win-empty.csv"),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------
// 8. More groups than persons
// ---------------------------------------------------------------------------

fn three_persons() -> Panel {
    Panel::from_wide_csv_str(
        "id,12,13,14,15\na,0,1,2,3\nb,1,1,0,0\nc,4,3,2,1\n",
        "three.csv",
    )
    .unwrap()
}

#[test]
fn too_many_groups_poisson() {
    let panel = three_persons();
    let err = Gbtm::poisson(5).order(1).fit(&panel).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyGroups {
                groups: 5,
                persons: 3
            }
        ),
        "{err:?}"
    );
    assert_mentions(&err, &["5 groups", "3 persons"]);
}

#[test]
fn too_many_groups_zip() {
    let panel = three_persons();
    let err = Gbtm::zip(4).order(1).fit(&panel).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyGroups {
                groups: 4,
                persons: 3
            }
        ),
        "{err:?}"
    );
    assert_mentions(&err, &["4 groups", "3 persons"]);
}

#[test]
fn too_many_groups_counts_only_kept_persons() {
    // Person c has no observed year and is dropped: 2 persons remain.
    let panel =
        Panel::from_wide_csv_str("id,12,13,14\na,0,1,2\nb,1,1,0\nc,,,\n", "dropped.csv").unwrap();
    assert_eq!((panel.n_persons(), panel.n_dropped()), (2, 1));
    let err = Gbtm::poisson(3).order(1).fit(&panel).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyGroups {
                groups: 3,
                persons: 2
            }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------
// 9. Bad headers
// ---------------------------------------------------------------------------

#[test]
fn header_without_age_is_bad_header() {
    let err = wide_err("id,12,sex,13\na,0,m,1\n", "sex.csv");
    assert!(
        matches!(&err, Error::BadHeader { path, column, message }
            if path == "sex.csv" && column == "sex" && message.contains("age")),
        "{err:?}"
    );
    assert_mentions(&err, &["sex.csv", "\"sex\"", "age12"]);
}

#[test]
fn long_header_with_misspelt_count_is_bad_header() {
    // Not a long file (no `count`), so it is read as wide and `age` has no
    // trailing integer: the message must point the user at `id,age,count`.
    let dir = temp_dir("long_header_with_misspelt_count_is_bad_header");
    let path = write(&dir, "long.csv", "id,age,cnt\na,12,0\n");
    let err = path_err(&path, &ReadOptions::default());
    assert!(
        matches!(&err, Error::BadHeader { column, .. } if column == "age"),
        "{err:?}"
    );
    assert_mentions(
        &err,
        &[&path.display().to_string(), "\"age\"", "id,age,count"],
    );
}

#[test]
fn long_file_without_id_is_bad_header() {
    let err = long_err("age,count\n12,0\n", "no-id.csv");
    assert!(
        matches!(&err, Error::BadHeader { path, column, .. } if path == "no-id.csv" && column == "id"),
        "{err:?}"
    );
    assert_mentions(&err, &["no-id.csv", "\"id\""]);
}

#[test]
fn wide_file_with_only_id_is_bad_header() {
    let err = wide_err("id\na\n", "only-id.csv");
    assert!(
        matches!(&err, Error::BadHeader { path, .. } if path == "only-id.csv"),
        "{err:?}"
    );
    assert_mentions(&err, &["only-id.csv", "no age columns"]);
}

// ---------------------------------------------------------------------------
// 10. Exposure files that do not line up with the counts
// ---------------------------------------------------------------------------

#[test]
fn exposure_file_with_different_row_count() {
    let dir = temp_dir("exposure_file_with_different_row_count");
    let counts = write(&dir, "counts.csv", "12,13\n0,1\n2,0\n1,1\n");
    let expo = write(&dir, "exposure.csv", "12,13\n1,1\n0.5,1\n");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    let err = path_err(&counts, &opts);
    let shown = expo.display().to_string();
    assert!(
        matches!(&err, Error::ExposureMismatch { path, message }
            if *path == shown && message.contains('2') && message.contains('3')),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown, "2 exposure rows", "3 count rows"]);
}

#[test]
fn exposure_file_missing_an_id() {
    let dir = temp_dir("exposure_file_missing_an_id");
    let counts = write(&dir, "counts.csv", "id,12,13\na,0,1\nb,2,0\n");
    let expo = write(&dir, "exposure.csv", "id,12,13\na,1,1\n");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    let err = path_err(&counts, &opts);
    let shown = expo.display().to_string();
    assert!(
        matches!(&err, Error::ExposureMismatch { path, message }
            if *path == shown && message.contains("\"b\"")),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown, "\"b\""]);
}

#[test]
fn exposure_missing_where_count_observed() {
    let dir = temp_dir("exposure_missing_where_count_observed");
    let counts = write(&dir, "counts.csv", "id,12,13\na,0,1\nb,2,0\n");
    // b's exposure at 13 is empty although b's count at 13 is observed.
    let expo = write(&dir, "exposure.csv", "id,12,13\na,1,1\nb,0.5,\n");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    let err = path_err(&counts, &opts);
    let shown = expo.display().to_string();
    assert!(
        matches!(&err, Error::ExposureMismatch { path, message }
            if *path == shown && message.contains("row 3") && message.contains("13")),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown, "row 3", "age 13", "no exposure"]);
}

#[test]
fn exposure_file_missing_an_age_column() {
    let dir = temp_dir("exposure_file_missing_an_age_column");
    let counts = write(&dir, "counts.csv", "id,12,13\na,0,1\n");
    let expo = write(&dir, "exposure.csv", "id,12\na,1\n");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    let err = path_err(&counts, &opts);
    let shown = expo.display().to_string();
    assert!(
        matches!(&err, Error::ExposureMismatch { path, .. } if *path == shown),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown, "age 13"]);
}

#[test]
fn exposure_missing_where_count_unobserved_is_fine() {
    let dir = temp_dir("exposure_missing_where_count_unobserved_is_fine");
    let counts = write(&dir, "counts.csv", "id,12,13\na,0,1\nb,2,\n");
    let expo = write(&dir, "exposure.csv", "id,12,13\nb,0.5,\na,1,0.25\n");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo),
    };
    let p = Panel::from_csv_path(&counts, &opts).expect("aligned by id");
    let e = p.exposure().expect("exposure attached");
    assert_eq!(p.ids(), &["a".to_string(), "b".to_string()]);
    assert_eq!(e[[0, 1]], 0.25);
    assert_eq!(e[[1, 0]], 0.5);
    assert_eq!(p.n_observations(), 3);
}

#[test]
fn exposure_file_for_long_counts_is_mismatch() {
    let dir = temp_dir("exposure_file_for_long_counts_is_mismatch");
    let counts = write(&dir, "long.csv", "id,age,count\na,12,0\n");
    let expo = write(&dir, "exposure.csv", "id,12\na,1\n");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    let err = path_err(&counts, &opts);
    let shown = expo.display().to_string();
    assert!(
        matches!(&err, Error::ExposureMismatch { path, .. } if *path == shown),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown, "long", "exposure"]);
}

#[test]
fn exposure_array_of_wrong_shape_is_mismatch() {
    let counts = array![[0.0, 1.0], [2.0, 0.0]];
    let expo = array![[1.0, 1.0, 1.0]];
    let err = Panel::from_arrays(counts.view(), &[12, 13], Some(expo.view())).unwrap_err();
    assert!(
        matches!(&err, Error::ExposureMismatch { path, .. } if path == "<array>"),
        "{err:?}"
    );
    assert_mentions(&err, &["<array>"]);
}

#[test]
fn ages_not_matching_array_is_invalid_parameter() {
    let counts = array![[0.0, 1.0]];
    let err = Panel::from_arrays(counts.view(), &[12, 13, 14], None).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "ages"),
        "{err:?}"
    );
    let err = Panel::from_arrays(counts.view(), &[13, 12], None).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "ages"),
        "{err:?}"
    );
    assert_mentions(&err, &["ages", "increasing"]);
}

// ---------------------------------------------------------------------------
// 11. Missing files
// ---------------------------------------------------------------------------

#[test]
fn missing_counts_file_is_io_error_naming_path() {
    let dir = temp_dir("missing_counts_file_is_io_error_naming_path");
    let path = dir.join("does-not-exist.csv");
    let err = path_err(&path, &ReadOptions::default());
    let shown = path.display().to_string();
    assert!(
        matches!(&err, Error::Io { path: p, source }
            if *p == shown && source.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown]);
    assert!(
        std::error::Error::source(&err).is_some(),
        "Io keeps its source"
    );
}

#[test]
fn missing_exposure_file_is_io_error_naming_path() {
    let dir = temp_dir("missing_exposure_file_is_io_error_naming_path");
    let counts = write(&dir, "counts.csv", "id,12\na,1\n");
    let expo = dir.join("no-exposure.csv");
    let opts = ReadOptions {
        ages: None,
        exposure: Some(expo.clone()),
    };
    let err = path_err(&counts, &opts);
    let shown = expo.display().to_string();
    assert!(
        matches!(&err, Error::Io { path: p, .. } if *p == shown),
        "{err:?}"
    );
    assert_mentions(&err, &[&shown]);
}

#[test]
fn non_utf8_file_is_a_typed_error_naming_path() {
    let dir = temp_dir("non_utf8_file_is_a_typed_error_naming_path");
    let path = dir.join("latin1.csv");
    std::fs::write(&path, b"id,12\n\xe9,1\n").unwrap();
    let err = path_err(&path, &ReadOptions::default());
    assert!(
        matches!(&err, Error::Io { .. } | Error::Csv { .. }),
        "{err:?}"
    );
    assert_mentions(&err, &[&path.display().to_string()]);
}

// ---------------------------------------------------------------------------
// Positive promises of the readers
// ---------------------------------------------------------------------------

#[test]
fn missing_markers_are_unobserved_not_zero() {
    let p = Panel::from_wide_csv_str(
        "id,12,13,14,15,16\na,0,,NA,.,1\nb,na,NaN,2,0,\n",
        "markers.csv",
    )
    .unwrap();
    assert_eq!(p.n_persons(), 2);
    assert_eq!(p.n_observations(), 4);
    let obs = p.observed();
    assert_eq!(obs.row(0).to_vec(), vec![true, false, false, false, true]);
    assert_eq!(obs.row(1).to_vec(), vec![false, false, true, true, false]);
    // An observed zero is observed.
    assert!(obs[[0, 0]] && p.counts()[[0, 0]] == 0.0);
    assert_eq!(p.n_dropped(), 0);
}

#[test]
fn missing_markers_in_long_file_are_unobserved() {
    let p = Panel::from_long_csv_str(
        "id,age,count\na,12,0\na,13,NA\na,14,.\nb,12,\nb,13,2\n",
        "markers-long.csv",
    )
    .unwrap();
    assert_eq!(p.n_persons(), 2);
    assert_eq!(p.n_observations(), 2);
}

#[test]
fn whitespace_around_cells_is_trimmed() {
    let p = Panel::from_wide_csv_str("id, 12 , 13\na, 1 ,  \n", "spaces.csv").unwrap();
    assert_eq!(p.ages(), &[12, 13]);
    assert_eq!(p.n_observations(), 1);
    assert_eq!(p.counts()[[0, 0]], 1.0);
}

#[test]
fn person_with_no_observed_year_is_dropped_and_counted() {
    let p = Panel::from_wide_csv_str("id,12,13\na,0,1\nb,,\nc,NA,.\nd,2,\n", "drop.csv").unwrap();
    assert_eq!(p.n_persons(), 2);
    assert_eq!(p.n_dropped(), 2);
    assert_eq!(p.ids(), &["a".to_string(), "d".to_string()]);
    assert_eq!(p.n_observations(), 3);
}

#[test]
fn person_with_no_observed_year_in_long_file_is_dropped() {
    let p = Panel::from_long_csv_str("id,age,count\na,12,1\nb,12,NA\n", "drop-long.csv").unwrap();
    assert_eq!((p.n_persons(), p.n_dropped()), (1, 1));
}

#[test]
fn person_with_no_observed_year_in_window_is_dropped_and_counted() {
    let dir = temp_dir("person_with_no_observed_year_in_window_is_dropped_and_counted");
    let path = write(
        &dir,
        "counts.csv",
        "id,12,13,14,15\na,1,0,,\nb,,,2,1\nc,0,,,3\nd,,,,\n",
    );
    let opts = ReadOptions {
        ages: Some((12, 13)),
        exposure: None,
    };
    let p = Panel::from_csv_path(&path, &opts).unwrap();
    assert_eq!(p.ages(), &[12, 13]);
    // d has no observed year at all; b none in 12..=13. Both are counted.
    assert_eq!(p.ids(), &["a".to_string(), "c".to_string()]);
    assert_eq!(p.n_dropped(), 2);
    assert_eq!(p.n_observations(), 3);
}

#[test]
fn header_forms_all_parse_to_ages() {
    for (header, name) in [
        ("id,12,13,14", "plain.csv"),
        ("id,age12,age13,age14", "age.csv"),
        ("id,Offense12,Offense13,Offense14", "offense.csv"),
        ("ID,age12,13,Offense14", "mixed.csv"),
    ] {
        let text = format!("{header}\na,0,1,2\n");
        let p = Panel::from_wide_csv_str(&text, name).unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(p.ages(), &[12, 13, 14], "{header}");
        assert_eq!(p.counts().row(0).to_vec(), vec![0.0, 1.0, 2.0], "{header}");
    }
}

#[test]
fn age_columns_out_of_order_are_sorted() {
    let p = Panel::from_wide_csv_str("id,14,12,13\na,2,0,1\n", "unsorted.csv").unwrap();
    assert_eq!(p.ages(), &[12, 13, 14]);
    assert_eq!(p.counts().row(0).to_vec(), vec![0.0, 1.0, 2.0]);
}

#[test]
fn wide_file_without_id_column_numbers_persons() {
    let p = Panel::from_wide_csv_str("12,13\n0,1\n2,\n", "noid.csv").unwrap();
    assert_eq!(p.ids(), &["1".to_string(), "2".to_string()]);
    assert_eq!(p.n_observations(), 3);
}

#[test]
fn csv_path_detects_long_files() {
    let dir = temp_dir("csv_path_detects_long_files");
    let path = write(&dir, "long.csv", "ID,Age,Count\na,13,1\na,12,0\nb,12,2\n");
    let p = Panel::from_csv_path(&path, &ReadOptions::default()).unwrap();
    assert_eq!(p.ages(), &[12, 13]);
    assert_eq!((p.n_persons(), p.n_observations()), (2, 3));
}
