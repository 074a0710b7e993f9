//! A publishable report of a trajectory analysis: one Markdown file that
//! covers the GRoLTS checklist (van de Schoot et al. 2017) for the models
//! a selection tried and the one it chose, with the trajectory plots as
//! SVG files beside it.
//!
//! [`PublishReport::new`] gathers what the report says (the data per age,
//! every model tried, the chosen fit, the run's facts); [`PublishReport::to_markdown`]
//! writes it. Person counts follow the disclosure rounding of
//! [`crate::FitSummary::with_rounded_counts`].

mod checklist;
mod describe;
mod markdown;

pub use describe::{AgeRow, DataDescription};

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::report::FitSummary;
use crate::select::Selection;

/// How the analysis was run, for the report's software and syntax items;
/// see the example of [`PublishReport::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    /// The exact command (or call) that reproduces the report.
    pub command: String,
    /// Worker threads (results do not depend on them).
    pub threads: usize,
    /// The file names of the figures, relative to the report: the
    /// trajectories with observed means, and the same with confidence
    /// bands.
    pub figures: (String, String),
    /// Coverage of the intervals and bands.
    pub level: f64,
    /// Person counts rounded to multiples of this (1: exact).
    pub round_counts: usize,
}

/// Everything the report says; see the example of [`PublishReport::new`].
#[derive(Debug, Clone)]
pub struct PublishReport {
    /// The data, age by age.
    pub data: DataDescription,
    /// Every model tried, with the chosen one marked.
    pub selection: Selection,
    /// The chosen model's summary (rounded as asked).
    pub chosen: FitSummary,
    /// How it was run.
    pub facts: RunFacts,
}

impl PublishReport {
    /// Gathers the report of `selection` (which must have chosen a model) on
    /// `panel`.
    ///
    /// ```
    /// use gbtm::publish::{PublishReport, RunFacts};
    /// use gbtm::select::{select, Criterion};
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let candidates: Vec<Gbtm> = (1..=3).map(|k| Gbtm::poisson(k).order(2).starts(2)).collect();
    /// let selection = select(&cohort.panel, &candidates, Criterion::Bic)?;
    /// let facts = RunFacts {
    ///     command: "gbtm report --data three-groups.csv --groups 1..3 --order 2 --starts 2".into(),
    ///     threads: 1,
    ///     figures: ("traj.svg".into(), "traj-ci.svg".into()),
    ///     level: 0.95,
    ///     round_counts: 1,
    /// };
    /// let md = PublishReport::new(&cohort.panel, selection, facts)?.to_markdown();
    /// assert!(md.contains("## GRoLTS checklist"));
    /// assert!(md.contains("![Trajectories with observed means](traj.svg)"));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NothingSelected`] if the selection chose no model, and the
    /// errors of [`crate::Fit::summary_at`] for a `level` outside (0, 1).
    pub fn new(panel: &Panel, selection: Selection, facts: RunFacts) -> Result<PublishReport> {
        let fit = selection
            .selected_fit
            .as_ref()
            .ok_or(Error::NothingSelected {
                candidates: selection.candidates.len(),
            })?;
        let chosen = fit
            .summary_at(facts.level)?
            .with_rounded_counts(facts.round_counts);
        let mut selection = selection;
        if facts.round_counts > 1 {
            for c in &mut selection.candidates {
                if let Some(f) = c.fit.as_mut() {
                    *f = f.with_rounded_counts(facts.round_counts);
                }
            }
        }
        Ok(PublishReport {
            data: DataDescription::new(panel, facts.round_counts),
            selection,
            chosen,
            facts,
        })
    }
}
