//! The adjusted Rand index and the matching of groups: known values, pair
//! counting, brute force over permutations, renumbered groups, bad input.

use crate::engine::permutations;
use gbtm::Error;
use gbtm::select::{adjusted_rand_index, match_groups};

/// A small deterministic generator (64-bit LCG) for random partitions.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The ARI from pairs of persons counted one by one (O(n²)), independently
/// of the contingency table.
fn ari_by_pairs(a: &[usize], b: &[usize]) -> f64 {
    let (mut both, mut in_a, mut in_b, mut all) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..a.len() {
        for j in i + 1..a.len() {
            let (sa, sb) = (a[i] == a[j], b[i] == b[j]);
            both += (sa && sb) as u8 as f64;
            in_a += sa as u8 as f64;
            in_b += sb as u8 as f64;
            all += 1.0;
        }
    }
    let expected = in_a * in_b / all;
    (both - expected) / ((in_a + in_b) / 2.0 - expected)
}

#[test]
fn ari_known_values() {
    let ari = |a: &[usize], b: &[usize]| adjusted_rand_index(a, b).unwrap();
    // Identical partitions, also under other label names.
    assert_eq!(ari(&[0, 0, 1, 1, 2], &[0, 0, 1, 1, 2]), 1.0);
    assert_eq!(ari(&[0, 0, 1, 1, 2], &[7, 7, 3, 3, 0]), 1.0);
    // By hand: cells 2,1,1,2 give Σ C(n_ij, 2) = 2; rows 3,3 give 6;
    // columns 2,2,2 give 3; C(6, 2) = 15; E = 18/15; max 4.5.
    let v = ari(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
    assert!((v - 8.0 / 33.0).abs() < 1e-15, "{v}");
    // Index 1, E = 1/3, max 1.5: (2/3)/(7/6) = 4/7.
    let v = ari(&[0, 0, 1, 2], &[0, 0, 1, 1]);
    assert!((v - 4.0 / 7.0).abs() < 1e-15, "{v}");
    // Below chance.
    assert_eq!(ari(&[0, 0, 1, 1], &[0, 1, 0, 1]), -0.5);
    // One group against a split: no agreement beyond chance.
    assert_eq!(ari(&[0, 0, 0, 0], &[0, 0, 1, 1]), 0.0);
    // Both one group, both singletons, one person: the same partition.
    assert_eq!(ari(&[4, 4, 4], &[1, 1, 1]), 1.0);
    assert_eq!(ari(&[0, 1, 2], &[2, 0, 1]), 1.0);
    assert_eq!(ari(&[3], &[0]), 1.0);
}

#[test]
fn ari_is_symmetric_label_free_and_equal_to_pair_counting() {
    let mut rng = Lcg(20240611);
    for round in 0..40 {
        let n = 5 + rng.below(60);
        let (ka, kb) = (1 + rng.below(5), 1 + rng.below(5));
        let a: Vec<usize> = (0..n).map(|_| rng.below(ka)).collect();
        // b agrees with a for most persons in some rounds.
        let b: Vec<usize> = a
            .iter()
            .map(|&g| {
                if round % 2 == 0 && rng.below(4) > 0 {
                    g % kb
                } else {
                    rng.below(kb)
                }
            })
            .collect();
        let v = adjusted_rand_index(&a, &b).unwrap();
        let direct = ari_by_pairs(&a, &b);
        if direct.is_finite() {
            assert!((v - direct).abs() < 1e-12, "round {round}: {v} vs {direct}");
        } else {
            assert_eq!(v, 1.0, "round {round}: a trivial pair of partitions");
        }
        assert_eq!(v, adjusted_rand_index(&b, &a).unwrap());
        // Renaming the labels (a permutation, and a shift) changes nothing.
        let renamed: Vec<usize> = b.iter().map(|&g| (kb - 1 - g) * 3 + 10).collect();
        assert_eq!(v, adjusted_rand_index(&a, &renamed).unwrap());
    }
}

#[test]
fn matching_is_the_best_of_every_permutation() {
    let mut rng = Lcg(7);
    for k in 1..=6 {
        for _ in 0..5 {
            let n = 30 + rng.below(100);
            let a: Vec<usize> = (0..n).map(|_| rng.below(k)).collect();
            let shuffle = permutations(k).swap_remove(rng.below((1..=k).product()));
            // Mostly the same groups under other numbers, with noise.
            let b: Vec<usize> = a
                .iter()
                .map(|&g| {
                    if rng.below(3) == 0 {
                        rng.below(k)
                    } else {
                        shuffle[g]
                    }
                })
                .collect();
            let m = match_groups(&a, &b).unwrap();
            let kb = b.iter().max().unwrap() + 1;
            let ka = a.iter().max().unwrap() + 1;
            let size = ka.max(kb);
            let best = permutations(size)
                .iter()
                .map(|p| a.iter().zip(&b).filter(|(x, y)| p[**x] == **y).count())
                .max()
                .unwrap();
            assert_eq!(m.agreeing, best, "k = {k}");
            // The matching it reports gives the count it reports.
            let got = a
                .iter()
                .zip(&b)
                .filter(|(x, y)| m.matched[**x] == Some(**y))
                .count();
            assert_eq!(got, m.agreeing);
            assert_eq!(m.share, best as f64 / n as f64);
            // One to one.
            let mut used: Vec<usize> = m.matched.iter().flatten().copied().collect();
            used.sort_unstable();
            used.dedup();
            assert_eq!(used.len(), m.matched.iter().flatten().count());
        }
    }
}

#[test]
fn matching_follows_renumbered_groups_and_leaves_surplus_groups_out() {
    // The second partition numbers the groups 2, 0, 1 and moves one person.
    let a = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    let b = [2, 2, 2, 2, 0, 0, 1, 1, 1, 1];
    let m = match_groups(&a, &b).unwrap();
    assert_eq!(m.matched, vec![Some(2), Some(0), Some(1)]);
    assert_eq!((m.agreeing, m.share), (9, 0.9));
    // Three groups against two: the smallest left over.
    let m = match_groups(&[0, 0, 0, 1, 1, 2], &[1, 1, 1, 0, 0, 0]).unwrap();
    assert_eq!(m.matched, vec![Some(1), Some(0), None]);
    assert_eq!(m.agreeing, 5);
    // An empty group of the second side (index 1 unused) is still a group.
    let m = match_groups(&[0, 1], &[2, 0]).unwrap();
    assert_eq!(m.matched, vec![Some(2), Some(0)]);
}

#[test]
fn agreement_functions_reject_bad_input() {
    for r in [
        adjusted_rand_index(&[0, 1], &[0]).map(|_| ()),
        adjusted_rand_index(&[], &[]).map(|_| ()),
        match_groups(&[0], &[0, 1]).map(|_| ()),
        match_groups(&[], &[]).map(|_| ()),
        match_groups(&[0, 50], &[0, 1]).map(|_| ()),
    ] {
        assert!(
            matches!(&r, Err(Error::InvalidParameter { name, .. }) if name == "partitions"),
            "{r:?}"
        );
    }
}
