//! A seeded fuzz run of gbtm's loaders and of `fit` on small panels: random
//! mutations of valid wide, long and exposure CSVs, model files and
//! scenarios, and random small panels fitted with random settings. Every
//! call runs under `catch_unwind`: a panic is a finding, and so is a fit
//! whose report holds a non-finite number.
//!
//! Run: `cargo run --release --example fuzz -- SECONDS [SEED]` (default 60 s,
//! seed 1). Prints the number of cases per target and every finding with the
//! input that caused it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

#[path = "common/tiny.rs"]
mod tiny;

use gbtm::synth::scenario::Scenario;
use gbtm::{Gbtm, Panel, ReadOptions, TrajectoryModel};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use tiny::tiny_panel;

const PIECES: &[&str] = &[
    ",",
    ";",
    "\n",
    "\r\n",
    "\"",
    "-",
    ".",
    "NA",
    "1e308",
    "-1",
    "99999999999",
    "\t",
    "é",
    "0",
    "",
    " ",
    "1.5",
    "nan",
    "inf",
    "12",
    "131",
    "age",
    "id",
    "count",
    "exposure",
    "{",
    "}",
    "[",
    "]",
    ":",
    "null",
    "1e-300",
    "-1e308",
    "4294967296",
];

fn mutate(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..rng.random_range(1..6usize) {
        let at = if s.is_empty() {
            0
        } else {
            rng.random_range(0..=s.len())
        };
        match rng.random_range(0..4u8) {
            0 => {
                let piece = PIECES[rng.random_range(0..PIECES.len())];
                s.splice(at..at, piece.chars());
            }
            1 if at < s.len() => {
                let end = (at + rng.random_range(1..8usize)).min(s.len());
                s.drain(at..end);
            }
            2 if at < s.len() => {
                let piece = PIECES[rng.random_range(0..PIECES.len())];
                let end = (at + 1).min(s.len());
                s.splice(at..end, piece.chars());
            }
            _ => {
                // Duplicate a line.
                let text: String = s.iter().collect();
                let lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let l = lines[rng.random_range(0..lines.len())].to_string();
                    s.splice(at..at, format!("{l}\n").chars());
                }
            }
        }
    }
    s.into_iter().collect()
}

fn finite_json(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        serde_json::Value::Array(a) => a.iter().all(finite_json),
        serde_json::Value::Object(o) => o.values().all(finite_json),
        _ => true,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = std::env::temp_dir().join(format!("gbtm-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    let wide = "id,12,13,14,15\na,0,1,,2\nb,3,0,0,\nc,,,1,1\n";
    let long = "id,age,count,exposure\na,12,0,1\na,13,2,0.5\nb,12,1,0.25\n";
    let expo = "id,12,13,14,15\na,1,0.5,,1\nb,1,1,1,\nc,,,0.3,1\n";
    let cohort = gbtm::synth::three_groups(60, 1);
    let model = Gbtm::poisson(2)
        .order(1)
        .starts(1)
        .fit(&cohort.panel)
        .expect("fit")
        .into_model()
        .to_json();
    let scenario = Scenario::builtin("two-groups").expect("scenario").to_json();
    let names = ["wide", "long", "exposure", "model file", "scenario", "fit"];
    let mut cases = [0u64; 6];
    let mut findings = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        let target = rng.random_range(0..6usize);
        cases[target] += 1;
        let (input, outcome) = match target {
            0 => {
                let t = mutate(&mut rng, wide);
                let r = catch_unwind(|| Panel::from_wide_csv_str(&t, "f.csv").map(|_| ()));
                (t, r.map(|_| None))
            }
            1 => {
                let t = mutate(&mut rng, long);
                let r = catch_unwind(|| Panel::from_long_csv_str(&t, "f.csv").map(|_| ()));
                (t, r.map(|_| None))
            }
            2 => {
                let t = mutate(&mut rng, expo);
                let (c, e) = (dir.join("c.csv"), dir.join("e.csv"));
                std::fs::write(&c, wide).expect("write");
                std::fs::write(&e, &t).expect("write");
                let opts = ReadOptions::default().exposure_file(&e);
                let r = catch_unwind(|| Panel::from_csv_path(&c, &opts).map(|_| ()));
                (t, r.map(|_| None))
            }
            3 => {
                let t = mutate(&mut rng, &model);
                let r = catch_unwind(|| {
                    let Ok(m) = TrajectoryModel::from_json(&t, "m.json") else {
                        return None;
                    };
                    let f = m.forecast(&cohort.panel, 0.9).ok()?;
                    let v = serde_json::to_value(&f).ok()?;
                    (!finite_json(&v)).then(|| "a non-finite forecast".to_string())
                });
                (t, r)
            }
            4 => {
                let t = mutate(&mut rng, &scenario);
                let p = dir.join("s.json");
                std::fs::write(&p, &t).expect("write");
                let r = catch_unwind(|| {
                    Scenario::from_json_file(&p)
                        .and_then(|s| s.simulate(50, 1))
                        .map(|_| ())
                });
                (t, r.map(|_| None))
            }
            _ => {
                let (counts, ages) = tiny_panel(&mut rng);
                let k = rng.random_range(1..4usize);
                let order = rng.random_range(0..4usize);
                let zip = rng.random::<f64>() < 0.5;
                let input = format!("{counts:?} K={k} order={order} zip={zip}");
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let panel = Panel::from_arrays(counts.view(), &ages, None).ok()?;
                    let m = if zip { Gbtm::zip(k) } else { Gbtm::poisson(k) };
                    let fit = m.order(order).starts(1).max_iter(200).fit(&panel).ok()?;
                    let v = serde_json::to_value(fit.summary()).ok()?;
                    (!finite_json(&v)).then(|| "a non-finite number in the fit report".to_string())
                }));
                (input, r)
            }
        };
        match outcome {
            Err(_) => findings.push(format!("{}: panic on {input:?}", names[target])),
            Ok(Some(what)) => findings.push(format!("{}: {what} on {input:?}", names[target])),
            Ok(None) => {}
        }
    }
    let total: u64 = cases.iter().sum();
    println!(
        "fuzz: {total} cases in {:.0} s (seed {seed}), {} findings",
        start.elapsed().as_secs_f64(),
        findings.len()
    );
    for (name, n) in names.iter().zip(cases) {
        println!("  {name:<11} {n}");
    }
    for f in findings.iter().take(50) {
        println!("{f}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
