//! The candidate models of `gbtm select` and `gbtm sensitivity`: the
//! options that name them, and the list they make.

use std::ops::RangeInclusive;

use gbtm::select::{Criterion, MAX_CANDIDATES, order_grid, order_grid_len};
use gbtm::{Dispersion, Family, Gbtm};

use super::CliError;
use super::args::{SearchArgs, group_range, range};

/// Which models to try, and by which criterion to choose.
#[derive(clap::Args)]
pub struct CandidateArgs {
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
    pub search: SearchArgs,
    /// The criterion (larger is better for all three).
    #[arg(long, value_enum, default_value_t = Criterion::Bic)]
    pub criterion: Criterion,
}

/// `--iorder`/`--iorders` only with ZIP among the families.
pub fn zip_orders_only_for_zip(families: &[Family], given: bool) -> Result<(), CliError> {
    if given && !families.contains(&Family::Zip) {
        return Err(CliError::Usage(
            "--iorder and --iorders need --model zip".into(),
        ));
    }
    Ok(())
}

/// `--dispersion` only with the negative binomial among the families.
pub fn dispersion_only_for_nb(families: &[Family], given: bool) -> Result<(), CliError> {
    if given && !families.contains(&Family::Nb) {
        return Err(CliError::Usage("--dispersion needs --model nb".into()));
    }
    Ok(())
}

impl CandidateArgs {
    /// The candidates: per family, per K, one model or the grid of orders.
    /// Checked before any data are read.
    pub fn candidates(&self) -> Result<Vec<Gbtm>, CliError> {
        zip_orders_only_for_zip(&self.model, self.iorder.is_some())?;
        dispersion_only_for_nb(&self.model, self.dispersion.is_some())?;
        let mut families = self.model.clone();
        families.dedup();
        if let Some(g) = &self.orders_grid {
            let per_family: u128 = self
                .groups
                .clone()
                .map(|k| order_grid_len(k, g.clone()))
                .sum();
            let total = per_family * families.len() as u128;
            if total > MAX_CANDIDATES {
                return Err(CliError::Value(
                    "--orders-grid",
                    format!(
                        "groups {}..{} over orders {}..{} make {total} candidate models; the limit is {MAX_CANDIDATES}",
                        self.groups.start(),
                        self.groups.end(),
                        g.start(),
                        g.end()
                    ),
                ));
            }
        }
        let mut out = Vec::new();
        for &family in &families {
            for k in self.groups.clone() {
                let base = Gbtm::new(family, k)
                    .iorder(self.iorder.unwrap_or(0))
                    .starts(self.search.starts)
                    .seed(self.search.seed);
                let base = match family {
                    Family::Nb => base.dispersion(self.dispersion.unwrap_or_default()),
                    _ => base,
                };
                match &self.orders_grid {
                    Some(g) => {
                        for orders in order_grid(k, g.clone()) {
                            out.push(base.clone().orders(orders));
                        }
                    }
                    None => out.push(base.order(self.order)),
                }
            }
        }
        Ok(out)
    }
}
