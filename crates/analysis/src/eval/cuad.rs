//! CUAD: clause labels for 41 categories. Loads a split in the layout of the development data
//! (`manifest.jsonl`, `labels.jsonl`, `contracts/<doc_id>.txt`) and scores predictions for
//! presence (does the category occur in the contract) and spans (the CUAD word-overlap rule).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use super::metrics::{self, Counts};
use crate::span::Span;
use crate::taxonomy::{CATEGORIES, CUAD_CATEGORY_COUNT};

/// One contract with its labels.
#[derive(Debug, Clone)]
pub struct Contract {
    pub id: String,
    pub text: String,
    /// Per CUAD category name: the labelled clauses, each a list of byte spans (its segments).
    pub labels: BTreeMap<String, Vec<Vec<Span>>>,
}

impl Contract {
    /// Whether the contract holds the category.
    pub fn has(&self, category: &str) -> bool {
        self.labels.get(category).is_some_and(|c| !c.is_empty())
    }
}

#[derive(Deserialize)]
struct LabelLine {
    doc_id: String,
    category: String,
    clauses: Vec<ClauseLine>,
}

#[derive(Deserialize)]
struct ClauseLine {
    segments: Vec<SegmentLine>,
}

#[derive(Deserialize)]
struct SegmentLine {
    start_byte: usize,
    end_byte: usize,
}

#[derive(Deserialize)]
struct ManifestLine {
    doc_id: String,
}

/// Reads every contract of the split in `dir`, sorted by id.
pub fn load(dir: &Path) -> std::io::Result<Vec<Contract>> {
    let mut contracts = BTreeMap::new();
    for line in read_lines(&dir.join("manifest.jsonl"))? {
        let entry: ManifestLine = parse(&line)?;
        let text =
            std::fs::read_to_string(dir.join("contracts").join(format!("{}.txt", entry.doc_id)))?;
        contracts.insert(
            entry.doc_id.clone(),
            Contract {
                id: entry.doc_id,
                text,
                labels: BTreeMap::new(),
            },
        );
    }
    for line in read_lines(&dir.join("labels.jsonl"))? {
        let label: LabelLine = parse(&line)?;
        let Some(contract) = contracts.get_mut(&label.doc_id) else {
            continue;
        };
        let clauses = label
            .clauses
            .iter()
            .map(|c| clause_spans(c, &contract.text))
            .filter(|spans| !spans.is_empty())
            .collect();
        contract.labels.insert(label.category, clauses);
    }
    Ok(contracts.into_values().collect())
}

/// A labelled clause's segments that fall inside the text on character boundaries.
fn clause_spans(clause: &ClauseLine, text: &str) -> Vec<Span> {
    clause
        .segments
        .iter()
        .filter(|s| s.start_byte < s.end_byte && s.end_byte <= text.len())
        .filter(|s| text.is_char_boundary(s.start_byte) && text.is_char_boundary(s.end_byte))
        .map(|s| Span::new(s.start_byte, s.end_byte))
        .collect()
}

fn read_lines(path: &Path) -> std::io::Result<Vec<String>> {
    let file = std::fs::File::open(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    BufReader::new(file)
        .lines()
        .filter(|l| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .collect()
}

fn parse<T: for<'de> Deserialize<'de>>(line: &str) -> std::io::Result<T> {
    serde_json::from_str(line).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The engine's answer for one contract: per CUAD category name, the predicted spans.
pub type Predictions = Vec<(&'static str, Span)>;

/// The engine's CUAD answer for a text: the clause model's sentences per category.
pub fn predict(text: &str) -> Predictions {
    predict_with(text, crate::categorize::default_model())
}

/// CUAD categories answered by the field extractors rather than the clause model: names and
/// dates, which annotators mark as short phrases, and the term, renewal and law sentences,
/// which the extractors find more precisely than the model (measured by cross-validation).
const FROM_FIELDS: &[&str] = &crate::fields::CUAD_CATEGORIES;

/// CUAD's "Document Name" is the title, which the classifier reads.
const FROM_TITLE: &str = "Document Name";

/// [`predict`] with another clause model (cross-validation fits one per fold).
pub fn predict_with(text: &str, model: &crate::categorize::model::Model) -> Predictions {
    let clauses = crate::segment::segment(text);
    let mut out: Predictions = crate::categorize::categorize(text, &clauses, model)
        .into_iter()
        .filter_map(|label| {
            let category = crate::taxonomy::category(label.category)?;
            Some((category.cuad?, label.span))
        })
        .filter(|(name, _)| !FROM_FIELDS.contains(name) && *name != FROM_TITLE)
        .collect();

    let extraction = crate::fields::extract(text);
    out.extend(
        crate::fields::cuad_spans(&extraction)
            .into_iter()
            .filter(|(name, _)| FROM_FIELDS.contains(name)),
    );
    if let Some((_, span)) = crate::classify::classify(text).title {
        out.push((FROM_TITLE, span));
    }
    out
}

/// Scores `predict` on every contract, in parallel over `threads` threads.
pub fn evaluate(
    contracts: &[Contract],
    threads: usize,
    predict: impl Fn(&Contract) -> Predictions + Sync,
) -> Value {
    let names: Vec<&'static str> = CATEGORIES[..CUAD_CATEGORY_COUNT]
        .iter()
        .filter_map(|c| c.cuad)
        .collect();
    let per_contract = parallel_map(contracts, threads.max(1), |contract| {
        let predictions = predict(contract);
        names
            .iter()
            .map(|name| score_category(contract, name, &predictions))
            .collect::<Vec<_>>()
    });

    let mut presence = vec![Counts::default(); names.len()];
    let mut spans = vec![Counts::default(); names.len()];
    for counts in per_contract {
        for (i, (p, s)) in counts.into_iter().enumerate() {
            presence[i].add(p);
            spans[i].add(s);
        }
    }
    let per_category: serde_json::Map<String, Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let entry = json!({ "presence": presence[i].to_json(), "span": spans[i].to_json() });
            (name.to_string(), entry)
        })
        .collect();
    json!({
        "dataset": "cuad",
        "documents": contracts.len(),
        "presence": metrics::summary(presence.iter()),
        "span": metrics::summary(spans.iter()),
        "per_category": per_category,
    })
}

/// Presence and span counts of one category in one contract.
fn score_category(contract: &Contract, name: &str, predictions: &Predictions) -> (Counts, Counts) {
    let predicted: Vec<HashSet<String>> = predictions
        .iter()
        .filter(|(category, _)| *category == name)
        .map(|(_, span)| metrics::word_set(span.of(&contract.text)))
        .collect();
    let labelled: Vec<HashSet<String>> = contract
        .labels
        .get(name)
        .into_iter()
        .flatten()
        .map(|segments| {
            let joined: Vec<&str> = segments.iter().map(|s| s.of(&contract.text)).collect();
            metrics::word_set(&joined.join(" "))
        })
        .collect();

    let presence = match (!predicted.is_empty(), contract.has(name)) {
        (true, true) => Counts {
            tp: 1,
            ..Counts::default()
        },
        (true, false) => Counts {
            fp: 1,
            ..Counts::default()
        },
        (false, true) => Counts {
            fn_: 1,
            ..Counts::default()
        },
        (false, false) => Counts::default(),
    };
    (presence, metrics::match_spans(&labelled, &predicted))
}

/// Maps `f` over `items` on `threads` threads, keeping order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("an evaluation thread panicked"))
            .collect()
    })
}
