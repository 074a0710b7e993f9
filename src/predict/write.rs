//! CSV tables of classifications and forecasts, one row per input person
//! in input order. Groups are numbered from 1; ids are quoted where CSV
//! needs it.

use super::classify::PersonClass;
use super::forecast::PersonForecast;

fn join_ages(ages: &[i64]) -> String {
    ages.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `id,status,group,max_posterior,p1..pK`.
fn person_header(groups: usize) -> Vec<String> {
    let mut header: Vec<String> = ["id", "status", "group", "max_posterior"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend((1..=groups).map(|g| format!("p{g}")));
    header
}

/// The person columns of [`person_header`].
fn person_cells(id: &str, status: impl ToString, group: usize, posteriors: &[f64]) -> Vec<String> {
    let max = posteriors
        .get(group.wrapping_sub(1))
        .copied()
        .unwrap_or(0.0);
    let mut r = vec![
        id.to_string(),
        status.to_string(),
        group.to_string(),
        format!("{max:.6}"),
    ];
    r.extend(posteriors.iter().map(|p| format!("{p:.6}")));
    r
}

fn to_csv(rows: Vec<Vec<String>>) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(&r);
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// `id,status,group,max_posterior,p1..pK` for `groups` groups.
///
/// ```
/// use gbtm::predict::write::classes_csv;
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(200, 3);
/// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&cohort.panel)?;
/// let text = classes_csv(&fit.model().classify(&cohort.panel)?, 2);
/// assert!(text.starts_with("id,status,group,max_posterior,p1,p2\n"));
/// assert_eq!(text.lines().count(), 1 + cohort.panel.input_ids().len());
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn classes_csv(classes: &[PersonClass], groups: usize) -> String {
    let mut rows = vec![person_header(groups)];
    for c in classes {
        rows.push(person_cells(&c.id, c.status, c.group, &c.posteriors));
    }
    to_csv(rows)
}

/// One row per person: id, status, group, the group probabilities
/// `p1..pK`, the observed total, then for the imputed years, the future
/// years and both together the exact ages forecast (space-separated), the
/// expected total and its predictive interval at `level` (columns named
/// with the percentage, e.g. `future_lower90`).
///
/// ```
/// use gbtm::predict::write::forecasts_csv;
/// use gbtm::{synth, Gbtm};
/// let cohort = synth::three_groups(200, 3);
/// let fit = Gbtm::poisson(2).order(1).starts(2).fit(&cohort.panel)?;
/// let young = cohort.panel.window(12, 20)?;
/// let text = forecasts_csv(&fit.model().forecast(&young, 0.9)?, 2, 0.9);
/// let header = text.lines().next().unwrap();
/// assert!(header.contains(",p1,p2,observed_total,imputed_ages,"));
/// assert!(header.ends_with(",total_expected,total_lower90,total_upper90"));
/// # Ok::<(), gbtm::Error>(())
/// ```
pub fn forecasts_csv(forecasts: &[PersonForecast], groups: usize, level: f64) -> String {
    let pct = format!("{}", (level * 100.0).round());
    let mut header = person_header(groups);
    header.push("observed_total".into());
    for part in ["imputed", "future", "total"] {
        header.push(format!("{part}_ages"));
        header.push(format!("{part}_expected"));
        header.push(format!("{part}_lower{pct}"));
        header.push(format!("{part}_upper{pct}"));
    }
    let mut rows = vec![header];
    for f in forecasts {
        let mut r = person_cells(&f.id, f.status, f.group, &f.posteriors);
        r.push(f.observed_total.to_string());
        for t in [&f.imputed, &f.future, &f.total] {
            r.push(join_ages(&t.ages));
            r.push(format!("{:.4}", t.expected));
            r.push(t.lower.to_string());
            r.push(t.upper.to_string());
        }
        rows.push(r);
    }
    to_csv(rows)
}
