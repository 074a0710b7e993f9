//! When a solution is not a usable model ([`Degeneracy`]), and when a
//! parameter sits on the boundary of the parameter space ([`Boundary`]).
//!
//! The rules, applied to every run at its end, and every 50 iterations
//! during it (a run that breaks the same rule in the same group at two
//! checks in a row is cut off; see `run_em`):
//!
//! 1. the log-likelihood is not finite;
//! 2. a group has fewer than one expected member (π_k·N < 1);
//! 3. a group's rate ran to 0 at every age (λ < 1e-10 everywhere) or to
//!    ∞ at some age (λ above 1e6 or a thousand times the largest count,
//!    whichever is larger);
//! 4. **a runaway group**: at an age where the group carries posterior
//!    weight (Σ_i p_ik·o_it ≥ 1e-3 person-years), its fitted rate under- or
//!    overflows: ln λ < −46 (λ < 1e-20) or ln λ > 13.8. No group of
//!    offenders has a rate of 1e-20 a year at an age where it is observed;
//!    such rates arise when a polynomial with coefficients in the hundreds
//!    fits a handful of persons exactly (a "spike" group). At any age, with
//!    weight or not, ln λ < −700 counts too: no model may hold such a rate;
//! 5. zero inflation ran to 1 at every age (ω > 1 − 1e-6);
//! 6. a negative-binomial dispersion ran to its ceiling α = 10⁴ (the
//!    group's counts are then nearly all zeros with rare huge counts: no
//!    usable curve).
//!
//! Group numbers in the reasons count from 1, in the order of the run.

use serde::{Deserialize, Serialize};

use super::stats::Stats;
use super::workspace::Workspace;
use crate::model::Params;

/// Why a solution is degenerate.
///
/// ```
/// use gbtm::Degeneracy;
/// let d = Degeneracy::EmptyGroup { group: 2, expected_persons: 0.4 };
/// assert_eq!(d.to_string(), "group 2 is empty (π·N = 0.400)");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Degeneracy {
    /// The log-likelihood is NaN or infinite.
    NonFiniteLikelihood,
    /// A group with fewer than one expected member.
    EmptyGroup {
        /// Group number (from 1).
        group: usize,
        /// π_k·N.
        expected_persons: f64,
    },
    /// The rate fell below 1e-10 at every age.
    RateVanished {
        /// Group number (from 1).
        group: usize,
    },
    /// The rate rose above 1e6 at some age.
    RateExploded {
        /// Group number (from 1).
        group: usize,
    },
    /// The rate under- or overflows at an age where the group has weight.
    RunawayRate {
        /// Group number (from 1).
        group: usize,
        /// The age.
        age: i64,
        /// ln λ there (clamped to ±1e300).
        log_rate: f64,
        /// Σ_i p_ik·o_it at that age.
        weight: f64,
    },
    /// Zero inflation ran to 1 at every age.
    ZeroInflationToOne {
        /// Group number (from 1).
        group: usize,
    },
    /// A negative-binomial dispersion α ran to its ceiling (10⁴).
    DispersionExploded {
        /// Group number (from 1).
        group: usize,
    },
}

impl std::fmt::Display for Degeneracy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Degeneracy::NonFiniteLikelihood => write!(f, "log-likelihood is not finite"),
            Degeneracy::EmptyGroup {
                group,
                expected_persons,
            } => write!(f, "group {group} is empty (π·N = {expected_persons:.3})"),
            Degeneracy::RateVanished { group } => write!(f, "group {group}: rate ran to 0"),
            Degeneracy::RateExploded { group } => write!(f, "group {group}: rate ran to ∞"),
            Degeneracy::RunawayRate {
                group,
                age,
                log_rate,
                weight,
            } => write!(
                f,
                "group {group}: runaway rate, ln λ = {log_rate:.1} at age {age} where the group has {weight:.3} person-years"
            ),
            Degeneracy::ZeroInflationToOne { group } => {
                write!(f, "group {group}: zero inflation ran to 1")
            }
            Degeneracy::DispersionExploded { group } => {
                write!(f, "group {group}: dispersion α ran to 10⁴")
            }
        }
    }
}

impl Degeneracy {
    /// The group it names, if any.
    fn group(&self) -> Option<usize> {
        match self {
            Degeneracy::NonFiniteLikelihood => None,
            Degeneracy::EmptyGroup { group, .. }
            | Degeneracy::RateVanished { group }
            | Degeneracy::RateExploded { group }
            | Degeneracy::RunawayRate { group, .. }
            | Degeneracy::ZeroInflationToOne { group }
            | Degeneracy::DispersionExploded { group } => Some(*group),
        }
    }

    /// The same rule broken by the same group (the values may differ).
    pub(crate) fn same_kind(&self, other: &Degeneracy) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
            && self.group() == other.group()
    }
}

/// A parameter on the boundary of the parameter space. The likelihood is
/// flat in it there, so the check for a maximum leaves it out, and its
/// standard error is not defined.
///
/// ```
/// use gbtm::Boundary;
/// let b = Boundary::ZeroInflationVanished { group: 1 };
/// assert!(b.to_string().starts_with("group 1: zero inflation ran to 0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Boundary {
    /// ω < 1e-8 at every age: the group is effectively Poisson.
    ZeroInflationVanished {
        /// Group number (from 1).
        group: usize,
    },
    /// A negative-binomial dispersion ran to 0 (α < 1e-6): the group (all
    /// groups, if α is shared) is effectively Poisson.
    DispersionVanished {
        /// Group number (from 1), or `None` for a shared α.
        group: Option<usize>,
    },
    /// Two groups have the same curve (ln λ, and logit ω for ZIP, within
    /// 1e-4 at every age): the model is a (K − 1)-group model with one
    /// group split in two, and the split of the share between them is not
    /// identified. The K-group model adds nothing; BIC will say so.
    CoincidingGroups {
        /// The lower group number (from 1).
        group: usize,
        /// The other group's number.
        other: usize,
    },
}

impl std::fmt::Display for Boundary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Boundary::ZeroInflationVanished { group } => write!(
                f,
                "group {group}: zero inflation ran to 0 (ω < 1e-8 at every age); the group is effectively Poisson"
            ),
            Boundary::DispersionVanished { group: Some(group) } => write!(
                f,
                "group {group}: dispersion ran to 0 (α < 1e-6); the group is effectively Poisson"
            ),
            Boundary::DispersionVanished { group: None } => write!(
                f,
                "the shared dispersion ran to 0 (α < 1e-6); the model is effectively Poisson"
            ),
            Boundary::CoincidingGroups { group, other } => write!(
                f,
                "groups {group} and {other} have the same curve: this is a model with one group fewer, split in two"
            ),
        }
    }
}

/// Smallest and largest ln λ of a usable group (rule 3).
const LN_RATE_VANISHED: f64 = -23.0;
const LN_RATE_EXPLODED: f64 = 13.8;
/// ln λ below which a rate at a weighted age counts as runaway (rule 4).
const LN_RATE_RUNAWAY: f64 = -46.0;
/// Person-years of weight at which an age counts for rule 4.
const MIN_WEIGHT: f64 = 1e-3;

/// Judges a solution by the rules of the module documentation; `stats` are
/// the E-step sums at `p` (for the per-age weights).
pub(crate) fn judge(ws: &Workspace<'_>, p: &Params, stats: &Stats) -> Option<Degeneracy> {
    if !stats.ll.is_finite() {
        return Some(Degeneracy::NonFiniteLikelihood);
    }
    let t = ws.n_ages();
    let ages = ws.panel.ages();
    // A rate may run a thousand times above the largest count, and to 1e6
    // at least: data with a count of 10⁶ need rates of that order.
    let exploded = LN_RATE_EXPLODED.max((1e3 * ws.max_count).ln());
    let members = super::concomitant::expected_members(ws, p);
    for g in 0..p.groups() {
        let group = g + 1;
        let expected = members[g];
        if expected.is_nan() || expected < 1.0 {
            return Some(Degeneracy::EmptyGroup {
                group,
                expected_persons: expected,
            });
        }
        // With time-varying covariates, the largest log rate at each age
        // over the observed cells (the rate at covariates 0 may lie far
        // outside what the data see, e.g. for a calendar year).
        let mut eta = ws.x[g].dot(&ndarray::aview1(&p.beta[g]));
        if let (Some(tc), Some(th)) = (&ws.tc, &p.tcov) {
            let range = super::tcov::shift_range(ws, tc, &th[g]);
            eta.iter_mut().zip(&range).for_each(|(e, r)| *e += r.1);
        }
        let max = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max.is_nan() || max > exploded {
            return Some(Degeneracy::RateExploded { group });
        }
        if max < LN_RATE_VANISHED {
            return Some(Degeneracy::RateVanished { group });
        }
        for (s, &e) in eta.iter().enumerate() {
            let weight = stats.n[g * t + s];
            let runaway = weight >= MIN_WEIGHT && !(LN_RATE_RUNAWAY..=exploded).contains(&e);
            // Anywhere, a rate that underflows the model's range.
            if runaway || e < -crate::model::MAX_LN_RATE {
                return Some(Degeneracy::RunawayRate {
                    group,
                    age: ages[s],
                    log_rate: e.clamp(-1e300, 1e300),
                    weight,
                });
            }
        }
        if let Some(gm) = &p.gamma {
            let zeta = ws.z[g].dot(&ndarray::aview1(&gm[g]));
            if zeta.iter().all(|&z| z > LN_RATE_EXPLODED) {
                return Some(Degeneracy::ZeroInflationToOne { group });
            }
        }
        if p.alpha_of(g)
            .is_some_and(|a| a.is_nan() || a.ln() >= super::counts::LN_ALPHA_MAX - 1e-9)
        {
            return Some(Degeneracy::DispersionExploded { group });
        }
    }
    None
}

/// Zero-inflation parameters that ran to the boundary ω = 0 (ω < 1e-8 at
/// every age) and dispersions that ran to α = 0 (α < 1e-6): their indices
/// in the flattened parameter vector, and one [`Boundary`] per group (and
/// per pair of coinciding groups).
pub(crate) fn at_boundary(ws: &Workspace<'_>, p: &Params) -> (Vec<usize>, Vec<Boundary>) {
    let mut fixed = Vec::new();
    let mut found = Vec::new();
    let curve = |x: &ndarray::Array2<f64>, c: &[f64]| x.dot(&ndarray::aview1(c));
    for g in 0..p.groups() {
        for h in g + 1..p.groups() {
            let same = |a: ndarray::Array1<f64>, b: ndarray::Array1<f64>| {
                a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-4)
            };
            let rates = same(curve(&ws.x[g], &p.beta[g]), curve(&ws.x[h], &p.beta[h]));
            let zi = p
                .gamma
                .as_ref()
                .is_none_or(|gm| same(curve(&ws.z[g], &gm[g]), curve(&ws.z[h], &gm[h])));
            let tcov = p
                .tcov
                .as_ref()
                .is_none_or(|th| th[g].iter().zip(&th[h]).all(|(x, y)| (x - y).abs() < 1e-4));
            let dispersion = p
                .alpha
                .as_ref()
                .is_none_or(|a| a.len() < 2 || (a[g].ln() - a[h].ln()).abs() < 1e-4);
            if rates && zi && tcov && dispersion {
                found.push(Boundary::CoincidingGroups {
                    group: g + 1,
                    other: h + 1,
                });
            }
        }
    }
    let mut offset: usize = p
        .beta
        .iter()
        .chain(p.tcov.iter().flatten())
        .map(Vec::len)
        .sum();
    for (g, gm) in p.gamma.iter().flatten().enumerate() {
        let zeta = ws.z[g].dot(&ndarray::aview1(gm));
        if zeta.iter().all(|&z| z < -18.4) {
            fixed.extend(offset..offset + gm.len());
            found.push(Boundary::ZeroInflationVanished { group: g + 1 });
        }
        offset += gm.len();
    }
    let shared = p.alpha.as_ref().is_some_and(|a| a.len() < p.groups());
    for (g, &a) in p.alpha.iter().flatten().enumerate() {
        if a < super::counts::ALPHA_VANISHED {
            fixed.push(offset);
            found.push(Boundary::DispersionVanished {
                group: (!shared).then_some(g + 1),
            });
        }
        offset += 1;
    }
    (fixed, found)
}
