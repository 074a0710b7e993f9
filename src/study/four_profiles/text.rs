//! The readable report of a reproduction, beside the published figures.

use super::{CATEGORIES, Reproduction};

impl Reproduction {
    /// A readable report: the selection, the adequacy table, the profiles,
    /// and the figures beside the report's. See the example of
    /// [`reproduce`](super::reproduce).
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Selected by BIC over Poisson and ZIP (iorder 0) cubic models, K = 1..{}: {} groups, {} model, BIC {:.2}\n",
            self.candidates.len() / 2,
            self.selected_groups,
            self.model,
            self.bic
        );
        let _ = writeln!(s, " K  model     BIC(persons)  adequate");
        for (i, c) in self.candidates.iter().enumerate() {
            let bic = c
                .fit
                .as_ref()
                .map_or("failed".to_string(), |f| format!("{:.2}", f.bic));
            let model = c.family.to_string();
            let mark = if i == self.selected { "*" } else { " " };
            let _ = writeln!(
                s,
                "{mark}{:>1}  {model:<8}  {bic:>12}  {}",
                c.n_groups,
                if c.adequate { "yes" } else { "no" }
            );
        }
        let _ = writeln!(
            s,
            "\nprofile      group  share(est)  share(assigned)  AvePP    OCC  mean/yr  cases%  1st case 12-35  <18"
        );
        for p in &self.groups {
            let _ = writeln!(
                s,
                "{:<11}  {:>5}  {:>10.3}  {:>15.3}  {:>5.3}  {:>5.1}  {:>7.3}  {:>6.1}  {:>14}  {:>4.0}%",
                p.label,
                p.group,
                p.proportion,
                p.assigned_share,
                p.avepp,
                p.occ,
                p.mean_rate,
                100.0 * p.case_share,
                p.mean_first_case_age
                    .map_or("-".to_string(), |a| format!("{a:.1}")),
                100.0 * p.share_first_case_under_18
            );
        }
        let _ = writeln!(s, "\ncases per person (assigned persons):");
        let _ = write!(s, "{:<11}", "profile");
        for c in CATEGORIES {
            let _ = write!(s, "  {:>5}", c.0);
        }
        let _ = writeln!(s);
        for p in &self.groups {
            let _ = write!(s, "{:<11}", p.label);
            for c in CATEGORIES {
                let _ = write!(
                    s,
                    "  {:>5}",
                    p.case_categories.get(c.0).copied().unwrap_or(0)
                );
            }
            let _ = writeln!(s);
        }
        s.push_str(&self.nb_text());
        s.push_str(&self.comparison_text());
        s
    }

    /// The negative-binomial selection beside the Poisson/ZIP one.
    fn nb_text(&self) -> String {
        use std::fmt::Write;
        let Some(nb) = &self.negative_binomial else {
            return String::new();
        };
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\nnegative-binomial (NB2, dispersion per group) cubic models of the same cohort:"
        );
        let _ = writeln!(s, " K  BIC(persons)  adequate");
        for c in &nb.candidates {
            let bic = c
                .fit
                .as_ref()
                .map_or("failed".to_string(), |f| format!("{:.2}", f.bic));
            let mark = if Some(c.n_groups) == nb.selected_groups {
                "*"
            } else {
                " "
            };
            let _ = writeln!(
                s,
                "{mark}{:>1}  {bic:>12}  {}",
                c.n_groups,
                if c.adequate { "yes" } else { "no" }
            );
        }
        let verdict = match (nb.selected_groups, nb.bic) {
            (Some(k), Some(bic)) => {
                let also = if k == self.selected_groups {
                    "the same K as"
                } else {
                    "a different K from"
                };
                let vs = self.bic - bic;
                format!(
                    "NB selects {k} groups{} (BIC {bic:.2}), {also} the {} selection; the selected {} model's BIC is {:.1} {} it",
                    if nb.adequate { "" } else { ", not adequate" },
                    self.model,
                    self.model,
                    vs.abs(),
                    if vs >= 0.0 { "above" } else { "below" }
                )
            }
            _ => "NB: no model converged".to_string(),
        };
        let _ = writeln!(s, "{verdict}");
        s
    }
}

impl Reproduction {
    /// The figures beside the report's: the four-group BIC, per profile the
    /// share, mean rate, case share and first-case figures, and the totals
    /// with the forecast addition.
    fn comparison_text(&self) -> String {
        use std::fmt::Write;
        let p = &self.published;
        let mut s = String::new();
        let diff = |a: f64, b: f64| format!("{:+.0}", a - b);
        let _ = writeln!(s, "\ncompared with the report:");
        match (self.bic_four_groups, self.model_four_groups) {
            (Some(bic), Some(model)) => {
                let _ = writeln!(
                    s,
                    "BIC of the 4-group model (traj's form, N = persons): report {:.2}   gbtm {bic:.2} ({model})   difference {}",
                    p.bic,
                    diff(bic, p.bic)
                );
            }
            _ => {
                let _ = writeln!(
                    s,
                    "BIC of the 4-group model: report {:.2}   gbtm: no 4-group model converged",
                    p.bic
                );
            }
        }
        let _ = writeln!(
            s,
            "\n{:<11}  {:>13}  {:>13}  {:>13}  {:>17}  {:>13}",
            "profile", "share", "mean/yr", "cases%", "first case (all)", "<18 (all)"
        );
        let _ = writeln!(
            s,
            "{:<11}  {:>13}  {:>13}  {:>13}  {:>17}  {:>13}",
            "", "report gbtm", "report gbtm", "report gbtm", "report  gbtm", "report gbtm"
        );
        for q in &p.profiles {
            let Some(g) = self.groups.iter().find(|g| g.label == q.label) else {
                let _ = writeln!(s, "{:<11}  gbtm: no such group", q.label);
                continue;
            };
            // The report's first-case figures use all data; without them,
            // the window's (marked w).
            let (first, under18, mark) = match &g.first_case_all_ages {
                Some(f) => (f.mean_age, f.share_under_18, ' '),
                None => (g.mean_first_case_age, g.share_first_case_under_18, 'w'),
            };
            let _ = writeln!(
                s,
                "{:<11}  {:>5.0}% {:>5.1}%  {:>6.2} {:>6.3}  {:>5.0}% {:>5.1}%  {:>6.1} {:>5}{mark}  {:>5.0}% {:>4.0}%{mark}",
                q.label,
                100.0 * q.share,
                100.0 * g.proportion,
                q.mean_rate,
                g.mean_rate,
                100.0 * q.case_share,
                100.0 * g.case_share,
                q.mean_first_case_age,
                first.map_or("-".to_string(), |a| format!("{a:.1}")),
                100.0 * q.share_first_case_under_18,
                100.0 * under18
            );
        }
        if self.groups.iter().any(|g| g.first_case_all_ages.is_none()) {
            let _ = writeln!(
                s,
                "(w: first cases in the window {}-{} only; give --first-cases for all data)",
                self.ages.first().copied().unwrap_or(0),
                self.ages.last().copied().unwrap_or(0)
            );
        }
        let (from, to) = (
            self.ages.first().copied().unwrap_or(0),
            self.ages.last().copied().unwrap_or(0),
        );
        let _ = writeln!(
            s,
            "\ntotal registered cases, ages {from}-{to}: report {:.0}   gbtm {:.0} ({:+.1}%)",
            p.total_cases,
            self.total_cases,
            100.0 * (self.total_cases / p.total_cases - 1.0)
        );
        let _ = writeln!(
            s,
            "added by the forecast until {to} of persons not yet observed that far: report +{:.0}   gbtm +{:.0} ({:+.1}%); total with it: report {:.0}   gbtm {:.0}",
            p.forecast_addition,
            self.forecast_addition,
            100.0 * (self.forecast_addition / p.forecast_addition - 1.0),
            p.total_cases + p.forecast_addition,
            self.total_cases_with_forecast
        );
        s
    }
}
