//! What is fitted: the model family, per-group polynomial orders
//! ([`ModelSpec`]), parameter values ([`Params`]), and the fitted trajectory
//! model itself ([`TrajectoryModel`]), which is what is saved, loaded,
//! classified against, forecast from and plotted.
//!
//! Rooms: [`spec`] (family, structure, parameters), `trajectory` (the
//! model), `file` (model files).

mod file;
pub mod spec;
mod trajectory;

pub use file::{FORMAT, ModelFile};
pub use spec::{Family, MAX_ORDER, ModelSpec, Params};
pub use trajectory::{MAX_LN_RATE, TrajectoryModel};
