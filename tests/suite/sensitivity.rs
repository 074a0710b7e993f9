//! End-age sensitivity (`gbtm sensitivity`): the end ages, the analysis on
//! a cohort with late entrants, thread independence and every typed error;
//! the agreement measures and the command line in the submodules.

mod agreement;
mod cli;

use gbtm::select::{Criterion, EndAges, end_age_sensitivity};
use gbtm::{Error, Gbtm, Panel, synth};
use ndarray::Array2;

#[test]
fn end_ages_parse_sort_and_reject() {
    let parse = |s: &str| s.parse::<EndAges>();
    assert_eq!(parse("30..35").unwrap().ages(), &[30, 31, 32, 33, 34, 35]);
    assert_eq!(parse("30..=32").unwrap().ages(), &[30, 31, 32]);
    assert_eq!(parse(" 33 - 34 ").unwrap().ages(), &[33, 34]);
    assert_eq!(parse("35,30,32,30").unwrap().ages(), &[30, 32, 35]);
    assert_eq!(parse("35").unwrap().ages(), &[35]);
    for bad in [
        "35..30", "", "abc", "30..", "30,,32", "30..200", "-3", "1.5",
    ] {
        assert!(
            matches!(parse(bad), Err(Error::InvalidParameter { ref name, .. }) if name == "end_ages"),
            "{bad:?}"
        );
    }
    let json = serde_json::to_string(&parse("33..35").unwrap()).unwrap();
    assert_eq!(json, "[33,34,35]");
    assert!(serde_json::from_str::<EndAges>("[]").is_err());
}

/// Three groups (ages 12–35) in which every fourth person enters at 20:
/// those persons have no observed year before 20.
fn late_entrants(persons: usize) -> Panel {
    let p = synth::three_groups(persons, 11).panel;
    let (y, o) = (p.counts(), p.observed());
    let counts = Array2::from_shape_fn(y.dim(), |(i, t)| {
        if o[[i, t]] && !(i % 4 == 0 && p.ages()[t] < 20) {
            y[[i, t]]
        } else {
            f64::NAN
        }
    });
    Panel::from_arrays(counts.view(), p.ages(), None).unwrap()
}

fn quadratic(ks: std::ops::RangeInclusive<usize>) -> Vec<Gbtm> {
    ks.map(|k| Gbtm::poisson(k).order(2).starts(2).seed(3))
        .collect()
}

#[test]
fn persons_are_dropped_counted_and_compared_per_end_age() {
    let panel = late_entrants(400);
    let ends = EndAges::new(vec![19, 20, 30]).unwrap();
    let s = end_age_sensitivity(&panel, &quadratic(1..=3), Criterion::Bic, &ends, None).unwrap();
    assert_eq!((s.first_age, s.reference_end), (12, 35));
    let got: Vec<i64> = s.rows.iter().map(|r| r.end_age).collect();
    assert_eq!(got, vec![19, 20, 30, 35], "the reference end age is added");
    let reference = s.reference_row().unwrap();
    assert_eq!(
        reference.selection.selected,
        Some(s.reference),
        "the reference model is the one selected at the reference end age"
    );
    assert_eq!(s.reference_groups, 3);
    for r in &s.rows {
        // Persons with an observed year up to the end age, counted here
        // from the observed mask.
        let o = panel.observed();
        let kept = (0..panel.n_persons())
            .filter(|&i| (0..panel.ages().len()).any(|t| o[[i, t]] && panel.ages()[t] <= r.end_age))
            .count();
        assert_eq!(r.persons, kept, "end age {}", r.end_age);
        assert_eq!(r.dropped, panel.n_persons() - kept);
        let a = r.reference_model.as_ref().unwrap();
        assert_eq!(
            a.compared, r.persons,
            "every kept person is in the reference fit"
        );
        assert_eq!(a.matched_groups.len(), 3);
        assert_eq!(r.selection.candidates.len(), 3);
        assert_eq!(
            r.selected_groups,
            r.selection.selected_candidate().map(|c| c.n_groups)
        );
    }
    assert!(
        s.rows[0].dropped >= 90,
        "the late entrants: {}",
        s.rows[0].dropped
    );
    assert_eq!(s.rows[1].dropped, 0, "observed at 20");
    // The reference row is the reference fit against itself.
    let a = reference.reference_model.as_ref().unwrap();
    assert_eq!((a.match_share, a.adjusted_rand_index), (1.0, 1.0));
    assert_eq!(a.matched_groups, vec![Some(1), Some(2), Some(3)]);
    let pi: Vec<f64> = s
        .reference_candidate()
        .unwrap()
        .fit
        .as_ref()
        .unwrap()
        .groups
        .iter()
        .map(|g| g.proportion)
        .collect();
    let shares: Vec<f64> = a.shares.iter().map(|v| v.unwrap()).collect();
    assert_eq!(shares, pi);
    // Well-separated groups: to 30 the partition is nearly the same; to 19
    // (eight ages, a quarter of the persons gone) it is worse.
    let at30 = s.rows[2].reference_model.as_ref().unwrap();
    let at19 = s.rows[0].reference_model.as_ref().unwrap();
    assert!(at30.adjusted_rand_index > 0.9, "{at30:?}");
    assert!(at30.match_share > 0.95, "{at30:?}");
    assert!(
        at19.adjusted_rand_index < at30.adjusted_rand_index,
        "{at19:?}"
    );
    let text = s.to_text();
    assert!(
        text.contains("reference: end age 35, Poisson with K = 3, orders 2,2,2"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("*35")), "{text}");
}

#[test]
fn the_result_is_the_same_on_one_and_two_threads() {
    let panel = late_entrants(200);
    let ends = EndAges::range(25, 27).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let s = end_age_sensitivity(&panel, &quadratic(1..=2), Criterion::Bic, &ends, Some(26));
            serde_json::to_string(&s.unwrap()).unwrap()
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn several_families_are_compared_and_named() {
    let panel = late_entrants(200);
    let mut cands: Vec<Gbtm> = (1..=2)
        .map(|k| Gbtm::poisson(k).order(1).starts(1))
        .collect();
    cands.extend((1..=2).map(|k| Gbtm::nb(k).order(1).starts(1)));
    let ends = EndAges::new(vec![30]).unwrap();
    let s = end_age_sensitivity(&panel, &cands, Criterion::Bic, &ends, None).unwrap();
    let reference = s.reference_candidate().unwrap();
    assert_eq!(reference.family, cands[s.reference].family());
    assert_eq!(s.reference_groups, cands[s.reference].groups());
    let text = s.to_text();
    assert!(text.contains("over 4 candidates (K = 1,2)"), "{text}");
    let family = reference.family.to_string();
    let row = text.lines().find(|l| l.starts_with("*35")).unwrap();
    assert!(
        row.contains(&format!(" {family} {} ", s.reference_groups)),
        "the selected candidate is named by family and K: {text}"
    );
}

#[test]
fn each_typed_error_before_any_fit() {
    let panel = synth::three_groups(60, 5).panel;
    let cands = quadratic(1..=2);
    let run = |ends: &str, reference: Option<i64>, cands: &[Gbtm]| {
        end_age_sensitivity(
            &panel,
            cands,
            Criterion::Bic,
            &ends.parse().unwrap(),
            reference,
        )
    };
    assert!(matches!(
        run("30..40", None, &cands),
        Err(Error::EndAgeOutsidePanel {
            end_age: 36,
            first: 12,
            last: 35
        })
    ));
    assert!(matches!(
        run("11,30", None, &cands),
        Err(Error::EndAgeOutsidePanel { end_age: 11, .. })
    ));
    assert!(matches!(
        run("30", Some(40), &cands),
        Err(Error::EndAgeOutsidePanel { end_age: 40, .. })
    ));
    // Quadratic needs three observed ages: 12 and 13 are two.
    let e = run("13..20", None, &cands).unwrap_err();
    assert!(
        matches!(
            e,
            Error::EndAgeTooEarly {
                end_age: 13,
                first: 12,
                observed: 2,
                order: 2,
                needed: 3
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("order 2 needs at least 3"), "{e}");
    assert!(run("14", None, &cands).is_ok_and(|s| s.rows.len() == 2));
    assert!(
        matches!(run("30", None, &[]), Err(Error::InvalidParameter { ref name, .. }) if name == "candidates")
    );
    // A window that keeps fewer persons than K, and one that keeps none.
    let counts = Array2::from_shape_fn((6, 6), |(i, t)| {
        if i >= 2 && t < 3 {
            f64::NAN
        } else {
            ((i + t) % 3) as f64
        }
    });
    let few = Panel::from_arrays(counts.view(), &[12, 13, 14, 15, 16, 17], None).unwrap();
    let linear3 = [Gbtm::poisson(3).order(1)];
    let e = end_age_sensitivity(
        &few,
        &linear3,
        Criterion::Bic,
        &EndAges::new(vec![14]).unwrap(),
        None,
    );
    assert!(
        matches!(
            e,
            Err(Error::TooManyGroups {
                groups: 3,
                persons: 2
            })
        ),
        "{e:?}"
    );
    let counts = Array2::from_shape_fn((4, 4), |(_, t)| if t < 2 { f64::NAN } else { 1.0 });
    let late = Panel::from_arrays(counts.view(), &[12, 13, 14, 15], None).unwrap();
    let e = end_age_sensitivity(
        &late,
        &[Gbtm::poisson(1).order(0)],
        Criterion::Bic,
        &EndAges::new(vec![13]).unwrap(),
        None,
    );
    assert!(matches!(e, Err(Error::NoPersons { .. })), "{e:?}");
    // No candidate converges at the reference end age.
    let stuck = [Gbtm::poisson(2).order(2).starts(1).max_iter(1)];
    let e = run("30", None, &stuck);
    assert!(
        matches!(e, Err(Error::NothingSelected { candidates: 1 })),
        "{e:?}"
    );
}
