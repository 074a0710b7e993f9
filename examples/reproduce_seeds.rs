//! Acceptance check of the reproduction on fresh cohorts: for seeds 1..=10,
//! draw 630 persons from the built-in `four-profiles` scenario, run the
//! reproduction (with each cohort's first-case ages over all data), and
//! check every figure set against the report: BIC selects 4 groups; the
//! 4-group BIC within 100 points of −12,431.34; every AvePP > 0.7 and
//! OCC > 5; the four labels come out; the shares within 5 points of
//! 36/28/21/15; each mean yearly rate within 15% of the published one; the
//! case shares within 3 points of 9/25/26/40; the mean first-case ages
//! within 1.5 years and the shares before 18 within 10 points of the
//! published ones; the total within 8% of 7,196; the forecast addition
//! within 35% of +611. It counts the seeds for which every criterion
//! holds, and those for which all but the two documented misses hold (the
//! BIC level and the incidental profile's first-case age, which pull
//! against the others; docs/reproduction.md). Beside each seed it prints
//! the K that the negative-binomial models select, and counts the seeds
//! where that is 4 too.
//!
//! Run: `cargo run --release --example reproduce_seeds`

use gbtm::study::four_profiles::{FirstCases, ReproduceOptions, Reproduction, reproduce};
use gbtm::synth::scenario::Scenario;

/// How the two misses that docs/reproduction.md explains begin: the BIC
/// level and the incidental profile's mean age at the first case.
const BIC_GAP: &str = "4-group BIC";
const INCIDENTAL_FIRST: &str = "incidental first case at";

/// Every acceptance criterion that `rep` misses.
fn problems(rep: &Reproduction) -> Vec<String> {
    let p = &rep.published;
    let mut out = Vec::new();
    if rep.selected_groups != 4 {
        out.push(format!(
            "selected {} groups ({})",
            rep.selected_groups, rep.model
        ));
    }
    match rep.bic_four_groups {
        Some(b) if (b - p.bic).abs() <= 100.0 => {}
        Some(b) => out.push(format!("{BIC_GAP} {b:.0}")),
        None => out.push("no 4-group model".into()),
    }
    for q in &p.profiles {
        let label = &q.label;
        let Some(g) = rep.groups.iter().find(|g| &g.label == label) else {
            out.push(format!("no {label} group"));
            continue;
        };
        if (g.proportion - q.share).abs() > 0.05 {
            out.push(format!("{label} share {:.3}", g.proportion));
        }
        if (g.mean_rate / q.mean_rate - 1.0).abs() > 0.15 {
            out.push(format!("{label} mean rate {:.3}", g.mean_rate));
        }
        if (g.case_share - q.case_share).abs() > 0.03 {
            out.push(format!("{label} case share {:.3}", g.case_share));
        }
        match &g.first_case_all_ages {
            Some(f) => {
                match f.mean_age {
                    Some(a) if (a - q.mean_first_case_age).abs() <= 1.5 => {}
                    a => out.push(format!(
                        "{label} first case at {}",
                        a.map_or("-".to_string(), |a| format!("{a:.1}"))
                    )),
                }
                if (f.share_under_18 - q.share_first_case_under_18).abs() > 0.10 {
                    out.push(format!("{label} <18 {:.2}", f.share_under_18));
                }
            }
            None => out.push(format!("{label}: no first-case figures")),
        }
    }
    for g in &rep.groups {
        if !(g.avepp > 0.7 && g.occ > 5.0) {
            out.push(format!(
                "{}: AvePP {:.3}, OCC {:.1}",
                g.label, g.avepp, g.occ
            ));
        }
    }
    if (rep.total_cases / p.total_cases - 1.0).abs() > 0.08 {
        out.push(format!("total {:.0}", rep.total_cases));
    }
    if (rep.forecast_addition / p.forecast_addition - 1.0).abs() > 0.35 {
        out.push(format!("forecast +{:.0}", rep.forecast_addition));
    }
    out
}

fn main() -> Result<(), gbtm::Error> {
    let scenario = Scenario::builtin("four-profiles")?;
    let (mut held, mut held_but_documented, mut nb_four) = (0, 0, 0);
    for seed in 1..=10u64 {
        let t0 = std::time::Instant::now();
        let cohort = scenario.simulate(630, seed)?;
        let mut opts = ReproduceOptions::default();
        opts.first_cases = Some(FirstCases::from_cohort(&cohort));
        let (rep, _) = reproduce(&cohort.panel, &opts)?;
        let problems = problems(&rep);
        let cells: Vec<String> = rep
            .groups
            .iter()
            .map(|g| {
                let f = g.first_case_all_ages.as_ref();
                format!(
                    "{} {:.3}/{:.3}/{:.1}%/{:.1}/{:.0}%",
                    g.label,
                    g.proportion,
                    g.mean_rate,
                    100.0 * g.case_share,
                    f.and_then(|f| f.mean_age).unwrap_or(f64::NAN),
                    100.0 * f.map_or(f64::NAN, |f| f.share_under_18)
                )
            })
            .collect();
        let nb_k = rep
            .negative_binomial
            .as_ref()
            .and_then(|nb| nb.selected_groups);
        nb_four += (nb_k == Some(4)) as usize;
        println!(
            "seed {seed:>2}: K={} {} (NB K={}) BIC4 {:.0} total {:.0} +{:.0} | {} | {} ({:.0} s)",
            rep.selected_groups,
            rep.model,
            nb_k.map_or("-".to_string(), |k| k.to_string()),
            rep.bic_four_groups.unwrap_or(f64::NAN),
            rep.total_cases,
            rep.forecast_addition,
            cells.join(", "),
            if problems.is_empty() {
                "holds".to_string()
            } else {
                problems.join("; ")
            },
            t0.elapsed().as_secs_f64()
        );
        held += problems.is_empty() as usize;
        held_but_documented += problems
            .iter()
            .all(|p| p.starts_with(BIC_GAP) || p.starts_with(INCIDENTAL_FIRST))
            as usize;
    }
    println!("every criterion held for {held} of 10 seeds");
    println!(
        "every criterion but the two documented misses (the BIC level, the incidental first case) held for {held_but_documented} of 10 seeds"
    );
    println!("the negative-binomial models selected 4 groups for {nb_four} of 10 seeds");
    Ok(())
}
