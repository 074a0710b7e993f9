//! Forecasts of counts at the model ages a person was not observed:
//! expected counts and predictive intervals per year, and totals over the
//! unobserved years before the person's last observed age (imputed) and
//! after it (future).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::classify::PersonStatus;
use crate::data::Panel;
use crate::diagnostics::assign;
use crate::error::{Error, Result};
use crate::model::TrajectoryModel;

/// Forecast for one unobserved age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct YearForecast {
    /// Age.
    pub age: i64,
    /// Whether the age lies before the person's last observed age (an
    /// unobserved year in the past, imputed) rather than after it.
    pub imputed: bool,
    /// E[y_t | observed history] = Σ_k P(k | history)·(1 − ω_kt)·λ_kt.
    pub expected: f64,
    /// Lower end of the predictive interval (a count).
    pub lower: u32,
    /// Upper end of the predictive interval (a count).
    pub upper: u32,
}

/// Forecast of the total over a set of ages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TotalForecast {
    /// Exactly the ages summed.
    pub ages: Vec<i64>,
    /// Expected total.
    pub expected: f64,
    /// Lower end of the predictive interval of the total.
    pub lower: u32,
    /// Upper end of the predictive interval of the total.
    pub upper: u32,
}

/// One person's forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PersonForecast {
    /// Person id.
    pub id: String,
    /// Whether the person had data to classify by.
    pub status: PersonStatus,
    /// Posterior group probabilities given the observed years.
    pub posteriors: Vec<f64>,
    /// Assigned group, numbered from 1 (maximum posterior).
    pub group: usize,
    /// Sum of the observed counts.
    pub observed_total: f64,
    /// One entry per model age the person was not observed at.
    pub years: Vec<YearForecast>,
    /// Unobserved years before the last observed one.
    pub imputed: TotalForecast,
    /// Years after the last observed one (every model age for a person
    /// with no observed year).
    pub future: TotalForecast,
    /// Both together.
    pub total: TotalForecast,
}

/// Probabilities below this are cut off the tails of predictive distributions.
const TAIL: f64 = 1e-12;

/// Predictive pmf of one ZIP (ω = 0: Poisson) count, truncated where the
/// upper tail falls below [`TAIL`].
fn zip_pmf(lambda: f64, omega: f64) -> Vec<f64> {
    let top = (lambda + 12.0 * lambda.sqrt() + 12.0).ceil() as usize;
    let mut pmf = Vec::with_capacity(top + 1);
    let mut p = (-lambda).exp();
    let mut cdf = 0.0;
    for y in 0..=top {
        if y > 0 {
            p *= lambda / y as f64;
        }
        pmf.push((1.0 - omega) * p);
        cdf += p;
        if y as f64 > lambda && 1.0 - cdf < TAIL {
            break;
        }
    }
    pmf[0] += omega;
    pmf
}

fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        if *x == 0.0 {
            continue;
        }
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    // Trim the negligible upper tail.
    while out.len() > 1 && out[out.len() - 1] < TAIL * 1e-3 {
        out.pop();
    }
    out
}

/// Quantile interval `[q(α), q(1 − α)]` of a mixture of pmfs.
fn interval(pmfs: &[Vec<f64>], weights: &[f64], level: f64) -> (u32, u32) {
    let len = pmfs.iter().map(Vec::len).max().unwrap_or(1);
    let alpha = (1.0 - level) / 2.0;
    let (mut lo, mut hi) = (None, None);
    let mut cdf = 0.0;
    for y in 0..len {
        cdf += pmfs
            .iter()
            .zip(weights)
            .map(|(p, w)| w * p.get(y).copied().unwrap_or(0.0))
            .sum::<f64>();
        if lo.is_none() && cdf >= alpha {
            lo = Some(y as u32);
        }
        if hi.is_none() && cdf >= 1.0 - alpha {
            hi = Some(y as u32);
            break;
        }
    }
    let last = (len - 1) as u32;
    (lo.unwrap_or(last), hi.unwrap_or(last))
}

impl TrajectoryModel {
    /// Forecasts, for every input person of `panel` (in input order), the
    /// count at each model age the person was not observed at, at exposure
    /// 1, with `level` predictive intervals (0.9 for 90%) from the mixture of
    /// the groups' predictive distributions weighted by the person's
    /// posteriors; and the same for the totals over the imputed years, the
    /// future years, and both.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm, Panel};
    /// let cohort = synth::three_groups(400, 3);
    /// let fit = Gbtm::poisson(3).starts(2).fit(&cohort.panel)?;
    /// // Persons observed to age 20 only.
    /// let young = cohort.panel.window(12, 20)?;
    /// let f = fit.model().forecast(&young, 0.9)?;
    /// let first = f.iter().find(|p| p.imputed.ages.is_empty()).unwrap();
    /// assert_eq!(first.future.ages, (21..=35).collect::<Vec<i64>>());
    /// assert!(first.total.lower as f64 <= first.total.expected);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `level` unless 0 < level < 1, and
    /// the errors of [`TrajectoryModel::check_panel`].
    pub fn forecast(&self, panel: &Panel, level: f64) -> Result<Vec<PersonForecast>> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::param("level", format!("{level} is not in (0, 1)")));
        }
        let ip = self.input_posteriors(panel)?;
        let groups = assign(&ip.post);
        let rates = self.rates();
        let zi = self.zero_inflation();
        let k = self.groups();
        let ages = self.ages();
        let omega = |g: usize, t: usize| zi.as_ref().map_or(0.0, |z| z[[g, t]]);
        // pmf per group and model age; totals are cached per set of ages.
        let year_pmf: Vec<Vec<Vec<f64>>> = (0..k)
            .map(|g| {
                (0..ages.len())
                    .map(|t| zip_pmf(rates[[g, t]], omega(g, t)))
                    .collect()
            })
            .collect();
        let mut cache: HashMap<Vec<usize>, Vec<Vec<f64>>> = HashMap::new();
        let mut total_of = |todo: &[usize], w: &[f64]| -> TotalForecast {
            let pmfs = cache.entry(todo.to_vec()).or_insert_with(|| {
                (0..k)
                    .map(|g| {
                        todo.iter()
                            .fold(vec![1.0], |acc, &t| convolve(&acc, &year_pmf[g][t]))
                    })
                    .collect()
            });
            let (lower, upper) = interval(pmfs, w, level);
            TotalForecast {
                ages: todo.iter().map(|&t| ages[t]).collect(),
                expected: todo
                    .iter()
                    .map(|&t| {
                        (0..k)
                            .map(|g| w[g] * (1.0 - omega(g, t)) * rates[[g, t]])
                            .sum::<f64>()
                    })
                    .sum(),
                lower,
                upper,
            }
        };
        let observed = panel.observed();
        let counts = panel.counts();
        let mut out = Vec::with_capacity(ip.row.len());
        for (i, id) in panel.input_ids().iter().enumerate() {
            let w: Vec<f64> = ip.post.row(i).to_vec();
            let seen: Vec<i64> = match ip.row[i] {
                Some(r) => panel
                    .ages()
                    .iter()
                    .enumerate()
                    .filter(|(t, _)| observed[[r, *t]])
                    .map(|(_, a)| *a)
                    .collect(),
                None => Vec::new(),
            };
            let last_seen = seen.last().copied().unwrap_or(i64::MIN);
            let todo: Vec<usize> = (0..ages.len())
                .filter(|&t| !seen.contains(&ages[t]))
                .collect();
            let (imputed, future): (Vec<usize>, Vec<usize>) =
                todo.iter().partition(|&&t| ages[t] < last_seen);
            let years = todo
                .iter()
                .map(|&t| {
                    let pmfs: Vec<Vec<f64>> = (0..k).map(|g| year_pmf[g][t].clone()).collect();
                    let (lower, upper) = interval(&pmfs, &w, level);
                    YearForecast {
                        age: ages[t],
                        imputed: ages[t] < last_seen,
                        expected: (0..k)
                            .map(|g| w[g] * (1.0 - omega(g, t)) * rates[[g, t]])
                            .sum(),
                        lower,
                        upper,
                    }
                })
                .collect::<Vec<_>>();
            let observed_total = match ip.row[i] {
                Some(r) => (0..panel.ages().len())
                    .filter(|&t| observed[[r, t]])
                    .map(|t| counts[[r, t]])
                    .sum(),
                None => 0.0,
            };
            out.push(PersonForecast {
                id: id.clone(),
                status: ip.status[i],
                group: groups[i] + 1,
                observed_total,
                years,
                imputed: total_of(&imputed, &w),
                future: total_of(&future, &w),
                total: total_of(&todo, &w),
                posteriors: w,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_pmf_sums_to_one_and_has_the_right_mean() {
        for (l, w) in [(0.1, 0.0), (2.5, 0.3), (40.0, 0.1)] {
            let p = zip_pmf(l, w);
            let total: f64 = p.iter().sum();
            let mean: f64 = p.iter().enumerate().map(|(y, q)| y as f64 * q).sum();
            assert!((total - 1.0).abs() < 1e-10, "{l} {w}: {total}");
            assert!((mean - (1.0 - w) * l).abs() < 1e-8, "{l} {w}: {mean}");
        }
    }

    #[test]
    fn convolution_of_poissons_is_poisson() {
        let a = zip_pmf(1.5, 0.0);
        let b = zip_pmf(2.0, 0.0);
        let c = convolve(&a, &b);
        let d = zip_pmf(3.5, 0.0);
        for y in 0..20 {
            assert!((c[y] - d[y]).abs() < 1e-12);
        }
    }

    #[test]
    fn interval_of_a_point_mass_and_of_a_mixture() {
        assert_eq!(interval(&[vec![0.0, 0.0, 1.0]], &[1.0], 0.9), (2, 2));
        // Half at 0, half at 10: the 5% quantile is 0, the 95% is 10.
        let mut far = vec![0.0; 11];
        far[10] = 1.0;
        assert_eq!(interval(&[vec![1.0], far], &[0.5, 0.5], 0.9), (0, 10));
    }
}
