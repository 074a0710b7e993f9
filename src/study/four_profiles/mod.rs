//! The reproduction of the reference study's four offending profiles on a
//! synthetic cohort (`gbtm reproduce`): select K by BIC over Poisson and ZIP
//! cubic models, label the groups by shape, and compute the figures the
//! report published for each profile; beside it, the negative-binomial
//! models of the same cohort and the K they select. See docs/reproduction.md.

mod first_cases;
mod labels;
mod nb;
mod published;
mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::fit::{Fit, Gbtm};
use crate::model::Family;
use crate::select::{CandidateResult, Criterion, select_with_progress};
pub use first_cases::{FirstCaseFigures, FirstCases};
use labels::labels;
pub use nb::NbComparison;
use nb::nb_comparison;
pub use published::{
    PUBLISHED, PUBLISHED_BIC, PUBLISHED_CASE_SHARES, PUBLISHED_FIRST_CASE_AGE,
    PUBLISHED_FIRST_CASE_UNDER_18, PUBLISHED_FORECAST_ADDITION, PUBLISHED_TOTAL_CASES, Published,
    PublishedProfile,
};

/// Settings of a reproduction.
///
/// ```
/// let o = gbtm::study::four_profiles::ReproduceOptions::default();
/// assert_eq!((o.max_groups, o.order, o.negative_binomial), (7, 3, true));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReproduceOptions {
    /// Largest K tried (from 1).
    pub max_groups: usize,
    /// Polynomial order of every group.
    pub order: usize,
    /// Starts per candidate.
    pub starts: usize,
    /// Seed of every fit.
    pub seed: u64,
    /// The age of every person's first registered case over all data (past
    /// the window too), for the report's first-case figures; without it
    /// only the window's figures are computed.
    pub first_cases: Option<FirstCases>,
    /// Also fit negative-binomial models (K = 1..`max_groups`, per-group
    /// dispersion) and report the K that BIC selects among them. They do
    /// not take part in the Poisson/ZIP selection the profiles come from.
    pub negative_binomial: bool,
}

impl Default for ReproduceOptions {
    fn default() -> Self {
        ReproduceOptions {
            max_groups: 7,
            order: 3,
            starts: 10,
            seed: 1,
            first_cases: None,
            negative_binomial: true,
        }
    }
}

/// The case-count categories of the report: total registered cases per
/// person over the observed years 12–35 (name, lowest, highest).
///
/// ```
/// use gbtm::study::four_profiles::CATEGORIES;
/// // Every count falls in exactly one category.
/// for n in 0..100u64 {
///     assert_eq!(CATEGORIES.iter().filter(|c| (c.1..=c.2).contains(&n)).count(), 1);
/// }
/// ```
pub const CATEGORIES: [(&str, u64, u64); 6] = [
    ("0", 0, 0),
    ("1", 1, 1),
    ("2-4", 2, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20+", 20, u64::MAX),
];

/// One profile's figures; see the example of [`reproduce`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// `incidental`, `early_peak`, `late_peak` or `persistent` (with a
    /// number appended when K ≠ 4 makes a label repeat).
    pub label: String,
    /// Group number in the fitted model (1-based).
    pub group: usize,
    /// Estimated share π̂.
    pub proportion: f64,
    /// Share assigned by maximum posterior.
    pub assigned_share: f64,
    /// Persons assigned.
    pub n_assigned: usize,
    /// Mean posterior of the assigned persons.
    pub avepp: f64,
    /// Odds of correct classification.
    pub occ: f64,
    /// Registered cases per observed person-year of the assigned persons.
    pub mean_rate: f64,
    /// Share of all registered cases that the group's persons have.
    pub case_share: f64,
    /// Mean age of the first registered case in the window (12–35), over
    /// assigned persons with one (`null` if none has a case).
    pub mean_first_case_age: Option<f64>,
    /// Share of the assigned persons with a case in the window whose first
    /// case came before 18.
    pub share_first_case_under_18: f64,
    /// The first-case figures over all data, as the report computed them
    /// (`null` without [`ReproduceOptions::first_cases`]).
    pub first_case_all_ages: Option<FirstCaseFigures>,
    /// Assigned persons by total cases: `0`, `1`, `2-4`, `5-9`, `10-19`, `20+`.
    pub case_categories: BTreeMap<String, usize>,
    /// Fitted expected count per year, (1 − ω)·λ, per age.
    pub rate: Vec<f64>,
    /// Age at which `rate` peaks.
    pub peak_age: i64,
}

/// Everything `gbtm reproduce --json` prints; see the example of
/// [`reproduce`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reproduction {
    /// Persons in the cohort.
    pub n_persons: usize,
    /// The model family of the selected candidate.
    pub model: Family,
    /// Number of groups selected by BIC.
    pub selected_groups: usize,
    /// BIC (persons) of the selected model.
    pub bic: f64,
    /// The best BIC of the four-group candidates (Poisson and ZIP), to set
    /// against the report's (`null` if neither converged).
    pub bic_four_groups: Option<f64>,
    /// The family of that four-group candidate.
    pub model_four_groups: Option<Family>,
    /// Index of the selected model in `candidates`.
    pub selected: usize,
    /// Every candidate (Poisson K = 1..max, then ZIP K = 1..max).
    pub candidates: Vec<CandidateResult>,
    /// Profiles, in the order of the fitted groups.
    pub groups: Vec<Profile>,
    /// Registered cases over all observed years.
    pub total_cases: f64,
    /// The same with the expected cases until 35 of persons not observed to
    /// 35 added (the report's imputation).
    pub total_cases_with_forecast: f64,
    /// The cases that forecast adds.
    pub forecast_addition: f64,
    /// The negative-binomial models of the same cohort (`null` unless
    /// [`ReproduceOptions::negative_binomial`]).
    pub negative_binomial: Option<NbComparison>,
    /// The report's figures, to set these against.
    pub published: Published,
    /// Ages of the window.
    pub ages: Vec<i64>,
}

/// Runs the study on `panel`: selection and the profile figures of the
/// selected model; [`reproduce_with_progress`] without a progress report.
///
/// ```
/// use gbtm::study::four_profiles::{reproduce, FirstCases, ReproduceOptions, CATEGORIES};
/// let cohort = gbtm::synth::scenario::Scenario::builtin("four-profiles")?.simulate(300, 3)?;
/// let mut opts = ReproduceOptions::default();
/// (opts.max_groups, opts.starts) = (2, 2);
/// opts.first_cases = Some(FirstCases::from_cohort(&cohort));
/// let (rep, fit) = reproduce(&cohort.panel, &opts)?;
/// // Poisson and ZIP, K = 1..2; the profiles are those of the selected model.
/// assert_eq!(rep.candidates.len(), 4);
/// assert_eq!((rep.groups.len(), rep.selected_groups), (fit.model().groups(), fit.model().groups()));
/// let p = &rep.groups[0];
/// assert_eq!(p.case_categories.len(), CATEGORIES.len());
/// assert!(p.first_case_all_ages.is_some() && p.rate.len() == 24);
/// assert!((rep.groups.iter().map(|g| g.case_share).sum::<f64>() - 1.0).abs() < 1e-9);
/// assert!(rep.forecast_addition > 0.0);
/// // The negative binomial beside it, unless switched off.
/// let nb = rep.negative_binomial.as_ref().expect("fitted by default");
/// assert_eq!(nb.candidates.len(), 2);
/// assert!(nb.selected_groups.is_some_and(|k| k <= 2));
/// assert!(rep.to_text().contains("compared with the report:"));
/// // Without it, and counting the candidate fits: Poisson and ZIP, K = 1..2.
/// opts.negative_binomial = false;
/// let fits = std::sync::atomic::AtomicUsize::new(0);
/// let count = || _ = fits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
/// let (rep, _) = gbtm::study::four_profiles::reproduce_with_progress(&cohort.panel, &opts, &count)?;
/// assert!(rep.negative_binomial.is_none());
/// assert_eq!(fits.into_inner(), 4);
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// As [`reproduce_with_progress`].
pub fn reproduce(panel: &Panel, opts: &ReproduceOptions) -> Result<(Reproduction, Fit)> {
    reproduce_with_progress(panel, opts, &|| {})
}

/// Runs the study on `panel`: selection and the profile figures of the
/// selected model, and the negative-binomial selection beside it. Returns
/// the figures and the selected Poisson/ZIP fit. `progress()` is called
/// after each candidate fit (2·`max_groups` calls, 3·`max_groups` with
/// [`ReproduceOptions::negative_binomial`]).
///
/// See the example of [`reproduce`], which ends by calling this with a
/// progress report that counts the fits.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `first_cases` if
/// [`ReproduceOptions::first_cases`] lacks a person of the panel,
/// [`Error::NothingSelected`] if no candidate converged, and the errors of
/// [`crate::select::select`].
pub fn reproduce_with_progress(
    panel: &Panel,
    opts: &ReproduceOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Reproduction, Fit)> {
    if let Some(fc) = &opts.first_cases
        && let Some(id) = panel.ids().iter().find(|id| fc.get(id).is_none())
    {
        return Err(Error::param(
            "first_cases",
            format!("no first-case age for person {id:?} of the panel"),
        ));
    }
    let max = opts.max_groups.min(panel.n_persons());
    let mut cands = Vec::new();
    for family in [Family::Poisson, Family::Zip] {
        for k in 1..=max {
            let m = Gbtm::new(family, k);
            cands.push(m.order(opts.order).starts(opts.starts).seed(opts.seed));
        }
    }
    let mut selection = select_with_progress(panel, &cands, Criterion::Bic, progress)?;
    let (selected, fit) = match (selection.selected, selection.selected_fit.take()) {
        (Some(j), Some(f)) => (j, f),
        _ => {
            return Err(Error::NothingSelected {
                candidates: cands.len(),
            });
        }
    };
    let summary = fit.summary();
    let classes = fit.assignments();
    let k = fit.model().groups();
    let (y, o, ages) = (panel.counts(), panel.observed(), panel.ages());
    let expected_counts = fit.model().expected_counts();
    let expected = |g: usize, t: usize| expected_counts[[g, t]];
    let mut cases = vec![0.0; k];
    let mut years = vec![0.0; k];
    // First-case ages per group: in the window, and over all data.
    let mut first_window: Vec<Vec<Option<i64>>> = vec![Vec::new(); k];
    let mut first_all: Vec<Vec<Option<i64>>> = vec![Vec::new(); k];
    let mut cats: Vec<BTreeMap<String, usize>> =
        vec![CATEGORIES.iter().map(|c| (c.0.to_string(), 0)).collect(); k];
    for (i, &g) in classes.iter().enumerate() {
        let mut total = 0.0;
        let mut first = None;
        for t in 0..ages.len() {
            if o[[i, t]] {
                total += y[[i, t]];
                years[g] += 1.0;
                if y[[i, t]] > 0.0 && first.is_none() {
                    first = Some(ages[t]);
                }
            }
        }
        cases[g] += total;
        first_window[g].push(first);
        if let Some(fc) = &opts.first_cases {
            first_all[g].push(fc.get(&panel.ids()[i]).flatten());
        }
        let n = total as u64;
        if let Some(c) = CATEGORIES.iter().find(|c| (c.1..=c.2).contains(&n)) {
            *cats[g].entry(c.0.to_string()).or_insert(0) += 1;
        }
    }
    let total_cases: f64 = cases.iter().sum();
    let mean: Vec<f64> = (0..k)
        .map(|g| {
            if years[g] > 0.0 {
                cases[g] / years[g]
            } else {
                0.0
            }
        })
        .collect();
    let curve: Vec<Vec<f64>> = (0..k)
        .map(|g| (0..ages.len()).map(|t| expected(g, t)).collect())
        .collect();
    let peak: Vec<i64> = curve
        .iter()
        .map(|c| {
            ages[(0..c.len())
                .max_by(|&a, &b| c[a].total_cmp(&c[b]))
                .unwrap_or(0)]
        })
        .collect();
    let names = labels(&mean, &peak);
    let window: Vec<FirstCaseFigures> = first_window
        .iter()
        .map(|f| FirstCaseFigures::of(f.iter().copied()))
        .collect();
    let groups = (0..k)
        .map(|g| {
            let s = &summary.groups[g];
            Profile {
                label: names[g].clone(),
                group: g + 1,
                proportion: s.proportion,
                assigned_share: s.assigned_share,
                n_assigned: s.n_assigned,
                avepp: s.avepp,
                occ: s.occ,
                mean_rate: mean[g],
                case_share: if total_cases > 0.0 {
                    cases[g] / total_cases
                } else {
                    0.0
                },
                mean_first_case_age: window[g].mean_age,
                share_first_case_under_18: window[g].share_under_18,
                first_case_all_ages: opts
                    .first_cases
                    .as_ref()
                    .map(|_| FirstCaseFigures::of(first_all[g].iter().copied())),
                case_categories: cats[g].clone(),
                rate: curve[g].clone(),
                peak_age: peak[g],
            }
        })
        .collect();
    // Forecast the unobserved years to the end of the window (exposure 1).
    let forecast: f64 = fit
        .model()
        .forecast(panel, 0.9)?
        .iter()
        .filter(|f| f.status == crate::predict::PersonStatus::Classified)
        .map(|f| f.total.expected)
        .sum();
    let negative_binomial = if opts.negative_binomial {
        Some(nb_comparison(panel, opts, max, progress)?)
    } else {
        None
    };
    let chosen = &selection.candidates[selected];
    // The best four-group candidate, whichever K was selected.
    let four = selection
        .candidates
        .iter()
        .filter(|c| c.n_groups == 4)
        .filter_map(|c| c.fit.as_ref().filter(|f| f.converged))
        .map(|f| (f.bic, f.model))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let rep = Reproduction {
        n_persons: panel.n_persons(),
        model: fit.model().spec().family(),
        selected_groups: k,
        bic: chosen.fit.as_ref().map_or(summary.bic, |f| f.bic),
        bic_four_groups: four.map(|f| f.0),
        model_four_groups: four.map(|f| f.1),
        selected,
        candidates: selection.candidates,
        groups,
        total_cases,
        total_cases_with_forecast: total_cases + forecast,
        forecast_addition: forecast,
        negative_binomial,
        published: Published::report(),
        ages: ages.to_vec(),
    };
    Ok((rep, fit))
}
