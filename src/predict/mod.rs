//! Using a model on new persons: posterior group probabilities
//! ([`TrajectoryModel::classify`](crate::TrajectoryModel::classify)) and forecasts of counts at the ages a
//! person was not observed ([`TrajectoryModel::forecast`](crate::TrajectoryModel::forecast)), with CSV
//! writers for both ([`mod@write`]).
//!
//! Every input person gets a result, in input order, with a
//! [`PersonStatus`]: a person with no observed year in the model's ages gets
//! the group shares as posteriors and status
//! [`PersonStatus::NoObservedYear`], so that a join by row never misaligns.
//!
//! New data may cover only part of the model's ages (a 19-year-old observed
//! from 12 to 19, say); ages that are not model ages are an error (see
//! [`TrajectoryModel::restrict`](crate::TrajectoryModel::restrict) for dropping them first). A model fitted
//! with exposure needs the new data's exposure, and a model fitted without
//! it refuses data with exposure: applying either to the other would be
//! silently wrong. [`Panel::with_unit_exposure`](crate::Panel::with_unit_exposure) states the assumption of
//! full exposure explicitly.

mod classify;
mod dist;
mod forecast;
pub mod write;

pub use classify::{PersonClass, PersonStatus};
pub use forecast::{PersonForecast, TotalForecast, YearForecast};
