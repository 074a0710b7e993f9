//! The trajectory plot of crimCV's TO1adj (ages 12–35): a four-group cubic
//! ZIP model with constant zero inflation (default starts, seed 1), drawn to
//! `docs/trajectories-TO1adj.svg`.
//!
//! Run: `cargo run --release --example plot_to1adj [-- PATH/TO/TO1adj.csv [OUT.svg]]`
//!
//! Without the data file it prints a message and exits successfully.

use std::path::Path;

use gbtm::plot::{PlotOptions, write_trajectory_svg};
use gbtm::{Gbtm, Panel, ReadOptions};

fn main() -> Result<(), gbtm::Error> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .unwrap_or_else(|| "../shared/data/crimCV/TO1adj.csv".into());
    let out = args
        .next()
        .unwrap_or_else(|| "docs/trajectories-TO1adj.svg".into());
    if !Path::new(&data).exists() {
        println!("{data} is absent: nothing to plot (crimCV's TO1adj is not shipped with gbtm)");
        return Ok(());
    }
    let opts = ReadOptions::default().window(12, 35);
    let panel = Panel::from_csv_path(&data, &opts)?;
    let fit = Gbtm::zip(4).order(3).iorder(0).seed(1).fit(&panel)?;
    println!(
        "ZIP, 4 cubic groups, iorder 0: LL {:.4}, converged {}",
        fit.log_likelihood(),
        fit.converged()
    );
    let model = fit.model();
    let rates = model.rates();
    let omega = model.zero_inflation();
    for (g, pi) in model.params().pi.iter().enumerate() {
        let w = omega.as_ref().map_or(0.0, |o| o[[g, 0]]);
        let mu = |t: usize| (1.0 - w) * rates[[g, t]];
        println!(
            "  group {}: share {:.3}, zero inflation {:.3}, expected cases per year {:.2} at {} .. {:.2} at {}",
            g + 1,
            pi,
            w,
            mu(0),
            model.ages()[0],
            mu(model.ages().len() - 1),
            model.ages()[model.ages().len() - 1]
        );
    }
    let plot = PlotOptions::default()
        .with_title("TO1adj (crimCV): 4-group zero-inflated Poisson trajectories, ages 12–35");
    write_trajectory_svg(model, &panel, &plot, Path::new(&out))?;
    println!("wrote {out}");
    Ok(())
}
