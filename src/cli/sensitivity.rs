//! `gbtm sensitivity`: the selection repeated with the age window ending at
//! several ages.

use std::io::IsTerminal;
use std::ops::RangeInclusive;

use gbtm::select::{
    Criterion, EndAges, MAX_CANDIDATES, end_age_sensitivity_with_progress, order_grid,
    order_grid_len,
};
use gbtm::{Dispersion, Family, Gbtm};

use super::args::{DataArgs, SearchArgs, group_range, range};
use super::{CliError, Done, Output, to_json};

/// The options of `gbtm select`, with the end ages.
#[derive(clap::Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    data: DataArgs,
    /// End ages to try: FROM..TO (e.g. 30..35) or a list (e.g. 30,32,35).
    /// Each window runs from the first age of the data (or of --ages).
    #[arg(long, value_parser = end_ages)]
    end_ages: EndAges,
    /// The end age whose selected model is compared across end ages
    /// (default: the last age of the data, or of --ages); added to the end
    /// ages if not among them.
    #[arg(long)]
    reference_end: Option<i64>,
    /// Group numbers to try: FROM..TO (e.g. 1..7) or a single number.
    #[arg(long, default_value = "1..7", value_parser = group_range)]
    groups: RangeInclusive<usize>,
    /// Polynomial order of every group.
    #[arg(long, default_value_t = 3, conflicts_with = "orders_grid")]
    order: usize,
    /// Try every combination of per-group orders in FROM..TO (e.g. 1..3).
    #[arg(long, value_parser = range)]
    orders_grid: Option<RangeInclusive<usize>>,
    /// The count distribution within a group; several, comma-separated
    /// (e.g. poisson,zip,nb), select over the families too.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "poisson")]
    model: Vec<Family>,
    /// Zero-inflation order of every group (ZIP).
    #[arg(long)]
    iorder: Option<usize>,
    /// Negative binomial: one dispersion α per group, or one shared.
    #[arg(long, value_enum)]
    dispersion: Option<Dispersion>,
    #[command(flatten)]
    search: SearchArgs,
    /// The criterion (larger is better for all three).
    #[arg(long, value_enum, default_value_t = Criterion::Bic)]
    criterion: Criterion,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `--end-ages`: a malformed or empty range is a usage error.
fn end_ages(s: &str) -> Result<EndAges, String> {
    s.parse::<EndAges>().map_err(|e| match e {
        gbtm::Error::InvalidParameter { message, .. } => message,
        other => other.to_string(),
    })
}

/// The candidates, as `gbtm select` builds them: per family, per K, one
/// model or the grid of orders.
fn candidates(a: &SensitivityArgs) -> Result<Vec<Gbtm>, CliError> {
    if a.iorder.is_some() && !a.model.contains(&Family::Zip) {
        return Err(CliError::Usage(
            "--iorder and --iorders need --model zip".into(),
        ));
    }
    if a.dispersion.is_some() && !a.model.contains(&Family::Nb) {
        return Err(CliError::Usage("--dispersion needs --model nb".into()));
    }
    let mut families = a.model.clone();
    families.dedup();
    if let Some(g) = &a.orders_grid {
        let per_family: u128 = a.groups.clone().map(|k| order_grid_len(k, g.clone())).sum();
        let total = per_family * families.len() as u128;
        if total > MAX_CANDIDATES {
            return Err(CliError::Value(
                "--orders-grid",
                format!(
                    "groups {}..{} over orders {}..{} make {total} candidate models; the limit is {MAX_CANDIDATES}",
                    a.groups.start(),
                    a.groups.end(),
                    g.start(),
                    g.end()
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for &family in &families {
        for k in a.groups.clone() {
            let base = Gbtm::new(family, k)
                .iorder(a.iorder.unwrap_or(0))
                .starts(a.search.starts)
                .seed(a.search.seed);
            let base = match family {
                Family::Nb => base.dispersion(a.dispersion.unwrap_or_default()),
                _ => base,
            };
            match &a.orders_grid {
                Some(g) => {
                    for orders in order_grid(k, g.clone()) {
                        out.push(base.clone().orders(orders));
                    }
                }
                None => out.push(base.order(a.order)),
            }
        }
    }
    Ok(out)
}

pub fn sensitivity(a: SensitivityArgs) -> Output {
    let candidates = candidates(&a)?;
    let panel = a.data.read()?;
    let reference = a.reference_end.or(panel.ages().last().copied());
    let rows = match reference {
        Some(r) => a.end_ages.clone().including(r).ages().len(),
        None => a.end_ages.ages().len(),
    };
    let bar = indicatif::ProgressBar::new((candidates.len() * rows) as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let result = end_age_sensitivity_with_progress(
        &panel,
        &candidates,
        a.criterion,
        &a.end_ages,
        a.reference_end,
        &|| bar.inc(1),
    );
    bar.finish_and_clear();
    let result = result?;
    Ok(Done::text(if a.json {
        to_json(&result)?
    } else {
        result.to_text()
    }))
}
