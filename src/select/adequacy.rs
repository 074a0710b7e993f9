//! Nagin's adequacy rules, checked on a fit summary and reported as typed
//! failures.

use serde::{Deserialize, Serialize};

use crate::report::FitSummary;

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
/// are not checked. Adequacy is reported by [`select`](crate::select::select), never enforced.
///
/// ```
/// use gbtm::select::{adequacy_failures, AdequacyFailure};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let fit = Gbtm::poisson(3).order(2).starts(2).seed(1).fit(&cohort.panel)?;
/// let mut summary = fit.summary();
/// summary.groups[1].avepp = 0.6;
/// let failures = adequacy_failures(&summary);
/// assert!(failures.contains(&AdequacyFailure::LowAvePP { group: 2, avepp: 0.6 }));
/// assert!(failures.iter().any(|f| f.to_string() == "group 2: AvePP 0.600 < 0.7"));
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn adequacy_failures(summary: &FitSummary) -> Vec<AdequacyFailure> {
    let k = summary.groups.len();
    let n = summary.n_persons as f64;
    let mut out = Vec::new();
    for (g, gr) in summary.groups.iter().enumerate() {
        let group = g + 1;
        if k > 1 {
            // A NaN fails every rule.
            if gr.avepp.is_nan() || gr.avepp < MIN_AVEPP {
                out.push(AdequacyFailure::LowAvePP {
                    group,
                    avepp: gr.avepp,
                });
            }
            if gr.occ.is_nan() || gr.occ <= MIN_OCC {
                out.push(AdequacyFailure::LowOcc { group, occ: gr.occ });
            }
        }
        let gap = (gr.proportion - gr.assigned_share).abs();
        if gap.is_nan() || gap > MAX_SHARE_GAP {
            out.push(AdequacyFailure::ShareGap {
                group,
                estimated: gr.proportion,
                assigned: gr.assigned_share,
            });
        }
        let persons = gr.proportion * n;
        if persons.is_nan() || persons < MIN_GROUP_PERSONS {
            out.push(AdequacyFailure::FewPersons { group, persons });
        }
        if gr.proportion.is_nan() || gr.proportion < MIN_GROUP_SHARE {
            out.push(AdequacyFailure::SmallShare {
                group,
                share: gr.proportion,
            });
        }
    }
    out
}

/// One adequacy rule broken by one group (numbered from 1).
///
/// ```
/// use gbtm::select::AdequacyFailure;
/// let f = AdequacyFailure::LowOcc { group: 1, occ: 2.0 };
/// assert_eq!(f.to_string(), "group 1: OCC 2.00 ≤ 5");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AdequacyFailure {
    /// AvePP below [`MIN_AVEPP`].
    #[serde(rename = "low_avepp")]
    LowAvePP {
        /// Group number (from 1).
        group: usize,
        /// Its AvePP.
        avepp: f64,
    },
    /// OCC at most [`MIN_OCC`].
    LowOcc {
        /// Group number (from 1).
        group: usize,
        /// Its OCC.
        occ: f64,
    },
    /// Estimated and assigned shares differ by more than [`MAX_SHARE_GAP`].
    ShareGap {
        /// Group number (from 1).
        group: usize,
        /// π̂_k.
        estimated: f64,
        /// Share assigned by maximum posterior.
        assigned: f64,
    },
    /// π̂_k·N below [`MIN_GROUP_PERSONS`].
    FewPersons {
        /// Group number (from 1).
        group: usize,
        /// π̂_k·N.
        persons: f64,
    },
    /// π̂_k below [`MIN_GROUP_SHARE`].
    SmallShare {
        /// Group number (from 1).
        group: usize,
        /// π̂_k.
        share: f64,
    },
}

impl std::fmt::Display for AdequacyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdequacyFailure::LowAvePP { group, avepp } => {
                write!(f, "group {group}: AvePP {avepp:.3} < {MIN_AVEPP}")
            }
            AdequacyFailure::LowOcc { group, occ } => {
                write!(f, "group {group}: OCC {occ:.2} ≤ {MIN_OCC}")
            }
            AdequacyFailure::ShareGap {
                group,
                estimated,
                assigned,
            } => write!(
                f,
                "group {group}: estimated share {estimated:.3} and assigned share {assigned:.3} differ by {:.3} > {MAX_SHARE_GAP}",
                (estimated - assigned).abs()
            ),
            AdequacyFailure::FewPersons { group, persons } => write!(
                f,
                "group {group}: π̂·N = {persons:.1} persons < {MIN_GROUP_PERSONS}"
            ),
            AdequacyFailure::SmallShare { group, share } => write!(
                f,
                "group {group}: estimated share {share:.3} < {MIN_GROUP_SHARE}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AdequacyFailure;

    #[test]
    fn failures_serialise_with_readable_rule_names() {
        let f = AdequacyFailure::LowAvePP {
            group: 2,
            avepp: 0.6,
        };
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"{"rule":"low_avepp","group":2,"avepp":0.6}"#);
    }
}
