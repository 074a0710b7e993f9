//! The low-level CSV reading shared by the wide and long readers: records
//! with their true line numbers, missing-value markers, numbers and
//! header ages, and the errors that name them.

use std::path::Path;

use super::CellAt;
use crate::error::{Error, Result};

/// Cells of one CSV file: the header, then the data rows with their line
/// numbers. The rows' cells live in one string (no allocation per cell),
/// so that a million-person file reads in a fraction of the memory.
pub(super) struct Records {
    /// The header's cells.
    pub header: Vec<String>,
    /// Every data cell's text, concatenated.
    text: String,
    /// End offset in `text` of each data cell.
    ends: Vec<usize>,
    /// Data row r's cells are `ends[first[r]..first[r + 1]]`.
    first: Vec<usize>,
    /// Line number of each data row.
    lines: Vec<u64>,
}

/// One data row of [`Records`].
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    rec: &'a Records,
    r: usize,
}

impl<'a> Row<'a> {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.rec.first[self.r + 1] - self.rec.first[self.r]
    }
    /// Cell `j`, if the row has one.
    pub fn get(&self, j: usize) -> Option<&'a str> {
        (j < self.len()).then(|| {
            let k = self.rec.first[self.r] + j;
            let start = if k == 0 { 0 } else { self.rec.ends[k - 1] };
            &self.rec.text[start..self.rec.ends[k]]
        })
    }
}

impl<'a> std::ops::Index<usize> for Row<'a> {
    type Output = str;
    fn index(&self, j: usize) -> &str {
        match self.get(j) {
            Some(c) => c,
            None => panic!("cell {j} of a row of {}", self.len()),
        }
    }
}

impl Records {
    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.lines.len()
    }
    /// The data rows with their line numbers.
    pub fn rows(&self) -> impl Iterator<Item = (u64, Row<'_>)> + '_ {
        self.lines
            .iter()
            .enumerate()
            .map(move |(r, &line)| (line, Row { rec: self, r }))
    }
}

/// Reads the records of a CSV text (header first); blank lines are skipped.
///
/// Semicolon- and tab-separated files are read as such; in a semicolon file
/// a number may use a decimal comma (`0,5`), read as a decimal point (ids
/// and other text keep their commas).
pub(super) fn read_records(text: &str, path: &str) -> Result<Records> {
    let sep = separator(text);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Records {
        header: Vec::new(),
        text: String::with_capacity(text.len()),
        ends: Vec::new(),
        first: vec![0],
        lines: Vec::new(),
    };
    let mut have_header = false;
    let mut lines = LineCounter::new(text);
    let mut rec = ::csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Error::Csv {
                    path: path.to_string(),
                    row: e.position().map_or(0, |p| lines.line_at(p.byte() as usize)),
                    message: e.to_string(),
                });
            }
        }
        let line = rec
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        // Skip wholly blank lines (a trailing newline, say).
        if rec.len() == 1 && rec[0].is_empty() {
            continue;
        }
        // A quoted cell that runs over lines in a row of the wrong length
        // has swallowed the rows after it: a closing quote is missing. (A
        // quoted line break in a row of the right length is valid CSV.)
        let width = have_header.then_some(out.header.len());
        if rec.iter().any(|c| c.contains('\n')) && width.is_some_and(|w| w != rec.len()) {
            return Err(Error::Csv {
                path: path.to_string(),
                row: line,
                message: "a quoted cell runs over several lines: is a closing quote missing?"
                    .into(),
            });
        }
        let comma = |c: &str| sep == b';' && decimal_comma(c);
        if !have_header {
            out.header = rec
                .iter()
                .map(|c| {
                    if comma(c) {
                        c.replace(',', ".")
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            have_header = true;
            continue;
        }
        for c in rec.iter() {
            if comma(c) {
                out.text.push_str(&c.replace(',', "."));
            } else {
                out.text.push_str(c);
            }
            out.ends.push(out.text.len());
        }
        out.first.push(out.ends.len());
        out.lines.push(line);
    }
    if !have_header {
        return Err(Error::EmptyFile {
            path: path.to_string(),
        });
    }
    Ok(out)
}

/// Line numbers (1-based) of byte offsets, for offsets given in increasing
/// order. The csv crate's own line count is off after blank lines and with
/// `\r\n` line ends; counting newlines before the record's first
/// non-newline byte is not.
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: usize) -> u64 {
        let mut start = byte.min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.pos {
            // Offsets went backwards (an error position): count afresh.
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.text[self.pos..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = start;
        self.line
    }
}

pub(super) fn is_missing(cell: &str) -> bool {
    cell.is_empty()
        || cell == "."
        || cell.eq_ignore_ascii_case("na")
        || cell.eq_ignore_ascii_case("nan")
}

pub(super) fn parse_number(cell: &str, at: &CellAt<'_>) -> Result<f64> {
    cell.parse::<f64>().map_err(|_| Error::NonNumeric {
        path: at.path.to_string(),
        row: at.row,
        column: at.column.to_string(),
        value: cell.to_string(),
    })
}

/// A whole-number age in a long file's age cell (the range is the
/// caller's to check).
///
/// # Errors
/// [`Error::NonNumeric`] for text, [`Error::NonIntegerAge`] for a
/// fraction or a non-finite number.
pub(super) fn parse_age(cell: &str, at: &CellAt<'_>) -> Result<f64> {
    let age = parse_number(cell, at)?;
    if age.fract() != 0.0 || !age.is_finite() {
        return Err(Error::NonIntegerAge {
            path: at.path.to_string(),
            row: at.row,
            column: at.column.to_string(),
            value: cell.to_string(),
        });
    }
    Ok(age)
}

/// The integer age at the end of a header cell (`Offense12` → 12).
///
/// A header whose number is negative (`-5`, `age-5`) or fractional
/// (`12.5`, `age12.5`) is an error, not an age read from its last digits.
pub(super) fn trailing_age(name: &str, path: &str) -> Result<Option<i64>> {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return Ok(None);
    }
    let head = &name[..name.len() - digits];
    if head.ends_with('-') || head.ends_with('.') || head.ends_with(',') {
        return Err(bad_header(
            path,
            name,
            "ages are whole years from 0 to 130, not negative or fractional numbers",
        ));
    }
    Ok(name[name.len() - digits..].parse().ok())
}

/// The field separator of a CSV text, from its first non-blank line: `;`
/// if it has semicolons and no commas (a Dutch or German spreadsheet), a
/// tab if it has tabs and neither, else `,`.
fn separator(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains(';') && !first.contains(',') {
        b';'
    } else if first.contains('\t') && !first.contains(',') && !first.contains(';') {
        b'\t'
    } else {
        b','
    }
}

/// A number written with a decimal comma (`0,5`, `-1,25`): digits, one
/// comma, digits.
fn decimal_comma(cell: &str) -> bool {
    let body = cell.strip_prefix('-').unwrap_or(cell);
    match body.split_once(',') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

pub(super) fn check_ragged(path: &str, line: u64, expected: usize, found: usize) -> Result<()> {
    if expected != found {
        return Err(Error::RaggedRow {
            path: path.to_string(),
            row: line,
            expected,
            found,
        });
    }
    Ok(())
}

pub(super) fn bad_header(path: &str, column: &str, message: &str) -> Error {
    Error::BadHeader {
        path: path.to_string(),
        column: column.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn read_text(path: &Path) -> Result<String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: name.clone(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let row = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        Error::Csv {
            path: name,
            row,
            message: format!(
                "byte {} is not UTF-8 text; save the file as UTF-8 (in Excel: CSV UTF-8)",
                at + 1
            ),
        }
    })
}
