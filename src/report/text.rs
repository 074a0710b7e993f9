//! The readable fit report: statistics, the group table, the coefficient
//! table as traj prints one (estimate, SE, z, p), and the rates.

use std::fmt::Write;

use statrs::function::erf::erfc;

use super::FitSummary;
use crate::em::Refinement;
use crate::model::covariance::term_name;

/// The two-sided p-value of a standard normal z.
///
/// ```
/// use gbtm::report::p_value;
/// assert!((p_value(1.959963984540054) - 0.05).abs() < 1e-9);
/// assert_eq!(p_value(0.0), 1.0);
/// ```
pub fn p_value(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// A p-value as a fixed-width cell.
fn p_text(p: f64) -> String {
    if p < 1e-4 {
        "<.0001".to_string()
    } else {
        format!("{p:.4}")
    }
}

impl FitSummary {
    /// A readable report: fit statistics, the group table with the shares'
    /// intervals, the coefficient table (estimate, SE, z, p) on the scaled
    /// age, and the rates.
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&synth::three_groups(200, 5).panel)?;
    /// let s = fit.summary();
    /// let text = s.to_text();
    /// assert!(text.starts_with("gbtm fit: poisson model, 2 groups, ages 12-35"));
    /// assert!(text.contains("coefficients: log λ on the scaled age s = (age − 23.5) / 11.5"));
    /// // On raw age the same fit reads as traj prints an unscaled age.
    /// let raw = s.to_text_in_raw_age();
    /// assert!(raw.contains("raw age") && !raw.contains("scaled age s ="), "{raw}");
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn to_text(&self) -> String {
        self.text(false)
    }

    /// The same report with the log-rate coefficients on raw age
    /// (`η = Σ_m b_m·ageᵐ`, SEs by the delta method), as traj prints them
    /// when age is given unscaled.
    ///
    /// See the example of [`FitSummary::to_text`].
    pub fn to_text_in_raw_age(&self) -> String {
        self.text(true)
    }

    fn text(&self, raw_age: bool) -> String {
        let mut s = String::new();
        let k = self.groups.len();
        let _ = writeln!(
            s,
            "gbtm fit: {} model, {} group{}, ages {}-{}",
            self.model,
            k,
            if k == 1 { "" } else { "s" },
            self.ages.first().copied().unwrap_or(0),
            self.ages.last().copied().unwrap_or(0)
        );
        let _ = writeln!(
            s,
            "persons {} (dropped {} with no observed year), observed person-years {}",
            self.n_persons, self.n_dropped, self.n_observations
        );
        let _ = writeln!(
            s,
            "log-likelihood {:.6}   parameters {}   BIC {:.3} (persons)   BIC {:.3} (observations)   AIC {:.3}",
            self.log_likelihood, self.parameters, self.bic, self.bic_observations, self.aic
        );
        let _ = writeln!(
            s,
            "entropy {:.4}   {} after {} iterations   max |score|/N {:.1e}   Hessian {}",
            self.entropy,
            if self.converged {
                "converged".to_string()
            } else {
                format!("NOT CONVERGED ({})", self.termination)
            },
            self.iterations,
            self.max_score,
            if self.hessian_negative_definite {
                "negative definite (a maximum)"
            } else {
                "NOT negative definite"
            }
        );
        let starts = if self.screened == 0 {
            "a single start".to_string()
        } else {
            format!(
                "{} starts, the best of {} screened, {} reached the best",
                self.starts, self.screened, self.starts_at_best
            )
        };
        let refinement = match self.refinement {
            Refinement::Ran => format!(
                "{}: {} runs, {} at the best",
                self.refinement, self.refinement_runs, self.refinement_at_best
            ),
            Refinement::StartsAgreed => format!(
                "no refinement ({}, and at least half the starts agreed)",
                self.model.long_name()
            ),
            r => r.to_string(),
        };
        let _ = writeln!(
            s,
            "{starts}; {refinement}; {} distinct optima; {} degenerate; seed {}",
            self.local_optima.len(),
            self.degenerate_starts,
            self.seed
        );
        if self.exposure {
            let _ = writeln!(s, "exposure (time at risk) entered as an offset");
        }
        for note in &self.boundary {
            let _ = writeln!(s, "boundary: {note}");
        }
        if let Some(base) = self.counts_rounded_to {
            let _ = writeln!(
                s,
                "person counts rounded to multiples of {base}; assigned shares computed from the rounded counts"
            );
        }
        let pct = format!("{}%", 100.0 * self.level);
        let _ = writeln!(
            s,
            "\ngroup  order  share(est)      SE  {:>17}  assigned  share(assigned)  AvePP      OCC",
            format!("{pct} interval")
        );
        for (g, gr) in self.groups.iter().enumerate() {
            let (se, ci) = match (gr.proportion_se, gr.proportion_lower, gr.proportion_upper) {
                (Some(se), Some(lo), Some(hi)) => {
                    (format!("{se:.4}"), format!("[{lo:.4}, {hi:.4}]"))
                }
                _ => ("-".to_string(), "-".to_string()),
            };
            let _ = writeln!(
                s,
                "{:>5}  {:>5}  {:>10.4}  {:>6}  {:>17}  {:>8}  {:>15.4}  {:>5.3}  {:>7.1}",
                g + 1,
                gr.order,
                gr.proportion,
                se,
                ci,
                gr.n_assigned,
                gr.assigned_share,
                gr.avepp,
                gr.occ
            );
        }
        self.coefficient_table(&mut s, raw_age);
        self.risk_table(&mut s);
        let zip = self.groups.iter().any(|g| g.zero_inflation.is_some());
        let _ = write!(
            s,
            "\n{}{}\n  age",
            if zip {
                "rate λ (Poisson mean at exposure 1; the expected count is (1 − ω)·λ), and ω"
            } else {
                "rate λ (expected count per year at exposure 1)"
            },
            if self.time_varying_covariates.is_empty() {
                ""
            } else {
                "; at time-varying covariates 0"
            }
        );
        for g in 0..k {
            let _ = write!(s, "  λ group{:<3}", g + 1);
        }
        if zip {
            for g in 0..k {
                let _ = write!(s, "  ω group{:<3}", g + 1);
            }
        }
        let _ = writeln!(s);
        for (t, age) in self.ages.iter().enumerate() {
            let _ = write!(s, "{age:>5}");
            for gr in &self.groups {
                let _ = write!(s, "  {:>10.4}", gr.rate[t]);
            }
            for gr in self.groups.iter().filter_map(|g| g.zero_inflation.as_ref()) {
                let _ = write!(s, "  {:>10.4}", gr[t]);
            }
            let _ = writeln!(s);
        }
        s
    }

    fn risk_table(&self, s: &mut String) {
        let Some(first) = self.risk_coefficients.first() else {
            return;
        };
        let _ = writeln!(
            s,
            "\nrisk factors on group membership: multinomial logit against group {} (odds ratios with {}% intervals)",
            first.reference,
            100.0 * self.level
        );
        let _ = writeln!(
            s,
            "group  term                 estimate          SE          z        p   odds ratio            interval"
        );
        for c in &self.risk_coefficients {
            let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("-".to_string(), f);
            let interval = match (c.odds_ratio_lower, c.odds_ratio_upper) {
                (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
                _ => "-".to_string(),
            };
            let _ = writeln!(
                s,
                "{:>5}  {:<16}  {:>12.6}  {:>10}  {:>9}  {:>7}  {:>11.4}  {interval}",
                c.group,
                c.term,
                c.estimate,
                opt(c.se, &|v| format!("{v:.6}")),
                opt(c.z, &|v| format!("{v:.2}")),
                opt(c.p, &|v| p_text(v)),
                c.odds_ratio,
            );
        }
    }

    fn coefficient_table(&self, s: &mut String, raw_age: bool) {
        let scale = &self.age_scaling;
        let _ = writeln!(
            s,
            "\ncoefficients: log λ on {}{}",
            if raw_age {
                "raw age (η = Σ b_m·ageᵐ)".to_string()
            } else {
                format!(
                    "the scaled age s = (age − {}) / {}",
                    scale.center, scale.scale
                )
            },
            if self.groups.iter().any(|g| g.iorder.is_some()) {
                "; logit ω on the scaled age"
            } else {
                ""
            }
        );
        if let Some(problem) = &self.covariance_problem {
            let _ = writeln!(s, "no standard errors: {problem}");
        }
        let _ = writeln!(
            s,
            "group  parameter            estimate          SE          z        p"
        );
        let row = |s: &mut String, g: usize, name: String, est: f64, se: Option<f64>| {
            let (se_t, z_t, p_t) = match se {
                Some(se) if se > 0.0 => (
                    format!("{se:.6}"),
                    format!("{:.2}", est / se),
                    p_text(super::text::p_value(est / se)),
                ),
                _ => ("-".into(), "-".into(), "-".into()),
            };
            let _ = writeln!(
                s,
                "{:>5}  {:<16}  {:>12.6}  {:>10}  {:>9}  {:>7}",
                g + 1,
                name,
                est,
                se_t,
                z_t,
                p_t
            );
        };
        for (g, gr) in self.groups.iter().enumerate() {
            let (coef, se) = if raw_age {
                (&gr.raw_age_coefficients, gr.raw_age_coefficient_se.as_ref())
            } else {
                (&gr.coefficients, gr.coefficient_se.as_ref())
            };
            for (j, c) in coef.iter().enumerate() {
                row(s, g, term_name(j), *c, se.map(|v| v[j]));
            }
            if let Some(tc) = &gr.tcov_coefficients {
                for (j, c) in tc.iter().enumerate() {
                    let se = gr.tcov_coefficient_se.as_ref().map(|v| v[j]);
                    let name = format!("tcov.{}", self.time_varying_covariates[j]);
                    row(s, g, name, *c, se);
                }
            }
            if let Some(zc) = &gr.zero_inflation_coefficients {
                for (j, c) in zc.iter().enumerate() {
                    let se = gr.zero_inflation_coefficient_se.as_ref().and_then(|v| v[j]);
                    row(s, g, format!("zi.{}", term_name(j)), *c, se);
                }
            }
            // The dispersion, without a z test: α = 0 is the boundary.
            if let Some(a) = gr.dispersion {
                let se = gr
                    .dispersion_interval
                    .map_or("-".to_string(), |i| format!("{:.6}", i.se));
                let _ = writeln!(
                    s,
                    "{:>5}  {:<16}  {:>12.6}  {:>10}  {:>9}  {:>7}",
                    g + 1,
                    "alpha",
                    a,
                    se,
                    "-",
                    "-"
                );
            }
        }
    }
}
