//! The count distribution within a group ([`Family`]) and, for the negative
//! binomial, whether the groups share one dispersion ([`Dispersion`]).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The count distribution within a group.
///
/// ```
/// use gbtm::Family;
/// assert_eq!("zip".parse::<Family>().unwrap(), Family::Zip);
/// assert_eq!("negbin".parse::<Family>().unwrap(), Family::Nb);
/// assert_eq!(Family::Poisson.to_string(), "poisson");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// `y ~ Poisson(e·λ)`.
    Poisson,
    /// Zero-inflated Poisson: a structural zero with probability ω, else Poisson(e·λ).
    Zip,
    /// Negative binomial (NB2): mean μ = e·λ, variance μ + α·μ², α > 0 per
    /// group (or shared); a gamma-mixed Poisson with shape 1/α.
    Nb,
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Family::Poisson => "poisson",
            Family::Zip => "zip",
            Family::Nb => "nb",
        })
    }
}

impl std::str::FromStr for Family {
    type Err = Error;
    fn from_str(s: &str) -> Result<Family> {
        match s.to_ascii_lowercase().as_str() {
            "poisson" => Ok(Family::Poisson),
            "zip" => Ok(Family::Zip),
            "nb" | "negbin" | "nb2" | "negative-binomial" => Ok(Family::Nb),
            other => Err(Error::param(
                "model",
                format!("unknown model {other:?}: poisson, zip or nb"),
            )),
        }
    }
}

impl Family {
    /// A readable name: "Poisson", "zero-inflated Poisson", "negative binomial".
    ///
    /// ```
    /// assert_eq!(gbtm::Family::Nb.long_name(), "negative binomial");
    /// ```
    pub fn long_name(self) -> &'static str {
        match self {
            Family::Poisson => "Poisson",
            Family::Zip => "zero-inflated Poisson",
            Family::Nb => "negative binomial",
        }
    }
}

/// Whether the groups of a negative-binomial model have their own
/// dispersion α_k (the default) or share one α.
///
/// ```
/// use gbtm::model::spec::Dispersion;
/// assert_eq!("shared".parse::<Dispersion>().unwrap(), Dispersion::Shared);
/// assert_eq!(Dispersion::default(), Dispersion::PerGroup);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Dispersion {
    /// One α_k per group.
    #[default]
    PerGroup,
    /// One α for all groups.
    Shared,
}

impl std::fmt::Display for Dispersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Dispersion::PerGroup => "per-group",
            Dispersion::Shared => "shared",
        })
    }
}

impl std::str::FromStr for Dispersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<Dispersion> {
        match s.to_ascii_lowercase().as_str() {
            "per-group" | "group" => Ok(Dispersion::PerGroup),
            "shared" => Ok(Dispersion::Shared),
            other => Err(Error::param(
                "dispersion",
                format!("unknown dispersion {other:?}: per-group or shared"),
            )),
        }
    }
}
