//! The readable table of a sensitivity analysis.

use std::fmt::Write;

use super::Sensitivity;
use crate::select::CandidateResult;
use crate::select::Criterion;
use crate::select::table::{aligned, orders_text};

impl Sensitivity {
    /// A readable report: what was compared, one row per end age (the
    /// reference end age marked `*`) with the persons kept and dropped, the
    /// selected candidate, its criterion value, the runner-up and the gap to
    /// it, and the reference model refitted there (converged, persons
    /// compared, match share, adjusted Rand index, the shares of the groups
    /// matched to reference groups 1..K); then what the columns mean and a
    /// summary.
    ///
    /// # Examples
    ///
    /// ```
    /// use gbtm::select::{end_age_sensitivity, Criterion, EndAges};
    /// use gbtm::{synth, Gbtm};
    /// let panel = synth::three_groups(300, 7).panel;
    /// let candidates: Vec<Gbtm> = (1..=2).map(|k| Gbtm::poisson(k).order(2).starts(2)).collect();
    /// let s = end_age_sensitivity(&panel, &candidates, Criterion::Bic, &EndAges::range(34, 35)?, None)?;
    /// let text = s.to_text();
    /// assert!(text.contains("reference: end age 35"));
    /// assert!(text.lines().any(|l| l.trim_start().starts_with("*35")));
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let crit = short(self.criterion);
        let candidates = self
            .reference_row()
            .map(|r| r.selection.candidates.as_slice())
            .unwrap_or_default();
        // Candidates are named by K, with the family when there are
        // several, and with the orders when two of a family share a K.
        let mut ks: Vec<usize> = candidates.iter().map(|c| c.n_groups).collect();
        ks.sort_unstable();
        let mixed = candidates.iter().any(|c| c.family != candidates[0].family);
        let mut keys: Vec<(String, usize)> = candidates
            .iter()
            .map(|c| (c.family.to_string(), c.n_groups))
            .collect();
        keys.sort_unstable();
        let by_k = keys.windows(2).all(|w| w[0] != w[1]);
        let name = |c: &CandidateResult| {
            let family = if mixed {
                format!("{} ", c.family)
            } else {
                String::new()
            };
            if by_k {
                format!("{family}{}", c.n_groups)
            } else {
                let orders = orders_text(&c.orders, c.iorders.as_deref());
                format!("{family}{}:{orders}", c.n_groups)
            }
        };
        let _ = writeln!(
            s,
            "end-age sensitivity of {}: ages from {} to each end age",
            self.source, self.first_age
        );
        let _ = writeln!(
            s,
            "selection by {} over {} candidate{} (K = {}) at each end age",
            self.criterion.label(),
            candidates.len(),
            if candidates.len() == 1 { "" } else { "s" },
            k_list(&ks)
        );
        if let Some(c) = self.reference_candidate() {
            let _ = writeln!(
                s,
                "reference: end age {}, {} with K = {}, orders {} (the candidate selected there)",
                self.reference_end,
                c.family.long_name(),
                c.n_groups,
                orders_text(&c.orders, c.iorders.as_deref())
            );
        }
        let _ = writeln!(s);
        let header = [
            "end", "persons", "dropped", "K", crit, "next", "gap", "conv", "compared", "match",
            "ARI", "shares",
        ];
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        let mut notes = Vec::new();
        for r in &self.rows {
            let mark = if r.end_age == self.reference_end {
                "*"
            } else {
                ""
            };
            let sel = &r.selection;
            let chosen = sel.selected_candidate();
            let next = sel
                .candidates
                .iter()
                .enumerate()
                .filter(|(j, c)| Some(*j) != sel.selected && c.is_eligible(sel.criterion))
                .max_by(|(_, a), (_, b)| {
                    let v = |c: &CandidateResult| c.criterion_value(sel.criterion);
                    v(a).unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&v(b).unwrap_or(f64::NEG_INFINITY))
                })
                .map(|(_, c)| c);
            let gap = match (
                r.selected_value,
                next.and_then(|c| c.criterion_value(sel.criterion)),
            ) {
                (Some(a), Some(b)) => format!("{:.1}", a - b),
                _ => "-".to_string(),
            };
            let mut row = vec![
                format!("{mark}{}", r.end_age),
                r.persons.to_string(),
                r.dropped.to_string(),
                chosen.map_or_else(|| "-".to_string(), name),
                r.selected_value
                    .map_or_else(|| "-".to_string(), |v| format!("{v:.1}")),
                next.map_or_else(|| "-".to_string(), name),
                gap,
            ];
            match &r.reference_model {
                Some(a) => row.extend([
                    if a.converged { "yes" } else { "no" }.to_string(),
                    a.compared.to_string(),
                    format!("{:.3}", a.match_share),
                    format!("{:.3}", a.adjusted_rand_index),
                    a.shares
                        .iter()
                        .map(|v| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}")))
                        .collect::<Vec<_>>()
                        .join(" "),
                ]),
                None => {
                    row.push("failed".to_string());
                    row.extend((0..4).map(|_| "-".to_string()));
                    let why = sel
                        .candidates
                        .get(self.reference)
                        .and_then(|c| c.error.as_deref());
                    notes.push(format!(
                        "end age {}: the reference model failed: {}",
                        r.end_age,
                        why.unwrap_or("no fit")
                    ));
                }
            }
            rows.push(row);
        }
        // The last column (the shares) is left-aligned.
        let last = header.len() - 1;
        s.push_str(&aligned(&rows, |col| col == last));
        let _ = writeln!(
            s,
            "\npersons: with an observed year up to the end age; dropped: persons of the data with none.\n\
             K, {crit}: the selected candidate and its {label}, larger is better; next: the runner-up;\n\
             gap: by how much the selected candidate beats it.\n\
             conv, compared, match, ARI, shares: the reference model (K = {k}) refitted at this end age,\n\
             against its fit at end age {re} over the persons in both windows. match: the share of them\n\
             in the group matched to their reference group (the one-to-one matching of groups with the\n\
             most persons); ARI: adjusted Rand index of the two partitions (1 the same, about 0 chance);\n\
             shares: estimated shares of the groups matched to reference groups 1..{k}.",
            label = self.criterion.label(),
            k = self.reference_groups,
            re = self.reference_end,
        );
        for n in &notes {
            let _ = writeln!(s, "{n}");
        }
        let _ = writeln!(s, "\n{}", self.summary());
        s
    }

    /// One or two lines: the selected K across end ages, and the range of
    /// the reference model's agreement at the other end ages.
    fn summary(&self) -> String {
        let mut by_k: Vec<(Option<usize>, Vec<i64>)> = Vec::new();
        for r in &self.rows {
            match by_k.iter_mut().find(|(k, _)| *k == r.selected_groups) {
                Some((_, ends)) => ends.push(r.end_age),
                None => by_k.push((r.selected_groups, vec![r.end_age])),
            }
        }
        let mut s = if by_k.len() == 1 {
            format!(
                "selected K: {} at every end age",
                by_k[0]
                    .0
                    .map_or_else(|| "none".to_string(), |k| k.to_string())
            )
        } else {
            let parts: Vec<String> = by_k
                .iter()
                .map(|(k, ends)| {
                    let ends: Vec<String> = ends.iter().map(i64::to_string).collect();
                    let k = k.map_or_else(|| "none".to_string(), |k| k.to_string());
                    format!("{k} at {}", ends.join(","))
                })
                .collect();
            format!("selected K differs: {}", parts.join("; "))
        };
        let others: Vec<_> = self
            .rows
            .iter()
            .filter(|r| r.end_age != self.reference_end)
            .filter_map(|r| r.reference_model.as_ref())
            .collect();
        if !others.is_empty() {
            let range = |f: fn(&super::Agreement) -> f64| {
                let lo = others.iter().map(|a| f(a)).fold(f64::INFINITY, f64::min);
                let hi = others
                    .iter()
                    .map(|a| f(a))
                    .fold(f64::NEG_INFINITY, f64::max);
                format!("{lo:.3} to {hi:.3}")
            };
            let _ = write!(
                s,
                "\nreference model at the other end ages: match {}, ARI {}",
                range(|a| a.match_share),
                range(|a| a.adjusted_rand_index)
            );
        }
        s
    }
}

/// The criterion's column name.
fn short(c: Criterion) -> &'static str {
    match c {
        Criterion::Bic => "BIC",
        Criterion::BicObservations => "BIC(obs)",
        Criterion::Aic => "AIC",
    }
}

/// `1..7`, or `1,3,5` when not consecutive (`ks` sorted).
fn k_list(ks: &[usize]) -> String {
    let mut k = ks.to_vec();
    k.dedup();
    match (k.first(), k.last()) {
        (Some(a), Some(b)) if b - a + 1 == k.len() && k.len() > 2 => format!("{a}..{b}"),
        _ => k.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
    }
}
