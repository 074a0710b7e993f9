//! Synthetic cohorts drawn from a known trajectory model, for tests,
//! benchmarks and teaching. Everything is drawn from one ChaCha8 stream seeded
//! by the caller, so a cohort is the same on every platform.

pub mod builtin;
pub mod scenario;

use ndarray::Array2;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::data::Panel;
use crate::design::AgeScale;
use crate::error::{Error, Result};
use crate::model::{Family, ModelSpec, Params};

/// How observation is cut short and exposure reduced in a simulated cohort.
///
/// ```
/// let o = gbtm::synth::SimOptions::default();
/// assert_eq!(o.censored_share, 0.0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// Share of persons right-censored: their last observed age is drawn
    /// uniformly from the upper half of the age range.
    pub censored_share: f64,
    /// Share of person-years with exposure below 1 (drawn from U(0.2, 1));
    /// 0 gives a panel without exposure.
    pub reduced_exposure_share: f64,
}

/// A simulated cohort and the truth behind it.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// The observed panel (what a fit sees).
    pub panel: Panel,
    /// True group of each person (0-based).
    pub truth: Vec<usize>,
    /// The generating model.
    pub spec: ModelSpec,
    /// The generating parameters (coefficients on the panel's scaled age).
    pub params: Params,
}

impl Cohort {
    /// True rate λ_kt (groups × ages).
    pub fn true_rates(&self) -> Array2<f64> {
        let scale = AgeScale::from_ages(self.panel.ages());
        let ages = self.panel.ages();
        Array2::from_shape_fn((self.params.groups(), ages.len()), |(g, t)| {
            scale.eval(&self.params.beta[g], ages[t] as f64).exp()
        })
    }
}

/// A Poisson draw: inversion, splitting large means into parts of at most 20.
pub(crate) fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let mut remaining = mean;
    let mut total = 0.0;
    while remaining > 0.0 {
        let m = remaining.min(20.0);
        remaining -= m;
        let mut p = (-m).exp();
        let mut cdf = p;
        let u: f64 = rng.random();
        let mut k = 0.0;
        while u > cdf && k < 1000.0 {
            k += 1.0;
            p *= m / k;
            cdf += p;
        }
        total += k;
    }
    total
}

/// Draws `persons` persons from the model (`params` on the scaled `ages`).
///
/// ```
/// use gbtm::{synth, Family, ModelSpec, Params};
/// let spec = ModelSpec::new(Family::Poisson, vec![0, 0], None).unwrap();
/// let params = Params { beta: vec![vec![-2.0], vec![0.5]], gamma: None, pi: vec![0.5, 0.5] };
/// let c = synth::simulate(&spec, &params, &[12, 13, 14], 100, 42, &Default::default()).unwrap();
/// assert_eq!(c.panel.n_persons() + c.panel.n_dropped(), 100);
/// ```
pub fn simulate(
    spec: &ModelSpec,
    params: &Params,
    ages: &[i64],
    persons: usize,
    seed: u64,
    opts: &SimOptions,
) -> Result<Cohort> {
    if params.groups() != spec.groups() || params.beta.len() != spec.groups() {
        return Err(Error::param(
            "params",
            "parameters and spec disagree on the number of groups",
        ));
    }
    if (params.pi.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
        return Err(Error::param("pi", "group shares must sum to 1"));
    }
    let scale = AgeScale::from_ages(ages);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let t = ages.len();
    let mut counts = Array2::from_elem((persons, t), f64::NAN);
    let mut exposure = Array2::ones((persons, t));
    let mut truth = Vec::with_capacity(persons);
    for i in 0..persons {
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let g = params.pi.iter().position(|&p| {
            acc += p;
            u < acc
        });
        let g = g.unwrap_or(params.groups() - 1);
        truth.push(g);
        let last = if rng.random::<f64>() < opts.censored_share {
            rng.random_range(t / 2..t)
        } else {
            t - 1
        };
        for s in 0..=last {
            let age = ages[s] as f64;
            let e = if rng.random::<f64>() < opts.reduced_exposure_share {
                0.2 + 0.8 * rng.random::<f64>()
            } else {
                1.0
            };
            exposure[[i, s]] = e;
            let lambda = scale.eval(&params.beta[g], age).exp();
            let structural = match (&params.gamma, spec.family) {
                (Some(gm), Family::Zip) => {
                    let w = 1.0 / (1.0 + (-scale.eval(&gm[g], age)).exp());
                    rng.random::<f64>() < w
                }
                _ => false,
            };
            counts[[i, s]] = if structural {
                0.0
            } else {
                poisson(&mut rng, e * lambda)
            };
        }
    }
    let expo = (opts.reduced_exposure_share > 0.0).then_some(exposure);
    let ids = (1..=persons).map(|i| i.to_string()).collect();
    let panel = Panel::from_arrays_with_ids(
        counts.view(),
        ages,
        expo.as_ref().map(|e| e.view()),
        ids,
        "<synthetic>",
    )?;
    Ok(Cohort {
        panel,
        truth,
        spec: spec.clone(),
        params: params.clone(),
    })
}

/// Ages 12 to 35.
pub fn default_ages() -> Vec<i64> {
    (12..=35).collect()
}

/// The three-group Poisson teaching cohort: a low group (50%), an
/// adolescence-peaked group (30%) and a chronic group (20%), cubic in the
/// scaled age, ages 12–35, with 40% of persons right-censored.
///
/// ```
/// let c = gbtm::synth::three_groups(200, 1);
/// assert_eq!(c.spec.groups(), 3);
/// ```
pub fn three_groups(persons: usize, seed: u64) -> Cohort {
    three_group_cohort(Family::Poisson, 0.0, persons, seed)
}

/// The three-group cohort with zero inflation (ω = 0.1, 0.3, 0.2).
pub fn three_groups_zip(persons: usize, seed: u64) -> Cohort {
    three_group_cohort(Family::Zip, 0.0, persons, seed)
}

/// The three-group Poisson cohort with exposure below 1 in 40% of years.
pub fn three_groups_exposure(persons: usize, seed: u64) -> Cohort {
    three_group_cohort(Family::Poisson, 0.4, persons, seed)
}

fn three_group_cohort(
    family: Family,
    reduced_exposure_share: f64,
    persons: usize,
    seed: u64,
) -> Cohort {
    let (spec, params) = three_group_model(family);
    let opts = SimOptions {
        censored_share: 0.4,
        reduced_exposure_share,
    };
    simulate(&spec, &params, &default_ages(), persons, seed, &opts)
        .unwrap_or_else(|e| unreachable!("the built-in model is valid: {e}"))
}

fn three_group_model(family: Family) -> (ModelSpec, Params) {
    let logit = |w: f64| (w / (1.0 - w)).ln();
    let zip = family == Family::Zip;
    let spec = ModelSpec::new(family, vec![3, 3, 3], zip.then(|| vec![0, 0, 0]))
        .unwrap_or_else(|e| unreachable!("valid spec: {e}"));
    let params = Params {
        beta: vec![
            vec![-2.0, -0.3, 0.0, 0.0],
            vec![0.3, -1.0, -1.2, 0.2],
            vec![1.0, 0.2, -0.4, 0.0],
        ],
        gamma: zip.then(|| vec![vec![logit(0.1)], vec![logit(0.3)], vec![logit(0.2)]]),
        pi: vec![0.5, 0.3, 0.2],
    };
    (spec, params)
}
