//! Synthetic cohorts drawn from a known trajectory model, for tests,
//! benchmarks and teaching. Everything is drawn from one ChaCha8 stream seeded
//! by the caller, so a cohort is the same on every platform.

pub mod builtin;
mod calibration;
mod cohort;
mod curve;
mod draws;
pub mod scenario;
mod validate;

pub use cohort::CohortSummary;

use ndarray::Array2;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::data::Panel;
use crate::design::AgeScale;
use crate::error::Result;
use crate::model::{Family, ModelSpec, Params, TrajectoryModel};

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

/// A simulated cohort and the truth behind it, from [`simulate`], the
/// teaching cohorts or a [`scenario::Scenario`].
///
/// ```
/// let c = gbtm::synth::three_groups(100, 1);
/// assert_eq!(c.truth.len(), c.panel.input_ids().len());
/// let csv = c.truth_csv();
/// assert!(csv.starts_with("id,group\n1,"));
/// ```
#[derive(Debug, Clone)]
pub struct Cohort {
    /// The observed panel (what a fit sees). Persons with no observed year
    /// are dropped (and counted), as when reading a file.
    pub panel: Panel,
    /// True group (0-based index) of every drawn person, dropped ones
    /// included, in id order (ids are `1..=persons`).
    pub truth: Vec<usize>,
    /// Each drawn person's age at the reference date, where observation
    /// stopped (`None`: observed throughout).
    pub age_at_reference: Vec<Option<f64>>,
    /// Each drawn person's age at the first registered case over all
    /// observed ages, in id order: in the window, or for a scenario with
    /// [`scenario::Careers`] also past it (`None`: no case observed).
    pub first_case_age: Vec<Option<i64>>,
    /// The generating trajectory model, when the cohort was drawn from one
    /// (scenarios with tabulated curves or frailty have none).
    pub model: Option<TrajectoryModel>,
}

/// A Poisson draw. Means up to 1000: inversion in parts of at most 20 (the
/// stream every shipped cohort was drawn with); above: the transformed
/// rejection method PTRS (Hörmann 1993), exact and fast for any mean.
pub(crate) fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    if mean > 1000.0 {
        return ptrs(rng, mean);
    }
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

/// Hörmann's PTRS for a Poisson mean of at least 10.
fn ptrs(rng: &mut ChaCha8Rng, lambda: f64) -> f64 {
    let slam = lambda.sqrt();
    let loglam = lambda.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let invalpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let lhs = v.ln() + invalpha.ln() - (a / (us * us) + b).ln();
        let rhs = -lambda + k * loglam - statrs::function::gamma::ln_gamma(k + 1.0);
        if lhs <= rhs {
            return k;
        }
    }
}

/// Draws `persons` persons from the model (`params` on the scaled `ages`).
///
/// ```
/// use gbtm::{synth, Family, ModelSpec, Params};
/// let spec = ModelSpec::new(Family::Poisson, vec![0, 0], None).unwrap();
/// let params = Params { beta: vec![vec![-2.0], vec![0.5]], gamma: None, pi: vec![0.5, 0.5], risk: None, tcov: None, alpha: None };
/// let c = synth::simulate(&spec, &params, &[12, 13, 14], 100, 42, &Default::default()).unwrap();
/// assert_eq!(c.panel.n_persons() + c.panel.n_dropped(), 100);
/// assert_eq!(c.model.unwrap().params(), &params);
/// ```
pub fn simulate(
    spec: &ModelSpec,
    params: &Params,
    ages: &[i64],
    persons: usize,
    seed: u64,
    opts: &SimOptions,
) -> Result<Cohort> {
    let scale = AgeScale::from_ages(ages);
    let model = TrajectoryModel::new(
        spec.clone(),
        params.clone(),
        scale,
        ages.to_vec(),
        opts.reduced_exposure_share > 0.0,
    )?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let t = ages.len();
    let mut counts = Array2::from_elem((persons, t), f64::NAN);
    let mut exposure = Array2::ones((persons, t));
    let mut truth = Vec::with_capacity(persons);
    let mut at_ref = Vec::with_capacity(persons);
    let mut first_case = Vec::with_capacity(persons);
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
        at_ref.push((last + 1 < t).then(|| ages[last] as f64 + 1.0));
        for s in 0..=last {
            let age = ages[s] as f64;
            let e = if rng.random::<f64>() < opts.reduced_exposure_share {
                0.2 + 0.8 * rng.random::<f64>()
            } else {
                1.0
            };
            exposure[[i, s]] = e;
            let lambda = scale.eval(&params.beta[g], age).exp();
            let structural = match (&params.gamma, spec.family()) {
                (Some(gm), Family::Zip) => {
                    let w = 1.0 / (1.0 + (-scale.eval(&gm[g], age)).exp());
                    rng.random::<f64>() < w
                }
                _ => false,
            };
            // Negative binomial: a gamma(1/α, α) multiplier of the rate.
            let noise = match params.alpha_of(g) {
                Some(a) if spec.family() == Family::Nb => a * draws::gamma(&mut rng, 1.0 / a),
                _ => 1.0,
            };
            counts[[i, s]] = if structural {
                0.0
            } else {
                poisson(&mut rng, e * lambda * noise)
            };
        }
        first_case.push((0..=last).find(|&s| counts[[i, s]] > 0.0).map(|s| ages[s]));
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
        age_at_reference: at_ref,
        first_case_age: first_case,
        model: Some(model),
    })
}

/// Ages 12 to 35.
///
/// ```
/// let ages = gbtm::synth::default_ages();
/// assert_eq!((ages.len(), ages[0], ages[23]), (24, 12, 35));
/// assert_eq!(gbtm::synth::three_groups(10, 1).panel.ages(), &ages[..]);
/// ```
pub fn default_ages() -> Vec<i64> {
    (12..=35).collect()
}

/// The three-group Poisson teaching cohort: a low group (50%), an
/// adolescence-peaked group (30%) and a chronic group (20%), cubic in the
/// scaled age, ages 12–35, with 40% of persons right-censored.
///
/// ```
/// let c = gbtm::synth::three_groups(200, 1);
/// assert_eq!(c.true_rates().unwrap().dim(), (3, 24));
/// assert_eq!(c.model.as_ref().unwrap().groups(), 3);
/// // The truth as CSV: one row per person, groups from 1.
/// let truth = c.truth_csv();
/// assert!(truth.starts_with("id,group\n1,"));
/// assert_eq!(truth.lines().count(), 201);
/// ```
pub fn three_groups(persons: usize, seed: u64) -> Cohort {
    three_group_cohort(Family::Poisson, 0.0, persons, seed)
}

/// The three-group cohort with zero inflation (ω = 0.1, 0.3, 0.2).
///
/// ```
/// let m = gbtm::synth::three_groups_zip(100, 1).model.unwrap();
/// assert!(m.is_zip());
/// assert!((m.zero_inflation_at(1, 20.0) - 0.3).abs() < 1e-12);
/// ```
pub fn three_groups_zip(persons: usize, seed: u64) -> Cohort {
    three_group_cohort(Family::Zip, 0.0, persons, seed)
}

/// The three-group cohort with negative-binomial counts (α = 1.0, 0.5,
/// 0.3: overdispersion within every group).
///
/// ```
/// let c = gbtm::synth::three_groups_nb(200, 1);
/// assert_eq!(c.model.unwrap().dispersion(0), Some(1.0));
/// ```
pub fn three_groups_nb(persons: usize, seed: u64) -> Cohort {
    three_group_cohort(Family::Nb, 0.0, persons, seed)
}

/// The three-group Poisson cohort with exposure below 1 in 40% of years.
///
/// ```
/// let c = gbtm::synth::three_groups_exposure(200, 1);
/// let e = c.panel.exposure().unwrap();
/// assert!(e.iter().all(|&x| x > 0.0 && x <= 1.0) && e.iter().any(|&x| x < 1.0));
/// ```
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
        risk: None,
        tcov: None,
        alpha: (family == Family::Nb).then(|| vec![1.0, 0.5, 0.3]),
    };
    (spec, params)
}

/// The teaching cohorts that [`draw`] knows by name, beside the built-in
/// scenarios of [`builtin::BUILTIN`]; the example of [`draw`] draws each.
pub const TEACHING: &[&str] = &[
    "three-groups",
    "three-groups-zip",
    "three-groups-nb",
    "three-groups-exposure",
];

/// Draws a cohort named by `source`: a teaching cohort ([`TEACHING`]; 1000
/// persons by default), a scenario file (JSON) or a built-in scenario
/// ([`builtin::BUILTIN`]; its own size by default). Returns the cohort and
/// the scenario, if it came from one.
///
/// ```
/// let (c, scenario) = gbtm::synth::draw("three-groups", Some(50), 1)?;
/// assert_eq!(c.truth.len(), 50);
/// assert!(scenario.is_none());
/// let (c, scenario) = gbtm::synth::draw("two-groups", Some(40), 1)?;
/// assert_eq!((c.truth.len(), scenario.unwrap().name.as_str()), (40, "two-groups"));
/// for name in gbtm::synth::TEACHING {
///     assert!(gbtm::synth::draw(name, Some(20), 1)?.1.is_none());
/// }
/// assert!(gbtm::synth::draw("nine-groups", None, 1).is_err());
/// # Ok::<(), gbtm::Error>(())
/// ```
///
/// # Errors
/// [`crate::Error::InvalidParameter`] naming `scenario` for an unknown name,
/// the errors of [`scenario::Scenario::from_json_file`] and of drawing.
pub fn draw(
    source: &str,
    persons: Option<usize>,
    seed: u64,
) -> Result<(Cohort, Option<scenario::Scenario>)> {
    let (family, reduced_exposure_share) = match source {
        "three-groups" => (Family::Poisson, 0.0),
        "three-groups-zip" => (Family::Zip, 0.0),
        "three-groups-nb" => (Family::Nb, 0.0),
        "three-groups-exposure" => (Family::Poisson, 0.4),
        _ => {
            let path = std::path::Path::new(source);
            let s = if path.is_file() {
                scenario::Scenario::from_json_file(path)?
            } else {
                scenario::Scenario::builtin(source)?
            };
            let c = s.simulate(persons.unwrap_or(s.persons), seed)?;
            return Ok((c, Some(s)));
        }
    };
    let n = persons.unwrap_or(1000);
    if n == 0 {
        return Err(crate::Error::param(
            "persons",
            "at least one person is needed",
        ));
    }
    Ok((
        three_group_cohort(family, reduced_exposure_share, n, seed),
        None,
    ))
}
