//! The hypothesis syntax: linear equations in the parameters, separated by
//! commas or semicolons.
//!
//! ```text
//! hypothesis := equation { ("," | ";") equation }
//! equation   := side "=" side
//! side       := ["-"] term { ("+" | "-") term }
//! term       := number | [number "*"] reference
//! reference  := "g" K [ "." part ]
//! part       := intercept | age | age2 … | ages
//!             | zi | zi.intercept | zi.age … | zi.ages | logit
//!             | risk | risk.NAME | tcov | tcov.NAME | ln_alpha
//! ```
//!
//! A reference that names several parameters (`gK` for all of group K's
//! log-rate coefficients, `gK.ages` for its age terms, `gK.zi` and
//! `gK.zi.ages` for the zero-inflation ones, `gK.tcov` for its
//! time-varying covariates' coefficients) makes the equation hold term
//! by term: `g1 = g2` is "the same curve", `g1.ages = 0` is "flat",
//! `g1.tcov = g2.tcov` "the covariates act alike in both groups".
//! `gK.ln_alpha` is a negative-binomial group's log dispersion (per-group
//! dispersions only): `g1.ln_alpha = g2.ln_alpha` is "equally
//! overdispersed".

use crate::error::{Error, Result};
use crate::model::ModelSpec;
use crate::model::covariance::{name, term_name};

/// One linear constraint `Σ c_j·θ_j = r`, with its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Constraint {
    pub weights: Vec<(String, f64)>,
    pub rhs: f64,
    pub text: String,
}

fn bad(text: &str, why: impl std::fmt::Display) -> Error {
    Error::param("hypothesis", format!("\"{text}\": {why}"))
}

/// Checks that `name` is one of the model's covariates `names` (`what`
/// one of them, `plural` all of them, for the error).
fn one_of(
    names: &[String],
    name: &str,
    what: &str,
    plural: &str,
    reference: &str,
    whole: &str,
) -> Result<()> {
    if names.iter().any(|n| n == name) {
        return Ok(());
    }
    let list = if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    };
    Err(bad(
        whole,
        format!("{reference}: the model has no {what} {name:?} (its {plural}: {list})"),
    ))
}

/// The parameters a reference names, for `spec`.
fn expand(reference: &str, spec: &ModelSpec, whole: &str) -> Result<Vec<String>> {
    let (group, part) = match reference.split_once('.') {
        Some((g, p)) => (g, Some(p)),
        None => (reference, None),
    };
    let k: usize = group
        .strip_prefix('g')
        .and_then(|n| n.parse().ok())
        .filter(|&k| (1..=spec.groups()).contains(&k))
        .ok_or_else(|| {
            bad(
                whole,
                format!(
                    "{reference}: a reference starts with a group g1 to g{}",
                    spec.groups()
                ),
            )
        })?;
    let order = spec.orders()[k - 1];
    let iorder = spec.iorders().map(|q| q[k - 1]);
    // The rate's (`name::rate`) or the zero inflation's (`name::zi`) terms.
    let terms = |named: fn(usize, usize) -> String, from: usize, to: usize| -> Vec<String> {
        (from..=to).map(|j| named(k - 1, j)).collect()
    };
    let zi = |from: usize| -> Result<Vec<String>> {
        match iorder {
            Some(q) if from <= q => Ok(terms(name::zi, from, q)),
            Some(_) => Err(bad(
                whole,
                format!("{reference}: group {k} has no such terms"),
            )),
            None => Err(bad(
                whole,
                format!("{reference}: a Poisson model has no zero inflation"),
            )),
        }
    };
    let names = match part {
        None => terms(name::rate, 0, order),
        Some("ages") if order >= 1 => terms(name::rate, 1, order),
        Some("zi") => zi(0)?,
        Some("zi.ages") => zi(1)?,
        Some("logit") if k >= 2 => vec![name::logit(k - 1)],
        Some("logit") => {
            return Err(bad(whole, "g1.logit: shares are logits against group 1"));
        }
        Some("risk") if k >= 2 && !spec.risk().is_empty() => {
            spec.risk().iter().map(|r| name::risk(k - 1, r)).collect()
        }
        Some(p) if p.starts_with("risk.") && k >= 2 => {
            let r = &p["risk.".len()..];
            one_of(
                spec.risk(),
                r,
                "risk factor",
                "risk factors",
                reference,
                whole,
            )?;
            vec![name::risk(k - 1, r)]
        }
        Some("ln_alpha") => match (spec.family(), spec.dispersion()) {
            (crate::model::Family::Nb, crate::model::Dispersion::PerGroup) => {
                vec![name::ln_alpha(Some(k - 1))]
            }
            (crate::model::Family::Nb, crate::model::Dispersion::Shared) => {
                return Err(bad(
                    whole,
                    format!("{reference}: the groups share one dispersion"),
                ));
            }
            _ => {
                return Err(bad(
                    whole,
                    format!("{reference}: only a negative-binomial model has a dispersion"),
                ));
            }
        },
        Some("tcov") if !spec.tcov().is_empty() => {
            spec.tcov().iter().map(|c| name::tcov(k - 1, c)).collect()
        }
        Some(p) if p.starts_with("tcov.") => {
            let c = &p["tcov.".len()..];
            one_of(
                spec.tcov(),
                c,
                "time-varying covariate",
                "covariates",
                reference,
                whole,
            )?;
            vec![name::tcov(k - 1, c)]
        }
        Some(p) => {
            let (named, term, max): (fn(usize, usize) -> String, _, _) = match p.strip_prefix("zi.")
            {
                Some(t) => (name::zi, t, iorder),
                None => (name::rate, p, Some(order)),
            };
            let j = (0..=max.unwrap_or(0)).find(|&j| term_name(j) == term);
            match (max, j) {
                (Some(_), Some(j)) => vec![named(k - 1, j)],
                _ => {
                    return Err(bad(
                        whole,
                        format!(
                            "{reference}: not a parameter of group {k} (its terms: intercept, age … age{order}; ages; zi…; logit; risk…; tcov…; ln_alpha)"
                        ),
                    ));
                }
            }
        }
    };
    Ok(names)
}

/// One side of an equation: (coefficient, parameters) terms and a constant.
type Side = (Vec<(f64, Vec<String>)>, f64);

fn side(text: &str, spec: &ModelSpec, whole: &str) -> Result<Side> {
    let mut terms = Vec::new();
    let mut constant = 0.0;
    let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err(bad(whole, "an equation has an empty side"));
    }
    // Split at + and − that are not the sign of a number's exponent (1e-3).
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i] != b'+' && bytes[i] != b'-' {
            continue;
        }
        let token = &s[start..i];
        let mantissa = token
            .trim_start_matches(['+', '-'])
            .rsplit('*')
            .next()
            .unwrap_or("");
        let exponent = mantissa.len() > 1
            && mantissa.ends_with(['e', 'E'])
            && mantissa[..mantissa.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.');
        if !exponent {
            parts.push(token);
            start = i;
        }
    }
    parts.push(&s[start..]);
    for part in parts {
        let (sign, body) = match part.as_bytes().first() {
            Some(b'-') => (-1.0, &part[1..]),
            Some(b'+') => (1.0, &part[1..]),
            _ => (1.0, part),
        };
        if body.is_empty() {
            return Err(bad(whole, "a sign without a term"));
        }
        if let Ok(v) = body.parse::<f64>() {
            if !v.is_finite() {
                return Err(bad(whole, format!("{body} is not a finite number")));
            }
            constant += sign * v;
            continue;
        }
        let (coef, reference) = match body.split_once('*') {
            Some((c, r)) => (
                c.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(whole, format!("{c} is not a number")))?,
                r,
            ),
            None => (1.0, body),
        };
        terms.push((sign * coef, expand(reference, spec, whole)?));
    }
    Ok((terms, constant))
}

/// A constraint written out: `g1.age - g2.age = 0`.
fn written(weights: &[(String, f64)], rhs: f64) -> String {
    let mut s = String::new();
    for (i, (name, c)) in weights.iter().enumerate() {
        let sign = if *c < 0.0 { "-" } else { "+" };
        match (i, c.abs() == 1.0) {
            (0, true) if *c < 0.0 => s.push_str(&format!("-{name}")),
            (0, true) => s.push_str(name),
            (0, false) => s.push_str(&format!("{c}*{name}")),
            (_, true) => s.push_str(&format!(" {sign} {name}")),
            (_, false) => s.push_str(&format!(" {sign} {}*{name}", c.abs())),
        }
    }
    format!("{s} = {rhs}")
}

/// Parses `text` into constraints on the parameters of `spec`.
pub(crate) fn parse(text: &str, spec: &ModelSpec) -> Result<Vec<Constraint>> {
    let mut out = Vec::new();
    for eq in text.split([',', ';']) {
        let eq = eq.trim();
        let Some((l, r)) = eq.split_once('=') else {
            return Err(bad(
                eq,
                "an equation needs one \"=\" (for example g1.age = g2.age)",
            ));
        };
        if r.contains('=') {
            return Err(bad(eq, "an equation needs one \"=\""));
        }
        let (lt, lc) = side(l, spec, eq)?;
        let (rt, rc) = side(r, spec, eq)?;
        // Move everything to the left: Σ c·θ = rc − lc.
        let terms: Vec<(f64, Vec<String>)> = lt
            .into_iter()
            .chain(rt.into_iter().map(|(c, n)| (-c, n)))
            .collect();
        if terms.is_empty() {
            return Err(bad(eq, "the equation names no parameter"));
        }
        let width = terms.iter().map(|t| t.1.len()).max().unwrap_or(1);
        // Every reference names the same number of parameters: the
        // equation holds term by term. A single parameter is not spread
        // over a group's terms.
        if terms.iter().any(|t| t.1.len() != width) {
            return Err(bad(
                eq,
                "the references name different numbers of terms (are the groups' orders equal?)",
            ));
        }
        for i in 0..width {
            let mut weights: Vec<(String, f64)> = Vec::new();
            for (c, names) in &terms {
                let name = &names[i];
                match weights.iter_mut().find(|(n, _)| n == name) {
                    Some(w) => w.1 += c,
                    None => weights.push((name.clone(), *c)),
                }
            }
            weights.retain(|(_, c)| *c != 0.0);
            if weights.is_empty() {
                return Err(bad(eq, "the parameters cancel: nothing is tested"));
            }
            let text = if width == 1 {
                eq.to_string()
            } else {
                written(&weights, rc - lc)
            };
            out.push(Constraint {
                weights,
                rhs: rc - lc,
                text,
            });
        }
    }
    Ok(out)
}
