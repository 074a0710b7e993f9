//! Time-varying covariates (traj's `tcov`): values per person and age that
//! enter each group's log rate with group-specific coefficients.

use ndarray::{Array2, ArrayView2};

use super::Panel;

/// The time-varying covariates of a panel: names, and per name one
/// persons × ages array in the panel's order (NaN where a person-year is
/// unobserved and has no value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeCovariates {
    pub names: Vec<String>,
    pub values: Vec<Array2<f64>>,
}

impl Panel {
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
    pub fn tcov(&self, name: &str) -> Option<ArrayView2<'_, f64>> {
        let c = self.tcov.as_ref()?;
        let j = c.names.iter().position(|n| n == name)?;
        Some(c.values[j].view())
    }
}
