//! Recovery check: draw a 100,000-person cohort from the built-in
//! `four-profiles-100k` scenario, fit it with the true K = 4, and compare each
//! fitted curve with the scenario's expected count of an observed person at
//! each age (the curve plus the index cases that fall at that age) at every
//! age where it exceeds 0.2 (the fitted groups are matched to the true ones
//! by assignment).
//!
//! Run: `cargo run --release --example recover_100k [-- ORDER]` (default order 5:
//! a cubic cannot follow the scenario's piecewise log-linear curves to 10%;
//! with order 3 the largest error was 15.1%).

use gbtm::Gbtm;
use gbtm::diagnostics::assign;
use gbtm::synth::scenario::Scenario;

fn main() -> Result<(), gbtm::Error> {
    let order: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let scenario = Scenario::builtin("four-profiles-100k")?;
    let t0 = std::time::Instant::now();
    let cohort = scenario.simulate(scenario.persons, 1)?;
    let fit = Gbtm::poisson(4).order(order).fit(&cohort.panel)?;
    println!(
        "{} persons, order {order}: LL {:.3}, converged {}, fit in {:.0} s",
        cohort.panel.n_persons(),
        fit.log_likelihood(),
        fit.converged(),
        t0.elapsed().as_secs_f64()
    );
    // Match each true group to the fitted group most of its persons are assigned to.
    let assigned = assign(fit.posteriors());
    let rates = fit.model().rates();
    let mut worst_all = 0.0f64;
    for (g, spec) in scenario.groups.iter().enumerate() {
        let mut votes = [0usize; 4];
        for (i, &a) in assigned.iter().enumerate() {
            if cohort.truth[i] == g {
                votes[a] += 1;
            }
        }
        let f = (0..4).max_by_key(|&k| votes[k]).unwrap_or(0);
        let (mut worst, mut anywhere) = (None::<(f64, i64)>, (0.0f64, 0));
        for (t, &age) in fit.model().ages().iter().enumerate() {
            let truth = scenario.expected_observed_rate(g, age);
            let rel = (rates[[f, t]] / truth - 1.0).abs();
            if rel > anywhere.0 {
                anywhere = (rel, age);
            }
            if truth > 0.2 && worst.is_none_or(|w| rel > w.0) {
                worst = Some((rel, age));
            }
        }
        worst_all = worst_all.max(worst.map_or(0.0, |w| w.0));
        let checked = worst.map_or("no age with a true rate above 0.2".to_string(), |w| {
            format!("{:.1}% at age {}", 100.0 * w.0, w.1)
        });
        println!(
            "{:<11} -> fitted group {}: share {:.4} (true {:.4}); largest relative error where the rate > 0.2: {checked}; at any age: {:.1}% at {}",
            spec.label,
            f + 1,
            fit.model().params().pi[f],
            spec.share,
            100.0 * anywhere.0,
            anywhere.1
        );
    }
    println!(
        "largest relative error over all groups: {:.1}% ({})",
        100.0 * worst_all,
        if worst_all < 0.10 {
            "within 10%"
        } else {
            "NOT within 10%"
        }
    );
    Ok(())
}
