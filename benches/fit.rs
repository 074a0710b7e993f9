//! E-step and full-fit timings on a 10,000-person synthetic cohort with four
//! groups (ages 12–35, 40% right-censored).
//!
//! Run: `cargo bench --bench fit` (add `-- estep` for the E-step alone).

use criterion::{Criterion, criterion_group, criterion_main};
use gbtm::synth::{SimOptions, default_ages, simulate};
use gbtm::{Family, Gbtm, ModelSpec, Panel, Params};

fn four_groups(family: Family, persons: usize) -> Panel {
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
    };
    let opts = SimOptions {
        censored_share: 0.4,
        reduced_exposure_share: 0.0,
    };
    simulate(&spec, &params, &default_ages(), persons, 2024, &opts)
        .unwrap()
        .panel
}

fn bench(c: &mut Criterion) {
    for family in [Family::Poisson, Family::Zip] {
        let panel = four_groups(family, 10_000);
        let model = Gbtm::new(family, 4);
        let fitted = model.clone().starts(2).fit(&panel).unwrap();
        let mut g = c.benchmark_group(format!("{family}_10k_k4"));
        g.bench_function("estep", |b| {
            b.iter_custom(|iters| gbtm::fit::time_esteps(fitted.model(), &panel, iters))
        });
        g.sample_size(10);
        g.bench_function("fit_default_starts", |b| {
            b.iter(|| model.fit(&panel).unwrap().log_likelihood())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
