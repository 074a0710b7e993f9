//! `gbtm report` and `gbtm::publish`: the Markdown report covers every
//! GRoLTS item, follows the disclosure rounding, writes its figures beside
//! it, and writes nothing when it fails.

use super::cli::{fails, gbtm, ok, temp};
use gbtm::publish::DataDescription;
use gbtm::synth;

#[test]
fn the_report_covers_every_grolts_item_and_writes_its_figures() {
    let data = temp("publish-cohort.csv");
    let out = temp("publish-report.md");
    ok(&gbtm(&[
        "simulate",
        "--scenario",
        "three-groups",
        "--persons",
        "400",
        "--seed",
        "3",
        "--out",
        data.to_str().unwrap(),
    ]));
    let stdout = ok(&gbtm(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--groups",
        "1..3",
        "--order",
        "2",
        "--starts",
        "3",
        "--round-counts",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(stdout.starts_with("wrote "), "{stdout}");
    let md = std::fs::read_to_string(&out).unwrap();
    for section in [
        "## 1. Data",
        "## 2. Model",
        "## 3. Estimation",
        "## 4. Every model tried",
        "## 5. The chosen model",
        "## 6. Figures",
        "## GRoLTS checklist",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    for item in [
        "1. ", "2. ", "3a. ", "3b. ", "3c. ", "4. ", "5. ", "6a. ", "6b. ", "7. ", "8. ", "9. ",
        "10. ", "11. ", "12. ", "13. ", "14a. ", "14b. ", "14c. ", "15. ", "16. ",
    ] {
        assert!(
            md.contains(&format!("\n| {item}")),
            "GRoLTS item {item} missing"
        );
    }
    // The command that reproduces it, the three models tried, one chosen.
    assert!(md.contains("gbtm report --data "));
    assert_eq!(md.matches("| poisson | ").count(), 3);
    assert_eq!(md.matches("**→**").count(), 1);
    // Person counts rounded to multiples of 5: the sample and every
    // "persons observed" cell of the data table.
    let sample = md.split("**Sample.** ").nth(1).unwrap();
    let persons: usize = sample.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(persons % 5, 0);
    let table = md
        .split("| --- | --- | --- | --- | --- | --- | --- |")
        .nth(1)
        .unwrap();
    for line in table.lines().skip(1).take_while(|l| l.starts_with("| ")) {
        let n: usize = line.split(" | ").nth(1).unwrap().parse().unwrap();
        assert_eq!(n % 5, 0, "{line}");
    }
    // --json: the files written, the data, every model tried, the choice.
    let json = ok(&gbtm(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--groups",
        "1..2",
        "--order",
        "2",
        "--starts",
        "2",
        "--json",
        "--out",
        temp("publish-json.md").to_str().unwrap(),
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["wrote"].as_array().unwrap().len(), 3);
    assert_eq!(v["selection"]["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(v["data"]["ages"].as_array().unwrap().len(), 24);
    assert!(v["chosen"]["log_likelihood"].as_f64().unwrap() < 0.0);
    // The figures beside it, linked by name.
    for fig in [
        "publish-report-trajectories.svg",
        "publish-report-trajectories-ci.svg",
    ] {
        assert!(md.contains(&format!("]({fig})")));
        let svg = std::fs::read_to_string(out.with_file_name(fig)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    }
}

#[test]
fn a_failed_report_writes_nothing() {
    let data = temp("publish-fail.csv");
    ok(&gbtm(&[
        "simulate",
        "--scenario",
        "three-groups",
        "--persons",
        "100",
        "--seed",
        "1",
        "--out",
        data.to_str().unwrap(),
    ]));
    // The report would overwrite its input: refused before any fit.
    let (code, err) = fails(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--out",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !data
            .with_file_name("publish-fail-trajectories.svg")
            .exists()
    );
    // A bad level: no files either.
    let out = temp("publish-bad-level.md");
    let (code, _) = fails(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--level",
        "1.5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(!out.exists());
}

#[test]
fn the_data_description_matches_a_direct_count() {
    let cohort = synth::three_groups(500, 9);
    let p = &cohort.panel;
    let d = DataDescription::new(p, 1);
    let (y, o) = (p.counts(), p.observed());
    assert_eq!(d.persons, p.n_persons());
    assert_eq!(d.person_years, p.n_observations());
    for (t, r) in d.ages.iter().enumerate() {
        let v: Vec<f64> = (0..p.n_persons())
            .filter(|&i| o[[i, t]])
            .map(|i| y[[i, t]])
            .collect();
        assert_eq!(r.observed, v.len());
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((r.mean - mean).abs() < 1e-12);
        let zeros = v.iter().filter(|&&x| x == 0.0).count() as f64 / v.len() as f64;
        assert!((r.zero_share - zeros).abs() < 1e-12);
        // The teaching cohort censors 40% of persons from mid-window on.
        if t == 0 {
            assert_eq!(r.censored_share, 0.0);
        }
    }
    assert!(d.ages.last().unwrap().censored_share > 0.2);
}
