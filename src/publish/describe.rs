//! The observed data, age by age: what a reader needs to judge the count
//! distribution and the missing years before any model (GRoLTS items on
//! the distribution of the data and on missing data).

use serde::{Deserialize, Serialize};

use crate::data::Panel;
use crate::report::round_count;

/// One age of the panel; see the example of [`DataDescription::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeRow {
    /// The age.
    pub age: i64,
    /// Persons observed at this age.
    pub observed: usize,
    /// Mean count over the persons observed.
    pub mean: f64,
    /// Variance of the count over the persons observed (divisor n − 1; 0
    /// for fewer than two).
    pub variance: f64,
    /// Share of observed counts that are 0.
    pub zero_share: f64,
    /// Variance-to-mean ratio (1 for Poisson counts); `None` where the mean
    /// is 0.
    pub variance_to_mean: Option<f64>,
    /// Share of the panel's persons not observed at this age after their
    /// first observed age (censored or missing; late entrants before their
    /// first year are not counted).
    pub censored_share: f64,
}

/// The panel's description: one row per age, and the totals; see the
/// example of [`DataDescription::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataDescription {
    /// Where the data came from.
    pub source: String,
    /// Persons with at least one observed year.
    pub persons: usize,
    /// Observed person-years.
    pub person_years: usize,
    /// The sum of all observed counts.
    pub total_count: f64,
    /// Whether the panel has exposure (time at risk).
    pub exposure: bool,
    /// One row per age.
    pub ages: Vec<AgeRow>,
}

impl DataDescription {
    /// Describes `panel`, person counts rounded to multiples of `round`
    /// (1: exact; shares follow the rounded counts).
    ///
    /// ```
    /// use gbtm::publish::DataDescription;
    /// use gbtm::Panel;
    /// use ndarray::array;
    /// let counts = array![[0.0, 2.0, f64::NAN], [1.0, 3.0, 0.0]];
    /// let d = DataDescription::new(&Panel::from_arrays(counts.view(), &[12, 13, 14], None)?, 1);
    /// assert_eq!(d.ages[1].mean, 2.5);
    /// assert_eq!(d.ages[1].variance, 0.5);
    /// assert_eq!(d.ages[2].observed, 1);
    /// assert_eq!(d.ages[2].censored_share, 0.5);
    /// assert_eq!(d.ages[0].zero_share, 0.5);
    /// assert_eq!(d.ages[0].variance_to_mean, Some(1.0));
    /// assert_eq!((d.persons, d.person_years, d.total_count, d.exposure), (2, 5, 6.0, false));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn new(panel: &Panel, round: usize) -> DataDescription {
        let y = panel.counts();
        let o = panel.observed();
        let n = panel.n_persons();
        let first: Vec<Option<usize>> = (0..n).map(|i| o.row(i).iter().position(|&b| b)).collect();
        let rounded = |k: usize| round_count(k, round.max(1));
        let ages = panel
            .ages()
            .iter()
            .enumerate()
            .map(|(t, &age)| {
                let values: Vec<f64> = (0..n).filter(|&i| o[[i, t]]).map(|i| y[[i, t]]).collect();
                let m = values.len();
                let mean = if m > 0 {
                    values.iter().sum::<f64>() / m as f64
                } else {
                    0.0
                };
                let variance = if m > 1 {
                    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1) as f64
                } else {
                    0.0
                };
                let zeros = values.iter().filter(|&&v| v == 0.0).count();
                let missing = (0..n)
                    .filter(|&i| !o[[i, t]] && first[i].is_some_and(|f| f < t))
                    .count();
                let share = |k: usize| {
                    let total = rounded(n);
                    if total == 0 {
                        0.0
                    } else {
                        rounded(k) as f64 / total as f64
                    }
                };
                AgeRow {
                    age,
                    observed: rounded(m),
                    mean,
                    variance,
                    zero_share: if m > 0 { zeros as f64 / m as f64 } else { 0.0 },
                    variance_to_mean: (mean > 0.0).then(|| variance / mean),
                    censored_share: share(missing),
                }
            })
            .collect();
        DataDescription {
            source: panel.source().to_string(),
            persons: rounded(n),
            person_years: rounded(panel.n_observations()),
            total_count: (0..n)
                .flat_map(|i| (0..panel.ages().len()).map(move |t| (i, t)))
                .filter(|&(i, t)| o[[i, t]])
                .map(|(i, t)| y[[i, t]])
                .sum(),
            exposure: panel.exposure().is_some(),
            ages,
        }
    }
}
