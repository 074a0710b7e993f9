//! The outcome of a selection and its readable table.

use serde::{Deserialize, Serialize};

use super::candidate::CandidateResult;
use super::criterion::Criterion;
use crate::fit::Fit;

/// The outcome of a model selection: every candidate in the order given, the
/// index of the selected one, and the criterion.
///
/// JSON (`gbtm select --json`):
/// `{"candidates": [ … ], "selected": 2, "criterion": "bic"}`, with
/// `selected` `null` if no candidate converged.
///
/// The selected candidate has the largest criterion value among the
/// converged candidates (ties: the first in candidate order). Adequacy is
/// reported per candidate and does not affect the choice.
///
/// ```
/// use gbtm::select::{select, Criterion, Selection};
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(300, 7);
/// let candidates = [Gbtm::poisson(1).order(2), Gbtm::poisson(2).order(2).starts(2)];
/// let sel = select(&cohort.panel, &candidates, Criterion::Bic)?;
/// let json = serde_json::to_value(&sel).unwrap();
/// assert_eq!(json["criterion"], "bic");
/// assert_eq!(json["selected"], 1);
/// assert!(json["candidates"][1]["bic"].as_f64().unwrap() > json["candidates"][0]["bic"].as_f64().unwrap());
/// // The chosen model's fit is kept (not in the JSON).
/// assert_eq!(sel.selected_fit.as_ref().unwrap().model().groups(), 2);
/// let back: Selection = serde_json::from_value(json).unwrap();
/// assert_eq!(back.candidates, sel.candidates);
/// assert!(back.selected_fit.is_none());
/// # Ok::<(), gbtm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// One row per candidate, in the order the candidates were given.
    pub candidates: Vec<CandidateResult>,
    /// Index into `candidates` of the selected model; `None` if no candidate
    /// converged.
    pub selected: Option<usize>,
    /// The criterion that ranked the candidates.
    pub criterion: Criterion,
    /// The selected candidate's fit (model, posteriors, run facts), kept so
    /// that no caller refits; not serialised, and `None` after
    /// [`Selection::new`] or deserialising.
    #[serde(skip)]
    pub selected_fit: Option<Fit>,
}

impl Selection {
    /// Ranks `candidates` by `criterion`: sets each row's model probability
    /// and chooses the best. Rows keep their order. Use it to re-rank a
    /// selection under another criterion without refitting.
    ///
    /// ```
    /// use gbtm::select::{select, Criterion, Selection};
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let candidates = [Gbtm::poisson(2).order(1).starts(2), Gbtm::poisson(2).order(2).starts(2)];
    /// let by_bic = select(&cohort.panel, &candidates, Criterion::Bic)?;
    /// let by_aic = Selection::new(by_bic.candidates.clone(), Criterion::Aic);
    /// assert_eq!(by_aic.criterion, Criterion::Aic);
    /// let total: f64 = by_aic.candidates.iter().filter_map(|c| c.model_probability).sum();
    /// assert!((total - 1.0).abs() < 1e-12);
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn new(mut candidates: Vec<CandidateResult>, criterion: Criterion) -> Selection {
        let mut selected: Option<(usize, f64)> = None;
        for (j, c) in candidates.iter().enumerate() {
            if !c.is_eligible(criterion) {
                continue;
            }
            let v = c.criterion_value(criterion).unwrap_or(f64::NEG_INFINITY);
            if selected.is_none_or(|(_, best)| v > best) {
                selected = Some((j, v));
            }
        }
        let weights: Vec<Option<f64>> = candidates
            .iter()
            .map(|c| {
                let (_, best) = selected?;
                c.is_eligible(criterion).then(|| {
                    (c.criterion_value(criterion).unwrap_or(f64::NEG_INFINITY) - best).exp()
                })
            })
            .collect();
        // The best has weight 1, so the sum is at least 1.
        let total: f64 = weights.iter().flatten().sum();
        for (c, w) in candidates.iter_mut().zip(weights) {
            c.model_probability = w.map(|w| w / total);
        }
        Selection {
            candidates,
            selected: selected.map(|(j, _)| j),
            criterion,
            selected_fit: None,
        }
    }

    /// The selected candidate, if any.
    ///
    /// ```
    /// use gbtm::select::{Criterion, Selection};
    /// assert!(Selection::new(Vec::new(), Criterion::Bic).selected_candidate().is_none());
    /// ```
    pub fn selected_candidate(&self) -> Option<&CandidateResult> {
        self.candidates.get(self.selected?)
    }

    /// A readable table: one row per candidate (the selected one marked `*`)
    /// with K, orders, LL, parameters, BIC (persons), BIC (observations),
    /// AIC, entropy, smallest share, smallest AvePP and OCC, convergence,
    /// adequacy and model probability; then the selected model, the
    /// criterion, and the selected model's adequacy failures. Fits in 100
    /// columns for up to six groups.
    ///
    /// ```
    /// use gbtm::select::{select, Criterion};
    /// use gbtm::{synth, Gbtm};
    /// let cohort = synth::three_groups(300, 7);
    /// let candidates = [Gbtm::poisson(1).order(2), Gbtm::poisson(2).order(2).starts(2)];
    /// let text = select(&cohort.panel, &candidates, Criterion::Bic)?.to_text();
    /// assert!(text.contains("selected: 2 groups"));
    /// assert!(text.lines().all(|l| l.chars().count() <= 100));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let header = [
            "K", "orders", "LL", "P", "BIC", "BIC(obs)", "AIC", "entropy", "share", "AvePP", "OCC",
            "conv", "adeq", "prob",
        ];
        // "orders" is left-aligned, every other column right-aligned; the
        // selected row's K is marked `*`.
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        let mut errors = Vec::new();
        // With several families, the orders column names each row's family.
        let mixed = self
            .candidates
            .iter()
            .any(|c| c.family != self.candidates[0].family);
        let label = |c: &CandidateResult| {
            let o = orders_text(&c.orders, c.iorders.as_deref());
            if mixed {
                format!("{} {o}", c.family)
            } else {
                o
            }
        };
        for (j, c) in self.candidates.iter().enumerate() {
            let mark = if self.selected == Some(j) { "*" } else { "" };
            let mut row = vec![format!("{mark}{}", c.n_groups), label(c)];
            match &c.fit {
                Some(f) => row.extend([
                    format!("{:.1}", f.log_likelihood),
                    f.parameters.to_string(),
                    format!("{:.1}", f.bic),
                    format!("{:.1}", f.bic_observations),
                    format!("{:.1}", f.aic),
                    format!("{:.3}", f.entropy),
                    opt(c.smallest_share, |v| format!("{v:.3}")),
                    opt(c.min_avepp, |v| format!("{v:.3}")),
                    opt(c.min_occ, occ_text),
                    yes_no(f.converged).to_string(),
                    yes_no(c.adequate).to_string(),
                    opt(c.model_probability, |v| format!("{v:.4}")),
                ]),
                None => {
                    row.push("failed".to_string());
                    row.extend((3..header.len()).map(|_| "-".to_string()));
                    errors.push(format!(
                        "candidate {} (K = {}, orders {}): {}",
                        j + 1,
                        c.n_groups,
                        label(c),
                        c.error.as_deref().unwrap_or("failed")
                    ));
                }
            }
            rows.push(row);
        }
        s.push_str(&aligned(&rows, |col| col == 1));
        let _ = writeln!(
            s,
            "BIC: N = persons; BIC(obs): N = observed person-years; LL, BIC, AIC: larger is better.\n\
             share, AvePP, OCC: smallest over the groups; conv: converged; adeq: adequate\n\
             (every AvePP >= 0.7, OCC > 5, |share - assigned share| <= 0.05, share*N >= 30,\n\
             share >= 0.05); prob: model probability by {}.",
            self.criterion.label()
        );
        for e in &errors {
            let _ = writeln!(s, "{e}");
        }
        match self.selected_candidate() {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "\nselected: {} group{}, orders {}: the largest {} among converged candidates",
                    c.n_groups,
                    if c.n_groups == 1 { "" } else { "s" },
                    label(c),
                    self.criterion.label()
                );
                if c.adequacy_failures.is_empty() {
                    let _ = writeln!(s, "adequacy: every rule holds");
                } else {
                    let _ = writeln!(
                        s,
                        "adequacy: NOT adequate (reported, not enforced; consider a simpler model):"
                    );
                    for f in &c.adequacy_failures {
                        let _ = writeln!(s, "  {f}");
                    }
                }
            }
            None => {
                let _ = writeln!(
                    s,
                    "\nno model selected: no candidate was fitted and converged"
                );
            }
        }
        s
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

/// OCC in at most 7 characters: the cap of 1e15 and other huge values in
/// exponent form.
fn occ_text(v: f64) -> String {
    if v >= 1e5 {
        format!("{v:.0e}")
    } else {
        format!("{v:.1}")
    }
}

/// The rows as text columns: every column as wide as its widest cell,
/// one space apart, left-aligned where `left(column)`, else right-aligned;
/// no trailing spaces.
pub(super) fn aligned(rows: &[Vec<String>], left: impl Fn(usize) -> bool) -> String {
    use std::fmt::Write;
    let n = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..n)
        .map(|col| {
            rows.iter()
                .map(|r| r[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for row in rows {
        let mut line = String::new();
        for (col, cell) in row.iter().enumerate() {
            let w = widths[col];
            if col > 0 {
                line.push(' ');
            }
            if left(col) {
                let _ = write!(line, "{cell:<w$}");
            } else {
                let _ = write!(line, "{cell:>w$}");
            }
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    s
}

/// `3,3,2`, or `3,3,2/0,0,1` with zero-inflation orders.
pub(super) fn orders_text(orders: &[usize], iorders: Option<&[usize]>) -> String {
    let join = |v: &[usize]| {
        v.iter()
            .map(|o| o.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    match iorders {
        Some(q) => format!("{}/{}", join(orders), join(q)),
        None => join(orders),
    }
}
