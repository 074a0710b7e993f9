//! What a drawn cohort offers beside its panel: the true rates, the truth
//! and the first cases as CSV, and its size in numbers (`gbtm simulate
//! --json`).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::Cohort;
use crate::model::TrajectoryModel;

impl Cohort {
    /// True rate λ_kt (groups × ages), when the generating model is known.
    /// See the example of [`three_groups`](super::three_groups).
    pub fn true_rates(&self) -> Option<Array2<f64>> {
        self.model.as_ref().map(TrajectoryModel::rates)
    }

    /// The truth as CSV, `id,group`, one row per drawn person in id order,
    /// groups numbered from 1. See the example of [`three_groups`](super::three_groups).
    pub fn truth_csv(&self) -> String {
        let mut s = String::from("id,group\n");
        for (id, g) in self.panel.input_ids().iter().zip(&self.truth) {
            s.push_str(&format!("{id},{}\n", g + 1));
        }
        s
    }

    /// The age at each drawn person's first registered case over all
    /// observed ages ([`Cohort::first_case_age`]) as CSV,
    /// `id,first_case_age`, in id order; empty where none was observed.
    ///
    /// ```
    /// let c = gbtm::synth::three_groups(3, 1);
    /// let csv = c.first_cases_csv();
    /// assert!(csv.starts_with("id,first_case_age\n1,"));
    /// assert_eq!(csv.lines().count(), 4);
    /// ```
    pub fn first_cases_csv(&self) -> String {
        let mut s = String::from("id,first_case_age\n");
        for (id, a) in self.panel.input_ids().iter().zip(&self.first_case_age) {
            let a = a.map_or(String::new(), |a| a.to_string());
            s.push_str(&format!("{id},{a}\n"));
        }
        s
    }
}

/// The size of a drawn cohort: persons drawn and kept, observed
/// person-years, registered cases, and persons per true group.
///
/// ```
/// let c = gbtm::synth::three_groups(200, 1);
/// let s = c.summary();
/// assert_eq!(s.persons_drawn, 200);
/// assert_eq!(s.true_group_sizes.iter().sum::<usize>(), 200);
/// assert!(s.total_cases > 0.0 && s.person_years <= 200 * 24);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CohortSummary {
    /// Persons drawn.
    pub persons_drawn: usize,
    /// Persons with at least one observed year (the panel's persons).
    pub persons_observed: usize,
    /// Observed person-years.
    pub person_years: usize,
    /// Registered cases over the observed years.
    pub total_cases: f64,
    /// Persons drawn in each true group (group 1 first), dropped ones
    /// included.
    pub true_group_sizes: Vec<usize>,
}

impl Cohort {
    /// The cohort in numbers; see [`CohortSummary`].
    pub fn summary(&self) -> CohortSummary {
        let groups = self.truth.iter().max().map_or(0, |g| g + 1);
        let mut sizes = vec![0; groups];
        for &g in &self.truth {
            sizes[g] += 1;
        }
        let (y, o) = (self.panel.counts(), self.panel.observed());
        let total_cases = y
            .iter()
            .zip(o.iter())
            .filter(|(_, o)| **o)
            .map(|(y, _)| *y)
            .sum();
        CohortSummary {
            persons_drawn: self.truth.len(),
            persons_observed: self.panel.n_persons(),
            person_years: self.panel.n_observations(),
            total_cases,
            true_group_sizes: sizes,
        }
    }
}
