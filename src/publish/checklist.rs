//! The report's last section: where it answers each item of the GRoLTS
//! checklist (van de Schoot et al. 2017).

use std::fmt::Write;

use super::PublishReport;
use super::markdown::{header, row};

impl PublishReport {
    /// Appends the checklist table.
    pub(super) fn checklist(&self, s: &mut String) {
        let n_models = self.selection.candidates.len();
        let one_group = self.selection.candidates.iter().any(|c| c.n_groups == 1);
        let items: [(&str, String); 21] = [
            ("1. Metric of time", "§1: age in whole years".into()),
            (
                "2. Mean and variance of time within a wave",
                "§1: one occasion per year of age, so time does not vary within a wave".into(),
            ),
            (
                "3a. Missing data mechanism",
                "§1: years not observed are assumed ignorable given the group".into(),
            ),
            (
                "3b. Variables related to missingness",
                "not modelled (traj's `dropout` has no equivalent); §1 gives the share \
                 censored per age"
                    .into(),
            ),
            (
                "3c. How missing data were dealt with",
                "§1: left out of the likelihood".into(),
            ),
            (
                "4. Distribution of the observed variables",
                "§1: per age mean, variance, share of zeros, variance / mean".into(),
            ),
            ("5. Software", "§3 and the command at the top".into()),
            (
                "6a. Within-class heterogeneity",
                "§2: none beyond the count distribution (group-based trajectories, LCGA)".into(),
            ),
            (
                "6b. Between-class variance structure",
                "§2: no random effects; the negative binomial's α per group where fitted".into(),
            ),
            (
                "7. Shape of the trajectories",
                "§2 and §4: polynomial orders of every model tried".into(),
            ),
            (
                "8. Covariates",
                if self.chosen.time_varying_covariates.is_empty()
                    && self.chosen.risk_coefficients.is_empty()
                {
                    "none in the chosen model".into()
                } else {
                    "§5 and the command at the top".into()
                },
            ),
            (
                "9. Random starts and iterations",
                "§3: starts screened, run, reaching the best; iterations".into(),
            ),
            (
                "10. Model comparison tools",
                "§4: both BIC forms, AIC, entropy, AvePP, OCC, adequacy rules".into(),
            ),
            (
                "11. Number of models, including one class",
                format!(
                    "§4: {n_models} model{}{}",
                    if n_models == 1 { "" } else { "s" },
                    if one_group {
                        ", the one-group model among them"
                    } else {
                        "; no one-group model was fitted"
                    }
                ),
            ),
            (
                "12. Cases per class for each model",
                "§4: the smallest group of every model; §5: every group of the chosen one".into(),
            ),
            ("13. Entropy", "§4 and §5".into()),
            (
                "14a. Plot of the final solution's mean trajectories",
                "§6".into(),
            ),
            (
                "14b. Plots for each model",
                "not drawn: only the chosen model's (`gbtm plot` draws any saved model)".into(),
            ),
            (
                "14c. Estimated means with observed trajectories per class",
                "§6: observed means per assigned group, not individual trajectories".into(),
            ),
            (
                "15. Final classes described numerically",
                "§5: shares with SE and interval, n, AvePP, OCC, coefficients with SE".into(),
            ),
            ("16. Syntax available", "the command at the top".into()),
        ];
        let _ = writeln!(
            s,
            "## GRoLTS checklist\n\nWhere this report answers each item of the Guidelines for \
             Reporting on Latent Trajectory Studies (van de Schoot, Sijbrandij, Winter, Depaoli \
             & Vermunt 2017).\n"
        );
        s.push_str(&header(&["item", "where"]));
        for (item, at) in items {
            s.push_str(&row(&[item.to_string(), at]));
        }
    }
}
