//! What a scenario leads one to expect, for calibrating its curves: which
//! ages are observed, the index cases that fall in the window, the expected
//! mean count per observed year, and the rescaling that hits a target.

use super::scenario::{Censoring, Scenario};
use crate::error::{Error, Result};

/// Standard normal distribution function.
fn phi(x: f64) -> f64 {
    0.5 * (1.0 + statrs::function::erf::erf(x / std::f64::consts::SQRT_2))
}

/// E f(A) for A normal (`mean`, `sd`) truncated to `[lo, hi)`, by the
/// midpoint rule on 4000 cells weighted by their probability.
fn truncated_expectation(mean: f64, sd: f64, lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    const CELLS: usize = 4000;
    let cdf = |x: f64| phi((x - mean) / sd);
    let total = cdf(hi) - cdf(lo);
    if total <= 0.0 {
        return f(mean.clamp(lo, hi));
    }
    let width = (hi - lo) / CELLS as f64;
    (0..CELLS)
        .map(|j| {
            let (a, b) = (lo + j as f64 * width, lo + (j + 1) as f64 * width);
            (cdf(b) - cdf(a)) * f(0.5 * (a + b))
        })
        .sum::<f64>()
        / total
}

impl Scenario {
    /// Probability that age `a` is observed under censoring `c`.
    ///
    /// ```
    /// use gbtm::synth::scenario::Scenario;
    /// let s = Scenario::builtin("four-profiles").unwrap();
    /// // Everyone is observed at 12; at 35 only those aged 36 or more.
    /// assert!((s.observed_probability(&s.censoring, 12) - 1.0).abs() < 1e-12);
    /// assert!((s.observed_probability(&s.censoring, 35) - s.censoring.complete_share).abs() < 1e-12);
    /// ```
    pub fn observed_probability(&self, c: &Censoring, age: i64) -> f64 {
        let hi = self.ages.1 as f64 + 1.0;
        let cdf = |x: f64| phi((x - c.mean) / c.sd);
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

    /// The range `[from, to)` of ages of the index case of a person aged
    /// `age_at_reference` at the reference date (`None` without an index
    /// case or when the range is empty).
    pub(crate) fn index_range(&self, age_at_reference: f64) -> Option<(f64, f64)> {
        let ix = self.careers.as_ref()?.index_case.as_ref()?;
        let from = (self.ages.0 as f64).max(age_at_reference - ix.earliest);
        let to = age_at_reference - ix.latest;
        (to > from).then_some((from, to))
    }

    /// Expected index cases per person of group `g` that fall in an observed
    /// year of the window (0 without [`super::scenario::IndexCase`]).
    ///
    /// ```
    /// use gbtm::synth::scenario::Scenario;
    /// let s = Scenario::builtin("two-groups").unwrap();
    /// assert_eq!(s.expected_index_cases(0), 0.0);
    /// ```
    pub fn expected_index_cases(&self, g: usize) -> f64 {
        let Some(k) = &self.careers else {
            return 0.0;
        };
        if k.index_case.is_none() {
            return 0.0;
        }
        let hi = self.ages.1 as f64;
        // Share of the index-case range that lies in an observed year: years
        // up to the last one lived whole before the reference date.
        let observed = |a: f64| {
            self.index_range(a).map_or(0.0, |(from, to)| {
                let last = (a - 1.0).floor().min(hi);
                ((to.min(last + 1.0) - from) / (to - from)).clamp(0.0, 1.0)
            })
        };
        let c = self.groups[g].censoring.as_ref().unwrap_or(&self.censoring);
        let end = hi + 1.0;
        let censored = if c.min >= end {
            0.0
        } else {
            1.0 - c.complete_share
        };
        censored * truncated_expectation(c.mean, c.sd, c.min, end, observed)
            + (1.0 - censored) * truncated_expectation(k.mean, k.sd, end, k.max, observed)
    }

    /// The expected count at `age` of a person of group `g` observed at that
    /// age: the curve's, times 1 − ω, plus the chance that the index case
    /// falls in that year (what a fitted curve estimates).
    ///
    /// ```
    /// use gbtm::synth::scenario::Scenario;
    /// let s = Scenario::builtin("four-profiles").unwrap();
    /// // At 30 the index cases of those aged about 34 to 44 add to the curve.
    /// assert!(s.expected_observed_rate(0, 30) > s.groups[0].rate.rate(30.0));
    /// let t = Scenario::builtin("two-groups").unwrap();
    /// assert_eq!(t.expected_observed_rate(0, 30), t.groups[0].rate.rate(30.0));
    /// ```
    pub fn expected_observed_rate(&self, g: usize, age: i64) -> f64 {
        let spec = &self.groups[g];
        let curve = (1.0 - spec.zero_inflation) * spec.rate.rate(age as f64);
        let Some(k) = self.careers.as_ref().filter(|k| k.index_case.is_some()) else {
            return curve;
        };
        let a = age as f64;
        let in_year = |at: f64| {
            // Observed at `age` (a + 1 ≤ A) and the index case in [a, a + 1).
            if a + 1.0 > at {
                return 0.0;
            }
            self.index_range(at).map_or(0.0, |(from, to)| {
                ((a + 1.0).min(to) - a.max(from)).max(0.0) / (to - from)
            })
        };
        let c = spec.censoring.as_ref().unwrap_or(&self.censoring);
        let end = self.ages.1 as f64 + 1.0;
        let censored = if c.min >= end {
            0.0
        } else {
            1.0 - c.complete_share
        };
        let index = censored * truncated_expectation(c.mean, c.sd, c.min, end, in_year)
            + (1.0 - censored) * truncated_expectation(k.mean, k.sd, end, k.max, in_year);
        curve + index / self.observed_probability(c, age)
    }

    /// The expected mean count per observed person-year of group `g` over
    /// the window (total expected cases / expected observed years), index
    /// cases included. See the example of [`FOUR_PROFILE_MEANS`](super::builtin::FOUR_PROFILE_MEANS).
    pub fn expected_mean_rate(&self, g: usize) -> f64 {
        let (num, den) = self.curve_cases_and_years(g);
        (num + self.expected_index_cases(g)) / den
    }

    /// Expected cases from the curve and expected observed years, per person
    /// of group `g`.
    fn curve_cases_and_years(&self, g: usize) -> (f64, f64) {
        let spec = &self.groups[g];
        let c = spec.censoring.as_ref().unwrap_or(&self.censoring);
        let (mut num, mut den) = (0.0, 0.0);
        for a in self.ages.0..=self.ages.1 {
            let p = self.observed_probability(c, a);
            num += p * (1.0 - spec.zero_inflation) * spec.rate.rate(a as f64);
            den += p;
        }
        (num, den)
    }

    /// Rescales each group's curve so that its expected mean count per
    /// observed year, index cases included, equals `targets[g]`.
    ///
    /// ```
    /// use gbtm::synth::scenario::Scenario;
    /// let s = Scenario::builtin("two-groups").unwrap().calibrated(&[0.1, 1.0]).unwrap();
    /// assert!((s.expected_mean_rate(1) - 1.0).abs() < 1e-12);
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario` when a group's index
    /// cases alone reach its target, or its curve has no expected cases.
    pub fn calibrated(mut self, targets: &[f64]) -> Result<Scenario> {
        for (g, &target) in targets.iter().enumerate().take(self.groups.len()) {
            let (num, den) = self.curve_cases_and_years(g);
            let from_curve = target * den - self.expected_index_cases(g);
            if !(from_curve > 0.0 && num > 0.0) {
                return Err(Error::param(
                    "scenario",
                    format!(
                        "{}: group {} cannot reach a mean of {target} a year: its index cases alone give {:.4}",
                        self.name,
                        self.groups[g].label,
                        self.expected_index_cases(g) / den
                    ),
                ));
            }
            self.groups[g].rate = self.groups[g].rate.scaled(from_curve / num);
        }
        Ok(self)
    }
}
