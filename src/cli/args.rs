//! Argument groups that several subcommands share, and the value parsers
//! for ranges and age windows.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use gbtm::{Panel, ReadOptions};

use super::CliError;

/// `FROM:TO`, e.g. `12:35`.
pub fn age_window(s: &str) -> Result<(i64, i64), String> {
    let bad = || format!("{s:?} is not FROM:TO, e.g. 12:35");
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let (a, b): (i64, i64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(format!("{s:?} is empty: {a} comes after {b}"));
    }
    Ok((a, b))
}

/// `FROM..TO`, `FROM-TO` or a single number.
pub fn range(s: &str) -> Result<RangeInclusive<usize>, String> {
    let bad = || format!("{s:?} is not a range like 1..7");
    let (a, b) = s
        .split_once("..")
        .or_else(|| s.split_once('-'))
        .unwrap_or((s, s));
    let (a, b): (usize, usize) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(bad());
    }
    Ok(a..=b)
}

/// A range of group numbers: as [`range`], from 1.
pub fn group_range(s: &str) -> Result<RangeInclusive<usize>, String> {
    let r = range(s)?;
    if *r.start() == 0 {
        return Err(format!("{s:?}: groups start at 1"));
    }
    Ok(r)
}

/// The counts to read.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Counts: wide CSV (id + one column per age) or long CSV
    /// (id,age,count[,exposure]).
    #[arg(long)]
    pub data: PathBuf,
    /// Age window FROM:TO (default: every age in the file; for a saved
    /// model, the model's ages).
    #[arg(long, value_parser = age_window)]
    pub ages: Option<(i64, i64)>,
    /// Exposure (time at risk) in the wide layout of --data.
    #[arg(long)]
    pub exposure: Option<PathBuf>,
    /// Risk factors on group membership (traj's risk): a CSV with an id
    /// column and one column per person-level covariate.
    #[arg(long, requires = "risk_vars")]
    pub risk: Option<PathBuf>,
    /// The columns of --risk to use, e.g. male,age_first.
    #[arg(long, value_delimiter = ',', requires = "risk")]
    pub risk_vars: Option<Vec<String>>,
    /// Time-varying covariates in the log rate (traj's tcov): FILE, a long
    /// CSV (id,age,name,value) whose covariates --tcov-vars names (at most
    /// one such file); or NAME=FILE, one covariate in the wide layout of
    /// --data (repeatable).
    #[arg(long, value_parser = tcov_source)]
    pub tcov: Vec<TcovSource>,
    /// The covariates of the long --tcov files to use, e.g. employed,partner.
    #[arg(long, value_delimiter = ',', requires = "tcov")]
    pub tcov_vars: Option<Vec<String>>,
}

/// Where time-varying covariates come from.
#[derive(Debug, Clone)]
pub enum TcovSource {
    /// A long file (id,age,name,value).
    Long(PathBuf),
    /// One covariate, in the wide layout.
    Wide(String, PathBuf),
}

impl TcovSource {
    fn path(&self) -> &Path {
        match self {
            TcovSource::Long(p) | TcovSource::Wide(_, p) => p,
        }
    }
}

/// `FILE` or `NAME=FILE`.
pub fn tcov_source(s: &str) -> Result<TcovSource, String> {
    match s.split_once('=') {
        Some((name, path)) if !name.is_empty() && !name.contains(['/', '\\']) => {
            if path.is_empty() {
                return Err(format!("{s:?}: NAME=FILE needs a file"));
            }
            Ok(TcovSource::Wide(name.to_string(), PathBuf::from(path)))
        }
        _ if s.is_empty() => Err("give a file".to_string()),
        _ => Ok(TcovSource::Long(PathBuf::from(s))),
    }
}

impl DataArgs {
    /// Reads the panel, with its risk factors and time-varying covariates
    /// if asked for.
    pub fn read(&self) -> Result<Panel, CliError> {
        let longs = self
            .tcov
            .iter()
            .filter(|t| matches!(t, TcovSource::Long(_)))
            .count();
        if longs > 1 {
            return Err(CliError::Usage(
                "give at most one long --tcov FILE (it may hold several covariates); add others as --tcov NAME=FILE".to_string(),
            ));
        }
        let long = longs == 1;
        if long != self.tcov_vars.is_some() {
            return Err(CliError::Usage(if long {
                "a long --tcov FILE needs --tcov-vars naming its covariates to use".to_string()
            } else {
                "--tcov-vars names the covariates of a long --tcov FILE; wide files are given as --tcov NAME=FILE".to_string()
            }));
        }
        let mut opts = ReadOptions::default();
        opts.ages = self.ages;
        opts.exposure = self.exposure.clone();
        let mut panel = Panel::from_csv_path(&self.data, &opts)?;
        if let (Some(path), Some(vars)) = (&self.risk, &self.risk_vars) {
            panel = panel.with_risk_csv(path, vars)?;
        }
        for t in &self.tcov {
            panel = match t {
                TcovSource::Long(path) => {
                    panel.with_tcov_csv(path, self.tcov_vars.as_deref().unwrap_or_default())?
                }
                TcovSource::Wide(name, path) => {
                    panel.with_tcov_csv(path, std::slice::from_ref(name))?
                }
            };
        }
        Ok(panel)
    }

    /// The files read.
    pub fn inputs(&self) -> Vec<&Path> {
        std::iter::once(self.data.as_path())
            .chain(self.exposure.as_deref())
            .chain(self.risk.as_deref())
            .chain(self.tcov.iter().map(TcovSource::path))
            .collect()
    }
}

/// Applying a saved model to data.
#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    /// A model written by `gbtm fit --save` or `gbtm select --save`.
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// For a model fitted with exposure, data without exposure: take every
    /// person as at risk all year (exposure 1), and say so.
    #[arg(long, conflicts_with = "exposure")]
    pub assume_full_exposure: bool,
}

/// The search over starts.
#[derive(clap::Args, Debug)]
pub struct SearchArgs {
    /// Starts run to convergence, chosen from ten screening runs each; 1
    /// means a single start with no screening and no refinement.
    #[arg(long, default_value_t = 10)]
    pub starts: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
