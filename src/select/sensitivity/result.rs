//! What an end-age sensitivity analysis reports: per end age the persons,
//! the selection and the reference model's agreement.

use serde::{Deserialize, Serialize};

use crate::select::{CandidateResult, Criterion, Selection};

/// The reference model refitted at one end age, against the reference fit:
/// how the persons present in both windows are classified (modal groups).
///
/// # Examples
///
/// ```
/// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
/// use gbtm::{synth, Gbtm};
/// let panel = synth::three_groups(300, 7).panel;
/// let candidates = [Gbtm::poisson(2).order(2).starts(2)];
/// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::new(vec![30])?, None)?;
/// let a = s.rows[0].reference_model.as_ref().unwrap();
/// assert_eq!(a.compared, s.rows[0].persons);
/// assert!(a.match_share > 0.5 && a.adjusted_rand_index <= 1.0);
/// assert_eq!(a.matched_groups.len(), 2);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Agreement {
    /// Whether the refit converged.
    pub converged: bool,
    /// Persons present in both windows (with an observed year in each).
    pub compared: usize,
    /// Share of the compared persons whose group here is the group matched
    /// to their reference group, under the matching that maximises it.
    pub match_share: f64,
    /// The adjusted Rand index between the two partitions of the compared
    /// persons (1: the same groups; about 0: chance).
    pub adjusted_rand_index: f64,
    /// For each reference group (1, 2, …, in order), the group of this fit
    /// matched to it, numbered from 1.
    pub matched_groups: Vec<Option<usize>>,
    /// For each reference group, the estimated share π̂ of its matched group
    /// here.
    pub shares: Vec<Option<f64>>,
}

/// One end age of a sensitivity analysis: the window's persons, the
/// selection there, and the reference model's agreement.
///
/// # Examples
///
/// ```
/// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
/// use gbtm::{synth, Gbtm};
/// let panel = synth::three_groups(300, 7).panel;
/// let candidates: Vec<Gbtm> = (1..=2).map(|k| Gbtm::poisson(k).order(1).starts(2)).collect();
/// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::new(vec![14])?, None)?;
/// let row = &s.rows[0];
/// assert_eq!(row.end_age, 14);
/// assert_eq!(row.persons + row.dropped, panel.n_persons());
/// assert_eq!(row.selection.candidates.len(), 2);
/// assert_eq!(row.selected_groups, row.selection.selected_candidate().map(|c| c.n_groups));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EndAgeResult {
    /// The last age of the window.
    pub end_age: i64,
    /// Persons with an observed year in the window.
    pub persons: usize,
    /// Persons of the panel with no observed year in the window (dropped).
    pub dropped: usize,
    /// Observed person-years in the window.
    pub observations: usize,
    /// K of the candidate selected here (`None` if none converged).
    pub selected_groups: Option<usize>,
    /// Its criterion value.
    pub selected_value: Option<f64>,
    /// The reference candidate refitted here against the reference fit;
    /// `None` if every run of that fit ended degenerate (its row in
    /// `selection` says why).
    pub reference_model: Option<Agreement>,
    /// The whole selection in the window (as `gbtm select --json`).
    pub selection: Selection,
}

/// The outcome of
/// [`end_age_sensitivity`](crate::select::end_age_sensitivity): one row per
/// end age, increasing, the reference end age among them.
///
/// # Examples
///
/// ```
/// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
/// use gbtm::{synth, Gbtm};
/// let panel = synth::three_groups(300, 7).panel;
/// let candidates: Vec<Gbtm> = (1..=2).map(|k| Gbtm::poisson(k).order(2).starts(2)).collect();
/// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::range(34, 35)?, Some(34))?;
/// assert_eq!((s.reference_end, s.first_age), (34, 12));
/// assert_eq!(s.reference_candidate().unwrap().n_groups, s.reference_groups);
/// let json = serde_json::to_value(&s).unwrap();
/// assert_eq!(json["rows"][1]["end_age"], 35);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sensitivity {
    /// Where the panel came from.
    pub source: String,
    /// The first age of every window (the panel's).
    pub first_age: i64,
    /// The criterion of every selection.
    pub criterion: Criterion,
    /// The end age whose selected candidate is the reference model.
    pub reference_end: i64,
    /// Index of the reference model among the candidates.
    pub reference: usize,
    /// Its number of groups.
    pub reference_groups: usize,
    /// One row per end age, increasing.
    pub rows: Vec<EndAgeResult>,
}

impl Sensitivity {
    /// The row of the reference end age.
    ///
    /// # Examples
    ///
    /// ```
    /// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
    /// use gbtm::{synth, Gbtm};
    /// let panel = synth::three_groups(200, 7).panel;
    /// let candidates = [Gbtm::poisson(1).order(2)];
    /// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::new(vec![30])?, None)?;
    /// assert_eq!(s.reference_row().unwrap().end_age, 35);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn reference_row(&self) -> Option<&EndAgeResult> {
        self.rows.iter().find(|r| r.end_age == self.reference_end)
    }

    /// The reference candidate's row in the reference selection.
    ///
    /// # Examples
    ///
    /// ```
    /// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
    /// use gbtm::{synth, Gbtm};
    /// let panel = synth::three_groups(200, 7).panel;
    /// let candidates = [Gbtm::poisson(1).order(2)];
    /// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::new(vec![35])?, None)?;
    /// assert_eq!(s.reference_candidate().unwrap().orders, vec![2]);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn reference_candidate(&self) -> Option<&CandidateResult> {
        self.reference_row()?
            .selection
            .candidates
            .get(self.reference)
    }
}
