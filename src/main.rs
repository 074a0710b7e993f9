//! The `gbtm` command line: a thin layer over the library.

use std::path::{Path, PathBuf};
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
    /// Fit a range of group numbers (and orders) and choose by BIC.
    Select(SelectArgs),
    /// Draw a saved model's trajectories with the observed group means (SVG).
    Plot(PlotArgs),
    /// Reproduce the four offending profiles of the reference study on the
    /// shipped synthetic cohort.
    Reproduce(ReproduceArgs),
}

/// The shipped cohort and the seed that made it.
const FOUR_PROFILES_CSV: &str = "data-synthetic/four-profiles.csv";
const FOUR_PROFILES_SEED: u64 = 2024;

#[derive(clap::Args)]
struct ReproduceArgs {
    /// Cohort to analyse (default: the shipped data-synthetic/four-profiles.csv;
    /// if it is not there, the same cohort is drawn from the built-in scenario
    /// four-profiles with seed 2024).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Draw a fresh cohort from the four-profiles scenario with this seed
    /// instead of reading --data.
    #[arg(long, conflicts_with = "data")]
    cohort_seed: Option<u64>,
    /// Also write the data actually fitted, as a wide CSV.
    #[arg(long)]
    data_out: Option<PathBuf>,
    /// Where to draw the trajectory plot (SVG).
    #[arg(long, default_value = "docs/four-profiles.svg")]
    plot: PathBuf,
    /// Starts per candidate model.
    #[arg(long, default_value_t = 10)]
    starts: usize,
    /// Seed of every fit.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct SelectArgs {
    /// Counts: wide or long CSV.
    #[arg(long)]
    data: PathBuf,
    /// Group numbers to try: FROM..TO (e.g. 1..7) or a single number.
    #[arg(long, default_value = "1..7")]
    groups: String,
    /// Polynomial order of every group.
    #[arg(long, default_value_t = 3, conflicts_with = "orders_grid")]
    order: usize,
    /// Try every combination of per-group orders in FROM..TO (e.g. 1..3).
    #[arg(long)]
    orders_grid: Option<String>,
    /// poisson or zip.
    #[arg(long, default_value = "poisson")]
    model: String,
    /// Zero-inflation order of every group (ZIP).
    #[arg(long)]
    iorder: Option<usize>,
    /// Exposure (time at risk) in the wide layout of --data.
    #[arg(long)]
    exposure: Option<PathBuf>,
    /// Age window FROM:TO.
    #[arg(long)]
    ages: Option<String>,
    /// Starts per candidate.
    #[arg(long, default_value_t = 10)]
    starts: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// bic, bic-observations or aic (larger is better for all three).
    #[arg(long, default_value = "bic")]
    criterion: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct PlotArgs {
    /// A model written by `gbtm fit --save`.
    #[arg(long)]
    model: PathBuf,
    /// Counts of the persons whose observed means are drawn (usually the fitted data).
    #[arg(long)]
    data: PathBuf,
    /// Age window FROM:TO of the data.
    #[arg(long)]
    ages: Option<String>,
    /// Output SVG file.
    #[arg(long)]
    out: PathBuf,
    /// Plot title.
    #[arg(long)]
    title: Option<String>,
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

/// Reads a counts file with an optional `FROM:TO` age window and exposure file.
fn read_panel(data: &Path, ages: Option<&str>, exposure: Option<&PathBuf>) -> Result<Panel, Error> {
    let opts = ReadOptions {
        ages: ages.map(parse_ages).transpose()?,
        exposure: exposure.cloned(),
    };
    Panel::from_csv_path(data, &opts)
}

fn fit(a: FitArgs) -> Result<String, Error> {
    let family: Family = a.model.parse()?;
    if family == Family::Poisson && (a.iorder.is_some() || a.iorders.is_some()) {
        return Err(Error::InvalidParameter {
            name: "--iorder".into(),
            message: "zero-inflation orders need --model zip".into(),
        });
    }
    let panel = read_panel(&a.data, a.ages.as_deref(), a.exposure.as_ref())?;
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

/// `FROM..TO`, `FROM-TO` or a single number.
fn parse_range(s: &str, name: &str) -> Result<std::ops::RangeInclusive<usize>, Error> {
    let bad = || Error::InvalidParameter {
        name: name.into(),
        message: format!("{s:?} is not a range like 1..7"),
    };
    let (a, b) = s
        .split_once("..")
        .or_else(|| s.split_once('-'))
        .unwrap_or((s, s));
    let (a, b): (usize, usize) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b || a == 0 && name == "--groups" {
        return Err(bad());
    }
    Ok(a..=b)
}

fn select(a: SelectArgs) -> Result<String, Error> {
    use std::io::IsTerminal;
    let family: Family = a.model.parse()?;
    let criterion: gbtm::select::Criterion = a.criterion.parse()?;
    let panel = read_panel(&a.data, a.ages.as_deref(), a.exposure.as_ref())?;
    let grid = a
        .orders_grid
        .as_deref()
        .map(|g| parse_range(g, "--orders-grid"))
        .transpose()?;
    let mut candidates = Vec::new();
    for k in parse_range(&a.groups, "--groups")? {
        let base = match family {
            Family::Poisson => Gbtm::poisson(k),
            Family::Zip => Gbtm::zip(k).iorder(a.iorder.unwrap_or(0)),
        }
        .starts(a.starts)
        .seed(a.seed);
        match &grid {
            Some(g) => {
                for orders in gbtm::select::order_grid(k, g.clone()) {
                    candidates.push(base.clone().orders(orders));
                }
            }
            None => candidates.push(base.order(a.order)),
        }
    }
    let bar = indicatif::ProgressBar::new(candidates.len() as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let selection = gbtm::select::select(&panel, &candidates, criterion, &|| bar.inc(1))?;
    bar.finish_and_clear();
    if a.json {
        to_json(&selection)
    } else {
        Ok(selection.to_text())
    }
}

fn reproduce(a: ReproduceArgs) -> Result<String, Error> {
    use std::io::IsTerminal;
    let default = std::path::Path::new(FOUR_PROFILES_CSV);
    let panel = match (&a.data, a.cohort_seed) {
        (Some(path), _) => Panel::from_csv_path(path, &ReadOptions::default())?,
        (None, Some(seed)) => {
            Scenario::builtin("four-profiles")?
                .simulate(630, seed)?
                .panel
        }
        (None, None) if default.exists() => Panel::from_csv_path(default, &ReadOptions::default())?,
        (None, None) => {
            Scenario::builtin("four-profiles")?
                .simulate(630, FOUR_PROFILES_SEED)?
                .panel
        }
    };
    if let Some(out) = &a.data_out {
        write_atomic(out, &panel.to_wide_csv())?;
    }
    let opts = gbtm::reproduce::ReproduceOptions {
        starts: a.starts,
        seed: a.seed,
        ..Default::default()
    };
    let bar = indicatif::ProgressBar::new(2 * opts.max_groups as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let (rep, fit) = gbtm::reproduce::reproduce(&panel, &opts, &|| bar.inc(1))?;
    bar.finish_and_clear();
    if let Some(dir) = a.plot.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let popts = gbtm::plot::PlotOptions {
        title: Some(format!(
            "Synthetic four-profiles cohort ({} persons): {}-group {} trajectories",
            rep.n_persons,
            rep.selected_groups,
            match rep.model {
                Family::Poisson => "Poisson",
                Family::Zip => "zero-inflated Poisson",
            }
        )),
        group_names: Some(
            rep.groups
                .iter()
                .map(|p| p.label.replace('_', " "))
                .collect(),
        ),
        ..Default::default()
    };
    gbtm::plot::write_trajectory_svg(&fit, &panel, &popts, &a.plot)?;
    if a.json {
        to_json(&rep)
    } else {
        Ok(rep.to_text() + &format!("\nplot: {}\n", a.plot.display()))
    }
}

fn plot(a: PlotArgs) -> Result<String, Error> {
    let model = FittedGbtm::load(&a.model)?;
    let panel = read_panel(&a.data, a.ages.as_deref(), None)?;
    let popts = gbtm::plot::PlotOptions {
        title: a.title,
        ..Default::default()
    };
    gbtm::plot::write_trajectory_svg(&model, &panel, &popts, &a.out)?;
    Ok(format!("wrote {}\n", a.out.display()))
}

fn classify(a: ClassifyArgs) -> Result<String, Error> {
    let model = FittedGbtm::load(&a.model)?;
    let panel = read_panel(&a.data, a.ages.as_deref(), None)?;
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
            let ages = match (p.years.first(), p.years.last()) {
                (Some(a0), Some(a1)) => format!("{}-{}", a0.age, a1.age),
                _ => String::new(),
            };
            s += &format!(
                "{},{},{:.6},{},{},{:.4},{},{}\n",
                p.id,
                p.group,
                p.posteriors[p.group - 1],
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
        Command::Select(a) => select(a),
        Command::Plot(a) => plot(a),
        Command::Reproduce(a) => reproduce(a),
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
