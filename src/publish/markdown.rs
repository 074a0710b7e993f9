//! The report as Markdown: numbered sections, then the GRoLTS checklist
//! pointing at them.

use std::fmt::Write;

use super::PublishReport;
use crate::em::Refinement;
use crate::model::covariance::term_name;

/// A Markdown table row.
pub(super) fn row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

pub(super) fn header(cells: &[&str]) -> String {
    let mut s = row(&cells.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    s.push_str(&row(&vec!["---".to_string(); cells.len()]));
    s
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.digits$}"))
}

/// `3,3,2`, with `/0,0,1` for zero-inflation orders.
fn orders(o: &[usize], q: Option<&[usize]>) -> String {
    let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    match q {
        Some(q) => format!("{}/{}", join(o), join(q)),
        None => join(o),
    }
}

impl PublishReport {
    /// The report as one Markdown document (section numbers are those of
    /// its GRoLTS checklist). See the example of [`PublishReport::new`].
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Group-based trajectory analysis of {}\n",
            self.data.source
        );
        let _ = writeln!(
            s,
            "Written by gbtm {} (group-based trajectory modelling in Rust). The command that \
             reproduces this report, its numbers and its figures exactly:\n\n```sh\n{}\n```\n",
            env!("CARGO_PKG_VERSION"),
            self.facts.command
        );
        if self.facts.round_counts > 1 {
            let _ = writeln!(
                s,
                "Person counts are rounded to multiples of {}; shares of persons are computed \
                 from the rounded counts.\n",
                self.facts.round_counts
            );
        }
        self.data_section(&mut s);
        self.model_section(&mut s);
        self.estimation_section(&mut s);
        self.models_tried_section(&mut s);
        self.chosen_section(&mut s);
        let (plain, bands) = &self.facts.figures;
        let pct = 100.0 * self.facts.level;
        let _ = writeln!(
            s,
            "## 6. Figures\n\nThe estimated mean trajectories of the chosen model (expected count \
             per year at exposure 1) with the observed mean count of the persons assigned to \
             each group (points):\n\n![Trajectories with observed means]({plain})\n\n\
             The same with pointwise {pct}% confidence bands (delta method, log scale):\n\n\
             ![Trajectories with {pct}% confidence bands]({bands})\n"
        );
        self.checklist(&mut s);
        s
    }

    fn data_section(&self, s: &mut String) {
        let d = &self.data;
        let ages = (d.ages.first(), d.ages.last());
        let (from, to) = (ages.0.map_or(0, |r| r.age), ages.1.map_or(0, |r| r.age));
        let _ = writeln!(
            s,
            "## 1. Data\n\n**Time metric.** Age in whole years, {from} to {to} ({} yearly \
             occasions); the outcome is the count per person and year of age{}.\n\n\
             **Sample.** {} persons with at least one observed year, {} observed person-years, \
             {} counted events in all.\n\n\
             **Missing years.** A year a person was not observed (censored by the end of \
             follow-up, or missing) is left out of the likelihood, never counted as 0; this \
             assumes that whether a year is observed does not depend on the count, given the \
             group. The last column gives the share of persons not observed at each age after \
             their first observed year.\n",
            d.ages.len(),
            if d.exposure {
                ", with exposure (time at risk) as an offset"
            } else {
                ""
            },
            d.persons,
            d.person_years,
            d.total_count
        );
        s.push_str(&header(&[
            "age",
            "persons observed",
            "mean",
            "variance",
            "share of zeros",
            "variance / mean",
            "share censored",
        ]));
        for r in &d.ages {
            s.push_str(&row(&[
                r.age.to_string(),
                r.observed.to_string(),
                format!("{:.3}", r.mean),
                format!("{:.3}", r.variance),
                format!("{:.3}", r.zero_share),
                opt(r.variance_to_mean, 2),
                format!("{:.3}", r.censored_share),
            ]));
        }
        s.push('\n');
    }

    fn model_section(&self, s: &mut String) {
        let c = &self.chosen;
        let sc = c.age_scaling;
        let iorders: Option<Vec<usize>> = c.groups.iter().map(|g| g.iorder).collect();
        let _ = writeln!(
            s,
            "## 2. Model\n\nA finite mixture of {} trajectories (Nagin 2005): within group k the \
             count at age t has log rate ln λ_kt = β_k0 + β_k1·s + … + β_kp·s^p, a polynomial \
             in the scaled age s = (age − {}) / {}; the same curves as a polynomial in age. \
             Orders per group (chosen model): {}.{}{} Group shares are multinomial logits \
             against group 1.\n",
            c.model.long_name(),
            sc.center,
            sc.scale,
            orders(
                &c.groups.iter().map(|g| g.order).collect::<Vec<_>>(),
                iorders.as_deref()
            ),
            if iorders.is_some() {
                " The zero inflation ω_kt is a logit polynomial of the given order (after the /)."
            } else {
                ""
            },
            if c.groups.iter().any(|g| g.dispersion.is_some()) {
                " Counts are negative binomial around the group curve: Var = μ + α_k·μ²."
            } else {
                ""
            }
        );
    }

    fn estimation_section(&self, s: &mut String) {
        let c = &self.chosen;
        let refinement = match c.refinement {
            Refinement::Ran => format!(
                "refinement runs: {} ({} at the best)",
                c.refinement_runs, c.refinement_at_best
            ),
            r => r.to_string(),
        };
        let _ = writeln!(
            s,
            "## 3. Estimation\n\n**Software.** gbtm {}, maximum likelihood by EM with a Newton \
             polish; seed {}, {} worker thread{} (results do not depend on the number).\n\n\
             **Starts.** For each model, {} starts run to convergence, chosen by screening {} \
             seeded starts (random soft assignments and k-means, and for K ≥ 2 the K − 1 \
             group solution split); then split-merge and random-move refinement unless the \
             starts agreed (docs/model.md §4). For the chosen model {} of {} starts reached the \
             best log-likelihood; {}; distinct optima found: \
             {}; runs that ended degenerate: {}.\n\n\
             **Convergence.** Relative log-likelihood change below 1e-10 and every score \
             component below 1e-8 per person. The chosen model: {} after {} iterations, largest \
             score per person {:.1e}, Hessian {} (a strict maximum{}).\n",
            env!("CARGO_PKG_VERSION"),
            c.seed,
            self.facts.threads,
            if self.facts.threads == 1 { "" } else { "s" },
            c.starts,
            c.screened,
            c.starts_at_best,
            c.starts,
            refinement,
            c.local_optima.len(),
            c.degenerate_starts,
            if c.converged {
                "converged"
            } else {
                "NOT converged"
            },
            c.iterations,
            c.max_score,
            if c.hessian_negative_definite {
                "negative definite"
            } else {
                "NOT negative definite"
            },
            if c.hessian_negative_definite {
                ""
            } else {
                ": not shown"
            }
        );
        for b in &c.boundary {
            let _ = writeln!(s, "- Boundary: {b}.");
        }
        if !c.boundary.is_empty() {
            s.push('\n');
        }
    }

    fn models_tried_section(&self, s: &mut String) {
        let sel = &self.selection;
        let _ = writeln!(
            s,
            "## 4. Every model tried\n\nBIC = LL − ½·P·ln N (traj's form, larger is better; \
             R and Mplus report −2 times it) with N = persons, and with N = observed \
             person-years; AIC = LL − P. The model was chosen by the largest {} among the \
             converged candidates. AvePP, OCC and the smallest group are the smallest over the \
             groups; adequacy: every AvePP ≥ 0.7, OCC > 5, |π̂ − assigned share| ≤ 0.05, π̂·N ≥ \
             30 and π̂ ≥ 0.05 (Nagin 2005), reported, not enforced.\n",
            sel.criterion.label()
        );
        s.push_str(&header(&[
            "",
            "model",
            "K",
            "orders",
            "LL",
            "P",
            "BIC (persons)",
            "BIC (person-years)",
            "AIC",
            "entropy",
            "min AvePP",
            "min OCC",
            "smallest group",
            "converged",
            "adequate",
        ]));
        for (j, c) in sel.candidates.iter().enumerate() {
            let mark = if sel.selected == Some(j) {
                "**→**"
            } else {
                ""
            };
            let o = orders(&c.orders, c.iorders.as_deref());
            let mut cells = vec![
                mark.to_string(),
                c.family.to_string(),
                c.n_groups.to_string(),
                o,
            ];
            match &c.fit {
                Some(f) => {
                    let smallest = f
                        .groups
                        .iter()
                        .min_by(|a, b| a.proportion.total_cmp(&b.proportion))
                        .map_or("–".to_string(), |g| {
                            format!("{:.3} ({} assigned)", g.proportion, g.n_assigned)
                        });
                    cells.extend([
                        format!("{:.2}", f.log_likelihood),
                        f.parameters.to_string(),
                        format!("{:.2}", f.bic),
                        format!("{:.2}", f.bic_observations),
                        format!("{:.2}", f.aic),
                        format!("{:.3}", f.entropy),
                        opt(c.min_avepp, 3),
                        // One group: OCC is not defined.
                        opt(c.min_occ.filter(|_| c.n_groups > 1), 1),
                        smallest,
                        if f.converged { "yes" } else { "no" }.to_string(),
                        if c.adequate { "yes" } else { "no" }.to_string(),
                    ]);
                }
                None => {
                    cells.push(format!(
                        "failed: {}",
                        c.error.as_deref().unwrap_or("no usable fit")
                    ));
                    cells.extend((0..10).map(|_| "–".to_string()));
                }
            }
            s.push_str(&row(&cells));
        }
        s.push('\n');
    }

    fn chosen_section(&self, s: &mut String) {
        let c = &self.chosen;
        let pct = 100.0 * c.level;
        let _ = writeln!(
            s,
            "## 5. The chosen model\n\n{} {} groups: log-likelihood {:.4}, {} parameters, BIC \
             {:.2} (persons), {:.2} (person-years), AIC {:.2}, relative entropy {:.3}.\n",
            c.groups.len(),
            c.model.long_name(),
            c.log_likelihood,
            c.parameters,
            c.bic,
            c.bic_observations,
            c.aic,
            c.entropy
        );
        let ci = format!("{pct}% interval");
        s.push_str(&header(&[
            "group",
            "share π̂",
            "SE",
            &ci,
            "assigned (n)",
            "assigned share",
            "AvePP",
            "OCC",
        ]));
        for (g, gr) in c.groups.iter().enumerate() {
            s.push_str(&row(&[
                (g + 1).to_string(),
                format!("{:.4}", gr.proportion),
                opt(gr.proportion_se, 4),
                match (gr.proportion_lower, gr.proportion_upper) {
                    (Some(a), Some(b)) => format!("[{a:.4}, {b:.4}]"),
                    _ => "–".to_string(),
                },
                gr.n_assigned.to_string(),
                format!("{:.4}", gr.assigned_share),
                format!("{:.3}", gr.avepp),
                if c.groups.len() > 1 {
                    format!("{:.1}", gr.occ)
                } else {
                    "–".to_string()
                },
            ]));
        }
        let _ = writeln!(
            s,
            "\nCoefficients (log rate on the scaled age; for ZIP `zi.` rows are the logit of \
             ω; for the negative binomial `alpha` is the dispersion, its SE by the delta \
             method):\n"
        );
        if let Some(p) = &c.covariance_problem {
            let _ = writeln!(s, "No standard errors: {p}.\n");
        }
        s.push_str(&header(&["group", "parameter", "estimate", "SE", "z"]));
        for (g, gr) in c.groups.iter().enumerate() {
            let mut line = |name: String, est: f64, se: Option<f64>, z: bool| {
                let z = match se {
                    Some(se) if z && se > 0.0 => format!("{:.2}", est / se),
                    _ => "–".to_string(),
                };
                s.push_str(&row(&[
                    (g + 1).to_string(),
                    name,
                    format!("{est:.6}"),
                    opt(se, 6),
                    z,
                ]));
            };
            for (j, b) in gr.coefficients.iter().enumerate() {
                let se = gr.coefficient_se.as_ref().map(|v| v[j]);
                line(term_name(j), *b, se, true);
            }
            for (j, b) in gr.tcov_coefficients.iter().flatten().enumerate() {
                let se = gr.tcov_coefficient_se.as_ref().map(|v| v[j]);
                let name = c
                    .time_varying_covariates
                    .get(j)
                    .cloned()
                    .unwrap_or_default();
                line(format!("tcov.{name}"), *b, se, true);
            }
            for (j, b) in gr.zero_inflation_coefficients.iter().flatten().enumerate() {
                let se = gr.zero_inflation_coefficient_se.as_ref().and_then(|v| v[j]);
                line(format!("zi.{}", term_name(j)), *b, se, true);
            }
            if let Some(a) = gr.dispersion {
                line(
                    "alpha".to_string(),
                    a,
                    gr.dispersion_interval.map(|i| i.se),
                    false,
                );
            }
        }
        s.push('\n');
    }
}
