//! # gbtm: group-based trajectory modelling
//!
//! Finite mixtures of Poisson and zero-inflated Poisson (ZIP) trajectories for
//! person × age count panels, as in Nagin & Land (1993), Nagin (2005) and
//! Stata's `traj`: each group's log rate is a polynomial in age, fitted by EM
//! with many seeded starts, a Newton polish, and a check that the result is a
//! maximum. Years a person was not observed are left out of the likelihood.
//!
//! ```
//! use gbtm::{synth, FitSummary, Gbtm, Panel};
//! // A seeded synthetic cohort with three known groups...
//! let cohort = synth::three_groups(600, 7);
//! // ...fitted with three cubic Poisson groups.
//! let fit = Gbtm::poisson(3).order(3).starts(4).seed(1).fit(&cohort.panel)?;
//! let summary = FitSummary::new(&fit);
//! assert!(summary.converged);
//! assert!(summary.groups.iter().all(|g| g.avepp > 0.7));
//! # Ok::<(), gbtm::Error>(())
//! ```
//!
//! Modules, one per concept: [`data`] (panels and CSV input), [`design`] (the
//! age basis), [`model`] (specification and parameters), `em` (E-step, M-step,
//! starts, Newton polish), [`fit`] (the fitting API), [`diagnostics`] (AvePP,
//! OCC, entropy, BIC), [`report`] (JSON and text), [`saved`] (model files),
//! [`classify`] (posteriors and forecasts for new persons), [`synth`]
//! (synthetic cohorts) and [`error`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod classify;
pub mod data;
pub mod design;
pub mod diagnostics;
pub(crate) mod em;
pub mod error;
pub mod fit;
pub mod model;
pub mod plot;
pub mod report;
pub mod reproduce;
pub mod saved;
pub mod select;
pub mod synth;

pub use classify::{PersonClass, PersonForecast, YearForecast};
pub use data::csv::ReadOptions;
pub use data::Panel;
pub use design::AgeScale;
pub use diagnostics::Diagnostics;
pub use error::{Error, Result};
pub use fit::{FitInfo, FittedGbtm, Gbtm, LocalOptimum};
pub use model::{Family, ModelSpec, Params};
pub use report::{FitSummary, GroupSummary};
pub use saved::SavedModel;
