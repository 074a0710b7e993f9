//! The panel's accessors.

use ndarray::ArrayView2;

use super::Panel;

impl Panel {
    /// Number of persons (after dropping those with no observed year).
    ///
    /// The accessors together:
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13,14\na,1,,0\nb,,,\nc,0,2,3\n", "x.csv")?;
    /// assert_eq!((p.n_persons(), p.n_observations(), p.n_dropped()), (2, 5, 1));
    /// assert_eq!(p.ages(), &[12, 13, 14]);
    /// assert_eq!(p.ids(), &["a", "c"]);
    /// assert_eq!(p.counts().row(1).to_vec(), [0.0, 2.0, 3.0]);
    /// // Person a was not observed at 13: its count there is 0 but left out.
    /// assert_eq!(p.observed().row(0).to_vec(), [true, false, true]);
    /// assert!(p.exposure().is_none());
    /// assert_eq!(p.source(), "x.csv");
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn n_persons(&self) -> usize {
        self.counts.nrows()
    }
    /// Number of observed person-years.
    /// See the example of [`Panel::n_persons`].
    pub fn n_observations(&self) -> usize {
        self.observed.iter().filter(|&&o| o).count()
    }
    /// Persons dropped because they had no observed year.
    /// See the example of [`Panel::n_persons`].
    pub fn n_dropped(&self) -> usize {
        self.input_ids.len() - self.input_rows.len()
    }
    /// Every person read, in input order, including those dropped for
    /// having no observed year.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,\nb,,\nc,0,2\n", "x.csv").unwrap();
    /// assert_eq!(p.ids(), &["a", "c"]);
    /// assert_eq!(p.input_ids(), &["a", "b", "c"]);
    /// assert_eq!(p.input_rows(), &[0, 2]);
    /// ```
    pub fn input_ids(&self) -> &[String] {
        &self.input_ids
    }
    /// For each person of the panel (row), its position in
    /// [`Panel::input_ids`].
    pub fn input_rows(&self) -> &[usize] {
        &self.input_rows
    }
    /// The ages (columns), strictly increasing.
    /// See the example of [`Panel::n_persons`].
    pub fn ages(&self) -> &[i64] {
        &self.ages
    }
    /// Person ids, in row order.
    /// See the example of [`Panel::n_persons`].
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
    /// Counts, persons × ages; 0 where unobserved (see [`Panel::observed`]).
    /// See the example of [`Panel::n_persons`].
    pub fn counts(&self) -> ArrayView2<'_, f64> {
        self.counts.view()
    }
    /// Which person-years are observed.
    /// See the example of [`Panel::n_persons`].
    pub fn observed(&self) -> ArrayView2<'_, bool> {
        self.observed.view()
    }
    /// Exposure, persons × ages, if the panel has one (1 where unobserved).
    /// See the example of [`Panel::n_persons`].
    pub fn exposure(&self) -> Option<ArrayView2<'_, f64>> {
        self.exposure.as_ref().map(|e| e.view())
    }
    /// Name of the file (or `<array>`) the panel came from.
    /// See the example of [`Panel::n_persons`].
    pub fn source(&self) -> &str {
        &self.source
    }
}
