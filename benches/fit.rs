//! Timings on synthetic cohorts with four groups (ages 12–35, 40%
//! right-censored; Poisson, ZIP and negative binomial): the E-step, the
//! M-step and the streaming floor at 630,
//! 10k and 100k persons (1M with `GBTM_BENCH_1M=1`), a default fit at 10k,
//! and `select` over K = 1..7 at 630.
//!
//! Run: `cargo bench --bench fit` (add `-- estep` for the E-steps alone).

use criterion::{Criterion, criterion_group, criterion_main};
use gbtm::select::{Criterion as Select, select};
use gbtm::synth::{SimOptions, default_ages, simulate};
use gbtm::{AgeScale, Family, Gbtm, ModelSpec, Panel, Params, TrajectoryModel};

fn four_groups(family: Family, persons: usize) -> Panel {
    let model = true_model(family);
    let opts = SimOptions {
        censored_share: 0.4,
        reduced_exposure_share: 0.0,
    };
    simulate(
        model.spec(),
        model.params(),
        &default_ages(),
        persons,
        2024,
        &opts,
    )
    .unwrap()
    .panel
}

/// The simulation's own parameters as a model (the E-step's cost does not
/// depend on whether they are the estimates).
fn true_model(family: Family) -> TrajectoryModel {
    let zip = family == Family::Zip;
    let spec = ModelSpec::new(family, vec![3; 4], zip.then(|| vec![0; 4])).unwrap();
    let params = Params {
        beta: vec![
            vec![-2.0, 0.0, 0.0, 0.0],
            vec![0.0, -1.5, -1.0, 0.5],
            vec![-0.5, 1.0, -0.5, 0.0],
            vec![1.0, 0.1, -0.3, 0.0],
        ],
        gamma: zip.then(|| vec![vec![-1.0]; 4]),
        pi: vec![0.36, 0.28, 0.21, 0.15],
        risk: None,
        tcov: None,
        alpha: (family == Family::Nb).then(|| vec![1.0, 0.5, 0.5, 0.3]),
    };
    let ages = default_ages();
    TrajectoryModel::new(spec, params, AgeScale::from_ages(&ages), ages, false).unwrap()
}

/// The E-step, the M-step and the streaming floor at 630, 10k and 100k
/// persons (and 1M with `GBTM_BENCH_1M=1`), K = 4.
fn steps(c: &mut Criterion) {
    let mut sizes = vec![630, 10_000, 100_000];
    if std::env::var("GBTM_BENCH_1M").is_ok_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    for family in [Family::Poisson, Family::Zip, Family::Nb] {
        let model = true_model(family);
        for &n in &sizes {
            let panel = four_groups(family, n);
            let mut g = c.benchmark_group(format!("{family}_k4_{n}"));
            if n >= 100_000 {
                g.sample_size(10);
            }
            g.bench_function("estep", |b| {
                b.iter_custom(|iters| gbtm::fit::time_esteps(&model, &panel, iters))
            });
            g.bench_function("mstep", |b| {
                b.iter_custom(|iters| gbtm::fit::time_msteps(&model, &panel, iters))
            });
            g.bench_function("floor", |b| {
                b.iter_custom(|iters| gbtm::fit::time_floor(&panel, 4, iters))
            });
            g.finish();
        }
    }
}

/// One default fit (10 starts) at 10k persons, and `select` over K = 1..7
/// at 630.
fn fits(c: &mut Criterion) {
    for family in [Family::Poisson, Family::Zip, Family::Nb] {
        let panel = four_groups(family, 10_000);
        let model = Gbtm::new(family, 4);
        let mut g = c.benchmark_group(format!("{family}_10k_k4"));
        g.sample_size(10);
        g.bench_function("fit_default_starts", |b| {
            b.iter(|| model.fit(&panel).unwrap().log_likelihood())
        });
        g.finish();
    }
    let panel = four_groups(Family::Poisson, 630);
    let cands: Vec<Gbtm> = (1..=7).map(Gbtm::poisson).collect();
    let mut g = c.benchmark_group("poisson_630");
    g.sample_size(10);
    g.bench_function("select_k1_7", |b| {
        b.iter(|| select(&panel, &cands, Select::Bic).unwrap().selected)
    });
    g.finish();
}

criterion_group!(benches, steps, fits);
criterion_main!(benches);
