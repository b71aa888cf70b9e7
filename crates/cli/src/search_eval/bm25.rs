//! The reference ranking: Okapi BM25 (k1 = 1.2, b = 0.75, the usual defaults) over lower-cased
//! words without English stop words, the ranking a plain search engine would give.

use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Words too common to rank by.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

pub struct Index {
    /// Per document, its term frequencies.
    documents: Vec<HashMap<String, u32>>,
    lengths: Vec<f64>,
    average_length: f64,
    /// Documents holding each term.
    frequency: HashMap<String, u32>,
}

fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    lucidity_analysis::text::word_list(text)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
}

impl Index {
    pub fn new<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut documents = Vec::new();
        let mut lengths = Vec::new();
        let mut frequency: HashMap<String, u32> = HashMap::new();
        for text in texts {
            let mut counts: HashMap<String, u32> = HashMap::new();
            let mut length = 0;
            for term in terms(text) {
                *counts.entry(term).or_default() += 1;
                length += 1;
            }
            for term in counts.keys() {
                *frequency.entry(term.clone()).or_default() += 1;
            }
            documents.push(counts);
            lengths.push(f64::from(length));
        }
        let average_length = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
        Self {
            documents,
            lengths,
            average_length,
            frequency,
        }
    }

    /// The indices of the `depth` best documents for `query`, best first.
    pub fn rank(&self, query: &str, depth: usize) -> Vec<usize> {
        let query: Vec<String> = terms(query).collect();
        let total = self.documents.len() as f64;
        let mut scored: Vec<(usize, f64)> = self
            .documents
            .iter()
            .enumerate()
            .map(|(i, counts)| {
                let norm = K1 * (1.0 - B + B * self.lengths[i] / self.average_length.max(1.0));
                let score = query
                    .iter()
                    .filter_map(|term| {
                        let tf = f64::from(*counts.get(term)?);
                        let df = f64::from(*self.frequency.get(term)?);
                        let idf = ((total - df + 0.5) / (df + 0.5) + 1.0).ln();
                        Some(idf * tf * (K1 + 1.0) / (tf + norm))
                    })
                    .sum::<f64>();
                (i, score)
            })
            .filter(|(_, score)| *score > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().take(depth).map(|(i, _)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_with_the_rarer_query_word_rank_first() {
        let index = Index::new(
            [
                "the licensee shall pay royalties",
                "the licensee shall indemnify the licensor",
                "governing law of new york",
            ]
            .into_iter(),
        );
        assert_eq!(index.rank("indemnify licensee", 3), [1, 0]);
        assert!(index.rank("weather", 3).is_empty());
    }
}
