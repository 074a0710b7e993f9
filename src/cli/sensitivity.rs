//! `gbtm sensitivity`: the selection repeated with the age window ending at
//! several ages.

use std::io::IsTerminal;

use gbtm::select::{EndAges, end_age_sensitivity_with_progress};

use super::args::DataArgs;
use super::candidates::CandidateArgs;
use super::{Done, Output, to_json};

/// The options of `gbtm select`, with the end ages.
#[derive(clap::Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    data: DataArgs,
    /// End ages to try: FROM..TO (e.g. 30..35) or a list (e.g. 30,32,35).
    /// Each window runs from the first age of the data (or of --ages).
    #[arg(long, value_parser = end_ages)]
    end_ages: EndAges,
    /// The end age whose selected model is compared across end ages
    /// (default: the last age of the data, or of --ages); added to the end
    /// ages if not among them.
    #[arg(long)]
    reference_end: Option<i64>,
    #[command(flatten)]
    models: CandidateArgs,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `--end-ages`: a malformed or empty range is a usage error.
fn end_ages(s: &str) -> Result<EndAges, String> {
    s.parse::<EndAges>().map_err(|e| match e {
        gbtm::Error::InvalidParameter { message, .. } => message,
        other => other.to_string(),
    })
}

pub fn sensitivity(a: SensitivityArgs) -> Output {
    let candidates = a.models.candidates()?;
    let panel = a.data.read()?;
    let reference = a.reference_end.or(panel.ages().last().copied());
    let rows = match reference {
        Some(r) => a.end_ages.clone().including(r).ages().len(),
        None => a.end_ages.ages().len(),
    };
    let bar = indicatif::ProgressBar::new((candidates.len() * rows) as u64);
    if a.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let result = end_age_sensitivity_with_progress(
        &panel,
        &candidates,
        a.models.criterion,
        &a.end_ages,
        a.reference_end,
        &|| bar.inc(1),
    );
    bar.finish_and_clear();
    let result = result?;
    Ok(Done::text(if a.json {
        to_json(&result)?
    } else {
        result.to_text()
    }))
}
