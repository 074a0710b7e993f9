//! # gbtm: group-based trajectory modelling
//!
//! Finite mixtures of Poisson and zero-inflated Poisson (ZIP) trajectories for
//! person × age count panels, as in Nagin & Land (1993), Nagin (2005) and
//! Stata's `traj`: each group's log rate is a polynomial in age, fitted by EM
//! with many seeded starts, a Newton polish, and a check that the result is a
//! maximum. Years a person was not observed are left out of the likelihood.
//!
//! ```
//! use gbtm::{synth, Gbtm};
//! // A seeded synthetic cohort with three known groups...
//! let cohort = synth::three_groups(600, 7);
//! // ...fitted with three cubic Poisson groups.
//! let fit = Gbtm::poisson(3).order(3).starts(4).seed(1).fit(&cohort.panel)?;
//! let summary = fit.summary();
//! assert!(summary.converged);
//! assert!(summary.groups.iter().all(|g| g.avepp > 0.7));
//! // The model classifies new persons and forecasts their counts.
//! let classes = fit.model().classify(&cohort.panel)?;
//! assert_eq!(classes.len(), cohort.panel.input_ids().len());
//! # Ok::<(), gbtm::Error>(())
//! ```
//!
//! ## Layout
//!
//! Data flow one way: [`data`] → [`model`] → `em` → [`fit`] →
//! {[`diagnostics`] and [`report`], [`predict`], [`wald`] tests, [`select`], [`plot`]}; the
//! command-line tool sits on top, behind the default `cli` feature, and
//! plotting behind the default `plot` feature. [`synth`] draws synthetic
//! cohorts and [`study`] holds the reproduction of the reference study.
//! See docs/architecture.md.
//!
//! ## Numbering of groups
//!
//! Positions in vectors are 0-based indices: `params.pi[k]`, the columns of
//! [`Fit::posteriors`], [`Fit::assignments`] and [`synth::Cohort::truth`].
//! Every `group` field of an output record ([`PersonClass::group`],
//! [`Degeneracy`], [`select::AdequacyFailure`], …) and every printed table
//! numbers groups from 1, as traj does. Groups are ordered by ascending
//! expected cases per person over the model's ages, whatever the seed.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod data;
pub mod design;
pub mod diagnostics;
pub(crate) mod em;
pub mod error;
pub mod fit;
pub mod model;
#[cfg(feature = "plot")]
pub mod plot;
pub mod predict;
pub mod publish;
pub mod report;
pub mod select;
pub mod study;
pub mod synth;
pub mod wald;

/// The ndarray version used in gbtm's signatures.
pub use ndarray;

pub use data::Panel;
pub use data::csv::ReadOptions;
pub use design::AgeScale;
pub use diagnostics::Diagnostics;
pub use em::{Boundary, Degeneracy, LocalOptimum, Refinement, SAME_OPTIMUM, Termination};
pub use error::{Error, Result};
pub use fit::{Fit, FitInfo, Gbtm};
pub use model::{Dispersion, Family, ModelSpec, Params, TrajectoryModel};
pub use predict::{PersonClass, PersonForecast, PersonStatus, TotalForecast, YearForecast};
pub use report::{FitSummary, GroupSummary};
pub use wald::WaldTest;

/// The Rust example of README.md, compiled and run as a doctest so that the
/// README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
