//! Built-in scenarios, among them `four-profiles`: a cohort calibrated to the
//! published figures of the reference study (630 offenders of domestic sexual
//! exploitation, ages 12–35; see docs/reproduction.md for which values come
//! from the report and which are assumptions).

use super::scenario::{Censoring, Curve, GroupSpec, Scenario};
use crate::error::{Error, Result};

/// Names accepted by [`Scenario::builtin`].
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
pub const FOUR_PROFILE_MEANS: [f64; 4] = [0.14, 0.55, 0.61, 1.40];
/// Published group sizes (of 630, rounded to multiples of 5).
pub const FOUR_PROFILE_SIZES: [usize; 4] = [225, 175, 135, 95];

/// Gamma frailty shape within the groups of the benchmarking scenarios
/// (variance 0.5: overdispersion of the order seen in registered offending).
const FRAILTY_SHAPE: f64 = 2.0;

/// A group of the four-profiles scenario: no frailty. With 630 persons even
/// mild frailty (shape 40, variance 0.025) makes BIC choose 5 or 6 groups for
/// some seeds; see docs/reproduction.md.
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

/// Censoring of the other groups: 53.4% aged 36+, so that 45% of all 630
/// are; the under-36s' ages a normal (34.3, 4.9) truncated to [20, 36), so
/// that with the early peakers the under-36s average 30.9 (sd 3.4). The
/// youngest possible age, 20, is an assumption (everyone had a registered
/// trafficking case by 2017).
fn other_censoring() -> Censoring {
    Censoring {
        complete_share: 0.534,
        mean: 34.3,
        sd: 4.9,
        min: 20.0,
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
                      cases per observed year 0.14/0.55/0.61/1.40, peaks at 15–22 (early) and \
                      22–33 (late), censoring at the reference date. Curve shapes between the \
                      stated points and the overdispersion are assumptions."
                .to_string(),
        ages: (12, 35),
        persons,
        groups: vec![
            group(
                "incidental",
                sizes[0],
                &[
                    (12.0, 0.03),
                    (16.0, 0.07),
                    (20.0, 0.13),
                    (25.0, 0.17),
                    (30.0, 0.17),
                    (35.0, 0.13),
                ],
                None,
            ),
            group(
                "early_peak",
                sizes[1],
                &[
                    (12.0, 0.30),
                    (15.0, 0.95),
                    (18.0, 1.25),
                    (21.0, 1.05),
                    (24.0, 0.50),
                    (27.0, 0.17),
                    (30.0, 0.08),
                    (35.0, 0.05),
                ],
                Some(early_censoring()),
            ),
            group(
                "late_peak",
                sizes[2],
                &[
                    (12.0, 0.04),
                    (16.0, 0.12),
                    (19.0, 0.30),
                    (22.0, 0.65),
                    (25.0, 0.95),
                    (29.0, 1.05),
                    (33.0, 0.95),
                    (35.0, 0.75),
                ],
                None,
            ),
            group(
                "persistent",
                sizes[3],
                &[
                    (12.0, 0.65),
                    (15.0, 1.45),
                    (18.0, 1.75),
                    (22.0, 1.70),
                    (28.0, 1.45),
                    (33.0, 1.20),
                    (35.0, 1.05),
                ],
                None,
            ),
        ],
        censoring: other_censoring(),
        careers: None,
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
