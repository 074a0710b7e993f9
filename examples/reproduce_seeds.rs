//! Acceptance check of the reproduction on fresh cohorts: for seeds 1..=10,
//! draw 630 persons from the built-in `four-profiles` scenario, run the
//! reproduction, and check that BIC selects 4 groups, the shares are within
//! 5 points of 36/28/21/15, every AvePP > 0.7 and OCC > 5, the four labels
//! come out, and each mean yearly rate is within 15% of the published one.
//!
//! Run: `cargo run --release --example reproduce_seeds`

use gbtm::study::four_profiles::{PUBLISHED, ReproduceOptions, reproduce};
use gbtm::synth::scenario::Scenario;

fn main() -> Result<(), gbtm::Error> {
    let scenario = Scenario::builtin("four-profiles")?;
    let mut held = 0;
    for seed in 1..=10u64 {
        let t0 = std::time::Instant::now();
        let cohort = scenario.simulate(630, seed)?;
        let (rep, _) = reproduce(&cohort.panel, &ReproduceOptions::default())?;
        let mut problems = Vec::new();
        if rep.selected_groups != 4 {
            problems.push(format!(
                "selected {} groups ({})",
                rep.selected_groups, rep.model
            ));
        }
        for (label, share, rate) in PUBLISHED {
            match rep.groups.iter().find(|p| p.label == label) {
                None => problems.push(format!("no {label} group")),
                Some(p) => {
                    if (p.proportion - share).abs() > 0.05 {
                        problems.push(format!("{label} share {:.3}", p.proportion));
                    }
                    if (p.mean_rate / rate - 1.0).abs() > 0.15 {
                        problems.push(format!("{label} mean rate {:.3}", p.mean_rate));
                    }
                }
            }
        }
        for p in &rep.groups {
            if !(p.avepp > 0.7 && p.occ > 5.0) {
                problems.push(format!(
                    "{}: AvePP {:.3}, OCC {:.1}",
                    p.label, p.avepp, p.occ
                ));
            }
        }
        let shares: Vec<String> = rep
            .groups
            .iter()
            .map(|p| format!("{} {:.3}/{:.3}", p.label, p.proportion, p.mean_rate))
            .collect();
        println!(
            "seed {seed:>2}: K={} {} | {} | {} ({:.0} s)",
            rep.selected_groups,
            rep.model,
            shares.join(", "),
            if problems.is_empty() {
                "holds".to_string()
            } else {
                problems.join("; ")
            },
            t0.elapsed().as_secs_f64()
        );
        held += problems.is_empty() as usize;
    }
    println!("the result held for {held} of 10 seeds");
    Ok(())
}
