//! The grid of per-group polynomial orders.

use std::ops::RangeInclusive;

/// Every combination of per-group polynomial orders for `groups` groups with
/// orders in `orders`, each listed once as a non-increasing vector.
///
/// Groups are exchangeable (the labels are arbitrary), so orders `[3, 1]` and
/// `[1, 3]` are the same model; the grid lists multisets, of which there are
/// C(K + m − 1, K) for m possible orders (K = 3 groups over orders 0–3: 20
/// fits; K = 4 over 1–3: 15; K = 5 over 0–5: 252). The vectors come sorted by
/// total order (that is, by number of parameters) and then
/// lexicographically, so that the simpler of two candidates with equal
/// criterion values comes first, and [`select`](crate::select::select) picks the first of a tie.
/// `groups == 0` or an empty range gives an empty grid.
///
/// **Why a grid, and not traj's step-down routine.** The routine usually
/// taught with traj starts every group at cubic and drops top terms that are
/// not significant, refitting until all are. gbtm does not use it, because:
///
/// - it needs standard errors and Wald tests, which gbtm does not yet
///   compute; the grid needs only log-likelihoods;
/// - its result depends on the path (which term to drop first, at which
///   significance level) and on borderline tests; the grid is
///   deterministic, a pure function of the candidates;
/// - BIC compares every candidate on one scale, so the grid finds the best
///   BIC among all combinations, not just along one path of nested models.
///
/// The price is more fits: C(K + m − 1, K) instead of at most K·(m − 1)
/// steps. They run in parallel in [`select`](crate::select::select), and for the usual K ≤ 5 and
/// orders 1–3 it is at most 21 fits.
///
/// ```
/// use gbtm::select::order_grid;
/// assert_eq!(order_grid(2, 1..=2), vec![vec![1, 1], vec![2, 1], vec![2, 2]]);
/// assert_eq!(order_grid(3, 1..=3).len(), 10); // C(5, 3)
/// assert_eq!(order_grid(1, 0..=3), vec![vec![0], vec![1], vec![2], vec![3]]);
/// assert!(order_grid(0, 1..=3).is_empty());
/// ```
pub fn order_grid(groups: usize, orders: RangeInclusive<usize>) -> Vec<Vec<usize>> {
    fn extend(
        prefix: &mut Vec<usize>,
        groups: usize,
        lo: usize,
        hi: usize,
        out: &mut Vec<Vec<usize>>,
    ) {
        if prefix.len() == groups {
            out.push(prefix.clone());
            return;
        }
        for o in lo..=hi {
            prefix.push(o);
            extend(prefix, groups, lo, o, out);
            prefix.pop();
        }
    }
    let (lo, hi) = (*orders.start(), *orders.end());
    let mut out = Vec::new();
    if groups == 0 || lo > hi {
        return out;
    }
    extend(&mut Vec::with_capacity(groups), groups, lo, hi, &mut out);
    out.sort_by(|a, b| {
        a.iter()
            .sum::<usize>()
            .cmp(&b.iter().sum::<usize>())
            .then_with(|| a.cmp(b))
    });
    out
}

/// The number of vectors [`order_grid`] lists, C(K + m − 1, K) for m orders,
/// computed without listing them (saturating at `u128::MAX`).
///
/// ```
/// use gbtm::select::order_grid_len;
/// assert_eq!(order_grid_len(3, 1..=3), 10);
/// assert_eq!(order_grid_len(60, 0..=5), 8_259_888);
/// assert_eq!(order_grid_len(0, 1..=3), 0);
/// ```
pub fn order_grid_len(groups: usize, orders: RangeInclusive<usize>) -> u128 {
    let (lo, hi) = (*orders.start(), *orders.end());
    if groups == 0 || lo > hi {
        return 0;
    }
    let m = (hi - lo + 1) as u128;
    // C(K + m − 1, m − 1), built up exactly: each partial product is a
    // binomial coefficient, so the division is exact.
    let mut c: u128 = 1;
    for i in 1..m {
        c = match c.checked_mul(groups as u128 + i) {
            Some(v) => v / i,
            None => return u128::MAX,
        };
    }
    c
}

/// The most candidate models a selection may fit: [`order_grid_len`]
/// tells beforehand whether a grid of orders stays under it.
///
/// ```
/// use gbtm::select::{order_grid_len, MAX_CANDIDATES};
/// // Seven groups with orders 0..=5 each: 792 candidates, allowed.
/// assert!(order_grid_len(7, 0..=5) <= MAX_CANDIDATES);
/// assert!(order_grid_len(20, 0..=5) > MAX_CANDIDATES);
/// ```
pub const MAX_CANDIDATES: u128 = 10_000;
