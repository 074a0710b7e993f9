//! Every kind of bad input gives a typed [`gbtm::Error`] of the right kind, and
//! its message names the file, the row (line number, header = line 1), the
//! column and the bad value, so a user can find and fix the problem.
//!
//! The bad inputs are tables of cases, one `#[test]` per table; each test runs
//! every case and reports all failing cases, by name, in one panic:
//!
//! * [`TEXT_CASES`]: wide and long CSV text read in memory, and age windows cut
//!   from a valid wide file: negative, fractional, infinite and non-numeric
//!   cells, ragged rows, row numbering (blank lines, CRLF, quoted line breaks),
//!   duplicates, bad long-file exposures, no persons, bad headers, bad windows;
//! * [`ARRAY_CASES`]: panels built from arrays, which are named `<array>`;
//! * [`FILE_CASES`]: files on disk read with [`ReadOptions`]: bad exposure
//!   files or ones that do not line up with the counts, an age window outside
//!   the data, misread headers, missing and non-UTF-8 files.
//!
//! For every case the error must satisfy the case's pattern (variant, row,
//! column, value), and its message must contain every listed part. Where the
//! variant has a `path`, it must be the source the case read (the file name,
//! `<array>`, or the path of the file at fault: the exposure file when the
//! case has one, else the counts file) and the message must contain it. File
//! errors must name the path of the file at fault whatever their variant.
//!
//! Ordinary tests check more groups than persons and the positive promises of
//! the readers: empty / `NA` / `.` cells are unobserved (not zero), persons
//! with no observed year are dropped and counted, and `12`, `age12`,
//! `Offense12` all name age 12.
//!
//! The tables are laid out by hand (`#[rustfmt::skip]`), one case in a few lines.

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use gbtm::{Error, Gbtm, Panel, ReadOptions};
use ndarray::Array2;

/// A fresh, empty temporary folder unique to this test and process.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gbtm-input-errors-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `contents` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

/// Is the error of the expected variant, with the expected fields?
type Want = fn(&Error) -> bool;

/// The `path` field of the variants that have one.
fn path_of(err: &Error) -> Option<&str> {
    match err {
        Error::Io { path, .. }
        | Error::Csv { path, .. }
        | Error::BadHeader { path, .. }
        | Error::RaggedRow { path, .. }
        | Error::NonNumeric { path, .. }
        | Error::NonIntegerAge { path, .. }
        | Error::NegativeCount { path, .. }
        | Error::NonIntegerCount { path, .. }
        | Error::BadExposure { path, .. }
        | Error::MissingExposure { path, .. }
        | Error::DuplicateObservation { path, .. }
        | Error::DuplicateId { path, .. }
        | Error::ExposureMismatch { path, .. }
        | Error::NoPersons { path }
        | Error::Json { path, .. } => Some(path),
        _ => None,
    }
}

/// The failures of one table, so that a run reports every failing case.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    /// Records why `got` is not the expected error: it must be an error that
    /// `want` accepts; if its variant has a `path`, that must be `source` and
    /// the message must contain it; and the message must contain every part.
    fn expect_err<T: Debug>(
        &mut self,
        case: &str,
        got: Result<T, Error>,
        source: Option<&str>,
        want: Want,
        mentions: &[&str],
    ) {
        let err = match got {
            Ok(v) => return self.fail(case, format!("expected an error, got {v:?}")),
            Err(e) => e,
        };
        let msg = err.to_string();
        if !want(&err) {
            self.fail(case, format!("not the expected error: {err:?}"));
        }
        if let (Some(src), Some(path)) = (source, path_of(&err))
            && (path != src || !msg.contains(src))
        {
            self.fail(case, format!("error {err:?} should name {src:?}"));
        }
        for part in mentions {
            if !msg.contains(part) {
                self.fail(
                    case,
                    format!("error message {msg:?} should mention {part:?}"),
                );
            }
        }
    }

    fn fail(&mut self, case: &str, why: String) {
        self.0.push(format!("{case}: {why}"));
    }

    /// Panics listing every failure, if there is any.
    fn assert_none(self) {
        let n = self.0.len();
        assert!(n == 0, "{n} failure(s):\n{}", self.0.join("\n"));
    }
}

// ---------------------------------------------------------------------------
// CSV text read in memory
// ---------------------------------------------------------------------------

/// The text a [`Case`] reads, and how.
#[derive(Clone, Copy)]
enum Input {
    Wide(&'static str),
    Long(&'static str),
    /// A valid wide file, cut to the ages `from..=to`.
    Window(&'static str, i64, i64),
}
use Input::{Long, Wide, Window};

/// CSV text, read under the name `file`, that must fail.
struct Case {
    file: &'static str,
    input: Input,
    mentions: &'static [&'static str],
    want: Want,
}

#[rustfmt::skip]
const TEXT_CASES: &[Case] = &[
    // Negative counts; a header name such as `Offense12` is the column.
    Case { file: "neg-wide.csv", input: Wide("id,12,13\na,0,1\nb,2,-1\n"),
        mentions: &["row 3", "\"13\"", "-1", "negative"],
        want: |e| matches!(e, Error::NegativeCount { row: 3, column, value, .. }
            if column == "13" && *value == -1.0) },
    Case { file: "neg-offense.csv", input: Wide("id,Offense12,Offense13\na,-3,1\n"),
        mentions: &["row 2", "Offense12", "-3"],
        want: |e| matches!(e, Error::NegativeCount { row: 2, column, value, .. }
            if column == "Offense12" && *value == -3.0) },
    Case { file: "neg-long.csv", input: Long("id,age,count\na,12,0\na,13,-2\n"),
        mentions: &["row 3", "count", "-2"],
        want: |e| matches!(e, Error::NegativeCount { row: 3, column, value, .. }
            if column == "count" && *value == -2.0) },
    // A negative non-integer is reported as negative.
    Case { file: "neg-frac.csv", input: Wide("id,12\na,-1.5\n"),
        mentions: &["row 2", "-1.5"],
        want: |e| matches!(e, Error::NegativeCount { row: 2, value, .. } if *value == -1.5) },

    // Non-integer counts; infinity is not an integer.
    Case { file: "frac-wide.csv", input: Wide("id,12,13\na,1.5,0\n"),
        mentions: &["row 2", "\"12\"", "1.5", "integer"],
        want: |e| matches!(e, Error::NonIntegerCount { row: 2, column, value, .. }
            if column == "12" && *value == 1.5) },
    Case { file: "frac-long.csv", input: Long("id,age,count\na,12,0\nb,12,1.5\n"),
        mentions: &["row 3", "count", "1.5"],
        want: |e| matches!(e, Error::NonIntegerCount { row: 3, column, value, .. }
            if column == "count" && *value == 1.5) },
    Case { file: "inf.csv", input: Wide("id,12\na,inf\n"),
        mentions: &["row 2", "inf"],
        want: |e| matches!(e, Error::NonIntegerCount { row: 2, value, .. }
            if value.is_infinite()) },

    // Non-numeric cells: counts, ages (a fractional age too) and exposures.
    Case { file: "text-wide.csv", input: Wide("id,12,13\na,0,1\nb,abc,0\n"),
        mentions: &["row 3", "\"12\"", "\"abc\"", "non-numeric"],
        want: |e| matches!(e, Error::NonNumeric { row: 3, column, value, .. }
            if column == "12" && value == "abc") },
    Case { file: "text-long.csv", input: Long("id,age,count\na,12,abc\n"),
        mentions: &["row 2", "count", "\"abc\""],
        want: |e| matches!(e, Error::NonNumeric { row: 2, column, value, .. }
            if column == "count" && value == "abc") },
    Case { file: "frac-age.csv", input: Long("id,age,count\na,12,0\na,12.5,1\n"),
        mentions: &["row 3", "age", "12.5"],
        want: |e| matches!(e, Error::NonIntegerAge { row: 3, column, value, .. }
            if column == "age" && value == "12.5") },
    Case { file: "text-age.csv", input: Long("id,age,count\na,twelve,0\n"),
        mentions: &["row 2", "age", "twelve"],
        want: |e| matches!(e, Error::NonNumeric { row: 2, column, value, .. }
            if column == "age" && value == "twelve") },
    Case { file: "text-expo.csv", input: Long("id,age,count,exposure\na,12,0,half\n"),
        mentions: &["row 2", "exposure", "half"],
        want: |e| matches!(e, Error::NonNumeric { row: 2, column, value, .. }
            if column == "exposure" && value == "half") },

    // Ragged rows: too few cells, too many, in a long file.
    Case { file: "short.csv", input: Wide("id,12,13,14\na,0,1,2\nb,0,1\n"),
        mentions: &["row 3", "expected 4", "found 3"],
        want: |e| matches!(e, Error::RaggedRow { row: 3, expected: 4, found: 3, .. }) },
    Case { file: "long-row.csv", input: Wide("id,12,13\na,0,1,2,3\n"),
        mentions: &["row 2", "expected 3", "found 5"],
        want: |e| matches!(e, Error::RaggedRow { row: 2, expected: 3, found: 5, .. }) },
    Case { file: "ragged-long.csv", input: Long("id,age,count\na,12,0\na,13\n"),
        mentions: &["row 3", "expected 3", "found 2"],
        want: |e| matches!(e, Error::RaggedRow { row: 3, expected: 3, found: 2, .. }) },

    // Row numbers are line numbers. The blank line 3 is skipped but counts.
    Case { file: "blank.csv", input: Wide("id,12\na,1\n\nb,-1\n"),
        mentions: &["row 4"],
        want: |e| matches!(e, Error::NegativeCount { row: 4, .. }) },
    // Windows line endings (Excel, Stata exports): the bad cell is on line 3.
    Case { file: "crlf.csv", input: Wide("id,12\r\na,1\r\nb,-1\r\n"),
        mentions: &["row 3"],
        want: |e| matches!(e, Error::NegativeCount { row: 3, .. }) },
    Case { file: "crlf-long.csv", input: Long("id,age,count\r\na,12,0\r\na,13,1.5\r\n"),
        mentions: &[],
        want: |e| matches!(e, Error::NonIntegerCount { row: 3, .. }) },
    // A quoted id spanning lines 2-3: the next record starts on line 4.
    Case { file: "quoted.csv", input: Wide("id,12\n\"a\nb\",1\nc,-1\n"),
        mentions: &[],
        want: |e| matches!(e, Error::NegativeCount { row: 4, .. }) },

    // Duplicates. A repeated (id, age) pair is an error even if one copy is missing.
    Case { file: "dup-long.csv", input: Long("id,age,count\na,12,0\nb,12,1\na,13,2\na,12,3\n"),
        mentions: &["row 5", "duplicate", "\"a\"", "age 12"],
        want: |e| matches!(e, Error::DuplicateObservation { row: 5, id, age: 12, .. }
            if id == "a") },
    Case { file: "dup-na.csv", input: Long("id,age,count\na,12,NA\na,12,1\n"),
        mentions: &["row 3"],
        want: |e| matches!(e, Error::DuplicateObservation { row: 3, id, age: 12, .. }
            if id == "a") },
    Case { file: "dup-id.csv", input: Wide("id,12,13\na,0,1\nb,1,1\na,2,2\n"),
        mentions: &["row 4", "duplicate id", "\"a\""],
        want: |e| matches!(e, Error::DuplicateId { row: 4, id, .. } if id == "a") },
    Case { file: "dup-age.csv", input: Wide("id,12,age12\na,0,1\n"),
        mentions: &["\"age12\"", "twice"],
        want: |e| matches!(e, Error::BadHeader { column, message, .. }
            if column == "age12" && message.contains("12")) },
    Case { file: "dup-idcol.csv", input: Wide("id,12,ID\na,0,b\n"),
        mentions: &["ID", "twice"],
        want: |e| matches!(e, Error::BadHeader { column, .. } if column == "ID") },

    // Exposures in a long file outside (0, 1], or missing for an observed count.
    Case { file: "expo0-long.csv", input: Long("id,age,count,exposure\na,12,0,1\na,13,1,0\n"),
        mentions: &["row 3", "exposure", "exposure 0"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "exposure" && *value == 0.0) },
    Case { file: "exponeg-long.csv", input: Long("id,age,count,exposure\na,12,0,1\na,13,1,-0.5\n"),
        mentions: &["row 3", "-0.5"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "exposure" && *value == -0.5) },
    Case { file: "expo2-long.csv", input: Long("id,age,count,exposure\na,12,0,1\na,13,1,2\n"),
        mentions: &["row 3", "exposure 2"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "exposure" && *value == 2.0) },
    Case { file: "expo-missing-long.csv", input: Long("id,age,count,exposure\na,12,0,1\na,13,1,\n"),
        mentions: &["row 3", "exposure is missing"],
        want: |e| matches!(e, Error::MissingExposure { row: 3, column, .. }
            if column == "exposure") },

    // No persons: header only, empty file, every cell missing.
    Case { file: "header-only.csv", input: Wide("id,12,13\n"),
        mentions: &["no persons"],
        want: |e| matches!(e, Error::NoPersons { .. }) },
    Case { file: "header-only-long.csv", input: Long("id,age,count\n"),
        mentions: &["no persons"],
        want: |e| matches!(e, Error::NoPersons { .. }) },
    Case { file: "empty.csv", input: Wide(""),
        mentions: &["empty"],
        want: |e| matches!(e, Error::EmptyFile { .. }) },
    Case { file: "all-missing.csv", input: Wide("id,12,13\na,,\nb,NA,.\n"),
        mentions: &["no persons"],
        want: |e| matches!(e, Error::NoPersons { .. }) },
    Case { file: "all-missing-long.csv", input: Long("id,age,count\na,12,NA\nb,13,\n"),
        mentions: &[],
        want: |e| matches!(e, Error::NoPersons { .. }) },

    // Bad headers.
    Case { file: "sex.csv", input: Wide("id,12,sex,13\na,0,m,1\n"),
        mentions: &["\"sex\"", "age12"],
        want: |e| matches!(e, Error::BadHeader { column, message, .. }
            if column == "sex" && message.contains("age")) },
    Case { file: "no-id.csv", input: Long("age,count\n12,0\n"),
        mentions: &["\"id\""],
        want: |e| matches!(e, Error::BadHeader { column, .. } if column == "id") },
    Case { file: "only-id.csv", input: Wide("id\na\n"),
        mentions: &["no age columns"],
        want: |e| matches!(e, Error::BadHeader { .. }) },

    // Age windows with no age column, reversed, or leaving nobody observed.
    Case { file: "win.csv", input: Window("id,12,13,14\na,0,1,2\n", 30, 40),
        mentions: &["ages", "30", "40", "win.csv"],
        want: |e| matches!(e, Error::InvalidParameter { name, message }
            if name == "ages" && message.contains("30") && message.contains("40")) },
    Case { file: "win-rev.csv", input: Window("id,12,13,14\na,0,1,2\n", 14, 12),
        mentions: &["ages", "14", "12"],
        want: |e| matches!(e, Error::InvalidParameter { name, .. } if name == "ages") },
    Case { file: "win-empty.csv", input: Window("id,12,13,14\na,0,,\nb,1,,\n", 13, 14),
        mentions: &[],
        want: |e| matches!(e, Error::NoPersons { .. }) },
];

#[test]
fn bad_csv_text_gives_typed_errors_naming_the_place() {
    let mut failures = Failures::default();
    for case in TEXT_CASES {
        let got = match case.input {
            Wide(text) => Panel::from_wide_csv_str(text, case.file),
            Long(text) => Panel::from_long_csv_str(text, case.file),
            Window(text, from, to) => match Panel::from_wide_csv_str(text, case.file) {
                Ok(panel) => panel.window(from, to),
                Err(e) => {
                    failures.fail(case.file, format!("the file itself fails: {e:?}"));
                    continue;
                }
            },
        };
        failures.expect_err(case.file, got, Some(case.file), case.want, case.mentions);
    }
    failures.assert_none();
}

// ---------------------------------------------------------------------------
// Panels built from arrays
// ---------------------------------------------------------------------------

/// `Panel::from_arrays(counts, ages, exposure)`, given by rows, that must fail.
struct ArrayCase {
    name: &'static str,
    counts: &'static [&'static [f64]],
    ages: &'static [i64],
    exposure: Option<&'static [&'static [f64]]>,
    mentions: &'static [&'static str],
    want: Want,
}

#[rustfmt::skip]
const ARRAY_CASES: &[ArrayCase] = &[
    ArrayCase { name: "negative_count_from_arrays",
        counts: &[&[0.0, 1.0], &[2.0, -1.0]], ages: &[12, 13], exposure: None,
        mentions: &["row 3", "13", "-1"],
        want: |e| matches!(e, Error::NegativeCount { row: 3, column, value, .. }
            if column == "13" && *value == -1.0) },
    ArrayCase { name: "non_integer_count_from_arrays",
        counts: &[&[0.5, 1.0]], ages: &[20, 21], exposure: None,
        mentions: &["row 2", "20", "0.5"],
        want: |e| matches!(e, Error::NonIntegerCount { row: 2, column, value, .. }
            if column == "20" && *value == 0.5) },
    ArrayCase { name: "bad_exposure_from_arrays",
        counts: &[&[0.0, 1.0], &[2.0, 0.0]], ages: &[12, 13],
        exposure: Some(&[&[1.0, 1.0], &[1.0, 0.0]]),
        mentions: &["row 3", "13"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "13" && *value == 0.0) },
    ArrayCase { name: "all_nan_array_has_no_persons",
        counts: &[&[f64::NAN, f64::NAN]], ages: &[12, 13], exposure: None,
        mentions: &[],
        want: |e| matches!(e, Error::NoPersons { .. }) },
    ArrayCase { name: "exposure_array_of_wrong_shape_is_mismatch",
        counts: &[&[0.0, 1.0], &[2.0, 0.0]], ages: &[12, 13],
        exposure: Some(&[&[1.0, 1.0, 1.0]]),
        mentions: &[],
        want: |e| matches!(e, Error::ExposureMismatch { .. }) },
    ArrayCase { name: "ages_not_matching_array_is_invalid_parameter",
        counts: &[&[0.0, 1.0]], ages: &[12, 13, 14], exposure: None,
        mentions: &[],
        want: |e| matches!(e, Error::InvalidParameter { name, .. } if name == "ages") },
    ArrayCase { name: "ages_not_increasing_is_invalid_parameter",
        counts: &[&[0.0, 1.0]], ages: &[13, 12], exposure: None,
        mentions: &["ages", "increasing"],
        want: |e| matches!(e, Error::InvalidParameter { name, .. } if name == "ages") },
];

/// A persons × ages array from its rows.
fn array(rows: &[&[f64]]) -> Array2<f64> {
    Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).expect("equal rows")
}

#[test]
fn bad_arrays_give_typed_errors_naming_the_place() {
    let mut failures = Failures::default();
    for case in ARRAY_CASES {
        let counts = array(case.counts);
        let exposure = case.exposure.map(array);
        let got = Panel::from_arrays(
            counts.view(),
            case.ages,
            exposure.as_ref().map(|e| e.view()),
        );
        failures.expect_err(case.name, got, Some("<array>"), case.want, case.mentions);
    }
    failures.assert_none();
}

// ---------------------------------------------------------------------------
// Files on disk
// ---------------------------------------------------------------------------

/// What a [`FileCase`] puts on disk for one file.
#[derive(Clone, Copy)]
enum Contents {
    Text(&'static str),
    Bytes(&'static [u8]),
    /// The file does not exist.
    NoFile,
}
use Contents::{Bytes, NoFile, Text};

/// `counts.csv`, read with the age window `ages` and, if given, the exposure
/// file `exposure.csv`, that must fail. The error must name the exposure file
/// when there is one, else the counts file.
struct FileCase {
    name: &'static str,
    counts: Contents,
    exposure: Option<Contents>,
    ages: Option<(i64, i64)>,
    mentions: &'static [&'static str],
    want: Want,
}

/// Counts for the cases whose exposure file is at fault.
const COUNTS: Contents = Text("id,12,13\na,0,1\nb,2,0\n");

#[rustfmt::skip]
const FILE_CASES: &[FileCase] = &[
    // The counts file is at fault.
    FileCase { name: "negative_count_from_file_names_the_path",
        counts: Text("id,age12,age13\np1,1,0\np2,0,-4\n"), exposure: None, ages: None,
        mentions: &["row 3", "age13", "-4"],
        want: |e| matches!(e, Error::NegativeCount { row: 3, column, value, .. }
            if column == "age13" && *value == -4.0) },
    FileCase { name: "header_only_file_from_path_has_no_persons",
        counts: Text("id,age12,age13\n"), exposure: None, ages: None,
        mentions: &[],
        want: |e| matches!(e, Error::NoPersons { .. }) },
    FileCase { name: "window_with_no_columns_from_path_is_invalid_parameter",
        counts: Text("id,12,13\na,0,1\n"), exposure: None, ages: Some((20, 25)),
        mentions: &["20", "25"],
        want: |e| matches!(e, Error::InvalidParameter { name, .. } if name == "ages") },
    // Not a long file (no `count`), so it is read as wide and `age` has no
    // trailing integer: the message must point the user at `id,age,count`.
    FileCase { name: "long_header_with_misspelt_count_is_bad_header",
        counts: Text("id,age,cnt\na,12,0\n"), exposure: None, ages: None,
        mentions: &["\"age\"", "id,age,count"],
        want: |e| matches!(e, Error::BadHeader { column, .. } if column == "age") },
    // The I/O error is kept as the error's source.
    FileCase { name: "missing_counts_file_is_io_error_naming_path",
        counts: NoFile, exposure: None, ages: None,
        mentions: &[],
        want: |e| matches!(e, Error::Io { source, .. }
            if source.kind() == std::io::ErrorKind::NotFound)
            && std::error::Error::source(e).is_some() },
    FileCase { name: "non_utf8_file_is_a_typed_error_naming_path",
        counts: Bytes(b"id,12\n\xe9,1\n"), exposure: None, ages: None,
        mentions: &[],
        want: |e| matches!(e, Error::Io { .. } | Error::Csv { .. }) },

    // A bad exposure cell at row 3, age 12: outside (0, 1] or not a number.
    FileCase { name: "zero_exposure_in_exposure_file",
        counts: COUNTS, exposure: Some(Text("id,12,13\na,1,0.5\nb,0,1\n")), ages: None,
        mentions: &["row 3", "\"12\"", "exposure 0", "(0, 1]"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "12" && *value == 0.0) },
    FileCase { name: "negative_exposure_in_exposure_file",
        counts: COUNTS, exposure: Some(Text("id,12,13\na,1,0.5\nb,-0.5,1\n")), ages: None,
        mentions: &["row 3", "\"12\"", "-0.5"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "12" && *value == -0.5) },
    FileCase { name: "exposure_above_one_in_exposure_file",
        counts: COUNTS, exposure: Some(Text("id,12,13\na,1,0.5\nb,1.5,1\n")), ages: None,
        mentions: &["row 3", "\"12\"", "1.5"],
        want: |e| matches!(e, Error::BadExposure { row: 3, column, value, .. }
            if column == "12" && *value == 1.5) },
    FileCase { name: "non_numeric_exposure_in_exposure_file",
        counts: COUNTS, exposure: Some(Text("id,12,13\na,1,0.5\nb,full,1\n")), ages: None,
        mentions: &["row 3", "full"],
        want: |e| matches!(e, Error::NonNumeric { row: 3, column, value, .. }
            if column == "12" && value == "full") },

    // Exposure files that do not line up with the counts.
    FileCase { name: "exposure_file_with_different_row_count",
        counts: Text("12,13\n0,1\n2,0\n1,1\n"), exposure: Some(Text("12,13\n1,1\n0.5,1\n")),
        ages: None,
        mentions: &["2 exposure rows", "3 count rows"],
        want: |e| matches!(e, Error::ExposureMismatch { message, .. }
            if message.contains('2') && message.contains('3')) },
    FileCase { name: "exposure_file_missing_an_id",
        counts: COUNTS, exposure: Some(Text("id,12,13\na,1,1\n")), ages: None,
        mentions: &["\"b\""],
        want: |e| matches!(e, Error::ExposureMismatch { message, .. }
            if message.contains("\"b\"")) },
    // b's exposure at 13 is empty although b's count at 13 is observed.
    FileCase { name: "exposure_missing_where_count_observed",
        counts: COUNTS, exposure: Some(Text("id,12,13\na,1,1\nb,0.5,\n")), ages: None,
        mentions: &["row 3", "age 13", "no exposure"],
        want: |e| matches!(e, Error::ExposureMismatch { message, .. }
            if message.contains("row 3") && message.contains("13")) },
    FileCase { name: "exposure_file_missing_an_age_column",
        counts: Text("id,12,13\na,0,1\n"), exposure: Some(Text("id,12\na,1\n")), ages: None,
        mentions: &["age 13"],
        want: |e| matches!(e, Error::ExposureMismatch { .. }) },
    FileCase { name: "exposure_file_for_long_counts_is_mismatch",
        counts: Text("id,age,count\na,12,0\n"), exposure: Some(Text("id,12\na,1\n")), ages: None,
        mentions: &["long", "exposure"],
        want: |e| matches!(e, Error::ExposureMismatch { .. }) },
    FileCase { name: "missing_exposure_file_is_io_error_naming_path",
        counts: Text("id,12\na,1\n"), exposure: Some(NoFile), ages: None,
        mentions: &[],
        want: |e| matches!(e, Error::Io { .. }) },
];

/// Puts `contents` at `dir/name` and returns the path.
fn put(dir: &Path, name: &str, contents: Contents) -> PathBuf {
    match contents {
        Text(text) => write(dir, name, text),
        Bytes(bytes) => write(dir, name, bytes),
        NoFile => dir.join(name),
    }
}

#[test]
fn bad_files_give_typed_errors_naming_the_file() {
    let mut failures = Failures::default();
    for case in FILE_CASES {
        let dir = temp_dir(case.name);
        let counts = put(&dir, "counts.csv", case.counts);
        let exposure = case.exposure.map(|c| put(&dir, "exposure.csv", c));
        let at_fault = exposure.as_ref().unwrap_or(&counts).display().to_string();
        let mut opts = ReadOptions::default();
        opts.ages = case.ages;
        opts.exposure = exposure;
        let got = Panel::from_csv_path(&counts, &opts);
        // Whatever the variant, the message names the file at fault.
        let mentions: Vec<&str> = std::iter::once(at_fault.as_str())
            .chain(case.mentions.iter().copied())
            .collect();
        failures.expect_err(case.name, got, Some(&at_fault), case.want, &mentions);
    }
    failures.assert_none();
}

// ---------------------------------------------------------------------------
// More groups than persons
// ---------------------------------------------------------------------------

#[test]
fn too_many_groups() {
    let panel = Panel::from_wide_csv_str(
        "id,12,13,14,15\na,0,1,2,3\nb,1,1,0,0\nc,4,3,2,1\n",
        "three.csv",
    )
    .unwrap();
    let mut failures = Failures::default();
    failures.expect_err(
        "too_many_groups_poisson",
        Gbtm::poisson(5).order(1).fit(&panel),
        None,
        |e| matches!(e, Error::TooManyGroups { groups, persons } if (*groups, *persons) == (5, 3)),
        &["5 groups", "3 persons"],
    );
    failures.expect_err(
        "too_many_groups_zip",
        Gbtm::zip(4).order(1).fit(&panel),
        None,
        |e| matches!(e, Error::TooManyGroups { groups, persons } if (*groups, *persons) == (4, 3)),
        &["4 groups", "3 persons"],
    );
    failures.assert_none();
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
// Positive promises of the readers
// ---------------------------------------------------------------------------

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
fn exposure_missing_where_count_unobserved_is_fine() {
    let dir = temp_dir("exposure_missing_where_count_unobserved_is_fine");
    let counts = write(&dir, "counts.csv", "id,12,13\na,0,1\nb,2,\n");
    let expo = write(&dir, "exposure.csv", "id,12,13\nb,0.5,\na,1,0.25\n");
    let opts = ReadOptions::default().exposure_file(expo);
    let p = Panel::from_csv_path(&counts, &opts).expect("aligned by id");
    let e = p.exposure().expect("exposure attached");
    assert_eq!(p.ids(), &["a".to_string(), "b".to_string()]);
    assert_eq!(e[[0, 1]], 0.25);
    assert_eq!(e[[1, 0]], 0.5);
    assert_eq!(p.n_observations(), 3);
}

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
    let opts = ReadOptions::default().window(12, 13);
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
