//! One row of a selection: a candidate's structure, its fit report or
//! error, its model probability and its adequacy.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::adequacy::{AdequacyFailure, adequacy_failures};
use super::criterion::Criterion;
use crate::model::ModelSpec;
use crate::report::FitSummary;

/// One candidate of a [`Selection`](crate::select::Selection): its structure, its fit (the same fields
/// as `gbtm fit --json`, flattened into the candidate's JSON object) or the
/// error that stopped it, its model probability and its adequacy.
///
/// In JSON, a fitted candidate reads
/// `{"n_groups": 3, "orders": [3, 3, 2], "iorders": null, "model": "poisson",
/// "log_likelihood": …, "bic": …, …, "groups": [ … ], "error": null,
/// "model_probability": 0.93, "smallest_share": …, "min_avepp": …,
/// "min_occ": …, "adequate": true, "adequacy_failures": []}`; note that
/// `groups` is the per-group array of the fit report and `n_groups` the
/// number of groups. A failed candidate has no fit fields, an `error`, and
/// `null` figures.
///
/// ```
/// use gbtm::select::CandidateResult;
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let model = Gbtm::poisson(2).orders(vec![3, 1]).starts(2);
/// let fit = model.fit(&cohort.panel)?;
/// let row = CandidateResult::new(&model.spec()?, fit.summary());
/// assert_eq!((row.n_groups, row.orders.clone()), (2, vec![3, 1]));
/// assert!(row.min_avepp.unwrap() <= 1.0);
/// let json = serde_json::to_value(&row).unwrap();
/// assert_eq!(json["n_groups"], 2);
/// assert!(json["log_likelihood"].is_f64());
/// assert!(json["groups"].is_array());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CandidateResult {
    /// The count distribution of the candidate.
    pub family: crate::model::Family,
    /// Number of groups K.
    pub n_groups: usize,
    /// The orders of the candidate as requested. The fitted groups are
    /// numbered by expected cases, so group k's own order is in
    /// `groups[k].order`.
    pub orders: Vec<usize>,
    /// Order of each group's zero-inflation polynomial (ZIP), else `null`.
    pub iorders: Option<Vec<usize>>,
    /// The fit report, as `gbtm fit --json` prints it; `None` if the fit
    /// failed. Flattened into the candidate in JSON.
    #[serde(flatten)]
    pub fit: Option<FitSummary>,
    /// Why the fit failed (every start degenerate), else `null`.
    pub error: Option<String>,
    /// exp(C_j − C_max) / Σ_m exp(C_m − C_max) for the selection's criterion
    /// C, over the converged candidates; `None` for failed and unconverged
    /// candidates.
    pub model_probability: Option<f64>,
    /// Smallest estimated group share π̂_k.
    pub smallest_share: Option<f64>,
    /// Smallest AvePP over the groups.
    pub min_avepp: Option<f64>,
    /// Smallest OCC over the groups.
    pub min_occ: Option<f64>,
    /// Whether every adequacy rule holds (see [`adequacy_failures`]); `false`
    /// for a failed fit.
    pub adequate: bool,
    /// The rules broken (empty for an adequate or failed fit).
    pub adequacy_failures: Vec<AdequacyFailure>,
}

impl CandidateResult {
    /// A row from a candidate's structure and its fit report: smallest
    /// share, AvePP and OCC, and adequacy. The model probability is left
    /// `None`; [`Selection::new`](crate::select::Selection::new) sets it.
    ///
    /// ```
    /// use gbtm::select::CandidateResult;
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let model = Gbtm::poisson(3).order(2).starts(2);
    /// let mut s = model.fit(&cohort.panel)?.summary();
    /// s.groups[0].occ = 2.0;
    /// let row = CandidateResult::new(&model.spec()?, s);
    /// assert!(!row.adequate);
    /// assert_eq!(row.min_occ, Some(2.0));
    /// assert!(row.adequacy_failures[0].to_string().starts_with("group 1: OCC 2.00"));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn new(spec: &ModelSpec, summary: FitSummary) -> CandidateResult {
        let min = |f: fn(&crate::report::GroupSummary) -> f64| {
            summary.groups.iter().map(f).reduce(f64::min)
        };
        let failures = adequacy_failures(&summary);
        CandidateResult {
            family: spec.family(),
            n_groups: spec.groups(),
            orders: spec.orders().to_vec(),
            iorders: spec.iorders().map(<[usize]>::to_vec),
            smallest_share: min(|g| g.proportion),
            min_avepp: min(|g| g.avepp),
            min_occ: min(|g| g.occ),
            adequate: failures.is_empty(),
            adequacy_failures: failures,
            model_probability: None,
            error: None,
            fit: Some(summary),
        }
    }

    /// A row for a candidate whose fit failed.
    ///
    /// ```
    /// use gbtm::select::CandidateResult;
    /// use gbtm::{Family, ModelSpec};
    /// let spec = ModelSpec::new(Family::Poisson, vec![3, 3], None)?;
    /// let row = CandidateResult::failed(&spec, "every start degenerate");
    /// assert!(row.fit.is_none() && !row.adequate);
    /// assert_eq!(row.error.as_deref(), Some("every start degenerate"));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn failed(spec: &ModelSpec, error: impl fmt::Display) -> CandidateResult {
        CandidateResult {
            family: spec.family(),
            n_groups: spec.groups(),
            orders: spec.orders().to_vec(),
            iorders: spec.iorders().map(<[usize]>::to_vec),
            fit: None,
            error: Some(error.to_string()),
            model_probability: None,
            smallest_share: None,
            min_avepp: None,
            min_occ: None,
            adequate: false,
            adequacy_failures: Vec::new(),
        }
    }

    /// Whether the candidate takes part in the selection: it was fitted, the
    /// fit converged, and the criterion value is finite.
    ///
    /// ```
    /// use gbtm::select::{CandidateResult, Criterion};
    /// use gbtm::{Family, ModelSpec};
    /// let spec = ModelSpec::new(Family::Poisson, vec![2], None)?;
    /// assert!(!CandidateResult::failed(&spec, "x").is_eligible(Criterion::Bic));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn is_eligible(&self, criterion: Criterion) -> bool {
        self.fit
            .as_ref()
            .is_some_and(|s| s.converged && criterion.value(s).is_finite())
    }

    /// The criterion's value, if the candidate was fitted.
    ///
    /// ```
    /// use gbtm::select::{CandidateResult, Criterion};
    /// use gbtm::{Family, ModelSpec};
    /// let spec = ModelSpec::new(Family::Poisson, vec![2], None)?;
    /// assert_eq!(CandidateResult::failed(&spec, "x").criterion_value(Criterion::Aic), None);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn criterion_value(&self, criterion: Criterion) -> Option<f64> {
        self.fit.as_ref().map(|s| criterion.value(s))
    }
}
