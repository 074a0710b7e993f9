//! Property tests of the EM machinery, 256 seeded random cases each: small
//! panels (Poisson or ZIP, with or without exposure and unobserved years)
//! and random parameters, drawn from ChaCha8 streams so that a failing case
//! is reproduced by its number.
//!
//! - the log-likelihood never decreases over EM iterations (tolerance
//!   1e-9·|LL|: an M-step solved to 1e-10 in its step can lose that much);
//! - posteriors sum to 1 and are finite;
//! - permuting persons does not change the log-likelihood or the M-step sums;
//! - permuting group labels does not change the log-likelihood;
//! - scaling exposure by c and rates by 1/c leaves the posteriors and the
//!   log-likelihood unchanged (the Poisson mean e·λ is the same).

use ndarray::Array2;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::estep::{estep, posteriors};
use super::mstep::mstep;
use super::workspace::Workspace;
use crate::data::Panel;
use crate::design::AgeScale;
use crate::model::{Family, ModelSpec, Params};

const CASES: u64 = 256;

/// One random case: a panel, a structure and parameters.
struct Case {
    panel: Panel,
    spec: ModelSpec,
    params: Params,
}

fn case(index: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6762_746d);
    rng.set_stream(index);
    let n = rng.random_range(5..40usize);
    let t = rng.random_range(3..9usize);
    let k = rng.random_range(1..4usize);
    let zip = rng.random::<f64>() < 0.5;
    let ages: Vec<i64> = (12..12 + t as i64).collect();
    let with_exposure = rng.random::<f64>() < 0.5;
    let mut counts = Array2::from_shape_fn((n, t), |_| {
        if rng.random::<f64>() < 0.15 {
            f64::NAN
        } else {
            (rng.random::<f64>() * 4.0).floor() * (rng.random::<f64>() < 0.6) as u8 as f64
        }
    });
    // Everyone keeps at least one observed year.
    for i in 0..n {
        counts[[i, 0]] = counts[[i, 0]].max(0.0);
    }
    let exposure =
        with_exposure.then(|| Array2::from_shape_fn((n, t), |_| 0.2 + 0.8 * rng.random::<f64>()));
    let panel = Panel::from_arrays(counts.view(), &ages, exposure.as_ref().map(|e| e.view()))
        .expect("valid random panel");
    let orders: Vec<usize> = (0..k).map(|_| rng.random_range(0..t.min(3))).collect();
    let iorders = zip.then(|| {
        (0..k)
            .map(|_| rng.random_range(0..2usize))
            .collect::<Vec<_>>()
    });
    let family = if zip { Family::Zip } else { Family::Poisson };
    let spec = ModelSpec::new(family, orders.clone(), iorders.clone()).expect("valid spec");
    let mut draw = |len: usize, scale: f64, shift: f64| -> Vec<f64> {
        (0..len)
            .map(|j| shift * (j == 0) as u8 as f64 + scale * (rng.random::<f64>() - 0.5))
            .collect()
    };
    let beta = orders.iter().map(|&o| draw(o + 1, 1.0, -0.5)).collect();
    let gamma = iorders.map(|q| q.iter().map(|&o| draw(o + 1, 1.0, -1.0)).collect());
    let raw: Vec<f64> = (0..k).map(|_| 0.2 + rng.random::<f64>()).collect();
    let total: f64 = raw.iter().sum();
    let params = Params {
        beta,
        gamma,
        pi: raw.iter().map(|r| r / total).collect(),
        risk: None,
        tcov: None,
        alpha: None,
    };
    Case {
        panel,
        spec,
        params,
    }
}

fn workspace<'a>(c: &'a Case) -> Workspace<'a> {
    Workspace::new(&c.panel, &c.spec, AgeScale::from_ages(c.panel.ages()))
}

#[test]
fn em_never_lowers_the_log_likelihood() {
    for i in 0..CASES {
        let c = case(i);
        let ws = workspace(&c);
        let mut p = c.params.clone();
        let mut prev = f64::NEG_INFINITY;
        for it in 0..15 {
            let stats = estep(&ws, &p);
            assert!(stats.ll.is_finite(), "case {i}, iteration {it}");
            assert!(
                stats.ll >= prev - 1e-9 * prev.abs(),
                "case {i}, iteration {it}: {} after {prev}",
                stats.ll
            );
            prev = stats.ll;
            mstep(&ws, &stats, &mut p);
        }
    }
}

#[test]
fn posteriors_are_finite_and_sum_to_one() {
    for i in 0..CASES {
        let c = case(i);
        let (post, ll) = posteriors(&workspace(&c), &c.params);
        assert!(ll.is_finite(), "case {i}");
        for row in post.rows() {
            assert!(row.iter().all(|p| p.is_finite() && *p >= 0.0), "case {i}");
            assert!((row.sum() - 1.0).abs() < 1e-12, "case {i}: {}", row.sum());
        }
    }
}

#[test]
fn permuting_persons_changes_nothing() {
    for i in 0..CASES {
        let c = case(i);
        let n = c.panel.n_persons();
        // Reverse the persons.
        let order: Vec<usize> = (0..n).rev().collect();
        let counts = Array2::from_shape_fn(c.panel.counts().dim(), |(r, t)| {
            let s = order[r];
            if c.panel.observed()[[s, t]] {
                c.panel.counts()[[s, t]]
            } else {
                f64::NAN
            }
        });
        let exposure = c
            .panel
            .exposure()
            .map(|e| Array2::from_shape_fn(e.dim(), |(r, t)| e[[order[r], t]]));
        let panel = Panel::from_arrays(
            counts.view(),
            c.panel.ages(),
            exposure.as_ref().map(|e| e.view()),
        )
        .unwrap();
        let turned = Case {
            panel,
            spec: c.spec.clone(),
            params: c.params.clone(),
        };
        let (a, b) = (
            estep(&workspace(&c), &c.params),
            estep(&workspace(&turned), &c.params),
        );
        assert!(
            (a.ll - b.ll).abs() <= 1e-10 * a.ll.abs(),
            "case {i}: {} vs {}",
            a.ll,
            b.ll
        );
        for (x, y) in a.s.iter().zip(&b.s) {
            assert!((x - y).abs() <= 1e-10 * x.abs().max(1.0), "case {i}");
        }
    }
}

#[test]
fn permuting_group_labels_keeps_the_log_likelihood() {
    for i in 0..CASES {
        let c = case(i);
        let k = c.spec.groups();
        let order: Vec<usize> = (0..k).rev().collect();
        let spec = c.spec.permuted(&order);
        let params = c.params.permuted(&order);
        let turned = Case {
            panel: c.panel.clone(),
            spec,
            params,
        };
        let a = estep(&workspace(&c), &c.params).ll;
        let b = estep(&workspace(&turned), &turned.params).ll;
        assert!((a - b).abs() <= 1e-10 * a.abs(), "case {i}: {a} vs {b}");
    }
}

#[test]
fn scaling_exposure_and_rates_keeps_the_posteriors() {
    for i in 0..CASES {
        let c = case(i);
        let Some(e) = c.panel.exposure() else {
            continue;
        };
        let scale = 0.5;
        let exposure = e.mapv(|v| v * scale);
        let counts = Array2::from_shape_fn(c.panel.counts().dim(), |(r, t)| {
            if c.panel.observed()[[r, t]] {
                c.panel.counts()[[r, t]]
            } else {
                f64::NAN
            }
        });
        let panel =
            Panel::from_arrays(counts.view(), c.panel.ages(), Some(exposure.view())).unwrap();
        let mut params = c.params.clone();
        for b in &mut params.beta {
            b[0] -= scale.ln();
        }
        let scaled = Case {
            panel,
            spec: c.spec.clone(),
            params,
        };
        let (pa, la) = posteriors(&workspace(&c), &c.params);
        let (pb, lb) = posteriors(&workspace(&scaled), &scaled.params);
        // The Poisson mean e·λ is unchanged, and with it the likelihood.
        assert!(
            (lb - la).abs() <= 1e-9 * la.abs().max(1.0),
            "case {i}: {la} {lb}"
        );
        for (x, y) in pa.iter().zip(pb.iter()) {
            assert!((x - y).abs() < 1e-10, "case {i}");
        }
    }
}
