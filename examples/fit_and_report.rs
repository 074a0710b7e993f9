//! Fit a three-group Poisson model to the shipped teaching cohort, print
//! the readable report, and write the fit's JSON summary and trajectory
//! plot to a temporary folder.
//!
//! Run: `cargo run --release --example fit_and_report`

use gbtm::plot::{PlotOptions, write_trajectory_svg};
use gbtm::{Gbtm, Panel, ReadOptions};

fn main() -> Result<(), gbtm::Error> {
    let panel = Panel::from_csv_path("data-synthetic/three-groups.csv", &ReadOptions::default())?;
    let fit = Gbtm::poisson(3).order(3).starts(10).seed(1).fit(&panel)?;
    let summary = fit.summary();
    print!("{}", summary.to_text());
    let dir = std::env::temp_dir().join("gbtm-example-fit");
    std::fs::create_dir_all(&dir).map_err(|source| gbtm::Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let json = serde_json::to_string_pretty(&summary).expect("a summary serialises");
    let json_path = dir.join("fit.json");
    std::fs::write(&json_path, json).map_err(|source| gbtm::Error::Io {
        path: json_path.display().to_string(),
        source,
    })?;
    let svg = dir.join("trajectories.svg");
    write_trajectory_svg(
        fit.model(),
        &panel,
        &PlotOptions::default().with_bands(0.95),
        &svg,
    )?;
    println!("\nwrote {} and {}", json_path.display(), svg.display());
    Ok(())
}
