//! Saving a fitted model to JSON and loading it back
//! ([`FittedGbtm::save`], [`FittedGbtm::load`]).
//!
//! The file holds everything needed to classify and forecast: the model
//! structure, the parameters, the age scaling, the ages, the fit's facts and
//! its summary (BIC, AvePP, OCC, …), and the gbtm version that wrote it.
//! Writing is atomic (a temporary file, then a rename).

use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::data::csv::write_atomic;
use crate::design::AgeScale;
use crate::error::{Error, Result};
use crate::fit::{FitInfo, FittedGbtm};
use crate::model::{ModelSpec, Params};
use crate::report::FitSummary;

/// Identifies a gbtm model file.
pub const FORMAT: &str = "gbtm-model";

/// The saved form of a [`FittedGbtm`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// Version of gbtm that wrote the file.
    pub gbtm_version: String,
    /// Model structure.
    pub spec: ModelSpec,
    /// Estimates (coefficients on the scaled age).
    pub params: Params,
    /// The scaling of age the coefficients refer to.
    pub age_scaling: AgeScale,
    /// Ages of the fitted panel.
    pub ages: Vec<i64>,
    /// Facts about the fit.
    pub info: FitInfo,
    /// The fit's summary at the time it was saved.
    pub summary: FitSummary,
}

fn invalid(path: &str, message: String) -> Error {
    Error::Json {
        path: path.to_string(),
        message,
    }
}

impl SavedModel {
    /// Checks that the parts agree with each other.
    fn validate(&self, path: &str) -> Result<()> {
        if self.format != FORMAT {
            return Err(invalid(
                path,
                format!("not a gbtm model file (format {:?})", self.format),
            ));
        }
        let spec = ModelSpec::new(
            self.spec.family,
            self.spec.orders.clone(),
            self.spec.iorders.clone(),
        )
        .map_err(|e| invalid(path, e.to_string()))?;
        let k = spec.groups();
        let p = &self.params;
        let lens_ok = |v: &Vec<Vec<f64>>, o: &[usize]| {
            v.len() == o.len() && v.iter().zip(o).all(|(b, &o)| b.len() == o + 1)
        };
        let zi_ok = match (&p.gamma, &spec.iorders) {
            (None, None) => true,
            (Some(g), Some(q)) => lens_ok(g, q),
            _ => false,
        };
        if p.pi.len() != k || !lens_ok(&p.beta, &spec.orders) || !zi_ok {
            return Err(invalid(
                path,
                "parameters do not match the model structure".into(),
            ));
        }
        let finite = p
            .beta
            .iter()
            .chain(p.gamma.iter().flatten())
            .flatten()
            .all(|x| x.is_finite());
        if !finite || p.pi.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
            return Err(invalid(
                path,
                "parameters must be finite and shares positive".into(),
            ));
        }
        if (p.pi.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
            return Err(invalid(path, "group shares do not sum to 1".into()));
        }
        if self.ages.is_empty() || self.ages.windows(2).any(|w| w[0] >= w[1]) {
            return Err(invalid(
                path,
                "ages must be non-empty and increasing".into(),
            ));
        }
        if !(self.age_scaling.scale > 0.0 && self.age_scaling.center.is_finite()) {
            return Err(invalid(
                path,
                "age scaling must have a positive scale".into(),
            ));
        }
        Ok(())
    }
}

impl FittedGbtm {
    /// The model in its saved form.
    pub fn to_saved(&self) -> SavedModel {
        SavedModel {
            format: FORMAT.to_string(),
            gbtm_version: env!("CARGO_PKG_VERSION").to_string(),
            spec: self.spec.clone(),
            params: self.params.clone(),
            age_scaling: self.scale,
            ages: self.ages.clone(),
            info: self.info.clone(),
            summary: FitSummary::new(self),
        }
    }

    /// Rebuilds a model from its saved form. The training posteriors are not
    /// saved: [`FittedGbtm::posteriors`] of a loaded model is empty; use
    /// [`FittedGbtm::classify`] on the data instead.
    pub fn from_saved(saved: SavedModel, source: &str) -> Result<FittedGbtm> {
        saved.validate(source)?;
        let k = saved.spec.groups();
        Ok(FittedGbtm {
            spec: saved.spec,
            params: saved.params,
            scale: saved.age_scaling,
            ages: saved.ages,
            info: saved.info,
            posteriors: Array2::zeros((0, k)),
            loaded_summary: Some(Box::new(saved.summary)),
        })
    }

    /// Writes the model as JSON to `path`, atomically.
    ///
    /// ```
    /// use gbtm::{synth, FittedGbtm, Gbtm};
    /// let cohort = synth::three_groups(300, 4);
    /// let fit = Gbtm::poisson(2).starts(2).fit(&cohort.panel)?;
    /// let path = std::env::temp_dir().join(format!("gbtm-doc-{}.json", std::process::id()));
    /// fit.save(&path)?;
    /// let back = FittedGbtm::load(&path)?;
    /// assert_eq!(back.params(), fit.params());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = serde_json::to_string_pretty(&self.to_saved())
            .map_err(|e| invalid(&path.display().to_string(), e.to_string()))?;
        write_atomic(path, &(text + "\n"))
    }

    /// Reads a model written by [`FittedGbtm::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<FittedGbtm> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        let saved: SavedModel =
            serde_json::from_str(&text).map_err(|e| invalid(&name, e.to_string()))?;
        FittedGbtm::from_saved(saved, &name)
    }
}
