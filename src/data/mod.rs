//! Panels of yearly counts: persons × ages, with unobserved years and optional
//! exposure (time at risk).
//!
//! A [`Panel`] is built from ndarray arrays ([`Panel::from_arrays`]) or read from
//! CSV ([`Panel::from_csv_path`]; readers live in [`csv`]). Every
//! constructor validates its input: counts are non-negative integers, exposures
//! lie in (0, 1], and a person with no observed year is dropped and counted.
//! Unobserved years stay unobserved: they are left out of the likelihood, never
//! filled with zero.

mod access;
pub mod csv;
mod records;
mod risk;
mod subset;
pub(crate) mod tcov;
mod tcov_csv;
pub mod write;

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

/// The youngest age a panel may have.
///
/// ```
/// use gbtm::data::{MAX_AGE, MIN_AGE};
/// use gbtm::Panel;
/// assert!(Panel::from_wide_csv_str("id,12,13\na,1,0\n", "x.csv").is_ok());
/// let calendar = format!("id,{}\na,1\n", MAX_AGE + 1);
/// assert!(Panel::from_wide_csv_str(&calendar, "x.csv").is_err());
/// assert!(MIN_AGE < 12 && 35 < MAX_AGE);
/// ```
pub const MIN_AGE: i64 = 0;
/// The oldest age a panel may have: ages are whole years of age, and a
/// column beyond 130 is a mistake (a calendar year, a person number). See
/// the example of [`MIN_AGE`].
pub const MAX_AGE: i64 = 130;

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
    /// Every person read, in input order, dropped ones included.
    pub(crate) input_ids: Vec<String>,
    /// Position in `input_ids` of each kept person (row of the panel).
    pub(crate) input_rows: Vec<usize>,
    pub(crate) source: String,
    /// Person-level covariates (risk factors), rows in the panel's order.
    pub(crate) risk: Option<risk::RiskFactors>,
    /// Time-varying covariates (traj's `tcov`): per covariate, persons ×
    /// ages in the panel's order, NaN where there is no value (only at
    /// unobserved person-years).
    pub(crate) tcov: Option<tcov::TimeCovariates>,
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
    ///
    /// ```
    /// use gbtm::Panel;
    /// use ndarray::array;
    /// let counts = array![[0.0, 2.0, f64::NAN], [1.0, 0.0, 3.0]];
    /// let exposure = array![[1.0, 0.5, 1.0], [1.0, 1.0, 0.25]];
    /// let p = Panel::from_arrays(counts.view(), &[20, 21, 22], Some(exposure.view()))?;
    /// assert_eq!(p.ids(), &["1", "2"]);
    /// assert_eq!(p.exposure().unwrap()[[1, 2]], 0.25);
    /// // A count that is not a whole number names its row and age.
    /// let bad = array![[0.0, 1.5, 0.0]];
    /// let err = Panel::from_arrays(bad.view(), &[20, 21, 22], None).unwrap_err();
    /// assert!(err.to_string().contains("row 2"), "{err}");
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn from_arrays(
        counts: ArrayView2<'_, f64>,
        ages: &[i64],
        exposure: Option<ArrayView2<'_, f64>>,
    ) -> Result<Panel> {
        let ids = (1..=counts.nrows()).map(|i| i.to_string()).collect();
        Self::from_arrays_with_ids(counts, ages, exposure, ids, "<array>")
    }

    /// As [`Panel::from_arrays`], with person ids and a source name for errors.
    ///
    /// ```
    /// use gbtm::Panel;
    /// use ndarray::array;
    /// let counts = array![[0.0, 2.0], [f64::NAN, f64::NAN], [1.0, -1.0]];
    /// let ids = vec!["p7".to_string(), "p8".into(), "p9".into()];
    /// let err = Panel::from_arrays_with_ids(counts.view(), &[12, 13], None, ids.clone(), "registry")
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("registry"), "{err}");
    /// let ok = array![[0.0, 2.0], [f64::NAN, f64::NAN], [1.0, 0.0]];
    /// let p = Panel::from_arrays_with_ids(ok.view(), &[12, 13], None, ids, "registry")?;
    /// assert_eq!((p.ids(), p.n_dropped(), p.source()), (&["p7".to_string(), "p9".into()][..], 1, "registry"));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
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
        if let Some(e) = &exposure
            && e.dim() != (n, t)
        {
            return Err(Error::ExposureMismatch {
                path: source.to_string(),
                message: format!("exposure is {:?}, counts are {:?}", e.dim(), (n, t)),
            });
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
        if let Some(&age) = ages.iter().find(|a| !(MIN_AGE..=MAX_AGE).contains(*a)) {
            return Err(Error::AgeOutOfRange {
                path: source.to_string(),
                age,
            });
        }
        let keep: Vec<usize> = (0..y.nrows())
            .filter(|&i| obs.row(i).iter().any(|&o| o))
            .collect();
        if keep.is_empty() {
            return Err(Error::NoPersons {
                path: source.to_string(),
            });
        }
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
            input_rows: keep,
            input_ids: ids,
            source: source.to_string(),
            risk: None,
            tcov: None,
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
        self.select_columns(&cols)
    }

    /// The panel at the given ages only (each must be one of its ages);
    /// persons left with no observed year are dropped but keep their
    /// place in [`Panel::input_ids`].
    pub(crate) fn select_ages(&self, ages: &[i64]) -> Panel {
        let cols: Vec<usize> = (0..self.ages.len())
            .filter(|&j| ages.contains(&self.ages[j]))
            .collect();
        // Selecting columns only drops persons; an empty result keeps every
        // person as dropped rather than failing.
        self.select_columns(&cols).unwrap_or_else(|_| Panel {
            ids: Vec::new(),
            ages: cols.iter().map(|&j| self.ages[j]).collect(),
            counts: Array2::zeros((0, cols.len())),
            observed: Array2::from_elem((0, cols.len()), false),
            exposure: self
                .exposure
                .as_ref()
                .map(|_| Array2::zeros((0, cols.len()))),
            input_ids: self.input_ids.clone(),
            input_rows: Vec::new(),
            source: self.source.clone(),
            risk: self.risk.as_ref().map(|r| risk::RiskFactors {
                names: r.names.clone(),
                values: Array2::zeros((0, r.names.len())),
            }),
            tcov: self.tcov.as_ref().map(|c| tcov::TimeCovariates {
                names: c.names.clone(),
                values: c
                    .values
                    .iter()
                    .map(|_| Array2::zeros((0, cols.len())))
                    .collect(),
            }),
        })
    }

    fn select_columns(&self, cols: &[usize]) -> Result<Panel> {
        let ax = ndarray::Axis(1);
        let mut p = Panel::assemble(
            self.ids.clone(),
            cols.iter().map(|&j| self.ages[j]).collect(),
            self.counts.select(ax, cols),
            self.observed.select(ax, cols),
            self.exposure.as_ref().map(|e| e.select(ax, cols)),
            &self.source,
        )?;
        // The kept rows of this panel, before they become input positions.
        p.risk = self.risk.as_ref().map(|r| risk::RiskFactors {
            names: r.names.clone(),
            values: r
                .values
                .select(ndarray::Axis(0), &p.input_rows)
                .as_standard_layout()
                .to_owned(),
        });
        p.tcov = self.tcov.as_ref().map(|c| tcov::TimeCovariates {
            names: c.names.clone(),
            values: c
                .values
                .iter()
                .map(|v| {
                    v.select(ndarray::Axis(0), &p.input_rows)
                        .select(ax, cols)
                        .as_standard_layout()
                        .to_owned()
                })
                .collect(),
        });
        p.input_rows = p.input_rows.iter().map(|&j| self.input_rows[j]).collect();
        p.input_ids = self.input_ids.clone();
        Ok(p)
    }

    /// The same panel with exposure 1 at every observed year: states
    /// explicitly that every person was at risk all year, for a model
    /// fitted with exposure.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12\na,1\n", "x.csv").unwrap();
    /// assert!(p.exposure().is_none());
    /// assert_eq!(p.with_unit_exposure().exposure().unwrap()[[0, 0]], 1.0);
    /// ```
    pub fn with_unit_exposure(&self) -> Panel {
        let mut p = self.clone();
        p.exposure = Some(Array2::ones(self.counts.dim()));
        p
    }
}
