//! The reproduction of the reference study's four offending profiles on a
//! synthetic cohort (`gbtm reproduce`): select K by BIC over Poisson and ZIP
//! cubic models, label the groups by shape, and compute the figures the
//! report published for each profile. See docs/reproduction.md.

mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::fit::{Fit, Gbtm};
use crate::model::Family;
use crate::select::{CandidateResult, Criterion, select_with_progress};

/// Settings of a reproduction.
///
/// ```
/// let o = gbtm::study::four_profiles::ReproduceOptions::default();
/// assert_eq!((o.max_groups, o.order), (7, 3));
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
}

impl Default for ReproduceOptions {
    fn default() -> Self {
        ReproduceOptions {
            max_groups: 7,
            order: 3,
            starts: 10,
            seed: 1,
        }
    }
}

/// The case-count categories of the report: total registered cases per
/// person over the observed years 12–35.
pub const CATEGORIES: [(&str, u64, u64); 6] = [
    ("0", 0, 0),
    ("1", 1, 1),
    ("2-4", 2, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20+", 20, u64::MAX),
];

/// One profile's figures.
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
    /// Mean age of the first registered case, over assigned persons with one
    /// (`null` if none has a case).
    pub mean_first_case_age: Option<f64>,
    /// Share of the assigned persons with a case whose first case came before 18.
    pub share_first_case_under_18: f64,
    /// Assigned persons by total cases: `0`, `1`, `2-4`, `5-9`, `10-19`, `20+`.
    pub case_categories: BTreeMap<String, usize>,
    /// Fitted expected count per year, (1 − ω)·λ, per age.
    pub rate: Vec<f64>,
    /// Age at which `rate` peaks.
    pub peak_age: i64,
}

/// Everything `gbtm reproduce --json` prints.
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
    /// Ages of the window.
    pub ages: Vec<i64>,
}

/// Labels by shape: the group with the lowest mean rate is `incidental`,
/// the highest `persistent`; the others are `early_peak` if their fitted
/// curve peaks by age 22, else `late_peak` (with K = 4 the earlier-peaking
/// of the two middle groups is `early_peak`).
fn labels(mean: &[f64], peak: &[i64]) -> Vec<String> {
    let k = mean.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| mean[a].total_cmp(&mean[b]));
    let mut out = vec![String::new(); k];
    if k == 1 {
        out[0] = "incidental".into();
        return out;
    }
    out[order[0]] = "incidental".into();
    out[order[k - 1]] = "persistent".into();
    let mut middle: Vec<usize> = order[1..k - 1].to_vec();
    middle.sort_by_key(|&g| peak[g]);
    for (j, &g) in middle.iter().enumerate() {
        let early = if middle.len() == 2 {
            j == 0
        } else {
            peak[g] <= 22
        };
        out[g] = if early { "early_peak" } else { "late_peak" }.into();
    }
    // Number repeated labels.
    for g in 0..k {
        let same: Vec<usize> = (0..k).filter(|&h| out[h] == out[g]).collect();
        if same.len() > 1 {
            let base = out[g].clone();
            for (n, &h) in same.iter().enumerate() {
                out[h] = format!("{base}_{}", n + 1);
            }
        }
    }
    out
}

/// Runs the study on `panel`: selection and the profile figures of the
/// selected model; [`reproduce_with_progress`] without a progress report.
///
/// # Errors
/// As [`reproduce_with_progress`].
pub fn reproduce(panel: &Panel, opts: &ReproduceOptions) -> Result<(Reproduction, Fit)> {
    reproduce_with_progress(panel, opts, &|| {})
}

/// Runs the study on `panel`: selection and the profile figures of the
/// selected model. Returns the figures and the selected fit. `progress()`
/// is called after each candidate fit.
///
/// # Errors
/// [`Error::NothingSelected`] if no candidate converged, and the errors of
/// [`crate::select::select`].
pub fn reproduce_with_progress(
    panel: &Panel,
    opts: &ReproduceOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Reproduction, Fit)> {
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
    let mut first_sum = vec![0.0; k];
    let mut first_n = vec![0usize; k];
    let mut under18 = vec![0usize; k];
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
        if let Some(a) = first {
            first_sum[g] += a as f64;
            first_n[g] += 1;
            if a < 18 {
                under18[g] += 1;
            }
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
                mean_first_case_age: (first_n[g] > 0).then(|| first_sum[g] / first_n[g] as f64),
                share_first_case_under_18: if first_n[g] > 0 {
                    under18[g] as f64 / first_n[g] as f64
                } else {
                    0.0
                },
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
    let chosen = &selection.candidates[selected];
    let rep = Reproduction {
        n_persons: panel.n_persons(),
        model: fit.model().spec().family(),
        selected_groups: k,
        bic: chosen.fit.as_ref().map_or(summary.bic, |f| f.bic),
        selected,
        candidates: selection.candidates,
        groups,
        total_cases,
        total_cases_with_forecast: total_cases + forecast,
        ages: ages.to_vec(),
    };
    Ok((rep, fit))
}

/// The report's published figures, in the order incidental, early peak,
/// late peak, persistent: (label, share, mean cases per observed year).
pub const PUBLISHED: [(&str, f64, f64); 4] = [
    ("incidental", 0.36, 0.14),
    ("early_peak", 0.28, 0.55),
    ("late_peak", 0.21, 0.61),
    ("persistent", 0.15, 1.40),
];

#[cfg(test)]
mod tests {
    use super::labels;

    #[test]
    fn four_groups_are_labelled_by_level_and_peak() {
        let l = labels(&[0.55, 1.4, 0.14, 0.61], &[18, 20, 30, 29]);
        assert_eq!(l, ["early_peak", "persistent", "incidental", "late_peak"]);
        // The middle groups swap labels when their peaks swap.
        let l = labels(&[0.55, 1.4, 0.14, 0.61], &[30, 20, 30, 17]);
        assert_eq!(l[0], "late_peak");
        assert_eq!(l[3], "early_peak");
    }

    #[test]
    fn repeated_labels_are_numbered() {
        let l = labels(&[0.1, 0.5, 0.6, 0.7, 2.0], &[25, 16, 18, 30, 20]);
        assert_eq!(
            l,
            [
                "incidental",
                "early_peak_1",
                "early_peak_2",
                "late_peak",
                "persistent"
            ]
        );
    }
}
