//! The negative binomial's count tables: the distinct positive counts of a
//! panel ([`CountValues`]), the sums over them that its likelihood needs
//! ([`value_sums`]), and the range of its dispersion.

/// The smallest α a fit may reach (ln α is clamped here): below it the
/// group is Poisson to within rounding.
pub(crate) const LN_ALPHA_MIN: f64 = -18.420680743952367; // ln 1e-8
/// The largest α a fit may reach: a group there is degenerate.
pub(crate) const LN_ALPHA_MAX: f64 = 9.210340371976184; // ln 1e4
/// α below this is reported as a boundary (effectively Poisson).
pub(crate) const ALPHA_VANISHED: f64 = 1e-6;

/// The panel's distinct positive counts (ascending) and, per positive cell
/// of the workspace, the index of its count among them.
pub(crate) struct CountValues {
    pub values: Vec<f64>,
    pub index: Vec<u32>,
}

impl CountValues {
    /// From the positive counts of the workspace's cells, in their order.
    pub(crate) fn new(pos_y: &[f64]) -> CountValues {
        let mut values = pos_y.to_vec();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let index = pos_y
            .iter()
            .map(|y| values.partition_point(|v| v < y) as u32)
            .collect();
        CountValues { values, index }
    }
}

/// For each count value v: `G(v, r) = Σ_{j<v} ln(r + j)` and its first two
/// derivatives in r, `S1 = Σ 1/(r + j)` and `−S2 = −Σ 1/(r + j)²`. Summed
/// term by term over j (exact for integer counts, O(largest count)).
pub(crate) fn value_sums(values: &[f64], r: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = values.len();
    let (mut g, mut s1, mut s2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    let mut j = 0.0;
    for (i, &v) in values.iter().enumerate() {
        while j < v {
            let x = r + j;
            a += x.ln();
            b += 1.0 / x;
            c += 1.0 / (x * x);
            j += 1.0;
        }
        (g[i], s1[i], s2[i]) = (a, b, c);
    }
    (g, s1, s2)
}
