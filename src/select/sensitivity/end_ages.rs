//! The end ages of a sensitivity analysis: parsed, checked, sorted.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::data::{MAX_AGE, MIN_AGE};
use crate::error::{Error, Result};

/// A non-empty set of end ages (whole years of age, 0 to 130), in
/// increasing order, each once.
///
/// # Examples
///
/// ```
/// use gbtm::select::EndAges;
/// let e: EndAges = "30..35".parse()?;
/// assert_eq!(e.ages(), &[30, 31, 32, 33, 34, 35]);
/// let e: EndAges = "35,30, 32".parse()?;
/// assert_eq!(e.ages(), &[30, 32, 35]);
/// assert_eq!(e.to_string(), "30,32,35");
/// assert_eq!("30-32".parse::<EndAges>()?, EndAges::range(30, 32)?);
/// assert!(matches!("35..30".parse::<EndAges>(), Err(gbtm::Error::InvalidParameter { .. })));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<i64>", into = "Vec<i64>")]
pub struct EndAges(Vec<i64>);

impl EndAges {
    /// The given end ages, sorted and each kept once.
    ///
    /// # Examples
    ///
    /// ```
    /// use gbtm::select::EndAges;
    /// assert_eq!(EndAges::new(vec![35, 30, 35])?.ages(), &[30, 35]);
    /// assert!(EndAges::new(vec![]).is_err());
    /// assert!(EndAges::new(vec![30, 200]).is_err());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (naming `end_ages`) if there is none, or
    /// one lies outside 0 to 130.
    pub fn new(mut ages: Vec<i64>) -> Result<EndAges> {
        if ages.is_empty() {
            return Err(Error::param("end_ages", "give at least one end age"));
        }
        if let Some(a) = ages.iter().find(|a| !(MIN_AGE..=MAX_AGE).contains(*a)) {
            return Err(Error::param(
                "end_ages",
                format!("end age {a} is outside {MIN_AGE} to {MAX_AGE}"),
            ));
        }
        ages.sort_unstable();
        ages.dedup();
        Ok(EndAges(ages))
    }

    /// Every end age from `from` to `to`, both included.
    ///
    /// # Examples
    ///
    /// ```
    /// use gbtm::select::EndAges;
    /// assert_eq!(EndAges::range(33, 35)?.ages(), &[33, 34, 35]);
    /// assert!(EndAges::range(35, 33).is_err());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (naming `end_ages`) if `from` comes after
    /// `to`, or either lies outside 0 to 130.
    pub fn range(from: i64, to: i64) -> Result<EndAges> {
        if from > to {
            return Err(Error::param(
                "end_ages",
                format!("{from}..{to} is empty: {from} comes after {to}"),
            ));
        }
        for a in [from, to] {
            if !(MIN_AGE..=MAX_AGE).contains(&a) {
                return Err(Error::param(
                    "end_ages",
                    format!("end age {a} is outside {MIN_AGE} to {MAX_AGE}"),
                ));
            }
        }
        EndAges::new((from..=to).collect())
    }

    /// The end ages, increasing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(gbtm::select::EndAges::range(30, 31)?.ages(), &[30, 31]);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn ages(&self) -> &[i64] {
        &self.0
    }

    /// The same end ages with `age` among them.
    ///
    /// # Examples
    ///
    /// ```
    /// use gbtm::select::EndAges;
    /// let e = EndAges::range(30, 32)?.including(35);
    /// assert_eq!(e.ages(), &[30, 31, 32, 35]);
    /// assert_eq!(e.clone().including(31), e);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn including(mut self, age: i64) -> EndAges {
        if let Err(at) = self.0.binary_search(&age) {
            self.0.insert(at, age);
        }
        self
    }
}

impl FromStr for EndAges {
    type Err = Error;
    /// `FROM..TO`, `FROM..=TO` or `FROM-TO` (every age between, both
    /// included), a list
    /// `A,B,C`, or a single age.
    fn from_str(s: &str) -> Result<EndAges> {
        let bad = || {
            Error::param(
                "end_ages",
                format!("{s:?} is not a range of ages like 30..35 or a list like 30,32,35"),
            )
        };
        let age = |t: &str| t.trim().parse::<i64>().map_err(|_| bad());
        if s.contains(',') {
            return EndAges::new(s.split(',').map(age).collect::<Result<Vec<_>>>()?);
        }
        match s.split_once("..").or_else(|| s.split_once('-')) {
            Some((a, b)) => EndAges::range(age(a)?, age(b.strip_prefix('=').unwrap_or(b))?),
            None => EndAges::new(vec![age(s)?]),
        }
    }
}

impl fmt::Display for EndAges {
    /// The ages as a list, `30,31,35`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.0.iter().map(i64::to_string).collect();
        f.write_str(&text.join(","))
    }
}

impl TryFrom<Vec<i64>> for EndAges {
    type Error = Error;
    fn try_from(ages: Vec<i64>) -> Result<EndAges> {
        EndAges::new(ages)
    }
}

impl From<EndAges> for Vec<i64> {
    fn from(e: EndAges) -> Vec<i64> {
        e.0
    }
}
