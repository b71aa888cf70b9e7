//! Counting agreement between predictions and labels: precision, recall and F1, and the CUAD
//! span-matching rule.

use std::collections::HashSet;

use serde_json::{Value, json};

/// True positives, false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// Whether there was anything to count: a category neither labelled nor predicted has no
    /// F1 and is left out of macro averages.
    pub fn is_empty(&self) -> bool {
        self.tp + self.fp + self.fn_ == 0
    }

    pub fn to_json(&self) -> Value {
        json!({
            "precision": round(self.precision()),
            "recall": round(self.recall()),
            "f1": round(self.f1()),
            "tp": self.tp, "fp": self.fp, "fn": self.fn_,
        })
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Four decimals: enough to compare runs, short enough to read.
pub fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Micro and macro averages over per-category counts.
pub fn summary<'a>(per_category: impl Iterator<Item = &'a Counts> + Clone) -> Value {
    let mut total = Counts::default();
    per_category.clone().for_each(|c| total.add(*c));
    let counted: Vec<f64> = per_category
        .filter(|c| !c.is_empty())
        .map(Counts::f1)
        .collect();
    let macro_f1 = counted.iter().sum::<f64>() / counted.len().max(1) as f64;
    json!({
        "precision": round(total.precision()),
        "recall": round(total.recall()),
        "micro_f1": round(total.f1()),
        "macro_f1": round(macro_f1),
    })
}

/// The distinct words of a text as the CUAD rule counts them.
pub fn word_set(text: &str) -> HashSet<String> {
    crate::text::word_list(text).into_iter().collect()
}

pub fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Lowest word-set overlap at which a prediction answers a label.
pub const MATCH_JACCARD: f64 = 0.5;

/// Matches labels to predictions one-to-one, greedily by overlap, where the overlap is at least
/// [`MATCH_JACCARD`].
pub fn match_spans(labels: &[HashSet<String>], predictions: &[HashSet<String>]) -> Counts {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (l, label) in labels.iter().enumerate() {
        for (p, prediction) in predictions.iter().enumerate() {
            let overlap = jaccard(label, prediction);
            if overlap >= MATCH_JACCARD {
                pairs.push((overlap, l, p));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut used_labels = vec![false; labels.len()];
    let mut used_predictions = vec![false; predictions.len()];
    let mut tp = 0;
    for (_, l, p) in pairs {
        if !used_labels[l] && !used_predictions[p] {
            used_labels[l] = true;
            used_predictions[p] = true;
            tp += 1;
        }
    }
    Counts {
        tp,
        fp: predictions.len() - tp,
        fn_: labels.len() - tp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_label_matches_at_most_one_prediction_by_word_overlap() {
        let labels = [word_set("Neither party may assign this Agreement.")];
        let predictions = [
            word_set("neither party may assign this agreement without consent"),
            word_set("Neither party may assign this Agreement"),
            word_set("The fees are due monthly."),
        ];
        let counts = match_spans(&labels, &predictions);
        assert_eq!(
            counts,
            Counts {
                tp: 1,
                fp: 2,
                fn_: 0
            }
        );
    }

    #[test]
    fn an_overlap_below_one_half_is_no_match() {
        let labels = [word_set("a b c d")];
        let predictions = [word_set("a b x y z")];
        assert_eq!(match_spans(&labels, &predictions).tp, 0);
    }

    #[test]
    fn macro_averages_leave_out_categories_with_nothing_to_count() {
        let counts = [
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0,
            },
            Counts {
                tp: 0,
                fp: 1,
                fn_: 1,
            },
            Counts::default(),
        ];
        let summary = summary(counts.iter());
        assert_eq!(summary["macro_f1"], 0.5);
        assert_eq!(summary["micro_f1"], round(2.0 / 4.0));
    }
}
