//! The search over starts: many short screening runs from seeded starts,
//! the most promising run to convergence, then refinement from the best
//! (see [`super::refine`]). Every random choice comes from the seed and a
//! start's index, so the outcome does not depend on the number of threads.

use ndarray::Array2;
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::degeneracy::at_boundary;
use super::refine::{Nested, nested_starts, refine, split_starts};
use super::run::{Control, Run, SAME_OPTIMUM, SCREEN_FACTOR, best_usable, run_em, screen};
use super::start::{curve_features, start_params, stream};
use super::workspace::Workspace;
use crate::model::{Family, Params};

/// What to search: how many starts, the seed, the tolerances, and an
/// optional (K − 1)-group solution to nest.
#[derive(Debug, Clone)]
pub(crate) struct Search {
    pub starts: usize,
    pub seed: u64,
    pub control: Control,
    pub nested: Option<Nested>,
}

/// Every run of a search, in a fixed order: the starts, then the
/// refinement runs (and any nested runs).
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub runs: Vec<Run>,
    /// How many of `runs` are the starts (the rest are refinement).
    pub starts: usize,
    /// Screening runs that chose the starts.
    pub screened: usize,
    /// Whether the best start was refined, or why not.
    pub refinement: Refinement,
}

/// Whether a fit refined its best start (split-merge restarts and random
/// moves; docs/model.md §4), or why it did not.
///
/// ```
/// use gbtm::{synth, Gbtm, Refinement};
/// let panel = synth::three_groups(300, 2).panel;
/// // Poisson starts that agree are not refined; ZIP is refined whatever they say.
/// let poisson = Gbtm::poisson(3).order(2).starts(4).fit(&panel)?;
/// assert_eq!(poisson.info().refinement, Refinement::StartsAgreed);
/// assert_eq!(poisson.info().refinement_runs, 0);
/// let zip = Gbtm::zip(2).order(1).starts(2).fit(&panel)?;
/// assert_eq!(zip.info().refinement, Refinement::Ran);
/// assert!(zip.info().refinement_runs > 0);
/// let one = Gbtm::poisson(3).order(2).starts(1).fit(&panel)?;
/// assert_eq!(one.info().refinement, Refinement::SingleStart);
/// assert_eq!(Refinement::StartsAgreed.to_string(), "no refinement (at least half the starts agreed)");
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refinement {
    /// The best start was refined.
    Ran,
    /// Poisson or negative binomial, and at least half the starts reached
    /// the best optimum (agreement is no evidence for ZIP, which is always
    /// refined).
    StartsAgreed,
    /// One start was asked for (`starts(1)`): nothing else is run.
    SingleStart,
    /// One Poisson group: the likelihood is concave, there is one optimum.
    OneGroup,
    /// No start ended usable: there was nothing to refine.
    NoUsableStart,
}

impl std::fmt::Display for Refinement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refinement::Ran => "refinement (split-merge and random moves)",
            Refinement::StartsAgreed => "no refinement (at least half the starts agreed)",
            Refinement::SingleStart => "no refinement (a single start)",
            Refinement::OneGroup => "no refinement (one Poisson group: a concave likelihood)",
            Refinement::NoUsableStart => "no refinement (no start ended usable)",
        })
    }
}

/// One distinct local optimum among the runs of a fit.
///
/// ```
/// use gbtm::{synth, Gbtm};
/// let fit = Gbtm::poisson(2).order(1).starts(4).seed(3).fit(&synth::three_groups(200, 5).panel)?;
/// let optima = &fit.info().local_optima;
/// // Best first, the fit's own optimum at the top; every usable run counted once.
/// assert!((optima[0].log_likelihood - fit.log_likelihood()).abs() < 1e-6);
/// assert!(optima.windows(2).all(|w| w[0].log_likelihood > w[1].log_likelihood));
/// assert!(optima.iter().map(|o| o.starts).sum::<usize>() >= 1);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalOptimum {
    /// Its log-likelihood.
    pub log_likelihood: f64,
    /// How many runs ended there (within [`SAME_OPTIMUM`]).
    pub starts: usize,
}

/// Distinct optima of the usable runs, best first.
pub(crate) fn local_optima(runs: &[Run]) -> Vec<LocalOptimum> {
    let mut lls: Vec<f64> = runs.iter().filter(|r| r.usable()).map(|r| r.ll).collect();
    lls.sort_by(|a, b| b.total_cmp(a));
    let mut out: Vec<LocalOptimum> = Vec::new();
    for ll in lls {
        match out.last_mut() {
            Some(o) if (o.log_likelihood - ll).abs() < SAME_OPTIMUM => o.starts += 1,
            _ => out.push(LocalOptimum {
                log_likelihood: ll,
                starts: 1,
            }),
        }
    }
    out
}

/// Runs the whole search.
pub(crate) fn search(ws: &Workspace<'_>, s: &Search) -> Outcome {
    let one = ws.spec.groups() == 1;
    let single = s.starts == 1 && s.nested.is_none();
    let (mut runs, screened) = if one {
        let start = start_params(ws, &Array2::zeros((0, 0)), s.seed, 1);
        (vec![run_em(ws, start, &s.control)], 0)
    } else if single {
        // `starts(1)`: one start, run to convergence; no screening.
        let start = start_params(ws, &curve_features(ws), s.seed, 0);
        (vec![run_em(ws, start, &s.control)], 0)
    } else {
        multistart(ws, s)
    };
    let starts = runs.len();
    // One Poisson group has a concave likelihood: nothing to refine. Nor
    // is there when one start was asked for, or, for Poisson, when at least
    // half the starts agree on the best optimum; the same for the negative
    // binomial (on TO1adj every start of every seed reaches its best for
    // K = 3, 4, 5, with or without refinement; docs/model.md). Agreement is
    // no evidence for ZIP: on TO1adj all ten starts of several seeds agree
    // on a local optimum of ZIP K = 3 and K = 4 that refinement leaves. A
    // best run on a boundary (coinciding groups) is refined anyway.
    let poisson = ws.spec.family() == Family::Poisson;
    let agreement_counts = ws.spec.family() != Family::Zip;
    let refinement = match best_usable(&runs).cloned() {
        None => Refinement::NoUsableStart,
        Some(_) if one && poisson => Refinement::OneGroup,
        Some(_) if single => Refinement::SingleStart,
        Some(b)
            if agreement_counts
                && settled(&runs, b.ll)
                && at_boundary(ws, &b.params).1.is_empty() =>
        {
            Refinement::StartsAgreed
        }
        Some(b) => {
            runs.extend(refine(ws, s.starts, s.seed, &s.control, b));
            Refinement::Ran
        }
    };
    // The nested (K − 1)-group solution, exactly, as a last resort: EM from
    // it cannot end below it.
    if let Some(nest) = &s.nested {
        let best = best_usable(&runs).map_or(f64::NEG_INFINITY, |r| r.ll);
        if best < nest.log_likelihood + SAME_OPTIMUM {
            let extra: Vec<Run> = nested_starts(ws.spec, &nest.spec, &nest.params)
                .into_par_iter()
                .map(|p| run_em(ws, p, &s.control))
                .collect();
            runs.extend(extra);
        }
    }
    Outcome {
        runs,
        starts,
        screened,
        refinement,
    }
}

/// Whether at least half of two or more full runs (and at least two)
/// ended at the best log-likelihood `best`.
fn settled(runs: &[Run], best: f64) -> bool {
    let agree = runs
        .iter()
        .filter(|r| r.usable() && (r.ll - best).abs() < SAME_OPTIMUM)
        .count();
    runs.len() >= 2 && agree >= 2 && 2 * agree >= runs.len()
}

/// Panels of more persons than this screen their starts on a seeded
/// subsample of [`SUBSAMPLE`] persons; the chosen starts then run to
/// convergence on the whole panel.
pub(crate) const SUBSAMPLE_ABOVE: usize = 50_000;
/// Persons in the screening subsample of a large panel.
pub(crate) const SUBSAMPLE: usize = 20_000;
/// The random stream of the subsample (apart from the starts' streams).
const SUBSAMPLE_STREAM: u64 = 1 << 40;

/// `m` of the rows `0..n`, in increasing order, drawn without replacement
/// from the seed (selection sampling: every subset equally likely).
fn subsample(n: usize, m: usize, seed: u64) -> Vec<usize> {
    let mut rng = stream(seed, SUBSAMPLE_STREAM);
    let mut rows = Vec::with_capacity(m);
    for i in 0..n {
        let left = (m - rows.len()) as f64;
        if left > 0.0 && rng.random::<f64>() * ((n - i) as f64) < left {
            rows.push(i);
        }
    }
    rows
}

/// Screening then full runs. Returns the full runs and how many starts
/// were screened. Starts split from a nested solution join the screening.
/// A large panel screens on a seeded subsample of its persons.
fn multistart(ws: &Workspace<'_>, s: &Search) -> (Vec<Run>, usize) {
    let sub_panel;
    let sub_ws;
    let on: &Workspace<'_> = if ws.panel.n_persons() > SUBSAMPLE_ABOVE {
        sub_panel = ws
            .panel
            .select_persons(&subsample(ws.panel.n_persons(), SUBSAMPLE, s.seed));
        sub_ws = Workspace::new(&sub_panel, ws.spec, ws.scale);
        &sub_ws
    } else {
        ws
    };
    let features = curve_features(on);
    let random = s.starts * SCREEN_FACTOR;
    let splits = s
        .nested
        .as_ref()
        .map(|n| split_starts(on, &n.spec, &n.params))
        .unwrap_or_default();
    let screened = random + splits.len();
    let candidates: Vec<Params> = (0..random)
        .into_par_iter()
        .map(|i| start_params(on, &features, s.seed, i as u64))
        .chain(splits.into_par_iter())
        .collect();
    let short = screen(on, candidates, s.starts);
    let chosen: Vec<Params> = short.into_iter().take(s.starts).map(|x| x.2).collect();
    let runs: Vec<Run> = chosen
        .into_par_iter()
        .map(|p| run_em(ws, p, &s.control))
        .collect();
    (runs, screened)
}

#[cfg(test)]
mod tests {
    use super::subsample;

    #[test]
    fn the_subsample_is_seeded_sorted_and_of_the_asked_size() {
        let a = subsample(100_000, 20_000, 7);
        assert_eq!(a.len(), 20_000);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, subsample(100_000, 20_000, 7));
        assert_ne!(a, subsample(100_000, 20_000, 8));
        // Every part of the panel is sampled at the same rate (1 in 5).
        let first_half = a.iter().filter(|&&i| i < 50_000).count();
        assert!((first_half as f64 - 10_000.0).abs() < 300.0, "{first_half}");
        assert_eq!(subsample(10, 10, 1), (0..10).collect::<Vec<_>>());
    }
}
