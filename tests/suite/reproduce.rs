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
    // Person-year overdispersion, no person-level frailty; careers past 35
    // with the index case.
    for g in &s.groups {
        assert_eq!(g.year_frailty_shape, Some(2.0), "{}", g.label);
        assert_eq!(g.frailty_shape, None, "{}", g.label);
    }
    assert!(s.careers.as_ref().is_some_and(|k| k.index_case.is_some()));
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
    // The careers' ages of the 36+ make the whole sample 37.6 (sd 9.8):
    // their truncated normal's moments, by the midpoint rule.
    let k = s.careers.as_ref().unwrap();
    let (mut w, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for j in 0..20_000 {
        let a = 36.0 + (k.max - 36.0) * (j as f64 + 0.5) / 20_000.0;
        let d = (-0.5 * ((a - k.mean) / k.sd).powi(2)).exp();
        (w, m1, m2) = (w + d, m1 + d * a, m2 + d * a * a);
    }
    let (old_mean, old_sq) = (m1 / w, m2 / w);
    let all_mean = (1.0 - complete) * mean + complete * old_mean;
    let all_sq = (1.0 - complete) * (sd * sd + mean * mean) + complete * old_sq;
    let all_sd = (all_sq - all_mean * all_mean).sqrt();
    assert!(
        (all_mean - 37.6).abs() < 0.15 && (all_sd - 9.8).abs() < 0.15,
        "whole sample: {all_mean} ± {all_sd}"
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
    for (g, want) in FOUR_PROFILE_MEANS.iter().enumerate() {
        let rate = super::fixtures::observed_rate(&c, g);
        assert!((rate / want - 1.0).abs() < 0.02, "group {g}: {}", rate);
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

/// The figures of `gbtm reproduce` on the shipped cohort that
/// docs/reproduction.md reports and that do not meet the report's: the
/// 4-group BIC and the incidental profile's mean age at the first case.
const SHIPPED_BIC: f64 = -12_059.59;
const SHIPPED_INCIDENTAL_FIRST_CASE: f64 = 20.45;

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
        "bic_four_groups",
        "model_four_groups",
        "total_cases",
        "total_cases_with_forecast",
        "forecast_addition",
        "published",
        "n_persons",
        "candidates",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let f = |key: &str| v[key].as_f64().unwrap();
    // Acceptance: 4 groups; total within 8% of 7,196; forecast addition
    // within 35% of +611.
    assert_eq!(v["selected_groups"], 4);
    assert_eq!(v["n_persons"], 630);
    assert_eq!(v["candidates"].as_array().unwrap().len(), 14);
    assert_eq!(f("bic"), f("bic_four_groups"));
    assert!(
        (f("total_cases") / 7196.0 - 1.0).abs() <= 0.08,
        "{}",
        f("total_cases")
    );
    let added = f("forecast_addition");
    assert!((added / 611.0 - 1.0).abs() <= 0.35, "forecast adds {added}");
    assert!((f("total_cases") + added - f("total_cases_with_forecast")).abs() < 1e-6);
    // The BIC falls short of the published -12,431.34 by the documented
    // amount: the overdispersion that would close the gap makes BIC choose
    // more groups (docs/reproduction.md).
    assert_eq!(v["published"]["bic"], -12431.34);
    assert!((f("bic") - SHIPPED_BIC).abs() < 0.5, "BIC {}", f("bic"));
    // The negative binomial of the same cohort also selects four groups,
    // with a better BIC than the selected ZIP model (docs/reproduction.md).
    let nb = &v["negative_binomial"];
    assert_eq!(nb["candidates"].as_array().unwrap().len(), 7);
    assert!(
        nb["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["family"] == "nb")
    );
    assert_eq!(nb["selected_groups"], 4);
    assert_eq!(nb["adequate"], true);
    assert_eq!(nb["bic"], nb["bic_four_groups"]);
    assert!(nb["bic"].as_f64().unwrap() > f("bic"), "{nb}");
    let published = &v["published"]["profiles"];
    let groups = v["groups"].as_array().unwrap();
    for q in published.as_array().unwrap() {
        let label = q["label"].as_str().unwrap();
        let g = groups
            .iter()
            .find(|g| g["label"] == label)
            .unwrap_or_else(|| panic!("no {label}"));
        let (p, q_) = (
            |k: &str| g[k].as_f64().unwrap(),
            |k: &str| q[k].as_f64().unwrap(),
        );
        assert!(
            (p("proportion") - q_("share")).abs() <= 0.05,
            "{label}: share {}",
            p("proportion")
        );
        assert!(
            (p("mean_rate") / q_("mean_rate") - 1.0).abs() <= 0.15,
            "{label}: mean rate {}",
            p("mean_rate")
        );
        assert!(p("avepp") > 0.7 && p("occ") > 5.0, "{label}");
        assert!(
            (p("case_share") - q_("case_share")).abs() <= 0.03,
            "{label}: case share {}",
            p("case_share")
        );
        let all = &g["first_case_all_ages"];
        let (first, under18) = (
            all["mean_age"].as_f64().unwrap(),
            all["share_under_18"].as_f64().unwrap(),
        );
        // Everyone has a case over all data (the index case).
        assert_eq!(all["without_case"], 0, "{label}");
        assert_eq!(all["with_case"], g["n_assigned"], "{label}");
        assert!(
            (under18 - q_("share_first_case_under_18")).abs() <= 0.10,
            "{label}: <18 {under18}"
        );
        if label == "incidental" {
            assert!(
                (first - SHIPPED_INCIDENTAL_FIRST_CASE).abs() < 0.005,
                "{label}: first case {first}"
            );
        } else {
            assert!(
                (first - q_("mean_first_case_age")).abs() <= 1.5,
                "{label}: first case {first}"
            );
        }
        for key in [
            "assigned_share",
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
    // The readable report sets the same figures beside the report's.
    let rep: gbtm::study::four_profiles::Reproduction = serde_json::from_str(&out).unwrap();
    let text = rep.to_text();
    for want in [
        "report -12431.34",
        "report +611",
        "report 7196",
        "23.2",
        "70%",
        "NB selects 4 groups",
    ] {
        assert!(text.contains(want), "text lacks {want:?}:\n{text}");
    }
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("</svg>"));
    assert_eq!(
        std::fs::read_to_string(&data_out).unwrap(),
        std::fs::read_to_string("data-synthetic/four-profiles.csv").unwrap()
    );
}

#[test]
fn first_case_files_must_cover_the_panel() {
    let path = super::cli::temp("first-cases-short.csv");
    std::fs::write(&path, "id,first_case_age\n1,17\n").unwrap();
    let (code, err) = super::cli::fails(&[
        "reproduce",
        "--first-cases",
        path.to_str().unwrap(),
        "--plot",
        super::cli::temp("short.svg").to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("no first-case age for person \"2\""), "{err}");
    // The shipped file is the generator's, for every drawn person.
    let shipped = std::fs::read_to_string("data-synthetic/four-profiles-first-cases.csv").unwrap();
    let c = Scenario::builtin("four-profiles")
        .unwrap()
        .simulate(630, 2024)
        .unwrap();
    assert_eq!(shipped, c.first_cases_csv());
}
