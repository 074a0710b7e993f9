//! Shared test inputs: trajeR's wide fixtures (`Id`, `Y1..Y5`, `T1..T5`,
//! covariates) and Poisson draws for simulated cohorts.

use ndarray::Array2;
use rand::RngExt;

/// A trajeR fixture: its header and numeric rows.
pub struct TrajeR {
    header: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl TrajeR {
    /// Reads `path` (quoted headers, numbers only).
    pub fn read(path: &str) -> TrajeR {
        let text = std::fs::read_to_string(path).expect("the fixture reads");
        let mut lines = text.lines();
        let header = lines
            .next()
            .unwrap()
            .split(',')
            .map(|h| h.trim_matches('"').to_string())
            .collect();
        let rows = lines
            .map(|l| {
                l.split(',')
                    .map(|c| c.trim_matches('"').parse().unwrap())
                    .collect()
            })
            .collect();
        TrajeR { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap()
    }

    /// Persons × 5: the columns `PREFIX1..PREFIX5`.
    pub fn block(&self, prefix: &str) -> Array2<f64> {
        let cols: Vec<usize> = (1..=5).map(|t| self.col(&format!("{prefix}{t}"))).collect();
        Array2::from_shape_fn((self.rows.len(), 5), |(i, t)| self.rows[i][cols[t]])
    }

    /// Persons × 1: the column `name`.
    pub fn column(&self, name: &str) -> Array2<f64> {
        let c = self.col(name);
        Array2::from_shape_fn((self.rows.len(), 1), |(i, _)| self.rows[i][c])
    }

    /// The `Id` column as strings.
    pub fn ids(&self) -> Vec<String> {
        let c = self.col("Id");
        self.rows.iter().map(|r| r[c].to_string()).collect()
    }
}

/// A Poisson(λ) draw by inversion.
pub fn poisson(rng: &mut impl rand::Rng, lambda: f64) -> f64 {
    let u: f64 = rng.random();
    let (mut k, mut p) = (0.0, (-lambda).exp());
    let mut cdf = p;
    while cdf < u && k < 200.0 {
        k += 1.0;
        p *= lambda / k;
        cdf += p;
    }
    k
}

/// Cases per observed person-year among the persons of true group `g`.
pub fn observed_rate(cohort: &gbtm::synth::Cohort, g: usize) -> f64 {
    let (y, o) = (cohort.panel.counts(), cohort.panel.observed());
    let (mut cases, mut years) = (0.0, 0.0);
    for i in (0..cohort.panel.n_persons()).filter(|&i| cohort.truth[i] == g) {
        for t in (0..cohort.panel.ages().len()).filter(|&t| o[[i, t]]) {
            cases += y[[i, t]];
            years += 1.0;
        }
    }
    cases / years
}
