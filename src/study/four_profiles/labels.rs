//! Naming the fitted groups after the report's profiles, by shape.

/// Labels by shape: the group with the lowest mean rate is `incidental`,
/// the highest `persistent`; the others are `early_peak` if their fitted
/// curve peaks by age 22, else `late_peak` (with K = 4 the earlier-peaking
/// of the two middle groups is `early_peak`).
pub(super) fn labels(mean: &[f64], peak: &[i64]) -> Vec<String> {
    let k = mean.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| mean[a].total_cmp(&mean[b]));
    let mut out = vec![String::new(); k];
    if k == 1 {
        out[0] = "incidental".into();
        return out;
    }
    out[order[0]] = "incidental".into();
    out[order[k - 1]] = "persistent".into();
    let mut middle: Vec<usize> = order[1..k - 1].to_vec();
    middle.sort_by_key(|&g| peak[g]);
    for (j, &g) in middle.iter().enumerate() {
        let early = if middle.len() == 2 {
            j == 0
        } else {
            peak[g] <= 22
        };
        out[g] = if early { "early_peak" } else { "late_peak" }.into();
    }
    // Number repeated labels.
    for g in 0..k {
        let same: Vec<usize> = (0..k).filter(|&h| out[h] == out[g]).collect();
        if same.len() > 1 {
            let base = out[g].clone();
            for (n, &h) in same.iter().enumerate() {
                out[h] = format!("{base}_{}", n + 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::labels;

    #[test]
    fn four_groups_are_labelled_by_level_and_peak() {
        let l = labels(&[0.55, 1.4, 0.14, 0.61], &[18, 20, 30, 29]);
        assert_eq!(l, ["early_peak", "persistent", "incidental", "late_peak"]);
        // The middle groups swap labels when their peaks swap.
        let l = labels(&[0.55, 1.4, 0.14, 0.61], &[30, 20, 30, 17]);
        assert_eq!(l[0], "late_peak");
        assert_eq!(l[3], "early_peak");
    }

    #[test]
    fn repeated_labels_are_numbered() {
        let l = labels(&[0.1, 0.5, 0.6, 0.7, 2.0], &[25, 16, 18, 30, 20]);
        assert_eq!(
            l,
            [
                "incidental",
                "early_peak_1",
                "early_peak_2",
                "late_peak",
                "persistent"
            ]
        );
    }
}
