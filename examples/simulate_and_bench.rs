//! Simulate a 10,000-person cohort from the four-profiles scenario and time
//! a default four-group fit (wall clock; `cargo bench` measures properly).
//!
//! Run: `cargo run --release --example simulate_and_bench [-- PERSONS]`

use std::time::Instant;

use gbtm::Gbtm;

fn main() -> Result<(), gbtm::Error> {
    let persons: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let t0 = Instant::now();
    let (cohort, _) = gbtm::synth::draw("four-profiles", Some(persons), 7)?;
    let p = &cohort.panel;
    println!(
        "simulated {} persons, {} observed person-years in {:.2} s",
        p.n_persons(),
        p.n_observations(),
        t0.elapsed().as_secs_f64()
    );
    for starts in [1, 10] {
        let t = Instant::now();
        let fit = Gbtm::poisson(4).starts(starts).fit(p)?;
        println!(
            "K = 4 Poisson, {starts:>2} start(s): LL {:.4}, {} iterations, {:.2} s on {} threads",
            fit.log_likelihood(),
            fit.info().iterations,
            t.elapsed().as_secs_f64(),
            rayon::current_num_threads()
        );
    }
    Ok(())
}
