//! The scenario generator's overdispersion, careers past the window and
//! index cases, and the checks on a scenario's new fields.

use gbtm::Error;
use gbtm::synth::scenario::{Careers, Censoring, Curve, IndexCase, Scenario};

/// One group at a flat rate, everyone observed throughout.
fn flat(rate: f64) -> Scenario {
    let mut s = Scenario::builtin("two-groups").unwrap();
    s.groups.truncate(1);
    s.groups[0].share = 1.0;
    s.groups[0].frailty_shape = None;
    s.groups[0].rate = Curve::Table(vec![(12.0, rate), (35.0, rate)]);
    s.censoring = Censoring::none();
    s
}

/// Mean and variance of the yearly counts, and the variance of the persons' totals.
fn moments(s: &Scenario, persons: usize, seed: u64) -> (f64, f64, f64) {
    let c = s.simulate(persons, seed).unwrap();
    let y = c.panel.counts();
    let n = y.len() as f64;
    let mean = y.sum() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let totals: Vec<f64> = y.rows().into_iter().map(|r| r.sum()).collect();
    let m = totals.iter().sum::<f64>() / totals.len() as f64;
    let tvar = totals.iter().map(|t| (t - m).powi(2)).sum::<f64>() / (totals.len() as f64 - 1.0);
    (mean, var, tvar)
}

#[test]
fn person_year_frailty_gives_negative_binomial_years_independent_within_persons() {
    for (rate, shape) in [(1.5, 2.0), (0.4, 0.7)] {
        let mut s = flat(rate);
        s.groups[0].year_frailty_shape = Some(shape);
        let (mean, var, tvar) = moments(&s, 20_000, 11);
        // 480,000 person-years: the mean within 4 standard errors, the
        // variance μ + μ²/k within 3%.
        let want = rate + rate * rate / shape;
        assert!(
            (mean - rate).abs() < 4.0 * (want / 480_000.0).sqrt(),
            "rate {rate}, shape {shape}: mean {mean}"
        );
        assert!(
            (var / want - 1.0).abs() < 0.03,
            "rate {rate}, shape {shape}: variance {var}, want {want}"
        );
        // Years are independent within a person: the total's variance is
        // 24 times a year's (person-level frailty would add 24²μ²/k).
        assert!(
            (tvar / (24.0 * want) - 1.0).abs() < 0.05,
            "rate {rate}, shape {shape}: variance of totals {tvar}"
        );
    }
    // Without it, Poisson: variance = mean.
    let (mean, var, _) = moments(&flat(1.5), 20_000, 11);
    assert!((var / mean - 1.0).abs() < 0.02, "{mean} {var}");
}

#[test]
fn old_scenario_files_parse_and_a_bad_year_shape_is_a_typed_error() {
    // A scenario written before the year frailty and the careers existed.
    let s = Scenario::builtin("two-groups").unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    json.as_object_mut().unwrap().remove("careers");
    for g in json["groups"].as_array_mut().unwrap() {
        g.as_object_mut().unwrap().remove("year_frailty_shape");
    }
    let old: Scenario = serde_json::from_value(json).unwrap();
    assert_eq!(old, s);
    assert_eq!(old.groups[0].year_frailty_shape, None);
    // The same cohort as before: a scenario without the new features draws
    // nothing more from the stream.
    assert_eq!(
        old.simulate(50, 3).unwrap().panel.to_wide_csv(),
        s.simulate(50, 3).unwrap().panel.to_wide_csv()
    );
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let mut s = s.clone();
        s.groups[1].year_frailty_shape = Some(bad);
        let err = s.simulate(10, 1).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { name, message }
                if name == "scenario" && message.contains("group high: year frailty shape")),
            "{bad}: {err}"
        );
    }
}

fn with_careers(index_case: Option<IndexCase>) -> Scenario {
    let mut s = Scenario::builtin("two-groups").unwrap();
    s.careers = Some(Careers {
        mean: -10.2,
        sd: 25.0,
        max: 100.0,
        index_case,
    });
    s
}

#[test]
fn careers_follow_persons_past_the_window_and_index_cases_select_everyone() {
    let s = with_careers(None);
    let c = s.simulate(4000, 5).unwrap();
    let y = c.panel.counts();
    let (o, ids) = (c.panel.observed(), c.panel.ids());
    // The window's first case is the first observed count; persons without
    // one are followed past 35 only if observed throughout.
    for (i, id) in ids.iter().enumerate() {
        let person: usize = id.parse::<usize>().unwrap() - 1;
        let first = (0..24).find(|&t| o[[i, t]] && y[[i, t]] > 0.0);
        match (first, c.first_case_age[person]) {
            (Some(t), got) => assert_eq!(got, Some(12 + t as i64), "{id}"),
            (None, Some(a)) => {
                assert!(a > 35 && c.age_at_reference[person].is_none(), "{id}: {a}")
            }
            (None, None) => {}
        }
    }
    assert!(c.first_case_age.iter().flatten().any(|&a| a > 35));
    assert!(c.first_case_age.iter().any(Option::is_none));
    // With an index case everyone has a case, and every censored person has
    // one in the window (it is at most 3.5 years before the reference date).
    let s = with_careers(Some(IndexCase {
        earliest: 13.5,
        latest: 3.5,
    }));
    let c = s.simulate(4000, 5).unwrap();
    assert!(c.first_case_age.iter().all(Option::is_some));
    let y = c.panel.counts();
    let o = c.panel.observed();
    for (i, id) in c.panel.ids().iter().enumerate() {
        let person: usize = id.parse::<usize>().unwrap() - 1;
        if c.age_at_reference[person].is_some() {
            let total: f64 = (0..24).filter(|&t| o[[i, t]]).map(|t| y[[i, t]]).sum();
            assert!(total >= 1.0, "censored person {id} without a case");
        }
    }
    // The expected mean per observed year counts the index cases: a big
    // draw agrees with it.
    let c = s.simulate(60_000, 9).unwrap();
    for g in 0..2 {
        let rate = super::fixtures::observed_rate(&c, g);
        let want = s.expected_mean_rate(g);
        assert!(want > with_careers(None).expected_mean_rate(g));
        assert!(
            (rate / want - 1.0).abs() < 0.02,
            "group {g}: {} vs {want}",
            rate
        );
    }
}

#[test]
fn bad_careers_are_typed_errors() {
    let cases: [(Careers, &str); 3] = [
        (
            Careers {
                mean: 45.0,
                sd: 0.0,
                max: 80.0,
                index_case: None,
            },
            "sd > 0",
        ),
        (
            Careers {
                mean: 45.0,
                sd: 9.0,
                max: 30.0,
                index_case: None,
            },
            "max 30",
        ),
        (
            Careers {
                mean: 45.0,
                sd: 9.0,
                max: 80.0,
                index_case: Some(IndexCase {
                    earliest: 3.0,
                    latest: 5.0,
                }),
            },
            "latest < earliest",
        ),
    ];
    for (careers, want) in cases {
        let mut s = Scenario::builtin("two-groups").unwrap();
        s.careers = Some(careers);
        let err = s.validate().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { name, message } if name == "scenario" && message.contains(want)),
            "{want}: {err}"
        );
    }
    // A person censored at 15 could not have an index case 3.5 years
    // before the reference date within the window.
    let mut s = with_careers(Some(IndexCase {
        earliest: 13.5,
        latest: 3.5,
    }));
    s.censoring.min = 15.0;
    let err = s.validate().unwrap_err().to_string();
    assert!(err.contains("before the youngest age 12"), "{err}");
    // A target that the index cases alone exceed cannot be calibrated.
    let s = with_careers(Some(IndexCase {
        earliest: 13.5,
        latest: 3.5,
    }));
    let err = s.calibrated(&[0.001, 1.0]).unwrap_err().to_string();
    assert!(err.contains("group low cannot reach"), "{err}");
}
