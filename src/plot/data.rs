//! What is drawn for each group: the fitted curve, the observed means of
//! the persons assigned to it, and its legend text.

use crate::data::Panel;
use crate::diagnostics::assign;
use crate::error::{Error, Result};
use crate::model::TrajectoryModel;

use super::style::STEPS_PER_YEAR;

/// What one group contributes to the plot.
pub(super) struct GroupData {
    /// (age, expected count) along the fitted curve.
    pub curve: Vec<(f64, f64)>,
    /// (age, lower, upper) of the pointwise confidence band, if asked for.
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// (age, mean observed count) of the assigned persons.
    pub means: Vec<(f64, f64)>,
    /// Estimated share π.
    pub share: f64,
    /// Share of the panel's persons assigned to the group.
    pub assigned: f64,
}

pub(super) fn group_data(
    model: &TrajectoryModel,
    panel: &Panel,
    bands: Option<f64>,
) -> Result<Vec<GroupData>> {
    if bands.is_some() && model.covariance().is_none() {
        return Err(Error::param(
            "bands",
            "the model has no covariance matrix, so there are no confidence bands",
        ));
    }
    let (post, _, shares) = model.posteriors_and_shares(panel)?;
    let classes = assign(&post);
    let k = model.groups();
    let ages = model.ages();
    let (first, last) = match (ages.first(), ages.last()) {
        (Some(&a), Some(&b)) => (a as f64, b as f64),
        _ => return Err(Error::param("ages", "the model has no ages")),
    };
    let steps = ((last - first) as usize * STEPS_PER_YEAR).max(1);
    let grid: Vec<f64> = (0..=steps)
        .map(|i| first + (last - first) * i as f64 / steps as f64)
        .collect();
    let t = panel.ages().len();
    let mut sums = vec![vec![0.0; t]; k];
    let mut ns = vec![vec![0usize; t]; k];
    let mut assigned = vec![0usize; k];
    let counts = panel.counts();
    let observed = panel.observed();
    for (i, &g) in classes.iter().enumerate() {
        assigned[g] += 1;
        for j in 0..t {
            if observed[[i, j]] {
                sums[g][j] += counts[[i, j]];
                ns[g][j] += 1;
            }
        }
    }
    let n = classes.len().max(1) as f64;
    (0..k)
        .map(|g| {
            let curve = grid.iter().map(|&a| (a, model.expected_at(g, a))).collect();
            let band = match bands {
                Some(level) => {
                    let (lo, hi) = model.expected_band_at(g, &grid, level)?;
                    Some((0..grid.len()).map(|i| (grid[i], lo[i], hi[i])).collect())
                }
                None => None,
            };
            let means = (0..t)
                .filter(|&j| ns[g][j] > 0)
                .map(|j| (panel.ages()[j] as f64, sums[g][j] / ns[g][j] as f64))
                .collect();
            Ok(GroupData {
                curve,
                band,
                means,
                share: shares[g],
                assigned: assigned[g] as f64 / n,
            })
        })
        .collect()
}

/// The legend text of group `g` (0-based): "Group 1: 65.5% (est.), 65.3%
/// assigned".
pub(super) fn legend_label(g: usize, d: &GroupData, names: Option<&Vec<String>>) -> String {
    let name = names
        .and_then(|n| n.get(g))
        .map_or(format!("Group {}", g + 1), |n| {
            format!("Group {} ({n})", g + 1)
        });
    format!(
        "{name}: {:.1}% (est.), {:.1}% assigned",
        100.0 * d.share,
        100.0 * d.assigned
    )
}
