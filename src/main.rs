//! The `gbtm` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gbtm::data::csv::write_atomic;
use gbtm::{synth, Error, Family, FitSummary, Gbtm, Panel, ReadOptions};

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
}

#[derive(clap::Args)]
struct SimArgs {
    /// Built-in scenario: three-groups, three-groups-zip or three-groups-exposure.
    #[arg(long)]
    scenario: String,
    /// Persons to draw.
    #[arg(long, default_value_t = 1000)]
    persons: usize,
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
    let summary = FitSummary::new(&model.fit(&panel)?);
    Ok(if a.json {
        serde_json::to_string_pretty(&summary).map_err(|e| Error::Json {
            path: "<stdout>".into(),
            message: e.to_string(),
        })? + "\n"
    } else {
        summary.to_text()
    })
}

fn simulate(a: SimArgs) -> Result<String, Error> {
    let cohort = match a.scenario.as_str() {
        "three-groups" => synth::three_groups(a.persons, a.seed),
        "three-groups-zip" => synth::three_groups_zip(a.persons, a.seed),
        "three-groups-exposure" => synth::three_groups_exposure(a.persons, a.seed),
        other => {
            return Err(Error::InvalidParameter {
                name: "--scenario".into(),
                message: format!("unknown scenario {other:?}"),
            })
        }
    };
    let p = &cohort.panel;
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
        for (id, g) in p.ids().iter().zip(&cohort.truth) {
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
