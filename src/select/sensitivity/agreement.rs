//! Agreement between two partitions of the same persons: the adjusted Rand
//! index, and the one-to-one matching of groups that maximises the persons
//! in matched groups.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fit::MAX_GROUPS;

/// The adjusted Rand index (Hubert & Arabie 1985) between two partitions of
/// the same persons: `a[i]` and `b[i]` are person i's labels in each.
///
/// With n_ij persons labelled i in `a` and j in `b`, row sums a_i, column
/// sums b_j, and C(m, 2) = m(m − 1)/2 pairs:
///
/// ARI = (Σ C(n_ij, 2) − E) / (½[Σ C(a_i, 2) + Σ C(b_j, 2)] − E), with
/// E = Σ C(a_i, 2) · Σ C(b_j, 2) / C(n, 2),
///
/// the Rand index corrected for chance: 1 when the partitions are the same
/// up to the names of the labels, about 0 (its expectation) for labels
/// unrelated to each other, and negative below chance. Where the denominator
/// is 0 (both partitions one group, or both all singletons, or fewer than
/// two persons) the partitions are the same and the index is 1. The labels
/// are any numbers; only which persons share one matters. Computed exactly
/// in integers, then divided.
///
/// # Examples
///
/// ```
/// use gbtm::select::adjusted_rand_index;
/// // The same partition under other names.
/// assert_eq!(adjusted_rand_index(&[0, 0, 1, 1, 2], &[5, 5, 0, 0, 9])?, 1.0);
/// // Hubert & Arabie's index by hand: Σ C(n_ij, 2) = 2, E = 6·3/15 = 1.2,
/// // maximum ½(6 + 3) = 4.5, so (2 − 1.2)/(4.5 − 1.2) = 8/33.
/// let ari = adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2])?;
/// assert!((ari - 8.0 / 33.0).abs() < 1e-15);
/// // Worse than chance.
/// assert_eq!(adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1])?, -0.5);
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] if `a` and `b` differ in length or are empty.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> Result<f64> {
    check_lengths(a, b)?;
    let pairs = |m: usize| -> i128 {
        let m = m as i128;
        m * (m - 1) / 2
    };
    let mut cells: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    let mut cols: BTreeMap<usize, usize> = BTreeMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let index: i128 = cells.values().map(|&m| pairs(m)).sum();
    let sum_a: i128 = rows.values().map(|&m| pairs(m)).sum();
    let sum_b: i128 = cols.values().map(|&m| pairs(m)).sum();
    let total = pairs(a.len());
    // Both sides times 2·C(n, 2), so that every term is an integer.
    let numerator = 2 * total * index - 2 * sum_a * sum_b;
    let denominator = total * (sum_a + sum_b) - 2 * sum_a * sum_b;
    if denominator == 0 {
        return Ok(1.0);
    }
    Ok(numerator as f64 / denominator as f64)
}

/// The one-to-one matching of the groups of two partitions that puts the
/// most persons in matched groups (see [`match_groups`]).
///
/// # Examples
///
/// ```
/// use gbtm::select::match_groups;
/// let m = match_groups(&[0, 0, 1, 1, 1], &[1, 1, 0, 0, 1])?;
/// assert_eq!(m.matched, vec![Some(1), Some(0)]);
/// assert_eq!((m.agreeing, m.share), (4, 0.8));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMatch {
    /// For each group of the first partition (by index), the group of the
    /// second matched to it; `None` where the second has fewer groups and
    /// this one was left over.
    pub matched: Vec<Option<usize>>,
    /// Persons whose group in the second partition is the one matched to
    /// their group in the first.
    pub agreeing: usize,
    /// `agreeing` as a share of all persons.
    pub share: f64,
}

/// Matches the groups of two partitions of the same persons one to one so
/// that the most persons fall in matched groups: `a[i]` and `b[i]` are
/// person i's 0-based groups (as [`Fit::assignments`](crate::Fit::assignments)
/// gives them), and each side has as many groups as its largest index + 1,
/// empty groups included. Where the sides have different numbers of groups,
/// the larger side's surplus groups stay unmatched.
///
/// The optimum is found exactly by the Hungarian algorithm (Kuhn 1955;
/// O(K³)) on the K × K table of persons, so it does not depend on how
/// either side numbers its groups; of several optimal matchings it returns
/// the same one every time.
///
/// # Examples
///
/// ```
/// use gbtm::select::match_groups;
/// // The second fit numbers the same groups 2, 0, 1; one person moved.
/// let a = [0, 0, 0, 1, 1, 2, 2, 2];
/// let b = [2, 2, 2, 0, 1, 1, 1, 1];
/// let m = match_groups(&a, &b)?;
/// assert_eq!(m.matched, vec![Some(2), Some(0), Some(1)]);
/// assert_eq!(m.agreeing, 7);
/// // A second side with one group more: one of its groups stays unmatched.
/// let m = match_groups(&[0, 0, 1, 1], &[0, 1, 2, 2])?;
/// assert_eq!(m.matched, vec![Some(0), Some(2)]);
/// assert_eq!(m.share, 0.75);
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] if `a` and `b` differ in length or are empty,
/// or a group index is not below [`MAX_GROUPS`](crate::fit::MAX_GROUPS).
pub fn match_groups(a: &[usize], b: &[usize]) -> Result<GroupMatch> {
    check_lengths(a, b)?;
    let groups = |v: &[usize]| -> Result<usize> {
        let top = v.iter().copied().max().unwrap_or(0);
        if top >= MAX_GROUPS {
            return Err(Error::param(
                "partitions",
                format!(
                    "group index {top}: groups are numbered 0 to {}",
                    MAX_GROUPS - 1
                ),
            ));
        }
        Ok(top + 1)
    };
    let (ka, kb) = (groups(a)?, groups(b)?);
    Ok(match_table(&table(a, b, ka, kb)))
}

/// Persons by group of `a` (rows, `ka`) and of `b` (columns, `kb`); every
/// index must be below its side's count.
pub(super) fn table(a: &[usize], b: &[usize], ka: usize, kb: usize) -> Vec<Vec<usize>> {
    let mut t = vec![vec![0usize; kb]; ka];
    for (&x, &y) in a.iter().zip(b) {
        t[x][y] += 1;
    }
    t
}

/// The matching of rows to columns of a table of persons that maximises the
/// persons on matched cells.
pub(super) fn match_table(table: &[Vec<usize>]) -> GroupMatch {
    let ka = table.len();
    let kb = table.first().map_or(0, Vec::len);
    let n = ka.max(kb);
    let persons: usize = table.iter().flatten().sum();
    // Square cost matrix, 1-based for the algorithm; padding costs as an
    // empty cell, so it changes nothing.
    let top = table.iter().flatten().copied().max().unwrap_or(0) as i64;
    let cost = |i: usize, j: usize| -> i64 {
        let cell = if i <= ka && j <= kb {
            table[i - 1][j - 1] as i64
        } else {
            0
        };
        top - cell
    };
    let col_of = hungarian(n, &cost);
    let mut matched = vec![None; ka];
    let mut agreeing = 0;
    for (i, slot) in matched.iter_mut().enumerate() {
        let j = col_of[i];
        if j < kb {
            *slot = Some(j);
            agreeing += table[i][j];
        }
    }
    GroupMatch {
        matched,
        agreeing,
        share: if persons == 0 {
            1.0
        } else {
            agreeing as f64 / persons as f64
        },
    }
}

/// The minimum-cost assignment of an n × n matrix (`cost(i, j)`, 1-based):
/// for each row (0-based), its column (0-based). The Hungarian algorithm
/// with potentials, O(n³), in exact integer arithmetic.
fn hungarian(n: usize, cost: &dyn Fn(usize, usize) -> i64) -> Vec<usize> {
    const INF: i64 = i64::MAX / 4;
    let mut u = vec![0i64; n + 1];
    let mut v = vec![0i64; n + 1];
    // row_of[j]: the row assigned to column j (0: none).
    let mut row_of = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0;
        let mut minv = vec![INF; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let mut delta = INF;
            let mut j1 = 0;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let cur = cost(i0, j) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of = vec![0usize; n];
    for j in 1..=n {
        if row_of[j] > 0 {
            col_of[row_of[j] - 1] = j - 1;
        }
    }
    col_of
}

fn check_lengths(a: &[usize], b: &[usize]) -> Result<()> {
    if a.len() != b.len() {
        return Err(Error::param(
            "partitions",
            format!(
                "{} persons in the first partition, {} in the second",
                a.len(),
                b.len()
            ),
        ));
    }
    if a.is_empty() {
        return Err(Error::param("partitions", "no persons to compare"));
    }
    Ok(())
}
