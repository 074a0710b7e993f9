//! Posterior group probabilities of every input person, with a status.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::data::Panel;
use crate::diagnostics::assign;
use crate::em::concomitant::expected_members;
use crate::em::estep::posteriors;
use crate::em::workspace::Workspace;
use crate::error::{Error, Result};
use crate::model::TrajectoryModel;

/// Whether a person could be classified from data; see the examples of
/// [`TrajectoryModel::restrict`] and [`PersonClass`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    /// Classified from at least one observed year.
    Classified,
    /// No observed year in the model's ages: the posteriors are the group
    /// shares π̂.
    NoObservedYear,
}

impl std::fmt::Display for PersonStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PersonStatus::Classified => "classified",
            PersonStatus::NoObservedYear => "no_observed_year",
        })
    }
}

/// One person's classification ([`TrajectoryModel::classify`]).
///
/// ```
/// use gbtm::{synth, Gbtm, Panel, PersonStatus};
/// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&synth::three_groups(200, 3).panel)?;
/// let new = Panel::from_wide_csv_str("id,12,13,14\nquiet,0,0,0\nbusy,4,5,6\nnone,,,\n", "new.csv")?;
/// let c = fit.model().classify(&new)?;
/// assert_eq!((c[0].id.as_str(), c[0].status, c[0].group), ("quiet", PersonStatus::Classified, 1));
/// assert_eq!(c[1].group, 2);
/// assert!(c[1].max_posterior > 0.99 && c[1].max_posterior == c[1].posteriors[1]);
/// // A person with no observed year gets the shares, and says so.
/// assert_eq!(c[2].status.to_string(), "no_observed_year");
/// assert_eq!(c[2].posteriors, fit.model().params().pi);
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PersonClass {
    /// Person id.
    pub id: String,
    /// Whether the person had data to classify by.
    pub status: PersonStatus,
    /// Posterior probability of each group.
    pub posteriors: Vec<f64>,
    /// Assigned group, numbered from 1 as in every printed table (maximum
    /// posterior; ties to the lower group).
    pub group: usize,
    /// The maximum posterior.
    pub max_posterior: f64,
}

/// Posteriors of every input person of `panel` in input order: the panel's
/// rows where the person was kept, the shares π̂ where not.
pub(crate) struct InputPosteriors {
    pub post: Array2<f64>,
    pub status: Vec<PersonStatus>,
    /// For each input person, its row in the panel (if kept).
    pub row: Vec<Option<usize>>,
}

impl TrajectoryModel {
    /// Checks that `panel` can be scored by this model: its ages are model
    /// ages, exposure is given exactly when the model used it, and the
    /// model's risk factors and time-varying covariates are given (others
    /// are ignored).
    ///
    /// ```
    /// use gbtm::{synth, Gbtm, Panel};
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&synth::three_groups(200, 3).panel)?;
    /// let model = fit.model();
    /// let ok = Panel::from_wide_csv_str("id,12,13\na,1,0\n", "new.csv")?;
    /// model.check_panel(&ok)?;
    /// // Age 40 is not a model age; exposure was not used in the fit.
    /// assert!(model.check_panel(&Panel::from_wide_csv_str("id,40\na,1\n", "old.csv")?).is_err());
    /// assert!(model.check_panel(&ok.with_unit_exposure()).is_err());
    /// // The posteriors of its persons, the log-likelihood, and the shares.
    /// let (post, ll) = model.posteriors_for(&ok)?;
    /// assert_eq!(post.dim(), (1, 2));
    /// assert!(ll < 0.0);
    /// assert_eq!(model.shares_for(&ok)?, model.params().pi);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `ages`, [`Error::ExposureRequired`]
    /// or [`Error::ExposureNotUsed`].
    pub fn check_panel(&self, panel: &Panel) -> Result<()> {
        let (_, outside) = self.split_ages(panel);
        if !outside.is_empty() {
            let outside: Vec<String> = outside.iter().map(|a| a.to_string()).collect();
            return Err(Error::param(
                "ages",
                format!(
                    "{} has ages {} that are not among the model's ages {}..{}",
                    panel.source(),
                    outside.join(", "),
                    self.ages()[0],
                    self.ages()[self.ages().len() - 1]
                ),
            ));
        }
        require(
            self.spec().risk(),
            panel.risk_names(),
            panel,
            "risk",
            "risk factors on group membership",
            "--risk FILE --risk-vars",
        )?;
        require(
            self.spec().tcov(),
            panel.tcov_names(),
            panel,
            "tcov",
            "time-varying covariates in the log rate",
            "--tcov FILE --tcov-vars",
        )?;
        match (self.uses_exposure(), panel.exposure().is_some()) {
            (true, false) => Err(Error::ExposureRequired {
                path: panel.source().to_string(),
            }),
            (false, true) => Err(Error::ExposureNotUsed {
                path: panel.source().to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// `panel` restricted to the model's ages, and the ages it had outside
    /// them (to report). A person left with no observed year keeps an
    /// output row with [`PersonStatus::NoObservedYear`].
    ///
    /// ```
    /// use gbtm::{synth, Gbtm, Panel};
    /// let cohort = synth::three_groups(200, 3);
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&cohort.panel)?;
    /// let wide = Panel::from_wide_csv_str("id,11,12,36\na,1,0,\nb,2,,\n", "new.csv")?;
    /// let (panel, outside) = fit.model().restrict(&wide)?;
    /// assert_eq!(outside, vec![11, 36]);
    /// assert_eq!(panel.ages(), &[12]);
    /// let classes = fit.model().classify(&panel)?;
    /// assert_eq!(classes.len(), 2); // b has no observed year at 12 but keeps a row
    /// assert_eq!(classes[1].status, gbtm::PersonStatus::NoObservedYear);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `ages` if no column is a model age.
    pub fn restrict(&self, panel: &Panel) -> Result<(Panel, Vec<i64>)> {
        let (keep, outside) = self.split_ages(panel);
        if outside.is_empty() {
            return Ok((panel.clone(), outside));
        }
        if keep.is_empty() {
            return Err(Error::param(
                "ages",
                format!(
                    "{} has no column at the model's ages {}..{}",
                    panel.source(),
                    self.ages()[0],
                    self.ages()[self.ages().len() - 1]
                ),
            ));
        }
        Ok((panel.select_ages(&keep), outside))
    }

    /// The panel's ages among the model's, and those that are not.
    fn split_ages(&self, panel: &Panel) -> (Vec<i64>, Vec<i64>) {
        panel
            .ages()
            .iter()
            .copied()
            .partition(|a| self.ages().contains(a))
    }

    /// Posterior group probabilities (persons × groups) and log-likelihood
    /// of the persons of `panel` under this model. See the example of
    /// [`TrajectoryModel::check_panel`].
    ///
    /// # Errors
    /// As [`TrajectoryModel::check_panel`].
    pub fn posteriors_for(&self, panel: &Panel) -> Result<(Array2<f64>, f64)> {
        let (post, ll, _) = self.posteriors_and_shares(panel)?;
        Ok((post, ll))
    }

    /// The group shares for the persons of `panel`: π_k, or with risk
    /// factors the mean of π_ik over its persons. See the example of
    /// [`TrajectoryModel::check_panel`].
    ///
    /// # Errors
    /// As [`TrajectoryModel::check_panel`].
    pub fn shares_for(&self, panel: &Panel) -> Result<Vec<f64>> {
        Ok(self.posteriors_and_shares(panel)?.2)
    }

    /// Posteriors, log-likelihood and shares from one preparation of the
    /// panel.
    pub(crate) fn posteriors_and_shares(
        &self,
        panel: &Panel,
    ) -> Result<(Array2<f64>, f64, Vec<f64>)> {
        self.check_panel(panel)?;
        let ws = Workspace::new(panel, self.spec(), self.age_scale());
        let (post, ll) = posteriors(&ws, self.params());
        let n = panel.n_persons().max(1) as f64;
        let shares = expected_members(&ws, self.params())
            .iter()
            .map(|m| m / n)
            .collect();
        Ok((post, ll, shares))
    }

    pub(crate) fn input_posteriors(&self, panel: &Panel) -> Result<InputPosteriors> {
        // A person with no observed year has the shares as posterior: with
        // risk factors, their mean over the panel's persons.
        let (post, _, shares) = self.posteriors_and_shares(panel)?;
        let n = panel.input_ids().len();
        let k = self.groups();
        let mut row = vec![None; n];
        for (r, &i) in panel.input_rows().iter().enumerate() {
            row[i] = Some(r);
        }
        let mut all = Array2::zeros((n, k));
        let mut status = Vec::with_capacity(n);
        for (i, r) in row.iter().enumerate() {
            match r {
                Some(r) => {
                    all.row_mut(i).assign(&post.row(*r));
                    status.push(PersonStatus::Classified);
                }
                None => {
                    all.row_mut(i).assign(&ndarray::aview1(&shares));
                    status.push(PersonStatus::NoObservedYear);
                }
            }
        }
        Ok(InputPosteriors {
            post: all,
            status,
            row,
        })
    }

    /// Posterior group probabilities, assigned group and maximum posterior
    /// for every input person of `panel`, in input order (see the module
    /// documentation for persons with no observed year).
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(400, 3);
    /// let fit = Gbtm::poisson(3).starts(2).fit(&cohort.panel)?;
    /// let classes = fit.model().classify(&cohort.panel)?;
    /// assert_eq!(classes.len(), cohort.panel.input_ids().len());
    /// assert!(classes.iter().all(|c| (c.posteriors.iter().sum::<f64>() - 1.0).abs() < 1e-12));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`TrajectoryModel::check_panel`].
    pub fn classify(&self, panel: &Panel) -> Result<Vec<PersonClass>> {
        let ip = self.input_posteriors(panel)?;
        let groups = assign(&ip.post);
        Ok(panel
            .input_ids()
            .iter()
            .enumerate()
            .map(|(i, id)| PersonClass {
                id: id.clone(),
                status: ip.status[i],
                posteriors: ip.post.row(i).to_vec(),
                group: groups[i] + 1,
                max_posterior: ip.post[[i, groups[i]]],
            })
            .collect())
    }
}

/// The model's covariates `wanted` must be among the panel's `given`; the
/// error names the missing ones and the flags that give them.
fn require(
    wanted: &[String],
    given: &[String],
    panel: &Panel,
    option: &str,
    what: &str,
    flags: &str,
) -> Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|n| !given.contains(n))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::param(
        option,
        format!(
            "the model has {what}; give {} for the persons of {} ({flags} {})",
            missing.join(", "),
            panel.source(),
            wanted.join(",")
        ),
    ))
}
