//! Fit on one cohort, save the model, load it back, and classify new
//! offenders observed only to age 20, with a forecast of their counts to 35.
//!
//! Run: `cargo run --release --example classify_new`

use gbtm::synth;
use gbtm::{Gbtm, TrajectoryModel};

fn main() -> Result<(), gbtm::Error> {
    let train = synth::three_groups(2000, 1);
    let fit = Gbtm::poisson(3).starts(5).fit(&train.panel)?;
    let path = std::env::temp_dir().join("gbtm-example-model.json");
    fit.model().save(&path)?;
    let model = TrajectoryModel::load(&path)?;
    // New persons, seen from 12 to 20 only.
    let new = synth::three_groups(10, 99).panel.window(12, 20)?;
    println!("person  group  max posterior  expected cases 21-35  90% interval");
    let classes = model.classify(&new)?;
    let forecasts = model.forecast(&new, 0.9)?;
    for (c, f) in classes.iter().zip(&forecasts) {
        let best = c.posteriors.iter().copied().fold(0.0, f64::max);
        println!(
            "{:>6}  {:>5}  {:>13.3}  {:>20.2}  [{}, {}]",
            c.id, c.group, best, f.future.expected, f.future.lower, f.future.upper
        );
    }
    Ok(())
}
