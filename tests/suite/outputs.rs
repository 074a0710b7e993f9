//! What every command writes: only finite numbers, on any valid input
//! (including all-zero persons, single observed years, large counts and
//! exposures near 0); and nothing at all when it fails: a failed command
//! leaves every file in its folder as it was, and creates none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gbtm::TrajectoryModel;

use super::cli::{EXE, fails, gbtm, ok};

/// A folder of its own for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gbtm-outputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Valid but awkward data: an all-zero person, persons with one observed
/// year, a count of 60, exposures down to 0.001.
const COUNTS: &str = "id,12,13,14,15,16,17\n\
    a,0,0,0,0,0,0\n\
    b,1,2,3,2,1,0\n\
    c,,,4,,,\n\
    d,0,1,0,0,1,0\n\
    e,60,40,20,5,1,0\n\
    f,0,0,1,2,4,8\n\
    g,2,,1,,0,\n\
    h,0,0,0,1,0,0\n\
    i,3,3,3,3,3,3\n\
    j,,,,,,1\n\
    k,0,1,1,0,0,0\n\
    l,1,0,0,0,0,1\n";
const EXPOSURE: &str = "id,12,13,14,15,16,17\n\
    a,1,1,1,1,1,1\n\
    b,1,1,0.5,1,1,1\n\
    c,1,1,0.001,1,1,1\n\
    d,1,1,1,1,1,0.01\n\
    e,1,1,1,1,1,1\n\
    f,1,1,1,1,1,0.5\n\
    g,1,1,1,1,1,1\n\
    h,0.2,1,1,1,1,1\n\
    i,1,1,1,1,1,1\n\
    j,1,1,1,1,1,0.001\n\
    k,1,1,1,1,1,1\n\
    l,1,1,1,1,1,1\n";

/// Keys whose value may be JSON `null`: fields that are absent by design
/// (a Poisson model's zero inflation, a failed or unconverged candidate's
/// figures). serde writes a NaN as `null`, so a `null` anywhere else is one.
const MAY_BE_NULL: [&str; 20] = [
    // Absent without a covariance matrix (covariance_problem says why).
    "covariance_problem",
    "coefficient_se",
    "zero_inflation_coefficient_se",
    "raw_age_coefficient_se",
    "proportion_se",
    "proportion_lower",
    "proportion_upper",
    "rate_lower",
    "rate_upper",
    "expected_lower",
    "expected_upper",
    "censoring",
    "gamma",
    "iorders",
    "iorder",
    "zero_inflation",
    "zero_inflation_coefficients",
    "error",
    "model_probability",
    "imputed",
];

/// The first word of `text` that spells a non-finite number (`NaN`, `inf`,
/// `Infinity`), if any; for JSON, also the path of a `null` under a key
/// that may not be null.
pub fn non_finite(text: &str) -> Option<String> {
    fn word(text: &str) -> Option<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map(|w| w.trim_start_matches(['+', '-']).to_ascii_lowercase())
            .find(|w| ["nan", "inf", "infinity"].contains(&w.as_str()))
    }
    fn walk(v: &serde_json::Value, key: &str, path: String) -> Option<String> {
        match v {
            serde_json::Value::Null if !MAY_BE_NULL.contains(&key) => {
                Some(format!("null at {path}"))
            }
            serde_json::Value::String(s) => word(s),
            serde_json::Value::Array(a) => a.iter().find_map(|x| walk(x, key, format!("{path}[]"))),
            serde_json::Value::Object(o) => o
                .iter()
                .find_map(|(k, x)| walk(x, k, format!("{path}.{k}"))),
            _ => None,
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => walk(&v, "", String::new()),
        Err(_) => word(text),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_output_is_finite() {
    let dir = folder("finite");
    let (data, expo) = (dir.join("d.csv"), dir.join("e.csv"));
    std::fs::write(&data, COUNTS).unwrap();
    std::fs::write(&expo, EXPOSURE).unwrap();
    let (m1, m2) = (dir.join("m1.json"), dir.join("m2.json"));
    let d = s(&data);
    let with = ["--data", d, "--exposure", s(&expo)];
    #[rustfmt::skip]
    let runs: Vec<Vec<&str>> = vec![
        [&["fit", "--groups", "2", "--order", "1", "--save", s(&m1)], &with[..]].concat(),
        [&["fit", "--groups", "2", "--order", "1", "--json"], &with[..]].concat(),
        vec!["fit", "--data", d, "--groups", "2", "--model", "zip", "--save", s(&m2)],
        vec!["fit", "--data", d, "--groups", "2", "--model", "zip", "--json"],
        vec!["select", "--data", d, "--groups", "1..3", "--order", "1", "--quiet"],
        vec!["select", "--data", d, "--groups", "1..3", "--json", "--quiet"],
        [&["classify", "--model", s(&m1), "--forecast"], &with[..]].concat(),
        [&["classify", "--model", s(&m1), "--forecast", "--json"], &with[..]].concat(),
        vec!["classify", "--model", s(&m2), "--data", d, "--forecast", "--json"],
        vec!["classify", "--model", s(&m2), "--data", d, "--forecast"],
        vec!["plot", "--model", s(&m2), "--data", d, "--out", "P2"],
        [&["plot", "--model", s(&m1), "--out", "P1"], &with[..]].concat(),
        vec![
            "simulate", "--scenario", "three-groups-exposure", "--persons", "40",
            "--out", "SIM", "--truth", "TRUTH", "--exposure-out", "EXPO",
        ],
        vec![
            "simulate", "--scenario", "two-groups", "--persons", "40",
            "--out", "SIM2", "--write-scenario", "SCEN",
        ],
    ];
    for args in runs {
        let files: Vec<PathBuf> = args
            .iter()
            // Output placeholders: capital letters (and digits), as P1, SIM.
            .filter(|a| a.starts_with(|c: char| c.is_ascii_uppercase()))
            .filter(|a| {
                a.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
            .map(|a| dir.join(a))
            .collect();
        let mut real: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for (a, f) in real.iter_mut().zip(&args) {
            if let Some(p) = files.iter().find(|p| p.ends_with(f)) {
                *a = s(p).to_string();
            }
        }
        let stdout = ok(&gbtm(&real.iter().map(String::as_str).collect::<Vec<_>>()));
        assert_eq!(non_finite(&stdout), None, "{args:?} printed:\n{stdout}");
        for f in files.iter().chain([&m1, &m2]).filter(|f| f.exists()) {
            let text = std::fs::read_to_string(f).unwrap();
            assert_eq!(non_finite(&text), None, "{args:?} wrote {}", f.display());
        }
    }
}

#[test]
fn non_finite_words_are_found() {
    assert_eq!(non_finite("a,1.5,-2e300\nb,0,3"), None);
    assert_eq!(non_finite("information, inflation, nullable"), None);
    assert_eq!(non_finite("x,NaN,1").as_deref(), Some("nan"));
    assert_eq!(non_finite("ll = -inf").as_deref(), Some("inf"));
    assert_eq!(
        non_finite("{\"a\": {\"se\": [1, null]}}").as_deref(),
        Some("null at .a.se[]")
    );
    assert_eq!(
        non_finite("{\"gamma\": null, \"x\": \"NaN\"}").as_deref(),
        Some("nan")
    );
    assert_eq!(non_finite("{\"gamma\": null, \"x\": 1e300}"), None);
    assert_eq!(
        non_finite("<text>+Infinity</text>").as_deref(),
        Some("infinity")
    );
}

/// Every file in `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect()
}

#[test]
fn failed_commands_leave_every_file_as_it_was() {
    let dir = folder("failed");
    let p = |name: &str| s(&dir.join(name)).to_string();
    std::fs::write(dir.join("d.csv"), COUNTS).unwrap();
    std::fs::write(dir.join("bad.csv"), "id,12,13\na,1,x\n").unwrap();
    std::fs::write(dir.join("old.csv"), "keep me\n").unwrap();
    std::fs::write(dir.join("old.svg"), "<svg/>\n").unwrap();
    std::fs::write(dir.join("old.json"), "{}\n").unwrap();
    std::fs::write(dir.join("corrupt.json"), "{\"format\": 1").unwrap();
    ok(&gbtm(&[
        "fit",
        "--data",
        &p("d.csv"),
        "--groups",
        "1",
        "--order",
        "0",
        "--save",
        &p("m.json"),
    ]));
    let before = snapshot(&dir);
    let (d, m) = (p("d.csv"), p("m.json"));
    #[rustfmt::skip]
    let cases: Vec<(i32, Vec<String>)> = vec![
        // bad data, values or files: exit 1
        (1, vec!["fit".into(), "--data".into(), p("bad.csv"), "--groups".into(), "1".into(), "--save".into(), p("new.json")]),
        (1, vec!["fit".into(), "--data".into(), d.clone(), "--groups".into(), "99".into(), "--save".into(), p("old.json")]),
        (1, vec!["fit".into(), "--data".into(), d.clone(), "--groups".into(), "1".into(), "--save".into(), d.clone()]),
        (1, vec!["fit".into(), "--data".into(), d.clone(), "--groups".into(), "1".into(), "--save".into(), p("no/such/m.json")]),
        (1, vec!["select".into(), "--data".into(), p("bad.csv"), "--groups".into(), "1..2".into(), "--save".into(), p("old.json")]),
        (1, vec!["classify".into(), "--model".into(), p("corrupt.json"), "--data".into(), d.clone()]),
        (1, vec!["classify".into(), "--model".into(), m.clone(), "--data".into(), p("bad.csv"), "--forecast".into()]),
        (1, vec!["plot".into(), "--model".into(), m.clone(), "--data".into(), p("bad.csv"), "--out".into(), p("old.svg")]),
        (1, vec!["plot".into(), "--model".into(), p("corrupt.json"), "--data".into(), d.clone(), "--out".into(), p("new.svg")]),
        (1, vec!["plot".into(), "--model".into(), m.clone(), "--data".into(), d.clone(), "--out".into(), m.clone()]),
        (1, vec!["simulate".into(), "--scenario".into(), "no-such".into(), "--out".into(), p("new.csv"), "--truth".into(), p("t.csv")]),
        (1, vec!["simulate".into(), "--scenario".into(), "two-groups".into(), "--persons".into(), "10".into(), "--truth".into(), p("t.csv"), "--write-scenario".into(), p("s.json"), "--out".into(), p("no/such/x.csv")]),
        (1, vec!["reproduce".into(), "--data".into(), p("bad.csv"), "--data-out".into(), p("old.csv"), "--plot".into(), p("new.svg")]),
        (1, vec!["reproduce".into(), "--starts".into(), "1".into(), "--data-out".into(), p("old.csv"), "--plot".into(), p("no/such/p.svg")]),
        // usage errors: exit 2
        (2, vec!["simulate".into(), "--scenario".into(), "two-groups".into(), "--persons".into(), "10".into(), "--truth".into(), p("./new.csv"), "--out".into(), p("new.csv")]),
        (2, vec!["simulate".into(), "--scenario".into(), "two-groups".into(), "--persons".into(), "10".into(), "--truth".into(), p("old.csv"), "--out".into(), p("old.csv")]),
        (2, vec!["fit".into(), "--data".into(), d.clone(), "--bogus".into(), "--save".into(), p("new.json")]),
        (2, vec!["fit".into(), "--data".into(), d.clone(), "--groups".into(), "two".into(), "--save".into(), p("new.json")]),
        (2, vec!["simulate".into(), "--scenario".into(), "two-groups".into(), "--persons".into(), "-1".into(), "--out".into(), p("new.csv")]),
    ];
    for (code, args) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (got, err) = fails(&args);
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        if code == 1 {
            assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        }
        let after = snapshot(&dir);
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{args:?} created or removed a file"
        );
        for (path, bytes) in &before {
            assert!(after[path] == *bytes, "{args:?} changed {}", path.display());
        }
    }
}

/// The report goes to standard output before any file is written: when
/// standard output fails (a full disk), no model or plot file appears;
/// when its reader leaves (a closed pipe), the files are still written.
#[test]
fn files_are_written_only_after_the_report() {
    let dir = folder("report-first");
    let data = dir.join("d.csv");
    std::fs::write(&data, COUNTS).unwrap();
    let model = dir.join("m.json");
    let run = |stdout: Stdio| {
        Command::new(EXE)
            .args(["fit", "--data", s(&data), "--groups", "1", "--order", "0"])
            .args(["--save", s(&model)])
            .stdout(stdout)
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = run(Stdio::from(full));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard output"));
    assert!(
        !model.exists(),
        "a failed command created {}",
        model.display()
    );
    // A closed pipe: the reader is gone before gbtm writes.
    let mut child = Command::new(EXE)
        .args(["fit", "--data", s(&data), "--groups", "1", "--order", "0"])
        .args(["--save", s(&model)])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert!(child.wait().unwrap().success());
    assert!(TrajectoryModel::load(&model).is_ok());
}

/// A property over 256 seeded absurd model files: one number of a saved
/// model (a coefficient, a share, the age scaling) is replaced by
/// ±10^e, e up to 308, or its reciprocal. `classify --forecast` then either
/// refuses the file with exit 1 and a one-line error, or prints only finite
/// numbers; it never panics, aborts or prints NaN.
#[test]
fn property_absurd_model_files_never_give_non_finite_output() {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};
    let dir = folder("absurd-models");
    let data = dir.join("d.csv");
    std::fs::write(&data, COUNTS).unwrap();
    let model = dir.join("m.json");
    ok(&gbtm(&[
        "fit",
        "--data",
        s(&data),
        "--groups",
        "2",
        "--order",
        "1",
        "--starts",
        "1",
        "--save",
        s(&model),
    ]));
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    fn numbers(v: &serde_json::Value, path: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Number(_) => out.push(path),
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    numbers(x, format!("{path}/{i}"), out);
                }
            }
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    numbers(x, format!("{path}/{k}"), out);
                }
            }
            _ => {}
        }
    }
    // The estimates and the age scaling (where the model sits in the file
    // has changed over versions).
    let root = if base.get("model").is_some() {
        "/model"
    } else {
        ""
    };
    let mut paths = Vec::new();
    for part in ["params", "age_scaling"] {
        let at = format!("{root}/{part}");
        numbers(base.pointer(&at).unwrap(), at, &mut paths);
    }
    assert!(paths.len() > 5, "{paths:?}");
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let absurd = dir.join("absurd.json");
    for case in 0..256 {
        let mut v = base.clone();
        let at = &paths[rng.random_range(0..paths.len())];
        let e = rng.random_range(0..=308) as f64;
        let x = 10f64.powf(if rng.random::<bool>() { e } else { -e });
        let x = if rng.random::<bool>() { x } else { -x };
        *v.pointer_mut(at).unwrap() = serde_json::json!(x);
        std::fs::write(&absurd, v.to_string()).unwrap();
        let out = gbtm(&[
            "classify",
            "--model",
            s(&absurd),
            "--data",
            s(&data),
            "--forecast",
            "--json",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => {
                let stdout = String::from_utf8_lossy(&out.stdout);
                assert_eq!(non_finite(&stdout), None, "case {case}: {at} = {x:e}");
            }
            Some(1) => assert_eq!(stderr.trim().lines().count(), 1, "case {case}: {stderr}"),
            code => panic!("case {case}: {at} = {x:e}: exit {code:?}: {stderr}"),
        }
    }
}

#[test]
fn simulate_json_describes_the_files_it_wrote() {
    let dir = folder("simulate-json");
    let (out, truth) = (dir.join("c.csv"), dir.join("t.csv"));
    let text = ok(&gbtm(&[
        "simulate",
        "--scenario",
        "three-groups-nb",
        "--persons",
        "120",
        "--seed",
        "9",
        "--out",
        s(&out),
        "--truth",
        s(&truth),
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["scenario"], "three-groups-nb");
    assert_eq!(v["seed"], 9);
    assert_eq!(v["persons_drawn"], 120);
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files, [s(&truth), s(&out)]);
    let panel = gbtm::Panel::from_csv_path(&out, &gbtm::ReadOptions::default()).unwrap();
    assert_eq!(v["persons_observed"], panel.n_persons());
    assert_eq!(v["person_years"], panel.n_observations());
    let cases: f64 = panel
        .counts()
        .iter()
        .zip(panel.observed().iter())
        .filter(|(_, o)| **o)
        .map(|(y, _)| *y)
        .sum();
    assert_eq!(v["total_cases"].as_f64().unwrap(), cases);
    let mut sizes = [0u64; 3];
    for line in std::fs::read_to_string(&truth).unwrap().lines().skip(1) {
        let g: usize = line.split(',').nth(1).unwrap().parse().unwrap();
        sizes[g - 1] += 1;
    }
    let got: Vec<u64> = v["true_group_sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(got, sizes);
}
