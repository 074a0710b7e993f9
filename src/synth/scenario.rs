//! Scenarios: serde-readable descriptions of synthetic cohorts (JSON), with
//! group sizes, rate curves over age, zero inflation, gamma frailty within
//! groups, and right-censoring by the age at a reference date.
//!
//! A person of group g with age A at the reference date is observed at every
//! age a of the window with a + 1 ≤ A (whole years lived before the reference
//! date); persons old enough are observed throughout. Within the group, each
//! person draws a frailty u ~ Gamma(shape, 1/shape) (mean 1, variance
//! 1/shape) that multiplies the rate at every age, so counts are negative
//! binomial within a group and correlated over a person's years. Each observed
//! count is then a structural zero with probability ω, else Poisson(u·λ_g(a)).

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{Cohort, poisson};
use crate::data::Panel;
use crate::error::{Error, Result};

/// A group's mean yearly rate as a function of age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// `[age, rate]` knots; the log rate is interpolated linearly between
    /// knots and held constant beyond the first and last.
    Table(Vec<(f64, f64)>),
    /// `ln λ = Σ_j c_j·((age − center)/scale)^j`.
    Polynomial {
        /// Centre of the age scaling.
        center: f64,
        /// Scale of the age scaling.
        scale: f64,
        /// Coefficients, constant first.
        coefficients: Vec<f64>,
    },
}

impl Curve {
    /// The rate at `age`.
    ///
    /// ```
    /// use gbtm::synth::scenario::Curve;
    /// let c = Curve::Table(vec![(12.0, 0.1), (14.0, 0.4)]);
    /// assert!((c.rate(13.0) - 0.2).abs() < 1e-12); // geometric mean
    /// assert_eq!(c.rate(40.0), 0.4);
    /// ```
    pub fn rate(&self, age: f64) -> f64 {
        match self {
            Curve::Table(knots) => {
                // An empty table (rejected by `Scenario::validate`) has rate 0.
                let (Some(&first), Some(&last)) = (knots.first(), knots.last()) else {
                    return 0.0;
                };
                if age <= first.0 {
                    return first.1;
                }
                if age >= last.0 {
                    return last.1;
                }
                for w in knots.windows(2) {
                    let ((a0, r0), (a1, r1)) = (w[0], w[1]);
                    if age <= a1 {
                        let f = (age - a0) / (a1 - a0);
                        return (r0.ln() * (1.0 - f) + r1.ln() * f).exp();
                    }
                }
                last.1
            }
            Curve::Polynomial {
                center,
                scale,
                coefficients,
            } => {
                let s = (age - center) / scale;
                coefficients
                    .iter()
                    .rev()
                    .fold(0.0, |acc, c| acc * s + c)
                    .exp()
            }
        }
    }

    fn scaled(&self, factor: f64) -> Curve {
        match self {
            Curve::Table(k) => Curve::Table(k.iter().map(|&(a, r)| (a, r * factor)).collect()),
            Curve::Polynomial {
                center,
                scale,
                coefficients,
            } => {
                let mut c = coefficients.clone();
                c[0] += factor.ln();
                Curve::Polynomial {
                    center: *center,
                    scale: *scale,
                    coefficients: c,
                }
            }
        }
    }
}

/// Right-censoring by the age at the reference date.
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
    /// No censoring: everyone observed throughout.
    pub fn none() -> Censoring {
        Censoring {
            complete_share: 1.0,
            mean: 0.0,
            sd: 1.0,
            min: 0.0,
        }
    }
}

/// One group of a scenario.
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
    /// Gamma frailty shape within the group (variance 1/shape); none if absent.
    #[serde(default)]
    pub frailty_shape: Option<f64>,
    /// Censoring for this group, if it differs from the scenario's.
    #[serde(default)]
    pub censoring: Option<Censoring>,
}

/// The largest yearly rate a scenario may have at an age of its window.
pub const MAX_RATE: f64 = 1e9;

/// A synthetic cohort's description.
///
/// ```
/// use gbtm::synth::scenario::Scenario;
/// let s = Scenario::builtin("four-profiles").unwrap();
/// let c = s.simulate(630, 1).unwrap();
/// assert_eq!(c.truth.len(), c.panel.n_persons() + c.panel.n_dropped());
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

/// Standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Gamma(shape, 1) draw (Marsaglia & Tsang 2000; boosted for shape < 1).
pub(crate) fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.random::<f64>();
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.random::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

impl Scenario {
    /// Checks shares, curves, censoring and ages.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::param("scenario", format!("{}: {m}", self.name)));
        if self.ages.0 > self.ages.1 {
            return bad(format!("age window {:?} is empty", self.ages));
        }
        let (lo, hi) = self.ages;
        if lo < crate::data::MIN_AGE || hi > crate::data::MAX_AGE {
            return bad(format!(
                "age window {lo}..{hi} must lie within {}..={}",
                crate::data::MIN_AGE,
                crate::data::MAX_AGE
            ));
        }
        if self.groups.is_empty() {
            return bad("no groups".into());
        }
        for g in &self.groups {
            if !(g.share.is_finite() && g.share > 0.0) {
                return bad(format!("group {} has share {}", g.label, g.share));
            }
            if !(0.0..1.0).contains(&g.zero_inflation) {
                return bad(format!(
                    "group {}: zero inflation must be in [0, 1)",
                    g.label
                ));
            }
            if let Some(k) = g.frailty_shape
                && !(k.is_finite() && k > 0.0)
            {
                return bad(format!("group {}: frailty shape must be positive", g.label));
            }
            match &g.rate {
                Curve::Table(k)
                    if k.is_empty()
                        || k.iter()
                            .any(|&(a, r)| !(a.is_finite() && r.is_finite() && r > 0.0)) =>
                {
                    return bad(format!(
                        "group {}: table needs knots with positive rates",
                        g.label
                    ));
                }
                Curve::Table(k) if k.windows(2).any(|w| w[0].0 >= w[1].0) => {
                    return bad(format!("group {}: table ages must increase", g.label));
                }
                Curve::Polynomial {
                    scale,
                    coefficients,
                    ..
                } if scale.is_nan() || *scale <= 0.0 || coefficients.is_empty() => {
                    return bad(format!(
                        "group {}: polynomial needs a positive scale and coefficients",
                        g.label
                    ));
                }
                _ => {}
            }
            // Rates must be representable at every age of the window.
            if let Some(a) = (lo..=hi).find(|&a| {
                let r = g.rate.rate(a as f64);
                !(r.is_finite() && r <= MAX_RATE)
            }) {
                return bad(format!(
                    "group {}: the rate at age {a} is {:e}; rates must be finite and at most {MAX_RATE:e} a year",
                    g.label,
                    g.rate.rate(a as f64)
                ));
            }
            let c = g.censoring.as_ref().unwrap_or(&self.censoring);
            if !(c.mean.is_finite() && c.min.is_finite()) {
                return bad(format!(
                    "group {}: censoring mean and min must be finite",
                    g.label
                ));
            }
            if !(0.0..=1.0).contains(&c.complete_share) || c.sd.is_nan() || c.sd <= 0.0 {
                return bad(format!(
                    "group {}: censoring needs complete_share in [0, 1] and sd > 0",
                    g.label
                ));
            }
        }
        Ok(())
    }

    /// Reads a scenario from a JSON file.
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

    /// The scenario as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Probability that age `a` is observed under censoring `c`.
    pub fn observed_probability(&self, c: &Censoring, age: i64) -> f64 {
        let hi = self.ages.1 as f64 + 1.0;
        let cdf = |x: f64| {
            0.5 * (1.0
                + statrs::function::erf::erf((x - c.mean) / (c.sd * std::f64::consts::SQRT_2)))
        };
        let (f_lo, f_hi) = (cdf(c.min), cdf(hi));
        // P(A ≥ a + 1) for A truncated to [min, hi).
        let x = (age as f64 + 1.0).clamp(c.min, hi);
        let p_later = if f_hi > f_lo {
            (f_hi - cdf(x)) / (f_hi - f_lo)
        } else {
            0.0
        };
        c.complete_share + (1.0 - c.complete_share) * p_later
    }

    /// The expected mean count per observed person-year of group `g` over
    /// the window (total expected cases / expected observed years).
    pub fn expected_mean_rate(&self, g: usize) -> f64 {
        let spec = &self.groups[g];
        let c = spec.censoring.as_ref().unwrap_or(&self.censoring);
        let (mut num, mut den) = (0.0, 0.0);
        for a in self.ages.0..=self.ages.1 {
            let p = self.observed_probability(c, a);
            num += p * (1.0 - spec.zero_inflation) * spec.rate.rate(a as f64);
            den += p;
        }
        num / den
    }

    /// Rescales each group's curve so that its expected mean count per
    /// observed year equals `targets[g]`.
    pub fn calibrated(mut self, targets: &[f64]) -> Scenario {
        for (g, &target) in targets.iter().enumerate().take(self.groups.len()) {
            let factor = target / self.expected_mean_rate(g);
            self.groups[g].rate = self.groups[g].rate.scaled(factor);
        }
        self
    }

    /// Draws `persons` persons with the given seed. Group sizes are exact
    /// ([`group_sizes`]); persons are allocated to groups in random order.
    /// The same seed gives the same cohort on every platform (one ChaCha8
    /// stream, draws in a fixed order: the allocation, then per person the
    /// censoring, the frailty, and the years in age order).
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
                // Truncated normal by rejection (bounded number of tries).
                let mut a = c.mean.clamp(c.min, hi - 1e-9);
                for _ in 0..1000 {
                    let x = c.mean + c.sd * normal(&mut rng);
                    if (c.min..hi).contains(&x) {
                        a = x;
                        break;
                    }
                }
                Some(a)
            };
            at_ref.push(age_ref);
            let frailty = spec.frailty_shape.map_or(1.0, |k| gamma(&mut rng, k) / k);
            for (s, &age) in ages.iter().enumerate() {
                if let Some(a) = age_ref
                    && age as f64 + 1.0 > a
                {
                    break;
                }
                let structural =
                    spec.zero_inflation > 0.0 && rng.random::<f64>() < spec.zero_inflation;
                let mean = frailty * spec.rate.rate(age as f64);
                counts[[i, s]] = if structural {
                    0.0
                } else {
                    poisson(&mut rng, mean)
                };
            }
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
            model: None,
        })
    }
}
