//! The reference study's published figures that a reproduction is set
//! against (../shared/reference/four-profiles.md; docs/reproduction.md).

use serde::{Deserialize, Serialize};

/// The report's published figures, in the order incidental, early peak,
/// late peak, persistent: (label, share, mean cases per observed year).
///
/// See the example of [`Published`].
pub const PUBLISHED: [(&str, f64, f64); 4] = [
    ("incidental", 0.36, 0.14),
    ("early_peak", 0.28, 0.55),
    ("late_peak", 0.21, 0.61),
    ("persistent", 0.15, 1.40),
];

/// BIC of the report's four-group model (footnote to its Figure 2.1).
///
/// See the example of [`Published`].
pub const PUBLISHED_BIC: f64 = -12_431.34;

/// Share of all registered cases (ages 12–35) of each profile, in the order
/// of [`PUBLISHED`].
///
/// See the example of [`Published`].
pub const PUBLISHED_CASE_SHARES: [f64; 4] = [0.09, 0.25, 0.26, 0.40];

/// Mean age at the first registered case over all data (a first case after
/// 35 counts too), in the order of [`PUBLISHED`].
///
/// See the example of [`Published`].
pub const PUBLISHED_FIRST_CASE_AGE: [f64; 4] = [23.2, 15.1, 17.2, 14.4];

/// Share whose first registered case came before 18, over all data, in the
/// order of [`PUBLISHED`].
///
/// See the example of [`Published`].
pub const PUBLISHED_FIRST_CASE_UNDER_18: [f64; 4] = [0.29, 0.94, 0.70, 0.95];

/// Registered cases at ages 12–35, all 630 persons.
///
/// See the example of [`Published`].
pub const PUBLISHED_TOTAL_CASES: f64 = 7_196.0;

/// The cases the report added for persons not yet 36 on the reference date
/// (model-based estimate): 7,196 → 7,807.
///
/// See the example of [`Published`].
pub const PUBLISHED_FORECAST_ADDITION: f64 = 611.0;

/// One profile's published figures; see the example of [`Published`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedProfile {
    /// `incidental`, `early_peak`, `late_peak` or `persistent`.
    pub label: String,
    /// Share of the 630 persons.
    pub share: f64,
    /// Mean cases per observed year, ages 12–35.
    pub mean_rate: f64,
    /// Share of all registered cases, ages 12–35.
    pub case_share: f64,
    /// Mean age at the first registered case (all data).
    pub mean_first_case_age: f64,
    /// Share whose first registered case came before 18 (all data).
    pub share_first_case_under_18: f64,
}

/// The report's figures, as `gbtm reproduce --json` prints them beside its own.
///
/// ```
/// use gbtm::study::four_profiles::*;
/// let p = Published::report();
/// assert_eq!(p.bic, PUBLISHED_BIC);
/// assert_eq!(p.profiles[2].label, "late_peak");
/// assert_eq!(p.total_cases + p.forecast_addition, 7807.0);
/// assert_eq!((p.total_cases, p.forecast_addition), (PUBLISHED_TOTAL_CASES, PUBLISHED_FORECAST_ADDITION));
/// // Each profile gathers its row of every table, in the order of PUBLISHED.
/// for (i, q) in p.profiles.iter().enumerate() {
///     assert_eq!((q.label.as_str(), q.share, q.mean_rate), PUBLISHED[i]);
///     assert_eq!(q.case_share, PUBLISHED_CASE_SHARES[i]);
///     assert_eq!(q.mean_first_case_age, PUBLISHED_FIRST_CASE_AGE[i]);
///     assert_eq!(q.share_first_case_under_18, PUBLISHED_FIRST_CASE_UNDER_18[i]);
/// }
/// // The shares of persons and of cases each add up to 100%.
/// assert!((PUBLISHED.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!((PUBLISHED_CASE_SHARES.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// BIC of the four-group model.
    pub bic: f64,
    /// Registered cases, ages 12–35.
    pub total_cases: f64,
    /// Cases added by the forecast for persons not yet 36.
    pub forecast_addition: f64,
    /// The four profiles.
    pub profiles: Vec<PublishedProfile>,
}

impl Published {
    /// The figures of the report. See the example of [`Published`].
    pub fn report() -> Published {
        let profiles = PUBLISHED
            .iter()
            .enumerate()
            .map(|(i, &(label, share, mean_rate))| PublishedProfile {
                label: label.to_string(),
                share,
                mean_rate,
                case_share: PUBLISHED_CASE_SHARES[i],
                mean_first_case_age: PUBLISHED_FIRST_CASE_AGE[i],
                share_first_case_under_18: PUBLISHED_FIRST_CASE_UNDER_18[i],
            })
            .collect();
        Published {
            bic: PUBLISHED_BIC,
            total_cases: PUBLISHED_TOTAL_CASES,
            forecast_addition: PUBLISHED_FORECAST_ADDITION,
            profiles,
        }
    }
}
