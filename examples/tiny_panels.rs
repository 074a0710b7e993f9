//! Default fits of random tiny panels (1–29 persons, 1–7 ages, K = 1..4,
//! orders 0–3, Poisson or ZIP, some with a count of 10⁶): the total and the
//! slowest fit times, and the outcome of every fit on standard error, so
//! that two builds can be compared with `diff`.
//!
//! Run: `cargo run --release --example tiny_panels -- [CASES] 2> outcomes.txt`
//! (default 300 cases, seed 3).

#[path = "common/tiny.rs"]
mod tiny;

use std::time::Instant;

use gbtm::{Gbtm, Panel};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use tiny::tiny_panel;

fn main() {
    let cases: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut fits = Vec::new();
    for case in 0..cases {
        let (counts, ages) = tiny_panel(&mut rng);
        let (n, t) = counts.dim();
        let k = rng.random_range(1..5usize);
        let order = rng.random_range(0..4usize);
        let zip = rng.random::<f64>() < 0.5;
        let Ok(panel) = Panel::from_arrays(counts.view(), &ages, None) else {
            continue;
        };
        let model = if zip { Gbtm::zip(k) } else { Gbtm::poisson(k) };
        let t0 = Instant::now();
        let outcome = match model.order(order).fit(&panel) {
            Ok(f) => format!(
                "{}, {} iterations, LL {:.4}",
                f.info().termination,
                f.info().iterations,
                f.info().log_likelihood
            ),
            Err(e) => format!("error: {e}"),
        };
        let label = format!("case {case}: n={n} ages={t} K={k} order={order} zip={zip}");
        fits.push((t0.elapsed().as_secs_f64(), label, outcome));
    }
    for (_, label, outcome) in &fits {
        eprintln!("{label}: {outcome}");
    }
    let total: f64 = fits.iter().map(|f| f.0).sum();
    fits.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{} fits in {total:.2} s; the slowest:", fits.len());
    for (secs, label, outcome) in fits.iter().take(10) {
        println!("{secs:.3} s  {label}: {outcome}");
    }
}
