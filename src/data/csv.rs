//! CSV input: wide (one row per person) and long (`id,age,count[,exposure]`).
//!
//! Wide files have an optional `id` column and one column per age whose header
//! ends in an integer age: `12`, `age12` and crimCV's `Offense12` all work. An
//! empty cell, `NA`, `NaN` or `.` means "not observed". Long files have the
//! columns `id`, `age`, `count` and optionally `exposure` (any order, any case).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::records::{
    Records, bad_header, check_ragged, is_missing, parse_age, parse_number, read_records,
    read_text, trailing_age,
};
use super::{CellAt, Panel, check_count, check_exposure};
use crate::error::{Error, Result};

/// Options for [`Panel::from_csv_path`].
///
/// ```
/// use gbtm::ReadOptions;
/// let opts = ReadOptions::default().window(12, 35).exposure_file("TO1Risk.csv");
/// assert_eq!(opts.ages, Some((12, 35)));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Keep only ages `from..=to` (default: every age in the file).
    pub ages: Option<(i64, i64)>,
    /// A wide exposure (time at risk) file laid out like the counts file.
    pub exposure: Option<PathBuf>,
}

impl ReadOptions {
    /// Keep only ages `from..=to`.
    ///
    /// See the example of [`ReadOptions`].
    pub fn window(mut self, from: i64, to: i64) -> Self {
        self.ages = Some((from, to));
        self
    }
    /// Attach this wide exposure file.
    ///
    /// See the example of [`ReadOptions`].
    pub fn exposure_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.exposure = Some(path.into());
        self
    }
}

/// A parsed wide file: ids (if an `id` column exists), ages ascending, values
/// (NaN = missing) and the line number of each row.
struct Wide {
    ids: Option<Vec<String>>,
    ages: Vec<i64>,
    /// Header of each age column, in the order of `ages`.
    columns: Vec<String>,
    values: Array2<f64>,
    lines: Vec<u64>,
}

fn parse_wide(
    records: &Records,
    path: &str,
    check: fn(f64, &CellAt<'_>) -> Result<f64>,
) -> Result<Wide> {
    let header = &records.header;
    let mut id_col = None;
    let mut age_cols: Vec<(i64, usize)> = Vec::new();
    for (j, name) in header.iter().enumerate() {
        if name.eq_ignore_ascii_case("id") {
            if id_col.replace(j).is_some() {
                return Err(bad_header(path, name, "the id column appears twice"));
            }
        } else if let Some(age) = trailing_age(name, path)? {
            if age_cols.iter().any(|&(a, _)| a == age) {
                return Err(bad_header(path, name, &format!("age {age} appears twice")));
            }
            age_cols.push((age, j));
        } else {
            return Err(bad_header(
                path,
                name,
                "a wide file's columns are `id` and ages (a header ending in an integer age, like `12`, `age12` or `Offense12`); a long file needs `id,age,count`",
            ));
        }
    }
    if age_cols.is_empty() {
        return Err(bad_header(path, "", "no age columns in the header"));
    }
    age_cols.sort_unstable();
    let n = records.n_rows();
    let mut values = Array2::<f64>::from_elem((n, age_cols.len()), f64::NAN);
    let mut ids = id_col.map(|_| Vec::with_capacity(n));
    let mut seen = HashMap::new();
    let mut lines = Vec::with_capacity(n);
    for (i, (line, cells)) in records.rows().enumerate() {
        check_ragged(path, line, header.len(), cells.len())?;
        lines.push(line);
        if let (Some(j), Some(ids)) = (id_col, ids.as_mut()) {
            let id = cells[j].to_string();
            if seen.insert(id.clone(), i).is_some() {
                return Err(Error::DuplicateId {
                    path: path.to_string(),
                    row: line,
                    id,
                });
            }
            ids.push(id);
        }
        for (k, &(_, j)) in age_cols.iter().enumerate() {
            let cell = &cells[j];
            if is_missing(cell) {
                continue;
            }
            let at = CellAt {
                path,
                row: line,
                column: &header[j],
            };
            values[[i, k]] = check(parse_number(cell, &at)?, &at)?;
        }
    }
    Ok(Wide {
        ids,
        ages: age_cols.iter().map(|&(a, _)| a).collect(),
        columns: age_cols.iter().map(|&(_, j)| header[j].clone()).collect(),
        values,
        lines,
    })
}

fn is_long_header(header: &[String]) -> bool {
    let has = |n: &str| header.iter().any(|h| h.eq_ignore_ascii_case(n));
    has("age") && has("count")
}

impl Panel {
    /// Reads a wide or long CSV file (the header decides which), applies the age
    /// window and attaches a wide exposure file if one is given.
    ///
    /// ```no_run
    /// use gbtm::{Panel, ReadOptions};
    /// let opts = ReadOptions::default().window(12, 35);
    /// let panel = Panel::from_csv_path("data-synthetic/three-groups.csv", &opts)?;
    /// println!("{} persons", panel.n_persons());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn from_csv_path(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Panel> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = read_text(path)?;
        let records = read_records(&text, &name)?;
        let mut panel = if is_long_header(&records.header) {
            if let Some(e) = &opts.exposure {
                return Err(Error::ExposureMismatch {
                    path: e.display().to_string(),
                    message: format!(
                        "{name} is a long file; give its exposure as an `exposure` column instead"
                    ),
                });
            }
            long_panel(&records, &name)?
        } else {
            let counts = parse_wide(&records, &name, check_count)?;
            let exposure = match &opts.exposure {
                None => None,
                Some(p) => {
                    let ename = p.display().to_string();
                    let etext = read_text(p)?;
                    let erec = read_records(&etext, &ename)?;
                    Some(align_exposure(
                        &counts,
                        // Checked where a count is observed, in align_exposure:
                        // a year not observed may have any exposure (0 for a
                        // year spent in custody, say).
                        &parse_wide(&erec, &ename, |v, _| Ok(v))?,
                        &ename,
                    )?)
                }
            };
            wide_panel(counts, exposure, &name)?
        };
        if let Some((from, to)) = opts.ages {
            panel = panel.window(from, to)?;
        }
        Ok(panel)
    }

    /// Parses a wide CSV held in memory; `name` is used in error messages.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,Offense12,Offense13\na,0,1\nb,2,\n", "x.csv").unwrap();
    /// assert_eq!(p.ages(), &[12, 13]);
    /// assert_eq!(p.n_observations(), 3);
    /// ```
    pub fn from_wide_csv_str(text: &str, name: &str) -> Result<Panel> {
        let records = read_records(text, name)?;
        wide_panel(parse_wide(&records, name, check_count)?, None, name)
    }

    /// Parses a long CSV (`id,age,count[,exposure]`) held in memory.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_long_csv_str("id,age,count\na,12,0\na,13,2\nb,12,1\n", "x.csv").unwrap();
    /// assert_eq!((p.n_persons(), p.n_observations()), (2, 3));
    /// ```
    pub fn from_long_csv_str(text: &str, name: &str) -> Result<Panel> {
        long_panel(&read_records(text, name)?, name)
    }
}

fn wide_panel(w: Wide, exposure: Option<Array2<f64>>, name: &str) -> Result<Panel> {
    let n = w.values.nrows();
    let ids = w
        .ids
        .unwrap_or_else(|| (1..=n).map(|i| i.to_string()).collect());
    let observed = w.values.mapv(|v| !v.is_nan());
    let counts = w.values.mapv(|v| if v.is_nan() { 0.0 } else { v });
    Panel::assemble(ids, w.ages, counts, observed, exposure, name)
}

/// Lines the exposure file up with the counts: by id where both files have an
/// id column, else by row order. Every observed count needs an exposure.
fn align_exposure(counts: &Wide, expo: &Wide, ename: &str) -> Result<Array2<f64>> {
    let mismatch = |message: String| Error::ExposureMismatch {
        path: ename.to_string(),
        message,
    };
    let rows: Vec<usize> = match (&counts.ids, &expo.ids) {
        (Some(cid), Some(eid)) => {
            let index: HashMap<&str, usize> = eid
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), i))
                .collect();
            cid.iter()
                .map(|id| {
                    index
                        .get(id.as_str())
                        .copied()
                        .ok_or_else(|| mismatch(format!("no exposure row for id {id:?}")))
                })
                .collect::<Result<_>>()?
        }
        _ => {
            if expo.values.nrows() != counts.values.nrows() {
                return Err(mismatch(format!(
                    "{} exposure rows for {} count rows",
                    expo.values.nrows(),
                    counts.values.nrows()
                )));
            }
            (0..counts.values.nrows()).collect()
        }
    };
    let mut out = Array2::<f64>::ones(counts.values.dim());
    for (k, age) in counts.ages.iter().enumerate() {
        let ecol = expo.ages.iter().position(|a| a == age);
        for (i, &r) in rows.iter().enumerate() {
            if counts.values[[i, k]].is_nan() {
                continue;
            }
            let v = ecol.map_or(f64::NAN, |c| expo.values[[r, c]]);
            let Some(c) = ecol.filter(|_| !v.is_nan()) else {
                return Err(mismatch(format!(
                    "row {} has an observed count at age {age} but no exposure (exposure row {})",
                    counts.lines[i], expo.lines[r]
                )));
            };
            let at = CellAt {
                path: ename,
                row: expo.lines[r],
                column: &expo.columns[c],
            };
            out[[i, k]] = check_exposure(v, &at)?;
        }
    }
    Ok(out)
}

fn long_panel(records: &Records, path: &str) -> Result<Panel> {
    let header = &records.header;
    const KNOWN: [&str; 4] = ["id", "age", "count", "exposure"];
    for (j, h) in header.iter().enumerate() {
        let known = KNOWN.iter().any(|k| h.eq_ignore_ascii_case(k));
        if !known {
            return Err(bad_header(
                path,
                h,
                "unknown column in a long file; its columns are id, age, count and (optionally) exposure",
            ));
        }
        if header[..j].iter().any(|g| g.eq_ignore_ascii_case(h)) {
            return Err(bad_header(path, h, "the column appears twice"));
        }
    }
    let col = |n: &str| header.iter().position(|h| h.eq_ignore_ascii_case(n));
    let need = |n: &str| {
        col(n).ok_or_else(|| bad_header(path, n, "a long file needs the columns id, age, count"))
    };
    let (ci, ca, cc, ce) = (need("id")?, need("age")?, need("count")?, col("exposure"));
    struct Cell {
        person: usize,
        age: i64,
        count: f64,
        exposure: f64,
    }
    let mut persons: HashMap<String, usize> = HashMap::new();
    let mut ids: Vec<String> = Vec::new();
    let mut seen: HashMap<(usize, i64), u64> = HashMap::new();
    let mut cells = Vec::new();
    for (line, row) in records.rows() {
        check_ragged(path, line, header.len(), row.len())?;
        let at = |j: usize| CellAt {
            path,
            row: line,
            column: &header[j],
        };
        let age_f = parse_age(&row[ca], &at(ca))?;
        if !(super::MIN_AGE as f64..=super::MAX_AGE as f64).contains(&age_f) {
            return Err(Error::AgeOutOfRange {
                path: path.to_string(),
                age: age_f as i64,
            });
        }
        let age = age_f as i64;
        let next = ids.len();
        let person = *persons.entry(row[ci].to_string()).or_insert(next);
        if person == next {
            ids.push(row[ci].to_string());
        }
        if seen.insert((person, age), line).is_some() {
            return Err(Error::DuplicateObservation {
                path: path.to_string(),
                row: line,
                id: row[ci].to_string(),
                age,
            });
        }
        if is_missing(&row[cc]) {
            continue;
        }
        let count = check_count(parse_number(&row[cc], &at(cc))?, &at(cc))?;
        let exposure = match ce {
            Some(j) if !is_missing(&row[j]) => {
                check_exposure(parse_number(&row[j], &at(j))?, &at(j))?
            }
            Some(j) => {
                return Err(Error::MissingExposure {
                    path: path.to_string(),
                    row: line,
                    column: header[j].clone(),
                });
            }
            None => 1.0,
        };
        cells.push(Cell {
            person,
            age,
            count,
            exposure,
        });
    }
    let mut ages: Vec<i64> = cells.iter().map(|c| c.age).collect();
    ages.sort_unstable();
    ages.dedup();
    if ages.is_empty() {
        return Err(Error::NoPersons {
            path: path.to_string(),
        });
    }
    let (n, t) = (ids.len(), ages.len());
    let mut y = Array2::<f64>::zeros((n, t));
    let mut obs = Array2::<bool>::from_elem((n, t), false);
    let mut expo = ce.map(|_| Array2::<f64>::ones((n, t)));
    for c in &cells {
        let j = ages.binary_search(&c.age).expect("age collected above");
        y[[c.person, j]] = c.count;
        obs[[c.person, j]] = true;
        if let Some(e) = expo.as_mut() {
            e[[c.person, j]] = c.exposure;
        }
    }
    Panel::assemble(ids, ages, y, obs, expo, path)
}
