//! Model selection: fit a set of candidate models (numbers of groups, and
//! polynomial orders per group) and choose among them by an information
//! criterion, reporting Nagin's adequacy diagnostics for every candidate.
//!
//! The usual workflow (Nagin 2005, ch. 4; Nagin, Jones & Elmer 2024):
//!
//! 1. choose the number of groups K with a fixed order (cubic, say) by BIC;
//! 2. for that K, choose the orders over an [`order_grid`];
//! 3. check the chosen model's adequacy: AvePP, OCC, estimated versus
//!    assigned shares, group sizes.
//!
//! [`select`] does steps 1 and 2 for whatever candidates it is given and
//! reports step 3. Candidates are fitted in waves of equal K, and every
//! K-group candidate also starts from the best (K − 1)-group fit of the same
//! family ([`Gbtm::nest`]), so that its log-likelihood is at least that
//! fit's whenever the orders nest. **Selection is by the criterion alone; adequacy is
//! reported, not enforced**: an inadequate model with the best BIC is still
//! the one selected, and the report says why it is inadequate, so that the
//! analyst (not the program) decides whether to prefer a simpler model.
//!
//! [`end_age_sensitivity`] repeats the selection with the age window ending
//! at each of several ages and compares the reference model's groups across
//! them ([`adjusted_rand_index`], [`match_groups`]).
//!
//! ```
//! use gbtm::select::{select, Criterion};
//! use gbtm::{synth, Gbtm};
//! let cohort = synth::three_groups(300, 7);
//! let candidates: Vec<Gbtm> = (1..=3)
//!     .map(|k| Gbtm::poisson(k).order(2).starts(2).seed(1))
//!     .collect();
//! let selection = select(&cohort.panel, &candidates, Criterion::Bic)?;
//! assert_eq!(selection.candidates.len(), 3);
//! let best = selection.selected_candidate().unwrap();
//! println!("{}", selection.to_text());
//! assert!(best.n_groups >= 2);
//! # Ok::<(), gbtm::Error>(())
//! ```

mod adequacy;
mod candidate;
mod criterion;
mod grid;
mod sensitivity;
mod table;

pub use adequacy::{
    AdequacyFailure, MAX_SHARE_GAP, MIN_AVEPP, MIN_GROUP_PERSONS, MIN_GROUP_SHARE, MIN_OCC,
    adequacy_failures,
};
pub use candidate::CandidateResult;
pub use criterion::Criterion;
pub use grid::{MAX_CANDIDATES, order_grid, order_grid_len};
pub use sensitivity::{
    Agreement, EndAgeResult, EndAges, GroupMatch, Sensitivity, adjusted_rand_index,
    end_age_sensitivity, end_age_sensitivity_with_progress, match_groups,
};
pub use table::Selection;

use rayon::prelude::*;

use crate::data::Panel;
use crate::em::refine::nesting;
use crate::error::{Error, Result};
use crate::fit::{Fit, Gbtm};

/// Fits every candidate to `panel` and selects the best by `criterion`;
/// [`select_with_progress`] with no progress report.
///
/// # Errors
/// As [`select_with_progress`].
pub fn select(panel: &Panel, candidates: &[Gbtm], criterion: Criterion) -> Result<Selection> {
    select_with_progress(panel, candidates, criterion, &|| {})
}

/// Fits every candidate to `panel` and selects the best by `criterion`.
///
/// The candidates are fitted in waves of equal K, in parallel within a wave
/// (rayon; each fit is itself parallel); a K-group candidate nests the
/// (K − 1)-group fit of the same family with the highest log-likelihood,
/// preferring one whose orders nest in its own ([`Gbtm::nest`]). Rows are
/// collected in candidate order, so the result is the same for any number
/// of threads. `progress()` is called once after each fit finishes, from
/// the thread that ran it (for a progress bar).
///
/// A candidate whose every run ends degenerate ([`Error::AllDegenerate`])
/// becomes a failed row ([`CandidateResult::error`]) and takes no part in the
/// selection; any other error (bad input: a structure the panel cannot
/// support, zero starts, ...) is returned, the first in candidate order.
/// Candidates that did not converge are reported but not selected. The
/// selected candidate's fit is kept in [`Selection::selected_fit`].
///
/// To choose the number of groups, pass `Gbtm::poisson(k)` (or `zip`) for
/// each k with the same orders; to choose orders for a given K, pass one
/// candidate per vector of [`order_grid`]. Put simpler candidates first: a
/// tie goes to the first.
///
/// ```
/// use gbtm::select::{order_grid, select_with_progress, Criterion};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let candidates: Vec<Gbtm> = order_grid(2, 1..=2)
///     .into_iter()
///     .map(|o| Gbtm::poisson(2).orders(o).starts(2).seed(1))
///     .collect();
/// let done = std::sync::atomic::AtomicUsize::new(0);
/// let sel = select_with_progress(&cohort.panel, &candidates, Criterion::Bic, &|| {
///     done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
/// })?;
/// assert_eq!(done.into_inner(), 3);
/// assert_eq!(sel.candidates[1].orders, vec![2, 1]);
/// assert!(sel.selected.is_some());
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] with no candidates, and the first
/// validation error of a candidate, before any fit.
pub fn select_with_progress(
    panel: &Panel,
    candidates: &[Gbtm],
    criterion: Criterion,
    progress: &(dyn Fn() + Sync),
) -> Result<Selection> {
    select_keeping(panel, candidates, criterion, progress, None).map(|(s, _)| s)
}

/// [`select_with_progress`], also returning the fit of candidate `keep`
/// (`None` if it failed, or if `keep` is `None` or no candidate's index).
pub(crate) fn select_keeping(
    panel: &Panel,
    candidates: &[Gbtm],
    criterion: Criterion,
    progress: &(dyn Fn() + Sync),
    keep: Option<usize>,
) -> Result<(Selection, Option<Fit>)> {
    if candidates.is_empty() {
        return Err(Error::param(
            "candidates",
            "at least one candidate model is needed",
        ));
    }
    if candidates.len() as u128 > MAX_CANDIDATES {
        return Err(Error::param(
            "candidates",
            format!(
                "{} candidate models; the limit is {MAX_CANDIDATES}",
                candidates.len()
            ),
        ));
    }
    let specs = candidates
        .iter()
        .map(|c| c.validate(panel))
        .collect::<Result<Vec<_>>>()?;
    let mut waves: Vec<usize> = candidates.iter().map(Gbtm::groups).collect();
    waves.sort_unstable();
    waves.dedup();
    let mut rows: Vec<Option<CandidateResult>> = vec![None; candidates.len()];
    let mut previous: Vec<(usize, Fit)> = Vec::new();
    // (candidate index, criterion value, fit) of the best eligible so far.
    let mut best: Option<(usize, f64, Fit)> = None;
    let mut kept: Option<Fit> = None;
    for k in waves {
        let members: Vec<usize> = (0..candidates.len())
            .filter(|&j| candidates[j].groups() == k)
            .collect();
        let fits: Vec<(usize, Result<Fit>)> = members
            .par_iter()
            .map(|&j| {
                let c = &candidates[j];
                let nest = previous
                    .iter()
                    .filter(|(i, f)| {
                        candidates[*i].family() == c.family() && f.model().groups() + 1 == k
                    })
                    .max_by(|(_, a), (_, b)| {
                        let fits_in = |f: &Fit| nesting(f.model().spec(), &specs[j]).is_some();
                        fits_in(a)
                            .cmp(&fits_in(b))
                            .then(a.log_likelihood().total_cmp(&b.log_likelihood()))
                    });
                let model = match nest {
                    Some((_, f)) => c.clone().nest(f),
                    None => c.clone(),
                };
                let fit = model.fit(panel);
                progress();
                (j, fit)
            })
            .collect();
        let mut wave = Vec::new();
        for (j, fit) in fits {
            match fit {
                Ok(f) => {
                    let row = CandidateResult::new(&specs[j], f.summary());
                    if row.is_eligible(criterion) {
                        let v = row.criterion_value(criterion).unwrap_or(f64::NEG_INFINITY);
                        let better = best
                            .as_ref()
                            .is_none_or(|(i, bv, _)| v > *bv || (v == *bv && j < *i));
                        if better {
                            best = Some((j, v, f.clone()));
                        }
                    }
                    rows[j] = Some(row);
                    if keep == Some(j) {
                        kept = Some(f.clone());
                    }
                    wave.push((j, f));
                }
                Err(e @ Error::AllDegenerate { .. }) => {
                    rows[j] = Some(CandidateResult::failed(&specs[j], e));
                }
                Err(e) => return Err(e),
            }
        }
        previous = wave;
    }
    let rows = rows
        .into_iter()
        .map(|r| r.ok_or_else(|| Error::param("candidates", "a candidate was not fitted")))
        .collect::<Result<Vec<_>>>()?;
    let mut selection = Selection::new(rows, criterion);
    if let Some((j, _, fit)) = best
        && selection.selected == Some(j)
    {
        selection.selected_fit = Some(fit);
    }
    Ok((selection, kept))
}
