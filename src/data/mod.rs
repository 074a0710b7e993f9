//! Panels of yearly counts: persons × ages, with unobserved years and optional
//! exposure (time at risk).
//!
//! A [`Panel`] is built from ndarray arrays ([`Panel::from_arrays`]) or read from
//! CSV ([`Panel::from_csv_path`]; readers live in [`csv`]). Every
//! constructor validates its input: counts are non-negative integers, exposures
//! lie in (0, 1], and a person with no observed year is dropped and counted.
//! Unobserved years stay unobserved: they are left out of the likelihood, never
//! filled with zero.

pub mod csv;

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

/// A validated person × age panel of counts.
///
/// ```
/// use gbtm::Panel;
/// use ndarray::array;
/// // NaN marks an unobserved year (here: person 2 is censored after age 13).
/// let counts = array![[0.0, 1.0, 2.0], [3.0, 0.0, f64::NAN]];
/// let panel = Panel::from_arrays(counts.view(), &[12, 13, 14], None).unwrap();
/// assert_eq!(panel.n_persons(), 2);
/// assert_eq!(panel.n_observations(), 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub(crate) ids: Vec<String>,
    pub(crate) ages: Vec<i64>,
    /// Counts, 0 where unobserved.
    pub(crate) counts: Array2<f64>,
    pub(crate) observed: Array2<bool>,
    /// Exposure, 1 where unobserved; `None` means 1 everywhere.
    pub(crate) exposure: Option<Array2<f64>>,
    pub(crate) n_dropped: usize,
    pub(crate) source: String,
}

/// Where a cell came from, for error messages.
pub(crate) struct CellAt<'a> {
    pub path: &'a str,
    pub row: u64,
    pub column: &'a str,
}

/// Checks a count: a finite, non-negative whole number.
pub(crate) fn check_count(value: f64, at: &CellAt<'_>) -> Result<f64> {
    if value.is_finite() && value < 0.0 {
        return Err(Error::NegativeCount {
            path: at.path.to_string(),
            row: at.row,
            column: at.column.to_string(),
            value,
        });
    }
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(Error::NonIntegerCount {
            path: at.path.to_string(),
            row: at.row,
            column: at.column.to_string(),
            value,
        });
    }
    Ok(value)
}

/// Checks an exposure: finite and in (0, 1].
pub(crate) fn check_exposure(value: f64, at: &CellAt<'_>) -> Result<f64> {
    if !(value.is_finite() && value > 0.0 && value <= 1.0) {
        return Err(Error::BadExposure {
            path: at.path.to_string(),
            row: at.row,
            column: at.column.to_string(),
            value,
        });
    }
    Ok(value)
}

impl Panel {
    /// Builds a panel from a persons × ages array of counts, NaN marking an
    /// unobserved year, and an optional exposure array of the same shape (its
    /// value is ignored where the count is unobserved). Ids are `1..=N`.
    ///
    /// Errors name the source `<array>`, the row (person index + 2, as if the
    /// array were a CSV file with a header) and the age.
    pub fn from_arrays(
        counts: ArrayView2<'_, f64>,
        ages: &[i64],
        exposure: Option<ArrayView2<'_, f64>>,
    ) -> Result<Panel> {
        let ids = (1..=counts.nrows()).map(|i| i.to_string()).collect();
        Self::from_arrays_with_ids(counts, ages, exposure, ids, "<array>")
    }

    /// As [`Panel::from_arrays`], with person ids and a source name for errors.
    pub fn from_arrays_with_ids(
        counts: ArrayView2<'_, f64>,
        ages: &[i64],
        exposure: Option<ArrayView2<'_, f64>>,
        ids: Vec<String>,
        source: &str,
    ) -> Result<Panel> {
        let (n, t) = counts.dim();
        if ages.len() != t {
            return Err(Error::param(
                "ages",
                format!("{} ages given for {} count columns", ages.len(), t),
            ));
        }
        if ids.len() != n {
            return Err(Error::param(
                "ids",
                format!("{} ids given for {} rows", ids.len(), n),
            ));
        }
        if ages.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::param("ages", "ages must be strictly increasing"));
        }
        if let Some(e) = &exposure {
            if e.dim() != (n, t) {
                return Err(Error::ExposureMismatch {
                    path: source.to_string(),
                    message: format!("exposure is {:?}, counts are {:?}", e.dim(), (n, t)),
                });
            }
        }
        let age_names: Vec<String> = ages.iter().map(|a| a.to_string()).collect();
        let mut y = Array2::<f64>::zeros((n, t));
        let mut obs = Array2::<bool>::from_elem((n, t), false);
        let mut expo = exposure.as_ref().map(|_| Array2::<f64>::ones((n, t)));
        for i in 0..n {
            for j in 0..t {
                let v = counts[[i, j]];
                if v.is_nan() {
                    continue;
                }
                let at = CellAt {
                    path: source,
                    row: i as u64 + 2,
                    column: &age_names[j],
                };
                y[[i, j]] = check_count(v, &at)?;
                obs[[i, j]] = true;
                if let (Some(e), Some(out)) = (&exposure, expo.as_mut()) {
                    out[[i, j]] = check_exposure(e[[i, j]], &at)?;
                }
            }
        }
        Panel::assemble(ids, ages.to_vec(), y, obs, expo, source)
    }

    /// Final assembly shared by all readers: drops persons with no observed year
    /// (counting them) and fails if nobody is left.
    pub(crate) fn assemble(
        ids: Vec<String>,
        ages: Vec<i64>,
        y: Array2<f64>,
        obs: Array2<bool>,
        exposure: Option<Array2<f64>>,
        source: &str,
    ) -> Result<Panel> {
        let keep: Vec<usize> = (0..y.nrows())
            .filter(|&i| obs.row(i).iter().any(|&o| o))
            .collect();
        if keep.is_empty() {
            return Err(Error::NoPersons {
                path: source.to_string(),
            });
        }
        let n_dropped = y.nrows() - keep.len();
        // Standard (row-major) layout: the E-step reads rows as slices.
        let pick = |a: &Array2<f64>| {
            a.select(ndarray::Axis(0), &keep)
                .as_standard_layout()
                .to_owned()
        };
        Ok(Panel {
            ids: keep.iter().map(|&i| ids[i].clone()).collect(),
            ages,
            counts: pick(&y),
            observed: obs
                .select(ndarray::Axis(0), &keep)
                .as_standard_layout()
                .to_owned(),
            exposure: exposure.as_ref().map(pick),
            n_dropped,
            source: source.to_string(),
        })
    }

    /// Restricts the panel to ages `from..=to`, dropping (and counting) persons
    /// left with no observed year.
    ///
    /// ```
    /// use gbtm::Panel;
    /// use ndarray::array;
    /// let counts = array![[1.0, 0.0, 2.0], [f64::NAN, f64::NAN, 1.0]];
    /// let p = Panel::from_arrays(counts.view(), &[12, 13, 14], None).unwrap();
    /// let w = p.window(12, 13).unwrap();
    /// assert_eq!(w.ages(), &[12, 13]);
    /// assert_eq!((w.n_persons(), w.n_dropped()), (1, 1));
    /// ```
    pub fn window(&self, from: i64, to: i64) -> Result<Panel> {
        if from > to {
            return Err(Error::param(
                "ages",
                format!("age window {from}:{to} is empty (start after end)"),
            ));
        }
        let cols: Vec<usize> = (0..self.ages.len())
            .filter(|&j| (from..=to).contains(&self.ages[j]))
            .collect();
        if cols.is_empty() {
            return Err(Error::param(
                "ages",
                format!(
                    "no age column of {} lies in {from}:{to} (the data cover {}..{})",
                    self.source,
                    self.ages[0],
                    self.ages[self.ages.len() - 1]
                ),
            ));
        }
        let ax = ndarray::Axis(1);
        let mut p = Panel::assemble(
            self.ids.clone(),
            cols.iter().map(|&j| self.ages[j]).collect(),
            self.counts.select(ax, &cols),
            self.observed.select(ax, &cols),
            self.exposure.as_ref().map(|e| e.select(ax, &cols)),
            &self.source,
        )?;
        p.n_dropped += self.n_dropped;
        Ok(p)
    }

    /// Number of persons (after dropping those with no observed year).
    pub fn n_persons(&self) -> usize {
        self.counts.nrows()
    }
    /// Number of observed person-years.
    pub fn n_observations(&self) -> usize {
        self.observed.iter().filter(|&&o| o).count()
    }
    /// Persons dropped because they had no observed year.
    pub fn n_dropped(&self) -> usize {
        self.n_dropped
    }
    /// The ages (columns), strictly increasing.
    pub fn ages(&self) -> &[i64] {
        &self.ages
    }
    /// Person ids, in row order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
    /// Counts, persons × ages; 0 where unobserved (see [`Panel::observed`]).
    pub fn counts(&self) -> ArrayView2<'_, f64> {
        self.counts.view()
    }
    /// Which person-years are observed.
    pub fn observed(&self) -> ArrayView2<'_, bool> {
        self.observed.view()
    }
    /// Exposure, persons × ages, if the panel has one (1 where unobserved).
    pub fn exposure(&self) -> Option<ArrayView2<'_, f64>> {
        self.exposure.as_ref().map(|e| e.view())
    }
    /// Name of the file (or `<array>`) the panel came from.
    pub fn source(&self) -> &str {
        &self.source
    }
}
