//! `gbtm report`: the selection of `gbtm select`, written up as one
//! Markdown file with its two SVG figures beside it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use gbtm::data::write::check_output;
use gbtm::plot::{PlotOptions, trajectory_svg};
use gbtm::publish::{PublishReport, RunFacts};
use gbtm::select::select_with_progress;

use super::args::DataArgs;
use super::candidates::CandidateArgs;
use super::{CliError, Done, Output, to_json};

#[derive(clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    models: CandidateArgs,
    /// The Markdown report to write; the figures go beside it, named after
    /// it (REPORT-trajectories.svg and REPORT-trajectories-ci.svg).
    #[arg(long)]
    out: PathBuf,
    /// Round every person count to a multiple of N (disclosure control).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    round_counts: Option<u64>,
    /// Coverage of the intervals and of the figure's bands.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print a JSON object (the files written, the data description, every
    /// model tried and the chosen model's summary) instead of a line of text.
    #[arg(long)]
    json: bool,
}

/// The figures' paths: beside `out`, named after its stem.
fn figures(out: &Path) -> (PathBuf, PathBuf) {
    let stem = out
        .file_stem()
        .map_or_else(|| "report".into(), |s| s.to_string_lossy().to_string());
    let at = |suffix: &str| out.with_file_name(format!("{stem}-{suffix}.svg"));
    (at("trajectories"), at("trajectories-ci"))
}

/// The command line as typed, quoted where a shell would need it.
fn command_line() -> String {
    std::env::args()
        .enumerate()
        .map(|(i, a)| {
            let a = if i == 0 { "gbtm".to_string() } else { a };
            if a.is_empty()
                || a.chars()
                    .any(|c| c.is_whitespace() || "'\"$`\\|&;<>()*?".contains(c))
            {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn report(a: ReportArgs) -> Output {
    let candidates = a.models.candidates()?;
    gbtm::model::normal_quantile(a.level)?;
    let (plain, bands) = figures(&a.out);
    for path in [&a.out, &plain, &bands] {
        check_output(path, &a.data.inputs())?;
    }
    let panel = a.data.read()?;
    let bar = indicatif::ProgressBar::new(candidates.len() as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let selection = select_with_progress(&panel, &candidates, a.models.criterion, &|| bar.inc(1));
    bar.finish_and_clear();
    let selection = selection?;
    let name = |p: &Path| {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().to_string())
    };
    let facts = RunFacts {
        command: command_line(),
        threads: rayon::current_num_threads(),
        figures: (name(&plain), name(&bands)),
        level: a.level,
        round_counts: a.round_counts.map_or(1, |n| n as usize),
    };
    let report = PublishReport::new(&panel, selection, facts)?;
    let Some(fit) = report.selection.selected_fit.as_ref() else {
        return Err(CliError::Data(gbtm::Error::NothingSelected {
            candidates: report.selection.candidates.len(),
        }));
    };
    let title = format!(
        "{}: {}-group {} trajectories",
        report.data.source,
        fit.model().groups(),
        fit.model().spec().family().long_name()
    );
    let opts = PlotOptions::default().with_title(title);
    let svg = trajectory_svg(fit.model(), &panel, &opts)?;
    let svg_ci = trajectory_svg(fit.model(), &panel, &opts.with_bands(a.level))?;
    let text = if a.json {
        to_json(&serde_json::json!({
            "wrote": [a.out.display().to_string(), plain.display().to_string(), bands.display().to_string()],
            "data": report.data,
            "selection": report.selection,
            "chosen": report.chosen,
        }))?
    } else {
        format!(
            "wrote {} with {} and {}\n",
            a.out.display(),
            plain.display(),
            bands.display()
        )
    };
    Ok(Done::text(text)
        .with_file(&a.out, report.to_markdown())
        .with_file(&plain, svg)
        .with_file(&bands, svg_ci))
}
