//! The standardisation of a risk factor before it enters the model.

use serde::{Deserialize, Serialize};

/// The standardisation `(w − center) / scale` of a risk factor: the mean
/// and standard deviation over the fitted persons, so that the shares π_k
/// are those of a person with average covariates and the coefficients are
/// per standard deviation (reports convert them back to the raw units).
///
/// ```
/// use gbtm::model::spec::RiskScale;
/// use gbtm::{Family, ModelSpec};
/// let spec = ModelSpec::new(Family::Poisson, vec![1, 1], None)?.with_risk(vec!["age_first".into()])?;
/// // Unscaled until set: the fit sets the mean and standard deviation of the fitted persons.
/// assert_eq!(spec.risk_scaling(), [RiskScale { center: 0.0, scale: 1.0 }]);
/// let scaled = spec.clone().with_risk_scaling(vec![RiskScale { center: 16.2, scale: 2.5 }])?;
/// assert_eq!(scaled.risk_scaling()[0].center, 16.2);
/// assert!(spec.with_risk_scaling(vec![RiskScale { center: 0.0, scale: 0.0 }]).is_err());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskScale {
    /// Subtracted first (the mean).
    pub center: f64,
    /// Divided by next (the standard deviation; 1 for a constant).
    pub scale: f64,
}

impl Eq for RiskScale {}

impl RiskScale {
    /// The mean and standard deviation of `values` (scale 1 for a constant).
    pub(crate) fn of(values: ndarray::ArrayView1<'_, f64>) -> RiskScale {
        let n = values.len().max(1) as f64;
        let mean = values.sum() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        RiskScale {
            center: mean,
            scale: if sd > 0.0 && sd.is_finite() { sd } else { 1.0 },
        }
    }
}
