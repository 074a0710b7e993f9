//! End-age sensitivity: does the selected model depend on where the age
//! window ends?
//!
//! The reference study chose end age 35 and wrote that "analyses with other
//! end ages gave the same profiles". [`end_age_sensitivity`] checks such a
//! claim: for each end age E it cuts the panel to the ages from its first
//! to E (persons with no observed year left are dropped and counted), runs
//! the same selection as [`select`](crate::select::select) over the same
//! candidates, and compares the reference model (the candidate selected at
//! the reference end age) at E with the reference fit person by person:
//! the share of persons in the matched group ([`match_groups`]) and the
//! adjusted Rand index ([`adjusted_rand_index`]). docs/workflow.md
//! describes the command `gbtm sensitivity` built on it.

mod agreement;
mod end_ages;
mod result;
mod text;

pub use agreement::{GroupMatch, adjusted_rand_index, match_groups};
pub use end_ages::EndAges;
pub use result::{Agreement, EndAgeResult, Sensitivity};

use rayon::prelude::*;

use self::agreement::{match_table, table};
use super::{Criterion, Selection, select_keeping};
use crate::data::Panel;
use crate::error::{Error, Result};
use crate::fit::{Fit, Gbtm};

/// [`end_age_sensitivity_with_progress`] with no progress report: the
/// selection at each end age, and the reference model compared across them.
///
/// # Examples
///
/// ```
/// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
/// use gbtm::{synth, Gbtm};
/// let panel = synth::three_groups(300, 7).panel;
/// let candidates: Vec<Gbtm> = (1..=2).map(|k| Gbtm::poisson(k).order(2).starts(2)).collect();
/// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::range(33, 34)?, None)?;
/// // 33, 34 and the reference end age, the panel's last age (35).
/// assert_eq!(s.rows.iter().map(|r| r.end_age).collect::<Vec<_>>(), vec![33, 34, 35]);
/// let reference = s.reference_row().unwrap();
/// assert_eq!(reference.reference_model.as_ref().unwrap().adjusted_rand_index, 1.0);
/// println!("{}", s.to_text());
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// As [`end_age_sensitivity_with_progress`].
pub fn end_age_sensitivity(
    panel: &Panel,
    candidates: &[Gbtm],
    criterion: Criterion,
    end_ages: &EndAges,
    reference_end: Option<i64>,
) -> Result<Sensitivity> {
    end_age_sensitivity_with_progress(
        panel,
        candidates,
        criterion,
        end_ages,
        reference_end,
        &|| {},
    )
}

/// Runs the selection of `candidates` by `criterion` on `panel` cut at
/// each end age, and compares the reference model across end ages.
///
/// For each end age E of `end_ages`, and the reference end age
/// `reference_end` (default: the panel's last age; added if not listed),
/// the panel is restricted to its ages from the first to E
/// ([`Panel::window`]); persons with no observed year left are dropped and
/// counted. The selection there is [`select`](crate::select::select)'s,
/// the same candidates and criterion. The candidate selected at the
/// reference end age is the reference model; its fit at each E (the one
/// the selection there made) classifies the persons present in both
/// windows, and their modal groups are compared with the reference fit's:
/// groups matched one to one to maximise agreement ([`match_groups`]), the
/// share of persons in the matched group, and the adjusted Rand index.
///
/// Every window and every candidate is checked before the first fit. The
/// reference selection runs first; the other end ages then run in
/// parallel. Every fit is seeded by its candidate, so the result is the
/// same on any number of threads. `progress()` is called after each fit
/// (candidates × end ages in all).
///
/// # Examples
///
/// ```
/// use gbtm::select::{end_age_sensitivity_with_progress, Criterion, EndAges};
/// use gbtm::{synth, Gbtm};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// let panel = synth::three_groups(200, 7).panel;
/// let candidates: Vec<Gbtm> = (1..=2).map(|k| Gbtm::poisson(k).order(2).starts(2)).collect();
/// let fits = AtomicUsize::new(0);
/// let s = end_age_sensitivity_with_progress(
///     &panel, &candidates, Criterion::Bic, &EndAges::new(vec![30, 32])?, None,
///     &|| { fits.fetch_add(1, Ordering::Relaxed); },
/// )?;
/// assert_eq!(fits.into_inner(), 2 * 3);
/// assert_eq!(s.rows.len(), 3);
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// Before any fit: [`Error::EndAgeOutsidePanel`] for an end age (or the
/// reference end age) outside the panel's ages; [`Error::NoPersons`] if no
/// person has an observed year up to an end age;
/// [`Error::EndAgeTooEarly`] if an end age leaves fewer distinct observed
/// ages than the highest order of a candidate needs; and the errors of
/// [`Gbtm::validate`] for a candidate in a window (e.g.
/// [`Error::TooManyGroups`] when a window keeps fewer persons than K) and
/// of [`select`](crate::select::select). After the reference selection:
/// [`Error::NothingSelected`] if no candidate converged there.
pub fn end_age_sensitivity_with_progress(
    panel: &Panel,
    candidates: &[Gbtm],
    criterion: Criterion,
    end_ages: &EndAges,
    reference_end: Option<i64>,
    progress: &(dyn Fn() + Sync),
) -> Result<Sensitivity> {
    let (first, last) = match panel.ages() {
        [first, .., last] => (*first, *last),
        [only] => (*only, *only),
        [] => return Err(Error::param("panel", "the panel has no ages")),
    };
    let reference_end = reference_end.unwrap_or(last);
    let ends = end_ages.clone().including(reference_end);
    if let Some(&e) = ends.ages().iter().find(|e| !(first..=last).contains(*e)) {
        return Err(Error::EndAgeOutsidePanel {
            end_age: e,
            first,
            last,
        });
    }
    if candidates.is_empty() {
        return Err(Error::param(
            "candidates",
            "at least one candidate model is needed",
        ));
    }
    let mut order = 0;
    for c in candidates {
        let spec = c.spec()?;
        let top = spec
            .orders()
            .iter()
            .chain(spec.iorders().into_iter().flatten());
        order = order.max(top.copied().max().unwrap_or(0));
    }
    let mut windows = Vec::with_capacity(ends.ages().len());
    for &end_age in ends.ages() {
        let w = panel.window(first, end_age)?;
        let observed = w
            .observed()
            .columns()
            .into_iter()
            .filter(|c| c.iter().any(|&o| o))
            .count();
        if observed < order + 1 {
            return Err(Error::EndAgeTooEarly {
                end_age,
                first,
                observed,
                order,
                needed: order + 1,
            });
        }
        for c in candidates {
            c.validate(&w)?;
        }
        windows.push(w);
    }
    let r = ends.ages().iter().position(|&e| e == reference_end);
    let r = r.ok_or_else(|| Error::param("reference_end", "not among the end ages"))?;
    let (reference_selection, _) =
        select_keeping(&windows[r], candidates, criterion, progress, None)?;
    let (reference, reference_fit) = match (
        reference_selection.selected,
        reference_selection.selected_fit.clone(),
    ) {
        (Some(j), Some(f)) => (j, f),
        _ => {
            return Err(Error::NothingSelected {
                candidates: candidates.len(),
            });
        }
    };
    let mut done: Vec<Option<(Selection, Option<Fit>)>> = (0..windows.len())
        .into_par_iter()
        .map(|i| {
            (i != r).then(|| {
                select_keeping(
                    &windows[i],
                    candidates,
                    criterion,
                    progress,
                    Some(reference),
                )
            })
        })
        .map(Option::transpose)
        .collect::<Result<_>>()?;
    done[r] = Some((reference_selection, Some(reference_fit.clone())));
    let mut rows = Vec::with_capacity(windows.len());
    for (i, (selection, refit)) in done.into_iter().flatten().enumerate() {
        let window = &windows[i];
        let reference_model = match &refit {
            Some(fit) => Some(agreement((&reference_fit, &windows[r]), (fit, window))?),
            None => None,
        };
        let chosen = selection.selected_candidate();
        rows.push(EndAgeResult {
            end_age: ends.ages()[i],
            persons: window.n_persons(),
            dropped: panel.n_persons() - window.n_persons(),
            observations: window.n_observations(),
            selected_groups: chosen.map(|c| c.n_groups),
            selected_value: chosen.and_then(|c| c.criterion_value(criterion)),
            reference_model,
            selection,
        });
    }
    Ok(Sensitivity {
        source: panel.source().to_string(),
        first_age: first,
        criterion,
        reference_end,
        reference,
        reference_groups: candidates[reference].groups(),
        rows,
    })
}

/// The modal groups of `fit` (on `panel`) against those of the reference
/// fit (on its panel), over the persons present in both.
fn agreement(reference: (&Fit, &Panel), other: (&Fit, &Panel)) -> Result<Agreement> {
    let (ref_fit, ref_panel) = reference;
    let (fit, panel) = other;
    let (ra, fa) = (ref_fit.assignments(), fit.assignments());
    let (rr, fr) = (ref_panel.input_rows(), panel.input_rows());
    // Both panels are windows of one panel: input rows name the same
    // persons, in increasing order.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < rr.len() && j < fr.len() {
        match rr[i].cmp(&fr[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                a.push(ra[i]);
                b.push(fa[j]);
                i += 1;
                j += 1;
            }
        }
    }
    let adjusted_rand_index = adjusted_rand_index(&a, &b)?;
    let m = match_table(&table(
        &a,
        &b,
        ref_fit.model().groups(),
        fit.model().groups(),
    ));
    let pi = &fit.model().params().pi;
    Ok(Agreement {
        converged: fit.converged(),
        compared: a.len(),
        match_share: m.share,
        adjusted_rand_index,
        matched_groups: m.matched.iter().map(|g| g.map(|g| g + 1)).collect(),
        shares: m.matched.iter().map(|g| g.map(|g| pi[g])).collect(),
    })
}
