//! Checking a [`Gbtm`] against a panel before fitting: the structure, the
//! covariates the panel carries, K against the persons, the orders against
//! the ages, and the optimiser's settings.

use super::{Gbtm, MAX_ITER, MAX_POSTERIOR_CELLS, MAX_STARTS};
use crate::data::Panel;
use crate::error::{Error, Result};
use crate::model::ModelSpec;
use crate::model::spec::RiskScale;

impl Gbtm {
    /// Checks the settings against `panel` without fitting: the structure,
    /// K against the number of persons, the orders against the number of
    /// ages, and the optimiser's settings. [`Gbtm::fit`] runs it first.
    ///
    /// ```
    /// use gbtm::{synth, Error, Gbtm};
    /// let panel = synth::three_groups(5, 1).panel;
    /// assert!(matches!(Gbtm::poisson(6).validate(&panel), Err(Error::TooManyGroups { .. })));
    /// assert!(Gbtm::poisson(2).validate(&panel).is_ok());
    /// ```
    pub fn validate(&self, panel: &Panel) -> Result<ModelSpec> {
        // Risk factors on the panel enter the shares (traj's `risk()`),
        // standardised by their mean and SD over the persons.
        let mut spec = self
            .spec()?
            .with_risk(panel.risk_names().to_vec())?
            .with_tcov(panel.tcov_names().to_vec())?;
        if let Some(w) = panel.risk() {
            let scaling = w.columns().into_iter().map(RiskScale::of).collect();
            spec = spec.with_risk_scaling(scaling)?;
        }
        if self.groups > panel.n_persons() {
            return Err(Error::TooManyGroups {
                groups: self.groups,
                persons: panel.n_persons(),
            });
        }
        // Distinct ages with at least one observation: a column nobody was
        // observed at carries no information about the curve.
        let observed = panel.observed();
        let t = (0..panel.ages().len())
            .filter(|&j| observed.column(j).iter().any(|&o| o))
            .count();
        let top = spec
            .orders()
            .iter()
            .chain(spec.iorders().into_iter().flatten())
            .max()
            .copied()
            .unwrap_or(0);
        if top + 1 > t {
            return Err(Error::param(
                "order",
                format!(
                    "order {top} needs at least {} distinct observed ages, the panel has {t}",
                    top + 1
                ),
            ));
        }
        if self.starts == 0 || self.starts > MAX_STARTS {
            return Err(Error::param(
                "starts",
                format!("{} starts: give 1 to {MAX_STARTS}", self.starts),
            ));
        }
        if self.max_iter == 0 || self.max_iter > MAX_ITER {
            return Err(Error::param(
                "max_iter",
                format!("{}: give 1 to {MAX_ITER}", self.max_iter),
            ));
        }
        // The largest allocations are persons × groups (posteriors) and
        // persons × ages (the panel, already in memory).
        let cells = panel.n_persons() as u128 * self.groups as u128;
        if cells > MAX_POSTERIOR_CELLS {
            return Err(Error::param(
                "groups",
                format!(
                    "{} persons × {} groups needs {:.1} GiB for the posteriors alone; the limit is {} GiB",
                    panel.n_persons(),
                    self.groups,
                    (cells * 8) as f64 / (1u64 << 30) as f64,
                    (MAX_POSTERIOR_CELLS * 8) >> 30
                ),
            ));
        }
        if !(self.ll_tol > 0.0 && self.score_tol > 0.0) {
            return Err(Error::param("tolerance", "tolerances must be positive"));
        }
        if let Some(n) = &self.nested {
            if n.spec.family() != spec.family() || n.spec.groups() + 1 != spec.groups() {
                return Err(Error::param(
                    "nest",
                    format!(
                        "a {} model with {} groups cannot be nested in a {} model with {}",
                        n.spec.family(),
                        n.spec.groups(),
                        spec.family(),
                        spec.groups()
                    ),
                ));
            }
            if n.params.beta.len() != n.spec.groups() {
                return Err(Error::param("nest", "the nested model is inconsistent"));
            }
            // The same risk factors, standardised the same way (the same
            // panel), or the nested parameters mean something else.
            if n.spec.risk() != spec.risk()
                || n.spec.risk_scaling() != spec.risk_scaling()
                || n.spec.tcov() != spec.tcov()
            {
                return Err(Error::param(
                    "nest",
                    "the nested model was fitted with other risk factors or time-varying covariates (or on other persons)",
                ));
            }
        }
        Ok(spec)
    }
}
