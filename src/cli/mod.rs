//! The `gbtm` command line: argument parsing, dispatch, output and exit
//! codes. Every statistic and every file format lives in the library.
//!
//! Exit codes: 0 ok, 1 bad data or values, 2 command-line usage (clap's own
//! errors, and flags that contradict each other).

mod apply;
mod args;
mod candidates;
mod cohorts;
mod fitting;
mod report;
mod sensitivity;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A failure of one command.
pub enum CliError {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// The data or values are wrong, or a file could not be used (exit 1).
    Data(gbtm::Error),
    /// A value is wrong for what was asked (exit 1): the option and why.
    Value(&'static str, String),
}

impl From<gbtm::Error> for CliError {
    fn from(e: gbtm::Error) -> Self {
        CliError::Data(e)
    }
}

/// What a command produced: the text for standard output and the files to
/// write. Nothing is written until the command has finished; then standard
/// output comes first, and the files are written all or nothing, so a
/// command that fails (even on standard output) creates no file.
pub struct Done {
    text: String,
    files: Vec<(PathBuf, String)>,
}

impl Done {
    /// Only text for standard output.
    pub fn text(text: String) -> Done {
        Done {
            text,
            files: Vec::new(),
        }
    }

    /// Adds a file to write.
    pub fn with_file(mut self, path: &Path, contents: String) -> Done {
        self.files.push((path.to_path_buf(), contents));
        self
    }
}

/// What a command produces.
pub type Output = Result<Done, CliError>;

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
    /// Fit a Poisson, ZIP or negative-binomial trajectory mixture.
    Fit(fitting::FitArgs),
    /// Fit a range of group numbers (and orders) and choose by BIC.
    Select(fitting::SelectArgs),
    /// Select as `gbtm select` does and write a publishable Markdown report
    /// (GRoLTS checklist) with its figures.
    Report(report::ReportArgs),
    /// Repeat the selection with the age window ending at several ages, and
    /// compare the groups of the model selected at the reference end age.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Classify persons with a saved model, and optionally forecast their counts.
    Classify(apply::ClassifyArgs),
    /// Draw a saved model's trajectories with the observed group means (SVG).
    Plot(apply::PlotArgs),
    /// Wald tests of linear hypotheses on a saved model's parameters.
    Test(apply::TestArgs),
    /// Write a synthetic cohort as a wide CSV.
    Simulate(cohorts::SimArgs),
    /// Reproduce the four offending profiles of the reference study on the
    /// shipped synthetic cohort.
    Reproduce(cohorts::ReproduceArgs),
}

/// A note for the user on standard error.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "note: {text}");
}

/// Pretty JSON with a final newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| CliError::Value("output", e.to_string()))
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        if n == 0 {
            eprintln!("error: --threads: at least one thread is needed");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("error: --threads: {e}");
            return ExitCode::from(2);
        }
    }
    let out = match cli.command {
        Command::Fit(a) => fitting::fit(a),
        Command::Select(a) => fitting::select(a),
        Command::Report(a) => report::report(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Classify(a) => apply::classify(a),
        Command::Plot(a) => apply::plot(a),
        Command::Test(a) => apply::test(a),
        Command::Simulate(a) => cohorts::simulate(a),
        Command::Reproduce(a) => cohorts::reproduce(a),
    };
    match out {
        Ok(done) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(done.text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A closed pipe (`gbtm classify … | head -1`) ends quietly,
                // and the files are still written.
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    eprintln!("error: writing to standard output: {e}");
                    return ExitCode::from(1);
                }
            }
            let files: Vec<(&Path, &str)> = done
                .files
                .iter()
                .map(|(p, c)| (p.as_path(), c.as_str()))
                .collect();
            match gbtm::data::write::write_all_atomic(&files) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Data(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(CliError::Value(name, msg)) => {
            eprintln!("error: {name}: {msg}");
            ExitCode::from(1)
        }
    }
}
