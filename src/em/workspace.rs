//! The workspace: the panel with everything that does not change between
//! EM iterations (design matrices, the constant part of the log-likelihood,
//! the observed cells in compressed rows).

use ndarray::Array2;

use super::counts::CountValues;
use crate::data::Panel;
use crate::design::AgeScale;
use crate::model::{Family, ModelSpec};

/// Counts below this take ln y! from a table.
const LN_FACTORIAL_TABLE: usize = 256;

/// The panel with everything that does not change between iterations.
pub(crate) struct Workspace<'a> {
    pub panel: &'a Panel,
    pub spec: &'a ModelSpec,
    /// The age scaling of the design matrices.
    pub scale: AgeScale,
    /// Rate design per group, T × (order + 1).
    pub x: Vec<Array2<f64>>,
    /// Zero-inflation design per group (ZIP only).
    pub z: Vec<Array2<f64>>,
    /// Σ_t o_it·(y_it·ln e_it − ln y_it!) per person: the part of the
    /// log-likelihood that no group changes.
    pub constant: Vec<f64>,
    /// The observed cells, person by person.
    pub cells: Cells,
    /// The largest observed count.
    pub max_count: f64,
    /// Risk factors (persons × R) in the order of the spec's names; `None`
    /// for a model without them.
    pub w: Option<Array2<f64>>,
    /// Time-varying covariates at the observed cells; `None` for a model
    /// without them.
    pub tc: Option<CellCovariates>,
    /// Negative binomial: the distinct positive counts and each positive
    /// cell's index among them.
    pub nb: Option<CountValues>,
}

/// Observed cells in compressed rows: person i's observed zeros are
/// `zero_off[i]..zero_off[i + 1]`, its positive counts `pos_off[i]..pos_off[i + 1]`.
/// Splitting zeros from positives removes the data-dependent branch from the
/// E-step's inner loops.
pub(crate) struct Cells {
    pub has_exposure: bool,
    pub zero_off: Vec<usize>,
    pub zero_t: Vec<u32>,
    pub zero_e: Vec<f64>,
    pub pos_off: Vec<usize>,
    pub pos_t: Vec<u32>,
    pub pos_y: Vec<f64>,
    pub pos_e: Vec<f64>,
    /// Person i's observed span: ages `span[2i]..span[2i + 1]` (end
    /// exclusive) hold all its observed years, and the unobserved years
    /// inside are `gap_t[gap_off[i]..gap_off[i + 1]]`. Without exposure the
    /// E-step sums a group's zero terms over the span by prefix sums.
    pub span: Vec<u32>,
    pub gap_off: Vec<usize>,
    pub gap_t: Vec<u32>,
}

impl Cells {
    pub(crate) fn new(p: &Panel) -> Cells {
        let has_exposure = p.exposure.is_some();
        let mut c = Cells {
            has_exposure,
            zero_off: vec![0],
            zero_t: Vec::new(),
            zero_e: Vec::new(),
            pos_off: vec![0],
            pos_t: Vec::new(),
            pos_y: Vec::new(),
            pos_e: Vec::new(),
            span: Vec::with_capacity(2 * p.n_persons()),
            gap_off: vec![0],
            gap_t: Vec::new(),
        };
        for i in 0..p.n_persons() {
            let row = p.observed.row(i);
            let first = row.iter().position(|&o| o).unwrap_or(0);
            let end = row.iter().rposition(|&o| o).map_or(first, |l| l + 1);
            c.span.extend([first as u32, end as u32]);
            c.gap_t
                .extend((first..end).filter(|&t| !row[t]).map(|t| t as u32));
            c.gap_off.push(c.gap_t.len());
            for t in 0..p.ages.len() {
                if !p.observed[[i, t]] {
                    continue;
                }
                let y = p.counts[[i, t]];
                let e = p.exposure.as_ref().map_or(1.0, |e| e[[i, t]]);
                if y == 0.0 {
                    c.zero_t.push(t as u32);
                    if has_exposure {
                        c.zero_e.push(e);
                    }
                } else {
                    c.pos_t.push(t as u32);
                    c.pos_y.push(y);
                    if has_exposure {
                        c.pos_e.push(e);
                    }
                }
            }
            c.zero_off.push(c.zero_t.len());
            c.pos_off.push(c.pos_t.len());
        }
        c
    }
}

impl<'a> Workspace<'a> {
    pub(crate) fn new(panel: &'a Panel, spec: &'a ModelSpec, scale: AgeScale) -> Self {
        let ages = &panel.ages;
        let x = spec
            .orders()
            .iter()
            .map(|&o| scale.basis(ages, o))
            .collect();
        let z = spec
            .iorders()
            .into_iter()
            .flatten()
            .map(|&o| scale.basis(ages, o))
            .collect();
        // ln y! from a table for the common small counts.
        let table: Vec<f64> = (0..LN_FACTORIAL_TABLE)
            .map(|y| statrs::function::gamma::ln_gamma(y as f64 + 1.0))
            .collect();
        let ln_factorial = |y: f64| match table.get(y as usize) {
            Some(v) if y < LN_FACTORIAL_TABLE as f64 => *v,
            _ => statrs::function::gamma::ln_gamma(y + 1.0),
        };
        let constant = (0..panel.n_persons())
            .map(|i| {
                let mut c = 0.0;
                for t in 0..ages.len() {
                    if panel.observed[[i, t]] {
                        let y = panel.counts[[i, t]];
                        c -= ln_factorial(y);
                        if let Some(e) = &panel.exposure
                            && y > 0.0
                        {
                            c += y * e[[i, t]].ln();
                        }
                    }
                }
                c
            })
            .collect();
        let cells = Cells::new(panel);
        let nb = (spec.family() == Family::Nb).then(|| CountValues::new(&cells.pos_y));
        let max_count = cells.pos_y.iter().copied().fold(0.0f64, f64::max);
        Workspace {
            w: risk_design(panel, spec),
            tc: CellCovariates::new(panel, spec),
            panel,
            spec,
            scale,
            max_count,
            x,
            z,
            constant,
            cells,
            nb,
        }
    }

    pub(crate) fn n_ages(&self) -> usize {
        self.panel.ages.len()
    }

    /// Number of distinct positive counts the negative binomial tabulates
    /// (0 for other families).
    pub(crate) fn n_values(&self) -> usize {
        self.nb.as_ref().map_or(0, |cv| cv.values.len())
    }

    /// Whether an E-step keeps every person's posteriors: the M-step of
    /// risk factors works on persons, and the negative binomial's with
    /// exposure on person-years.
    pub(crate) fn keeps_posteriors(&self) -> bool {
        self.w.is_some() || (self.nb.is_some() && self.cells.has_exposure)
    }

    /// Person i's risk factors, if the model has them.
    #[inline]
    pub(crate) fn risk_row(&self, i: usize) -> Option<&[f64]> {
        self.w.as_ref().and_then(|w| w.row(i).to_slice())
    }
}

/// The panel's risk factors in the order of the spec's names, standardised
/// as the spec says (`None` if the
/// spec has none, or the panel lacks one: callers check this first).
fn risk_design(panel: &Panel, spec: &ModelSpec) -> Option<Array2<f64>> {
    if spec.risk().is_empty() {
        return None;
    }
    let names = panel.risk_names();
    let values = panel.risk()?;
    let cols: Option<Vec<usize>> = spec
        .risk()
        .iter()
        .map(|n| names.iter().position(|m| m == n))
        .collect();
    let mut w = values
        .select(ndarray::Axis(1), &cols?)
        .as_standard_layout()
        .to_owned();
    for (mut col, sc) in w.columns_mut().into_iter().zip(spec.risk_scaling()) {
        col.mapv_inplace(|v| (v - sc.center) / sc.scale);
    }
    Some(w)
}

/// The covariates of every observed cell, in the order of the workspace's
/// compressed cells: `zero[j·C..(j+1)·C]` for zero cell j, `pos[..]` for
/// positive cell j.
pub(crate) struct CellCovariates {
    pub c: usize,
    pub zero: Vec<f64>,
    pub pos: Vec<f64>,
}

impl CellCovariates {
    /// The spec's covariates at the panel's observed cells, or `None` if
    /// the spec has none or the panel lacks one (callers check first).
    pub(crate) fn new(panel: &Panel, spec: &ModelSpec) -> Option<CellCovariates> {
        if spec.tcov().is_empty() {
            return None;
        }
        let cols: Vec<_> = spec
            .tcov()
            .iter()
            .map(|n| panel.tcov(n))
            .collect::<Option<_>>()?;
        let c = cols.len();
        let mut out = CellCovariates {
            c,
            zero: Vec::new(),
            pos: Vec::new(),
        };
        for i in 0..panel.n_persons() {
            for t in 0..panel.ages.len() {
                if !panel.observed[[i, t]] {
                    continue;
                }
                let dest = if panel.counts[[i, t]] == 0.0 {
                    &mut out.zero
                } else {
                    &mut out.pos
                };
                dest.extend(cols.iter().map(|v| v[[i, t]]));
            }
        }
        Some(out)
    }
}
