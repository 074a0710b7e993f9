//! The one error type of the crate.
//!
//! Every failure on user data comes back as an [`Error`](enum@Error) that names where the
//! problem is: the file (or `<array>` for panels built in memory), the row (the
//! line number in the file, header = line 1), the column and the value.

use thiserror::Error;

/// Result alias used throughout gbtm.
///
/// ```
/// fn first_age(csv: &str) -> gbtm::Result<i64> {
///     let panel = gbtm::Panel::from_wide_csv_str(csv, "in.csv")?;
///     Ok(panel.ages()[0])
/// }
/// assert_eq!(first_age("id,12,13\na,1,0\n").unwrap(), 12);
/// assert!(matches!(first_age("id,12\na,-1\n"), Err(gbtm::Error::NegativeCount { .. })));
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in gbtm.
///
/// ```
/// use gbtm::{Error, Panel};
/// let err = Panel::from_wide_csv_str("id,12\na,-1\n", "mem.csv").unwrap_err();
/// assert!(matches!(err, Error::NegativeCount { .. }));
/// assert!(err.to_string().contains("mem.csv"));
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File concerned.
        path: String,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV reader itself failed (bad quoting, invalid UTF-8, ...).
    #[error("{path}, row {row}: malformed CSV: {message}")]
    Csv {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A header cell is neither `id` nor a name ending in an integer age, or the
    /// header lacks a required column.
    #[error("{path}: column {column:?}: {message}")]
    BadHeader {
        /// File concerned.
        path: String,
        /// The offending header cell.
        column: String,
        /// What is wrong with it.
        message: String,
    },
    /// A data row has a different number of cells than the header.
    #[error(
        "{path}, row {row}: ragged row: expected {expected} cells as in the header, found {found}"
    )]
    RaggedRow {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Cells in the header.
        expected: usize,
        /// Cells in this row.
        found: usize,
    },
    /// A cell that should hold a number does not.
    #[error("{path}, row {row}, column {column:?}: non-numeric value {value:?}")]
    NonNumeric {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Column name.
        column: String,
        /// The cell as written.
        value: String,
    },
    /// A count is below zero.
    #[error(
        "{path}, row {row}, column {column:?}: negative count {value}; \
         mark a year that was not observed with an empty cell, NA or ."
    )]
    NegativeCount {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Column name.
        column: String,
        /// The value.
        value: f64,
    },
    /// A count is not a whole number (or is not finite).
    #[error("{path}, row {row}, column {column:?}: count {value} is not a non-negative integer")]
    NonIntegerCount {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Column name.
        column: String,
        /// The value.
        value: f64,
    },
    /// An exposure (time at risk) is outside (0, 1].
    #[error("{path}, row {row}, column {column:?}: exposure {value} is outside (0, 1]")]
    BadExposure {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Column name.
        column: String,
        /// The value.
        value: f64,
    },
    /// A count is observed but its exposure cell is empty.
    #[error(
        "{path}, row {row}, column {column:?}: the count is observed but the exposure is missing"
    )]
    MissingExposure {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Column name.
        column: String,
    },
    /// The same (id, age) pair occurs twice.
    #[error("{path}, row {row}: duplicate observation for id {id:?} at age {age}")]
    DuplicateObservation {
        /// File concerned.
        path: String,
        /// Line number (header = 1) of the second occurrence.
        row: u64,
        /// Person id.
        id: String,
        /// Age.
        age: i64,
    },
    /// An id occurs twice in a wide file.
    #[error("{path}, row {row}: duplicate id {id:?}")]
    DuplicateId {
        /// File concerned.
        path: String,
        /// Line number (header = 1) of the second occurrence.
        row: u64,
        /// Person id.
        id: String,
    },
    /// The exposure matrix does not line up with the counts.
    #[error("{path}: exposure does not match the counts: {message}")]
    ExposureMismatch {
        /// Exposure file.
        path: String,
        /// What does not match.
        message: String,
    },
    /// The file has no header and no rows.
    #[error("{path}: the file is empty (a header row and one row per person are needed)")]
    EmptyFile {
        /// File concerned.
        path: String,
    },
    /// An age in a long file that is not a whole number of years.
    #[error("{path}, row {row}, column {column:?}: age {value} is not a whole number of years")]
    NonIntegerAge {
        /// File concerned.
        path: String,
        /// Line number (header = 1).
        row: u64,
        /// Column name.
        column: String,
        /// The cell as written.
        value: String,
    },
    /// An age outside the plausible range of whole years of age.
    #[error("{path}: age {age} is outside 0..=130; ages are whole years of age")]
    AgeOutOfRange {
        /// File concerned.
        path: String,
        /// The age.
        age: i64,
    },
    /// No person has an observed year in the age window.
    #[error("{path}: no persons with an observed year in the age window")]
    NoPersons {
        /// File concerned.
        path: String,
    },
    /// More groups were asked for than there are persons.
    #[error("{groups} groups requested but the panel has only {persons} persons")]
    TooManyGroups {
        /// Groups requested.
        groups: usize,
        /// Persons in the panel.
        persons: usize,
    },
    /// A model or reader parameter is out of range.
    #[error("invalid parameter {name}: {message}")]
    InvalidParameter {
        /// Parameter name as the user knows it (`order`, `--ages`, ...).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// Every run of a fit ended in a degenerate solution.
    #[error("no usable solution: all {runs} runs ended degenerate (the first: {reason})")]
    AllDegenerate {
        /// Runs tried (starts, refinement and nested runs).
        runs: usize,
        /// Why the first of them is degenerate.
        reason: String,
    },
    /// No candidate model of a selection was fitted and converged.
    #[error("none of the {candidates} candidate models was fitted and converged")]
    NothingSelected {
        /// Candidates tried.
        candidates: usize,
    },
    /// A JSON file (a scenario) could not be parsed.
    #[error("{path}: JSON: {source}")]
    Json {
        /// File concerned.
        path: String,
        /// What the JSON parser said.
        #[source]
        source: serde_json::Error,
    },
    /// A model file is not a valid gbtm model: not JSON, not a gbtm model,
    /// or its parts disagree.
    #[error("{path}: not a valid gbtm model file: {message}")]
    InvalidModelFile {
        /// File concerned.
        path: String,
        /// What is wrong with it.
        message: String,
        /// The JSON parser's error, where it found the problem.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The model was fitted with exposure (time at risk) and the data to
    /// apply it to have none.
    #[error(
        "{path}: the model was fitted with exposure (time at risk) and these data have none; \
         give their exposure (--exposure FILE, or an exposure column in a long file), or \
         state that every person was at risk all year (--assume-full-exposure)"
    )]
    ExposureRequired {
        /// The data concerned.
        path: String,
    },
    /// The model was fitted without exposure and the data to apply it to
    /// have some.
    #[error(
        "{path}: the model was fitted without exposure (time at risk); apply it to data without \
         exposure (no --exposure file, no exposure column)"
    )]
    ExposureNotUsed {
        /// The data concerned.
        path: String,
    },
    /// A risk factor (person-level covariate) is missing for a person.
    #[error(
        "{path}: risk factor {column:?} is missing for id {id:?}; every person needs a value (gbtm does not impute)"
    )]
    MissingRiskFactor {
        /// The risk-factor file (or the data, for a person without a row).
        path: String,
        /// The person.
        id: String,
        /// The covariate.
        column: String,
    },
    /// The trajectory plot could not be drawn.
    #[error("drawing the trajectory plot failed: {message}")]
    Plot {
        /// What went wrong.
        message: String,
        /// The drawing library's error, where it reported one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A time-varying covariate is missing at an observed person-year.
    #[error(
        "{path}: time-varying covariate {name:?} is missing for id {id:?} at age {age}; every observed person-year needs a value (gbtm does not impute)"
    )]
    MissingTimeCovariate {
        /// The covariate file (or the data, for values given as an array).
        path: String,
        /// The person.
        id: String,
        /// The age.
        age: i64,
        /// The covariate.
        name: String,
    },
    /// The same (id, age, covariate) occurs twice in a long covariate file.
    #[error(
        "{path}, row {row}: duplicate value of time-varying covariate {name:?} for id {id:?} at age {age}"
    )]
    DuplicateTimeCovariate {
        /// File concerned.
        path: String,
        /// Line number (header = 1) of the second occurrence.
        row: u64,
        /// Person id.
        id: String,
        /// Age.
        age: i64,
        /// The covariate.
        name: String,
    },
    /// An end age of a sensitivity analysis
    /// ([`end_age_sensitivity`](crate::select::end_age_sensitivity)) lies
    /// outside the ages of the data.
    #[error("end age {end_age} lies outside the ages of the data ({first} to {last})")]
    EndAgeOutsidePanel {
        /// The end age asked for.
        end_age: i64,
        /// The first age of the data (or of its window).
        first: i64,
        /// The last age of the data (or of its window).
        last: i64,
    },
    /// An end age of a sensitivity analysis leaves fewer distinct observed
    /// ages than the highest polynomial order of the candidate models needs.
    #[error(
        "end age {end_age} leaves {observed} distinct observed ages ({first} to {end_age}); \
         order {order} needs at least {needed}"
    )]
    EndAgeTooEarly {
        /// The end age asked for.
        end_age: i64,
        /// The first age of the data (or of its window).
        first: i64,
        /// Distinct ages from `first` to `end_age` with at least one observation.
        observed: usize,
        /// The highest polynomial order (or zero-inflation order) of the candidates.
        order: usize,
        /// `order + 1`.
        needed: usize,
    },
}

impl Error {
    pub(crate) fn param(name: &str, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.to_string(),
            message: message.into(),
        }
    }
}
