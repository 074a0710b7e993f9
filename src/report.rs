//! Reports of a fit: the JSON summary ([`FitSummary`]) and a readable table.

use serde::{Deserialize, Serialize};

use crate::design::AgeScale;
use crate::diagnostics::{Diagnostics, aic, bic};
use crate::em::{Boundary, LocalOptimum, Termination};
use crate::fit::Fit;
use crate::model::Family;

/// One group in a [`FitSummary`]. Groups are listed in the model's order
/// (group 1 first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupSummary {
    /// Estimated group probability π̂_k.
    pub proportion: f64,
    /// Share of persons assigned to the group by maximum posterior.
    pub assigned_share: f64,
    /// Persons assigned to the group.
    pub n_assigned: usize,
    /// Mean posterior over the persons assigned to the group.
    pub avepp: f64,
    /// Odds of correct classification, with π̂_k.
    pub occ: f64,
    /// Order of the log-rate polynomial.
    pub order: usize,
    /// Log-rate coefficients on the scaled age `(age − center) / scale`.
    pub coefficients: Vec<f64>,
    /// Order of the logit zero-inflation polynomial (ZIP).
    pub iorder: Option<usize>,
    /// Logit zero-inflation coefficients on the scaled age (ZIP).
    pub zero_inflation_coefficients: Option<Vec<f64>>,
    /// λ_kt at exposure 1, one per age.
    pub rate: Vec<f64>,
    /// ω_kt per age (ZIP), else `null`.
    pub zero_inflation: Option<Vec<f64>>,
}

/// Everything `gbtm fit --json` prints. Field names are stable.
///
/// ```
/// use gbtm::{Gbtm, Panel};
/// use ndarray::Array2;
/// let counts = Array2::from_shape_fn((30, 5), |(i, t)| ((i * 7 + t * 3) % 4) as f64);
/// let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15, 16], None)?;
/// let fit = Gbtm::poisson(1).order(2).fit(&panel)?;
/// let s = fit.summary();
/// assert_eq!(s.parameters, 3);
/// assert_eq!(s.groups[0].rate.len(), 5);
/// let json = serde_json::to_string(&s).unwrap();
/// assert!(json.contains("\"bic_observations\""));
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FitSummary {
    /// `poisson` or `zip`.
    pub model: Family,
    /// Persons fitted.
    pub n_persons: usize,
    /// Observed person-years.
    pub n_observations: usize,
    /// Persons dropped for having no observed year in the window.
    pub n_dropped: usize,
    /// Ages of the panel.
    pub ages: Vec<i64>,
    /// The scaling of age used by the coefficients.
    pub age_scaling: AgeScale,
    /// Whether exposure (time at risk) entered as an offset.
    pub exposure: bool,
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// Free parameters (traj's count).
    pub parameters: usize,
    /// `LL − ½·parameters·ln(n_persons)`; larger is better.
    pub bic: f64,
    /// `LL − ½·parameters·ln(n_observations)`.
    pub bic_observations: f64,
    /// `LL − parameters`.
    pub aic: f64,
    /// Relative entropy; 1 = perfect separation.
    pub entropy: f64,
    /// Whether both convergence tolerances were met.
    pub converged: bool,
    /// Why the best run stopped.
    pub termination: Termination,
    /// EM iterations of the best start.
    pub iterations: usize,
    /// Largest |score| of LL / N at the solution.
    pub max_score: f64,
    /// Whether the Hessian is negative definite at the solution.
    pub hessian_negative_definite: bool,
    /// Starts run to convergence.
    pub starts: usize,
    /// Short screening runs that chose them.
    pub screened: usize,
    /// Starts that reached the best log-likelihood (within 1e-6).
    pub starts_at_best: usize,
    /// Refinement runs from the best start: split-merge restarts and random
    /// moves of the parameters.
    pub refinement_runs: usize,
    /// Refinement runs that reached the best log-likelihood.
    pub refinement_at_best: usize,
    /// Runs (starts and refinement runs) discarded as degenerate.
    pub degenerate_starts: usize,
    /// Distinct local optima, best first.
    pub local_optima: Vec<LocalOptimum>,
    /// Parameters on the boundary (zero inflation run to 0), one per group.
    pub boundary: Vec<Boundary>,
    /// Seed of the fit.
    pub seed: u64,
    /// One entry per group.
    pub groups: Vec<GroupSummary>,
    /// If set, every person count above (`n_persons`, `n_dropped`,
    /// `n_assigned`) is rounded to a multiple of this, and `assigned_share`
    /// is computed from the rounded counts (disclosure control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_rounded_to: Option<usize>,
}

/// Rounds a person count to the nearest multiple of `base` (halves up), as
/// statistical offices require for published microdata figures.
///
/// ```
/// use gbtm::report::round_count;
/// assert_eq!(round_count(12, 5), 10);
/// assert_eq!(round_count(13, 5), 15);
/// assert_eq!(round_count(2, 5), 0);
/// assert_eq!(round_count(7, 1), 7);
/// ```
pub fn round_count(n: usize, base: usize) -> usize {
    if base <= 1 {
        return n;
    }
    (n + base / 2) / base * base
}

impl Fit {
    /// The fit's summary: fit statistics, BIC, AIC, entropy, and per group
    /// AvePP, OCC, shares, coefficients and rates. Computed afresh on each
    /// call.
    pub fn summary(&self) -> FitSummary {
        FitSummary::new(self)
    }
}

impl FitSummary {
    /// Summarises a fit (the same as [`Fit::summary`]).
    pub fn new(fit: &Fit) -> FitSummary {
        let info = fit.info();
        let model = fit.model();
        let spec = model.spec();
        let params = model.params();
        let diag = Diagnostics::new(fit.posteriors(), &params.pi);
        let rates = model.rates();
        let zi = model.zero_inflation();
        let p = spec.n_parameters();
        let ll = info.log_likelihood;
        let groups = diag
            .groups
            .iter()
            .enumerate()
            .map(|(g, d)| GroupSummary {
                proportion: d.proportion,
                assigned_share: d.assigned_share,
                n_assigned: d.n_assigned,
                avepp: d.avepp,
                occ: d.occ,
                order: spec.orders()[g],
                coefficients: params.beta[g].clone(),
                iorder: spec.iorders().map(|q| q[g]),
                zero_inflation_coefficients: params.gamma.as_ref().map(|gm| gm[g].clone()),
                rate: rates.row(g).to_vec(),
                zero_inflation: zi.as_ref().map(|z| z.row(g).to_vec()),
            })
            .collect();
        FitSummary {
            model: spec.family(),
            n_persons: info.n_persons,
            n_observations: info.n_observations,
            n_dropped: info.n_dropped,
            ages: model.ages().to_vec(),
            age_scaling: model.age_scale(),
            exposure: model.uses_exposure(),
            log_likelihood: ll,
            parameters: p,
            bic: bic(ll, p, info.n_persons as f64),
            bic_observations: bic(ll, p, info.n_observations as f64),
            aic: aic(ll, p),
            entropy: diag.entropy,
            converged: info.converged(),
            termination: info.termination.clone(),
            iterations: info.iterations,
            max_score: info.max_score,
            hessian_negative_definite: info.hessian_negative_definite,
            starts: info.starts,
            screened: info.screened,
            starts_at_best: info.starts_at_best,
            refinement_runs: info.refinement_runs,
            refinement_at_best: info.refinement_at_best,
            degenerate_starts: info.degenerate_starts,
            local_optima: info.local_optima.clone(),
            boundary: info.boundary.clone(),
            seed: info.seed,
            groups,
            counts_rounded_to: None,
        }
    }

    /// The same summary with every person count rounded to a multiple of
    /// `base` and the assigned shares recomputed from the rounded counts
    /// (rounded group count / rounded number of persons).
    ///
    /// ```
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(333, 2);
    /// let fit = Gbtm::poisson(2).starts(2).fit(&cohort.panel)?;
    /// let s = fit.summary().with_rounded_counts(5);
    /// assert_eq!(s.n_persons % 5, 0);
    /// assert!(s.groups.iter().all(|g| g.n_assigned % 5 == 0));
    /// let g = &s.groups[0];
    /// assert_eq!(g.assigned_share, g.n_assigned as f64 / s.n_persons as f64);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn with_rounded_counts(&self, base: usize) -> FitSummary {
        let mut s = self.clone();
        if base <= 1 {
            return s;
        }
        s.n_persons = round_count(s.n_persons, base);
        s.n_dropped = round_count(s.n_dropped, base);
        for g in &mut s.groups {
            g.n_assigned = round_count(g.n_assigned, base);
            g.assigned_share = if s.n_persons > 0 {
                g.n_assigned as f64 / s.n_persons as f64
            } else {
                0.0
            };
        }
        s.counts_rounded_to = Some(base);
        s
    }

    /// A readable report: fit statistics, the adequacy table and the rates.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
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
            "a single start (one group)".to_string()
        } else {
            format!(
                "{} starts, the best of {} screened, {} reached the best",
                self.starts, self.screened, self.starts_at_best
            )
        };
        let _ = writeln!(
            s,
            "{starts}; refinement (split-merge and random moves): {} runs, {} at the best; {} distinct optima; {} degenerate; seed {}",
            self.refinement_runs,
            self.refinement_at_best,
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
        let _ = writeln!(
            s,
            "\ngroup  order  share(est)  assigned  share(assigned)  AvePP      OCC"
        );
        for (g, gr) in self.groups.iter().enumerate() {
            let _ = writeln!(
                s,
                "{:>5}  {:>5}  {:>10.4}  {:>8}  {:>15.4}  {:>5.3}  {:>7.1}",
                g + 1,
                gr.order,
                gr.proportion,
                gr.n_assigned,
                gr.assigned_share,
                gr.avepp,
                gr.occ
            );
        }
        let zip = self.groups.iter().any(|g| g.zero_inflation.is_some());
        let _ = write!(
            s,
            "\n{}\n  age",
            if zip {
                "rate λ (Poisson mean at exposure 1; the expected count is (1 − ω)·λ), and ω"
            } else {
                "rate λ (expected count per year at exposure 1)"
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
}
