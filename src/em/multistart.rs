//! The search over starts: many short screening runs from seeded starts,
//! the most promising run to convergence, then refinement from the best
//! (see [`super::refine`]). Every random choice comes from the seed and a
//! start's index, so the outcome does not depend on the number of threads.

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::degeneracy::at_boundary;
use super::refine::{Nested, nested_starts, refine, split_starts};
use super::run::{Control, Run, SAME_OPTIMUM, SCREEN_FACTOR, best_usable, run_em, screen};
use super::start::{curve_features, start_params};
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
}

/// One distinct local optimum among the runs of a fit.
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
    // half the starts agree on the best optimum. Agreement is no evidence
    // for ZIP: on TO1adj all ten starts of several seeds agree on a local
    // optimum of ZIP K = 3 and K = 4 that refinement leaves (docs/model.md).
    // A best run on a boundary (coinciding groups) is refined anyway.
    let poisson = ws.spec.family() == Family::Poisson;
    if let Some(b) = best_usable(&runs).cloned()
        && !(one && poisson)
        && !single
        && !(poisson && settled(&runs, b.ll) && at_boundary(ws, &b.params).1.is_empty())
    {
        runs.extend(refine(ws, s.starts, s.seed, &s.control, b));
    }
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

/// Screening then full runs. Returns the full runs and how many starts
/// were screened. Starts split from a nested solution join the screening.
fn multistart(ws: &Workspace<'_>, s: &Search) -> (Vec<Run>, usize) {
    let features = curve_features(ws);
    let random = s.starts * SCREEN_FACTOR;
    let splits = s
        .nested
        .as_ref()
        .map(|n| split_starts(ws, &n.spec, &n.params))
        .unwrap_or_default();
    let screened = random + splits.len();
    let candidates: Vec<Params> = (0..random)
        .into_par_iter()
        .map(|i| start_params(ws, &features, s.seed, i as u64))
        .chain(splits.into_par_iter())
        .collect();
    let short = screen(ws, candidates, s.starts);
    let chosen: Vec<Params> = short.into_iter().take(s.starts).map(|x| x.2).collect();
    let runs: Vec<Run> = chosen
        .into_par_iter()
        .map(|p| run_em(ws, p, &s.control))
        .collect();
    (runs, screened)
}
