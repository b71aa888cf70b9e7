//! Combining rankings: hybrid search fuses the keyword ranking and the semantic ranking of the
//! same passages by reciprocal rank fusion, which needs no calibration between the two scores
//! (a text-match rank and a cosine similarity are not comparable numbers).

use std::collections::HashMap;
use std::hash::Hash;

/// RRF's damping constant: ranks deep in a list still count, but the top few dominate.
pub const RRF_K: f64 = 60.0;

/// Fuses rankings (best first) of the same kind of item: each item scores
/// `Σ weight / (RRF_K + rank)` over the lists it appears in. Returns items best first, ties
/// broken by first appearance.
pub fn fuse<T: Clone + Eq + Hash>(rankings: &[(f64, &[T])]) -> Vec<(T, f64)> {
    let mut scores: HashMap<T, (f64, usize)> = HashMap::new();
    let mut order = 0;
    for (weight, ranking) in rankings {
        for (rank, item) in ranking.iter().enumerate() {
            let entry = scores.entry(item.clone()).or_insert_with(|| {
                order += 1;
                (0.0, order)
            });
            entry.0 += weight / (RRF_K + rank as f64 + 1.0);
        }
    }
    let mut fused: Vec<(T, f64, usize)> = scores.into_iter().map(|(t, (s, o))| (t, s, o)).collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    fused.into_iter().map(|(t, s, _)| (t, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_ranked_well_by_both_lists_beats_one_ranked_first_by_one() {
        let keyword = ["a", "b", "c"];
        let semantic = ["b", "d", "a"];
        let fused = fuse(&[(1.0, &keyword[..]), (1.0, &semantic[..])]);
        let order: Vec<&str> = fused.iter().map(|(t, _)| *t).collect();
        assert_eq!(order, ["b", "a", "d", "c"]);
    }
}
