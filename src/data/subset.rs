//! A panel's subset of persons: the seeded subsample on which a large
//! panel's starts are screened.

use ndarray::{Array2, Axis};

use super::Panel;
use super::risk::RiskFactors;
use super::tcov::TimeCovariates;

impl Panel {
    /// The persons at `rows` (rows of this panel, in increasing order),
    /// with their exposure, risk factors and time-varying covariates; they
    /// keep their places in [`Panel::input_ids`].
    pub(crate) fn select_persons(&self, rows: &[usize]) -> Panel {
        let pick = |a: &Array2<f64>| a.select(Axis(0), rows).as_standard_layout().to_owned();
        Panel {
            ids: rows.iter().map(|&i| self.ids[i].clone()).collect(),
            ages: self.ages.clone(),
            counts: pick(&self.counts),
            observed: self
                .observed
                .select(Axis(0), rows)
                .as_standard_layout()
                .to_owned(),
            exposure: self.exposure.as_ref().map(pick),
            input_ids: self.input_ids.clone(),
            input_rows: rows.iter().map(|&i| self.input_rows[i]).collect(),
            source: self.source.clone(),
            risk: self.risk.as_ref().map(|r| RiskFactors {
                names: r.names.clone(),
                values: pick(&r.values),
            }),
            tcov: self.tcov.as_ref().map(|c| TimeCovariates {
                names: c.names.clone(),
                values: c.values.iter().map(pick).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Panel;

    #[test]
    fn selected_persons_keep_their_cells_and_input_places() {
        let p = Panel::from_wide_csv_str("id,12,13\na,1,0\nb,,\nc,0,2\nd,3,\n", "x.csv").unwrap();
        let e = p.with_tcov(
            "w",
            ndarray::array![[1.0, 2.0], [3.0, 4.0], [5.0, f64::NAN]].view(),
        );
        let e = e.unwrap();
        let s = e.select_persons(&[1, 2]);
        assert_eq!(s.ids(), &["c", "d"]);
        assert_eq!(s.input_rows(), &[2, 3]);
        assert_eq!(s.input_ids(), e.input_ids());
        assert_eq!(s.counts().row(0).to_vec(), vec![0.0, 2.0]);
        assert_eq!(s.observed().row(1).to_vec(), vec![true, false]);
        assert_eq!(s.tcov("w").unwrap()[[0, 1]], 4.0);
        assert!(s.tcov("w").unwrap()[[1, 1]].is_nan());
    }
}
