//! How good a model is: information criteria, and the classification
//! diagnostics of Nagin (2005): AvePP, OCC, assigned shares and entropy.
//!
//! Conventions (see docs/model.md):
//! - BIC in traj's form, `LL − ½·P·ln(N)`, larger is better, with N the number
//!   of persons ([`bic`]) or of observed person-years;
//! - AIC in the same orientation, `LL − P`;
//! - a person is assigned to the group of highest posterior (ties: lowest index);
//! - `OCC_k = [AvePP_k / (1 − AvePP_k)] / [π̂_k / (1 − π̂_k)]` with the estimated
//!   π̂_k.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::fit::Fit;

/// The largest OCC reported (reached when AvePP rounds to 1, and for K = 1).
///
/// ```
/// use gbtm::diagnostics::{Diagnostics, OCC_CAP};
/// use ndarray::array;
/// // Certain classification (and any one-group model) reports the cap, never infinity.
/// let d = Diagnostics::new(&array![[1.0, 0.0], [0.0, 1.0]], &[0.5, 0.5]);
/// assert_eq!(d.groups[0].occ, OCC_CAP);
/// ```
pub const OCC_CAP: f64 = 1e15;

/// traj's BIC: `ll − 0.5·parameters·ln(n)`; larger is better.
///
/// ```
/// assert_eq!(gbtm::diagnostics::bic(-100.0, 4, 1.0), -100.0);
/// ```
pub fn bic(ll: f64, parameters: usize, n: f64) -> f64 {
    ll - 0.5 * parameters as f64 * n.ln()
}

/// AIC in traj's orientation: `ll − parameters`; larger is better.
///
/// ```
/// assert_eq!(gbtm::diagnostics::aic(-100.0, 4), -104.0);
/// ```
pub fn aic(ll: f64, parameters: usize) -> f64 {
    ll - parameters as f64
}

/// Adequacy figures of one group. See the example of [`Diagnostics`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDiagnostics {
    /// Estimated group probability π̂_k.
    pub proportion: f64,
    /// Persons assigned to the group (maximum posterior).
    pub n_assigned: usize,
    /// Share of persons assigned to the group.
    pub assigned_share: f64,
    /// Mean posterior of the group over the persons assigned to it (0 if none is).
    pub avepp: f64,
    /// Odds of correct classification (0 if nobody is assigned; at most 1e15).
    pub occ: f64,
}

/// Classification diagnostics of a whole model.
///
/// ```
/// use gbtm::diagnostics::Diagnostics;
/// use ndarray::array;
/// let post = array![[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]];
/// let d = Diagnostics::new(&post, &[0.6, 0.4]);
/// assert!((d.groups[0].avepp - 0.85).abs() < 1e-12);
/// // OCC = (0.85 / 0.15) / (0.6 / 0.4)
/// assert!((d.groups[0].occ - (0.85 / 0.15) / 1.5).abs() < 1e-9);
/// assert_eq!(d.groups[1].n_assigned, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// One entry per group.
    pub groups: Vec<GroupDiagnostics>,
    /// Relative entropy `1 + Σ p·ln p / (N·ln K)`; 1 is perfect separation
    /// (and 1 by definition for K = 1).
    pub entropy: f64,
}

/// The group of highest posterior for each person, as a 0-based index
/// (ties: lowest index).
///
/// ```
/// use ndarray::array;
/// assert_eq!(gbtm::diagnostics::assign(&array![[0.2, 0.8], [0.5, 0.5]]), vec![1, 0]);
/// ```
pub fn assign(post: &Array2<f64>) -> Vec<usize> {
    post.rows()
        .into_iter()
        .map(|r| {
            let mut best = 0;
            let mut top = f64::NEG_INFINITY;
            for (k, &v) in r.iter().enumerate() {
                if v > top {
                    (best, top) = (k, v);
                }
            }
            best
        })
        .collect()
}

impl Fit {
    /// Each fitted person's group by maximum posterior, as a 0-based index
    /// (ties to the lower group); see [`assign`].
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(200, 5);
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&cohort.panel)?;
    /// let groups = fit.assignments();
    /// assert_eq!(groups.len(), cohort.panel.n_persons());
    /// assert!(groups.iter().all(|&g| g < 2));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn assignments(&self) -> Vec<usize> {
        assign(self.posteriors())
    }
}

impl Diagnostics {
    /// Diagnostics from posteriors (persons × groups) and estimated shares
    /// (a share missing from `pi` counts as 0).
    ///
    /// See the example of [`Diagnostics`].
    pub fn new(post: &Array2<f64>, pi: &[f64]) -> Diagnostics {
        let (n, k) = post.dim();
        let pi: Vec<f64> = (0..k).map(|g| pi.get(g).copied().unwrap_or(0.0)).collect();
        let groups_of = assign(post);
        let mut sum_p = vec![0.0; k];
        let mut sum_q = vec![0.0; k];
        let mut count = vec![0usize; k];
        for (i, &g) in groups_of.iter().enumerate() {
            count[g] += 1;
            sum_p[g] += post[[i, g]];
            // 1 − p computed as the sum of the other groups' posteriors, which
            // keeps its precision when p is close to 1.
            sum_q[g] += (0..k)
                .filter(|&j| j != g)
                .map(|j| post[[i, j]])
                .sum::<f64>();
        }
        let groups = (0..k)
            .map(|g| {
                let (avepp, occ) = if count[g] == 0 {
                    (0.0, 0.0)
                } else if k == 1 {
                    // One group: classification is certain; OCC takes its cap.
                    (1.0, OCC_CAP)
                } else {
                    let a = sum_p[g] / count[g] as f64;
                    let q = (sum_q[g] / count[g] as f64).max(1e-300);
                    let odds_pi = pi[g] / (1.0 - pi[g]).max(1e-300);
                    (a, ((a / q) / odds_pi).min(OCC_CAP))
                };
                GroupDiagnostics {
                    proportion: pi[g],
                    n_assigned: count[g],
                    assigned_share: count[g] as f64 / n.max(1) as f64,
                    avepp,
                    occ,
                }
            })
            .collect();
        let entropy = if k < 2 || n == 0 {
            1.0
        } else {
            let s: f64 = post.iter().filter(|&&p| p > 0.0).map(|&p| p * p.ln()).sum();
            1.0 + s / (n as f64 * (k as f64).ln())
        };
        Diagnostics { groups, entropy }
    }
}
