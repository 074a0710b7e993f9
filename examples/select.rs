//! Choose the number of groups (1 to 5) and the family (Poisson, ZIP or
//! negative binomial) by BIC on the shipped teaching cohort, and print the
//! table of every model tried.
//!
//! Run: `cargo run --release --example select`

use gbtm::select::{Criterion, select};
use gbtm::{Family, Gbtm, Panel, ReadOptions};

fn main() -> Result<(), gbtm::Error> {
    let panel = Panel::from_csv_path("data-synthetic/three-groups.csv", &ReadOptions::default())?;
    let candidates: Vec<Gbtm> = [Family::Poisson, Family::Zip, Family::Nb]
        .into_iter()
        .flat_map(|family| (1..=5).map(move |k| Gbtm::new(family, k).order(3).starts(5)))
        .collect();
    let selection = select(&panel, &candidates, Criterion::Bic)?;
    print!("{}", selection.to_text());
    if let Some(fit) = &selection.selected_fit {
        println!(
            "\nchosen: {} groups, {}; shares {:?}",
            fit.model().groups(),
            fit.model().spec().family().long_name(),
            fit.model().params().pi
        );
    }
    Ok(())
}
