//! How the plot looks: [`PlotOptions`].

/// How the plot looks.
///
/// ```
/// use gbtm::plot::PlotOptions;
/// let opts = PlotOptions::default().with_title("TO1adj, 4 groups");
/// assert_eq!((opts.width, opts.height, opts.show_observed, opts.bands), (900, 560, true, None));
/// assert_eq!(opts.title.as_deref(), Some("TO1adj, 4 groups"));
/// let names = vec!["low".to_string(), "high".to_string()];
/// let opts = opts.with_size(1200, 700).with_observed(false).with_group_names(names).with_bands(0.95);
/// assert_eq!((opts.width, opts.height, opts.show_observed, opts.bands), (1200, 700, false, Some(0.95)));
/// assert_eq!(opts.group_names.unwrap()[1], "high");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlotOptions {
    /// Title; `None` gives "K-group Poisson (or zero-inflated Poisson)
    /// trajectories" and the panel's file name.
    pub title: Option<String>,
    /// Width of the image in pixels (at least 400).
    pub width: u32,
    /// Height of the image in pixels (at least 300).
    pub height: u32,
    /// Whether to draw the observed means of the assigned persons.
    pub show_observed: bool,
    /// Names of the groups in the legend (e.g. `early_peak`), in group
    /// order; `None` (or a name missing) gives "Group k".
    pub group_names: Option<Vec<String>>,
    /// Draw pointwise confidence bands of the curves at this level (the
    /// model needs a covariance matrix); `None` draws none.
    pub bands: Option<f64>,
}

impl PlotOptions {
    /// The same options with this title.
    ///
    /// See the example of [`PlotOptions`].
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// The same options with this image size in pixels.
    ///
    /// See the example of [`PlotOptions`].
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
    /// The same options with or without the observed means.
    ///
    /// See the example of [`PlotOptions`].
    pub fn with_observed(mut self, show: bool) -> Self {
        self.show_observed = show;
        self
    }
    /// The same options with these group names in the legend.
    ///
    /// See the example of [`PlotOptions`].
    pub fn with_group_names(mut self, names: Vec<String>) -> Self {
        self.group_names = Some(names);
        self
    }
    /// The same options with confidence bands at `level` (e.g. 0.95).
    ///
    /// See the example of [`PlotOptions`].
    pub fn with_bands(mut self, level: f64) -> Self {
        self.bands = Some(level);
        self
    }
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            title: None,
            width: 900,
            height: 560,
            show_observed: true,
            group_names: None,
            bands: None,
        }
    }
}
