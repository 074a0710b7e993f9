//! The trajectory plot: structure of the SVG (one curve per group, one
//! marker per group and observed age at the observed mean, a legend entry
//! per group with its shares), options, and errors.

use std::sync::OnceLock;

use gbtm::plot::{PlotOptions, group_colour, trajectory_svg, write_trajectory_svg};
use gbtm::{Error, Gbtm, Panel, TrajectoryModel, synth};

struct Case {
    panel: Panel,
    fit: TrajectoryModel,
}

fn poisson() -> &'static Case {
    static CASE: OnceLock<Case> = OnceLock::new();
    CASE.get_or_init(|| {
        let panel = synth::three_groups(300, 1).panel;
        let fit = Gbtm::poisson(3).starts(2).fit(&panel).unwrap().into_model();
        Case { panel, fit }
    })
}

fn zip() -> &'static Case {
    static CASE: OnceLock<Case> = OnceLock::new();
    CASE.get_or_init(|| {
        let panel = synth::three_groups_zip(300, 2).panel;
        let fit = Gbtm::zip(3)
            .iorder(0)
            .starts(2)
            .fit(&panel)
            .unwrap()
            .into_model();
        Case { panel, fit }
    })
}

/// The value of attribute `name` in the tag `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Every tag `<name ...>` of the document, as its text.
fn tags<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find('>').expect("unterminated tag") + i;
        out.push(&rest[i..=end]);
        rest = &rest[end + 1..];
    }
    out
}

fn points(tag: &str) -> Vec<(f64, f64)> {
    attr(tag, "points")
        .unwrap()
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// Checks that every element is closed and nested properly.
fn assert_well_formed(svg: &str) {
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "starts with {:?}",
        &svg[..svg.len().min(40)]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').expect("unterminated tag") + i;
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "misnested </{name}>"
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') {
            let name = tag.split_whitespace().next().unwrap();
            stack.push(name.to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    // No raw '&' outside entities.
    for (i, _) in svg.match_indices('&') {
        let ent = &svg[i..svg.len().min(i + 6)];
        assert!(
            ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]
                .iter()
                .any(|e| ent.starts_with(e)),
            "raw & at {i}: {ent:?}"
        );
    }
}

/// Assigned shares and observed means per group and panel age, computed
/// here from `classify`, independently of the plot code.
fn observed_means(case: &Case) -> (Vec<f64>, Vec<Vec<Option<f64>>>) {
    let classes = case.fit.classify(&case.panel).unwrap();
    let k = case.fit.spec().groups();
    let t = case.panel.ages().len();
    let mut n = vec![0usize; k];
    let mut sum = vec![vec![0.0; t]; k];
    let mut cnt = vec![vec![0usize; t]; k];
    let (y, obs) = (case.panel.counts(), case.panel.observed());
    for (i, c) in classes.iter().enumerate() {
        n[c.group - 1] += 1;
        for j in 0..t {
            if obs[[i, j]] {
                sum[c.group - 1][j] += y[[i, j]];
                cnt[c.group - 1][j] += 1;
            }
        }
    }
    let shares = n.iter().map(|&m| m as f64 / classes.len() as f64).collect();
    let means = (0..k)
        .map(|g| {
            (0..t)
                .map(|j| (cnt[g][j] > 0).then(|| sum[g][j] / cnt[g][j] as f64))
                .collect()
        })
        .collect();
    (shares, means)
}

#[test]
fn the_svg_is_well_formed_with_the_requested_size() {
    let c = poisson();
    let svg = trajectory_svg(&c.fit, &c.panel, &PlotOptions::default()).unwrap();
    assert_well_formed(&svg);
    let root = tags(&svg, "svg")[0];
    assert_eq!(attr(root, "width"), Some("900"));
    assert_eq!(attr(root, "height"), Some("560"));
    let opts = PlotOptions::default().with_size(640, 480);
    let svg = trajectory_svg(&c.fit, &c.panel, &opts).unwrap();
    assert_well_formed(&svg);
    let root = tags(&svg, "svg")[0];
    assert_eq!(attr(root, "width"), Some("640"));
    assert_eq!(attr(root, "height"), Some("480"));
}

#[test]
fn one_curve_per_group_spanning_the_model_ages() {
    for c in [poisson(), zip()] {
        let svg = trajectory_svg(&c.fit, &c.panel, &PlotOptions::default()).unwrap();
        let k = c.fit.spec().groups();
        let ages = c.fit.ages().len();
        let curves: Vec<&str> = tags(&svg, "polyline")
            .into_iter()
            .filter(|t| points(t).len() >= ages)
            .collect();
        assert_eq!(curves.len(), k, "one long polyline per group");
        for (g, curve) in curves.iter().enumerate() {
            assert_eq!(attr(curve, "stroke"), Some(group_colour(g).as_str()));
        }
        // Distinct colours, and the x extent of every curve is the same.
        let colours: std::collections::BTreeSet<_> =
            curves.iter().map(|t| attr(t, "stroke")).collect();
        assert_eq!(colours.len(), k);
        let extent = |t: &str| {
            let p = points(t);
            (p[0].0, p[p.len() - 1].0)
        };
        assert!(curves.iter().all(|t| extent(t) == extent(curves[0])));
        // The curves go up where the fitted expected count does (SVG y grows
        // downwards).
        let rates = c.fit.rates();
        let omega = c.fit.zero_inflation();
        for (g, curve) in curves.iter().enumerate() {
            let p = points(curve);
            let mu = |t: usize| rates[[g, t]] * (1.0 - omega.as_ref().map_or(0.0, |o| o[[g, t]]));
            let (first, last) = (mu(0), mu(ages - 1));
            if (first - last).abs() > 0.1 * first.max(last) {
                assert_eq!(p[0].1 > p[p.len() - 1].1, last > first, "group {}", g + 1);
            }
        }
    }
}

#[test]
fn the_legend_gives_every_groups_estimated_and_assigned_share() {
    for c in [poisson(), zip()] {
        let svg = trajectory_svg(&c.fit, &c.panel, &PlotOptions::default()).unwrap();
        let (assigned, _) = observed_means(c);
        for (g, pi) in c.fit.params().pi.iter().enumerate() {
            let label = format!(
                "Group {}: {:.1}% (est.), {:.1}% assigned",
                g + 1,
                100.0 * pi,
                100.0 * assigned[g]
            );
            assert_eq!(svg.matches(&label).count(), 1, "{label}");
        }
        let k = c.fit.spec().groups();
        assert!(!svg.contains(&format!("Group {}:", k + 1)));
    }
}

#[test]
fn a_marker_per_group_and_observed_age_at_the_observed_mean() {
    for c in [poisson(), zip()] {
        let svg = trajectory_svg(&c.fit, &c.panel, &PlotOptions::default()).unwrap();
        let (_, means) = observed_means(c);
        let polygons = tags(&svg, "polygon");
        for (g, means) in means.iter().enumerate() {
            let colour = group_colour(g);
            let marks: Vec<(f64, f64)> = polygons
                .iter()
                .filter(|t| attr(t, "fill") == Some(colour.as_str()))
                .map(|t| {
                    let p = points(t);
                    let n = p.len() as f64;
                    (
                        p.iter().map(|q| q.0).sum::<f64>() / n,
                        p.iter().map(|q| q.1).sum::<f64>() / n,
                    )
                })
                .collect();
            let want: Vec<f64> = means.iter().flatten().copied().collect();
            // One marker per observed age, then the legend's.
            assert_eq!(marks.len(), want.len() + 1, "group {}", g + 1);
            let chart = &marks[..want.len()];
            assert!(chart.windows(2).all(|w| w[0].0 < w[1].0), "ordered by age");
            // Pixel height is an affine function of the mean: fit it on the
            // lowest and highest mean, check every other marker.
            let lo = (0..want.len())
                .min_by(|&a, &b| want[a].total_cmp(&want[b]))
                .unwrap();
            let hi = (0..want.len())
                .max_by(|&a, &b| want[a].total_cmp(&want[b]))
                .unwrap();
            assert!(want[hi] > want[lo]);
            let slope = (chart[hi].1 - chart[lo].1) / (want[hi] - want[lo]);
            assert!(slope < 0.0, "higher means are drawn higher");
            for (m, p) in want.iter().zip(chart) {
                let y = chart[lo].1 + slope * (m - want[lo]);
                assert!((p.1 - y).abs() <= 2.0, "group {}: mean {m} at {p:?}", g + 1);
            }
        }
    }
}

#[test]
fn observed_means_can_be_left_out() {
    let c = poisson();
    let opts = PlotOptions::default().with_observed(false);
    let svg = trajectory_svg(&c.fit, &c.panel, &opts).unwrap();
    assert_well_formed(&svg);
    assert!(tags(&svg, "polygon").is_empty());
    assert!(svg.contains("Group 1: "));
}

#[test]
fn axis_labels_say_what_is_drawn() {
    let p = poisson();
    let svg = trajectory_svg(&p.fit, &p.panel, &PlotOptions::default()).unwrap();
    assert!(svg.contains("Age (years)"));
    assert!(svg.contains("Expected cases per year, λ"));
    assert!(!svg.contains("ω"));
    assert!(svg.contains("3-group Poisson trajectories"));
    let z = zip();
    let svg = trajectory_svg(&z.fit, &z.panel, &PlotOptions::default()).unwrap();
    assert!(svg.contains("Expected cases per year, (1 − ω)·λ"));
    assert!(svg.contains("zero inflation included"));
}

#[test]
fn the_title_is_used_and_escaped() {
    let c = poisson();
    let opts = PlotOptions::default().with_title("Cohort <A> & B");
    let svg = trajectory_svg(&c.fit, &c.panel, &opts).unwrap();
    assert_well_formed(&svg);
    assert!(svg.contains("Cohort &lt;A&gt; &amp; B"));
}

#[test]
fn ages_outside_the_model_are_an_error() {
    let c = poisson();
    let counts = ndarray::array![[1.0, 0.0], [0.0, 2.0]];
    let older = Panel::from_arrays(counts.view(), &[35, 36], None).unwrap();
    let err = trajectory_svg(&c.fit, &older, &PlotOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
    assert!(err.to_string().contains("36"), "{err}");
    // A panel within the model's ages (a window of it) is fine.
    let young = c.panel.window(12, 20).unwrap();
    assert!(trajectory_svg(&c.fit, &young, &PlotOptions::default()).is_ok());
}

#[test]
fn sizes_too_small_are_an_error() {
    let c = poisson();
    for (width, height) in [(10, 560), (900, 20), (0, 0)] {
        let opts = PlotOptions::default().with_size(width, height);
        assert!(matches!(
            trajectory_svg(&c.fit, &c.panel, &opts),
            Err(Error::InvalidParameter { .. })
        ));
    }
}

#[test]
fn writing_goes_to_the_file_and_reports_io_errors() {
    let c = poisson();
    let dir = std::env::temp_dir().join(format!("gbtm-plot-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("traj.svg");
    let opts = PlotOptions::default();
    write_trajectory_svg(&c.fit, &c.panel, &opts, &path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, trajectory_svg(&c.fit, &c.panel, &opts).unwrap());
    let missing = dir.join("no-such-dir").join("traj.svg");
    let err = write_trajectory_svg(&c.fit, &c.panel, &opts, &missing).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_saved_and_loaded_model_plots_the_same() {
    let c = zip();
    let dir = std::env::temp_dir().join(format!("gbtm-plot-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.json");
    c.fit.save(&path).unwrap();
    let loaded = TrajectoryModel::load(&path).unwrap();
    let opts = PlotOptions::default();
    assert_eq!(
        trajectory_svg(&loaded, &c.panel, &opts).unwrap(),
        trajectory_svg(&c.fit, &c.panel, &opts).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_command_line_sets_the_size_and_refuses_a_picture_too_small() {
    let model = super::cli::temp("plot-size-model.json");
    let (data, m) = ("data-synthetic/three-groups.csv", model.to_str().unwrap());
    super::cli::ok(&super::cli::gbtm(&[
        "fit", "--data", data, "--groups", "2", "--order", "1", "--starts", "1", "--save", m,
    ]));
    let out = super::cli::temp("plot-size.svg");
    let o = out.to_str().unwrap();
    super::cli::ok(&super::cli::gbtm(&[
        "plot", "--model", m, "--data", data, "--out", o, "--width", "1600", "--height", "1200",
    ]));
    let svg = std::fs::read_to_string(&out).unwrap();
    let root = tags(&svg, "svg")[0];
    assert_eq!(
        (attr(root, "width"), attr(root, "height")),
        (Some("1600"), Some("1200"))
    );
    let (code, err) = super::cli::fails(&[
        "plot", "--model", m, "--data", data, "--out", o, "--width", "300",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("width"), "{err}");
}
