//! The start-strategy check of the core-engine issue: on crimCV's TO1adj
//! (ages 12–35, cubic), fit ZIP (iorder 0) with K = 3, 4, 5 and Poisson with
//! K = 4, 5, 6 and the negative binomial with K = 3, 4, 5, with the default
//! starts and seeds 1..=10, and count for each seed whether every fit
//! reached the best log-likelihood found across all seeds (within 1e-4).
//! Then the same for Poisson and ZIP K = 4 on a 10,000 person synthetic
//! cohort (`four-profiles-10k`, simulation seed 1).
//!
//! Run: `cargo run --release --example start_hits [-- PATH/TO/TO1adj.csv [FAMILY]]`
//! (FAMILY, e.g. `nb`, runs that family's rows only).

use gbtm::{Gbtm, Panel, ReadOptions};

fn main() -> Result<(), gbtm::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/crimCV/TO1adj.csv".into());
    let opts = ReadOptions::default().window(12, 35);
    let panel = Panel::from_csv_path(&path, &opts)?;
    let only = std::env::args().nth(2);
    let seeds: Vec<u64> = (1..=10).collect();
    let cohort = gbtm::synth::draw("four-profiles-10k", None, 1)?.0.panel;
    let models: Vec<(&str, usize, &Panel, &str)> = vec![
        ("zip", 3, &panel, "TO1adj"),
        ("zip", 4, &panel, "TO1adj"),
        ("zip", 5, &panel, "TO1adj"),
        ("poisson", 4, &panel, "TO1adj"),
        ("poisson", 5, &panel, "TO1adj"),
        ("poisson", 6, &panel, "TO1adj"),
        ("nb", 3, &panel, "TO1adj"),
        ("nb", 4, &panel, "TO1adj"),
        ("nb", 5, &panel, "TO1adj"),
        ("poisson", 4, &cohort, "10k"),
        ("zip", 4, &cohort, "10k"),
    ];
    let mut all_ok = vec![true; seeds.len()];
    println!(
        "data    model    K  best LL          hits/10  starts_at_best per seed          seconds"
    );
    for (family, k, panel, name) in &models {
        if only.as_deref().is_some_and(|f| f != *family) {
            continue;
        }
        let t0 = std::time::Instant::now();
        let mut lls = Vec::new();
        let mut at_best = Vec::new();
        for &seed in &seeds {
            let m = match *family {
                "zip" => Gbtm::zip(*k).iorder(0),
                "nb" => Gbtm::nb(*k),
                _ => Gbtm::poisson(*k),
            };
            let fit = m.order(3).seed(seed).fit(panel)?;
            lls.push(fit.log_likelihood());
            at_best.push(fit.info().starts_at_best);
        }
        let best = lls.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let hits: Vec<bool> = lls.iter().map(|ll| best - ll < 1e-4).collect();
        for (ok, h) in all_ok.iter_mut().zip(&hits) {
            *ok &= *h;
        }
        println!(
            "{name:<7} {family:<8} {k}  {best:<15.6}  {:>2}/10    {:?}  {:.1}",
            hits.iter().filter(|h| **h).count(),
            at_best,
            t0.elapsed().as_secs_f64()
        );
        for (seed, ll) in seeds.iter().zip(&lls) {
            if best - ll >= 1e-4 {
                println!("    seed {seed}: {ll:.6} (short by {:.4})", best - ll);
            }
        }
    }
    let good = all_ok.iter().filter(|o| **o).count();
    println!("seeds for which every fit reached the best: {good}/10");
    Ok(())
}
