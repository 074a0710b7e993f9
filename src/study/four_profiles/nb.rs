//! The negative-binomial models of the cohort, fitted beside the
//! Poisson/ZIP selection of a reproduction.

use serde::{Deserialize, Serialize};

use super::ReproduceOptions;
use crate::data::Panel;
use crate::error::Result;
use crate::fit::Gbtm;
use crate::select::{CandidateResult, Criterion, select_with_progress};

/// The negative-binomial (NB2, dispersion per group) cubic models of the
/// cohort, K = 1..`max_groups`, selected by the same BIC: whether
/// overdispersion within the groups changes the number of profiles.
///
/// See the example of [`reproduce`](super::reproduce).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NbComparison {
    /// K selected by BIC among the NB models (`null` if none converged).
    pub selected_groups: Option<usize>,
    /// BIC (persons) of the selected NB model.
    pub bic: Option<f64>,
    /// Whether the selected NB model passes every adequacy rule.
    pub adequate: bool,
    /// BIC (persons) of the four-group NB model, if it converged.
    pub bic_four_groups: Option<f64>,
    /// Every NB candidate, K = 1..max.
    pub candidates: Vec<CandidateResult>,
}

/// Fits the NB candidates K = 1..`max` and selects among them by BIC.
pub(super) fn nb_comparison(
    panel: &Panel,
    opts: &ReproduceOptions,
    max: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<NbComparison> {
    let cands: Vec<Gbtm> = (1..=max)
        .map(|k| {
            Gbtm::nb(k)
                .order(opts.order)
                .starts(opts.starts)
                .seed(opts.seed)
        })
        .collect();
    let selection = select_with_progress(panel, &cands, Criterion::Bic, progress)?;
    let chosen = selection.selected.map(|j| &selection.candidates[j]);
    let bic_four_groups = selection
        .candidates
        .iter()
        .filter(|c| c.n_groups == 4)
        .filter_map(|c| c.fit.as_ref().filter(|f| f.converged))
        .map(|f| f.bic)
        .next();
    Ok(NbComparison {
        selected_groups: chosen.map(|c| c.n_groups),
        bic: chosen.and_then(|c| c.fit.as_ref()).map(|f| f.bic),
        adequate: chosen.is_some_and(|c| c.adequate),
        bic_four_groups,
        candidates: selection.candidates,
    })
}
