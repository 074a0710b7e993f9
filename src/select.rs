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
//! reports step 3. **Selection is by the criterion alone; adequacy is
//! reported, not enforced**: an inadequate model with the best BIC is still
//! the one selected, and the report says why it is inadequate, so that the
//! analyst (not the program) decides whether to prefer a simpler model.
//!
//! ```
//! use gbtm::select::{select, Criterion};
//! use gbtm::{synth, Gbtm};
//! let cohort = synth::three_groups(300, 7);
//! let candidates: Vec<Gbtm> = (1..=3)
//!     .map(|k| Gbtm::poisson(k).order(2).starts(2).seed(1))
//!     .collect();
//! let selection = select(&cohort.panel, &candidates, Criterion::Bic, &|| {})?;
//! assert_eq!(selection.candidates.len(), 3);
//! let best = selection.selected_candidate().unwrap();
//! println!("{}", selection.to_text());
//! assert!(best.n_groups >= 2);
//! # Ok::<(), gbtm::Error>(())
//! ```

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::fit::Gbtm;
use crate::model::ModelSpec;
use crate::report::FitSummary;

/// The information criterion that ranks the candidates. All three are in
/// traj's orientation, where **larger is better** (docs/model.md, section 6):
///
/// | criterion | value | JSON / CLI name |
/// |---|---|---|
/// | [`Criterion::Bic`] | `LL − ½·P·ln(persons)` | `bic` |
/// | [`Criterion::BicObservations`] | `LL − ½·P·ln(observed person-years)` | `bic-observations` |
/// | [`Criterion::Aic`] | `LL − P` | `aic` |
///
/// BIC with N = persons is what criminology papers mostly quote and is the
/// default. The R/Mplus form `−2·LL + P·ln N` (smaller is better) is −2 times
/// [`Criterion::Bic`].
///
/// ```
/// use gbtm::select::Criterion;
/// let c: Criterion = "bic-observations".parse()?;
/// assert_eq!(c, Criterion::BicObservations);
/// assert_eq!(c.to_string(), "bic-observations");
/// assert_eq!(Criterion::default(), Criterion::Bic);
/// assert_eq!(serde_json::to_string(&Criterion::Aic).unwrap(), "\"aic\"");
/// assert!(matches!(
///     "dic".parse::<Criterion>(),
///     Err(gbtm::Error::InvalidParameter { .. })
/// ));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// BIC with N = persons (`bic` in the fit report).
    #[default]
    Bic,
    /// BIC with N = observed person-years (`bic_observations`).
    BicObservations,
    /// AIC, `LL − P` (`aic`).
    Aic,
}

impl Criterion {
    /// All criteria, in the order of their JSON names above.
    ///
    /// ```
    /// assert_eq!(gbtm::select::Criterion::ALL.len(), 3);
    /// ```
    pub const ALL: [Criterion; 3] = [Criterion::Bic, Criterion::BicObservations, Criterion::Aic];

    /// The criterion's value for a fitted model (larger is better).
    ///
    /// ```
    /// use gbtm::select::Criterion;
    /// use gbtm::{synth, FitSummary, Gbtm};
    /// let cohort = synth::three_groups(200, 3);
    /// let s = FitSummary::new(&Gbtm::poisson(1).order(2).fit(&cohort.panel)?);
    /// assert_eq!(Criterion::Aic.value(&s), s.log_likelihood - 3.0);
    /// assert_eq!(Criterion::Bic.value(&s), s.bic);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn value(self, summary: &FitSummary) -> f64 {
        match self {
            Criterion::Bic => summary.bic,
            Criterion::BicObservations => summary.bic_observations,
            Criterion::Aic => summary.aic,
        }
    }

    /// A readable name for reports, e.g. `BIC (persons)`.
    ///
    /// ```
    /// assert_eq!(gbtm::select::Criterion::Bic.label(), "BIC (persons)");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Bic => "BIC (persons)",
            Criterion::BicObservations => "BIC (observations)",
            Criterion::Aic => "AIC",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Criterion::Bic => "bic",
            Criterion::BicObservations => "bic-observations",
            Criterion::Aic => "aic",
        }
    }
}

impl fmt::Display for Criterion {
    /// The JSON / command-line name: `bic`, `bic-observations` or `aic`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Criterion {
    type Err = Error;
    /// Parses `bic`, `bic-observations` or `aic` (case-insensitive; `_` may
    /// stand for `-`, so the fit report's field name `bic_observations` works
    /// too). Anything else is [`Error::InvalidParameter`] naming `criterion`.
    fn from_str(s: &str) -> Result<Criterion> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        Criterion::ALL
            .into_iter()
            .find(|c| c.name() == norm)
            .ok_or_else(|| {
                Error::param(
                    "criterion",
                    format!("unknown criterion {s:?}; use bic, bic-observations or aic"),
                )
            })
    }
}

/// Every combination of per-group polynomial orders for `groups` groups with
/// orders in `orders`, each listed once as a non-increasing vector.
///
/// Groups are exchangeable (the labels are arbitrary), so orders `[3, 1]` and
/// `[1, 3]` are the same model; the grid lists multisets, of which there are
/// C(K + m − 1, K) for m possible orders (K = 3 groups over orders 0–3: 20
/// fits; K = 4 over 1–3: 15; K = 5 over 0–5: 252). The vectors come sorted by
/// total order (that is, by number of parameters) and then
/// lexicographically, so that the simpler of two candidates with equal
/// criterion values comes first, and [`select`] picks the first of a tie.
/// `groups == 0` or an empty range gives an empty grid.
///
/// **Why a grid, and not traj's step-down routine.** The routine usually
/// taught with traj starts every group at cubic and drops top terms that are
/// not significant, refitting until all are. gbtm does not use it, because:
///
/// - it needs standard errors and Wald tests, which gbtm does not yet
///   compute; the grid needs only log-likelihoods;
/// - its result depends on the path (which term to drop first, at which
///   significance level) and on borderline tests; the grid is
///   deterministic, a pure function of the candidates;
/// - BIC compares every candidate on one scale, so the grid finds the best
///   BIC among all combinations, not just along one path of nested models.
///
/// The price is more fits: C(K + m − 1, K) instead of at most K·(m − 1)
/// steps. They run in parallel in [`select`], and for the usual K ≤ 5 and
/// orders 1–3 it is at most 21 fits.
///
/// ```
/// use gbtm::select::order_grid;
/// assert_eq!(order_grid(2, 1..=2), vec![vec![1, 1], vec![2, 1], vec![2, 2]]);
/// assert_eq!(order_grid(3, 1..=3).len(), 10); // C(5, 3)
/// assert_eq!(order_grid(1, 0..=3), vec![vec![0], vec![1], vec![2], vec![3]]);
/// assert!(order_grid(0, 1..=3).is_empty());
/// ```
pub fn order_grid(groups: usize, orders: RangeInclusive<usize>) -> Vec<Vec<usize>> {
    fn extend(
        prefix: &mut Vec<usize>,
        groups: usize,
        lo: usize,
        hi: usize,
        out: &mut Vec<Vec<usize>>,
    ) {
        if prefix.len() == groups {
            out.push(prefix.clone());
            return;
        }
        for o in lo..=hi {
            prefix.push(o);
            extend(prefix, groups, lo, o, out);
            prefix.pop();
        }
    }
    let (lo, hi) = (*orders.start(), *orders.end());
    let mut out = Vec::new();
    if groups == 0 || lo > hi {
        return out;
    }
    extend(&mut Vec::with_capacity(groups), groups, lo, hi, &mut out);
    out.sort_by(|a, b| {
        a.iter()
            .sum::<usize>()
            .cmp(&b.iter().sum::<usize>())
            .then_with(|| a.cmp(b))
    });
    out
}

/// Adequacy rule: every group's AvePP must be at least this (Nagin 2005).
///
/// ```
/// assert_eq!(gbtm::select::MIN_AVEPP, 0.7);
/// ```
pub const MIN_AVEPP: f64 = 0.7;
/// Adequacy rule: every group's OCC must exceed this (Nagin 2005).
///
/// ```
/// assert_eq!(gbtm::select::MIN_OCC, 5.0);
/// ```
pub const MIN_OCC: f64 = 5.0;
/// Adequacy rule: |π̂_k − assigned share_k| may be at most this (see
/// [`adequacy_failures`] for why 0.05).
///
/// ```
/// assert_eq!(gbtm::select::MAX_SHARE_GAP, 0.05);
/// ```
pub const MAX_SHARE_GAP: f64 = 0.05;
/// Adequacy rule: every group must have π̂_k·N of at least this many persons
/// (Nagin, Jones & Elmer 2024).
///
/// ```
/// assert_eq!(gbtm::select::MIN_GROUP_PERSONS, 30.0);
/// ```
pub const MIN_GROUP_PERSONS: f64 = 30.0;
/// Adequacy rule: every group's π̂_k must be at least this (5%).
///
/// ```
/// assert_eq!(gbtm::select::MIN_GROUP_SHARE, 0.05);
/// ```
pub const MIN_GROUP_SHARE: f64 = 0.05;

/// Nagin's adequacy rules checked on a fitted model; one readable line per
/// rule broken by a group, empty if the model is adequate.
///
/// The rules (Nagin 2005; Nagin & Odgers 2010; Nagin, Jones & Elmer 2024),
/// with π̂_k the estimated group probability and N the persons fitted:
///
/// - every AvePP_k ≥ 0.7 ([`MIN_AVEPP`]);
/// - every OCC_k > 5 ([`MIN_OCC`]; OCC with π̂_k, as in the fit report);
/// - |π̂_k − assigned share_k| ≤ 0.05 for every group ([`MAX_SHARE_GAP`]);
/// - no group with π̂_k·N < 30 persons ([`MIN_GROUP_PERSONS`]) or
///   π̂_k < 5% ([`MIN_GROUP_SHARE`]).
///
/// Nagin asks only that π̂_k be "close to" the share assigned to the group by
/// maximum posterior; the literature gives no number. gbtm uses an absolute
/// gap of 0.05 (five percentage points) because (a) the two shares are read
/// side by side in percent in traj-style tables, and five points is about the
/// smallest gap that changes the substantive reading of a group's size;
/// (b) it equals the smallest admissible group share, so a group cannot lose
/// or gain a whole minimal group's worth of persons to misclassification and
/// still pass; (c) with AvePP ≥ 0.7 in every group the gap is usually
/// one or two points, so a larger gap signals classification error that is
/// systematic rather than noise. It is an absolute, not a relative,
/// tolerance: for a 10% group it allows 5–15% assigned.
///
/// With one group, AvePP and OCC say nothing (classification is certain) and
/// are not checked. Adequacy is reported by [`select`], never enforced.
///
/// ```
/// use gbtm::select::adequacy_failures;
/// use gbtm::{synth, FitSummary, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let fit = Gbtm::poisson(3).order(2).starts(2).seed(1).fit(&cohort.panel)?;
/// let mut summary = FitSummary::new(&fit);
/// summary.groups[1].avepp = 0.6;
/// let failures = adequacy_failures(&summary);
/// assert!(failures.iter().any(|f| f.contains("group 2: AvePP 0.600 < 0.7")));
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn adequacy_failures(summary: &FitSummary) -> Vec<String> {
    let k = summary.groups.len();
    let n = summary.n_persons as f64;
    let mut out = Vec::new();
    for (g, gr) in summary.groups.iter().enumerate() {
        let id = g + 1;
        if k > 1 {
            // A NaN fails every rule.
            if gr.avepp.is_nan() || gr.avepp < MIN_AVEPP {
                out.push(format!("group {id}: AvePP {:.3} < {MIN_AVEPP}", gr.avepp));
            }
            if gr.occ.is_nan() || gr.occ <= MIN_OCC {
                out.push(format!("group {id}: OCC {:.2} ≤ {MIN_OCC}", gr.occ));
            }
        }
        let gap = (gr.proportion - gr.assigned_share).abs();
        if gap.is_nan() || gap > MAX_SHARE_GAP {
            out.push(format!(
                "group {id}: estimated share {:.3} and assigned share {:.3} differ by {gap:.3} > {MAX_SHARE_GAP}",
                gr.proportion, gr.assigned_share
            ));
        }
        let persons = gr.proportion * n;
        if persons.is_nan() || persons < MIN_GROUP_PERSONS {
            out.push(format!(
                "group {id}: π̂·N = {persons:.1} persons < {MIN_GROUP_PERSONS}"
            ));
        }
        if gr.proportion.is_nan() || gr.proportion < MIN_GROUP_SHARE {
            out.push(format!(
                "group {id}: estimated share {:.3} < {MIN_GROUP_SHARE}",
                gr.proportion
            ));
        }
    }
    out
}

/// One candidate of a [`Selection`]: its structure, its fit (the same fields
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
/// use gbtm::{synth, FitSummary, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let fit = Gbtm::poisson(2).orders(vec![3, 1]).starts(2).fit(&cohort.panel)?;
/// let row = CandidateResult::from_summary(FitSummary::new(&fit));
/// assert_eq!((row.n_groups, row.orders.clone()), (2, vec![3, 1]));
/// assert!(row.min_avepp.unwrap() <= 1.0);
/// let json = serde_json::to_value(&row).unwrap();
/// assert_eq!(json["n_groups"], 2);
/// assert!(json["log_likelihood"].is_f64());
/// assert!(json["groups"].is_array());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateResult {
    /// Number of groups K.
    pub n_groups: usize,
    /// Order of each group's log-rate polynomial.
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
    /// The rules broken, one line each (empty for an adequate or failed fit).
    pub adequacy_failures: Vec<String>,
}

impl CandidateResult {
    /// A row from a fit report: structure, smallest share, AvePP and OCC,
    /// and adequacy. The model probability is left `None`; [`Selection::new`]
    /// sets it.
    ///
    /// ```
    /// use gbtm::select::CandidateResult;
    /// use gbtm::{synth, FitSummary, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let mut s = FitSummary::new(&Gbtm::poisson(3).order(2).starts(2).fit(&cohort.panel)?);
    /// s.groups[0].occ = 2.0;
    /// let row = CandidateResult::from_summary(s);
    /// assert!(!row.adequate);
    /// assert_eq!(row.min_occ, Some(2.0));
    /// assert!(row.adequacy_failures[0].starts_with("group 1: OCC 2.00"));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn from_summary(summary: FitSummary) -> CandidateResult {
        let min = |f: fn(&crate::report::GroupSummary) -> f64| {
            summary.groups.iter().map(f).reduce(f64::min)
        };
        let failures = adequacy_failures(&summary);
        let iorders: Option<Vec<usize>> = summary.groups.iter().map(|g| g.iorder).collect();
        CandidateResult {
            n_groups: summary.groups.len(),
            orders: summary.groups.iter().map(|g| g.order).collect(),
            iorders,
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
            n_groups: spec.groups(),
            orders: spec.orders.clone(),
            iorders: spec.iorders.clone(),
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

/// The outcome of a model selection: every candidate in the order given, the
/// index of the selected one, and the criterion.
///
/// JSON (`gbtm select --json`):
/// `{"candidates": [ … ], "selected": 2, "criterion": "bic"}`, with
/// `selected` `null` if no candidate converged.
///
/// The selected candidate has the largest criterion value among the
/// converged candidates (ties: the first in candidate order). Adequacy is
/// reported per candidate and does not affect the choice.
///
/// ```
/// use gbtm::select::{select, Criterion, Selection};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let candidates = [Gbtm::poisson(1).order(2), Gbtm::poisson(2).order(2).starts(2)];
/// let sel = select(&cohort.panel, &candidates, Criterion::Bic, &|| {})?;
/// let json = serde_json::to_value(&sel).unwrap();
/// assert_eq!(json["criterion"], "bic");
/// assert_eq!(json["selected"], 1);
/// assert!(json["candidates"][1]["bic"].as_f64().unwrap() > json["candidates"][0]["bic"].as_f64().unwrap());
/// let back: Selection = serde_json::from_value(json).unwrap();
/// assert_eq!(back, sel);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// One row per candidate, in the order the candidates were given.
    pub candidates: Vec<CandidateResult>,
    /// Index into `candidates` of the selected model; `None` if no candidate
    /// converged.
    pub selected: Option<usize>,
    /// The criterion that ranked the candidates.
    pub criterion: Criterion,
}

impl Selection {
    /// Ranks `candidates` by `criterion`: sets each row's model probability
    /// and chooses the best. Rows keep their order. Use it to re-rank a
    /// selection under another criterion without refitting.
    ///
    /// ```
    /// use gbtm::select::{select, Criterion, Selection};
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let candidates = [Gbtm::poisson(2).order(1).starts(2), Gbtm::poisson(2).order(2).starts(2)];
    /// let by_bic = select(&cohort.panel, &candidates, Criterion::Bic, &|| {})?;
    /// let by_aic = Selection::new(by_bic.candidates.clone(), Criterion::Aic);
    /// assert_eq!(by_aic.criterion, Criterion::Aic);
    /// let total: f64 = by_aic.candidates.iter().filter_map(|c| c.model_probability).sum();
    /// assert!((total - 1.0).abs() < 1e-12);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn new(mut candidates: Vec<CandidateResult>, criterion: Criterion) -> Selection {
        let mut selected: Option<(usize, f64)> = None;
        for (j, c) in candidates.iter().enumerate() {
            if !c.is_eligible(criterion) {
                continue;
            }
            let v = c.criterion_value(criterion).unwrap_or(f64::NEG_INFINITY);
            if selected.is_none_or(|(_, best)| v > best) {
                selected = Some((j, v));
            }
        }
        let weights: Vec<Option<f64>> = candidates
            .iter()
            .map(|c| {
                let (_, best) = selected?;
                c.is_eligible(criterion).then(|| {
                    (c.criterion_value(criterion).unwrap_or(f64::NEG_INFINITY) - best).exp()
                })
            })
            .collect();
        // The best has weight 1, so the sum is at least 1.
        let total: f64 = weights.iter().flatten().sum();
        for (c, w) in candidates.iter_mut().zip(weights) {
            c.model_probability = w.map(|w| w / total);
        }
        Selection {
            candidates,
            selected: selected.map(|(j, _)| j),
            criterion,
        }
    }

    /// The selected candidate, if any.
    ///
    /// ```
    /// use gbtm::select::{Criterion, Selection};
    /// assert!(Selection::new(Vec::new(), Criterion::Bic).selected_candidate().is_none());
    /// ```
    pub fn selected_candidate(&self) -> Option<&CandidateResult> {
        self.candidates.get(self.selected?)
    }

    /// A readable table: one row per candidate (the selected one marked `*`)
    /// with K, orders, LL, parameters, BIC (persons), BIC (observations),
    /// AIC, entropy, smallest share, smallest AvePP and OCC, convergence,
    /// adequacy and model probability; then the selected model, the
    /// criterion, and the selected model's adequacy failures. Fits in 100
    /// columns for up to six groups.
    ///
    /// ```
    /// use gbtm::select::{select, Criterion};
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let candidates = [Gbtm::poisson(1).order(2), Gbtm::poisson(2).order(2).starts(2)];
    /// let text = select(&cohort.panel, &candidates, Criterion::Bic, &|| {})?.to_text();
    /// assert!(text.contains("selected: 2 groups"));
    /// assert!(text.lines().all(|l| l.chars().count() <= 100));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let header = [
            "K", "orders", "LL", "P", "BIC", "BIC(obs)", "AIC", "entropy", "share", "AvePP", "OCC",
            "conv", "adeq", "prob",
        ];
        // "orders" is left-aligned, every other column right-aligned; the
        // selected row's K is marked `*`.
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        let mut errors = Vec::new();
        for (j, c) in self.candidates.iter().enumerate() {
            let mark = if self.selected == Some(j) { "*" } else { "" };
            let mut row = vec![
                format!("{mark}{}", c.n_groups),
                orders_text(&c.orders, c.iorders.as_deref()),
            ];
            match &c.fit {
                Some(f) => row.extend([
                    format!("{:.1}", f.log_likelihood),
                    f.parameters.to_string(),
                    format!("{:.1}", f.bic),
                    format!("{:.1}", f.bic_observations),
                    format!("{:.1}", f.aic),
                    format!("{:.3}", f.entropy),
                    opt(c.smallest_share, |v| format!("{v:.3}")),
                    opt(c.min_avepp, |v| format!("{v:.3}")),
                    opt(c.min_occ, occ_text),
                    yes_no(f.converged).to_string(),
                    yes_no(c.adequate).to_string(),
                    opt(c.model_probability, |v| format!("{v:.4}")),
                ]),
                None => {
                    row.push("failed".to_string());
                    row.extend((3..header.len()).map(|_| "-".to_string()));
                    errors.push(format!(
                        "candidate {} (K = {}, orders {}): {}",
                        j + 1,
                        c.n_groups,
                        orders_text(&c.orders, c.iorders.as_deref()),
                        c.error.as_deref().unwrap_or("failed")
                    ));
                }
            }
            rows.push(row);
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|col| {
                rows.iter()
                    .map(|r| r[col].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &rows {
            let mut line = String::new();
            for (col, cell) in row.iter().enumerate() {
                let w = widths[col];
                if col > 0 {
                    line.push(' ');
                }
                if col == 1 {
                    let _ = write!(line, "{cell:<w$}");
                } else {
                    let _ = write!(line, "{cell:>w$}");
                }
            }
            let _ = writeln!(s, "{}", line.trim_end());
        }
        let _ = writeln!(
            s,
            "BIC: N = persons; BIC(obs): N = observed person-years; LL, BIC, AIC: larger is better.\n\
             share, AvePP, OCC: smallest over the groups; conv: converged; adeq: adequate\n\
             (every AvePP >= 0.7, OCC > 5, |share - assigned share| <= 0.05, share*N >= 30,\n\
             share >= 0.05); prob: model probability by {}.",
            self.criterion.label()
        );
        for e in &errors {
            let _ = writeln!(s, "{e}");
        }
        match self.selected_candidate() {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "\nselected: {} group{}, orders {}: the largest {} among converged candidates",
                    c.n_groups,
                    if c.n_groups == 1 { "" } else { "s" },
                    orders_text(&c.orders, c.iorders.as_deref()),
                    self.criterion.label()
                );
                if c.adequacy_failures.is_empty() {
                    let _ = writeln!(s, "adequacy: every rule holds");
                } else {
                    let _ = writeln!(
                        s,
                        "adequacy: NOT adequate (reported, not enforced; consider a simpler model):"
                    );
                    for f in &c.adequacy_failures {
                        let _ = writeln!(s, "  {f}");
                    }
                }
            }
            None => {
                let _ = writeln!(
                    s,
                    "\nno model selected: no candidate was fitted and converged"
                );
            }
        }
        s
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

/// OCC in at most 7 characters: the cap of 1e15 and other huge values in
/// exponent form.
fn occ_text(v: f64) -> String {
    if v >= 1e5 {
        format!("{v:.0e}")
    } else {
        format!("{v:.1}")
    }
}

/// `3,3,2`, or `3,3,2/0,0,1` with zero-inflation orders.
fn orders_text(orders: &[usize], iorders: Option<&[usize]>) -> String {
    let join = |v: &[usize]| {
        v.iter()
            .map(|o| o.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    match iorders {
        Some(q) => format!("{}/{}", join(orders), join(q)),
        None => join(orders),
    }
}

/// Fits every candidate to `panel` and selects the best by `criterion`.
///
/// The candidates are fitted in parallel (rayon; each fit is itself
/// parallel), and the rows are collected in candidate order, so the result
/// is the same for any number of threads. `progress()` is called once after
/// each fit finishes, from the thread that ran it (for a progress bar).
///
/// A candidate whose every start ends degenerate ([`Error::AllDegenerate`])
/// becomes a failed row ([`CandidateResult::error`]) and takes no part in the
/// selection; any other error (bad input: a structure the panel cannot
/// support, zero starts, ...) is returned, the first in candidate order.
/// Candidates that did not converge are reported but not selected. With no
/// candidates, the result is [`Error::InvalidParameter`].
///
/// To choose the number of groups, pass `Gbtm::poisson(k)` (or `zip`) for
/// each k with the same orders; to choose orders for a given K, pass one
/// candidate per vector of [`order_grid`]. Put simpler candidates first: a
/// tie goes to the first.
///
/// ```
/// use gbtm::select::{order_grid, select, Criterion};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let candidates: Vec<Gbtm> = order_grid(2, 1..=2)
///     .into_iter()
///     .map(|o| Gbtm::poisson(2).orders(o).starts(2).seed(1))
///     .collect();
/// let done = std::sync::atomic::AtomicUsize::new(0);
/// let sel = select(&cohort.panel, &candidates, Criterion::Bic, &|| {
///     done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
/// })?;
/// assert_eq!(done.into_inner(), 3);
/// assert_eq!(sel.candidates[1].orders, vec![2, 1]);
/// assert!(sel.selected.is_some());
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn select(
    panel: &Panel,
    candidates: &[Gbtm],
    criterion: Criterion,
    progress: &(dyn Fn() + Sync),
) -> Result<Selection> {
    if candidates.is_empty() {
        return Err(Error::param(
            "candidates",
            "at least one candidate model is needed",
        ));
    }
    for c in candidates {
        c.validate(panel)?;
    }
    let fits: Vec<Result<CandidateResult>> = candidates
        .par_iter()
        .map(|c| {
            let fit = c.fit(panel);
            progress();
            match fit {
                Ok(f) => Ok(CandidateResult::from_summary(FitSummary::new(&f))),
                Err(e @ Error::AllDegenerate { .. }) => Ok(CandidateResult::failed(&c.spec()?, e)),
                Err(e) => Err(e),
            }
        })
        .collect();
    let rows = fits.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(Selection::new(rows, criterion))
}
