//! Model files: a [`TrajectoryModel`] as JSON, with a format tag and the
//! version of gbtm that wrote it ([`TrajectoryModel::save`],
//! [`TrajectoryModel::load`]).
//!
//! The file holds the model and nothing else (no person counts, no
//! training posteriors): it is everything needed to classify, forecast and
//! plot. Writing is atomic (a temporary file, then a rename).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::trajectory::TrajectoryModel;
use crate::data::write::write_atomic;
use crate::error::{Error, Result};

/// Identifies a gbtm model file; see the example of [`ModelFile`].
pub const FORMAT: &str = "gbtm-model";

/// The contents of a model file.
///
/// ```
/// use gbtm::model::{ModelFile, FORMAT};
/// let text = r#"{"format":"gbtm-model","gbtm_version":"0.1.0","model":{
///   "spec":{"family":"poisson","orders":[0],"iorders":null},
///   "params":{"beta":[[-1.0]],"gamma":null,"pi":[1.0]},
///   "age_scaling":{"center":13.0,"scale":1.0},"ages":[12,13,14],"exposure":false}}"#;
/// let file: ModelFile = serde_json::from_str(text).unwrap();
/// assert_eq!(file.format, FORMAT);
/// assert_eq!(file.model.ages(), &[12, 13, 14]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Version of gbtm that wrote the file.
    pub gbtm_version: String,
    /// The model.
    pub model: TrajectoryModel,
}

impl TrajectoryModel {
    /// Writes the model as JSON to `path`, atomically.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm, TrajectoryModel};
    /// let cohort = synth::three_groups(300, 4);
    /// let fit = Gbtm::poisson(2).starts(2).fit(&cohort.panel)?;
    /// let path = std::env::temp_dir().join(format!("gbtm-doc-{}.json", std::process::id()));
    /// fit.model().save(&path)?;
    /// let back = TrajectoryModel::load(&path)?;
    /// assert_eq!(&back, fit.model());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_json())
    }

    /// The model file's text.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm, TrajectoryModel};
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&synth::three_groups(200, 4).panel)?;
    /// let text = fit.model().to_json();
    /// assert!(text.contains(r#""format": "gbtm-model""#));
    /// assert_eq!(&TrajectoryModel::from_json(&text, "m.json")?, fit.model());
    /// // Anything else is refused with the name given.
    /// let err = TrajectoryModel::from_json(r#"{"format":"csv"}"#, "m.json").unwrap_err();
    /// assert!(err.to_string().contains("m.json"), "{err}");
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let file = ModelFile {
            format: FORMAT.to_string(),
            gbtm_version: env!("CARGO_PKG_VERSION").to_string(),
            model: self.clone(),
        };
        // Plain data with finite numbers: serialisation cannot fail.
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// Reads a model written by [`TrajectoryModel::save`].
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::InvalidModelFile`]
    /// if it is not a valid gbtm model file.
    pub fn load(path: impl AsRef<Path>) -> Result<TrajectoryModel> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        TrajectoryModel::from_json(&text, &name)
    }

    /// Parses a model file's text; `name` is used in error messages. See
    /// the example of [`TrajectoryModel::to_json`].
    ///
    /// # Errors
    /// [`Error::InvalidModelFile`] naming `name`.
    pub fn from_json(text: &str, name: &str) -> Result<TrajectoryModel> {
        let invalid =
            |message: String, source: Option<serde_json::Error>| Error::InvalidModelFile {
                path: name.to_string(),
                message,
                source,
            };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(e.to_string(), Some(e)))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            other => {
                return Err(invalid(
                    format!(
                        "not a gbtm model file (format {:?})",
                        other.unwrap_or("missing")
                    ),
                    None,
                ));
            }
        }
        let file: ModelFile =
            serde_json::from_value(value).map_err(|e| invalid(e.to_string(), Some(e)))?;
        Ok(file.model)
    }
}
