//! The information criteria that rank candidate models.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::report::FitSummary;

/// The information criterion that ranks the candidates. All three are in
/// traj's orientation, where **larger is better** (docs/model.md, section 6):
///
/// | criterion | value | JSON / CLI name |
/// |---|---|---|
/// | [`Criterion::Bic`] | `LL − ½·P·ln(persons)` | `bic` |
/// | [`Criterion::BicObservations`] | `LL − ½·P·ln(observed person-years)` | `bic-observations` |
/// | [`Criterion::Aic`] | `LL − P` | `aic` |
///
/// BIC with N = persons is what criminology papers mostly quote and is the
/// default. The R/Mplus form `−2·LL + P·ln N` (smaller is better) is −2 times
/// [`Criterion::Bic`].
///
/// ```
/// use gbtm::select::Criterion;
/// let c: Criterion = "bic-observations".parse()?;
/// assert_eq!(c, Criterion::BicObservations);
/// assert_eq!(c.to_string(), "bic-observations");
/// assert_eq!(Criterion::default(), Criterion::Bic);
/// assert_eq!(serde_json::to_string(&Criterion::Aic).unwrap(), "\"aic\"");
/// assert!(matches!(
///     "dic".parse::<Criterion>(),
///     Err(gbtm::Error::InvalidParameter { .. })
/// ));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// BIC with N = persons (`bic` in the fit report).
    #[default]
    Bic,
    /// BIC with N = observed person-years (`bic_observations`).
    BicObservations,
    /// AIC, `LL − P` (`aic`).
    Aic,
}

impl Criterion {
    /// All criteria, in the order of their JSON names above.
    ///
    /// ```
    /// assert_eq!(gbtm::select::Criterion::ALL.len(), 3);
    /// ```
    pub const ALL: [Criterion; 3] = [Criterion::Bic, Criterion::BicObservations, Criterion::Aic];

    /// The criterion's value for a fitted model (larger is better).
    ///
    /// ```
    /// use gbtm::select::Criterion;
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(200, 3);
    /// let s = Gbtm::poisson(1).order(2).fit(&cohort.panel)?.summary();
    /// assert_eq!(Criterion::Aic.value(&s), s.log_likelihood - 3.0);
    /// assert_eq!(Criterion::Bic.value(&s), s.bic);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn value(self, summary: &FitSummary) -> f64 {
        match self {
            Criterion::Bic => summary.bic,
            Criterion::BicObservations => summary.bic_observations,
            Criterion::Aic => summary.aic,
        }
    }

    /// A readable name for reports, e.g. `BIC (persons)`.
    ///
    /// ```
    /// assert_eq!(gbtm::select::Criterion::Bic.label(), "BIC (persons)");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Bic => "BIC (persons)",
            Criterion::BicObservations => "BIC (observations)",
            Criterion::Aic => "AIC",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Criterion::Bic => "bic",
            Criterion::BicObservations => "bic-observations",
            Criterion::Aic => "aic",
        }
    }
}

impl fmt::Display for Criterion {
    /// The JSON / command-line name: `bic`, `bic-observations` or `aic`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Criterion {
    type Err = Error;
    /// Parses `bic`, `bic-observations` or `aic` (case-insensitive; `_` may
    /// stand for `-`, so the fit report's field name `bic_observations` works
    /// too). Anything else is [`Error::InvalidParameter`] naming `criterion`.
    fn from_str(s: &str) -> Result<Criterion> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        Criterion::ALL
            .into_iter()
            .find(|c| c.name() == norm)
            .ok_or_else(|| {
                Error::param(
                    "criterion",
                    format!("unknown criterion {s:?}; use bic, bic-observations or aic"),
                )
            })
    }
}
