//! What a drawn cohort holds, in numbers (`gbtm simulate --json`).

use serde::{Deserialize, Serialize};

use super::Cohort;

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
