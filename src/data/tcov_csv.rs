//! Reading time-varying covariates from CSV: a long file
//! (`id,age,name,value`) or a wide one laid out like the counts file, for
//! one covariate. See [`Panel::with_tcov_csv`].

use std::collections::HashMap;
use std::path::Path;

use ndarray::Array2;

use super::records::{
    Records, bad_header, check_ragged, is_missing, parse_age, parse_number, read_records,
    read_text, trailing_age,
};
use super::{CellAt, Panel};
use crate::error::{Error, Result};

impl Panel {
    /// The same panel with the time-varying covariates `vars` read from
    /// `path`, joined to the panel by id and age. The file is either
    ///
    /// - long, with the columns `id`, `age`, `name` and `value` (any case,
    ///   any order; other columns are ignored): one row per person, age and
    ///   covariate; or
    /// - wide, when there is no `name` column: laid out like a wide counts
    ///   file, an `id` column and one column per age (`12`, `age12`,
    ///   `employed12`, ...), holding the one covariate `vars[0]`.
    ///
    /// Rows of persons not in the panel, ages not in the panel and (long)
    /// covariates not in `vars` are ignored; covariate names are matched
    /// in any case. An empty cell, `NA`, `NaN`, `.` or a number that is not
    /// finite means no value, which is allowed only at a person-year the
    /// panel does not observe.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,0\nb,0,\n", "c.csv")?;
    /// let path = std::env::temp_dir().join(format!("gbtm-doc-tcov-{}.csv", std::process::id()));
    /// // Long: b has no row at 13, where it is not observed.
    /// std::fs::write(&path, "id,age,name,value\nb,12,employed,0\na,13,employed,0\na,12,employed,1\n").unwrap();
    /// let long = p.with_tcov_csv(&path, &["employed".to_string()])?;
    /// assert_eq!(long.tcov("employed").unwrap()[[0, 0]], 1.0);
    /// // Wide: the same values, one column per age.
    /// std::fs::write(&path, "id,employed12,employed13\nb,0,NA\na,1,0\n").unwrap();
    /// let wide = p.with_tcov_csv(&path, &["employed".to_string()])?;
    /// assert_eq!(wide, long);
    /// // A value missing at an observed year is an error naming id, age and covariate.
    /// std::fs::write(&path, "id,12,13\na,1,\nb,0,\n").unwrap();
    /// let err = p.with_tcov_csv(&path, &["employed".to_string()]).unwrap_err().to_string();
    /// assert!(err.contains("\"a\"") && err.contains("age 13") && err.contains("employed"));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `tcov-vars` if `vars` is empty,
    /// names a covariate twice, or names more than one for a wide file,
    /// and naming `tcov` for a name [`Panel::with_tcov`] refuses;
    /// [`Error::Io`] and the CSV errors ([`Error::Csv`],
    /// [`Error::EmptyFile`], [`Error::RaggedRow`]) for the file;
    /// [`Error::BadHeader`] for a missing or repeated `id`, `age` or
    /// `value` column, a wide header that is not an age, an age column
    /// given twice, or a covariate of `vars` in no row of a long file;
    /// [`Error::NonNumeric`] for text in an age or value cell;
    /// [`Error::NonIntegerAge`] for an age that is not a whole number;
    /// [`Error::DuplicateTimeCovariate`] for an (id, age, covariate) given
    /// twice; [`Error::DuplicateId`] for an id given twice in a wide file;
    /// [`Error::MissingTimeCovariate`] for an observed person-year without
    /// a value.
    pub fn with_tcov_csv(&self, path: impl AsRef<Path>, vars: &[String]) -> Result<Panel> {
        if vars.is_empty() {
            return Err(Error::param(
                "tcov-vars",
                "name at least one time-varying covariate",
            ));
        }
        for (i, v) in vars.iter().enumerate() {
            if vars[..i].iter().any(|w| w.eq_ignore_ascii_case(v)) {
                return Err(Error::param("tcov-vars", format!("{v} is named twice")));
            }
            self.check_new_tcov(v)?;
        }
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = read_text(path)?;
        let records = read_records(&text, &name)?;
        let header = &records.header;
        let values = if find_column(header, "name", &name)?.is_some() {
            self.tcov_long(&records, &name, vars)?
        } else if vars.len() == 1 {
            vec![self.tcov_wide(&records, &name)?]
        } else {
            return Err(Error::param(
                "tcov-vars",
                format!(
                    "{name} is a wide file (no `name` column), which holds one covariate, \
                     and {} are named ({}); give a long file with the columns id, age, name, value",
                    vars.len(),
                    vars.join(", ")
                ),
            ));
        };
        let mut p = self.clone();
        for (v, x) in vars.iter().zip(&values) {
            p.push_tcov(v, x.view(), &name)?;
        }
        Ok(p)
    }

    /// The person rows of the panel by id, and a persons × ages array of
    /// NaN to fill.
    fn tcov_frame(&self) -> (HashMap<&str, usize>, Array2<f64>) {
        let rows = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        (rows, Array2::from_elem(self.counts.dim(), f64::NAN))
    }

    /// Values of `vars` from a long file (`id,age,name,value`), in order.
    fn tcov_long(
        &self,
        records: &Records,
        path: &str,
        vars: &[String],
    ) -> Result<Vec<Array2<f64>>> {
        let header = &records.header;
        let need = |col: &str| {
            find_column(header, col, path)?.ok_or_else(|| {
                bad_header(
                    path,
                    col,
                    "a long time-varying covariate file needs the columns id, age, name, value",
                )
            })
        };
        let (ci, ca, cn, cv) = (need("id")?, need("age")?, need("name")?, need("value")?);
        let (rows, frame) = self.tcov_frame();
        let mut out = vec![frame; vars.len()];
        let mut names: Vec<&str> = Vec::new();
        let mut seen: HashMap<(usize, usize, usize), u64> = HashMap::new();
        for (line, row) in records.rows() {
            check_ragged(path, line, header.len(), row.len())?;
            let at = |j: usize| CellAt {
                path,
                row: line,
                column: &header[j],
            };
            if !names.contains(&row.get(cn).unwrap_or("")) {
                names.push(row.get(cn).unwrap_or(""));
            }
            let var = vars.iter().position(|v| v.eq_ignore_ascii_case(&row[cn]));
            let (Some(k), Some(&i)) = (var, rows.get(&row[ci])) else {
                continue;
            };
            let age = parse_age(&row[ca], &at(ca))? as i64;
            let Some(t) = self.ages.iter().position(|&a| a == age) else {
                continue;
            };
            if seen.insert((k, i, t), line).is_some() {
                return Err(Error::DuplicateTimeCovariate {
                    path: path.to_string(),
                    row: line,
                    id: row[ci].to_string(),
                    age,
                    name: vars[k].clone(),
                });
            }
            if !is_missing(&row[cv]) {
                out[k][[i, t]] = parse_number(&row[cv], &at(cv))?;
            }
        }
        if let Some(v) = vars
            .iter()
            .find(|v| !names.iter().any(|n| n.eq_ignore_ascii_case(v)))
        {
            return Err(bad_header(
                path,
                v,
                &format!(
                    "no such covariate in the {:?} column (the file has: {})",
                    header[cn],
                    names.join(", ")
                ),
            ));
        }
        Ok(out)
    }

    /// Values of the one covariate of a wide file (`id` and age columns).
    fn tcov_wide(&self, records: &Records, path: &str) -> Result<Array2<f64>> {
        let header = &records.header;
        let id_col = find_column(header, "id", path)?.ok_or_else(|| {
            bad_header(
                path,
                "id",
                &format!(
                    "no such column (the columns are {}); a wide time-varying covariate file \
                     needs an id column and one column per age",
                    header.join(", ")
                ),
            )
        })?;
        // (panel age index, file column) of the ages the panel has.
        let mut cols: Vec<(usize, usize)> = Vec::new();
        let mut ages: Vec<i64> = Vec::new();
        for (j, h) in header.iter().enumerate() {
            if j == id_col {
                continue;
            }
            let Some(age) = trailing_age(h, path)? else {
                return Err(bad_header(
                    path,
                    h,
                    "a wide time-varying covariate file's columns are `id` and ages (a header \
                     ending in an integer age, like `12` or `employed12`); a long file needs \
                     `id,age,name,value`",
                ));
            };
            if ages.contains(&age) {
                return Err(bad_header(path, h, &format!("age {age} appears twice")));
            }
            ages.push(age);
            if let Some(t) = self.ages.iter().position(|&a| a == age) {
                cols.push((t, j));
            }
        }
        if ages.is_empty() {
            return Err(bad_header(path, "", "no age columns in the header"));
        }
        let (rows, mut out) = self.tcov_frame();
        let mut seen: HashMap<&str, u64> = HashMap::new();
        for (line, cells) in records.rows() {
            check_ragged(path, line, header.len(), cells.len())?;
            let id = cells.get(id_col).unwrap_or("");
            if seen.insert(id, line).is_some() {
                return Err(Error::DuplicateId {
                    path: path.to_string(),
                    row: line,
                    id: id.to_string(),
                });
            }
            let Some(&i) = rows.get(id) else {
                continue;
            };
            for &(t, j) in &cols {
                if is_missing(&cells[j]) {
                    continue;
                }
                let at = CellAt {
                    path,
                    row: line,
                    column: &header[j],
                };
                out[[i, t]] = parse_number(&cells[j], &at)?;
            }
        }
        Ok(out)
    }
}

/// The position of column `col` (any case) in a header, if it has one.
fn find_column(header: &[String], col: &str, path: &str) -> Result<Option<usize>> {
    let hits: Vec<usize> = (0..header.len())
        .filter(|&j| header[j].eq_ignore_ascii_case(col))
        .collect();
    match hits.len() {
        0 => Ok(None),
        1 => Ok(Some(hits[0])),
        _ => Err(bad_header(path, col, "the column appears twice")),
    }
}
