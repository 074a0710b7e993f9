//! The readable report of a reproduction, beside the published figures.

use super::{CATEGORIES, PUBLISHED, Reproduction};

impl Reproduction {
    /// A readable report: the selection, the adequacy table, the profiles
    /// next to the published figures, and the totals.
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
            let model = if i < self.candidates.len() / 2 {
                "poisson"
            } else {
                "zip"
            };
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
            "\nprofile      group  share(est)  share(assigned)  AvePP    OCC  mean/yr  cases%  first case  <18"
        );
        for p in &self.groups {
            let _ = writeln!(
                s,
                "{:<11}  {:>5}  {:>10.3}  {:>15.3}  {:>5.3}  {:>5.1}  {:>7.3}  {:>6.1}  {:>10}  {:>4.0}%",
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
        let _ = writeln!(
            s,
            "\ncompared with the report (share, mean cases per observed year):"
        );
        for (label, share, rate) in PUBLISHED {
            match self.groups.iter().find(|p| p.label == label) {
                Some(p) => {
                    let _ = writeln!(
                        s,
                        "{label:<11}  report {:.2} / {:.2}   gbtm {:.3} / {:.3}",
                        share, rate, p.proportion, p.mean_rate
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "{label:<11}  report {share:.2} / {rate:.2}   gbtm: no such group"
                    );
                }
            }
        }
        let _ = writeln!(
            s,
            "\ntotal registered cases, ages {}-{}: {:.0}; with the expected cases until {} of persons not yet observed that far: {:.0}",
            self.ages.first().copied().unwrap_or(0),
            self.ages.last().copied().unwrap_or(0),
            self.total_cases,
            self.ages.last().copied().unwrap_or(0),
            self.total_cases_with_forecast
        );
        s
    }
}
