//! `gbtm fit` and `gbtm select`.

use std::io::IsTerminal;
use std::path::PathBuf;

use gbtm::data::write::check_output;
use gbtm::select::select_with_progress;
use gbtm::{Dispersion, Family, Gbtm};

use super::args::{DataArgs, SearchArgs};
use super::candidates::{CandidateArgs, dispersion_only_for_nb, zip_orders_only_for_zip};
use super::{CliError, Done, Output, to_json};

#[derive(clap::Args)]
pub struct FitArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Number of groups K.
    #[arg(long)]
    groups: usize,
    /// Polynomial order of every group (0-5).
    #[arg(long, default_value_t = 3, conflicts_with = "orders")]
    order: usize,
    /// One polynomial order per group, e.g. 3,3,2,1.
    #[arg(long, value_delimiter = ',')]
    orders: Option<Vec<usize>>,
    /// The count distribution within a group.
    #[arg(long, value_enum, default_value_t = Family::Poisson)]
    model: Family,
    /// Zero-inflation order of every group (ZIP; traj's iorder).
    #[arg(long, conflicts_with = "iorders")]
    iorder: Option<usize>,
    /// One zero-inflation order per group (ZIP).
    #[arg(long, value_delimiter = ',')]
    iorders: Option<Vec<usize>>,
    /// Negative binomial: one dispersion α per group, or one shared.
    #[arg(long, value_enum)]
    dispersion: Option<Dispersion>,
    #[command(flatten)]
    search: SearchArgs,
    /// Maximum EM iterations per start.
    #[arg(long, default_value_t = 5000)]
    max_iter: usize,
    /// Print one JSON object instead of the readable report.
    #[arg(long)]
    json: bool,
    /// Also save the fitted model (JSON) for `gbtm classify` and `gbtm plot`.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Round every person count in the report to a multiple of N, and compute
    /// shares from the rounded counts (disclosure control). The model file
    /// holds no person counts.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    round_counts: Option<u64>,
    /// Coverage of the confidence intervals and bands (shares, rates).
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// The reference group of the risk-factor coefficients (traj's refgroup).
    #[arg(long, default_value_t = 1)]
    refgroup: usize,
    /// Print the log-rate coefficients on raw age (η = Σ b_m·ageᵐ, SEs by the
    /// delta method), as traj reports them for unscaled age, instead of on
    /// the scaled age.
    #[arg(long)]
    raw_age: bool,
}

pub fn fit(a: FitArgs) -> Output {
    zip_orders_only_for_zip(&[a.model], a.iorder.is_some() || a.iorders.is_some())?;
    dispersion_only_for_nb(&[a.model], a.dispersion.is_some())?;
    if let Some(path) = &a.save {
        check_output(path, &a.data.inputs())?;
    }
    gbtm::model::normal_quantile(a.level)?;
    let panel = a.data.read()?;
    let mut model = Gbtm::new(a.model, a.groups)
        .order(a.order)
        .starts(a.search.starts)
        .seed(a.search.seed)
        .max_iter(a.max_iter)
        .dispersion(a.dispersion.unwrap_or_default());
    if let Some(o) = a.orders {
        model = model.orders(o);
    }
    if let Some(q) = a.iorder {
        model = model.iorder(q);
    }
    if let Some(q) = a.iorders {
        model = model.iorders(q);
    }
    let fit = model.fit(&panel)?;
    let mut summary = fit.summary_with(a.level, a.refgroup)?;
    if let Some(base) = a.round_counts {
        summary = summary.with_rounded_counts(base as usize);
    }
    let done = Done::text(if a.json {
        to_json(&summary)?
    } else if a.raw_age {
        summary.to_text_in_raw_age()
    } else {
        summary.to_text()
    });
    Ok(match &a.save {
        Some(path) => done.with_file(path, fit.model().to_json()),
        None => done,
    })
}

#[derive(clap::Args)]
pub struct SelectArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    models: CandidateArgs,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Save the selected model (JSON) for `gbtm classify` and `gbtm plot`.
    #[arg(long)]
    save: Option<PathBuf>,
}

pub fn select(a: SelectArgs) -> Output {
    let candidates = a.models.candidates()?;
    if let Some(path) = &a.save {
        check_output(path, &a.data.inputs())?;
    }
    let panel = a.data.read()?;
    let bar = indicatif::ProgressBar::new(candidates.len() as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let selection = select_with_progress(&panel, &candidates, a.models.criterion, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let done = Done::text(if a.json {
        to_json(&selection)?
    } else {
        selection.to_text()
    });
    match (&a.save, &selection.selected_fit) {
        (None, _) => Ok(done),
        (Some(path), Some(fit)) => Ok(done.with_file(path, fit.model().to_json())),
        (Some(_), None) => Err(CliError::Value(
            "--save",
            "no candidate converged, so there is no model to save".into(),
        )),
    }
}
