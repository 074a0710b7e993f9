//! Model selection: BIC recovers the number of groups of a known cohort, the
//! order grid, model probabilities, adequacy flags, failed candidates, and
//! criterion parsing.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use gbtm::select::{
    CandidateResult, Criterion, Selection, adequacy_failures, order_grid, select,
    select_with_progress,
};
use gbtm::synth::{self, SimOptions};
use gbtm::{Error, Family, FitSummary, Gbtm, ModelSpec, Panel, Params};

/// The structure of the summaries below.
fn spec3() -> ModelSpec {
    ModelSpec::new(Family::Poisson, vec![2; 3], None).unwrap()
}

/// Adequacy failures as text.
fn texts(f: &[gbtm::select::AdequacyFailure]) -> Vec<String> {
    f.iter().map(|x| x.to_string()).collect()
}
use ndarray::Array2;

/// Four well-separated cubic groups on ages 12–35 (s = (age − 23.5)/11.5):
/// low (36%), early peak (28%), late peak (21%) and high chronic (15%);
/// 1,600 persons, 30% right-censored.
fn four_group_cohort() -> Panel {
    let spec = ModelSpec::new(Family::Poisson, vec![3; 4], None).unwrap();
    let params = Params {
        beta: vec![
            vec![-2.0, -0.5, -0.3, 0.0], // low: about 0.1 a year
            vec![0.6, -0.8, -1.5, 0.3],  // early peak near 17, ~1.7 a year
            vec![0.4, 0.9, -1.5, -0.3],  // late peak near 28, ~1.6 a year
            vec![1.3, 0.1, -0.4, 0.0],   // high chronic, ~3.7 a year
        ],
        gamma: None,
        pi: vec![0.36, 0.28, 0.21, 0.15],
        risk: None,
        tcov: None,
        alpha: None,
    };
    let opts = SimOptions {
        censored_share: 0.3,
        reduced_exposure_share: 0.0,
    };
    synth::simulate(
        &spec,
        &params,
        &synth::default_ages(),
        1600,
        20240611,
        &opts,
    )
    .unwrap()
    .panel
}

/// K = 1..=6 cubic Poisson candidates on the four-group cohort, selected by
/// BIC; computed once and shared by the tests that need it.
fn four_group_selection() -> &'static (Selection, usize) {
    static SEL: OnceLock<(Selection, usize)> = OnceLock::new();
    SEL.get_or_init(|| {
        let panel = four_group_cohort();
        let candidates: Vec<Gbtm> = (1..=6)
            .map(|k| Gbtm::poisson(k).order(3).starts(3).seed(1))
            .collect();
        let calls = AtomicUsize::new(0);
        let t0 = Instant::now();
        let sel = select_with_progress(&panel, &candidates, Criterion::Bic, &|| {
            calls.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
        println!(
            "select over K = 1..=6 took {:.1} s\n{}",
            t0.elapsed().as_secs_f64(),
            sel.to_text()
        );
        (sel, calls.into_inner())
    })
}

#[test]
fn bic_selects_the_four_true_groups() {
    let (sel, calls) = four_group_selection();
    assert_eq!(*calls, 6, "progress is called once per fit");
    assert_eq!(sel.criterion, Criterion::Bic);
    assert_eq!(sel.candidates.len(), 6);
    for (j, c) in sel.candidates.iter().enumerate() {
        assert_eq!(c.n_groups, j + 1, "rows keep candidate order");
        assert_eq!(c.orders, vec![3; j + 1]);
        assert!(c.fit.is_some(), "K = {} failed: {:?}", j + 1, c.error);
    }
    let best = sel.selected_candidate().expect("a model is selected");
    assert_eq!(best.n_groups, 4, "\n{}", sel.to_text());
    assert_eq!(sel.selected, Some(3));
    // The selected fit is kept: no refit needed for posteriors.
    let kept = sel.selected_fit.as_ref().expect("the selected fit is kept");
    assert_eq!(kept.model().groups(), 4);
    assert_eq!(kept.summary(), *best.fit.as_ref().unwrap());
    // Each K nests the best K − 1 fit, so LL never falls as K grows.
    let ll: Vec<f64> = sel
        .candidates
        .iter()
        .map(|c| c.fit.as_ref().unwrap().log_likelihood)
        .collect();
    for w in ll.windows(2) {
        assert!(w[1] >= w[0] - 1e-6, "LL fell with K: {ll:?}");
    }
    // The selected model has the best BIC of all converged candidates.
    let bic = best.fit.as_ref().unwrap().bic;
    for c in &sel.candidates {
        let f = c.fit.as_ref().unwrap();
        if f.converged {
            assert!(f.bic <= bic);
        }
    }
    // The true model is well separated, so it is adequate too.
    assert!(best.adequate, "{:?}", best.adequacy_failures);
    assert!(best.min_avepp.unwrap() > 0.9);
    assert!((0.1..0.2).contains(&best.smallest_share.unwrap()));
    let text = sel.to_text();
    assert!(
        text.contains("selected: 4 groups, orders 3,3,3,3"),
        "{text}"
    );
    assert!(text.contains("BIC (persons)"));
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line:?}");
    }
    let marked: Vec<&str> = text.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].starts_with("*4 "), "{marked:?}");
}

#[test]
fn selection_json_has_the_cli_shape() {
    let (sel, _) = four_group_selection();
    let json = serde_json::to_value(sel).unwrap();
    let obj = json.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["candidates", "criterion", "selected"]);
    assert_eq!(json["criterion"], "bic");
    assert_eq!(json["selected"], 3);
    let cands = json["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 6);
    for (j, c) in cands.iter().enumerate() {
        assert_eq!(c["n_groups"], j + 1);
        assert!(c["log_likelihood"].is_f64());
        assert!(c["bic"].is_f64());
        assert!(c["bic_observations"].is_f64());
        assert!(c["model_probability"].is_f64());
        // The fit report's fields, flattened: `groups` is the per-group array.
        assert_eq!(c["groups"].as_array().unwrap().len(), j + 1);
        assert!(c["groups"][0]["avepp"].is_f64());
        assert_eq!(c["model"], "poisson");
        assert!(c["error"].is_null());
        assert!(c["adequate"].is_boolean());
        assert!(c["adequacy_failures"].is_array());
    }
    // The candidate objects carry exactly the fit report's fields, plus ours.
    let summary = serde_json::to_value(sel.candidates[3].fit.as_ref().unwrap()).unwrap();
    for key in summary.as_object().unwrap().keys() {
        assert_eq!(cands[3][key], summary[key], "field {key}");
    }
    // And it reads back (the kept fit is not part of the JSON).
    let back: Selection = serde_json::from_value(json).unwrap();
    assert_eq!(back.candidates, sel.candidates);
    assert!(back.selected_fit.is_none());
}

#[test]
fn model_probabilities_sum_to_one_and_peak_at_the_selected() {
    let (sel, _) = four_group_selection();
    let probs: Vec<f64> = sel
        .candidates
        .iter()
        .map(|c| c.model_probability.unwrap())
        .collect();
    let total: f64 = probs.iter().sum();
    assert!((total - 1.0).abs() < 1e-12, "{probs:?}");
    assert!(probs.iter().all(|p| (0.0..=1.0).contains(p)));
    let best = sel.selected.unwrap();
    for (j, p) in probs.iter().enumerate() {
        if j != best {
            assert!(*p < probs[best], "{probs:?}");
        }
    }
    // exp(BIC_j − BIC_max) / Σ: the ratio of two probabilities is exp(ΔBIC).
    let b = |j: usize| sel.candidates[j].fit.as_ref().unwrap().bic;
    let j = if best == 4 { 5 } else { 4 };
    let want = (b(j) - b(best)).exp();
    assert!((probs[j] / probs[best] - want).abs() <= 1e-9 * want.max(1e-300));
    // Re-ranking by AIC without refitting changes the probabilities only.
    let aic = Selection::new(sel.candidates.clone(), Criterion::Aic);
    let total: f64 = aic
        .candidates
        .iter()
        .filter_map(|c| c.model_probability)
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
    let best_aic = aic.selected.unwrap();
    let a = |j: usize| aic.candidates[j].fit.as_ref().unwrap().aic;
    assert!((0..6).all(|j| a(j) <= a(best_aic)));
}

#[test]
fn order_grid_lists_each_multiset_once() {
    let grid = order_grid(3, 1..=3);
    assert_eq!(grid.len(), 10);
    let mut distinct = grid.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10, "{grid:?}");
    for o in &grid {
        assert_eq!(o.len(), 3);
        assert!(
            o.windows(2).all(|w| w[0] >= w[1]),
            "{o:?} is not non-increasing"
        );
        assert!(o.iter().all(|x| (1..=3).contains(x)));
    }
    // Simpler candidates (fewer parameters) first.
    assert!(
        grid.windows(2)
            .all(|w| w[0].iter().sum::<usize>() <= w[1].iter().sum::<usize>())
    );
    assert_eq!(grid[0], vec![1, 1, 1]);
    assert_eq!(grid[9], vec![3, 3, 3]);
    assert_eq!(
        order_grid(2, 1..=2),
        vec![vec![1, 1], vec![2, 1], vec![2, 2]]
    );
    // C(K + m − 1, K) in general.
    let binom = |n: usize, k: usize| (0..k).fold(1usize, |acc, i| acc * (n - i) / (i + 1));
    for k in 1..=5 {
        for hi in 0..=5 {
            assert_eq!(
                order_grid(k, 0..=hi).len(),
                binom(k + hi, k),
                "K={k} m={}",
                hi + 1
            );
        }
    }
    assert!(order_grid(0, 1..=3).is_empty());
    #[allow(clippy::reversed_empty_ranges)]
    let empty = order_grid(2, 3..=1);
    assert!(empty.is_empty());
}

/// A small three-group fit whose summary the adequacy tests modify; its
/// diagnostics are first set to clearly adequate values.
fn adequate_summary() -> FitSummary {
    let cohort = synth::three_groups(600, 7);
    let fit = Gbtm::poisson(3)
        .order(2)
        .starts(2)
        .seed(1)
        .fit(&cohort.panel)
        .unwrap();
    let mut s = fit.summary();
    s.n_persons = 600;
    for (g, p) in [0.5, 0.3, 0.2].into_iter().enumerate() {
        s.groups[g].proportion = p;
        s.groups[g].assigned_share = p + 0.01;
        s.groups[g].avepp = 0.95;
        s.groups[g].occ = 20.0;
    }
    s
}

#[test]
fn adequacy_flags_name_the_broken_rule() {
    let base = adequate_summary();
    assert!(adequacy_failures(&base).is_empty());
    let row = CandidateResult::new(&spec3(), base.clone());
    assert!(row.adequate && row.adequacy_failures.is_empty());
    assert_eq!(row.min_avepp, Some(0.95));
    assert_eq!(row.smallest_share, Some(0.2));

    // AvePP below 0.7 (its OCC stays above 5 here).
    let mut s = base.clone();
    s.groups[1].avepp = 0.6;
    let row = CandidateResult::new(&spec3(), s);
    assert!(!row.adequate);
    assert_eq!(
        texts(&row.adequacy_failures),
        ["group 2: AvePP 0.600 < 0.7"]
    );
    assert_eq!(row.min_avepp, Some(0.6));

    // AvePP exactly 0.7 passes (≥); OCC exactly 5 fails (>).
    let mut s = base.clone();
    s.groups[0].avepp = 0.7;
    s.groups[2].occ = 5.0;
    assert_eq!(texts(&adequacy_failures(&s)), ["group 3: OCC 5.00 ≤ 5"]);

    // Estimated and assigned shares more than 0.05 apart.
    let mut s = base.clone();
    s.groups[0].assigned_share = 0.44;
    let f = adequacy_failures(&s);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].to_string()
            .starts_with("group 1: estimated share 0.500 and assigned share 0.440")
    );
    s.groups[0].assigned_share = 0.46;
    assert!(adequacy_failures(&s).is_empty(), "a gap of 0.04 passes");

    // A small group: below 5% and below 30 persons.
    let mut s = base.clone();
    s.groups[2].proportion = 0.04;
    s.groups[2].assigned_share = 0.04;
    let f = texts(&adequacy_failures(&s));
    assert_eq!(
        f,
        [
            "group 3: π̂·N = 24.0 persons < 30",
            "group 3: estimated share 0.040 < 0.05"
        ]
    );
    // 6% of 400 is 24 persons: enough share, too few persons.
    s.groups[2].proportion = 0.06;
    s.groups[2].assigned_share = 0.06;
    s.n_persons = 400;
    assert_eq!(
        texts(&adequacy_failures(&s)),
        ["group 3: π̂·N = 24.0 persons < 30"]
    );

    // With one group AvePP and OCC are not checked.
    let mut s = base.clone();
    s.groups.truncate(1);
    s.groups[0].proportion = 1.0;
    s.groups[0].assigned_share = 1.0;
    s.groups[0].occ = 1.0;
    assert!(adequacy_failures(&s).is_empty());

    // The selected model's failures appear in the text report.
    let mut s = base.clone();
    s.groups[1].avepp = 0.6;
    s.bic += 1000.0; // make it the best
    let sel = Selection::new(
        vec![
            CandidateResult::new(&spec3(), base.clone()),
            CandidateResult::new(&spec3(), s),
        ],
        Criterion::Bic,
    );
    assert_eq!(sel.selected, Some(1), "adequacy is reported, not enforced");
    let text = sel.to_text();
    assert!(text.contains("NOT adequate"), "{text}");
    assert!(text.contains("group 2: AvePP 0.600 < 0.7"), "{text}");
}

#[test]
fn ties_go_to_the_first_and_unconverged_fits_are_not_selected() {
    let base = adequate_summary();
    let sel = Selection::new(
        vec![
            CandidateResult::new(&spec3(), base.clone()),
            CandidateResult::new(&spec3(), base.clone()),
        ],
        Criterion::Bic,
    );
    assert_eq!(sel.selected, Some(0));
    assert_eq!(sel.candidates[0].model_probability, Some(0.5));
    assert_eq!(sel.candidates[1].model_probability, Some(0.5));

    let mut unconverged = base.clone();
    unconverged.converged = false;
    unconverged.bic += 100.0;
    let sel = Selection::new(
        vec![
            CandidateResult::new(&spec3(), unconverged.clone()),
            CandidateResult::new(&spec3(), base.clone()),
        ],
        Criterion::Bic,
    );
    assert_eq!(sel.selected, Some(1));
    assert_eq!(sel.candidates[0].model_probability, None);
    assert_eq!(sel.candidates[1].model_probability, Some(1.0));

    let sel = Selection::new(
        vec![CandidateResult::new(&spec3(), unconverged)],
        Criterion::Bic,
    );
    assert_eq!(sel.selected, None);
    assert!(sel.to_text().contains("no model selected"));
    assert_eq!(
        serde_json::to_value(&sel).unwrap()["selected"],
        serde_json::Value::Null
    );
}

#[test]
fn degenerate_candidates_become_failed_rows() {
    // Nobody ever offends: every Poisson rate runs to 0.
    let counts = Array2::<f64>::zeros((40, 6));
    let panel = Panel::from_arrays(counts.view(), &[12, 13, 14, 15, 16, 17], None).unwrap();
    let candidates = [
        Gbtm::poisson(1).order(0),
        Gbtm::poisson(2).order(1).starts(2),
    ];
    let calls = AtomicUsize::new(0);
    let sel = select_with_progress(&panel, &candidates, Criterion::Bic, &|| {
        calls.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(calls.into_inner(), 2);
    assert_eq!(sel.selected, None);
    for (c, k) in sel.candidates.iter().zip([1, 2]) {
        assert!(c.fit.is_none());
        assert_eq!(c.n_groups, k);
        assert!(!c.adequate);
        assert!(c.model_probability.is_none());
        assert!(
            c.error.as_deref().unwrap().contains("no usable solution"),
            "{:?}",
            c.error
        );
    }
    let text = sel.to_text();
    assert!(text.contains("failed"), "{text}");
    assert!(text.contains("no model selected"), "{text}");
    let json = serde_json::to_value(&sel).unwrap();
    assert!(json["candidates"][0]["log_likelihood"].is_null());
    assert!(json["candidates"][0]["error"].is_string());
    let back: Selection = serde_json::from_value(json).unwrap();
    assert_eq!(back.candidates, sel.candidates);
    assert_eq!(back.selected, sel.selected);
}

#[test]
fn bad_candidates_are_errors_before_any_fit() {
    let cohort = synth::three_groups(40, 3);
    let calls = AtomicUsize::new(0);
    let progress = || {
        calls.fetch_add(1, Ordering::Relaxed);
    };
    let candidates = [Gbtm::poisson(1).order(2), Gbtm::poisson(45).order(2)];
    let err =
        select_with_progress(&cohort.panel, &candidates, Criterion::Bic, &progress).unwrap_err();
    assert!(
        matches!(err, Error::TooManyGroups { groups: 45, .. }),
        "{err}"
    );
    let candidates = [Gbtm::poisson(2).orders(vec![3])];
    let err =
        select_with_progress(&cohort.panel, &candidates, Criterion::Bic, &progress).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
    assert_eq!(calls.load(Ordering::Relaxed), 0, "no fit ran");
    // Errors that only the fit finds are returned too.
    let candidates = [Gbtm::poisson(1).order(2).starts(0)];
    let err =
        select_with_progress(&cohort.panel, &candidates, Criterion::Bic, &progress).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { ref name, .. } if name == "starts"));
    let err = select_with_progress(&cohort.panel, &[], Criterion::Bic, &progress).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { ref name, .. } if name == "candidates"));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let cohort = synth::three_groups(400, 11);
    let candidates: Vec<Gbtm> = (1..=3)
        .map(|k| Gbtm::poisson(k).order(2).starts(2).seed(3))
        .collect();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| select(&cohort.panel, &candidates, Criterion::Bic).unwrap())
    };
    let one = serde_json::to_string(&run(1)).unwrap();
    let three = serde_json::to_string(&run(3)).unwrap();
    assert_eq!(one, three);
}

#[test]
fn criterion_names_parse_and_print() {
    for (name, c) in [
        ("bic", Criterion::Bic),
        ("BIC", Criterion::Bic),
        ("bic-observations", Criterion::BicObservations),
        ("bic_observations", Criterion::BicObservations),
        ("aic", Criterion::Aic),
    ] {
        assert_eq!(name.parse::<Criterion>().unwrap(), c, "{name}");
    }
    for c in Criterion::ALL {
        assert_eq!(c.to_string().parse::<Criterion>().unwrap(), c);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{c}\""));
        assert_eq!(serde_json::from_str::<Criterion>(&json).unwrap(), c);
    }
    for bad in ["dic", "", "bic-persons", "bicobservations"] {
        match bad.parse::<Criterion>() {
            Err(Error::InvalidParameter { name, message }) => {
                assert_eq!(name, "criterion");
                assert!(message.contains("bic-observations"), "{message}");
            }
            other => panic!("{bad:?} parsed as {other:?}"),
        }
    }
    assert!(serde_json::from_str::<Criterion>("\"dic\"").is_err());
}
