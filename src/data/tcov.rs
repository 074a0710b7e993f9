//! Time-varying covariates (traj's `tcov`): values per person and age that
//! enter each group's log rate with group-specific coefficients.
//!
//! They are read from a long CSV (`id,age,name,value`: one row per person,
//! age and covariate) or a wide one laid out like the counts file (an `id`
//! column and one column per age, for a single covariate), and joined to a
//! panel's persons by id and to its ages by age. Every observed person-year
//! needs a value: gbtm does not impute.

use ndarray::{Array2, ArrayView2};

use super::Panel;
use crate::error::{Error, Result};

/// The time-varying covariates of a panel: names, and per name one
/// persons × ages array in the panel's order (NaN where a person-year is
/// unobserved and has no value).
#[derive(Debug, Clone)]
pub(crate) struct TimeCovariates {
    pub names: Vec<String>,
    pub values: Vec<Array2<f64>>,
}

/// Equal names and values, a NaN (no value) equal to a NaN: a panel with
/// covariates equals its clone.
impl PartialEq for TimeCovariates {
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names
            && self.values.len() == other.values.len()
            && self.values.iter().zip(&other.values).all(|(a, b)| {
                a.dim() == b.dim()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
            })
    }
}

impl Panel {
    /// The same panel with the time-varying covariate `name`, given as a
    /// persons × ages array in the panel's order ([`Panel::ids`],
    /// [`Panel::ages`]). NaN marks no value; every observed person-year
    /// needs a finite one. Values at unobserved person-years are not used
    /// and are stored as NaN. Call it again to add another covariate.
    ///
    /// ```
    /// use gbtm::Panel;
    /// // Person b is not observed at 13.
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,0\nb,0,\n", "c.csv")?;
    /// let employed = ndarray::array![[1.0, 0.0], [0.0, f64::NAN]];
    /// let with = p.with_tcov("employed", employed.view())?;
    /// assert_eq!(with.tcov_names(), ["employed"]);
    /// assert_eq!(with.tcov("employed").unwrap()[[0, 1]], 0.0);
    /// // A value missing at an observed year is an error naming id, age and covariate.
    /// let gap = ndarray::array![[1.0, f64::NAN], [0.0, 1.0]];
    /// let err = p.with_tcov("employed", gap.view()).unwrap_err().to_string();
    /// assert!(err.contains("\"a\"") && err.contains("13") && err.contains("employed"));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `tcov` if the shape does not
    /// match the panel, the name is empty, holds a space or one of
    /// `+ - * = , ;` (names are written in hypotheses as `g1.tcov.NAME`),
    /// or the panel already has a covariate of that name (in any case);
    /// [`Error::MissingTimeCovariate`] for an observed person-year whose
    /// value is not finite.
    pub fn with_tcov(&self, name: &str, values: ArrayView2<'_, f64>) -> Result<Panel> {
        self.check_new_tcov(name)?;
        if values.dim() != self.counts.dim() {
            return Err(Error::param(
                "tcov",
                format!(
                    "{} × {} values of {name} for {} persons and {} ages",
                    values.nrows(),
                    values.ncols(),
                    self.n_persons(),
                    self.ages.len()
                ),
            ));
        }
        let mut p = self.clone();
        p.push_tcov(name, values, &self.source)?;
        Ok(p)
    }

    /// The same panel without time-varying covariates.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,0\n", "c.csv")?;
    /// let with = p.with_tcov("employed", ndarray::array![[1.0, 0.0]].view())?;
    /// assert_eq!(with.without_tcov().tcov_names().len(), 0);
    /// assert_eq!(with.without_tcov(), p);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn without_tcov(&self) -> Panel {
        let mut p = self.clone();
        p.tcov = None;
        p
    }

    /// The names of the time-varying covariates (empty without).
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,0\n", "c.csv")?;
    /// assert!(p.tcov_names().is_empty());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn tcov_names(&self) -> &[String] {
        self.tcov.as_ref().map_or(&[], |c| c.names.as_slice())
    }

    /// The values of time-varying covariate `name`, persons × ages in the
    /// panel's order (NaN at unobserved person-years without a value).
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,\n", "c.csv")?;
    /// let p = p.with_tcov("employed", ndarray::array![[1.0, 1.0]].view())?;
    /// let x = p.tcov("employed").unwrap();
    /// assert_eq!(x[[0, 0]], 1.0);
    /// assert!(x[[0, 1]].is_nan()); // a is not observed at 13
    /// assert!(p.tcov("married").is_none());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn tcov(&self, name: &str) -> Option<ArrayView2<'_, f64>> {
        let c = self.tcov.as_ref()?;
        let j = c.names.iter().position(|n| n == name)?;
        Some(c.values[j].view())
    }

    /// Refuses a name that cannot be written in a hypothesis or that the
    /// panel already has.
    pub(super) fn check_new_tcov(&self, name: &str) -> Result<()> {
        let odd = name
            .chars()
            .any(|c| c.is_whitespace() || "+-*=,;".contains(c));
        if name.is_empty() || odd {
            return Err(Error::param(
                "tcov",
                format!(
                    "time-varying covariate names must be non-empty and free of spaces and \
                     + - * = , ; (they are written in hypotheses as g1.tcov.NAME): {name:?}"
                ),
            ));
        }
        if self
            .tcov_names()
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(Error::param(
                "tcov",
                format!("the panel already has a time-varying covariate {name:?}"),
            ));
        }
        Ok(())
    }

    /// Adds covariate `name` (checked, shape matching): a finite value at
    /// every observed person-year, NaN at the others.
    pub(super) fn push_tcov(
        &mut self,
        name: &str,
        values: ArrayView2<'_, f64>,
        path: &str,
    ) -> Result<()> {
        let mut kept = Array2::from_elem(self.counts.dim(), f64::NAN);
        for ((i, t), &observed) in self.observed.indexed_iter() {
            if !observed {
                continue;
            }
            let v = values[[i, t]];
            if !v.is_finite() {
                return Err(Error::MissingTimeCovariate {
                    path: path.to_string(),
                    id: self.ids[i].clone(),
                    age: self.ages[t],
                    name: name.to_string(),
                });
            }
            kept[[i, t]] = v;
        }
        let c = self.tcov.get_or_insert_with(|| TimeCovariates {
            names: Vec::new(),
            values: Vec::new(),
        });
        c.names.push(name.to_string());
        c.values.push(kept);
        Ok(())
    }
}
