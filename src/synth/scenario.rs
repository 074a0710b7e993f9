//! Scenarios: serde-readable descriptions of synthetic cohorts (JSON), with
//! group sizes, rate curves over age, zero inflation, two kinds of gamma
//! overdispersion within groups, right-censoring by the age at a reference
//! date, and optionally careers followed past the window.
//!
//! A person of group g with age A at the reference date is observed at every
//! age a of the window with a + 1 ≤ A (whole years lived before the reference
//! date); persons old enough are observed throughout. Within the group, each
//! person draws a frailty u ~ Gamma(shape, 1/shape) (mean 1, variance
//! 1/shape) that multiplies the rate at every age: persistent differences
//! between persons, correlated over a person's years. Each person-year draws
//! its own multiplier v ~ Gamma(k, 1/k) (mean 1, variance 1/k): independent
//! noise around the curve, so that given u the count is negative binomial
//! with mean u·λ_g(a) and variance u·λ_g(a) + (u·λ_g(a))²/k. Each observed
//! count is then a structural zero with probability ω, else
//! Poisson(u·v·λ_g(a)).
//!
//! With [`Careers`], a person observed throughout the window who had no case
//! in it is followed past it, year by year up to an age at the reference date
//! drawn for the purpose, until a first case: the age of each person's first
//! registered case over all observed ages ([`Cohort::first_case_age`]), as a
//! study that counts cases after the window too would see it. With an
//! [`IndexCase`], every person also has the case that selected them into the
//! sample, at an age in a period before the reference date. The panel keeps
//! the window only.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

pub use super::curve::Curve;
use super::draws::{truncated_normal, unit_gamma};
use super::{Cohort, poisson};
use crate::data::Panel;
use crate::error::{Error, Result};

/// Right-censoring by the age at the reference date; see the example of
/// [`Scenario`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Censoring {
    /// Share of persons old enough to be observed at every age of the window.
    pub complete_share: f64,
    /// Mean of the age at the reference date of the others (a normal
    /// distribution truncated to `[min, oldest age + 1)`).
    pub mean: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// Youngest possible age at the reference date.
    pub min: f64,
}

impl Censoring {
    /// No censoring: everyone observed throughout. See the example of
    /// [`Scenario`].
    pub fn none() -> Censoring {
        Censoring {
            complete_share: 1.0,
            mean: 0.0,
            sd: 1.0,
            min: 0.0,
        }
    }
}

/// One group of a scenario; see the example of [`Scenario`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSpec {
    /// A name (`incidental`, `early_peak`, …).
    pub label: String,
    /// Share of persons (shares are normalised to sum to 1).
    pub share: f64,
    /// Mean yearly rate by age (the mean over persons: frailty has mean 1).
    pub rate: Curve,
    /// Probability that an observed year is a structural zero.
    #[serde(default)]
    pub zero_inflation: f64,
    /// Gamma frailty shape within the group: one multiplier per person, the
    /// same at every age (variance 1/shape); none if absent.
    #[serde(default)]
    pub frailty_shape: Option<f64>,
    /// Gamma shape k of person-year overdispersion: an independent multiplier
    /// per person and year (mean 1, variance 1/k), so that counts around the
    /// group curve are negative binomial with variance μ + μ²/k; none if
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_frailty_shape: Option<f64>,
    /// Censoring for this group, if it differs from the scenario's.
    #[serde(default)]
    pub censoring: Option<Censoring>,
}

/// Careers past the window: the age at the reference date of the persons
/// observed throughout the window — a normal (`mean`, `sd`) truncated to
/// `[oldest age + 1, max)` — and optionally the index case that put every
/// person in the sample. A person observed throughout without a case in the
/// window is followed past it, year by year up to that age, until a first
/// case: enough for the age of the first registered case over all observed
/// ages ([`Cohort::first_case_age`]). The panel keeps the window only.
///
/// ```
/// use gbtm::synth::scenario::{Careers, Scenario};
/// let mut s = Scenario::builtin("two-groups").unwrap();
/// s.careers = Some(Careers { mean: 45.0, sd: 9.0, max: 80.0, index_case: None });
/// let c = s.simulate(200, 1).unwrap();
/// // Some persons without a case in 12–35 have one later.
/// assert!(c.first_case_age.iter().flatten().any(|&a| a > 35));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Careers {
    /// Mean of the untruncated normal.
    pub mean: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// The age at the reference date stays below this.
    pub max: f64,
    /// The case that selected each person into the sample; none if absent.
    #[serde(default)]
    pub index_case: Option<IndexCase>,
}

/// The index case: a sample drawn from those with a case registered in a
/// period has one such case per person. Each person has one registered case
/// beside those of the curve, at an age drawn uniformly from `earliest` to
/// `latest` years before the reference date (and not before the window's
/// youngest age). For Poisson counts this is what selecting persons in
/// proportion to their cases in the period gives (the Palm distribution of
/// a Poisson process), with the case spread evenly over the period.
///
/// ```
/// use gbtm::synth::scenario::{Careers, IndexCase, Scenario};
/// let mut s = Scenario::builtin("two-groups").unwrap();
/// let index_case = Some(IndexCase { earliest: 13.5, latest: 3.5 });
/// s.careers = Some(Careers { mean: 45.0, sd: 9.0, max: 80.0, index_case });
/// let c = s.simulate(300, 1).unwrap();
/// // Everyone has a case, and the curves' mean counts now include the index cases.
/// assert!(c.first_case_age.iter().all(Option::is_some));
/// assert!(s.expected_mean_rate(0) > Scenario::builtin("two-groups").unwrap().expected_mean_rate(0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexCase {
    /// Years before the reference date of the earliest possible index case.
    pub earliest: f64,
    /// Years before the reference date of the latest possible index case.
    pub latest: f64,
}

/// The largest yearly rate a scenario may have at an age it draws. See the
/// example of [`Scenario`].
pub const MAX_RATE: f64 = 1e9;

/// A synthetic cohort's description.
///
/// ```
/// use gbtm::synth::scenario::{Censoring, Curve, GroupSpec, Scenario, MAX_RATE};
/// let s = Scenario::builtin("four-profiles")?;
/// let c = s.simulate(630, 1)?;
/// assert_eq!(c.truth.len(), c.panel.n_persons() + c.panel.n_dropped());
/// // A scenario of one's own: two groups, ZIP years in the second, no censoring.
/// let group = |label: &str, share: f64, knots: Vec<(f64, f64)>, zero_inflation: f64| GroupSpec {
///     label: label.into(), share, rate: Curve::Table(knots), zero_inflation,
///     frailty_shape: None, year_frailty_shape: None, censoring: None,
/// };
/// let mine = Scenario {
///     name: "mine".into(), description: String::new(), ages: (12, 30), persons: 200,
///     groups: vec![group("low", 0.7, vec![(12.0, 0.1), (30.0, 0.2)], 0.0),
///                  group("high", 0.3, vec![(12.0, 1.0), (20.0, 2.0), (30.0, 1.0)], 0.3)],
///     censoring: Censoring::none(), careers: None,
/// };
/// let cohort = mine.simulate(200, 7)?;
/// assert_eq!((cohort.panel.n_observations(), cohort.panel.ages().len()), (200 * 19, 19));
/// // Written as JSON and read back unchanged.
/// let path = std::env::temp_dir().join(format!("gbtm-scenario-{}.json", std::process::id()));
/// std::fs::write(&path, mine.to_json()).unwrap();
/// assert_eq!(Scenario::from_json_file(&path)?, mine);
/// # std::fs::remove_file(&path).ok();
/// // A rate above MAX_RATE is refused.
/// let mut absurd = mine.clone();
/// absurd.groups[0].rate = Curve::Table(vec![(12.0, 10.0 * MAX_RATE)]);
/// assert!(absurd.simulate(10, 1).is_err());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// What it is for and where its figures come from.
    #[serde(default)]
    pub description: String,
    /// Youngest and oldest age of the window.
    pub ages: (i64, i64),
    /// Default number of persons.
    pub persons: usize,
    /// The groups.
    pub groups: Vec<GroupSpec>,
    /// Censoring of every group without its own.
    pub censoring: Censoring,
    /// Careers followed past the window (for the first registered case over
    /// all observed ages); none if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub careers: Option<Careers>,
}

/// Group sizes `persons × share`, rounded by largest remainder so that they
/// add up to `persons`.
///
/// ```
/// use gbtm::synth::scenario::group_sizes;
/// assert_eq!(group_sizes(&[225.0 / 630.0, 175.0 / 630.0, 135.0 / 630.0, 95.0 / 630.0], 630), vec![225, 175, 135, 95]);
/// assert_eq!(group_sizes(&[0.5, 0.5], 3).iter().sum::<usize>(), 3);
/// ```
pub fn group_sizes(shares: &[f64], persons: usize) -> Vec<usize> {
    let exact: Vec<f64> = shares.iter().map(|s| s * persons as f64).collect();
    let mut sizes: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = persons.saturating_sub(sizes.iter().sum());
    for &g in by_remainder.iter().cycle().take(missing) {
        sizes[g] += 1;
    }
    sizes
}

impl Scenario {
    /// Reads a scenario from a JSON file (and checks it). See the example
    /// of [`Scenario`].
    pub fn from_json_file(path: &std::path::Path) -> Result<Scenario> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        let s: Scenario =
            serde_json::from_str(&text).map_err(|source| Error::Json { path: name, source })?;
        s.validate()?;
        Ok(s)
    }

    /// The scenario as pretty JSON. See the example of [`Scenario`].
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Draws `persons` persons with the given seed. Group sizes are exact
    /// ([`group_sizes`]); persons are allocated to groups in random order.
    /// The same seed gives the same cohort on every platform (one ChaCha8
    /// stream, draws in a fixed order: the allocation, then per person the
    /// censoring, with [`Careers`] the age at the reference date of a person
    /// observed throughout, the frailty, the index case's age, and the years
    /// in age order, each year its structural zero, its year multiplier and
    /// its count; then, with [`Careers`], for a person observed throughout
    /// without a case, the years past the window). Draws that a
    /// scenario does not use (no zero inflation, no frailty) are not made,
    /// so adding a feature leaves the cohorts of scenarios without it as
    /// they were.
    ///
    /// # Errors
    /// The errors of [`Scenario::validate`]; [`Error::InvalidParameter`]
    /// naming `persons` for zero persons.
    pub fn simulate(&self, persons: usize, seed: u64) -> Result<Cohort> {
        self.validate()?;
        if persons == 0 {
            return Err(Error::param("persons", "at least one person is needed"));
        }
        let ages: Vec<i64> = (self.ages.0..=self.ages.1).collect();
        let total: f64 = self.groups.iter().map(|g| g.share).sum();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let t = ages.len();
        let mut counts = ndarray::Array2::from_elem((persons, t), f64::NAN);
        let mut truth = Vec::with_capacity(persons);
        let mut at_ref = Vec::with_capacity(persons);
        let mut first_case = Vec::with_capacity(persons);
        let hi = self.ages.1 as f64 + 1.0;
        // Exact group sizes (largest remainder), persons in random order.
        let shares: Vec<f64> = self.groups.iter().map(|g| g.share / total).collect();
        let mut order: Vec<usize> = group_sizes(&shares, persons)
            .iter()
            .enumerate()
            .flat_map(|(g, &n)| std::iter::repeat_n(g, n))
            .collect();
        for i in (1..persons).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        for (i, &g) in order.iter().enumerate() {
            truth.push(g);
            let spec = &self.groups[g];
            let c = spec.censoring.as_ref().unwrap_or(&self.censoring);
            // A censoring range that starts after the window (a window
            // narrowed below `min`) leaves everyone observed throughout.
            let age_ref = if rng.random::<f64>() < c.complete_share || c.min >= hi {
                None
            } else {
                Some(truncated_normal(&mut rng, c.mean, c.sd, c.min, hi))
            };
            at_ref.push(age_ref);
            // With careers, the age at the reference date of everyone.
            let age_full = match (age_ref, &self.careers) {
                (Some(a), _) => Some(a),
                (None, Some(k)) => Some(truncated_normal(&mut rng, k.mean, k.sd, hi, k.max)),
                (None, None) => None,
            };
            let frailty = unit_gamma(&mut rng, spec.frailty_shape);
            let index_year = age_full
                .and_then(|a| self.index_range(a))
                .map(|(from, to)| (from + (to - from) * rng.random::<f64>()).floor() as i64);
            let year = |rng: &mut ChaCha8Rng, age: i64| {
                let structural =
                    spec.zero_inflation > 0.0 && rng.random::<f64>() < spec.zero_inflation;
                let index = f64::from(u8::from(index_year == Some(age)));
                if structural {
                    return index;
                }
                let v = unit_gamma(rng, spec.year_frailty_shape);
                index + poisson(rng, frailty * v * spec.rate.rate(age as f64))
            };
            let mut first = None;
            for (s, &age) in ages.iter().enumerate() {
                if let Some(a) = age_ref
                    && age as f64 + 1.0 > a
                {
                    break;
                }
                counts[[i, s]] = year(&mut rng, age);
                if counts[[i, s]] > 0.0 && first.is_none() {
                    first = Some(age);
                }
            }
            if let (None, None, Some(a)) = (first, age_ref, age_full) {
                first = (self.ages.1 + 1..)
                    .take_while(|&age| age as f64 + 1.0 <= a)
                    .find(|&age| year(&mut rng, age) > 0.0);
            }
            first_case.push(first);
        }
        let ids = (1..=persons).map(|i| i.to_string()).collect();
        let panel = Panel::from_arrays_with_ids(
            counts.view(),
            &ages,
            None,
            ids,
            &format!("<scenario {}>", self.name),
        )?;
        Ok(Cohort {
            panel,
            truth,
            age_at_reference: at_ref,
            first_case_age: first_case,
            model: None,
        })
    }
}
