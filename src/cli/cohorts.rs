//! `gbtm simulate` and `gbtm reproduce`: synthetic cohorts.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use gbtm::data::write::{check_output, resolve};
use gbtm::study::four_profiles::{FirstCases, ReproduceOptions, reproduce_with_progress};
use gbtm::synth::scenario::Scenario;
use gbtm::{Panel, ReadOptions};

use super::args::SearchArgs;
use super::{CliError, Done, Output, to_json};

#[derive(clap::Args)]
pub struct SimArgs {
    /// A scenario file (JSON) or a built-in name: four-profiles,
    /// four-profiles-10k, four-profiles-100k, four-profiles-1m, two-groups,
    /// six-groups, three-groups, three-groups-zip, three-groups-nb,
    /// three-groups-exposure.
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
    /// Also write each person's age at the first registered case over all
    /// observed ages (id,first_case_age; past the window for scenarios with
    /// careers), for `gbtm reproduce --first-cases`.
    #[arg(long)]
    first_cases: Option<PathBuf>,
    /// Print one JSON object: the scenario, seed, the cohort's size
    /// (persons, person-years, cases, persons per true group) and the files
    /// written.
    #[arg(long)]
    json: bool,
}

/// What `gbtm simulate --json` prints.
#[derive(serde::Serialize)]
struct Simulated<'a> {
    scenario: &'a str,
    seed: u64,
    #[serde(flatten)]
    cohort: gbtm::synth::CohortSummary,
    files: Vec<String>,
}

/// Checks every destination before anything is written.
fn check_outputs(outs: &[Option<&Path>], inputs: &[&Path]) -> Result<(), CliError> {
    let outs: Vec<&Path> = outs.iter().flatten().copied().collect();
    // Compared resolved, so that `a.csv` and `./a.csv` count as one file
    // even before it exists.
    let real: Vec<PathBuf> = outs
        .iter()
        .map(|p| resolve(p).unwrap_or_else(|| p.to_path_buf()))
        .collect();
    for (i, a) in outs.iter().enumerate() {
        if real[..i].contains(&real[i]) {
            return Err(CliError::Usage(format!(
                "{} is named as two outputs",
                a.display()
            )));
        }
        check_output(a, inputs)?;
    }
    Ok(())
}

pub fn simulate(a: SimArgs) -> Output {
    let scenario_file = Path::new(&a.scenario);
    let inputs: Vec<&Path> = if scenario_file.is_file() {
        vec![scenario_file]
    } else {
        Vec::new()
    };
    check_outputs(
        &[
            Some(a.out.as_path()),
            a.truth.as_deref(),
            a.write_scenario.as_deref(),
            a.exposure_out.as_deref(),
            a.first_cases.as_deref(),
        ],
        &inputs,
    )?;
    let (cohort, scenario) = gbtm::synth::draw(&a.scenario, a.persons, a.seed)?;
    let p = &cohort.panel;
    let exposure = match &a.exposure_out {
        Some(_) => Some(p.exposure_to_wide_csv().ok_or_else(|| {
            CliError::Value(
                "--exposure-out",
                format!("scenario {} has no exposure", a.scenario),
            )
        })?),
        None => None,
    };
    let scenario_json = match (&a.write_scenario, &scenario) {
        (Some(_), Some(s)) => Some(s.to_json()),
        (Some(_), None) => {
            return Err(CliError::Value(
                "--write-scenario",
                format!("{} is a teaching cohort, not a scenario", a.scenario),
            ));
        }
        _ => None,
    };
    // Everything is made; now write it all.
    let writes = [
        (a.exposure_out.as_deref(), exposure),
        (
            a.truth.as_deref(),
            a.truth.as_ref().map(|_| cohort.truth_csv()),
        ),
        (a.write_scenario.as_deref(), scenario_json),
        (
            a.first_cases.as_deref(),
            a.first_cases.as_ref().map(|_| cohort.first_cases_csv()),
        ),
        (Some(a.out.as_path()), Some(p.to_wide_csv())),
    ];
    let files = writes
        .iter()
        .filter(|(p, t)| p.is_some() && t.is_some())
        .filter_map(|(p, _)| p.map(|p| p.display().to_string()))
        .collect();
    let text = if a.json {
        to_json(&Simulated {
            scenario: &a.scenario,
            seed: a.seed,
            cohort: cohort.summary(),
            files,
        })?
    } else {
        format!(
            "wrote {} persons ({} observed person-years) to {}\n",
            p.n_persons(),
            p.n_observations(),
            a.out.display()
        )
    };
    let mut done = Done::text(text);
    for (path, text) in writes {
        if let (Some(path), Some(text)) = (path, text) {
            done = done.with_file(path, text);
        }
    }
    Ok(done)
}

/// The shipped cohort, its first-case ages over all data, and the seed that
/// made them.
const FOUR_PROFILES_CSV: &str = "data-synthetic/four-profiles.csv";
const FOUR_PROFILES_FIRST_CASES: &str = "data-synthetic/four-profiles-first-cases.csv";
const FOUR_PROFILES_SEED: u64 = 2024;

#[derive(clap::Args)]
pub struct ReproduceArgs {
    /// Cohort to analyse (default: the shipped data-synthetic/four-profiles.csv;
    /// if it is not there, the same cohort is drawn from the built-in scenario
    /// four-profiles with seed 2024).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Draw a fresh cohort from the four-profiles scenario with this seed
    /// instead of reading --data.
    #[arg(long, conflicts_with = "data")]
    cohort_seed: Option<u64>,
    /// Each person's age at the first registered case over all data
    /// (id,first_case_age, as `gbtm simulate --first-cases` writes it), for
    /// the report's first-case figures (default: with the shipped cohort,
    /// data-synthetic/four-profiles-first-cases.csv; with --cohort-seed, the
    /// drawn cohort's own).
    #[arg(long)]
    first_cases: Option<PathBuf>,
    /// Also write the data actually fitted, as a wide CSV.
    #[arg(long)]
    data_out: Option<PathBuf>,
    /// Where to draw the trajectory plot (SVG; its folder must exist).
    #[arg(long, default_value = "docs/four-profiles.svg")]
    plot: PathBuf,
    #[command(flatten)]
    search: SearchArgs,
    /// Skip the negative-binomial models fitted beside the Poisson/ZIP
    /// selection (a third of the run time).
    #[arg(long)]
    no_nb: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

pub fn reproduce(a: ReproduceArgs) -> Output {
    let default = Path::new(FOUR_PROFILES_CSV);
    let source: Option<&Path> = match (&a.data, a.cohort_seed) {
        (Some(path), _) => Some(path),
        (None, None) if default.exists() => Some(default),
        _ => None,
    };
    // The shipped first-case ages go with the shipped cohort only.
    let shipped_first = Path::new(FOUR_PROFILES_FIRST_CASES);
    let first_path: Option<&Path> = match (&a.first_cases, source) {
        (Some(path), _) => Some(path),
        (None, Some(s)) if s == default && shipped_first.exists() => Some(shipped_first),
        _ => None,
    };
    let inputs: Vec<&Path> = source.into_iter().chain(first_path).collect();
    check_outputs(&[Some(a.plot.as_path()), a.data_out.as_deref()], &inputs)?;
    let mut first_cases = first_path.map(FirstCases::from_csv_path).transpose()?;
    let panel = match source {
        Some(path) => Panel::from_csv_path(path, &ReadOptions::default())?,
        None => {
            let seed = a.cohort_seed.unwrap_or(FOUR_PROFILES_SEED);
            let cohort = Scenario::builtin("four-profiles")?.simulate(630, seed)?;
            if first_cases.is_none() {
                first_cases = Some(FirstCases::from_cohort(&cohort));
            }
            cohort.panel
        }
    };
    let mut opts = ReproduceOptions::default();
    opts.starts = a.search.starts;
    opts.seed = a.search.seed;
    opts.first_cases = first_cases;
    opts.negative_binomial = !a.no_nb;
    let families = if opts.negative_binomial { 3 } else { 2 };
    let bar = indicatif::ProgressBar::new(families * opts.max_groups as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let (rep, fit) = reproduce_with_progress(&panel, &opts, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let popts = gbtm::plot::PlotOptions::default()
        .with_title(format!(
            "Synthetic four-profiles cohort ({} persons): {}-group {} trajectories",
            rep.n_persons,
            rep.selected_groups,
            rep.model.long_name()
        ))
        .with_group_names(
            rep.groups
                .iter()
                .map(|p| p.label.replace('_', " "))
                .collect(),
        );
    let svg = gbtm::plot::trajectory_svg(fit.model(), &panel, &popts)?;
    let text = if a.json {
        to_json(&rep)?
    } else {
        rep.to_text() + &format!("\nplot: {}\n", a.plot.display())
    };
    let done = Done::text(text).with_file(&a.plot, svg);
    Ok(match &a.data_out {
        Some(out) => done.with_file(out, panel.to_wide_csv()),
        None => done,
    })
}
