//! The age of each person's first registered case over all data — past the
//! window too — which the report's first-case figures use: a first case
//! after 35 counts. The panel of a reproduction holds ages 12–35 only, so
//! these ages come beside it: from a simulated cohort
//! ([`crate::synth::Cohort::first_case_age`]) or from the file that
//! `gbtm simulate --first-cases` writes (`id,first_case_age`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::synth::Cohort;

/// Age at the first registered case over all observed ages, by person id
/// (`None`: no case observed).
///
/// ```
/// use gbtm::study::four_profiles::FirstCases;
/// let c = gbtm::synth::three_groups(50, 1);
/// let f = FirstCases::from_cohort(&c);
/// assert_eq!(f.len(), 50);
/// assert!(!f.is_empty() && FirstCases::default().is_empty());
/// assert_eq!(f.get("1"), Some(c.first_case_age[0]));
/// assert_eq!(f.get("no such id"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirstCases(BTreeMap<String, Option<i64>>);

impl FirstCases {
    /// The first-case ages of a simulated cohort, by its person ids. See
    /// the example of [`FirstCases`].
    pub fn from_cohort(cohort: &Cohort) -> FirstCases {
        FirstCases(
            cohort
                .panel
                .input_ids()
                .iter()
                .cloned()
                .zip(cohort.first_case_age.iter().copied())
                .collect(),
        )
    }

    /// Reads `id,first_case_age` (an empty cell: no case).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("gbtm-first-{}.csv", std::process::id()));
    /// std::fs::write(&path, "id,first_case_age\na,17\nb,\n").unwrap();
    /// let f = gbtm::study::four_profiles::FirstCases::from_csv_path(&path)?;
    /// assert_eq!((f.get("a"), f.get("b")), (Some(Some(17)), Some(None)));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::Csv`] if it is not
    /// CSV, [`Error::EmptyFile`], [`Error::BadHeader`] unless the header is
    /// `id,first_case_age`, [`Error::RaggedRow`], [`Error::NonIntegerAge`]
    /// for an age that is not a whole number of years, and
    /// [`Error::DuplicateId`].
    pub fn from_csv_path(path: &Path) -> Result<FirstCases> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = reader.records();
        let csv_error = |row: u64, e: csv::Error| Error::Csv {
            path: name.clone(),
            row,
            message: e.to_string(),
        };
        let header = match rows.next() {
            None => return Err(Error::EmptyFile { path: name }),
            Some(h) => h.map_err(|e| csv_error(1, e))?,
        };
        let want = ["id", "first_case_age"];
        for (j, w) in want.iter().enumerate() {
            let got = header.get(j).unwrap_or("").trim();
            if got != *w {
                return Err(Error::BadHeader {
                    path: name,
                    column: got.to_string(),
                    message: format!(
                        "the header must be id,first_case_age (column {} is {w})",
                        j + 1
                    ),
                });
            }
        }
        let mut out = BTreeMap::new();
        for (i, rec) in rows.enumerate() {
            let row = i as u64 + 2;
            let rec = rec.map_err(|e| csv_error(row, e))?;
            if rec.len() != 2 {
                return Err(Error::RaggedRow {
                    path: name,
                    row,
                    expected: 2,
                    found: rec.len(),
                });
            }
            let (id, cell) = (rec[0].trim().to_string(), rec[1].trim());
            let age = if cell.is_empty() {
                None
            } else {
                let value = match (cell.parse::<i64>(), cell.parse::<f64>()) {
                    (Ok(a), _) => a,
                    (Err(_), Ok(_)) => {
                        return Err(Error::NonIntegerAge {
                            path: name,
                            row,
                            column: want[1].to_string(),
                            value: cell.to_string(),
                        });
                    }
                    _ => {
                        return Err(Error::NonNumeric {
                            path: name,
                            row,
                            column: want[1].to_string(),
                            value: cell.to_string(),
                        });
                    }
                };
                if !(crate::data::MIN_AGE..=crate::data::MAX_AGE).contains(&value) {
                    return Err(Error::AgeOutOfRange {
                        path: name,
                        age: value,
                    });
                }
                Some(value)
            };
            if out.insert(id.clone(), age).is_some() {
                return Err(Error::DuplicateId {
                    path: name,
                    row,
                    id,
                });
            }
        }
        Ok(FirstCases(out))
    }

    /// The first-case age of person `id`: `None` if the id is unknown,
    /// `Some(None)` if the person had no case. See the example of
    /// [`FirstCases`].
    pub fn get(&self, id: &str) -> Option<Option<i64>> {
        self.0.get(id).copied()
    }

    /// Number of persons. See the example of [`FirstCases`].
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no persons. See the example of [`FirstCases`].
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A profile's first-case figures over one set of ages; see the example
/// of [`FirstCaseFigures::of`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstCaseFigures {
    /// Mean age at the first registered case of the persons with one
    /// (`null` if none has).
    pub mean_age: Option<f64>,
    /// Share of the persons with a case whose first came before 18.
    pub share_under_18: f64,
    /// Persons with a case.
    pub with_case: usize,
    /// Persons without any case observed.
    pub without_case: usize,
}

impl FirstCaseFigures {
    /// The figures of a set of first-case ages (`None`: no case).
    ///
    /// ```
    /// use gbtm::study::four_profiles::FirstCaseFigures;
    /// let f = FirstCaseFigures::of([Some(14), Some(20), None]);
    /// assert_eq!((f.mean_age, f.share_under_18, f.without_case), (Some(17.0), 0.5, 1));
    /// ```
    pub fn of(ages: impl IntoIterator<Item = Option<i64>>) -> FirstCaseFigures {
        let (mut sum, mut n, mut under, mut none) = (0.0, 0usize, 0usize, 0usize);
        for a in ages {
            match a {
                Some(a) => {
                    sum += a as f64;
                    n += 1;
                    under += usize::from(a < 18);
                }
                None => none += 1,
            }
        }
        FirstCaseFigures {
            mean_age: (n > 0).then(|| sum / n as f64),
            share_under_18: if n > 0 { under as f64 / n as f64 } else { 0.0 },
            with_case: n,
            without_case: none,
        }
    }
}
