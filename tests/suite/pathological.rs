//! Pathological panels, each with its documented outcome (docs/model.md,
//! "Pathological data"): an error that says why, or a fit whose report
//! says what is special about it. None panics, none returns NaN.

use gbtm::{Boundary, Error, Gbtm, Panel};
use ndarray::Array2;

fn ages(t: usize) -> Vec<i64> {
    (12..12 + t as i64).collect()
}

fn panel(counts: &Array2<f64>, exposure: Option<&Array2<f64>>) -> Panel {
    let t = counts.ncols();
    Panel::from_arrays(counts.view(), &ages(t), exposure.map(|e| e.view())).unwrap()
}

fn degenerate(result: gbtm::Result<gbtm::Fit>, reason: &str) {
    match result {
        Err(Error::AllDegenerate { reason: r, .. }) => assert!(r.contains(reason), "{r}"),
        other => panic!("expected every run degenerate ({reason}), got {other:?}"),
    }
}

fn coinciding(fit: &gbtm::Fit) -> bool {
    fit.info()
        .boundary
        .iter()
        .any(|b| matches!(b, Boundary::CoincidingGroups { .. }))
}

#[test]
fn all_zeros_is_degenerate_in_both_families() {
    let p = panel(&Array2::zeros((50, 6)), None);
    degenerate(Gbtm::poisson(1).order(1).fit(&p), "rate ran to 0");
    degenerate(Gbtm::zip(1).order(1).fit(&p), "rate ran to 0");
}

#[test]
fn one_person_fits_one_group_only() {
    let one = Array2::from_shape_vec((1, 6), vec![1., 0., 2., 3., 0., 1.]).unwrap();
    let p = panel(&one, None);
    let fit = Gbtm::poisson(1).order(2).fit(&p).unwrap();
    assert!(fit.converged() && fit.log_likelihood().is_finite());
    let err = Gbtm::poisson(2).fit(&p).unwrap_err();
    assert!(matches!(
        err,
        Error::TooManyGroups {
            groups: 2,
            persons: 1
        }
    ));
}

#[test]
fn as_many_groups_as_persons_is_degenerate() {
    let few = Array2::from_shape_fn((3, 6), |(i, t)| ((i * 2 + t) % 4) as f64);
    degenerate(
        Gbtm::poisson(3).order(1).fit(&panel(&few, None)),
        "is empty",
    );
}

#[test]
fn identical_persons_give_coinciding_groups() {
    let same = Array2::from_shape_fn((40, 6), |(_, t)| (t % 3) as f64);
    let p = panel(&same, None);
    let fit = Gbtm::poisson(2).order(1).fit(&p).unwrap();
    assert!(coinciding(&fit), "{:?}", fit.info().boundary);
    let one = Gbtm::poisson(1).order(1).fit(&p).unwrap();
    assert!((fit.log_likelihood() - one.log_likelihood()).abs() < 1e-6);
    // A group that empties onto the others: four groups, all the same curve.
    let fit = Gbtm::poisson(4).order(0).fit(&p).unwrap();
    assert!(coinciding(&fit));
}

#[test]
fn one_observed_year_per_person_cannot_carry_a_quadratic_per_group() {
    let onej = Array2::from_shape_fn(
        (60, 6),
        |(i, t)| {
            if t == i % 6 { (i % 3) as f64 } else { f64::NAN }
        },
    );
    // The best solutions run away (a rate to 0 where every count is 0).
    // What is left depends on which local maxima a seed's starts reach:
    // no usable run, two coinciding groups (flagged), or a strict local
    // maximum with a finite likelihood. Never a silent degenerate fit.
    match Gbtm::poisson(2).order(2).fit(&panel(&onej, None)) {
        Ok(fit) => {
            assert!(fit.log_likelihood().is_finite());
            assert!(
                coinciding(&fit) || fit.info().hessian_negative_definite,
                "{:?}",
                fit.info()
            );
        }
        result => degenerate(result, "runaway rate"),
    }
}

#[test]
fn non_contiguous_ages_fit() {
    let nc = Array2::from_shape_fn((80, 4), |(i, t)| ((i + 3 * t) % (2 + i % 5)) as f64);
    let p = Panel::from_arrays(nc.view(), &[12, 15, 20, 30], None).unwrap();
    let fit = Gbtm::poisson(2).order(2).fit(&p).unwrap();
    assert!(fit.log_likelihood().is_finite());
    assert_eq!(fit.model().ages(), &[12, 15, 20, 30]);
}

#[test]
fn exposure_near_zero_and_inflation_to_one_are_handled() {
    let ex = Array2::from_shape_fn((80, 6), |(i, t)| if (i + t) % 7 == 0 { 1e-12 } else { 1.0 });
    let y = Array2::from_shape_fn((80, 6), |(i, t)| {
        ((i * t) % 3) as f64 * ((i + t) % 7 != 0) as u8 as f64
    });
    let p = panel(&y, Some(&ex));
    let fit = Gbtm::poisson(1).order(1).fit(&p).unwrap();
    assert!(fit.log_likelihood().is_finite());
    // Only one person ever offends: any ZIP split ends degenerate.
    let mostly0 = Array2::from_shape_fn((80, 6), |(i, _)| if i == 0 { 1.0 } else { 0.0 });
    degenerate(Gbtm::zip(2).order(0).fit(&panel(&mostly0, None)), "group");
}
