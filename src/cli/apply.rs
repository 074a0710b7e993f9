//! `gbtm classify`, `gbtm plot` and `gbtm test`: a saved model applied to
//! data, and tests of hypotheses on its parameters.

use std::path::PathBuf;

use gbtm::data::write::check_output;
use gbtm::predict::write::{classes_csv, forecasts_csv};
use gbtm::{Panel, TrajectoryModel};

use super::args::ApplyArgs;
use super::{CliError, Done, Output, note, to_json};

#[derive(clap::Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    apply: ApplyArgs,
    /// Add the expected count and a predictive interval at every model age the
    /// person was not observed at, with totals for the unobserved past
    /// (imputed) and the future.
    #[arg(long)]
    forecast: bool,
    /// Coverage of the predictive intervals (with --forecast; default 0.9).
    #[arg(long, requires = "forecast")]
    level: Option<f64>,
    /// Print JSON instead of CSV.
    #[arg(long)]
    json: bool,
}

/// The model and the data it is applied to: the data at the model's ages
/// (other columns noted and left out), with exposure as the model needs.
fn load(a: &ApplyArgs) -> Result<(TrajectoryModel, Panel), CliError> {
    let model = TrajectoryModel::load(&a.model)?;
    let panel = a.data.read()?;
    let (mut panel, outside) = model.restrict(&panel)?;
    if !outside.is_empty() {
        let ages: Vec<String> = outside.iter().map(|a| a.to_string()).collect();
        note(&format!(
            "{}: columns at ages {} are outside the model's ages {}..{} and are left out",
            a.data.data.display(),
            ages.join(", "),
            model.ages()[0],
            model.ages()[model.ages().len() - 1]
        ));
    }
    if a.assume_full_exposure {
        if model.uses_exposure() {
            note("taking exposure 1 (at risk all year) for every observed year");
            panel = panel.with_unit_exposure();
        } else {
            note("--assume-full-exposure has no effect: the model was fitted without exposure");
        }
    }
    model.check_panel(&panel)?;
    Ok((model, panel))
}

pub fn classify(a: ClassifyArgs) -> Output {
    let (model, panel) = load(&a.apply)?;
    let k = model.groups();
    if a.forecast {
        let level = a.level.unwrap_or(0.9);
        let f = model.forecast(&panel, level)?;
        return Ok(Done::text(if a.json {
            to_json(&f)?
        } else {
            forecasts_csv(&f, k, level)
        }));
    }
    let classes = model.classify(&panel)?;
    Ok(Done::text(if a.json {
        to_json(&classes)?
    } else {
        classes_csv(&classes, k)
    }))
}

#[derive(clap::Args)]
pub struct PlotArgs {
    #[command(flatten)]
    apply: ApplyArgs,
    /// Output SVG file.
    #[arg(long)]
    out: PathBuf,
    /// Draw pointwise confidence bands around the curves, at this level
    /// (0.95 when given without a value). Needs a model saved by a fit that
    /// had standard errors.
    #[arg(long, value_name = "LEVEL", num_args = 0..=1, default_missing_value = "0.95")]
    ci: Option<f64>,
    /// Plot title.
    #[arg(long)]
    title: Option<String>,
    /// Width of the picture in pixels (400 to 20000).
    #[arg(long, default_value_t = 900)]
    width: u32,
    /// Height of the picture in pixels (300 to 20000; models with many
    /// groups need more room for the legend).
    #[arg(long, default_value_t = 560)]
    height: u32,
    /// Print a JSON object (the file written, the groups drawn) instead of
    /// a line of text.
    #[arg(long)]
    json: bool,
}

pub fn plot(a: PlotArgs) -> Output {
    let mut inputs = a.apply.data.inputs();
    inputs.push(&a.apply.model);
    check_output(&a.out, &inputs)?;
    let (model, panel) = load(&a.apply)?;
    let mut popts = gbtm::plot::PlotOptions::default().with_size(a.width, a.height);
    if let Some(t) = a.title {
        popts = popts.with_title(t);
    }
    if let Some(level) = a.ci {
        gbtm::model::normal_quantile(level)?;
        popts = popts.with_bands(level);
    }
    let svg = gbtm::plot::trajectory_svg(&model, &panel, &popts)?;
    let text = if a.json {
        to_json(&serde_json::json!({
            "wrote": [a.out.display().to_string()],
            "groups": model.groups(),
            "persons": panel.n_persons(),
        }))?
    } else {
        format!("wrote {}\n", a.out.display())
    };
    Ok(Done::text(text).with_file(&a.out, svg))
}

#[derive(clap::Args)]
pub struct TestArgs {
    /// A model written by `gbtm fit --save` or `gbtm select --save`.
    #[arg(long)]
    model: PathBuf,
    /// One or more hypotheses, each tested on its own: linear equations in
    /// the parameters, separated by commas. Examples: "g1.age = g2.age",
    /// "g2.ages = 0" (group 2 flat), "g1 = g2" (the same curve),
    /// "g2.logit = 0" (groups 1 and 2 equally large). Names: gK.intercept,
    /// gK.age, gK.age2, …, gK.zi.intercept, …, gK.logit.
    #[arg(required = true)]
    hypotheses: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn test(a: TestArgs) -> Output {
    let model = TrajectoryModel::load(&a.model)?;
    let tests = a
        .hypotheses
        .iter()
        .map(|h| model.wald_test(h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Done::text(if a.json {
        to_json(&tests)?
    } else {
        tests
            .iter()
            .map(|t| format!("{t}\n"))
            .collect::<Vec<_>>()
            .join("\n")
    }))
}
