//! Argument groups that several subcommands share, and the value parsers
//! for ranges and age windows.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use gbtm::{Error, Panel, ReadOptions};

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
}

impl DataArgs {
    /// Reads the panel, with its risk factors if asked for.
    pub fn read(&self) -> Result<Panel, Error> {
        let mut opts = ReadOptions::default();
        opts.ages = self.ages;
        opts.exposure = self.exposure.clone();
        let panel = Panel::from_csv_path(&self.data, &opts)?;
        match (&self.risk, &self.risk_vars) {
            (Some(path), Some(vars)) => panel.with_risk_csv(path, vars),
            _ => Ok(panel),
        }
    }

    /// The files read.
    pub fn inputs(&self) -> Vec<&Path> {
        std::iter::once(self.data.as_path())
            .chain(self.exposure.as_deref())
            .chain(self.risk.as_deref())
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
    /// Starts run to convergence (each chosen from ten screening runs).
    #[arg(long, default_value_t = 10)]
    pub starts: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
