//! Risk factors: person-level covariates that enter the group membership
//! probabilities (traj's `risk()`), read from a CSV with an `id` column and
//! one column per covariate, and joined to a panel's persons by id.

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array2, ArrayView2};

use super::CellAt;
use super::Panel;
use super::records::{Row, is_missing, parse_number, read_records, read_text};
use crate::error::{Error, Result};

/// The risk factors of a panel's persons: names, and one row per person of
/// the panel (in its order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RiskFactors {
    pub names: Vec<String>,
    pub values: Array2<f64>,
}

impl Panel {
    /// The same panel with risk factors read from `path`: a CSV with an `id`
    /// column (matching the panel's ids) and the columns `vars`. Every
    /// person of the panel needs a row and a value in every column; other
    /// rows and columns are ignored.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,0\nb,0,2\n", "c.csv")?;
    /// let path = std::env::temp_dir().join(format!("gbtm-doc-risk-{}.csv", std::process::id()));
    /// std::fs::write(&path, "id,male,age_first\nb,0,15\na,1,13\n").unwrap();
    /// let p = p.with_risk_csv(&path, &["male".to_string()])?;
    /// assert_eq!(p.risk_names(), ["male"]);
    /// assert_eq!(p.risk().unwrap().column(0).to_vec(), vec![1.0, 0.0]);
    /// // A person without a value is an error naming the id and the column.
    /// std::fs::write(&path, "id,male\na,1\nb,NA\n").unwrap();
    /// let p2 = Panel::from_wide_csv_str("id,12,13\na,1,0\nb,0,2\n", "c.csv")?;
    /// assert!(p2.with_risk_csv(&path, &["male".to_string()]).unwrap_err().to_string().contains("\"b\""));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] and the CSV errors for the file; [`Error::BadHeader`]
    /// if there is no `id` column, a column in `vars` is absent or named
    /// twice; [`Error::MissingRiskFactor`] for a person without a row or
    /// with an empty cell; [`Error::NonNumeric`] for text;
    /// [`Error::DuplicateId`] for an id given twice.
    pub fn with_risk_csv(&self, path: impl AsRef<Path>, vars: &[String]) -> Result<Panel> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = read_text(path)?;
        let records = read_records(&text, &name)?;
        let header = &records.header;
        let bad = |column: &str, message: &str| Error::BadHeader {
            path: name.clone(),
            column: column.to_string(),
            message: message.to_string(),
        };
        let find = |col: &str| {
            let hits: Vec<usize> = (0..header.len())
                .filter(|&j| header[j].eq_ignore_ascii_case(col))
                .collect();
            match hits.len() {
                1 => Ok(hits[0]),
                0 => Err(bad(
                    col,
                    &format!("no such column (the columns are {})", header.join(", ")),
                )),
                _ => Err(bad(col, "the column appears twice")),
            }
        };
        let id_col = find("id")?;
        if vars.is_empty() {
            return Err(Error::param("risk-vars", "name at least one risk factor"));
        }
        for (i, v) in vars.iter().enumerate() {
            if vars[..i].iter().any(|w| w.eq_ignore_ascii_case(v)) {
                return Err(Error::param("risk-vars", format!("{v} is named twice")));
            }
        }
        let cols = vars.iter().map(|v| find(v)).collect::<Result<Vec<_>>>()?;
        let mut rows: HashMap<&str, (u64, Row<'_>)> = HashMap::new();
        for (line, row) in records.rows() {
            let id = row.get(id_col).unwrap_or("");
            if rows.insert(id, (line, row)).is_some() {
                return Err(Error::DuplicateId {
                    path: name.clone(),
                    row: line,
                    id: id.to_string(),
                });
            }
        }
        let mut values = Array2::zeros((self.n_persons(), vars.len()));
        for (i, id) in self.ids.iter().enumerate() {
            let missing = |column: &str| Error::MissingRiskFactor {
                path: name.clone(),
                id: id.clone(),
                column: column.to_string(),
            };
            let Some((line, row)) = rows.get(id.as_str()) else {
                return Err(missing(&vars[0]));
            };
            for (j, (&c, v)) in cols.iter().zip(vars).enumerate() {
                let cell = row.get(c).unwrap_or("");
                if is_missing(cell) {
                    return Err(missing(v));
                }
                let at = CellAt {
                    path: &name,
                    row: *line,
                    column: v,
                };
                let x = parse_number(cell, &at)?;
                if !x.is_finite() {
                    return Err(missing(v));
                }
                values[[i, j]] = x;
            }
        }
        self.with_risk(vars.to_vec(), values.view())
    }

    /// The same panel with risk factors given as an array: one row per
    /// person of the panel, in its order ([`Panel::ids`]), one column per
    /// name.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,0\nb,0,2\n", "c.csv")?;
    /// let w = ndarray::array![[1.0], [0.0]];
    /// let with = p.with_risk(vec!["male".into()], w.view())?;
    /// assert_eq!(with.risk_names(), ["male"]);
    /// assert!(with.without_risk().risk().is_none());
    /// // A NaN is a missing value, named with its person and column.
    /// let bad = ndarray::array![[1.0], [f64::NAN]];
    /// assert!(p.with_risk(vec!["male".into()], bad.view()).is_err());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `risk` if the shape does not
    /// match; [`Error::MissingRiskFactor`] for a value that is not finite.
    pub fn with_risk(&self, names: Vec<String>, values: ArrayView2<'_, f64>) -> Result<Panel> {
        if values.nrows() != self.n_persons() || values.ncols() != names.len() || names.is_empty() {
            return Err(Error::param(
                "risk",
                format!(
                    "{} × {} values for {} persons and {} names",
                    values.nrows(),
                    values.ncols(),
                    self.n_persons(),
                    names.len()
                ),
            ));
        }
        if let Some(((i, j), _)) = values.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::MissingRiskFactor {
                path: self.source.clone(),
                id: self.ids[i].clone(),
                column: names[j].clone(),
            });
        }
        let mut p = self.clone();
        p.risk = Some(RiskFactors {
            names,
            values: values.as_standard_layout().to_owned(),
        });
        Ok(p)
    }

    /// The same panel without risk factors.
    ///
    /// See the example of [`Panel::with_risk`].
    pub fn without_risk(&self) -> Panel {
        let mut p = self.clone();
        p.risk = None;
        p
    }

    /// The names of the risk factors (empty without).
    ///
    /// See the example of [`Panel::with_risk`].
    pub fn risk_names(&self) -> &[String] {
        self.risk.as_ref().map_or(&[], |r| r.names.as_slice())
    }

    /// The risk factors, persons × factors, in the panel's order.
    ///
    /// See the example of [`Panel::with_risk`].
    pub fn risk(&self) -> Option<ArrayView2<'_, f64>> {
        self.risk.as_ref().map(|r| r.values.view())
    }
}
