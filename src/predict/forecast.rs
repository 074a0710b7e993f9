//! Forecasts of counts at the model ages a person was not observed:
//! expected counts and predictive intervals per year, and totals over the
//! unobserved years before the person's last observed age (imputed) and
//! after it (future).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::classify::PersonStatus;
use super::dist::{Dist, interval};
use crate::data::Panel;
use crate::diagnostics::assign;
use crate::error::{Error, Result};
use crate::model::TrajectoryModel;

/// Forecast for one unobserved age; see the example of [`PersonForecast`].
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

/// Forecast of the total over a set of ages; see the example of
/// [`PersonForecast`].
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

/// One person's forecast ([`TrajectoryModel::forecast`]).
///
/// ```
/// use gbtm::{synth, Gbtm, Panel};
/// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&synth::three_groups(200, 3).panel)?;
/// // Observed at 12, 14 and 15 of the model's 12..35: 13 is imputed, 16..35 are the future.
/// let p = Panel::from_wide_csv_str("id,12,13,14,15\na,3,,4,2\n", "new.csv")?;
/// let f = &fit.model().forecast(&p, 0.9)?[0];
/// assert_eq!((f.id.as_str(), f.observed_total, f.group), ("a", 9.0, 2));
/// assert_eq!(f.years.len(), 21);
/// assert!(f.years[0].imputed && f.years[0].age == 13 && !f.years[1].imputed);
/// assert_eq!((f.imputed.ages.clone(), f.future.ages.len()), (vec![13], 20));
/// let y = &f.years[0];
/// assert!(f64::from(y.lower) <= y.expected && y.expected <= f64::from(y.upper));
/// assert!((f.total.expected - f.imputed.expected - f.future.expected).abs() < 1e-9);
/// # Ok::<(), gbtm::Error>(())
/// ```
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
    /// [`Error::InvalidParameter`] naming `level` unless 0 < level < 1, or
    /// naming `forecast` for a model with time-varying covariates (their
    /// values at unobserved ages are unknown); and the errors of
    /// [`TrajectoryModel::check_panel`].
    pub fn forecast(&self, panel: &Panel, level: f64) -> Result<Vec<PersonForecast>> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::param("level", format!("{level} is not in (0, 1)")));
        }
        if !self.spec().tcov().is_empty() {
            return Err(Error::param(
                "forecast",
                format!(
                    "the model has time-varying covariates ({}); a forecast would need their values at the unobserved ages, which gbtm does not take yet",
                    self.spec().tcov().join(", ")
                ),
            ));
        }
        let ip = self.input_posteriors(panel)?;
        let groups = assign(&ip.post);
        let rates = self.rates();
        let zi = self.zero_inflation();
        let k = self.groups();
        let ages = self.ages();
        let omega = |g: usize, t: usize| zi.as_ref().map_or(0.0, |z| z[[g, t]]);
        // Distribution per group and model age; totals are cached per set
        // of ages.
        let year: Vec<Vec<Dist>> = (0..k)
            .map(|g| {
                (0..ages.len())
                    .map(|t| match self.dispersion(g) {
                        Some(a) => Dist::nb(rates[[g, t]], a),
                        None => Dist::zip(rates[[g, t]], omega(g, t)),
                    })
                    .collect()
            })
            .collect();
        let mut cache: HashMap<Vec<usize>, Vec<Dist>> = HashMap::new();
        let mut total_of = |todo: &[usize], w: &[f64]| -> TotalForecast {
            let dists = cache.entry(todo.to_vec()).or_insert_with(|| {
                (0..k)
                    .map(|g| {
                        let parts: Vec<&Dist> = todo.iter().map(|&t| &year[g][t]).collect();
                        Dist::sum(&parts)
                    })
                    .collect()
            });
            let refs: Vec<&Dist> = dists.iter().collect();
            let (lower, upper) = interval(&refs, w, level);
            TotalForecast {
                ages: todo.iter().map(|&t| ages[t]).collect(),
                expected: todo
                    .iter()
                    .map(|&t| {
                        (0..k)
                            .map(|g| w[g] * (1.0 - omega(g, t)) * rates[[g, t]])
                            .sum::<f64>()
                    })
                    // An empty sum is −0.0; write 0.
                    .sum::<f64>()
                    + 0.0,
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
                    let dists: Vec<&Dist> = (0..k).map(|g| &year[g][t]).collect();
                    let (lower, upper) = interval(&dists, &w, level);
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
