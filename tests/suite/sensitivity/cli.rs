//! `gbtm sensitivity`: the table, the JSON against the library on one and
//! two threads, exit codes, and no output on error.

use gbtm::select::{Criterion, EndAges, end_age_sensitivity};
use gbtm::{Gbtm, Panel, ReadOptions};

use crate::cli::{gbtm, ok};

const THREE: &str = "data-synthetic/three-groups.csv";
const CLI_ARGS: [&str; 10] = [
    "sensitivity",
    "--data",
    THREE,
    "--groups",
    "1..3",
    "--starts",
    "2",
    "--end-ages",
    "33..34",
    "--quiet",
];

#[test]
fn cli_table_lists_each_end_age_and_the_agreement() {
    let text = ok(&gbtm(&CLI_ARGS));
    assert!(
        text.starts_with(&format!("end-age sensitivity of {THREE}: ages from 12")),
        "{text}"
    );
    assert!(text.contains("over 3 candidates (K = 1..3)"), "{text}");
    assert!(
        text.contains("reference: end age 35, Poisson with K = 3, orders 3,3,3"),
        "{text}"
    );
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip_while(|l| !l.starts_with("end persons"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect();
    let ends: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(ends, vec!["33", "34", "*35"], "{text}");
    for r in &rows {
        assert_eq!(r[1..4], ["1000", "0", "3"], "{text}");
        assert_eq!(r[7], "yes");
        let (share, ari): (f64, f64) = (r[9].parse().unwrap(), r[10].parse().unwrap());
        assert!(share > 0.95 && ari > 0.9, "{text}");
        assert_eq!(r.len(), 14, "three shares: {r:?}");
    }
    assert_eq!(rows[2][9..11], ["1.000", "1.000"]);
    assert!(text.contains("selected K: 3 at every end age"), "{text}");
}

#[test]
fn cli_json_is_the_library_result_on_any_thread_count() {
    let run = |threads: &'static str| {
        let mut args = vec!["--threads", threads];
        args.extend(CLI_ARGS);
        args.push("--json");
        ok(&gbtm(&args))
    };
    let (a, b) = (run("1"), run("2"));
    assert_eq!(a, b);
    let panel = Panel::from_csv_path(THREE, &ReadOptions::default()).unwrap();
    let cands: Vec<Gbtm> = (1..=3)
        .map(|k| Gbtm::poisson(k).order(3).starts(2).seed(1))
        .collect();
    let lib = end_age_sensitivity(
        &panel,
        &cands,
        Criterion::Bic,
        &EndAges::range(33, 34).unwrap(),
        None,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v, serde_json::to_value(&lib).unwrap());
    assert_eq!(v["reference_groups"], 3);
    assert_eq!(
        v["rows"][0]["reference_model"]["matched_groups"],
        serde_json::json!([1, 2, 3])
    );
}

#[test]
fn cli_exit_codes_and_no_output_on_error() {
    let base = [
        "sensitivity",
        "--data",
        THREE,
        "--groups",
        "1..2",
        "--starts",
        "1",
        "--quiet",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let code = |extra: &[&str]| {
        let args = with(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = gbtm(&args);
        assert!(out.stdout.is_empty(), "{extra:?} wrote output");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
        (out.status.code().unwrap_or(-1), err)
    };
    for usage in [
        &["--end-ages", "35..30"][..],
        &["--end-ages", "abc"],
        &[],
        &["--end-ages", "30", "--iorder", "1"],
        &["--end-ages", "30", "--dispersion", "shared"],
    ] {
        assert_eq!(code(usage).0, 2, "{usage:?}");
    }
    let (c, err) = code(&["--end-ages", "30..40"]);
    assert_eq!(c, 1);
    assert!(
        err.contains("end age 36 lies outside the ages of the data (12 to 35)"),
        "{err}"
    );
    let (c, err) = code(&["--end-ages", "13"]);
    assert_eq!(c, 1);
    assert!(
        err.contains("end age 13 leaves 2 distinct observed ages"),
        "{err}"
    );
    let (c, err) = code(&["--end-ages", "30", "--reference-end", "50"]);
    assert_eq!(c, 1);
    assert!(err.contains("end age 50"), "{err}");
    let (c, err) = code(&[
        "--end-ages",
        "30",
        "--ages",
        "12:30",
        "--reference-end",
        "31",
    ]);
    assert_eq!(c, 1, "--ages narrows the data: {err}");
}
