//! What is fitted: the model family, per-group polynomial orders
//! ([`ModelSpec`]), parameter values ([`Params`]), and the fitted trajectory
//! model itself ([`TrajectoryModel`]), which is what is saved, loaded,
//! classified against, forecast from and plotted.
//!
//! Rooms: `family` (the count distribution), [`spec`] (structure), `params` (parameter values),
//! `trajectory` (the
//! model), [`covariance`] (the covariance of the estimates and parameter
//! names), `inference` (standard errors, intervals and bands by the delta
//! method), `risk` (risk-factor coefficients and odds ratios), `risk_scale` (their
//! standardisation), `file`
//! (model files).

pub mod covariance;
mod family;
mod file;
mod inference;
mod params;
mod risk;
mod risk_scale;
pub mod spec;
mod trajectory;

pub use covariance::{Covariance, CovarianceProblem};
pub use file::{FORMAT, ModelFile};
pub use inference::{Interval, normal_quantile};
pub use risk::RiskCoefficient;
pub use spec::{Dispersion, Family, MAX_ORDER, ModelSpec, Params};
pub use trajectory::{MAX_LN_RATE, TrajectoryModel};
