//! The `gbtm` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gbtm::data::csv::write_atomic;
use gbtm::synth::scenario::Scenario;
use gbtm::{synth, Error, Family, FitSummary, FittedGbtm, Gbtm, Panel, ReadOptions};

#[derive(Parser)]
#[command(
    name = "gbtm",
    version,
    about = "Group-based trajectory modelling of count panels"
)]
struct Cli {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fit a Poisson or ZIP trajectory mixture.
    Fit(FitArgs),
    /// Write a synthetic cohort as a wide CSV.
    Simulate(SimArgs),
    /// Classify persons with a saved model, and optionally forecast their counts.
    Classify(ClassifyArgs),
}

#[derive(clap::Args)]
struct ClassifyArgs {
    /// A model written by `gbtm fit --save`.
    #[arg(long)]
    model: PathBuf,
    /// Counts of the persons to classify (wide or long CSV); their ages must
    /// lie within the model's.
    #[arg(long)]
    data: PathBuf,
    /// Age window FROM:TO of the data (default: every age in the file).
    #[arg(long)]
    ages: Option<String>,
    /// Add the expected count and a predictive interval at every model age the
    /// person was not observed at, and over all of them.
    #[arg(long)]
    forecast: bool,
    /// Coverage of the predictive intervals.
    #[arg(long, default_value_t = 0.9)]
    level: f64,
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV.
    #[arg(long)]
    csv: bool,
}

#[derive(clap::Args)]
struct FitArgs {
    /// Counts: wide CSV (id + one column per age) or long CSV (id,age,count[,exposure]).
    #[arg(long)]
    data: PathBuf,
    /// Number of groups K.
    #[arg(long)]
    groups: usize,
    /// Polynomial order of every group (0-5).
    #[arg(long, default_value_t = 3, conflicts_with = "orders")]
    order: usize,
    /// One polynomial order per group, e.g. 3,3,2,1.
    #[arg(long, value_delimiter = ',')]
    orders: Option<Vec<usize>>,
    /// poisson or zip.
    #[arg(long, default_value = "poisson")]
    model: String,
    /// Zero-inflation order of every group (ZIP; traj's iorder).
    #[arg(long, conflicts_with = "iorders")]
    iorder: Option<usize>,
    /// One zero-inflation order per group (ZIP).
    #[arg(long, value_delimiter = ',')]
    iorders: Option<Vec<usize>>,
    /// Exposure (time at risk) in the wide layout of --data.
    #[arg(long)]
    exposure: Option<PathBuf>,
    /// Age window FROM:TO (default: every age in the file).
    #[arg(long)]
    ages: Option<String>,
    /// Starts run to convergence.
    #[arg(long, default_value_t = 10)]
    starts: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Maximum EM iterations per start.
    #[arg(long, default_value_t = 5000)]
    max_iter: usize,
    /// Print one JSON object instead of the readable report.
    #[arg(long)]
    json: bool,
    /// Also save the fitted model (JSON) for `gbtm classify`.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Round every person count in the report to a multiple of N, and compute
    /// shares from the rounded counts (disclosure control).
    #[arg(long, value_name = "N")]
    round_counts: Option<usize>,
}

#[derive(clap::Args)]
struct SimArgs {
    /// A scenario file (JSON) or a built-in name: four-profiles,
    /// four-profiles-10k, four-profiles-100k, four-profiles-1m, two-groups,
    /// six-groups, three-groups, three-groups-zip, three-groups-exposure.
    #[arg(long)]
    scenario: String,
    /// Persons to draw (default: the scenario's own size; 1000 for three-groups*).
    #[arg(long)]
    persons: Option<usize>,
    /// Also write the scenario itself as JSON (to edit and reuse).
    #[arg(long)]
    write_scenario: Option<PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output wide CSV.
    #[arg(long)]
    out: PathBuf,
    /// Also write the true group of each person (id,group; groups from 1).
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Also write the exposure matrix (for scenarios with exposure).
    #[arg(long)]
    exposure_out: Option<PathBuf>,
}

fn parse_ages(s: &str) -> Result<(i64, i64), Error> {
    let bad = || Error::InvalidParameter {
        name: "--ages".into(),
        message: format!("{s:?} is not FROM:TO, e.g. 12:35"),
    };
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

fn fit(a: FitArgs) -> Result<String, Error> {
    let family: Family = a.model.parse()?;
    let opts = ReadOptions {
        ages: a.ages.as_deref().map(parse_ages).transpose()?,
        exposure: a.exposure.clone(),
    };
    if family == Family::Poisson && (a.iorder.is_some() || a.iorders.is_some()) {
        return Err(Error::InvalidParameter {
            name: "--iorder".into(),
            message: "zero-inflation orders need --model zip".into(),
        });
    }
    let panel = Panel::from_csv_path(&a.data, &opts)?;
    let mut model = match family {
        Family::Poisson => Gbtm::poisson(a.groups),
        Family::Zip => Gbtm::zip(a.groups),
    };
    model = model
        .order(a.order)
        .starts(a.starts)
        .seed(a.seed)
        .max_iter(a.max_iter);
    if let Some(o) = a.orders {
        model = model.orders(o);
    }
    if let Some(q) = a.iorder {
        model = model.iorder(q);
    }
    if let Some(q) = a.iorders {
        model = model.iorders(q);
    }
    let fitted = model.fit(&panel)?;
    if let Some(path) = &a.save {
        fitted.save(path)?;
    }
    let mut summary = FitSummary::new(&fitted);
    if let Some(base) = a.round_counts {
        summary = summary.with_rounded_counts(base);
    }
    Ok(if a.json {
        to_json(&summary)?
    } else {
        summary.to_text()
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| Error::Json {
            path: "<stdout>".into(),
            message: e.to_string(),
        })
}

fn classify(a: ClassifyArgs) -> Result<String, Error> {
    let model = FittedGbtm::load(&a.model)?;
    let opts = ReadOptions {
        ages: a.ages.as_deref().map(parse_ages).transpose()?,
        exposure: None,
    };
    let panel = Panel::from_csv_path(&a.data, &opts)?;
    let k = model.spec().groups();
    if a.forecast {
        let f = model.forecast(&panel, a.level)?;
        if a.json {
            return to_json(&f);
        }
        let pct = (a.level * 100.0).round();
        let mut s =
            String::from("id,group,max_posterior,observed_total,forecast_ages,expected_total");
        s += &format!(",total_lower{pct},total_upper{pct}\n");
        for p in &f {
            let g = gbtm::diagnostics::assign(
                &ndarray::Array2::from_shape_vec((1, k), p.posteriors.clone()).map_err(|e| {
                    Error::InvalidParameter {
                        name: "posteriors".into(),
                        message: e.to_string(),
                    }
                })?,
            )[0];
            let ages = match (p.years.first(), p.years.last()) {
                (Some(a0), Some(a1)) => format!("{}-{}", a0.age, a1.age),
                _ => String::new(),
            };
            s += &format!(
                "{},{},{:.6},{},{},{:.4},{},{}\n",
                p.id,
                g + 1,
                p.posteriors[g],
                p.observed_total,
                ages,
                p.total_expected,
                p.total_lower,
                p.total_upper
            );
        }
        return Ok(s);
    }
    let classes = model.classify(&panel)?;
    if a.json {
        return to_json(&classes);
    }
    let mut s = String::from("id,group,max_posterior");
    for g in 1..=k {
        s += &format!(",p{g}");
    }
    s.push('\n');
    for c in &classes {
        s += &format!("{},{},{:.6}", c.id, c.group, c.max_posterior);
        for p in &c.posteriors {
            s += &format!(",{p:.6}");
        }
        s.push('\n');
    }
    let _ = a.csv; // CSV is the default table form.
    Ok(s)
}

fn simulate(a: SimArgs) -> Result<String, Error> {
    let n = a.persons.unwrap_or(1000);
    let (panel, truth) = match a.scenario.as_str() {
        "three-groups" => {
            let c = synth::three_groups(n, a.seed);
            (c.panel, c.truth)
        }
        "three-groups-zip" => {
            let c = synth::three_groups_zip(n, a.seed);
            (c.panel, c.truth)
        }
        "three-groups-exposure" => {
            let c = synth::three_groups_exposure(n, a.seed);
            (c.panel, c.truth)
        }
        name => {
            let path = std::path::Path::new(name);
            let scenario = if path.exists() {
                Scenario::from_json_file(path)?
            } else {
                Scenario::builtin(name)?
            };
            if let Some(out) = &a.write_scenario {
                write_atomic(out, &scenario.to_json())?;
            }
            let c = scenario.simulate(a.persons.unwrap_or(scenario.persons), a.seed)?;
            (c.panel, c.truth)
        }
    };
    let p = &panel;
    if let Some(path) = &a.exposure_out {
        let text = p
            .exposure_to_wide_csv()
            .ok_or_else(|| Error::InvalidParameter {
                name: "--exposure-out".into(),
                message: format!("scenario {} has no exposure", a.scenario),
            })?;
        write_atomic(path, &text)?;
    }
    if let Some(path) = &a.truth {
        let mut s = String::from("id,group\n");
        // Ids are 1..=persons in draw order; dropped persons are skipped.
        for id in p.ids() {
            let g = id
                .parse::<usize>()
                .ok()
                .and_then(|i| truth.get(i.checked_sub(1)?))
                .copied()
                .unwrap_or(0);
            s.push_str(&format!("{id},{}\n", g + 1));
        }
        write_atomic(path, &s)?;
    }
    write_atomic(&a.out, &p.to_wide_csv())?;
    Ok(format!(
        "wrote {} persons ({} observed person-years) to {}\n",
        p.n_persons(),
        p.n_observations(),
        a.out.display()
    ))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("error: --threads: {e}");
            return ExitCode::from(2);
        }
    }
    let out = match cli.command {
        Command::Fit(a) => fit(a),
        Command::Simulate(a) => simulate(a),
        Command::Classify(a) => classify(a),
    };
    match out {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
