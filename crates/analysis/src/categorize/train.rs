//! Training the clause model: logistic regression per category over hashed sentence features,
//! fitted with AdaGrad and an L2 penalty, and decision thresholds chosen on held-out folds.
//!
//! Deterministic: the same examples give the same model, so a retrained model file differs only
//! when the data or the code changed.

use std::collections::HashMap;

use super::features::Feature;
use super::model::{CategoryHead, Model, sigmoid};

/// One training sentence.
#[derive(Debug, Clone)]
pub struct Example {
    /// Distinct feature buckets with their values.
    pub features: Vec<Feature>,
    /// Indices of the categories the sentence belongs to.
    pub positives: Vec<u8>,
    /// The document it comes from, for folds and document-level thresholds.
    pub document: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub epochs: usize,
    pub learning_rate: f32,
    /// L2 penalty per update, scaled by the learning rate.
    pub l2: f32,
    /// Starting value of AdaGrad's sum of squared gradients: large enough that a feature seen
    /// once moves little, so weights come from features that recur.
    pub initial_accumulator: f32,
    /// Upper bound on the weight of a positive example, for rare categories.
    pub max_positive_weight: f32,
    /// Weights kept per category, the largest in magnitude; the rest are dropped so the stored
    /// model stays small.
    pub keep_per_category: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            epochs: 6,
            learning_rate: 0.5,
            l2: 1e-4,
            initial_accumulator: 1.0,
            max_positive_weight: 8.0,
            keep_per_category: 4_000,
        }
    }
}

/// Fits one logistic regression per category on `examples`; thresholds start at 0.5.
pub fn fit(examples: &[Example], categories: &[String], options: &Options) -> Model {
    let count = categories.len();
    let index = feature_index(examples);
    let mut weights = vec![0f32; index.len() * count];
    let mut squares = vec![options.initial_accumulator; index.len() * count];
    let mut bias = vec![0f32; count];
    let mut bias_squares = vec![1e-6f32; count];
    let positive_weight = positive_weights(examples, count, options.max_positive_weight);

    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut rows: Vec<(usize, f32)> = Vec::new();
    let mut gradient = vec![0f32; count];
    for _ in 0..options.epochs {
        shuffle(&mut order, &mut seed);
        for &i in &order {
            let example = &examples[i];
            rows.clear();
            rows.extend(
                example
                    .features
                    .iter()
                    .map(|(bucket, value)| (index[bucket] as usize * count, *value)),
            );

            for c in 0..count {
                let sum: f32 = rows.iter().map(|&(r, v)| weights[r + c] * v).sum();
                let truth = example.positives.contains(&(c as u8));
                let error = sigmoid(sum + bias[c]) - if truth { 1.0 } else { 0.0 };
                gradient[c] = error * if truth { positive_weight[c] } else { 1.0 };
            }
            for c in 0..count {
                bias_squares[c] += gradient[c] * gradient[c];
                bias[c] -= options.learning_rate * gradient[c] / bias_squares[c].sqrt();
            }
            for &(r, v) in &rows {
                for c in 0..count {
                    let g = gradient[c] * v + options.l2 * weights[r + c];
                    squares[r + c] += g * g;
                    weights[r + c] -= options.learning_rate * g / squares[r + c].sqrt();
                }
            }
        }
    }
    assemble(
        categories,
        &index,
        &weights,
        &bias,
        options.keep_per_category,
    )
}

fn assemble(
    categories: &[String],
    index: &HashMap<u32, u32>,
    weights: &[f32],
    bias: &[f32],
    keep_per_category: usize,
) -> Model {
    let count = categories.len();
    let mut stored: HashMap<u32, Vec<(u8, f32)>> = HashMap::new();
    for c in 0..count {
        let mut column: Vec<(u32, f32)> = index
            .iter()
            .map(|(&bucket, &row)| (bucket, weights[row as usize * count + c]))
            .filter(|(_, w)| *w != 0.0)
            .collect();
        column.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        for (bucket, w) in column.into_iter().take(keep_per_category) {
            stored.entry(bucket).or_default().push((c as u8, w));
        }
    }
    for entries in stored.values_mut() {
        entries.sort_by_key(|&(c, _)| c);
    }
    let heads = categories
        .iter()
        .zip(bias)
        .map(|(id, &bias)| CategoryHead {
            id: id.clone(),
            bias,
            sentence_threshold: 0.5,
            document_threshold: 0.5,
        })
        .collect();
    Model {
        heads,
        weights: stored,
    }
}

fn feature_index(examples: &[Example]) -> HashMap<u32, u32> {
    let mut index = HashMap::new();
    for (feature, _) in examples.iter().flat_map(|e| &e.features) {
        let next = index.len() as u32;
        index.entry(*feature).or_insert(next);
    }
    index
}

/// Weight of a positive example per category: the square root of the negative-to-positive
/// ratio, capped, so rare categories are not drowned by the many negative sentences.
fn positive_weights(examples: &[Example], count: usize, cap: f32) -> Vec<f32> {
    let mut positives = vec![0usize; count];
    for c in examples.iter().flat_map(|e| &e.positives) {
        positives[usize::from(*c)] += 1;
    }
    positives
        .into_iter()
        .map(|p| {
            let negatives = examples.len().saturating_sub(p) as f32;
            (negatives / p.max(1) as f32).sqrt().clamp(1.0, cap)
        })
        .collect()
}

/// Fisher-Yates with a xorshift generator: deterministic, no dependency.
fn shuffle(order: &mut [usize], seed: &mut u64) {
    for i in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// A held-out prediction: the example's document, its truth and the model's probability.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub document: usize,
    pub truth: bool,
    pub probability: f32,
}

/// The threshold in `[low, high]` that maximises F1 over `scored`, or `high` when nothing is
/// positive.
pub fn best_threshold(scored: &[Scored], low: f32, high: f32) -> f32 {
    let mut best = (f32::MIN, high);
    let mut threshold = low;
    while threshold <= high + 1e-6 {
        let f1 = f1_at(scored, threshold);
        if f1 > best.0 {
            best = (f1, threshold);
        }
        threshold += 0.025;
    }
    best.1
}

fn f1_at(scored: &[Scored], threshold: f32) -> f32 {
    let (mut tp, mut fp, mut fn_) = (0f32, 0f32, 0f32);
    for s in scored {
        match (s.probability >= threshold, s.truth) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fn_)
    }
}

/// Per document, its best sentence's probability and whether the document holds the category.
pub fn by_document(scored: &[Scored], truth: impl Fn(usize) -> bool) -> Vec<Scored> {
    let mut best: HashMap<usize, f32> = HashMap::new();
    for s in scored {
        let entry = best.entry(s.document).or_insert(0.0);
        *entry = entry.max(s.probability);
    }
    let mut out: Vec<Scored> = best
        .into_iter()
        .map(|(document, probability)| Scored {
            document,
            truth: truth(document),
            probability,
        })
        .collect();
    out.sort_by_key(|s| s.document);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categorize::features::features;

    fn example(text: &str, positive: bool, document: usize) -> Example {
        Example {
            features: features(text, None),
            positives: if positive { vec![0] } else { vec![] },
            document,
        }
    }

    #[test]
    fn a_separable_category_is_learned_and_generalises_to_new_wording() {
        let mut examples = Vec::new();
        for i in 0..40 {
            examples.push(example(
                &format!("This Agreement shall be governed by the laws of State {i}."),
                true,
                i,
            ));
            examples.push(example(
                &format!("The Customer shall pay invoice {i} promptly."),
                false,
                i,
            ));
            examples.push(example(
                &format!("Notices go to address {i} in writing."),
                false,
                i,
            ));
        }
        // A toy set is small: more passes than the real data needs.
        let options = Options {
            epochs: 40,
            ..Options::default()
        };
        let model = fit(&examples, &["governing_law".into()], &options);
        let law = model.score(&features(
            "This contract is governed by the laws of Delaware.",
            None,
        ));
        let pay = model.score(&features("Customer shall pay each invoice.", None));
        assert!(law[0] > 0.5, "{law:?}");
        assert!(pay[0] < 0.5, "{pay:?}");
    }

    #[test]
    fn the_best_threshold_separates_held_out_scores() {
        let scored: Vec<Scored> = [(0.9, true), (0.7, true), (0.4, false), (0.2, false)]
            .into_iter()
            .enumerate()
            .map(|(document, (probability, truth))| Scored {
                document,
                truth,
                probability,
            })
            .collect();
        let t = best_threshold(&scored, 0.1, 0.9);
        assert!(t > 0.4 && t <= 0.7, "{t}");
    }
}
