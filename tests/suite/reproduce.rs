//! The synthetic-cohort generator and the reproduction of the four profiles.

use super::cli::{gbtm, ok};
use super::outputs::non_finite;
use gbtm::synth::builtin::{FOUR_PROFILE_MEANS, FOUR_PROFILE_SIZES};
use gbtm::synth::scenario::{Curve, Scenario};

#[test]
fn four_profiles_is_calibrated_to_the_published_figures() {
    let s = Scenario::builtin("four-profiles").unwrap();
    assert_eq!(s.persons, 630);
    assert_eq!(s.ages, (12, 35));
    let labels: Vec<&str> = s.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        labels,
        ["incidental", "early_peak", "late_peak", "persistent"]
    );
    for (g, want) in FOUR_PROFILE_MEANS.iter().enumerate() {
        assert!((s.expected_mean_rate(g) - want).abs() < 1e-12, "group {g}");
        assert!((s.groups[g].share - FOUR_PROFILE_SIZES[g] as f64 / 630.0).abs() < 1e-12);
    }
    let rate = |g: usize, a: i64| s.groups[g].rate.rate(a as f64);
    let peak = |g: usize| {
        (12..=35)
            .max_by(|&a, &b| rate(g, a).total_cmp(&rate(g, b)))
            .unwrap()
    };
    assert!((15..=22).contains(&peak(1)), "early peak at {}", peak(1));
    assert!((22..=33).contains(&peak(2)), "late peak at {}", peak(2));
    for a in 28..=35 {
        assert!(
            rate(1, a) <= rate(0, a),
            "early peakers above incidental at {a}"
        );
    }
    // Persistent: high from a young age and still high in adulthood, lower at the end.
    assert!(rate(3, 15) > rate(2, 15) && rate(3, 15) > rate(0, 15));
    assert!(rate(3, 30) > rate(2, 30) && rate(3, 35) < rate(3, 22));
    // Incidental: the lowest group until the early peakers have faded (by 26).
    for a in 12..=25 {
        assert!(
            rate(0, a) <= rate(1, a).min(rate(3, a)),
            "incidental not lowest at {a}"
        );
    }
}

#[test]
fn censoring_matches_the_report() {
    let s = Scenario::builtin("four-profiles").unwrap();
    let c = s.simulate(100_000, 7).unwrap();
    let n = c.truth.len() as f64;
    let complete = c.age_at_reference.iter().filter(|a| a.is_none()).count() as f64 / n;
    assert!((complete - 0.45).abs() < 0.01, "aged 36+: {complete}");
    let young: Vec<f64> = c.age_at_reference.iter().flatten().copied().collect();
    let mean = young.iter().sum::<f64>() / young.len() as f64;
    let sd = (young.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / young.len() as f64).sqrt();
    assert!(
        (mean - 30.9).abs() < 0.1 && (sd - 3.4).abs() < 0.1,
        "under 36: {mean} ± {sd}"
    );
    let early: Vec<Option<f64>> = c
        .age_at_reference
        .iter()
        .zip(&c.truth)
        .filter(|(_, g)| **g == 1)
        .map(|(a, _)| *a)
        .collect();
    let early_complete = early.iter().filter(|a| a.is_none()).count() as f64 / early.len() as f64;
    assert!(
        (early_complete - 0.23).abs() < 0.01,
        "early peakers 36+: {early_complete}"
    );
    let mut ages: Vec<f64> = early.iter().map(|a| a.unwrap_or(99.0)).collect();
    ages.sort_by(f64::total_cmp);
    let median = ages[ages.len() / 2];
    assert!(
        (median - 31.9).abs() < 0.15,
        "early peakers' median age {median}"
    );
    // Observed mean cases per observed year, per true group.
    let (y, o) = (c.panel.counts(), c.panel.observed());
    for (g, want) in FOUR_PROFILE_MEANS.iter().enumerate() {
        let (mut cases, mut years) = (0.0, 0.0);
        for i in 0..c.panel.n_persons() {
            if c.truth[i] == g {
                for t in 0..24 {
                    if o[[i, t]] {
                        cases += y[[i, t]];
                        years += 1.0;
                    }
                }
            }
        }
        assert!(
            (cases / years / want - 1.0).abs() < 0.02,
            "group {g}: {}",
            cases / years
        );
    }
}

#[test]
fn simulation_is_deterministic_and_scenarios_round_trip() {
    for name in gbtm::synth::builtin::BUILTIN {
        let s = Scenario::builtin(name).unwrap();
        let back: Scenario = serde_json::from_str(&s.to_json()).unwrap();
        assert_eq!(back, s, "{name}");
    }
    let s = Scenario::builtin("four-profiles").unwrap();
    let a = s.simulate(300, 5).unwrap().panel.to_wide_csv();
    assert_eq!(a, s.simulate(300, 5).unwrap().panel.to_wide_csv());
    assert_ne!(a, s.simulate(300, 6).unwrap().panel.to_wide_csv());
    // The shipped scenario file is the built-in one.
    let shipped = Scenario::from_json_file(std::path::Path::new(
        "data-synthetic/scenarios/four-profiles.json",
    ))
    .unwrap();
    assert_eq!(shipped, s);
    // ... and the shipped cohort is what it draws with seed 2024.
    let csv = std::fs::read_to_string("data-synthetic/four-profiles.csv").unwrap();
    assert_eq!(csv, s.simulate(630, 2024).unwrap().panel.to_wide_csv());
}

#[test]
fn frailty_makes_counts_overdispersed() {
    let mut s = Scenario::builtin("two-groups").unwrap();
    s.groups.truncate(1);
    s.groups[0].share = 1.0;
    s.groups[0].rate = Curve::Table(vec![(12.0, 1.0), (35.0, 1.0)]);
    s.censoring = gbtm::synth::scenario::Censoring::none();
    let var_of_totals = |shape: Option<f64>| {
        let mut s = s.clone();
        s.groups[0].frailty_shape = shape;
        let c = s.simulate(20_000, 3).unwrap();
        let totals: Vec<f64> = c
            .panel
            .counts()
            .rows()
            .into_iter()
            .map(|r| r.sum())
            .collect();
        let m = totals.iter().sum::<f64>() / totals.len() as f64;
        (
            m,
            totals.iter().map(|t| (t - m).powi(2)).sum::<f64>() / totals.len() as f64,
        )
    };
    let (m0, v0) = var_of_totals(None);
    let (m2, v2) = var_of_totals(Some(2.0));
    // 24 years at rate 1: Poisson total has mean = variance = 24; frailty with
    // variance 1/2 adds 24² / 2 = 288.
    assert!(
        (m0 - 24.0).abs() < 0.2 && (v0 / 24.0 - 1.0).abs() < 0.05,
        "{m0} {v0}"
    );
    assert!(
        (m2 - 24.0).abs() < 0.3 && (v2 / (24.0 + 288.0) - 1.0).abs() < 0.08,
        "{m2} {v2}"
    );
}

#[test]
fn a_bad_scenario_is_a_typed_error() {
    let mut s = Scenario::builtin("two-groups").unwrap();
    s.groups[1].zero_inflation = 1.5;
    let err = s.simulate(10, 1).unwrap_err();
    assert!(err.to_string().contains("zero inflation"), "{err}");
    assert!(
        Scenario::builtin("no-such")
            .unwrap_err()
            .to_string()
            .contains("four-profiles")
    );
}

#[test]
fn reproduce_on_the_shipped_cohort_finds_the_four_profiles() {
    let dir = std::env::temp_dir().join(format!("gbtm-reproduce-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (plot, data_out) = (dir.join("plot.svg"), dir.join("fitted.csv"));
    let out = ok(&gbtm(&[
        "reproduce",
        "--json",
        "--plot",
        plot.to_str().unwrap(),
        "--data-out",
        data_out.to_str().unwrap(),
    ]));
    assert_eq!(non_finite(&out), None);
    assert_eq!(non_finite(&std::fs::read_to_string(&plot).unwrap()), None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "selected_groups",
        "bic",
        "total_cases",
        "total_cases_with_forecast",
        "n_persons",
        "candidates",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["selected_groups"], 4);
    assert_eq!(v["n_persons"], 630);
    assert_eq!(v["candidates"].as_array().unwrap().len(), 14);
    assert!(v["total_cases_with_forecast"].as_f64().unwrap() > v["total_cases"].as_f64().unwrap());
    let published = [
        ("incidental", 0.36, 0.14),
        ("early_peak", 0.28, 0.55),
        ("late_peak", 0.21, 0.61),
        ("persistent", 0.15, 1.40),
    ];
    let groups = v["groups"].as_array().unwrap();
    for (label, share, rate) in published {
        let g = groups
            .iter()
            .find(|g| g["label"] == label)
            .unwrap_or_else(|| panic!("no {label}"));
        let p = g["proportion"].as_f64().unwrap();
        let m = g["mean_rate"].as_f64().unwrap();
        assert!((p - share).abs() <= 0.05, "{label}: share {p}");
        assert!((m / rate - 1.0).abs() <= 0.15, "{label}: mean rate {m}");
        assert!(g["avepp"].as_f64().unwrap() > 0.7 && g["occ"].as_f64().unwrap() > 5.0);
        for key in [
            "assigned_share",
            "case_share",
            "mean_first_case_age",
            "share_first_case_under_18",
            "case_categories",
            "rate",
        ] {
            assert!(g.get(key).is_some(), "{label}: missing {key}");
        }
        let cats = g["case_categories"].as_object().unwrap();
        assert_eq!(cats.len(), 6);
        let n: u64 = cats.values().map(|c| c.as_u64().unwrap()).sum();
        assert_eq!(n, g["n_assigned"].as_u64().unwrap());
    }
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("</svg>"));
    assert_eq!(
        std::fs::read_to_string(&data_out).unwrap(),
        std::fs::read_to_string("data-synthetic/four-profiles.csv").unwrap()
    );
}
