//! Built-in scenarios, among them `four-profiles`: a cohort calibrated to the
//! published figures of the reference study (630 offenders of domestic sexual
//! exploitation, ages 12–35; see docs/reproduction.md for which values come
//! from the report and which are assumptions).

use super::scenario::{Careers, Censoring, Curve, GroupSpec, IndexCase, Scenario};
use crate::error::{Error, Result};

/// Names accepted by [`Scenario::builtin`]; its example checks each.
pub const BUILTIN: &[&str] = &[
    "four-profiles",
    "four-profiles-10k",
    "four-profiles-100k",
    "four-profiles-1m",
    "two-groups",
    "six-groups",
];

/// Published mean cases per observed year, ages 12–35: incidental, early
/// peak, late peak, persistent.
///
/// The scenario `four-profiles` against the published figures it is
/// calibrated to:
///
/// ```
/// use gbtm::synth::builtin::*;
/// use gbtm::synth::scenario::Scenario;
/// let s = Scenario::builtin("four-profiles")?;
/// assert_eq!(FOUR_PROFILE_SIZES.iter().sum::<usize>(), s.persons);
/// for (g, spec) in s.groups.iter().enumerate() {
///     assert!((s.expected_mean_rate(g) - FOUR_PROFILE_MEANS[g]).abs() < 1e-9);
///     assert!((spec.share * 630.0 - FOUR_PROFILE_SIZES[g] as f64).abs() < 1e-9);
///     assert_eq!(spec.year_frailty_shape, Some(FOUR_PROFILE_YEAR_SHAPE));
/// }
/// // Complete to 36: incidental, late peak and persistent offenders.
/// let complete = |g: usize| s.groups[g].censoring.as_ref().unwrap().complete_share;
/// assert_eq!([complete(0), complete(2), complete(3)], FOUR_PROFILE_COMPLETE_SHARES);
/// # Ok::<(), gbtm::Error>(())
/// ```
pub const FOUR_PROFILE_MEANS: [f64; 4] = [0.14, 0.55, 0.61, 1.40];
/// Published group sizes (of 630, rounded to multiples of 5). See the
/// example of [`FOUR_PROFILE_MEANS`].
pub const FOUR_PROFILE_SIZES: [usize; 4] = [225, 175, 135, 95];

/// Gamma frailty shape within the groups of the benchmarking scenarios
/// (variance 0.5: overdispersion of the order seen in registered offending).
const FRAILTY_SHAPE: f64 = 2.0;

/// Gamma shape of the person-year overdispersion within the four profiles:
/// each person-year's count is negative binomial around the group curve,
/// variance μ + μ²/2. It lowers the likelihood as registered cases do
/// without the persistent differences between persons that BIC turns into
/// extra groups; see docs/reproduction.md for why 2 and not smaller.
/// See the example of [`FOUR_PROFILE_MEANS`].
pub const FOUR_PROFILE_YEAR_SHAPE: f64 = 2.0;

/// A group with a tabulated curve and no overdispersion.
fn group(label: &str, share: f64, knots: &[(f64, f64)], censoring: Option<Censoring>) -> GroupSpec {
    GroupSpec {
        label: label.to_string(),
        share,
        rate: Curve::Table(knots.to_vec()),
        zero_inflation: 0.0,
        frailty_shape: None,
        year_frailty_shape: None,
        censoring,
    }
}

/// A group of the four-profiles scenario: person-year overdispersion, no
/// person-level frailty (with 630 persons even mild frailty makes BIC
/// choose 5 or 6 groups for some seeds; see docs/reproduction.md).
fn profile(label: &str, share: f64, knots: &[(f64, f64)], censoring: Censoring) -> GroupSpec {
    GroupSpec {
        year_frailty_shape: Some(FOUR_PROFILE_YEAR_SHAPE),
        ..group(label, share, knots, Some(censoring))
    }
}

/// Censoring of the early peakers: only 23% had reached 36, and they are
/// younger: median age 31.9 over the whole group. With 77% under 36 the
/// median is the 65th percentile of their ages; a normal (31.5, 4.9)
/// truncated to [20, 36) puts it at 31.9.
fn early_censoring() -> Censoring {
    Censoring {
        complete_share: 0.23,
        mean: 31.5,
        sd: 4.9,
        min: 20.0,
    }
}

/// Censoring of a group other than the early peakers, with `complete_share`
/// aged 36+; the under-36s' ages a normal (34.3, 4.9) truncated to [20, 36),
/// so that with the early peakers the under-36s average 30.9 (sd 3.4). The
/// youngest possible age, 20, is an assumption (everyone had a registered
/// trafficking case by 2017).
fn censoring(complete_share: f64) -> Censoring {
    Censoring {
        complete_share,
        mean: 34.3,
        sd: 4.9,
        min: 20.0,
    }
}

/// The benchmarking scenarios' censoring: 53.4% aged 36+ (what the groups
/// other than the early peakers would need for 45% overall if they were
/// alike).
fn other_censoring() -> Censoring {
    censoring(0.534)
}

/// Shares aged 36+ of the incidental, late-peak and persistent groups. The
/// report gives 45% overall and 23% for the early peakers only; the split
/// of the rest follows from the published case shares and mean rates,
/// which imply observed years per person (cases / (persons × mean rate)):
/// incidental 20.6, late peak 22.7, persistent 21.6 (docs/reproduction.md).
/// With 45% overall: 44%, 70% and 53%.
/// See the example of [`FOUR_PROFILE_MEANS`].
pub const FOUR_PROFILE_COMPLETE_SHARES: [f64; 3] = [0.44, 0.70, 0.53];

/// The careers past 35 and the index case. The age at the reference date
/// of the 45% aged 36+: a normal (−10.2, 25) truncated to [36, 100), whose
/// mean 45.8 and sd 8.8 are what the published whole-sample age 37.6 (sd
/// 9.8) leaves for them beside the under-36s' 30.9 (sd 3.4). The index
/// case: everyone had a trafficking case registered 2008–2017, 13.5 to 3.5
/// years before the reference date of 2 July 2021.
fn four_profile_careers() -> Careers {
    Careers {
        mean: -10.2,
        sd: 25.0,
        max: 100.0,
        index_case: Some(IndexCase {
            earliest: 13.5,
            latest: 3.5,
        }),
    }
}

fn four_profiles(persons: usize, name: &str) -> Result<Scenario> {
    let n = 630.0;
    let sizes = FOUR_PROFILE_SIZES.map(|s| s as f64 / n);
    let shapes = Scenario {
        name: name.to_string(),
        description:
            "Four offending profiles calibrated to the published figures of the reference \
                      study (see docs/reproduction.md): group sizes 225/175/135/95 of 630, mean \
                      cases per observed year 0.14/0.55/0.61/1.40 (index cases included), \
                      peaks at 15–22 (early) and 22–33 (late), first cases and case shares, \
                      censoring at the reference date, careers past 35 and the index case \
                      that selected everyone. Curve shapes between the stated points and the \
                      overdispersion (negative binomial person-years, shape 2) are assumptions."
                .to_string(),
        ages: (12, 35),
        persons,
        groups: vec![
            profile(
                "incidental",
                sizes[0],
                &[
                    (12.0, 0.03),
                    (16.0, 0.07),
                    (20.0, 0.13),
                    (25.0, 0.17),
                    (29.0, 0.15),
                    (35.0, 0.09),
                ],
                censoring(FOUR_PROFILE_COMPLETE_SHARES[0]),
            ),
            profile(
                "early_peak",
                sizes[1],
                &[
                    (12.0, 0.10),
                    (14.0, 0.30),
                    (16.0, 0.80),
                    (18.0, 1.25),
                    (21.0, 1.05),
                    (24.0, 0.50),
                    (27.0, 0.17),
                    (30.0, 0.06),
                    (35.0, 0.03),
                ],
                early_censoring(),
            ),
            profile(
                "late_peak",
                sizes[2],
                &[
                    (12.0, 0.04),
                    (14.0, 0.12),
                    (16.0, 0.32),
                    (17.0, 0.42),
                    (19.0, 0.45),
                    (22.0, 0.95),
                    (25.0, 1.20),
                    (28.0, 1.00),
                    (31.0, 0.65),
                    (35.0, 0.35),
                ],
                censoring(FOUR_PROFILE_COMPLETE_SHARES[1]),
            ),
            profile(
                "persistent",
                sizes[3],
                &[
                    (12.0, 0.15),
                    (14.0, 0.50),
                    (16.0, 1.20),
                    (18.0, 2.00),
                    (22.0, 2.00),
                    (27.0, 1.60),
                    (31.0, 1.10),
                    (35.0, 0.70),
                ],
                censoring(FOUR_PROFILE_COMPLETE_SHARES[2]),
            ),
        ],
        // Every group has its own; this one is not used.
        censoring: other_censoring(),
        careers: Some(four_profile_careers()),
    };
    shapes.calibrated(&FOUR_PROFILE_MEANS)
}

fn plain(label: &str, share: f64, knots: &[(f64, f64)]) -> GroupSpec {
    GroupSpec {
        frailty_shape: Some(FRAILTY_SHAPE),
        ..group(label, share, knots, None)
    }
}

impl Scenario {
    /// A built-in scenario by name (see [`BUILTIN`]).
    ///
    /// ```
    /// use gbtm::synth::scenario::Scenario;
    /// let s = Scenario::builtin("four-profiles").unwrap();
    /// assert_eq!(s.persons, 630);
    /// // Calibrated: the expected mean count per observed year of each group.
    /// assert!((s.expected_mean_rate(3) - 1.40).abs() < 1e-9);
    /// assert!(Scenario::builtin("nine-groups").is_err());
    /// // Every name of BUILTIN is one.
    /// use gbtm::synth::builtin::BUILTIN;
    /// assert!(BUILTIN.contains(&"four-profiles"));
    /// assert!(BUILTIN.iter().all(|name| Scenario::builtin(name).is_ok_and(|s| s.name == *name)));
    /// ```
    pub fn builtin(name: &str) -> Result<Scenario> {
        let s = match name {
            "four-profiles" => four_profiles(630, name)?,
            "four-profiles-10k" => four_profiles(10_000, name)?,
            "four-profiles-100k" => four_profiles(100_000, name)?,
            "four-profiles-1m" => four_profiles(1_000_000, name)?,
            "two-groups" => Scenario {
                name: name.into(),
                description: "A low and a high group, for benchmarking.".into(),
                ages: (12, 35),
                persons: 10_000,
                groups: vec![
                    plain("low", 0.7, &[(12.0, 0.05), (20.0, 0.2), (35.0, 0.1)]),
                    plain("high", 0.3, &[(12.0, 0.5), (18.0, 1.8), (35.0, 0.8)]),
                ],
                censoring: other_censoring(),
                careers: None,
            },
            "six-groups" => Scenario {
                name: name.into(),
                description: "Six distinct shapes, for benchmarking larger K.".into(),
                ages: (12, 35),
                persons: 10_000,
                groups: vec![
                    plain(
                        "very_low",
                        0.30,
                        &[(12.0, 0.02), (25.0, 0.06), (35.0, 0.04)],
                    ),
                    plain(
                        "low_adult",
                        0.20,
                        &[(12.0, 0.05), (25.0, 0.3), (35.0, 0.25)],
                    ),
                    plain(
                        "adolescent",
                        0.18,
                        &[(12.0, 0.4), (16.0, 1.4), (22.0, 0.3), (35.0, 0.05)],
                    ),
                    plain(
                        "young_adult",
                        0.14,
                        &[(12.0, 0.1), (20.0, 1.3), (26.0, 1.0), (35.0, 0.2)],
                    ),
                    plain(
                        "late_onset",
                        0.10,
                        &[(12.0, 0.05), (22.0, 0.3), (30.0, 1.4), (35.0, 1.2)],
                    ),
                    plain(
                        "chronic",
                        0.08,
                        &[(12.0, 1.2), (18.0, 3.0), (28.0, 2.5), (35.0, 2.0)],
                    ),
                ],
                censoring: other_censoring(),
                careers: None,
            },
            other => {
                return Err(Error::param(
                    "scenario",
                    format!(
                        "no scenario file or built-in scenario {other:?}; built-in: {}, and the teaching cohorts {}",
                        BUILTIN.join(", "),
                        super::TEACHING.join(", ")
                    ),
                ));
            }
        };
        Ok(s)
    }
}
